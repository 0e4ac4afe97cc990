//===- kernel/SignalDelivery.cpp - Sending and delivering signals ---------===//
//
// Sending queues a signal and picks the thread that will take it; taking
// happens only where a task returns to user mode (before a slice, after a
// system call, at a fault), so delivery is as deterministic as the rest.
// A handled signal gets the arch's real Linux frame on the user stack: the
// handler may read and change the saved context, and rt_sigreturn puts back
// what it finds there.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "kernel/abi/Constants.h"

#include <cstddef>

namespace reprise {

using namespace linux_abi;

namespace {

// --- x86-64 frame (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h) ------

struct X86SigContext {
  uint64_t Gpr[cpu::X86UserRegs::NumGprs]; // r8 .. rip, eflags
  uint16_t Cs, Gs, Fs, Ss;
  uint64_t Err, Trapno, Oldmask, Cr2;
  uint64_t FpState; // address of the FXSAVE image
  uint64_t Reserved[8];
};
static_assert(sizeof(X86SigContext) == 256);

struct StackT {
  uint64_t Sp;
  int32_t Flags;
  int32_t Pad;
  uint64_t Size;
};
static_assert(sizeof(StackT) == 24);

struct X86UContext {
  uint64_t Flags, Link;
  StackT Stack;
  X86SigContext Mcontext;
  uint64_t Sigmask;
};
static_assert(sizeof(X86UContext) == 304);

struct X86RtSigframe {
  uint64_t Pretcode; // where the handler returns: sa_restorer
  X86UContext Uc;
  SigInfo Info;
};
static_assert(offsetof(X86RtSigframe, Uc) == 8);
static_assert(offsetof(X86RtSigframe, Uc.Mcontext) == 48);
static_assert(offsetof(X86RtSigframe, Uc.Sigmask) == 304);
static_assert(offsetof(X86RtSigframe, Info) == 312);
static_assert(sizeof(X86RtSigframe) == 440);

constexpr uint64_t X86UcSigcontextSs = 0x2, X86UcStrictRestoreSs = 0x4;
constexpr uint64_t X86UserCs = 0x33, X86UserDs = 0x2b;
// The flags a handler may change through the frame (Linux's FIX_EFLAGS).
constexpr uint64_t X86FixEflags = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 |
                                  0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

// --- arm64 frame (arch/arm64/include/uapi/asm/sigcontext.h, ucontext.h) ------

struct alignas(16) Arm64SigContext {
  uint64_t FaultAddress;
  uint64_t Regs[31];
  uint64_t Sp, Pc, Pstate;
  alignas(16) uint8_t Reserved[4096];
};
static_assert(offsetof(Arm64SigContext, Reserved) == 288);
static_assert(sizeof(Arm64SigContext) == 4384);

struct alignas(16) Arm64UContext {
  uint64_t Flags, Link;
  StackT Stack;
  uint64_t Sigmask;
  uint8_t Unused[120];
  Arm64SigContext Mcontext;
};
static_assert(offsetof(Arm64UContext, Mcontext) == 176);

struct alignas(16) Arm64RtSigframe {
  SigInfo Info;
  Arm64UContext Uc;
};
static_assert(offsetof(Arm64RtSigframe, Uc) == 128);
static_assert(sizeof(Arm64RtSigframe) == 4688);

constexpr uint32_t FpsimdMagic = 0x46508001, EsrMagic = 0x45535201;
constexpr uint32_t FpsimdSize = 528, EsrSize = 16;

template <typename T> void put(uint8_t *P, T V) { std::memcpy(P, &V, sizeof V); }
template <typename T> T get(const uint8_t *P) {
  T V;
  std::memcpy(&V, P, sizeof V);
  return V;
}

uint64_t roundDown(uint64_t V, uint64_t A) { return V & ~(A - 1); }

/// The stack_t of the frame: the alternate stack and whether \p Sp is on it.
StackT saveAltStack(const AltStack &A, uint64_t) {
  // Linux stores the flags as set (0, SS_AUTODISARM or SS_DISABLE), not
  // whether the stack is in use.
  return StackT{A.Sp, A.Flags, 0, A.Size};
}

/// Where the frame goes: the alternate stack for SA_ONSTACK when it is set
/// up and not in use, else below \p Sp. Sets \p OnAlt when the frame must
/// fit the alternate stack.
uint64_t frameTop(Task &T, const SigAction &Act, uint64_t Sp, bool &OnAlt) {
  AltStack &A = T.SigAltStack;
  OnAlt = !(A.Flags & LX_SS_DISABLE) && A.contains(Sp);
  if ((Act.Flags & LX_SA_ONSTACK) && !(A.Flags & LX_SS_DISABLE) && !OnAlt) {
    OnAlt = true;
    uint64_t Top = A.Sp + A.Size;
    if (A.Flags & LX_SS_AUTODISARM)
      A = AltStack{}; // disarmed until the handler's sigreturn restores it
    return Top;
  }
  return Sp;
}

/// Puts back the alternate stack a frame saved (as sigaltstack would, but
/// quietly ignoring what it would refuse).
void restoreAltStack(Task &T, const StackT &S, uint64_t Sp) {
  AltStack &A = T.SigAltStack;
  if (A.contains(Sp) && !(A.Flags & LX_SS_DISABLE))
    return; // cannot change the stack in use
  if (S.Flags & LX_SS_DISABLE) {
    A = AltStack{};
    return;
  }
  A.Sp = S.Sp;
  A.Size = S.Size;
  A.Flags = S.Flags & LX_SS_AUTODISARM;
}

/// How a report names the sender of \p I: "sent by pid 7 (kill)".
std::string signalOrigin(const SigInfo &I, bool FromHost) {
  if (FromHost)
    return "sent to reprise by the host";
  std::string Pid = std::to_string(I.get<int32_t>(0));
  switch (I.Code) {
  case LX_SI_USER:
    return "sent by pid " + Pid + " (kill)";
  case LX_SI_TKILL:
    return "sent by pid " + Pid + " (tkill)";
  case LX_SI_QUEUE:
    return "queued by pid " + Pid;
  case LX_SI_TIMER:
    return "sent by a timer";
  default:
    return "sent by the kernel";
  }
}

} // namespace

// --- Sending -------------------------------------------------------------------

void Kernel::sendSignal(ThreadGroup &G, Task *Target, const SigInfo &Info,
                        bool FromHost) {
  int Sig = Info.Signo;
  if (Sig <= 0 || Sig > LX_NSIG || G.State != ThreadGroup::Life::Alive ||
      G.Exiting)
    return;
  // A namespace's init gets only the signals it has handlers for when they
  // come from inside its namespace, SIGKILL and SIGSTOP included (Linux's
  // SIGNAL_UNKILLABLE). Reprise's host is outside every guest namespace.
  // Linux lets only an ancestor namespace's SIGKILL and SIGSTOP through;
  // the host cannot send those (they would act on reprise itself), and what
  // it passes on (SIGINT, SIGTERM...) is its user's way to end the run, so
  // those act on the guest's init as on any process.
  bool Shielded = isNamespaceInit(G) && !FromHost;
  // The thread a report names when the signal ends the process now.
  auto reported = [&]() -> Task & {
    if (Target)
      return *Target;
    if (G.Leader && G.Leader->State != TaskState::Dead)
      return *G.Leader;
    return *G.Threads.front();
  };
  if (Sig == LX_SIGKILL) {
    if (!Shielded)
      killBySignal(reported(), Sig, signalOrigin(Info, FromHost));
    return;
  }
  // Job control acts when the signal is sent, whatever its disposition: a
  // continue cancels pending stops and wakes a stopped process, a stop
  // cancels a pending continue.
  uint64_t StopSet = sigBit(LX_SIGSTOP) | sigBit(LX_SIGTSTP) | sigBit(LX_SIGTTIN) |
                     sigBit(LX_SIGTTOU);
  if (Sig == LX_SIGCONT) {
    G.SharedPending.discard(StopSet);
    for (Task *Th : G.Threads)
      Th->SigPending.discard(StopSet);
    if (G.Stopped)
      continueGroup(G);
  } else if (StopSet & sigBit(Sig)) {
    G.SharedPending.discard(sigBit(LX_SIGCONT));
    for (Task *Th : G.Threads)
      Th->SigPending.discard(sigBit(LX_SIGCONT));
  }
  const SigAction &Act = G.Handlers->Actions[size_t(Sig)];
  uint64_t Bit = sigBit(Sig);
  // A thread in rt_sigtimedwait takes the signals it waits for, blocked or
  // not; for the rest of the rules its real mask counts.
  auto blocks = [&](Task *Th) { return (Th->SigMask & Bit) != 0; };
  auto wants = [&](Task *Th) { return !(Th->SigMask & ~Th->SigWaitSet & Bit); };
  // The thread that will take it: the target, else the main thread unless
  // it blocks the signal, else the first thread in creation order that
  // does not.
  Task *Taker = Target;
  if (!Target) {
    if (G.Leader && G.Leader->State != TaskState::Dead && wants(G.Leader))
      Taker = G.Leader;
    else
      for (Task *Th : G.Threads)
        if (wants(Th)) {
          Taker = Th;
          break;
        }
  }
  bool Blocked = true;
  if (Target)
    Blocked = blocks(Target);
  else
    for (Task *Th : G.Threads)
      Blocked &= blocks(Th);
  if (!Blocked) {
    // Ignored now: dropped (a blocked signal is kept: its disposition may
    // change before it is unblocked).
    if (Act.Handler == LX_SIG_IGN)
      return;
    if (Act.Handler == LX_SIG_DFL) {
      DefaultAction D = defaultAction(Sig);
      if (D == DefaultAction::Ignore || D == DefaultAction::Continue)
        return;
      if (Shielded)
        return;
      if (D == DefaultAction::Terminate || D == DefaultAction::Core) {
        killBySignal(Taker ? *Taker : reported(), Sig, signalOrigin(Info, FromHost));
        return;
      }
      if (D == DefaultAction::Stop) {
        // A terminal's stop signals do nothing to an orphaned process
        // group: nobody in its session could continue it. SIGSTOP always
        // stops.
        if (Sig != LX_SIGSTOP && orphanedPgrp(G.Pgrp))
          return;
        // Every thread stops where it is, blocked ones inside their calls
        // (which go on waiting once continued, as Linux restarts them).
        stopGroup(G, Sig);
        return;
      }
    }
  }
  SignalQueue &Q = Target ? Target->SigPending : G.SharedPending;
  if (!Q.add(Info, FromHost))
    return;
  G.SignalArrived.wakeAll(); // signalfd readers look again
  if (!Taker || Taker->State != TaskState::Blocked)
    return;
  if (Taker->SigWaitSet & Bit) {
    wake(*Taker); // rt_sigtimedwait looks again and takes it
  } else if (!blocks(Taker) && Act.Handler != LX_SIG_IGN &&
             Act.Handler != LX_SIG_DFL &&
             Taker->Wait.Restart != RestartKind::Uninterruptible) {
    Taker->Wait.Interrupted = true;
    wake(*Taker);
  }
}

bool Kernel::signalPending(Task &T) {
  return (T.pendingSignals() & ~T.SigMask) != 0;
}

namespace {

/// The signal of \p Set that \p T takes next, and the queue holding it:
/// its own queue first, then its process's, as Linux's dequeue_signal.
std::pair<SignalQueue *, int> nextPending(Task &T, uint64_t Set) {
  if (int Sig = nextSignal(T.SigPending.pending() & Set))
    return {&T.SigPending, Sig};
  if (int Sig = nextSignal(T.group().SharedPending.pending() & Set))
    return {&T.group().SharedPending, Sig};
  return {nullptr, 0};
}

} // namespace

std::optional<SigInfo> Kernel::takeSignal(Task &T, uint64_t Set) {
  auto [Q, Sig] = nextPending(T, Set);
  if (!Q)
    return std::nullopt;
  return Q->take(Sig);
}

int Kernel::handledSignal(Task &T) {
  int Sig = nextPending(T, ~T.SigMask).second;
  if (!Sig)
    return 0;
  const SigAction &Act = T.group().Handlers->Actions[size_t(Sig)];
  return Act.Handler != LX_SIG_DFL && Act.Handler != LX_SIG_IGN ? Sig : 0;
}

// --- Interrupted system calls ---------------------------------------------------

void Kernel::interruptSyscall(Task &T) {
  T.Wait.Interrupted = false;
  T.SigWaitSet = 0;
  int Sig = handledSignal(T);
  if (!Sig)
    return; // the signal went elsewhere: the call just waits again
  const SigAction *Act = &T.group().Handlers->Actions[size_t(Sig)];
  PendingSyscall P = *T.Pending;
  T.Pending.reset();
  cpu::Engine &E = T.cpu();
  bool Restart = T.Wait.Restart == RestartKind::Sys && (Act->Flags & LX_SA_RESTART);
  int64_t Ret = -errnoValue(Errno::LX_EINTR);
  if (T.Wait.Progress) {
    Restart = false; // a write that moved bytes returns how many
    Ret = int64_t(T.Wait.Progress);
    T.Wait.Progress = 0;
  }
  if (Opts.Strace && !T.PendingTrace.empty()) {
    *Opts.Strace << T.PendingTrace
                 << (Restart ? ") = ? ERESTARTSYS (to be restarted)\n"
                             : ") = " + std::to_string(Ret) +
                                   (Ret < 0 ? " EINTR\n" : "\n"));
    Opts.Strace->flush();
    T.PendingTrace.clear();
  }
  if (Restart) {
    // Back onto the system call instruction, with its number again.
    bool X86 = T.arch() == Arch::X86_64;
    E.setReg(cpu::Reg::Pc, E.reg(cpu::Reg::Pc) - (X86 ? 2 : 4));
    if (X86)
      E.setReg(cpu::Reg::SyscallNr, P.Args.Nr);
    return;
  }
  if (T.Wait.Restart == RestartKind::Block && T.Wait.RemAddr && T.Wait.Deadline) {
    uint64_t Now = monotonicNs();
    uint64_t Left = T.Wait.Deadline > Now ? T.Wait.Deadline - Now : 0;
    int64_t Ts[2] = {int64_t(Left / 1'000'000'000), int64_t(Left % 1'000'000'000)};
    (void)T.copyOut(T.Wait.RemAddr, {reinterpret_cast<const uint8_t *>(Ts), sizeof Ts});
  }
  T.Wait.RemAddr = 0;
  E.setReg(cpu::Reg::Ret, uint64_t(Ret));
  if (Gate.logging())
    event(replay::EventKind::Syscall, T.tid(), P.Args.Nr, Ret, P.Args.A);
  if (T.arch() == Arch::X86_64) {
    E.setReg(cpu::Reg::X86Rcx, E.reg(cpu::Reg::Pc));
    E.setReg(cpu::Reg::X86R11, E.reg(cpu::Reg::Flags));
  }
}

// --- Delivery --------------------------------------------------------------------

void Kernel::deliverSignals(Task &T) {
  ThreadGroup &G = T.group();
  while (T.State != TaskState::Dead && !G.Exiting) {
    auto [Q, Next] = nextPending(T, ~T.SigMask);
    if (!Q)
      break;
    bool FromHost = Q->fromHost(Next);
    SigInfo Info = *Q->take(Next);
    int Sig = Info.Signo;
    if (Gate.logging())
      event(replay::EventKind::Signal, T.tid(), uint64_t(Sig), Info.Code);
    SigAction Act = G.Handlers->Actions[size_t(Sig)];
    if (Act.Handler == LX_SIG_IGN)
      continue;
    if (Act.Handler == LX_SIG_DFL) {
      DefaultAction D = defaultAction(Sig);
      if (D == DefaultAction::Ignore || D == DefaultAction::Continue)
        continue;
      // A namespace's init drops what it has no handler for, as when sent
      // (faults, which kill it, do not come this way: see forceSignal).
      if (isNamespaceInit(G) && !FromHost)
        continue;
      if (D == DefaultAction::Stop) {
        // Linux's get_signal: dropped for an orphaned group, as when sent.
        if (Sig != LX_SIGSTOP && orphanedPgrp(G.Pgrp))
          continue;
        stopGroup(G, Sig);
        return; // the thread stops here; the rest waits for SIGCONT
      }
      killBySignal(T, Sig, signalOrigin(Info, FromHost));
      return;
    }
    uint64_t OldMask = T.SavedMask ? *T.SavedMask : T.SigMask;
    T.SavedMask.reset();
    if (!setupFrame(T, Info, Act, OldMask)) {
      killBySignal(T, LX_SIGSEGV,
                   std::string("no room for a signal frame for ") + signalName(Sig));
      return;
    }
    T.SigMask |= Act.Mask;
    if (!(Act.Flags & LX_SA_NODEFER))
      T.SigMask |= sigBit(Sig);
    T.SigMask &= ~UnblockableSignals;
    if (Act.Flags & LX_SA_RESETHAND)
      G.Handlers->Actions[size_t(Sig)].Handler = LX_SIG_DFL; // flags and mask stay
  }
  if (T.SavedMask) {
    // sigsuspend ended without a handler: its mask goes back now.
    T.SigMask = *T.SavedMask;
    T.SavedMask.reset();
  }
}

void Kernel::forceSignal(Task &T, const SigInfo &Info, const std::string &Detail) {
  int Sig = Info.Signo;
  const SigAction &Act = T.group().Handlers->Actions[size_t(Sig)];
  bool Handled = Act.Handler != LX_SIG_DFL && Act.Handler != LX_SIG_IGN &&
                 !(T.SigMask & sigBit(Sig));
  if (!Handled) {
    // Blocked or ignored, a fault still kills (Linux resets it to SIG_DFL).
    killBySignal(T, Sig, Detail);
    return;
  }
  // Taken before anything else pending: the fault signals come first.
  T.SigPending.discard(sigBit(Sig));
  T.SigPending.add(Info);
  deliverSignals(T);
}

void Kernel::stopGroup(ThreadGroup &G, int Sig) {
  if (G.Stopped || G.Exiting)
    return;
  G.Stopped = true;
  G.StopSignal = Sig;
  G.StopUnreported = true;
  G.ContinueUnreported = false;
  for (Task *Th : G.Threads)
    if (Th->InRunQueue) {
      std::erase(RunQueue, Th);
      Th->InRunQueue = false;
    }
  if (Task *Self = Current; Self && &Self->group() == &G)
    Self->cpu().requestStop();
  notifyParent(G, LX_CLD_STOPPED, Sig);
}

void Kernel::continueGroup(ThreadGroup &G) {
  G.Stopped = false;
  G.StopUnreported = false;
  G.ContinueUnreported = true;
  for (Task *Th : G.Threads)
    enqueue(*Th);
  notifyParent(G, LX_CLD_CONTINUED, LX_SIGCONT);
}

void Kernel::notifyParent(ThreadGroup &G, int32_t Code, int Status) {
  ThreadGroup *P = G.Parent;
  if (!P)
    return;
  P->ChildEvents.wakeAll();
  const SigAction &Chld = P->Handlers->Actions[LX_SIGCHLD];
  if (Chld.Flags & LX_SA_NOCLDSTOP)
    return;
  SigInfo I{LX_SIGCHLD, 0, Code};
  I.set<int32_t>(0, G.Id->in(P->Id->ns()));
  I.set<uint32_t>(4, G.Leader ? G.Leader->Ids.Ruid : 0);
  I.set<int32_t>(8, Status);
  I.set<int64_t>(16, int64_t(G.CpuNs / 10'000'000));
  sendSignal(*P, nullptr, I);
}

bool Kernel::setupFrame(Task &T, const SigInfo &Info, const SigAction &Act,
                        uint64_t OldMask) {
  cpu::Engine &E = T.cpu();
  int Sig = Info.Signo;
  bool OnAlt = false;
  if (T.arch() == Arch::X86_64) {
    if (!(Act.Flags & LX_SA_RESTORER))
      return false; // x86-64 has no kernel trampoline: libc always sets one
    cpu::X86UserRegs R = E.userRegsX86();
    uint64_t Sp = R.Gpr[cpu::X86UserRegs::Rsp];
    AltStack Before = T.SigAltStack;
    // Below the red zone, or at the top of a fresh alternate stack.
    uint64_t Top = frameTop(T, Act, Sp - 128, OnAlt);
    uint64_t FpAddr = roundDown(Top - 512, 64);
    uint64_t FrameAddr = roundDown(FpAddr - sizeof(X86RtSigframe), 16) - 8;
    if (OnAlt && !Before.contains(FrameAddr))
      return false; // the frame would overflow the alternate stack
    X86RtSigframe F{};
    F.Pretcode = Act.Restorer;
    F.Uc.Flags = X86UcSigcontextSs | X86UcStrictRestoreSs;
    F.Uc.Stack = saveAltStack(Before, Sp);
    std::memcpy(F.Uc.Mcontext.Gpr, R.Gpr.data(), sizeof F.Uc.Mcontext.Gpr);
    F.Uc.Mcontext.Cs = X86UserCs;
    F.Uc.Mcontext.Ss = X86UserDs;
    if ((Sig == LX_SIGSEGV || Sig == LX_SIGBUS) && Info.Code > 0) {
      // A page fault's error code: user mode, write, instruction fetch, and
      // "present" for a fetch from a mapped page (a protection fault on a
      // page never touched is reported not-present, as Linux sees it; a
      // page past the end of a mapped file is never present).
      bool Write = T.FaultAccess == cpu::Access::Write;
      bool Fetch = T.FaultAccess == cpu::Access::Execute;
      bool Protection = Sig == LX_SIGSEGV && Info.Code == LX_SEGV_ACCERR;
      F.Uc.Mcontext.Trapno = 14;
      F.Uc.Mcontext.Cr2 = Info.get<uint64_t>(0);
      F.Uc.Mcontext.Err = 4 | (Write ? 2 : 0) | (Fetch ? 16 : 0) |
                          (Fetch && Protection ? 1 : 0);
    }
    F.Uc.Mcontext.Oldmask = OldMask;
    F.Uc.Mcontext.FpState = FpAddr;
    F.Uc.Sigmask = OldMask;
    F.Info = Info;
    if (!T.copyOut(FpAddr, R.FxSave) ||
        !T.copyOut(FrameAddr, {reinterpret_cast<const uint8_t *>(&F), sizeof F}))
      return false;
    // The handler's registers: its arguments, a fresh FPU, DF and TF clear.
    using X = cpu::X86UserRegs;
    R.Gpr[X::Rdi] = uint64_t(Sig);
    R.Gpr[X::Rax] = 0;
    R.Gpr[X::Rsi] = FrameAddr + offsetof(X86RtSigframe, Info);
    R.Gpr[X::Rdx] = FrameAddr + offsetof(X86RtSigframe, Uc);
    R.Gpr[X::Rip] = Act.Handler;
    R.Gpr[X::Rsp] = FrameAddr;
    R.Gpr[X::Eflags] &= ~uint64_t(0x400 | 0x100 | 0x10000);
    R.FxSave = cpu::initialFxSave();
    E.setUserRegsX86(R);
    return true;
  }

  cpu::Arm64UserRegs R = E.userRegsArm64();
  AltStack Before = T.SigAltStack;
  uint64_t Top = frameTop(T, Act, R.Sp, OnAlt);
  // A frame record {fp, lr} above the frame, for unwinders.
  uint64_t Record = roundDown(Top - 16, 16);
  uint64_t FrameAddr = Record - sizeof(Arm64RtSigframe);
  if (OnAlt && !Before.contains(FrameAddr))
    return false;
  auto F = std::make_unique<Arm64RtSigframe>();
  F->Info = Info;
  F->Uc.Stack = saveAltStack(Before, R.Sp);
  F->Uc.Sigmask = OldMask;
  Arm64SigContext &C = F->Uc.Mcontext;
  bool Fault = SynchronousSignals & sigBit(Sig) && Info.Code > 0 &&
               Sig != LX_SIGTRAP;
  C.FaultAddress = Fault ? Info.get<uint64_t>(0) : 0;
  std::memcpy(C.Regs, R.X.data(), sizeof C.Regs);
  C.Sp = R.Sp;
  C.Pc = R.Pc;
  C.Pstate = R.Pstate;
  uint8_t *P = C.Reserved;
  put<uint32_t>(P, FpsimdMagic);
  put<uint32_t>(P + 4, FpsimdSize);
  put<uint32_t>(P + 8, R.Fpsr);
  put<uint32_t>(P + 12, R.Fpcr);
  for (unsigned K = 0; K < 32; ++K)
    std::memcpy(P + 16 + 16 * K, R.V[K].data(), 16);
  P += FpsimdSize;
  if (Fault && (Sig == LX_SIGSEGV || Sig == LX_SIGBUS)) {
    // ESR of an abort from EL0: instruction (EC 0x20) or data (EC 0x24,
    // WnR for a write), translation or permission fault at level 3 (a page
    // past the end of a mapped file has no translation).
    bool Fetch = T.FaultAccess == cpu::Access::Execute;
    bool Protection = Sig == LX_SIGSEGV && Info.Code == LX_SEGV_ACCERR;
    uint64_t Esr = (uint64_t(Fetch ? 0x20 : 0x24) << 26) | (1ull << 25) |
                   (!Fetch && T.FaultAccess == cpu::Access::Write ? (1ull << 6) : 0) |
                   (Protection ? 0x0f : 0x07);
    put<uint32_t>(P, EsrMagic);
    put<uint32_t>(P + 4, EsrSize);
    put<uint64_t>(P + 8, Esr);
    P += EsrSize;
  }
  // The terminator: a zero header.
  uint64_t RecordWords[2] = {R.X[29], R.X[30]};
  if (!T.copyOut(Record, {reinterpret_cast<const uint8_t *>(RecordWords), 16}) ||
      !T.copyOut(FrameAddr, {reinterpret_cast<const uint8_t *>(F.get()), sizeof *F}))
    return false;
  uint64_t Tramp = (Act.Flags & LX_SA_RESTORER) ? Act.Restorer : T.mm().SigTramp;
  if (!Tramp)
    return false;
  R.X[0] = uint64_t(Sig);
  R.X[1] = FrameAddr + offsetof(Arm64RtSigframe, Info);
  R.X[2] = FrameAddr + offsetof(Arm64RtSigframe, Uc);
  R.X[29] = Record;
  R.X[30] = Tramp;
  R.Sp = FrameAddr;
  R.Pc = Act.Handler;
  E.setUserRegsArm64(R);
  return true;
}

void Kernel::sigreturn(Task &T) {
  cpu::Engine &E = T.cpu();
  auto Bad = [&] {
    killBySignal(T, LX_SIGSEGV, "bad signal frame at rt_sigreturn");
  };
  if (T.arch() == Arch::X86_64) {
    cpu::X86UserRegs R = E.userRegsX86();
    // The handler's ret popped pretcode: the frame starts 8 below.
    uint64_t FrameAddr = R.Gpr[cpu::X86UserRegs::Rsp] - 8;
    auto F = T.copyInObj<X86RtSigframe>(FrameAddr);
    if (!F)
      return Bad();
    uint64_t Flags = R.Gpr[cpu::X86UserRegs::Eflags];
    std::memcpy(R.Gpr.data(), F->Uc.Mcontext.Gpr, sizeof F->Uc.Mcontext.Gpr);
    R.Gpr[cpu::X86UserRegs::Eflags] =
        (Flags & ~X86FixEflags) | (F->Uc.Mcontext.Gpr[cpu::X86UserRegs::Eflags] & X86FixEflags);
    if (uint64_t Fp = F->Uc.Mcontext.FpState) {
      if (!T.copyIn(Fp, R.FxSave))
        return Bad();
    } else {
      R.FxSave = cpu::initialFxSave();
    }
    T.SigMask = F->Uc.Sigmask & ~UnblockableSignals;
    restoreAltStack(T, F->Uc.Stack, R.Gpr[cpu::X86UserRegs::Rsp]);
    E.setUserRegsX86(R);
    T.RegsReplaced = true;
    return;
  }
  cpu::Arm64UserRegs R = E.userRegsArm64();
  if (R.Sp & 15)
    return Bad();
  auto F = std::make_unique<Arm64RtSigframe>();
  if (!T.copyIn(R.Sp, {reinterpret_cast<uint8_t *>(F.get()), sizeof *F}))
    return Bad();
  const Arm64SigContext &C = F->Uc.Mcontext;
  bool HaveFp = false;
  for (size_t Off = 0; Off + 8 <= sizeof C.Reserved;) {
    uint32_t Magic = get<uint32_t>(C.Reserved + Off);
    uint32_t Size = get<uint32_t>(C.Reserved + Off + 4);
    if (Magic == 0 && Size == 0)
      break;
    if (Size < 8 || Size % 16 || Off + Size > sizeof C.Reserved)
      return Bad();
    if (Magic == FpsimdMagic) {
      if (Size != FpsimdSize)
        return Bad();
      R.Fpsr = get<uint32_t>(C.Reserved + Off + 8);
      R.Fpcr = get<uint32_t>(C.Reserved + Off + 12);
      for (unsigned K = 0; K < 32; ++K)
        std::memcpy(R.V[K].data(), C.Reserved + Off + 16 + 16 * K, 16);
      HaveFp = true;
    } else if (Magic != EsrMagic) {
      return Bad(); // SVE, ZA, extra_context: not offered
    }
    Off += Size;
  }
  if (!HaveFp)
    return Bad();
  std::memcpy(R.X.data(), C.Regs, sizeof C.Regs);
  uint64_t Sp = R.Sp;
  R.Sp = C.Sp;
  R.Pc = C.Pc;
  R.Pstate = C.Pstate;
  T.SigMask = F->Uc.Sigmask & ~UnblockableSignals;
  restoreAltStack(T, F->Uc.Stack, Sp);
  E.setUserRegsArm64(R);
  T.RegsReplaced = true;
}

} // namespace reprise
