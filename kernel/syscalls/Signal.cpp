//===- kernel/syscalls/Signal.cpp - Signal system calls -------------------===//
#include "kernel/Kernel.h"
#include "kernel/AnonInode.h"
#include "kernel/SignalFd.h"

#include "kernel/abi/Constants.h"
#include "kernel/abi/Structs.h"

#include <algorithm>
#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

/// Whether \p Sig's disposition \p A makes it ignored.
bool ignoredBy(const SigAction &A, int Sig) {
  return A.Handler == LX_SIG_IGN ||
         (A.Handler == LX_SIG_DFL && defaultAction(Sig) == DefaultAction::Ignore);
}

/// A caller-made siginfo for rt_sigqueueinfo: only a process signalling
/// itself may claim a kernel or tkill origin.
Result<SigInfo> userSigInfo(Task &T, uint64_t Addr, int Sig, bool Self) {
  SigInfo I = REPRISE_TRY(T.copyInObj<SigInfo>(Addr));
  if (!Self && (I.Code >= 0 || I.Code == LX_SI_TKILL))
    return Errno::LX_EPERM;
  I.Signo = Sig;
  return I;
}

/// Whether \p T may send \p Sig to \p Target (a thread of \p G): its own
/// process, a privileged caller, a real or effective uid that is the
/// target's real or saved one, or SIGCONT within the caller's session.
bool maySignal(Task &T, const ThreadGroup &G, const Task *Target, int Sig) {
  if (&G == &T.group() || T.Ids.Euid == 0)
    return true;
  if (!Target)
    Target = G.Leader;
  if (!Target)
    return true; // nothing left to own it
  const TaskIds &To = Target->Ids;
  const TaskIds &From = T.Ids;
  if (From.Euid == To.Suid || From.Euid == To.Ruid || From.Ruid == To.Suid ||
      From.Ruid == To.Ruid)
    return true;
  return Sig == LX_SIGCONT && G.Session.get() == T.group().Session.get();
}

/// The live thread \p Tid of the caller's namespace, of process \p Tgid
/// when that is nonzero; ESRCH when there is none.
Result<Task *> threadTarget(Task &T, int32_t Tgid, int32_t Tid) {
  Task *Target = T.kernel().taskIn(T.pidNs(), Tid);
  if (!Target || (Tgid && T.vnr(Target->group().Id) != Tgid))
    return Errno::LX_ESRCH;
  return Target;
}

/// tkill(2) (\p Tgid 0) and tgkill(2): \p Sig to one thread, as SI_TKILL
/// from the caller.
SysResult signalThread(Task &T, int32_t Tgid, int32_t Tid, int Sig) {
  if (Tid <= 0 || Sig < 0 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  Task *Target = REPRISE_TRY(threadTarget(T, Tgid, Tid));
  if (!maySignal(T, Target->group(), Target, Sig))
    return Errno::LX_EPERM;
  T.kernel().sendSignal(Target->group(), Target,
                        Kernel::userSignal(T, Sig, LX_SI_TKILL, Target->group()));
  return 0;
}

} // namespace

