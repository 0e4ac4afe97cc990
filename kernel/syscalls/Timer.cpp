//===- kernel/syscalls/Timer.cpp - alarm, itimers and POSIX timers --------===//
#include "kernel/Kernel.h"

#include "kernel/abi/Constants.h"
#include "kernel/abi/Structs.h"

#include <algorithm>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr int32_t ItimerReal = 0, ItimerVirtual = 1, ItimerProf = 2;
constexpr int32_t SigevSignal = 0, SigevNone = 1, SigevThreadId = 4;
constexpr uint64_t NsPerSec = 1'000'000'000;
// Far enough to never come, small enough that deadlines cannot overflow.
constexpr uint64_t Forever = uint64_t(1) << 62;

struct ItimerVal {
  timeval Interval, Value;
};
struct ItimerSpec {
  timespec Interval, Value;
};

Result<uint64_t> nsOf(const timeval &V) {
  if (V.tv_sec < 0 || V.tv_usec < 0 || V.tv_usec >= 1'000'000)
    return Errno::LX_EINVAL;
  return std::min(uint64_t(V.tv_sec) * NsPerSec + uint64_t(V.tv_usec) * 1000, Forever);
}
Result<uint64_t> nsOf(const timespec &V) {
  if (V.tv_sec < 0 || V.tv_nsec < 0 || V.tv_nsec >= int64_t(NsPerSec))
    return Errno::LX_EINVAL;
  return std::min(uint64_t(V.tv_sec) * NsPerSec + uint64_t(V.tv_nsec), Forever);
}
timeval toTimeval(uint64_t Ns) {
  return {int64_t(Ns / NsPerSec), int64_t(Ns % NsPerSec / 1000)};
}
timespec toTimespec(uint64_t Ns) {
  return {int64_t(Ns / NsPerSec), int64_t(Ns % NsPerSec)};
}

/// What is left of a timer: its value, counted against \p Now.
uint64_t remaining(const IntervalTimer &T, uint64_t Now) {
  if (!T.Deadline)
    return 0;
  // A timer due but not yet fired shows the smallest value, as Linux does.
  return T.Deadline > Now ? T.Deadline - Now : 1;
}

ItimerVal itimerOf(const IntervalTimer &T, uint64_t Now) {
  uint64_t Left = remaining(T, Now);
  timeval V = toTimeval(Left);
  if (Left && V.tv_sec == 0 && V.tv_usec == 0)
    V.tv_usec = 1;
  return {toTimeval(T.Interval), V};
}

/// The timer \p Which of \p G, with the clock it runs on.
IntervalTimer *itimer(ThreadGroup &G, int32_t Which) {
  switch (Which) {
  case ItimerReal: return &G.RealTimer;
  case ItimerVirtual: return &G.VirtualTimer;
  case ItimerProf: return &G.ProfTimer;
  default: return nullptr;
  }
}

Result<ItimerVal> setItimer(Task &T, int32_t Which, const ItimerVal &New) {
  Kernel &K = T.kernel();
  ThreadGroup &G = T.group();
  IntervalTimer *Slot = itimer(G, Which);
  if (!Slot)
    return Errno::LX_EINVAL;
  uint64_t Value = REPRISE_TRY(nsOf(New.Value));
  uint64_t Interval = REPRISE_TRY(nsOf(New.Interval));
  uint64_t Now = Which == ItimerReal ? K.monotonicNs() : K.processCpuNs(G);
  ItimerVal Old = itimerOf(*Slot, Now);
  IntervalTimer V{Value ? Now + Value : 0, Value ? Interval : 0};
  if (Which == ItimerReal)
    K.setProcessTimer(G, -1, V);
  else
    *Slot = V;
  return Old;
}

} // namespace

// Implements getitimer(2).
SysResult sysGetitimer(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  ThreadGroup &G = T.group();
  int32_t Which = A.i32(0);
  IntervalTimer *Slot = itimer(G, Which);
  if (!Slot)
    return Errno::LX_EINVAL;
  uint64_t Now = Which == ItimerReal ? K.monotonicNs() : K.processCpuNs(G);
  REPRISE_TRY(T.copyOutObj(A.arg(1), itimerOf(*Slot, Now)));
  return 0;
}

// Implements setitimer(2). A null new value disarms, as Linux allows.
SysResult sysSetitimer(Task &T, const SyscallArgs &A) {
  ItimerVal New{};
  if (A.arg(1))
    New = REPRISE_TRY(T.copyInObj<ItimerVal>(A.arg(1)));
  ItimerVal Old = REPRISE_TRY(setItimer(T, A.i32(0), New));
  if (A.arg(2))
    REPRISE_TRY(T.copyOutObj(A.arg(2), Old));
  return 0;
}

