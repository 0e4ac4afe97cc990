//===- kernel/Kernel.h - The emulated kernel --------------------*- C++ -*-===//
//
// The Kernel owns every task and every piece of guest-visible state, and runs
// all tasks on the calling host thread. It is the engines' EventSink: a system
// call trap lands in onSyscall(), which dispatches through the table and
// writes the result back without leaving the engine unless the call must
// stop it (exit, and later blocking, exec and task switches).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpu/Engine.h"
#include "fs/HostFs.h"
#include "fs/Vfs.h"
#include "kernel/Options.h"
#include "kernel/Random.h"
#include "kernel/Task.h"
#include "kernel/mm/PhysicalMemory.h"
#include "loader/Elf.h"
#include "loader/Vdso.h"
#include "replay/Gate.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace reprise {

/// The last component of a guest path ("ls" for "/bin/ls").
inline std::string baseName(const std::string &Path) {
  size_t Slash = Path.rfind('/');
  return Slash == std::string::npos ? Path : Path.substr(Slash + 1);
}

class UnixNames;

/// What uname(2) and /proc/sys/kernel report: a fixed kernel, the same on
/// every host.
inline constexpr const char *KernelRelease = "6.1.0-reprise";
inline constexpr const char *KernelVersion = "#1 SMP PREEMPT_DYNAMIC reprise";

/// KernelRelease as Linux's KERNEL_VERSION(a, b, c) packs it (the vDSO's
/// note, which old glibcs compare with the version they need).
constexpr uint32_t kernelVersionCode(const char *Release) {
  uint32_t Part[3] = {0, 0, 0};
  for (unsigned I = 0; I < 3 && *Release >= '0' && *Release <= '9'; ++I) {
    while (*Release >= '0' && *Release <= '9')
      Part[I] = Part[I] * 10 + uint32_t(*Release++ - '0');
    if (*Release == '.')
      ++Release;
  }
  return (Part[0] << 16) + (Part[1] << 8) + (Part[2] > 255 ? 255 : Part[2]);
}
static_assert(kernelVersionCode("6.1.0-reprise") == 0x060100);
static_assert(kernelVersionCode("5.15.300") == 0x050fff);

/// A program loaded into a fresh address space, ready to start.
struct LoadedImage {
  std::shared_ptr<mm::AddressSpace> AS;
  uint64_t Entry = 0, Sp = 0;
  std::string ExePath;
  std::vector<std::string> Argv;
  ImageLayout Layout;
};

/// How a run ended, in a shell's terms.
struct RunOutcome {
  int ExitCode = 0;       // exit status, or 128+N when killed by signal N
  int Signal = 0;         // the killing signal, or 0
  std::string Report;     // one line for stderr when the guest died abnormally
};

/// An emulator-side failure that keeps a program from starting, with the
/// exit code a shell would give (127 not found, 126 cannot execute).
class LaunchError : public llvm::ErrorInfo<LaunchError> {
public:
  static char ID;
  LaunchError(std::string Msg, int Code, Errno E = Errno::LX_ENOEXEC)
      : Msg(std::move(Msg)), Code(Code), Err(E) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  std::string Msg;
  int Code;
  Errno Err; // what execve(2) returns for it
};

class Kernel : public cpu::EventSink {
public:
  /// \p PrepareGate sets the gate's mode (record, replay) before the
  /// kernel first asks the host for anything (the root directory).
  static llvm::Expected<std::unique_ptr<Kernel>>
  create(KernelOptions Opts,
         const std::function<void(replay::Gate &)> &PrepareGate = {});
  ~Kernel() override;

  /// st_dev of the file system of the Nth --tmpfs (counted from 0): 0:64
  /// on, as Linux numbers its anonymous devices.
  static constexpr uint64_t FirstTmpfsDevice = 0x40, MaxTmpfsMounts = 64;
  /// st_dev of /dev/shm's tmpfs.
  static constexpr uint64_t ShmDevice = 0x18;

  /// Loads \p Program (a guest path) with \p Argv and \p Envp as the init
  /// task. Fails with a LaunchError.
  llvm::Error launch(const std::string &Program,
                     const std::vector<std::string> &Argv,
                     const std::vector<std::string> &Envp);
  /// Runs until every task has exited.
  RunOutcome run();

  // cpu::EventSink.
  void onSyscall() override;
  uint64_t cycleCounter() override;

