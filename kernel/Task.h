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
#include "kernel/Namespaces.h"
#include "kernel/PidNamespace.h"
#include "kernel/Signal.h"
#include "kernel/Syscall.h"
#include "kernel/abi/Constants.h"
#include "kernel/mm/AddressSpace.h"

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

/// A thread's user and group ids (credentials(7)): real, effective, saved
/// set-ID and file system ids, and the supplementary groups. Privilege is
/// an effective uid of 0 (reprise keeps no capability sets of its own); a
/// file system uid of 0 passes permission checks, as with Linux's file
/// capabilities, which follow it.
struct TaskIds {
  uint32_t Ruid = 0, Euid = 0, Suid = 0, Fsuid = 0;
  uint32_t Rgid = 0, Egid = 0, Sgid = 0, Fsgid = 0;
  std::vector<uint32_t> Groups;
  /// All ids \p Uid and \p Gid, no supplementary groups.
  static TaskIds of(uint32_t Uid, uint32_t Gid) {
    return {Uid, Uid, Uid, Uid, Gid, Gid, Gid, Gid, {}};
  }
};

struct RLimit {
  uint64_t Cur, Max;
};

class Task;
class ThreadGroup;

/// Tasks blocked until something happens (a child exits, a pipe gets data).
/// Waking is in the order tasks started waiting, so it is deterministic.
class WaitQueue {
public:
  WaitQueue() = default;
  WaitQueue(const WaitQueue &) = delete;
  WaitQueue &operator=(const WaitQueue &) = delete;
  /// Tasks still waiting are woken: whatever they waited on is gone.
  ~WaitQueue();

  /// Makes every waiting task runnable; each re-checks its condition.
  void wakeAll();
  bool empty() const { return Waiters.empty(); }
  /// How many times wakeAll was called, waiters or not: what changed the
  /// object counts as an event for edge-triggered epoll.
  uint64_t wakes() const { return Wakes; }

private:
  friend class Kernel;
  std::vector<Task *> Waiters;
  uint64_t Wakes = 0;
};

/// An interval timer: armed while Deadline is nonzero; Interval rearms it.
struct IntervalTimer {
  uint64_t Deadline = 0, Interval = 0;
};

/// A POSIX timer (timer_create): which signal it sends to whom.
struct PosixTimer {
  int32_t Clock = 0;
  int32_t Notify = 0;  // SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID
  int Signo = 0;
  uint64_t Value = 0;  // sigev_value
  int32_t TargetTid = 0; // SIGEV_THREAD_ID: root tid
  IntervalTimer Timer;
  int32_t Overrun = 0, LastOverrun = 0;
};

/// Where exec put the pieces of the running program, for /proc/PID/stat,
/// environ and auxv (Linux keeps these in the mm_struct). Set by exec,
/// copied by fork.
struct ImageLayout {
  uint64_t StartCode = 0, EndCode = 0;   // the executable segment
  uint64_t StartData = 0, EndData = 0;   // the writable segment's file part
  uint64_t StartBrk = 0, StartStack = 0; // heap start; initial stack pointer
  uint64_t ArgStart = 0, ArgEnd = 0, EnvStart = 0, EnvEnd = 0;
  std::vector<uint8_t> Auxv; // as written on the stack, AT_NULL included
};

/// A process: what every thread of it shares, and its place in the process
/// tree. Owned by the Kernel until it is reaped.
class ThreadGroup {
public:
  enum class Life : uint8_t { Alive, Zombie };

  /// The process id: the leader's tid numbers. Pid is its root-namespace
  /// number, the kernel's key for the process (it never changes).
  PidRef Id;
  int32_t Pid = 0;
  ThreadGroup *Parent = nullptr;           // null for init
  std::map<int32_t, ThreadGroup *> Children; // by pid: deterministic order
  std::vector<Task *> Threads;             // live threads, in creation order
  Task *Leader = nullptr;
  /// membarrier(2) commands registered for this process.
  uint32_t MembarrierRegistered = 0;
  /// The process group and the session: the ids of the processes that
  /// founded them, held as long as a member is.
  PidRef Pgrp, Session;
  /// Signal sent to the parent when the process ends (the leader's clone
  /// exit signal); 0 for none. A process whose exit signal is not SIGCHLD is
  /// a "clone child" for wait's __WCLONE.
  int ExitSignal = linux_abi::LX_SIGCHLD;
  bool Subreaper = false;

  std::shared_ptr<SignalHandlers> Handlers = std::make_shared<SignalHandlers>();
  /// Process-directed signals not yet delivered.
  SignalQueue SharedPending;
  std::array<RLimit, linux_abi::LX_RLIMIT_NLIMITS> Limits{};
  std::string ExePath; // guest path of the running executable
  std::vector<std::string> Argv;
  std::string Comm;    // PR_SET_NAME / the executable's base name
  ImageLayout Image;

  Life State = Life::Alive;
  bool Exiting = false; // exit_group or a fatal signal is under way
  bool DidExec = false; // has exec'd since fork (setpgid by the parent: EACCES)
  bool Dumpable = true; // PR_SET_DUMPABLE: a core-default death sets WCOREDUMP
  /// Job control: the process is stopped (by StopSignal); its threads are
  /// not scheduled until SIGCONT. A stop or a continuation not yet reported
  /// to the parent's wait.
  bool Stopped = false;
  int StopSignal = 0;
  bool StopUnreported = false, ContinueUnreported = false;
  /// setitimer(2)'s timers: REAL on the virtual clock, VIRTUAL and PROF on
  /// the process's work. POSIX timers by id.
  IntervalTimer RealTimer, VirtualTimer, ProfTimer;
  std::map<int32_t, PosixTimer> PosixTimers;
  /// signalfd readers of this process wait here for any new signal.
  WaitQueue SignalArrived;
  int ExitStatus = 0;   // wait status: code << 8, or the signal (| 0x80 core)
  /// Work done by the process's threads (and by reaped children), in ns.
  uint64_t CpuNs = 0, ChildrenCpuNs = 0;
  /// Threads of this process (and its parent's wait) block here for child
  /// state changes.
  WaitQueue ChildEvents;
};

