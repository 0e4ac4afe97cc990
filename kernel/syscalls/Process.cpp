//===- kernel/syscalls/Process.cpp - clone, exec, wait, kill, groups ------===//
#include "kernel/Kernel.h"

#include "kernel/PidFd.h"

#include "kernel/abi/Constants.h"

namespace reprise {

using namespace linux_abi;

namespace {

/// The flag rules of Linux's copy_process, in its order; the request is
/// already in kernel form (exit signal apart from the flags).
Result<void> validateClone(Task &T, const Kernel::CloneRequest &R) {
  uint64_t F = R.Flags;
  if ((F & (LX_CLONE_NEWNS | LX_CLONE_FS)) == (LX_CLONE_NEWNS | LX_CLONE_FS))
    return Errno::LX_EINVAL;
  if ((F & (LX_CLONE_NEWUSER | LX_CLONE_FS)) == (LX_CLONE_NEWUSER | LX_CLONE_FS))
    return Errno::LX_EINVAL;
  if ((F & LX_CLONE_THREAD) && !(F & LX_CLONE_SIGHAND))
    return Errno::LX_EINVAL;
  if ((F & LX_CLONE_SIGHAND) && !(F & LX_CLONE_VM))
    return Errno::LX_EINVAL;
  // init may not make siblings (it has no parent to share) or threads that
  // could outlive it.
  if ((F & LX_CLONE_PARENT) && Kernel::isNamespaceInit(T.group()))
    return Errno::LX_EINVAL;
  if ((F & LX_CLONE_THREAD) && (F & (LX_CLONE_NEWUSER | LX_CLONE_NEWPID)))
    return Errno::LX_EINVAL;
  if ((F & LX_CLONE_PIDFD) && (F & (LX_CLONE_DETACHED | LX_CLONE_THREAD)))
    return Errno::LX_EINVAL;
  // The pidfd and the parent's tid may not go to the same place.
  if ((F & LX_CLONE_PIDFD) && (F & LX_CLONE_PARENT_SETTID) && R.PidFd == R.ParentTid)
    return Errno::LX_EINVAL;
  // Not offered yet: new namespaces (the namespaces issue) and cgroups.
  // Refused after every rule above, as --strace notes.
  if (F & (LX_CLONE_NEWNS | LX_CLONE_NEWUTS | LX_CLONE_NEWIPC | LX_CLONE_NEWUSER |
           LX_CLONE_NEWPID | LX_CLONE_NEWNET | LX_CLONE_NEWCGROUP |
           LX_CLONE_NEWTIME | LX_CLONE_INTO_CGROUP))
    return Errno::LX_EINVAL;
  return {};
}

/// Creates the child and, for vfork, parks the parent until the child
/// execs or exits. A vfork parent that is woken returns the child's tid.
SysResult doClone(Task &T, const Kernel::CloneRequest &R) {
  Kernel &K = T.kernel();
  if (T.Wait.Restarted && T.VforkChild) {
    if (Task *C = K.taskByTid(T.VforkChild->root()); C && C->VforkParent == &T)
      return K.block(T, {&C->VforkDone}, 0, "vfork");
    int32_t Tid = T.vnr(T.VforkChild);
    T.VforkChild.reset();
    return Tid;
  }
  REPRISE_TRY(validateClone(T, R));
  int32_t Tid = REPRISE_TRY(K.clone(T, R, K.resumePc(T, /*InHook=*/true)));
  Task *C = K.taskByTid(Tid);
  if (!C)
    return Errno::LX_EAGAIN; // cannot happen: the child has not run yet
  if ((R.Flags & LX_CLONE_VFORK) && C->VforkParent == &T) {
    T.VforkChild = C->Id;
    return K.block(T, {&C->VforkDone}, 0, "vfork");
  }
  return T.vnr(C->Id);
}

Kernel::CloneRequest legacyClone(uint64_t Flags) {
  Kernel::CloneRequest R;
  R.Flags = Flags & 0xffffffffull & ~LX_CSIGNAL;
  R.ExitSignal = int(Flags & LX_CSIGNAL);
  return R;
}

/// Reads a NULL-terminated array of strings (argv, envp) with Linux's
/// limits: E2BIG past MAX_ARG_STRINGS or the total size.
Result<std::vector<std::string>> copyInStrings(Task &T, uint64_t Addr) {
  std::vector<std::string> Out;
  if (!Addr)
    return Out;
  size_t Total = 0;
  for (uint64_t I = 0;; ++I) {
    if (I >= 0x7fffffff)
      return Errno::LX_E2BIG;
    uint64_t P = REPRISE_TRY(T.copyInObj<uint64_t>(Addr + I * 8));
    if (!P)
      break;
    // MAX_ARG_STRLEN: 32 pages per string.
    std::string S = REPRISE_TRY(T.mm().copyInString(P, 32 * 4096));
    Total += S.size() + 1 + 8;
    if (Total > (2u << 20))
      return Errno::LX_E2BIG;
    Out.push_back(std::move(S));
  }
  return Out;
}

SysResult doExec(Task &T, const std::string &Path, uint64_t ArgvAddr,
                 uint64_t EnvpAddr) {
  auto Argv = REPRISE_TRY(copyInStrings(T, ArgvAddr));
  auto Envp = REPRISE_TRY(copyInStrings(T, EnvpAddr));
  REPRISE_TRY(T.kernel().exec(T, Path, std::move(Argv), std::move(Envp)));
  return 0;
}

/// The pidfd open as \p Fd: EBADF when it is not one.
Result<std::shared_ptr<PidFdFile>> pidFd(Task &T, int32_t Fd) {
  auto F = REPRISE_TRY(T.fds().get(Fd));
  auto P = std::dynamic_pointer_cast<PidFdFile>(F);
  if (!P)
    return Errno::LX_EBADF;
  return P;
}

/// The process a pid argument names, 0 meaning the caller's own.
ThreadGroup *processOf(Task &T, int32_t Pid) {
  return Pid == 0 ? &T.group() : T.kernel().groupIn(T.pidNs(), Pid);
}

// --- wait ---------------------------------------------------------------------

struct WaitSelector {
  int32_t IdType;        // P_ALL, P_PID, P_PGID
  const PidNumbers *Id;  // for P_PID and P_PGID; null matches nothing
  uint32_t Options;
};

bool matches(const ThreadGroup &C, const WaitSelector &S) {
  if (S.IdType == LX_P_PID && C.Id.get() != S.Id)
    return false;
  if (S.IdType == LX_P_PGID && C.Pgrp.get() != S.Id)
    return false;
  if (S.Options & LX_WALL)
    return true;
  // A "clone child" signals its parent with something other than SIGCHLD.
  bool CloneChild = C.ExitSignal != LX_SIGCHLD;
  return bool(S.Options & LX_WCLONE) == CloneChild;
}

struct WaitResult {
  bool Found = false;
  int32_t Pid = 0; // as the waiter sees it
  int Status = 0;  // wait status (exit, signal, 0x7f stop, 0xffff continued)
  uint64_t CpuNs = 0;
  int32_t Code = 0; // waitid's si_code: CLD_EXITED ... CLD_CONTINUED
  int32_t Value = 0; // and its si_status
  uint32_t Uid = 0;  // the child's real uid (waitid's si_uid)
};

/// Finds a child with something to report for \p S (an exit, a stop, a
/// continuation, as its options ask), reaping a zombie unless WNOWAIT;
/// ECHILD when no child matches at all, Found false when none has news.
Result<WaitResult> findChild(Task &T, const WaitSelector &S) {
  ThreadGroup &G = T.group();
  bool Any = false;
  bool Keep = S.Options & LX_WNOWAIT;
  for (auto &[Pid, C] : G.Children) {
    if (!matches(*C, S))
      continue;
    Any = true;
    WaitResult R{true, T.vnr(C->Id), 0, C->CpuNs + C->ChildrenCpuNs};
    R.Uid = C->Leader ? C->Leader->Ids.Ruid : 0;
    if (C->State == ThreadGroup::Life::Zombie) {
      if (!(S.Options & LX_WEXITED))
        continue;
      R.Status = C->ExitStatus;
      if (R.Status & 0x7f) {
        R.Code = (R.Status & 0x80) ? LX_CLD_DUMPED : LX_CLD_KILLED;
        R.Value = R.Status & 0x7f;
      } else {
        R.Code = LX_CLD_EXITED;
        R.Value = (R.Status >> 8) & 0xff;
      }
      if (!Keep)
        T.kernel().reap(*C);
      return R;
    }
    if ((S.Options & LX_WSTOPPED) && C->Stopped && C->StopUnreported) {
      R.Status = (C->StopSignal << 8) | 0x7f;
      R.Code = LX_CLD_STOPPED;
      R.Value = C->StopSignal;
      if (!Keep)
        C->StopUnreported = false;
      return R;
    }
    if ((S.Options & LX_WCONTINUED) && C->ContinueUnreported) {
      R.Status = 0xffff;
      R.Code = LX_CLD_CONTINUED;
      R.Value = LX_SIGCONT;
      if (!Keep)
        C->ContinueUnreported = false;
      return R;
    }
  }
  if (!Any)
    return Errno::LX_ECHILD;
  return WaitResult{};
}

/// struct rusage with the child's CPU time as user time.
Result<void> writeRusage(Task &T, uint64_t Addr, uint64_t CpuNs) {
  if (!Addr)
    return {};
  std::array<int64_t, 18> Ru{};
  Ru[0] = int64_t(CpuNs / 1'000'000'000);
  Ru[1] = int64_t(CpuNs % 1'000'000'000 / 1000);
  return T.copyOutObj(Addr, Ru);
}

} // namespace

// Implements clone(2). The two arches order its last arguments differently:
// x86-64 (flags, stack, parent_tid, child_tid, tls), arm64 (flags, stack,
// parent_tid, tls, child_tid).
SysResult sysClone(Task &T, const SyscallArgs &A) {
  Kernel::CloneRequest R = legacyClone(A.arg(0));
  R.Stack = A.arg(1);
  R.ParentTid = A.arg(2);
  bool X86 = T.arch() == Arch::X86_64;
  R.ChildTid = X86 ? A.arg(3) : A.arg(4);
  R.Tls = X86 ? A.arg(4) : A.arg(3);
  if (R.Flags & LX_CLONE_PIDFD)
    R.PidFd = R.ParentTid; // old clone returns the pidfd through parent_tid
  return doClone(T, R);
}

// Implements clone3(2): struct clone_args, versioned by its size; bytes past
// what this kernel knows must be zero.
SysResult sysClone3(Task &T, const SyscallArgs &A) {
  uint64_t Size = A.arg(1);
  if (Size < LX_CLONE_ARGS_SIZE_VER0)
    return Errno::LX_EINVAL;
  if (Size > PageSize)
    return Errno::LX_E2BIG;
  std::vector<uint8_t> Buf(Size);
  REPRISE_TRY(T.copyIn(A.arg(0), Buf));
  for (size_t I = LX_CLONE_ARGS_SIZE_VER2; I < Size; ++I)
    if (Buf[I])
      return Errno::LX_E2BIG;
  Buf.resize(std::max<size_t>(Size, LX_CLONE_ARGS_SIZE_VER2), 0);
  auto field = [&](unsigned I) {
    uint64_t V;
    std::memcpy(&V, Buf.data() + I * 8, 8);
    return V;
  };
  uint64_t Flags = field(0), PidFd = field(1), ChildTid = field(2),
           ParentTid = field(3), ExitSignal = field(4), Stack = field(5),
           StackSize = field(6), Tls = field(7), SetTid = field(8),
           SetTidSize = field(9);
  const uint64_t Known = 0xffffffffull | LX_CLONE_CLEAR_SIGHAND | LX_CLONE_INTO_CGROUP;
  if ((Flags & ~Known) || (Flags & (LX_CSIGNAL | LX_CLONE_DETACHED)))
    return Errno::LX_EINVAL;
  // clone3 checks the exit signal (old clone takes any byte: a child whose
  // signal is past 64 signals nobody), and a thread or a sibling has none.
  if ((ExitSignal & ~LX_CSIGNAL) || ExitSignal > uint64_t(LX_NSIG))
    return Errno::LX_EINVAL;
  if ((Flags & (LX_CLONE_THREAD | LX_CLONE_PARENT)) && ExitSignal)
    return Errno::LX_EINVAL;
  if ((Flags & (LX_CLONE_SIGHAND | LX_CLONE_CLEAR_SIGHAND)) ==
      (LX_CLONE_SIGHAND | LX_CLONE_CLEAR_SIGHAND))
    return Errno::LX_EINVAL;
  if (SetTidSize > 32 || (!SetTid && SetTidSize) || (SetTid && !SetTidSize))
    return Errno::LX_EINVAL;
  if ((Stack == 0) != (StackSize == 0))
    return Errno::LX_EINVAL;
  // The stack must lie in user space (Linux's access_ok on the range).
  uint64_t UserTop = T.arch() == Arch::X86_64 ? 0x7ffffffff000ull : (1ull << 48);
  if (Stack && (Stack > UserTop || StackSize > UserTop - Stack))
    return Errno::LX_EINVAL;
  Kernel::CloneRequest R;
  R.Flags = Flags;
  R.ExitSignal = int(ExitSignal);
  R.Stack = Stack ? Stack + StackSize : 0; // the stack grows down from its end
  R.Tls = Tls;
  R.ChildTid = ChildTid;
  R.ParentTid = ParentTid;
  R.PidFd = PidFd;
  if (SetTidSize) {
    // set_tid names the child's id in its namespace and then in each
    // ancestor, as many levels as it has entries (a checkpoint restorer's
    // tool, so it needs privilege).
    if (SetTidSize > T.pidNs().level() + 1)
      return Errno::LX_EINVAL;
    R.SetTid.resize(SetTidSize);
    REPRISE_TRY(T.copyIn(SetTid, {reinterpret_cast<uint8_t *>(R.SetTid.data()),
                                  SetTidSize * sizeof(int32_t)}));
    for (int32_t Want : R.SetTid)
      if (Want < 1 || Want >= PidNamespace::PidMax)
        return Errno::LX_EINVAL;
    if (T.Ids.Euid != 0)
      return Errno::LX_EPERM; // CAP_CHECKPOINT_RESTORE
  }
  return doClone(T, R);
}

// Implements fork(2).
SysResult sysFork(Task &T, const SyscallArgs &) {
  return doClone(T, legacyClone(LX_SIGCHLD));
}

// Implements vfork(2): the parent waits until the child execs or exits.
SysResult sysVfork(Task &T, const SyscallArgs &) {
  return doClone(T, legacyClone(LX_CLONE_VFORK | LX_CLONE_VM | LX_SIGCHLD));
}

// Implements execve(2).
SysResult sysExecve(Task &T, const SyscallArgs &A) {
  std::string Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  return doExec(T, Path, A.arg(1), A.arg(2));
}

// Implements execveat(2): the path is resolved from the directory
// descriptor (or is the descriptor itself with AT_EMPTY_PATH).
SysResult sysExecveat(Task &T, const SyscallArgs &A) {
  uint32_t Flags = A.u32(4);
  if (Flags & ~(LX_AT_EMPTY_PATH | LX_AT_SYMLINK_NOFOLLOW))
    return Errno::LX_EINVAL;
  std::string Path = REPRISE_TRY(T.copyInPath(A.arg(1)));
  if (!Path.empty() && Path.front() == '/')
    return doExec(T, Path, A.arg(2), A.arg(3));
  auto L = REPRISE_TRY(T.resolveAt(A.i32(0), Path,
                                   !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                   Flags & LX_AT_EMPTY_PATH));
  if (L.node()->isSymlink())
    return Errno::LX_ELOOP;
  return doExec(T, L.path(), A.arg(2), A.arg(3));
}

// Implements wait4(2).
SysResult sysWait4(Task &T, const SyscallArgs &A) {
  int32_t Pid = A.i32(0);
  uint32_t Options = A.u32(2);
  if (Options & ~(LX_WNOHANG | LX_WUNTRACED | LX_WCONTINUED | LX_WNOTHREAD |
                  LX_WCLONE | LX_WALL))
    return Errno::LX_EINVAL;
  if (Pid == INT32_MIN)
    return Errno::LX_ESRCH;
  WaitSelector S{LX_P_ALL, nullptr, Options | LX_WEXITED};
  if (Pid < -1)
    S = {LX_P_PGID, T.pidNs().find(-Pid), S.Options};
  else if (Pid == 0)
    S = {LX_P_PGID, T.group().Pgrp.get(), S.Options};
  else if (Pid > 0)
    S = {LX_P_PID, T.pidNs().find(Pid), S.Options};
  WaitResult R = REPRISE_TRY(findChild(T, S));
  if (!R.Found) {
    if (Options & LX_WNOHANG)
      return 0;
    return T.kernel().block(T, {&T.group().ChildEvents}, 0, "wait4");
  }
  if (A.arg(1))
    REPRISE_TRY(T.copyOutObj<int32_t>(A.arg(1), R.Status));
  REPRISE_TRY(writeRusage(T, A.arg(3), R.CpuNs));
  return R.Pid;
}

// Implements waitid(2) (P_ALL, P_PID, P_PGID).
SysResult sysWaitid(Task &T, const SyscallArgs &A) {
  int32_t Type = A.i32(0), Id = A.i32(1);
  uint32_t Options = A.u32(3);
  if (Options & ~(LX_WNOHANG | LX_WNOWAIT | LX_WEXITED | LX_WSTOPPED |
                  LX_WCONTINUED | LX_WNOTHREAD | LX_WCLONE | LX_WALL))
    return Errno::LX_EINVAL;
  if (!(Options & (LX_WEXITED | LX_WSTOPPED | LX_WCONTINUED)))
    return Errno::LX_EINVAL;
  WaitSelector S{Type, nullptr, Options};
  bool NonBlockingFd = false;
  switch (Type) {
  case LX_P_ALL: break;
  case LX_P_PID:
    if (Id <= 0)
      return Errno::LX_EINVAL;
    S.Id = T.pidNs().find(Id);
    break;
  case LX_P_PGID:
    // Id 0: the caller's own process group (Linux 5.4 and later).
    if (Id < 0)
      return Errno::LX_EINVAL;
    S.Id = Id ? T.pidNs().find(Id) : T.group().Pgrp.get();
    break;
  case LX_P_PIDFD: {
    auto F = REPRISE_TRY(pidFd(T, Id));
    S = {LX_P_PID, F->id().get(), Options};
    // A non-blocking pidfd makes the wait non-blocking (EAGAIN).
    if (F->flags() & LX_O_NONBLOCK)
      NonBlockingFd = true;
    break;
  }
  default:
    return Errno::LX_EINVAL;
  }
  WaitResult R = REPRISE_TRY(findChild(T, S));
  if (!R.Found && !(Options & LX_WNOHANG)) {
    if (NonBlockingFd)
      return Errno::LX_EAGAIN;
    return T.kernel().block(T, {&T.group().ChildEvents}, 0, "waitid");
  }
  if (A.arg(2)) {
    // siginfo_t for SIGCHLD: signo, errno, code, then pid, uid, status.
    std::array<int32_t, 32> Info{};
    if (R.Found) {
      Info[0] = LX_SIGCHLD;
      Info[2] = R.Code;
      Info[6] = R.Value;
      Info[4] = R.Pid;
      Info[5] = int32_t(R.Uid);
    }
    REPRISE_TRY(T.copyOutObj(A.arg(2), Info));
  }
  REPRISE_TRY(writeRusage(T, A.arg(4), R.CpuNs));
  return 0;
}

// Implements pidfd_open(2): a descriptor for the process \p pid (a
// process, not a thread that does not lead one).
SysResult sysPidfdOpen(Task &T, const SyscallArgs &A) {
  int32_t Pid = A.i32(0);
  uint32_t Flags = A.u32(1);
  if (Flags & ~LX_O_NONBLOCK) // PIDFD_NONBLOCK
    return Errno::LX_EINVAL;
  if (Pid <= 0)
    return Errno::LX_EINVAL;
  Kernel &K = T.kernel();
  PidNumbers *Id = T.pidNs().find(Pid);
  ThreadGroup *G = Id ? K.groupByPid(Id->root()) : nullptr;
  if (!G)
    return Id && K.taskByTid(Id->root()) ? Errno::LX_EINVAL : Errno::LX_ESRCH;
  auto File = std::make_shared<PidFdFile>(G->Id, K.nextAnonIno(), Flags);
  return REPRISE_TRY(T.fds().install(File, /*CloseOnExec=*/true, 0,
                                     K.limit(T, LX_RLIMIT_NOFILE)));
}

// Implements pidfd_send_signal(2): kill(2) aimed through a pidfd, which
// cannot hit a process that took a reused pid.
SysResult sysPidfdSendSignal(Task &T, const SyscallArgs &A) {
  int Sig = A.i32(1);
  if (A.u32(3) != 0)
    return Errno::LX_EINVAL;
  auto F = REPRISE_TRY(pidFd(T, A.i32(0)));
  if (!F->id()->in(T.pidNs()))
    return Errno::LX_EINVAL; // not in the caller's namespace or below it
  if (Sig < 0 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  Kernel &K = T.kernel();
  ThreadGroup *G = K.groupByPid(F->id()->root());
  if (A.arg(2)) {
    // A caller-made siginfo: its signal must match, and only a process
    // signalling itself may claim a kernel or tkill origin.
    using SigInfo = std::array<int32_t, 32>;
    auto Info = REPRISE_TRY(T.copyInObj<SigInfo>(A.arg(2)));
    if (Info[0] != Sig)
      return Errno::LX_EINVAL;
    int32_t Code = Info[2];
    if (G != &T.group() && (Code >= 0 || Code == LX_SI_TKILL))
      return Errno::LX_EPERM;
  }
  if (!G)
    return Errno::LX_ESRCH;
  if (Sig) {
    SigInfo I = Kernel::userSignal(T, Sig, LX_SI_USER, *G);
    if (A.arg(2)) {
      I = REPRISE_TRY(T.copyInObj<SigInfo>(A.arg(2)));
      I.Signo = Sig;
    }
    K.sendSignal(*G, nullptr, I);
  }
  return 0;
}

// Implements setpgid(2).
SysResult sysSetpgid(Task &T, const SyscallArgs &A) {
  int32_t Pid = A.i32(0), Pgid = A.i32(1);
  if (Pgid < 0)
    return Errno::LX_EINVAL;
  Kernel &K = T.kernel();
  ThreadGroup &Self = T.group();
  ThreadGroup *G = processOf(T, Pid);
  if (!G || (G != &Self && G->Parent != &Self))
    return Errno::LX_ESRCH;
  if (G != &Self) {
    if (G->Session != Self.Session)
      return Errno::LX_EPERM;
    if (G->DidExec)
      return Errno::LX_EACCES; // a child that has exec'd is its own
  }
  if (G->Session == G->Id)
    return Errno::LX_EPERM; // a session leader keeps its group
  PidRef Group = G->Id;
  if (Pgid != 0 && Pgid != T.vnr(G->Id)) {
    // Only an existing group of the caller's session may be joined.
    const PidNumbers *Want = T.pidNs().find(Pgid);
    Group.reset();
    for (const auto &[P, O] : K.groups())
      if (Want && O->Pgrp.get() == Want && O->Session == Self.Session) {
        Group = O->Pgrp;
        break;
      }
    if (!Group)
      return Errno::LX_EPERM;
  }
  G->Pgrp = std::move(Group);
  return 0;
}

// Implements getpgid(2).
SysResult sysGetpgid(Task &T, const SyscallArgs &A) {
  ThreadGroup *G = processOf(T, A.i32(0));
  if (!G)
    return Errno::LX_ESRCH;
  return T.vnr(G->Pgrp);
}

// Implements getpgrp(2).
SysResult sysGetpgrp(Task &T, const SyscallArgs &) { return T.vnr(T.group().Pgrp); }

// Implements setsid(2).
SysResult sysSetsid(Task &T, const SyscallArgs &) {
  ThreadGroup &G = T.group();
  for (const auto &[P, O] : T.kernel().groups())
    if (O->Pgrp == G.Id)
      return Errno::LX_EPERM; // already leads a process group
  G.Session = G.Pgrp = G.Id;
  return T.vnr(G.Id);
}

// Implements getsid(2).
SysResult sysGetsid(Task &T, const SyscallArgs &A) {
  ThreadGroup *G = processOf(T, A.i32(0));
  if (!G)
    return Errno::LX_ESRCH;
  return T.vnr(G->Session);
}

// Implements prctl(2) for the options programs use at start-up and for
// process management.
SysResult sysPrctl(Task &T, const SyscallArgs &A) {
  ThreadGroup &G = T.group();
  switch (A.i32(0)) {
  case LX_PR_SET_NAME: {
    std::string Name = REPRISE_TRY(T.mm().copyInString(A.arg(1), 4096));
    G.Comm = Name.substr(0, 15);
    return 0;
  }
  case LX_PR_GET_NAME: {
    std::array<char, 16> Buf{};
    std::memcpy(Buf.data(), G.Comm.data(), std::min<size_t>(G.Comm.size(), 15));
    REPRISE_TRY(T.copyOutObj(A.arg(1), Buf));
    return 0;
  }
  case LX_PR_SET_CHILD_SUBREAPER:
    G.Subreaper = A.arg(1) != 0;
    return 0;
  case LX_PR_GET_CHILD_SUBREAPER:
    REPRISE_TRY(T.copyOutObj<int32_t>(A.arg(1), G.Subreaper ? 1 : 0));
    return 0;
  case LX_PR_SET_PDEATHSIG:
    if (A.arg(1) > uint64_t(LX_NSIG))
      return Errno::LX_EINVAL;
    return 0; // recorded nowhere yet: parents outlive children in tests
  case LX_PR_GET_DUMPABLE:
    return G.Dumpable ? 1 : 0;
  case LX_PR_SET_DUMPABLE:
    if (A.arg(1) > 1)
      return Errno::LX_EINVAL;
    G.Dumpable = A.arg(1) == 1;
    return 0;
  default:
    return Errno::LX_EINVAL;
  }
}

} // namespace reprise