  const KernelOptions &options() const { return Opts; }
  fs::Vfs &vfs() { return *TheVfs; }
  Random &random() { return Rng; }
  replay::Gate &gate() { return Gate; }
  /// The arch of the program launch() loaded.
  Arch arch() const { return TheArch; }
  /// Every register of \p T, a few lines, for reports.
  std::string registerDump(Task &T);

  // Virtual time.
  uint64_t monotonicNs() const;
  fs::Timespec realtime() const;
  /// CPU time used by the guest: its work, without sleeping.
  uint64_t cpuTimeNs() const;
  /// The work of the running slice so far, not yet in its task's CpuNs.
  uint64_t sliceNs() const;
  /// Virtual time spent with every task blocked (the CPU's idle time).
  uint64_t idleNs() const { return IdleNs; }
  /// Guest page frames in use, by every address space.
  uint64_t framesInUse() const { return Phys->framesInUse(); }

  // Task life (kernel/Process.cpp).

  /// exit(2): ends thread \p T; the process ends with its last thread.
  void exitThread(Task &T, int Status);
  /// exit_group(2): ends every thread of \p T's process with \p Status.
  void exitGroup(Task &T, int Status);
  /// Kills \p T's thread group by \p Sig's default action. When it is the
  /// guest's first process, the run ends with one line on stderr: "task N
  /// killed by SIG: \p Detail, pc ...: instruction", where \p Detail says
  /// what happened (a fault, who sent the signal) and the rest where \p T
  /// was.
  void killBySignal(Task &T, int Sig, const std::string &Detail);
  // Signals (kernel/SignalDelivery.cpp).

  /// Sends a signal to process \p G (\p Target null) or to thread \p Target.
  /// Ignored signals are dropped; one whose default action kills does so at
  /// once; others are queued and a thread that can take a handled one is
  /// woken from an interruptible wait. \p FromHost: sent to reprise by its
  /// host, from outside the guest (a namespace's init is not shielded).
  void sendSignal(ThreadGroup &G, Task *Target, const SigInfo &Info,
                  bool FromHost = false);
  void sendSignal(ThreadGroup &G, Task *Target, int Sig) {
    sendSignal(G, Target, SigInfo::kernel(Sig));
  }
  /// Whether \p T has a signal it would take now (not blocked).
  bool signalPending(Task &T);
  /// Takes the first signal of \p Set pending for \p T: from its own queue
  /// first, then its process's, as Linux's dequeue_signal.
  std::optional<SigInfo> takeSignal(Task &T, uint64_t Set);
  /// The first signal \p T would take now if it runs a handler, else 0.
  int handledSignal(Task &T);
  /// At a return to user mode: takes \p T's signals one by one, running
  /// default actions and setting up a frame for each handled one.
  void deliverSignals(Task &T);
  /// A fault or trap of \p T: its handler runs now, or, when it has none or
  /// blocks the signal, the process dies of it (\p Detail for the report).
  void forceSignal(Task &T, const SigInfo &Info, const std::string &Detail);
  /// Job control: \p G stops with \p Sig, or continues; the parent hears of
  /// it by SIGCHLD (unless SA_NOCLDSTOP) and wait.
  void stopGroup(ThreadGroup &G, int Sig);
  void continueGroup(ThreadGroup &G);
  /// Whether process group \p Pgrp is orphaned (POSIX): no live member but
  /// \p Ignored has its parent in another group of the same session. Stop
  /// signals from a terminal (SIGTSTP, SIGTTIN, SIGTTOU) whose action is the
  /// default do nothing to such a group.
  bool orphanedPgrp(const PidRef &Pgrp, const ThreadGroup *Ignored = nullptr) const;
  /// SIGCHLD with \p Code (CLD_STOPPED, CLD_CONTINUED) to \p G's parent,
  /// and its waiters woken.
  void notifyParent(ThreadGroup &G, int32_t Code, int Status);
  /// rt_sigreturn(2): registers, mask and alternate stack from the frame
  /// at the stack pointer; SIGSEGV when the frame is bad.
  void sigreturn(Task &T);
  /// The SIGCHLD (or other exit signal) \p Child's end sends \p Parent.
  SigInfo childSignal(ThreadGroup &Child, ThreadGroup &Parent);
  /// The siginfo of a signal \p Sender sends with kill(2) (SI_USER) or
  /// tkill(2) (SI_TKILL) to \p Receiver.
  static SigInfo userSignal(Task &Sender, int Sig, int32_t Code,
                            ThreadGroup &Receiver) {
    return SigInfo::fromProcess(Sig, Code,
                                Sender.group().Id->in(Receiver.Id->ns()),
                                Sender.Ids.Ruid);
  }
  /// Reaps zombie \p Child of \p Parent: its pid is free again.
  void reap(ThreadGroup &Child);
  /// execve(2) of \p T: fails with an errno while the old image is intact.
  Result<void> exec(Task &T, const std::string &Path,
                    std::vector<std::string> Argv, std::vector<std::string> Envp);