// Implements kill(2).
SysResult sysKill(Task &T, const SyscallArgs &A) {
  int32_t Pid = A.i32(0);
  int Sig = A.i32(1);
  if (Sig < 0 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  Kernel &K = T.kernel();
  PidNamespace &Ns = T.pidNs();
  if (Pid > 0) {
    Task *Target = K.taskIn(Ns, Pid);
    ThreadGroup *G = Target ? &Target->group() : K.groupIn(Ns, Pid);
    if (!G)
      return Errno::LX_ESRCH; // a zombie is there: signalling it succeeds
    if (!maySignal(T, *G, nullptr, Sig))
      return Errno::LX_EPERM;
    K.sendSignal(*G, nullptr, Kernel::userSignal(T, Sig, LX_SI_USER, *G));
    return 0;
  }
  if (Pid == INT32_MIN)
    return Errno::LX_ESRCH;
  const PidNumbers *Pgrp = Pid == 0 ? T.group().Pgrp.get() : Ns.find(-Pid);
  std::vector<ThreadGroup *> Targets;
  // Zombies count as targets, as on Linux: kill succeeds, nothing happens.
  for (const auto &[P, G] : K.groups()) {
    int32_t Seen = T.vnr(G->Id);
    if (!Seen)
      continue;
    bool Hit = Pid == -1 ? (Seen > 1 && G.get() != &T.group())
                         : G->Pgrp.get() == Pgrp;
    if (Hit)
      Targets.push_back(G.get());
  }
  if (Targets.empty())
    return Errno::LX_ESRCH;
  // Those the caller may not signal are passed over. A process group with
  // none it may signal is EPERM; kill(-1) is not, as on Linux.
  bool Any = false;
  for (ThreadGroup *G : Targets) {
    if (!maySignal(T, *G, nullptr, Sig))
      continue;
    Any = true;
    K.sendSignal(*G, nullptr, Kernel::userSignal(T, Sig, LX_SI_USER, *G));
  }
  if (!Any && Pid != -1)
    return Errno::LX_EPERM;
  return 0;
}

// Implements tgkill(2).
SysResult sysTgkill(Task &T, const SyscallArgs &A) {
  if (A.i32(0) <= 0)
    return Errno::LX_EINVAL;
  return signalThread(T, A.i32(0), A.i32(1), A.i32(2));
}

// Implements tkill(2).
SysResult sysTkill(Task &T, const SyscallArgs &A) {
  return signalThread(T, 0, A.i32(0), A.i32(1));
}

// Implements rt_sigaction(2).
SysResult sysRtSigaction(Task &T, const SyscallArgs &A) {
  int32_t Sig = A.i32(0);
  if (A.arg(3) != 8)
    return Errno::LX_EINVAL;
  if (Sig < 1 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  if (A.arg(1) && (Sig == LX_SIGKILL || Sig == LX_SIGSTOP))
    return Errno::LX_EINVAL;
  ThreadGroup &G = T.group();
  SigAction &Act = G.Handlers->Actions[size_t(Sig)];
  k_sigaction New{};
  if (A.arg(1))
    New = REPRISE_TRY(T.copyInObj<k_sigaction>(A.arg(1)));
  if (A.arg(2))
    REPRISE_TRY(T.copyOutObj(A.arg(2), k_sigaction{Act.Handler, Act.Flags,
                                                   Act.Restorer, Act.Mask}));
  if (A.arg(1)) {
    Act = {New.handler, New.flags, New.restorer, New.mask & ~UnblockableSignals};
    // A signal made ignored is dropped where it is pending (POSIX).
    if (ignoredBy(Act, Sig)) {
      G.SharedPending.discard(sigBit(Sig));
      for (Task *Th : G.Threads)
        Th->SigPending.discard(sigBit(Sig));
    }
  }
  return 0;
}

// Implements rt_sigprocmask(2).
SysResult sysRtSigprocmask(Task &T, const SyscallArgs &A) {
  if (A.arg(3) != 8)
    return Errno::LX_EINVAL;
  uint64_t Old = T.SigMask;
  uint64_t Set = 0;
  int32_t How = A.i32(0);
  if (A.arg(1)) {
    Set = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(1)));
    if (How != LX_SIG_BLOCK && How != LX_SIG_UNBLOCK && How != LX_SIG_SETMASK)
      return Errno::LX_EINVAL;
  }
  if (A.arg(2))
    REPRISE_TRY(T.copyOutObj(A.arg(2), Old));
  if (A.arg(1)) {
    switch (How) {
    case LX_SIG_BLOCK: T.SigMask |= Set; break;
    case LX_SIG_UNBLOCK: T.SigMask &= ~Set; break;
    default: T.SigMask = Set; break;
    }
    T.SigMask &= ~UnblockableSignals;
  }
  return 0; // an unblocked pending signal is taken on the way out
}

// Implements rt_sigreturn(2). The registers come from the frame, so the
// dispatcher writes no result.
SysResult sysRtSigreturn(Task &T, const SyscallArgs &) {
  T.kernel().sigreturn(T);
  return 0;
}

// Implements rt_sigpending(2): pending signals the thread blocks.
SysResult sysRtSigpending(Task &T, const SyscallArgs &A) {
  if (A.arg(1) > 8)
    return Errno::LX_EINVAL;
  uint64_t P = T.pendingSignals() & T.SigMask;
  REPRISE_TRY(T.copyOut(A.arg(0), {reinterpret_cast<const uint8_t *>(&P), size_t(A.arg(1))}));
  return 0;
}

// Implements rt_sigsuspend(2): waits under a temporary mask until a handler
// runs; always EINTR. The handler's frame holds the caller's own mask.
SysResult sysRtSigsuspend(Task &T, const SyscallArgs &A) {
  if (A.arg(1) != 8)
    return Errno::LX_EINVAL;
  if (!T.Wait.Restarted) {
    uint64_t Mask = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(0)));
    T.SavedMask = T.SigMask;
    T.SigMask = Mask & ~UnblockableSignals;
  }
  T.Wait.Restart = RestartKind::NoHand;
  return T.kernel().block(T, {}, 0, "rt_sigsuspend");
}

// Implements pause(2).
SysResult sysPause(Task &T, const SyscallArgs &) {
  T.Wait.Restart = RestartKind::NoHand;
  return T.kernel().block(T, {}, 0, "pause");
}

