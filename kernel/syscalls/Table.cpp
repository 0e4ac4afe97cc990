//===- kernel/syscalls/Table.cpp - Dispatch tables from Syscalls.def ------===//
#include "kernel/Syscall.h"
#include "kernel/Task.h"

#include <vector>

namespace reprise {

namespace {

const SyscallInfo Table[] = {
#define SYSCALL(Name, X, Arm, Handler, Level, Args, Note)                      \
  {#Name, X, Arm, &Handler, Support::Level, Args, Note},
#include "kernel/syscalls/Syscalls.def"
};

struct Dispatch {
  std::vector<const SyscallInfo *> X86, Arm;
  Dispatch() {
    for (const auto &E : Table) {
      if (E.X86_64 >= 0) {
        if (size_t(E.X86_64) >= X86.size())
          X86.resize(size_t(E.X86_64) + 1);
        X86[size_t(E.X86_64)] = &E;
      }
      if (E.Arm64 >= 0) {
        if (size_t(E.Arm64) >= Arm.size())
          Arm.resize(size_t(E.Arm64) + 1);
        Arm[size_t(E.Arm64)] = &E;
      }
    }
  }
};

// Built once from constant data; read-only afterwards.
const Dispatch &dispatch() {
  static const Dispatch D;
  return D;
}

} // namespace

llvm::ArrayRef<SyscallInfo> syscallTable() { return Table; }

const SyscallInfo *lookupSyscall(Arch A, uint64_t Nr) {
  const auto &V = A == Arch::X86_64 ? dispatch().X86 : dispatch().Arm;
  return Nr < V.size() ? V[Nr] : nullptr;
}

// Implements every system call reprise does not offer yet.
SysResult sysNotImplemented(Task &, const SyscallArgs &) {
  return Errno::LX_ENOSYS;
}

} // namespace reprise