  struct CloneRequest {
    uint64_t Flags = 0;
    int ExitSignal = 0;
    uint64_t Stack = 0, Tls = 0;
    uint64_t ParentTid = 0, ChildTid = 0, PidFd = 0;
    std::vector<int32_t> SetTid; // clone3 set_tid, innermost namespace first
  };
  /// Creates a task as clone(2) says (flags already validated) and returns
  /// its root-namespace tid. \p ResumePc is where the child starts (after
  /// the system call instruction).
  Result<int32_t> clone(Task &Parent, const CloneRequest &R, uint64_t ResumePc);

  // Scheduling (kernel/Kernel.cpp).

  /// Parks \p T in its current system call until a queue in \p Queues is
  /// woken or virtual time reaches \p Deadline (0: none); returns the value
  /// the handler must return. \p What names the wait for a deadlock report.
  SysResult block(Task &T, llvm::ArrayRef<WaitQueue *> Queues,
                  uint64_t Deadline, std::string What);
  /// Where \p T's next instruction is after the current system call.
  uint64_t resumePc(Task &T, bool InHook);
  /// Makes a blocked task runnable; its system call runs again.
  void wake(Task &T);
  /// sched_yield(2): the task goes to the back of the run queue.
  void yield(Task &T);

  // Process timers (kernel/Timers.cpp). Timer -1 is ITIMER_REAL, others
  // are POSIX timer ids; deadlines are virtual monotonic ns.

  /// Arms (Deadline nonzero) or disarms a timer of \p G.
  void setProcessTimer(ThreadGroup &G, int32_t Timer, IntervalTimer Value);
  /// The work (ns) \p G's threads have done, the running one included.
  uint64_t processCpuNs(ThreadGroup &G);
  /// After a slice of \p G: fires its VIRTUAL and PROF timers that are due.
  void checkCpuTimers(ThreadGroup &G);
  /// Drops every timer of \p G (exit; exec drops the POSIX ones).
  void clearProcessTimers(ThreadGroup &G, bool PosixOnly);

  // Futexes (kernel/syscalls/Futex.cpp).
  struct FutexWaiter {
    Task *T;
    uint32_t Bitset;
  };
  using FutexKey = std::pair<const void *, uint64_t>;
  std::map<FutexKey, std::vector<FutexWaiter>> &futexes() { return Futexes; }
  /// Wakes up to \p N waiters on \p Key whose bitset meets \p Bitset.
  int futexWake(FutexKey Key, int N, uint32_t Bitset);
  /// The key of the futex word at \p Addr: private to an address space, or
  /// the physical frame for shared futexes.
  Result<FutexKey> futexKey(Task &T, uint64_t Addr, bool Private);