// Implements sigaltstack(2).
SysResult sysSigaltstack(Task &T, const SyscallArgs &A) {
  struct StackT {
    uint64_t Sp;
    int32_t Flags, Pad;
    uint64_t Size;
  };
  AltStack &Alt = T.SigAltStack;
  uint64_t Sp = T.cpu().reg(cpu::Reg::Sp);
  bool OnStack = !(Alt.Flags & LX_SS_DISABLE) && Alt.contains(Sp);
  StackT Old{Alt.Sp, 0, 0, Alt.Size};
  Old.Flags = (Alt.Flags & LX_SS_DISABLE) ? LX_SS_DISABLE
              : OnStack                  ? LX_SS_ONSTACK
                                         : (Alt.Flags & LX_SS_AUTODISARM);
  if (A.arg(0)) {
    StackT New = REPRISE_TRY(T.copyInObj<StackT>(A.arg(0)));
    if (OnStack)
      return Errno::LX_EPERM;
    int32_t Mode = New.Flags & ~LX_SS_AUTODISARM;
    if (Mode != LX_SS_DISABLE && Mode != LX_SS_ONSTACK && Mode != 0)
      return Errno::LX_EINVAL;
    if (Mode == LX_SS_DISABLE) {
      Alt = AltStack{};
    } else {
      uint64_t Min = T.arch() == Arch::X86_64 ? LX_MINSIGSTKSZ_X86 : LX_MINSIGSTKSZ_ARM64;
      if (New.Size < Min)
        return Errno::LX_ENOMEM;
      Alt.Sp = New.Sp;
      Alt.Size = New.Size;
      Alt.Flags = New.Flags & LX_SS_AUTODISARM;
    }
  }
  if (A.arg(1))
    REPRISE_TRY(T.copyOutObj(A.arg(1), Old));
  return 0;
}

// Implements rt_sigqueueinfo(2): a signal with the caller's siginfo to a
// process.
SysResult sysRtSigqueueinfo(Task &T, const SyscallArgs &A) {
  int Sig = A.i32(1);
  if (Sig < 0 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  Kernel &K = T.kernel();
  // Linux compares the pid with the caller's thread id, before the lookup.
  SigInfo I = REPRISE_TRY(userSigInfo(T, A.arg(2), Sig, A.i32(0) == T.vnr(T.Id)));
  ThreadGroup *G = K.groupIn(T.pidNs(), A.i32(0));
  if (!G)
    return Errno::LX_ESRCH;
  if (Sig)
    K.sendSignal(*G, nullptr, I);
  return 0;
}

// Implements rt_tgsigqueueinfo(2): the same, to one thread.
SysResult sysRtTgsigqueueinfo(Task &T, const SyscallArgs &A) {
  int Sig = A.i32(2);
  if (A.i32(0) <= 0 || A.i32(1) <= 0 || Sig < 0 || Sig > LX_NSIG)
    return Errno::LX_EINVAL;
  SigInfo I = REPRISE_TRY(userSigInfo(T, A.arg(3), Sig, A.i32(1) == T.vnr(T.Id)));
  Task *Target = REPRISE_TRY(threadTarget(T, A.i32(0), A.i32(1)));
  if (Sig)
    T.kernel().sendSignal(Target->group(), Target, I);
  return 0;
}

// Implements rt_sigtimedwait(2): takes a signal of the set (normally
// blocked) without running its handler; EAGAIN when the timeout passes,
// EINTR when a handler of another signal runs first.
SysResult sysRtSigtimedwait(Task &T, const SyscallArgs &A) {
  if (A.arg(3) != 8)
    return Errno::LX_EINVAL;
  uint64_t Set = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(0))) & ~UnblockableSignals;
  Kernel &K = T.kernel();
  // The timeout is checked before anything is taken.
  uint64_t Ns = UINT64_MAX;
  if (!T.Wait.Restarted && A.arg(2)) {
    auto Ts = REPRISE_TRY(T.copyInObj<timespec>(A.arg(2)));
    if (Ts.tv_sec < 0 || Ts.tv_nsec < 0 || Ts.tv_nsec >= 1'000'000'000)
      return Errno::LX_EINVAL;
    Ns = uint64_t(std::min<int64_t>(Ts.tv_sec, 1ll << 32)) * 1'000'000'000 +
         uint64_t(Ts.tv_nsec);
  }
  T.SigWaitSet = 0;
  if (auto I = K.takeSignal(T, Set)) {
    if (A.arg(1))
      REPRISE_TRY(T.copyOutObj(A.arg(1), *I));
    return I->Signo;
  }
  uint64_t Deadline = 0;
  if (T.Wait.Restarted) {
    if (T.Wait.TimedOut)
      return Errno::LX_EAGAIN;
    Deadline = T.Wait.Deadline;
  } else if (Ns != UINT64_MAX) {
    if (Ns == 0)
      return Errno::LX_EAGAIN;
    Deadline = K.monotonicNs() + Ns;
  }
  T.SigWaitSet = Set;
  T.Wait.Restart = RestartKind::NoHand;
  return K.block(T, {}, Deadline, "rt_sigtimedwait");
}

