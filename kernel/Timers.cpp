//===- kernel/Timers.cpp - Interval and POSIX timers ------------------------===//
//
// A process's timers fire on virtual time: ITIMER_REAL and POSIX timers on
// the monotonic clock (checked whenever the scheduler picks a task, and the
// clock jumps to the next one when every task waits), ITIMER_VIRTUAL and
// ITIMER_PROF on the work the process's threads did (checked after each of
// its slices). Both clocks advance only with guest events, so a timer fires
// at the same point of every run.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "kernel/abi/Constants.h"

namespace reprise {

using namespace linux_abi;

namespace {

constexpr int32_t RealTimer = -1;
constexpr int32_t SigevSignal = 0, SigevNone = 1, SigevThreadId = 4;

/// Moves a due timer to its next deadline; returns how many further periods
/// passed (the overrun), or -1 when it is now disarmed.
int64_t rearm(IntervalTimer &T, uint64_t Now) {
  if (!T.Interval) {
    T.Deadline = 0;
    return -1;
  }
  uint64_t Missed = (Now - T.Deadline) / T.Interval;
  T.Deadline += (Missed + 1) * T.Interval;
  return int64_t(Missed);
}

} // namespace

void Kernel::setProcessTimer(ThreadGroup &G, int32_t Timer, IntervalTimer Value) {
  IntervalTimer &Slot = Timer == RealTimer ? G.RealTimer : G.PosixTimers.at(Timer).Timer;
  if (Slot.Deadline)
    ProcessTimers.erase({Slot.Deadline, G.Pid, Timer});
  Slot = Value;
  if (Slot.Deadline)
    ProcessTimers.insert({Slot.Deadline, G.Pid, Timer});
}

void Kernel::clearProcessTimers(ThreadGroup &G, bool PosixOnly) {
  for (auto &[Id, P] : G.PosixTimers)
    if (P.Timer.Deadline)
      ProcessTimers.erase({P.Timer.Deadline, G.Pid, Id});
  G.PosixTimers.clear();
  if (PosixOnly)
    return;
  if (G.RealTimer.Deadline)
    ProcessTimers.erase({G.RealTimer.Deadline, G.Pid, RealTimer});
  G.RealTimer = G.VirtualTimer = G.ProfTimer = IntervalTimer{};
}

bool Kernel::fireProcessTimers() {
  bool Any = false;
  uint64_t Now = monotonicNs();
  while (!ProcessTimers.empty() && std::get<0>(*ProcessTimers.begin()) <= Now) {
    auto [Deadline, Pid, Timer] = *ProcessTimers.begin();
    ProcessTimers.erase(ProcessTimers.begin());
    ThreadGroup *G = groupByPid(Pid);
    if (!G || G->State != ThreadGroup::Life::Alive)
      continue;
    Any = true;
    if (Timer == RealTimer) {
      rearm(G->RealTimer, Now);
      if (G->RealTimer.Deadline)
        ProcessTimers.insert({G->RealTimer.Deadline, Pid, Timer});
      sendSignal(*G, nullptr, SigInfo::kernel(LX_SIGALRM));
      continue;
    }
    auto It = G->PosixTimers.find(Timer);
    if (It == G->PosixTimers.end())
      continue;
    PosixTimer &P = It->second;
    int64_t Missed = rearm(P.Timer, Now);
    if (P.Timer.Deadline)
      ProcessTimers.insert({P.Timer.Deadline, Pid, Timer});
    if (P.Notify == SigevNone)
      continue;
    P.LastOverrun = int32_t(std::min<int64_t>(std::max<int64_t>(Missed, 0), INT32_MAX));
    SigInfo I{P.Signo, 0, LX_SI_TIMER};
    I.set<int32_t>(0, Timer);
    I.set<int32_t>(4, P.LastOverrun);
    I.set<uint64_t>(8, P.Value);
    Task *Target = nullptr;
    if (P.Notify == SigevThreadId) {
      Target = taskByTid(P.TargetTid);
      if (!Target || &Target->group() != G)
        continue;
    }
    sendSignal(*G, Target, I);
  }
  return Any;
}

uint64_t Kernel::processCpuNs(ThreadGroup &G) {
  uint64_t Ns = G.CpuNs;
  for (Task *Th : G.Threads)
    Ns += Th->CpuNs;
  // A thread of G is running (in a system call): its slice so far counts,
  // or a timer set now would be due early and a value read now stale.
  if (Current && &Current->group() == &G)
    Ns += sliceNs();
  return Ns;
}

void Kernel::checkCpuTimers(ThreadGroup &G) {
  if (!G.VirtualTimer.Deadline && !G.ProfTimer.Deadline)
    return;
  uint64_t Now = processCpuNs(G);
  // All guest work counts as user time: both timers run on it.
  for (auto [Slot, Sig] : {std::pair{&G.VirtualTimer, LX_SIGVTALRM},
                           std::pair{&G.ProfTimer, LX_SIGPROF}})
    if (Slot->Deadline && Slot->Deadline <= Now) {
      rearm(*Slot, Now);
      sendSignal(G, nullptr, SigInfo::kernel(Sig));
    }
}

} // namespace reprise