  Task *current() { return Current; }
  Task *taskByTid(int32_t Tid) {
    auto It = Tasks.find(Tid);
    return It == Tasks.end() || It->second->State == TaskState::Dead
               ? nullptr
               : It->second.get();
  }
  ThreadGroup *groupByPid(int32_t Pid) {
    auto It = Groups.find(Pid);
    return It == Groups.end() ? nullptr : It->second.get();
  }
  /// The live task numbered \p Id in \p Ns (a tid from a guest), or null.
  Task *taskIn(const PidNamespace &Ns, int32_t Id) {
    PidNumbers *P = Id > 0 ? Ns.find(Id) : nullptr;
    return P ? taskByTid(P->root()) : nullptr;
  }
  /// The process (live or zombie) whose pid is \p Id in \p Ns, or null.
  ThreadGroup *groupIn(const PidNamespace &Ns, int32_t Id) {
    PidNumbers *P = Id > 0 ? Ns.find(Id) : nullptr;
    return P ? groupByPid(P->root()) : nullptr;
  }
  /// Whether \p G is the init (id 1) of its own PID namespace.
  static bool isNamespaceInit(const ThreadGroup &G) {
    return G.Id && G.Id->in(G.Id->ns()) == 1;
  }
  PidNamespace &rootPidNamespace() { return *RootPids; }
  /// A fresh inode number for a file with no place in a file system (pipes,
  /// pidfds): a counter per kernel, so runs number them alike.
  uint64_t nextAnonIno() { return NextAnonIno++; }
  /// The foreground process group of the host terminal as the guest sees
  /// it (TIOCGPGRP/TIOCSPGRP): the one set last while it has members, else
  /// init's.
  PidRef foregroundPgrp();
  void setForegroundPgrp(PidRef P) { Foreground = std::move(P); }
  /// The names AF_UNIX sockets are bound to.
  UnixNames &unixNames() { return *UnixNameTable; }
  const std::shared_ptr<UnixNames> &unixNamesRef() { return UnixNameTable; }
  const std::map<int32_t, std::shared_ptr<ThreadGroup>> &groups() const {
    return Groups;
  }
  /// Pids of live processes, in increasing order.
  std::vector<int32_t> processIds() const;
  /// Resource limit \p R of \p T's process.
  uint64_t limit(Task &T, int R) const { return T.group().Limits[R].Cur; }
  /// Live tasks (threads included), zombies not counted.
  size_t liveTasks() const { return LiveTasks; }

private:
  /// Mounts --tmpfs and --bind (Opts.Mounts) after the root.
  llvm::Error mountOptions();
  explicit Kernel(KernelOptions Opts);
  void traceEnter(Task &T, const struct SyscallInfo *Info, const SyscallArgs &A);
  void traceExit(Task &T, const struct SyscallInfo *Info, const SyscallArgs &A,
                 int64_t Ret);
  std::string formatArg(Task &T, char Fmt, uint64_t V, bool After, int64_t Ret,
                        const SyscallArgs &A, unsigned Index);
  /// Runs \p Info's handler for \p T and, unless it blocked or ended the
  /// task, writes the result to the guest's registers. \p InHook: called
  /// from the engine's syscall hook (x86-64's RIP is still on the insn).
  void dispatch(Task &T, const SyscallInfo *Info, const SyscallArgs &A,
                bool InHook);
  /// Loads \p T's registers into its engine (saving whoever was there).
  void load(Task &T);
  void enqueue(Task &T);
  Task *pickNext();
  /// Wakes tasks whose deadline has passed; true if any was woken.
  bool fireTimers();
  void unblock(Task &T);
  /// Common end of a thread: robust list, clear_child_tid, vfork release.
  void releaseThread(Task &T);
  /// The last thread of \p G is gone: it becomes a zombie (or is reaped).
  void groupDied(ThreadGroup &G);
  /// \p G's process group may have lost its last link to its session: \p
  /// Parent, in another group of that session, was the parent of \p G (who
  /// exits, \p Ignored) or of a child in \p G's group (who got a new
  /// parent). When the group is now orphaned and a member is stopped, every
  /// member gets SIGHUP and then SIGCONT (POSIX; Linux's kill_orphaned_pgrp).
  void hangUpOrphanedPgrp(ThreadGroup &G, const ThreadGroup *Parent,
                          const ThreadGroup *Ignored);
  /// Ends every thread of \p G and then the process, with \p Status.
  void terminateGroup(ThreadGroup &G, int Status);
  /// A blocked call of \p T woken for a signal handler: ends it with EINTR
  /// or arranges its restart, as its RestartKind and the handler say.
  void interruptSyscall(Task &T);
  /// Writes \p T's frame for handler \p Act of \p Info; false when the
  /// stack cannot hold it.
  bool setupFrame(Task &T, const SigInfo &Info, const SigAction &Act,
                  uint64_t OldMask);
  /// Signals sent to reprise by the host (Options::HostSignals), on to the
  /// guest's foreground process group.
  void forwardHostSignals(uint64_t Sigs);
  /// Where \p T is, for a report: "pc 0x401000: mov eax, 1".
  std::string where(Task &T);
  /// Frees what could not be freed while an engine was running.
  void collectGarbage();
  std::string deadlockReport();
  /// Reads the whole executable at \p L (\p Name for errors).
  llvm::Error readImage(const fs::Location &L, const std::string &Name,
                        std::vector<uint8_t> &Image);
  /// Maps \p Plan's segments from \p Image, the contents of \p File.
  llvm::Error mapSegments(mm::AddressSpace &AS, const loader::LoadPlan &Plan,
                          llvm::ArrayRef<uint8_t> Image, const std::string &Name,
                          const fs::Location &File);
  /// Maps the interpreter (PT_INTERP) of \p Exe, the plan of \p ExecPath;
  /// gives its base (AT_BASE) and entry point.
  llvm::Expected<std::pair<uint64_t, uint64_t>>
  mapInterpreter(const fs::Location &Root, const fs::Creds &C,
                 const std::string &ExecPath, const loader::LoadPlan &Exe,
                 mm::AddressSpace &AS);
  /// Maps the vDSO of \p AS's arch where the next mmap would go, with
  /// its [vvar] below it as Linux lays them out; gives the image's address
  /// (AT_SYSINFO_EHDR) and notes the arm64 signal trampoline in \p AS.
  llvm::Expected<uint64_t> mapVdso(mm::AddressSpace &AS);
  /// Loads \p Path for a task that checks permissions as \p C and whose
  /// ids are \p Ids (the auxv's AT_UID and friends).
  llvm::Expected<LoadedImage> loadImage(const fs::Location &Root,
                                              const fs::Location &Cwd,
                                              const fs::Creds &C,
                                              const TaskIds &Ids,
                                              const std::string &Path,
                                              std::vector<std::string> Argv,
                                              const std::vector<std::string> &Envp);