// --- signalfd ----------------------------------------------------------------

namespace {

/// struct signalfd_siginfo from a queued siginfo.
std::array<uint8_t, 128> signalFdRecord(const SigInfo &I) {
  std::array<uint8_t, 128> R{};
  auto put32 = [&](size_t Off, uint32_t V) { std::memcpy(R.data() + Off, &V, 4); };
  auto put64 = [&](size_t Off, uint64_t V) { std::memcpy(R.data() + Off, &V, 8); };
  put32(0, uint32_t(I.Signo));
  put32(4, uint32_t(I.Errno));
  put32(8, uint32_t(I.Code));
  bool Fault = (SynchronousSignals & sigBit(I.Signo)) && I.Code > 0;
  if (Fault) {
    put64(72, I.get<uint64_t>(0)); // ssi_addr
  } else if (I.Code == LX_SI_TIMER) {
    put32(24, I.get<uint32_t>(0)); // ssi_tid: the timer id
    put32(32, I.get<uint32_t>(4)); // ssi_overrun
    put32(44, I.get<uint32_t>(8)); // ssi_int
    put64(48, I.get<uint64_t>(8)); // ssi_ptr
  } else {
    put32(12, I.get<uint32_t>(0)); // ssi_pid
    put32(16, I.get<uint32_t>(4)); // ssi_uid
    if (I.Signo == LX_SIGCHLD && I.Code > 0) {
      put32(40, I.get<uint32_t>(8));  // ssi_status
      put64(56, I.get<uint64_t>(16)); // ssi_utime
      put64(64, I.get<uint64_t>(24)); // ssi_stime
    } else {
      put32(44, I.get<uint32_t>(8)); // ssi_int
      put64(48, I.get<uint64_t>(8)); // ssi_ptr
    }
  }
  return R;
}

} // namespace

SignalFdFile::SignalFdFile(uint64_t Mask, uint64_t Ino, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Ino, 0600, AnonInode::AnonDev),
               LX_O_RDWR | Flags),
      Mask(Mask) {
  Path = "anon_inode:[signalfd]";
}

SysResult signalFdRead(Task &T, SignalFdFile &F, uint64_t Buf, uint64_t Count) {
  if (Count < 128)
    return Errno::LX_EINVAL;
  ThreadGroup &G = T.group();
  uint64_t Done = 0;
  while (Done + 128 <= Count) {
    auto I = T.kernel().takeSignal(T, F.Mask);
    if (!I)
      break;
    auto Rec = signalFdRecord(*I);
    REPRISE_TRY(T.copyOut(Buf + Done, Rec));
    Done += 128;
  }
  if (Done)
    return int64_t(Done);
  if (F.flags() & LX_O_NONBLOCK)
    return Errno::LX_EAGAIN;
  T.Wait.Restart = RestartKind::Sys;
  return T.kernel().block(T, {&G.SignalArrived}, 0, "read(signalfd)");
}

// Implements signalfd4(2): a new signalfd, or a new set for an old one.
SysResult sysSignalfd4(Task &T, const SyscallArgs &A) {
  uint32_t Flags = A.u32(3);
  if (Flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK))
    return Errno::LX_EINVAL;
  if (A.arg(2) != 8)
    return Errno::LX_EINVAL;
  uint64_t Mask = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(1))) & ~UnblockableSignals;
  int32_t Fd = A.i32(0);
  if (Fd != -1) {
    auto F = REPRISE_TRY(T.fds().get(Fd));
    auto *S = dynamic_cast<SignalFdFile *>(F.get());
    if (!S)
      return Errno::LX_EINVAL;
    S->Mask = Mask;
    return Fd;
  }
  auto File = std::make_shared<SignalFdFile>(Mask, T.kernel().nextAnonIno(),
                                             Flags & LX_O_NONBLOCK);
  return REPRISE_TRY(T.fds().install(File, Flags & LX_O_CLOEXEC, 0,
                                     T.kernel().limit(T, LX_RLIMIT_NOFILE)));
}

// Implements signalfd(2): signalfd4 without flags.
SysResult sysSignalfd(Task &T, const SyscallArgs &A) {
  SyscallArgs B = A;
  B.A[3] = 0;
  return sysSignalfd4(T, B);
}

} // namespace reprise
