//===- kernel/syscalls/Info.cpp - Identity, limits, system facts ----------===//
#include "kernel/Kernel.h"
#include "kernel/abi/Structs.h"

#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

bool isSelf(Task &T, int32_t Pid) { return Pid == 0 || Pid == T.vnr(T.group().Id); }

Result<int64_t> prlimitImpl(Task &T, int32_t Pid, int32_t R, uint64_t New,
                            uint64_t Old) {
  if (!isSelf(T, Pid))
    return Errno::LX_ESRCH;
  if (R < 0 || R >= LX_RLIMIT_NLIMITS)
    return Errno::LX_EINVAL;
  RLimit &L = T.group().Limits[size_t(R)];
  rlimit64 Want{};
  if (New) {
    Want = REPRISE_TRY(T.copyInObj<rlimit64>(New));
    if (Want.rlim_cur > Want.rlim_max)
      return Errno::LX_EINVAL;
    if (Want.rlim_max > L.Max && T.Ids.Euid != 0)
      return Errno::LX_EPERM;
    if (R == LX_RLIMIT_NOFILE && Want.rlim_max > 1048576)
      return Errno::LX_EPERM; // fs.nr_open
  }
  if (Old)
    REPRISE_TRY(T.copyOutObj(Old, rlimit64{L.Cur, L.Max}));
  if (New)
    L = {Want.rlim_cur, Want.rlim_max};
  return int64_t(0);
}

void copyField(char (&Dst)[65], const std::string &Src) {
  std::memset(Dst, 0, sizeof Dst);
  std::memcpy(Dst, Src.data(), std::min<size_t>(Src.size(), sizeof Dst - 1));
}

} // namespace

// Implements uname(2). The kernel release is fixed: the same on every host.
SysResult sysUname(Task &T, const SyscallArgs &A) {
  new_utsname U;
  copyField(U.sysname, "Linux");
  copyField(U.nodename, T.kernel().options().Hostname);
  copyField(U.release, KernelRelease);
  copyField(U.version, KernelVersion);
  copyField(U.machine, T.arch() == Arch::X86_64 ? "x86_64" : "aarch64");
  copyField(U.domainname, "(none)");
  REPRISE_TRY(T.copyOutObj(A.arg(0), U));
  return 0;
}

