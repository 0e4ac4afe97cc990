//===- kernel/syscalls/Time.cpp - Clocks and sleeping, on virtual time ----===//
#include "kernel/Kernel.h"
#include "kernel/abi/Structs.h"

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint64_t NsPerSec = 1'000'000'000;

Result<uint64_t> clockNs(Kernel &K, int32_t Clock) {
  switch (Clock) {
  case LX_CLOCK_REALTIME:
  case LX_CLOCK_REALTIME_COARSE:
  case LX_CLOCK_REALTIME_ALARM:
  case LX_CLOCK_TAI: {
    auto R = K.realtime();
    return uint64_t(R.Sec) * NsPerSec + uint64_t(R.Nsec);
  }
  case LX_CLOCK_MONOTONIC:
  case LX_CLOCK_MONOTONIC_RAW:
  case LX_CLOCK_MONOTONIC_COARSE:
  case LX_CLOCK_BOOTTIME:
  case LX_CLOCK_BOOTTIME_ALARM:
    return K.monotonicNs();
  case LX_CLOCK_PROCESS_CPUTIME_ID:
  case LX_CLOCK_THREAD_CPUTIME_ID:
    return K.cpuTimeNs();
  default:
    return Errno::LX_EINVAL;
  }
}

timespec toTimespec(uint64_t Ns) {
  return {int64_t(Ns / NsPerSec), int64_t(Ns % NsPerSec)};
}

Result<uint64_t> readTimespec(Task &T, uint64_t Addr) {
  auto Ts = REPRISE_TRY(T.copyInObj<timespec>(Addr));
  if (Ts.tv_sec < 0 || Ts.tv_nsec < 0 || Ts.tv_nsec >= int64_t(NsPerSec))
    return Errno::LX_EINVAL;
  if (uint64_t(Ts.tv_sec) > UINT64_MAX / NsPerSec - 1)
    return UINT64_MAX / 2;
  return uint64_t(Ts.tv_sec) * NsPerSec + uint64_t(Ts.tv_nsec);
}

} // namespace

// Implements clock_gettime(2).
SysResult sysClockGettime(Task &T, const SyscallArgs &A) {
  uint64_t Ns = REPRISE_TRY(clockNs(T.kernel(), A.i32(0)));
  REPRISE_TRY(T.copyOutObj(A.arg(1), toTimespec(Ns)));
  return 0;
}

// Implements clock_getres(2).
SysResult sysClockGetres(Task &T, const SyscallArgs &A) {
  int32_t C = A.i32(0);
  REPRISE_TRY(clockNs(T.kernel(), C));
  bool Coarse = C == LX_CLOCK_REALTIME_COARSE || C == LX_CLOCK_MONOTONIC_COARSE;
  if (A.arg(1))
    REPRISE_TRY(T.copyOutObj(A.arg(1), timespec{0, Coarse ? 4'000'000 : 1}));
  return 0;
}

// Implements gettimeofday(2).
SysResult sysGettimeofday(Task &T, const SyscallArgs &A) {
  auto R = T.kernel().realtime();
  if (A.arg(0))
    REPRISE_TRY(T.copyOutObj(A.arg(0), timeval{R.Sec, R.Nsec / 1000}));
  if (A.arg(1))
    REPRISE_TRY(T.copyOutObj(A.arg(1), uint64_t(0))); // UTC, no DST
  return 0;
}

// Implements time(2).
SysResult sysTime(Task &T, const SyscallArgs &A) {
  int64_t S = T.kernel().realtime().Sec;
  if (A.arg(0))
    REPRISE_TRY(T.copyOutObj(A.arg(0), S));
  return S;
}

namespace {

/// Blocks \p T until virtual monotonic time \p Deadline (kept from the
/// first call when the sleep is re-run after a wake-up).
SysResult sleepUntil(Task &T, uint64_t Deadline, const char *What,
                     uint64_t RemAddr) {
  Kernel &K = T.kernel();
  if (T.Wait.Restarted)
    Deadline = T.Wait.Deadline;
  if (K.monotonicNs() >= Deadline)
    return 0;
  T.Wait.Restart = RestartKind::Block; // a handler ends the sleep: EINTR
  T.Wait.RemAddr = RemAddr;             // and learns the time left here
  return K.block(T, {}, Deadline, What);
}

} // namespace

// Implements nanosleep(2): the task sleeps on the virtual clock; others run,
// and when every task sleeps the clock jumps to the first deadline.
SysResult sysNanosleep(Task &T, const SyscallArgs &A) {
  uint64_t Deadline = 0;
  if (!T.Wait.Restarted) {
    uint64_t Ns = REPRISE_TRY(readTimespec(T, A.arg(0)));
    Deadline = T.kernel().monotonicNs() + Ns;
  }
  return sleepUntil(T, Deadline, "nanosleep", A.arg(1));
}

// Implements clock_nanosleep(2).
SysResult sysClockNanosleep(Task &T, const SyscallArgs &A) {
  int32_t C = A.i32(0);
  if (C == LX_CLOCK_PROCESS_CPUTIME_ID || C == LX_CLOCK_THREAD_CPUTIME_ID)
    return Errno::LX_EINVAL;
  uint64_t Now = REPRISE_TRY(clockNs(T.kernel(), C));
  if (A.u32(1) & ~LX_TIMER_ABSTIME)
    return Errno::LX_EINVAL;
  uint64_t Deadline = 0;
  if (!T.Wait.Restarted) {
    uint64_t Ns = REPRISE_TRY(readTimespec(T, A.arg(2)));
    if (A.u32(1) & LX_TIMER_ABSTIME)
      Ns = Ns > Now ? Ns - Now : 0;
    Deadline = T.kernel().monotonicNs() + Ns;
  }
  // Only a relative sleep reports the time left.
  return sleepUntil(T, Deadline, "clock_nanosleep",
                    (A.u32(1) & LX_TIMER_ABSTIME) ? 0 : A.arg(3));
}

} // namespace reprise
