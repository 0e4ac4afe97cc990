//===- kernel/PidNamespace.h - PID namespaces and the ids in them -*- C++ -*-===//
//
// Every task lives in a PID namespace; namespaces nest, and a task has an id
// in its own namespace and in every ancestor up to the root, so a parent in
// an outer namespace knows its child by a different number than the child
// knows itself. A PidNumbers is one such set of numbers (Linux's struct
// pid): a thread's tid, shared as the pid of the process it leads and as the
// id of the process group and session it founds. Its numbers stay taken in
// every namespace until the last holder lets go, so a process group id is not
// handed out again while the group has members.
//
// Values reach a guest only through in(): the number in the namespace of the
// task that asks, 0 when the id is not visible from there (a task in an
// outer namespace seen from an inner one).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Result.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace reprise {

class ThreadGroup;
class PidNumbers;

class PidNamespace {
public:
  /// Ids run from 1 to below PidMax, then wrap to ReservedPids: Linux's
  /// pid_max as systemd sets it (the largest it allows) and RESERVED_PIDS.
  static constexpr int32_t PidMax = 1 << 22;
  static constexpr int32_t ReservedPids = 300;
  /// Linux's MAX_PID_NS_LEVEL: how deep namespaces nest (clone3's set_tid
  /// holds at most this many ids).
  static constexpr unsigned MaxLevel = 32;

  explicit PidNamespace(std::shared_ptr<PidNamespace> Parent = nullptr)
      : Parent(std::move(Parent)),
        Level(this->Parent ? this->Parent->Level + 1 : 0) {}
  PidNamespace(const PidNamespace &) = delete;
  PidNamespace &operator=(const PidNamespace &) = delete;

  PidNamespace *parent() const { return Parent.get(); }
  unsigned level() const { return Level; }
  /// The ids numbered \p Id here, or null.
  PidNumbers *find(int32_t Id) const {
    auto It = Used.find(Id);
    return It == Used.end() ? nullptr : It->second;
  }

  /// The last id handed out (/proc/loadavg shows it).
  int32_t lastId() const { return Last; }

  /// The process with id 1 here: it adopts orphans, and when it ends every
  /// other process of the namespace ends and no new one may start.
  ThreadGroup *Init = nullptr;
  bool InitDied = false;

private:
  friend class PidNumbers;
  std::shared_ptr<PidNamespace> Parent;
  unsigned Level;
  std::map<int32_t, PidNumbers *> Used;
  int32_t Last = 0; // the last id handed out: allocation is cyclic
};

class PidNumbers {
public:
  /// New ids in \p Ns and each of its ancestors. \p Wanted (clone3's
  /// set_tid) names the ids to take, innermost namespace first, for as many
  /// levels as it has entries; the rest are allocated. EEXIST when a wanted
  /// id is taken, EAGAIN when a namespace is full, ENOMEM when \p Ns's init
  /// has died.
  static Result<std::shared_ptr<PidNumbers>>
  create(std::shared_ptr<PidNamespace> Ns, llvm::ArrayRef<int32_t> Wanted = {});
  ~PidNumbers();
  PidNumbers(const PidNumbers &) = delete;
  PidNumbers &operator=(const PidNumbers &) = delete;

  /// The number in \p Ns, or 0 when these ids are not visible there.
  int32_t in(const PidNamespace &Ns) const {
    if (Ns.level() >= Numbers.size())
      return 0;
    const PidNamespace *At = Home.get();
    for (unsigned L = Home->level(); L > Ns.level(); --L)
      At = At->parent();
    return At == &Ns ? Numbers[Ns.level()] : 0;
  }
  /// The number in the root namespace: the kernel's own key.
  int32_t root() const { return Numbers.front(); }
  /// The innermost namespace: the one its task lives in.
  PidNamespace &ns() const { return *Home; }
  const std::shared_ptr<PidNamespace> &nsRef() const { return Home; }
  /// Every number, root namespace first.
  llvm::ArrayRef<int32_t> numbers() const { return Numbers; }

private:
  explicit PidNumbers(std::shared_ptr<PidNamespace> Ns) : Home(std::move(Ns)) {}
  std::shared_ptr<PidNamespace> Home;
  std::vector<int32_t> Numbers; // by level
};

using PidRef = std::shared_ptr<PidNumbers>;

} // namespace reprise