// Implements sysinfo(2): memory figures are the guest's budget and use.
SysResult sysSysinfo(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  sysinfo S{};
  S.uptime = int64_t(K.monotonicNs() / 1'000'000'000);
  S.totalram = K.options().MaxMemory;
  S.freeram = S.totalram - std::min(S.totalram, T.mm().committed());
  S.procs = uint16_t(K.processIds().size());
  S.mem_unit = 1;
  REPRISE_TRY(T.copyOutObj(A.arg(0), S));
  return 0;
}

// Implements getrusage(2). All of a process's work is user time (reprise
// does not tell kernel work apart); counters of events reprise has no model
// of (faults, context switches, block I/O) stay zero.
SysResult sysGetrusage(Task &T, const SyscallArgs &A) {
  uint64_t Ns = 0;
  switch (A.i32(0)) {
  case LX_RUSAGE_SELF:
    Ns = T.kernel().processCpuNs(T.group());
    break;
  case LX_RUSAGE_CHILDREN:
    Ns = T.group().ChildrenCpuNs;
    break;
  case LX_RUSAGE_THREAD:
    Ns = T.CpuNs;
    break;
  default:
    return Errno::LX_EINVAL;
  }
  rusage R{};
  R.ru_utime[0] = int64_t(Ns / 1'000'000'000);
  R.ru_utime[1] = int64_t(Ns % 1'000'000'000 / 1000);
  REPRISE_TRY(T.copyOutObj(A.arg(1), R));
  return 0;
}

// Implements times(2): the process's and its reaped children's work in
// clock ticks (USER_HZ 100), and the ticks since boot as the result.
SysResult sysTimes(Task &T, const SyscallArgs &A) {
  constexpr uint64_t NsPerTick = 10'000'000;
  Kernel &K = T.kernel();
  if (A.arg(0)) {
    tms Buf{};
    Buf.tms_utime = int64_t(K.processCpuNs(T.group()) / NsPerTick);
    Buf.tms_cutime = int64_t(T.group().ChildrenCpuNs / NsPerTick);
    REPRISE_TRY(T.copyOutObj(A.arg(0), Buf));
  }
  return int64_t(K.monotonicNs() / NsPerTick);
}

// Implements getrandom(2): bytes from the seeded generator.
SysResult sysGetrandom(Task &T, const SyscallArgs &A) {
  uint32_t Flags = A.u32(2);
  if (Flags & ~(LX_GRND_NONBLOCK | LX_GRND_RANDOM | LX_GRND_INSECURE))
    return Errno::LX_EINVAL;
  if ((Flags & LX_GRND_RANDOM) && (Flags & LX_GRND_INSECURE))
    return Errno::LX_EINVAL;
  uint64_t Len = std::min<uint64_t>(A.arg(1), 0x1ffffff);
  if (!T.mm().accessible(A.arg(0), Len, true))
    return Errno::LX_EFAULT;
  std::vector<uint8_t> Buf(size_t(std::min<uint64_t>(Len, 1 << 20)));
  uint64_t Done = 0;
  while (Done < Len) {
    size_t N = size_t(std::min<uint64_t>(Len - Done, Buf.size()));
    T.kernel().random().fill({Buf.data(), N});
    REPRISE_TRY(T.copyOut(A.arg(0) + Done, {Buf.data(), N}));
    Done += N;
  }
  return int64_t(Done);
}

// Implements getpid(2).
SysResult sysGetpid(Task &T, const SyscallArgs &) { return T.vnr(T.group().Id); }
// Implements gettid(2).
SysResult sysGettid(Task &T, const SyscallArgs &) { return T.vnr(T.Id); }
// Implements getppid(2). The first process's parent is outside the guest: 0.
SysResult sysGetppid(Task &T, const SyscallArgs &) {
  ThreadGroup *P = T.group().Parent;
  return P ? T.vnr(P->Id) : 0;
}
// Implements getuid(2).
SysResult sysGetuid(Task &T, const SyscallArgs &) { return T.Ids.Ruid; }
// Implements geteuid(2).
SysResult sysGeteuid(Task &T, const SyscallArgs &) { return T.Ids.Euid; }
// Implements getgid(2).
SysResult sysGetgid(Task &T, const SyscallArgs &) { return T.Ids.Rgid; }
// Implements getegid(2).
SysResult sysGetegid(Task &T, const SyscallArgs &) { return T.Ids.Egid; }

// Implements sched_getaffinity(2): the guest sees one CPU.
SysResult sysSchedGetaffinity(Task &T, const SyscallArgs &A) {
  if (!isSelf(T, A.i32(0)) && T.kernel().taskIn(T.pidNs(), A.i32(0)) == nullptr)
    return Errno::LX_ESRCH;
  uint64_t Len = A.arg(1);
  if (Len < 8 || (Len & 7))
    return Errno::LX_EINVAL;
  REPRISE_TRY(T.copyOutObj(A.arg(2), uint64_t(1)));
  return 8;
}

// Implements sched_setaffinity(2): the guest has one CPU, so a mask must
// hold CPU 0 (EINVAL otherwise, as for a mask of offline CPUs); the
// setting changes nothing else.
SysResult sysSchedSetaffinity(Task &T, const SyscallArgs &A) {
  if (!isSelf(T, A.i32(0)) && T.kernel().taskIn(T.pidNs(), A.i32(0)) == nullptr)
    return Errno::LX_ESRCH;
  uint64_t Len = A.arg(1);
  if (Len == 0)
    return Errno::LX_EINVAL;
  uint8_t First = REPRISE_TRY(T.copyInObj<uint8_t>(A.arg(2)));
  if (!(First & 1))
    return Errno::LX_EINVAL;
  return 0;
}

// Implements sched_yield(2): the next runnable task gets the CPU.
SysResult sysSchedYield(Task &T, const SyscallArgs &) {
  T.kernel().yield(T);
  return 0;
}

// Implements prlimit64(2).
SysResult sysPrlimit64(Task &T, const SyscallArgs &A) {
  return prlimitImpl(T, A.i32(0), A.i32(1), A.arg(2), A.arg(3));
}

// Implements getrlimit(2).
SysResult sysGetrlimit(Task &T, const SyscallArgs &A) {
  return prlimitImpl(T, 0, A.i32(0), 0, A.arg(1));
}

// Implements setrlimit(2).
SysResult sysSetrlimit(Task &T, const SyscallArgs &A) {
  return prlimitImpl(T, 0, A.i32(0), A.arg(1), 0);
}

// Implements arch_prctl(2) (x86-64).
SysResult sysArchPrctl(Task &T, const SyscallArgs &A) {
  cpu::Engine &E = T.cpu();
  switch (A.i32(0)) {
  case LX_ARCH_SET_FS:
    if (A.arg(1) >= 0x800000000000ull)
      return Errno::LX_EPERM; // not a canonical user address
    E.setReg(cpu::Reg::Tls, A.arg(1));
    return 0;
  case LX_ARCH_SET_GS:
    if (A.arg(1) >= 0x800000000000ull)
      return Errno::LX_EPERM;
    E.setReg(cpu::Reg::X86GsBase, A.arg(1));
    return 0;
  case LX_ARCH_GET_FS:
    REPRISE_TRY(T.copyOutObj(A.arg(1), E.reg(cpu::Reg::Tls)));
    return 0;
  case LX_ARCH_GET_GS:
    REPRISE_TRY(T.copyOutObj(A.arg(1), E.reg(cpu::Reg::X86GsBase)));
    return 0;
  case LX_ARCH_GET_CPUID:
    return 1; // cpuid does not fault
  case LX_ARCH_SET_CPUID:
    return A.arg(1) ? 0 : SysResult(Errno::LX_ENODEV);
  default:
    return Errno::LX_EINVAL;
  }
}

// Implements set_tid_address(2).
SysResult sysSetTidAddress(Task &T, const SyscallArgs &A) {
  T.ClearChildTid = A.arg(0);
  return T.vnr(T.Id);
}

// Implements set_robust_list(2).
SysResult sysSetRobustList(Task &T, const SyscallArgs &A) {
  if (A.arg(1) != 24) // sizeof(struct robust_list_head)
    return Errno::LX_EINVAL;
  T.RobustList = A.arg(0);
  T.RobustListLen = A.arg(1);
  return 0;
}

// Implements rseq(2) by declining it: glibc then runs without restartable
// sequences.
SysResult sysRseq(Task &, const SyscallArgs &) { return Errno::LX_ENOSYS; }

// Implements exit(2): ends the calling thread; the last one ends the process.
SysResult sysExit(Task &T, const SyscallArgs &A) {
  T.kernel().exitThread(T, (A.i32(0) & 0xff) << 8);
  return 0;
}

// Implements exit_group(2).
SysResult sysExitGroup(Task &T, const SyscallArgs &A) {
  T.kernel().exitGroup(T, (A.i32(0) & 0xff) << 8);
  return 0;
}

// Implements getcpu(2): the guest has one CPU, 0, on node 0.
SysResult sysGetcpu(Task &T, const SyscallArgs &A) {
  if (A.arg(0))
    REPRISE_TRY(T.copyOutObj(A.arg(0), uint32_t(0)));
  if (A.arg(1))
    REPRISE_TRY(T.copyOutObj(A.arg(1), uint32_t(0)));
  return 0;
}

namespace {

/// The threads getpriority/setpriority's (WHICH, WHO) names: a thread, the
/// threads of a process group, or those of a real uid (0: the caller's).
Result<std::vector<Task *>> priorityTargets(Task &T, int32_t Which, int32_t Who) {
  constexpr int32_t PrioProcess = 0, PrioPgrp = 1, PrioUser = 2;
  Kernel &K = T.kernel();
  std::vector<Task *> Out;
  if (Which == PrioProcess) {
    if (Task *X = Who == 0 ? &T : K.taskIn(T.pidNs(), Who))
      Out.push_back(X);
  } else if (Which == PrioPgrp || Which == PrioUser) {
    const PidNumbers *Pgrp = nullptr;
    if (Which == PrioPgrp)
      Pgrp = Who == 0 ? T.group().Pgrp.get() : T.pidNs().find(Who);
    uint32_t Uid = Who == 0 ? T.Ids.Ruid : uint32_t(Who);
    for (const auto &[P, G] : K.groups()) {
      if (!T.vnr(G->Id) || (Which == PrioPgrp && (!Pgrp || G->Pgrp.get() != Pgrp)))
        continue;
      for (Task *Th : G->Threads)
        if (Which == PrioPgrp || Th->Ids.Ruid == Uid)
          Out.push_back(Th);
    }
  } else {
    return Errno::LX_EINVAL;
  }
  if (Out.empty())
    return Errno::LX_ESRCH;
  return Out;
}

/// Whether \p T may change \p Target's scheduling: privileged, or its
/// effective uid is the target's real or effective one.
bool mayReschedule(const Task &T, const Task &Target) {
  return T.Ids.Euid == 0 || T.Ids.Euid == Target.Ids.Ruid ||
         T.Ids.Euid == Target.Ids.Euid;
}

/// The thread a sched_* call names: the caller for 0.
Result<Task *> schedTarget(Task &T, int32_t Pid) {
  if (Pid < 0)
    return Errno::LX_EINVAL;
  Task *X = Pid == 0 ? &T : T.kernel().taskIn(T.pidNs(), Pid);
  if (!X)
    return Errno::LX_ESRCH;
  return X;
}

constexpr int32_t SchedOther = 0, SchedFifo = 1, SchedRr = 2, SchedBatch = 3,
                  SchedIdle = 5, SchedResetOnFork = 0x40000000;

bool realTime(int32_t Policy) { return Policy == SchedFifo || Policy == SchedRr; }

/// Sets \p X's policy and priority after Linux's checks.
SysResult setSched(Task &T, Task &X, int32_t Policy, int32_t Priority) {
  if (Policy != SchedOther && !realTime(Policy) && Policy != SchedBatch &&
      Policy != SchedIdle)
    return Errno::LX_EINVAL;
  if (realTime(Policy) ? (Priority < 1 || Priority > 99) : Priority != 0)
    return Errno::LX_EINVAL;
  if (!mayReschedule(T, X))
    return Errno::LX_EPERM;
  // Real-time policies need RLIMIT_RTPRIO room (0 by default) or privilege.
  if (realTime(Policy) && T.Ids.Euid != 0 &&
      uint64_t(Priority) > T.kernel().limit(X, LX_RLIMIT_RTPRIO))
    return Errno::LX_EPERM;
  X.SchedPolicy = Policy;
  X.SchedPriority = Priority;
  return 0;
}

} // namespace

// Implements getpriority(2): 20 minus the lowest nice value among the
// targets (the raw system call's form; libc turns it back into a nice
// value).
SysResult sysGetpriority(Task &T, const SyscallArgs &A) {
  auto Targets = REPRISE_TRY(priorityTargets(T, A.i32(0), A.i32(1)));
  int32_t Lowest = 19;
  for (Task *X : Targets)
    Lowest = std::min(Lowest, X->Nice);
  return 20 - Lowest;
}

// Implements setpriority(2). Raising a nice value is free; lowering it
// needs privilege or RLIMIT_NICE room. The nice values are kept and shown
// but reprise's scheduler does not weigh tasks by them.
SysResult sysSetpriority(Task &T, const SyscallArgs &A) {
  auto Targets = REPRISE_TRY(priorityTargets(T, A.i32(0), A.i32(1)));
  int32_t Nice = std::clamp(A.i32(2), -20, 19);
  SysResult Result = Errno::LX_ESRCH;
  for (Task *X : Targets) {
    if (!mayReschedule(T, *X)) {
      Result = Errno::LX_EPERM;
      continue;
    }
    if (Nice < X->Nice && T.Ids.Euid != 0 &&
        uint64_t(20 - Nice) > T.kernel().limit(*X, LX_RLIMIT_NICE)) {
      Result = Errno::LX_EACCES;
      continue;
    }
    X->Nice = Nice;
    if (!Result.ok() && Result.error() == Errno::LX_ESRCH)
      Result = 0;
  }
  return Result;
}

// Implements sched_setscheduler(2). Policies and priorities are kept and
// reported; the deterministic scheduler does not act on them.
SysResult sysSchedSetscheduler(Task &T, const SyscallArgs &A) {
  Task *X = REPRISE_TRY(schedTarget(T, A.i32(0)));
  if (!A.arg(2))
    return Errno::LX_EINVAL;
  int32_t Priority = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(2)));
  return setSched(T, *X, A.i32(1) & ~SchedResetOnFork, Priority);
}

// Implements sched_getscheduler(2).
SysResult sysSchedGetscheduler(Task &T, const SyscallArgs &A) {
  Task *X = REPRISE_TRY(schedTarget(T, A.i32(0)));
  return X->SchedPolicy;
}

// Implements sched_setparam(2): the priority, under the current policy.
SysResult sysSchedSetparam(Task &T, const SyscallArgs &A) {
  Task *X = REPRISE_TRY(schedTarget(T, A.i32(0)));
  if (!A.arg(1))
    return Errno::LX_EINVAL;
  int32_t Priority = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(1)));
  return setSched(T, *X, X->SchedPolicy, Priority);
}

