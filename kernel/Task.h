//===- kernel/Task.h - Threads and thread groups ----------------*- C++ -*-===//
//
// A Task is one guest thread; a ThreadGroup is a process. What clone(2) may
// share between tasks (address space, descriptor table, file system context,
// signal handlers) is held by shared_ptr, so sharing follows the clone flags
// and ownership stays readable.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpu/Engine.h"
#include "fs/FdTable.h"
#include "fs/Vfs.h"
#include "kernel/Syscall.h"
#include "kernel/abi/Constants.h"
#include "kernel/mm/AddressSpace.h"

#include <array>
#include <memory>
#include <string>

namespace reprise {

class Kernel;

struct SigAction {
  uint64_t Handler = linux_abi::LX_SIG_DFL;
  uint64_t Flags = 0;
  uint64_t Restorer = 0;
  uint64_t Mask = 0;
};

/// Signal dispositions, shared by tasks cloned with CLONE_SIGHAND.
struct SignalHandlers {
  std::array<SigAction, linux_abi::LX_NSIG + 1> Actions{};
};

struct RLimit {
  uint64_t Cur, Max;
};

/// A process: what every thread of it shares.
class ThreadGroup {
public:
  int32_t Pid = 0;
  int32_t ParentPid = 0;
  std::shared_ptr<SignalHandlers> Handlers = std::make_shared<SignalHandlers>();
  std::array<RLimit, linux_abi::LX_RLIMIT_NLIMITS> Limits{};
  std::string ExePath; // guest path of the running executable
  std::vector<std::string> Argv;
  bool Exited = false;
  int ExitStatus = 0;  // wait status encoding (code << 8, or signal number)
};

class Task {
public:
  enum class State : uint8_t { Runnable, Exited };

  Task(Kernel &K, int32_t Tid) : K(K), Tid(Tid) {}

  Kernel &kernel() { return K; } // the kernel owns every task
  int32_t tid() const { return Tid; }
  ThreadGroup &group() { return *Group; }
  mm::AddressSpace &mm() { return *MM; }
  cpu::Engine &cpu() { return MM->engine(); }
  fs::FdTable &fds() { return *Fds; }
  fs::FsContext &fsContext() { return *Fs; }
  Arch arch() const { return MM->arch(); }

  // Guest memory, EFAULT on bad pointers.
  Result<void> copyIn(uint64_t Addr, llvm::MutableArrayRef<uint8_t> Out) {
    return MM->copyIn(Addr, Out);
  }
  Result<void> copyOut(uint64_t Addr, llvm::ArrayRef<uint8_t> In) {
    return MM->copyOut(Addr, In);
  }
  template <typename T> Result<T> copyInObj(uint64_t Addr) {
    T V;
    REPRISE_TRY(MM->copyIn(Addr, {reinterpret_cast<uint8_t *>(&V), sizeof V}));
    return V;
  }
  template <typename T> Result<void> copyOutObj(uint64_t Addr, const T &V) {
    return MM->copyOut(Addr, {reinterpret_cast<const uint8_t *>(&V), sizeof V});
  }
  /// A path argument: EFAULT, ENAMETOOLONG (PATH_MAX), or the string.
  Result<std::string> copyInPath(uint64_t Addr) {
    return MM->copyInString(Addr, fs::PathMax);
  }

  /// Resolves \p Path relative to directory descriptor \p DirFd.
  Result<fs::Location> resolveAt(int32_t DirFd, std::string_view Path,
                                 bool Follow, bool EmptyPathOk = false);
  Result<std::pair<fs::Location, std::string>>
  resolveParentAt(int32_t DirFd, std::string_view Path);
  /// Where an open directory is in the tree (for *at calls and fchdir).
  Result<fs::Location> fileLocation(const fs::OpenFile &F);

  // Shared or private per clone flags.
  std::shared_ptr<ThreadGroup> Group;
  std::shared_ptr<mm::AddressSpace> MM;
  std::shared_ptr<fs::FdTable> Fds;
  std::shared_ptr<fs::FsContext> Fs;

  // Private to the thread.
  fs::Creds Creds;
  uint64_t SigMask = 0;
  uint64_t ClearChildTid = 0;
  uint64_t RobustList = 0, RobustListLen = 0;
  State TaskState = State::Runnable;
  std::unique_ptr<cpu::Context> Saved; // registers while not running

private:
  Kernel &K;
  int32_t Tid;
};

} // namespace reprise
