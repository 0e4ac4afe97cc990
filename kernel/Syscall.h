//===- kernel/Syscall.h - Handler shape and the system call table -*- C++ -*-===//
#pragma once

#include "kernel/abi/Arch.h"
#include "kernel/abi/Result.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace reprise {

class Task;

/// Arguments of one system call, in the guest's registers' order.
struct SyscallArgs {
  uint64_t Nr = 0;
  std::array<uint64_t, 6> A{};
  uint64_t arg(unsigned I) const { return A[I]; }
  int32_t fd(unsigned I) const { return int32_t(A[I]); }
  int32_t i32(unsigned I) const { return int32_t(A[I]); }
  uint32_t u32(unsigned I) const { return uint32_t(A[I]); }
};

/// A handler's result: the value for the guest's return register, or an
/// errno (returned to the guest as -errno).
using SysResult = Result<int64_t>;
using SyscallHandler = SysResult (*)(Task &T, const SyscallArgs &A);

enum class Support : uint8_t { Full, Partial, None };

struct SyscallInfo {
  std::string_view Name;
  int X86_64, Arm64; // numbers; -1 where the arch lacks the call
  SyscallHandler Handler;
  Support Level;
  std::string_view Args; // --strace argument format (see Syscalls.def)
  std::string_view Note;
};

/// Every entry of Syscalls.def.
llvm::ArrayRef<SyscallInfo> syscallTable();
/// The entry for number \p Nr on \p A, or null.
const SyscallInfo *lookupSyscall(Arch A, uint64_t Nr);

// Handler declarations, one per implemented entry.
#define SYSCALL(Name, X, Arm, Handler, Support, Args, Note)                    \
  SysResult Handler(Task &T, const SyscallArgs &A);
#include "kernel/syscalls/Syscalls.def"

} // namespace reprise