/// Why a task is not running.
enum class TaskState : uint8_t {
  Runnable, // in the run queue, or running
  Blocked,  // parked in a system call until woken or its deadline
  Dead,     // exited; kept until the scheduler can release it
};

/// A system call that blocked: re-run with the same arguments when the task
/// is woken. The handler sees Restarted and keeps what it decided the first
/// time (its deadline, whether it was woken) in the task's WaitState.
struct PendingSyscall {
  const struct SyscallInfo *Info = nullptr;
  SyscallArgs Args;
};

struct WaitState {
  bool Restarted = false; // the handler runs again after blocking
  bool Woken = false;     // a futex wake (or similar) chose this task
  bool TimedOut = false;  // the deadline passed
  uint64_t Deadline = 0;  // virtual monotonic ns; 0 = none
  uint64_t Progress = 0;  // bytes a blocking write had done before parking
  std::vector<WaitQueue *> Queues;
  // A futex wait: the key it sleeps on (Kernel::FutexKey).
  bool InFutex = false;
  std::pair<const void *, uint64_t> FutexAt;
  std::string What; // for a deadlock report: "wait4", "read(pipe)", ...
  /// What a signal handler does to the call; set before block().
  RestartKind Restart = RestartKind::Sys;
  uint64_t RemAddr = 0; // nanosleep: where an interrupted sleep writes the time left
  bool Interrupted = false; // woken to run a signal handler
};

class Task {
public:
  Task(Kernel &K, PidRef Id) : Id(std::move(Id)), K(K), Tid(this->Id->root()) {}

  Kernel &kernel() { return K; } // the kernel owns every task
  /// The tid in the root namespace: the kernel's key for the task. What a
  /// guest sees goes through vnr().
  int32_t tid() const { return Tid; }
  /// The PID namespace the task lives in.
  PidNamespace &pidNs() const { return Id->ns(); }
  /// \p P as this task sees it: its number in the task's namespace, 0 when
  /// it is not visible there.
  int32_t vnr(const PidRef &P) const { return P ? P->in(pidNs()) : 0; }
  ThreadGroup &group() { return *Group; }
  mm::AddressSpace &mm() { return *MM; }
  cpu::Engine &cpu() { return MM->engine(); }
  fs::FdTable &fds() { return *Fds; }
  fs::FsContext &fsContext() { return *Fs; }
  Arch arch() const { return MM->arch(); }
  bool isLeader() const { return Group->Leader == this; }
  /// The signals pending for this thread: its own and its process's,
  /// blocked or not.
  uint64_t pendingSignals() const {
    return SigPending.pending() | Group->SharedPending.pending();
  }

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

  PidRef Id; // the thread's ids (the leader's are the process's too)

  // Shared or private per clone flags.
  std::shared_ptr<ThreadGroup> Group;
  std::shared_ptr<mm::AddressSpace> MM;
  std::shared_ptr<fs::FdTable> Fds;
  std::shared_ptr<fs::FsContext> Fs;
  /// The namespaces the task is in (shared, never changed in place).
  std::shared_ptr<const NamespaceSet> Namespaces;

  // Private to the thread.
  /// The ids; Creds is their file system view, for permission checks. Change
  /// them with setIds, which keeps the two in step.
  TaskIds Ids;
  fs::Creds Creds;
  void setIds(TaskIds New) {
    Ids = std::move(New);
    Creds = {Ids.Fsuid, Ids.Fsgid, Ids.Groups};
  }
  uint64_t SigMask = 0;
  /// sigsuspend's caller mask, put back in the frame of the handler that
  /// ends the wait.
  std::optional<uint64_t> SavedMask;
  SignalQueue SigPending; // thread-directed (tgkill, faults)
  uint64_t SigWaitSet = 0; // rt_sigtimedwait's set while it waits
  /// The last memory fault, for the signal frame's error code / ESR.
  cpu::Access FaultAccess = cpu::Access::Read;
  AltStack SigAltStack;
  /// Scheduling settings a guest can set and read back (nice value, policy
  /// and its priority). reprise's scheduler is deterministic and does not
  /// look at them.
  int32_t Nice = 0;
  int32_t SchedPolicy = 0, SchedPriority = 0;
  uint64_t ClearChildTid = 0;
  uint64_t RobustList = 0, RobustListLen = 0;
  TaskState State = TaskState::Runnable;
  bool InRunQueue = false;
  /// The parent stopped in vfork until this task execs or exits.
  Task *VforkParent = nullptr;
  PidRef VforkChild;         // while this task waits in vfork: the child
  WaitQueue VforkDone;       // a vfork parent waits here for this task
  bool Execed = false;       // set by a successful execve for the dispatcher
  bool RegsReplaced = false; // rt_sigreturn set every register itself
  std::string PendingTrace;  // --strace line of a blocked call
  std::optional<PendingSyscall> Pending;
  WaitState Wait;
  std::unique_ptr<cpu::Context> Saved; // registers while not loaded
  uint64_t CpuNs = 0;                  // work done by this thread
  uint64_t StartNs = 0;                // virtual monotonic time of its creation

private:
  friend class Kernel;
  Kernel &K;
  int32_t Tid;
};

} // namespace reprise