// Implements sched_getparam(2).
SysResult sysSchedGetparam(Task &T, const SyscallArgs &A) {
  Task *X = REPRISE_TRY(schedTarget(T, A.i32(0)));
  if (!A.arg(1))
    return Errno::LX_EINVAL;
  REPRISE_TRY(T.copyOutObj(A.arg(1), X->SchedPriority));
  return 0;
}

// Implements sched_get_priority_max(2).
SysResult sysSchedGetPriorityMax(Task &, const SyscallArgs &A) {
  int32_t P = A.i32(0);
  if (realTime(P))
    return 99;
  if (P == SchedOther || P == SchedBatch || P == SchedIdle)
    return 0;
  return Errno::LX_EINVAL;
}

// Implements sched_get_priority_min(2).
SysResult sysSchedGetPriorityMin(Task &, const SyscallArgs &A) {
  int32_t P = A.i32(0);
  if (realTime(P))
    return 1;
  if (P == SchedOther || P == SchedBatch || P == SchedIdle)
    return 0;
  return Errno::LX_EINVAL;
}

// Implements sched_rr_get_interval(2): 0 for SCHED_FIFO, else 100 ms (the
// round-robin slice Linux uses; a fixed value, not the host's).
SysResult sysSchedRrGetInterval(Task &T, const SyscallArgs &A) {
  Task *X = REPRISE_TRY(schedTarget(T, A.i32(0)));
  timespec Ts{0, X->SchedPolicy == SchedFifo ? 0 : 100'000'000};
  REPRISE_TRY(T.copyOutObj(A.arg(1), Ts));
  return 0;
}

} // namespace reprise
