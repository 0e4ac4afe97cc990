//===- kernel/PidNamespace.cpp - Id allocation in PID namespaces ----------===//
#include "kernel/PidNamespace.h"

#include <algorithm>

namespace reprise {

Result<std::shared_ptr<PidNumbers>>
PidNumbers::create(std::shared_ptr<PidNamespace> Ns,
                   llvm::ArrayRef<int32_t> Wanted) {
  if (Ns->InitDied)
    return Errno::LX_ENOMEM; // as Linux refuses a pid in a dead namespace
  if (Wanted.size() > Ns->level() + 1)
    return Errno::LX_EINVAL;
  std::shared_ptr<PidNumbers> P(new PidNumbers(Ns));
  P->Numbers.assign(Ns->level() + 1, 0);
  // From the innermost namespace out, as Linux allocates. Taken numbers are
  // registered at once so that a failure further out releases them in the
  // destructor.
  unsigned Index = 0;
  for (PidNamespace *At = Ns.get(); At; At = At->parent(), ++Index) {
    int32_t Id = 0;
    if (Index < Wanted.size()) {
      Id = Wanted[Index];
      if (Id < 1 || Id >= PidNamespace::PidMax)
        return Errno::LX_EINVAL;
      if (At->Used.count(Id))
        return Errno::LX_EEXIST;
    } else {
      // Cyclic from the last id handed out; once the cursor is past the
      // reserved range, a wrap starts over above it (Linux's pid_min).
      int32_t Low = At->Last > PidNamespace::ReservedPids
                        ? PidNamespace::ReservedPids : 1;
      Id = At->Last;
      for (int32_t Tried = 0;; ++Tried) {
        if (Tried >= PidNamespace::PidMax)
          return Errno::LX_EAGAIN;
        if (++Id >= PidNamespace::PidMax)
          Id = Low;
        if (!At->Used.count(Id))
          break;
      }
      At->Last = Id;
    }
    At->Used.emplace(Id, P.get());
    P->Numbers[At->level()] = Id;
  }
  return P;
}

PidNumbers::~PidNumbers() {
  unsigned L = unsigned(Numbers.size());
  for (PidNamespace *At = Home.get(); At; At = At->parent()) {
    --L;
    auto It = At->Used.find(Numbers[L]);
    if (It != At->Used.end() && It->second == this)
      At->Used.erase(It);
  }
}

} // namespace reprise