// Implements alarm(2): seconds left of the previous alarm, rounded.
SysResult sysAlarm(Task &T, const SyscallArgs &A) {
  ItimerVal New{};
  New.Value.tv_sec = int64_t(std::min<uint64_t>(A.u32(0), INT32_MAX));
  ItimerVal Old = REPRISE_TRY(setItimer(T, ItimerReal, New));
  int64_t Secs = Old.Value.tv_sec;
  if ((!Secs && Old.Value.tv_usec) || Old.Value.tv_usec >= 500'000)
    ++Secs;
  return Secs;
}

// Implements timer_create(2) for the monotonic and real-time clocks.
SysResult sysTimerCreate(Task &T, const SyscallArgs &A) {
  int32_t Clock = A.i32(0);
  if (Clock != LX_CLOCK_REALTIME && Clock != LX_CLOCK_MONOTONIC &&
      Clock != LX_CLOCK_BOOTTIME)
    return Errno::LX_EINVAL; // CPU-time and alarm clocks are not offered
  ThreadGroup &G = T.group();
  PosixTimer P;
  P.Clock = Clock;
  int32_t Id = 0;
  while (G.PosixTimers.count(Id))
    ++Id;
  if (A.arg(1)) {
    struct {
      uint64_t Value;
      int32_t Signo, Notify;
      int32_t Tid;
    } Ev = REPRISE_TRY(T.copyInObj<decltype(Ev)>(A.arg(1)));
    P.Notify = Ev.Notify;
    P.Signo = Ev.Signo;
    P.Value = Ev.Value;
    switch (Ev.Notify) {
    case SigevNone:
      break;
    case SigevThreadId: {
      Task *Target = T.kernel().taskIn(T.pidNs(), Ev.Tid);
      if (!Target || &Target->group() != &G)
        return Errno::LX_EINVAL;
      P.TargetTid = Target->tid();
      [[fallthrough]];
    }
    case SigevSignal:
      if (Ev.Signo < 1 || Ev.Signo > LX_NSIG)
        return Errno::LX_EINVAL;
      break;
    default:
      return Errno::LX_EINVAL;
    }
  } else {
    P.Notify = SigevSignal;
    P.Signo = LX_SIGALRM;
    P.Value = uint64_t(Id);
  }
  REPRISE_TRY(T.copyOutObj<int32_t>(A.arg(2), Id));
  G.PosixTimers.emplace(Id, P);
  return 0;
}

// Implements timer_settime(2).
SysResult sysTimerSettime(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  ThreadGroup &G = T.group();
  auto It = G.PosixTimers.find(A.i32(0));
  if (It == G.PosixTimers.end())
    return Errno::LX_EINVAL;
  uint32_t Flags = A.u32(1);
  auto New = REPRISE_TRY(T.copyInObj<ItimerSpec>(A.arg(2)));
  uint64_t Value = REPRISE_TRY(nsOf(New.Value));
  uint64_t Interval = REPRISE_TRY(nsOf(New.Interval));
  uint64_t Now = K.monotonicNs();
  PosixTimer &P = It->second;
  ItimerSpec Old{toTimespec(P.Timer.Interval), toTimespec(remaining(P.Timer, Now))};
  uint64_t Deadline = 0;
  if (Value) {
    if (Flags & LX_TIMER_ABSTIME) {
      // An absolute time on the timer's clock, as a monotonic deadline.
      uint64_t ClockNow = Now;
      if (P.Clock == LX_CLOCK_REALTIME) {
        fs::Timespec R = K.realtime();
        ClockNow = uint64_t(R.Sec) * NsPerSec + uint64_t(R.Nsec);
      }
      Deadline = Value > ClockNow ? Now + (Value - ClockNow) : Now;
    } else {
      Deadline = Now + Value;
    }
  }
  P.Overrun = P.LastOverrun = 0;
  K.setProcessTimer(G, It->first, IntervalTimer{Deadline, Deadline ? Interval : 0});
  if (A.arg(3))
    REPRISE_TRY(T.copyOutObj(A.arg(3), Old));
  return 0;
}

// Implements timer_gettime(2).
SysResult sysTimerGettime(Task &T, const SyscallArgs &A) {
  ThreadGroup &G = T.group();
  auto It = G.PosixTimers.find(A.i32(0));
  if (It == G.PosixTimers.end())
    return Errno::LX_EINVAL;
  const IntervalTimer &Tm = It->second.Timer;
  ItimerSpec Cur{toTimespec(Tm.Interval),
                 toTimespec(remaining(Tm, T.kernel().monotonicNs()))};
  REPRISE_TRY(T.copyOutObj(A.arg(1), Cur));
  return 0;
}

// Implements timer_getoverrun(2).
SysResult sysTimerGetoverrun(Task &T, const SyscallArgs &A) {
  auto It = T.group().PosixTimers.find(A.i32(0));
  if (It == T.group().PosixTimers.end())
    return Errno::LX_EINVAL;
  return It->second.LastOverrun;
}

// Implements timer_delete(2).
SysResult sysTimerDelete(Task &T, const SyscallArgs &A) {
  ThreadGroup &G = T.group();
  auto It = G.PosixTimers.find(A.i32(0));
  if (It == G.PosixTimers.end())
    return Errno::LX_EINVAL;
  T.kernel().setProcessTimer(G, It->first, IntervalTimer{});
  G.PosixTimers.erase(It);
  return 0;
}

} // namespace reprise