  KernelOptions Opts;
  replay::Gate Gate;
  Random Rng;
  std::unique_ptr<mm::PhysicalMemory> Phys;
  std::unique_ptr<fs::HostFs> HostRoot;
  std::vector<std::unique_ptr<fs::HostFs>> BindFs; // --bind's
  std::unique_ptr<fs::Vfs> TheVfs;
  std::map<int32_t, std::unique_ptr<Task>> Tasks; // by tid: ordered, deterministic
  std::map<int32_t, std::shared_ptr<ThreadGroup>> Groups; // live and zombie
  std::deque<Task *> RunQueue;
  std::set<std::pair<uint64_t, int32_t>> Timers; // (deadline, tid)
  /// Armed process timers: (deadline, pid, timer).
  std::set<std::tuple<uint64_t, int32_t, int32_t>> ProcessTimers;
  uint64_t IdleJumps = 0; // clock jumps in a row with no task run
  /// Fires due process timers; true if any was.
  bool fireProcessTimers();
  std::map<FutexKey, std::vector<FutexWaiter>> Futexes;
  std::vector<std::unique_ptr<Task>> DeadTasks;  // freed between slices
  std::vector<std::shared_ptr<mm::AddressSpace>> DeadSpaces;
  Random SchedRng;
  Task *Current = nullptr;
  std::shared_ptr<PidNamespace> RootPids = std::make_shared<PidNamespace>();
  size_t LiveTasks = 0;
  uint64_t Syscalls = 0;
  uint64_t IdleNs = 0;       // virtual time spent with every task blocked
  uint64_t TotalBlocks = 0;  // blocks run by every engine, up to this slice
  uint64_t SliceStart = 0;   // the current engine's count when the slice began
  cpu::Engine *SliceEngine = nullptr; // the engine of the running slice
  std::shared_ptr<mm::CommitPool> Commit; // --max-memory, shared by all
  uint64_t Execs = 0;        // images loaded so far (seeds their placement)
  /// The vDSO of each arch, built the first time a program of it is loaded.
  std::optional<loader::VdsoImage> Vdso[2];
  uint64_t NextAnonIno = 0x1000;
  /// Ids of namespaces that Linux numbers dynamically (Namespaces.h).
  uint64_t NextNsId = FirstDynamicNsId;
  PidRef Foreground; // see foregroundPgrp()
  std::shared_ptr<UnixNames> UnixNameTable;
  uint64_t CycleReads = 0;
  RunOutcome Outcome;
  Arch TheArch = Arch::X86_64;
  /// Logs (record) or checks (replay) a verification event.
  void event(replay::EventKind K, int32_t Tid, uint64_t Op, int64_t Result,
             llvm::ArrayRef<uint64_t> Args = {});
  /// The end of a replay that stopped early: exit status and report.
  void replayStopped();
  /// \p T's pc and the instructions that led to it, disassembled.
  std::string recentCode(Task &T);
  int32_t LastTask = 0; // tid of the last task that ran a slice or a call
  bool Stopping = false;
  std::string PendingTrace; // --strace line of the call in progress
};

} // namespace reprise
