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
    if (Want.rlim_max > L.Max && T.Creds.Uid != 0)
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
  copyField(U.release, "6.1.0-reprise");
  copyField(U.version, "#1 SMP PREEMPT_DYNAMIC reprise");
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
SysResult sysGetuid(Task &T, const SyscallArgs &) { return T.Creds.Uid; }
// Implements geteuid(2).
SysResult sysGeteuid(Task &T, const SyscallArgs &) { return T.Creds.Uid; }
// Implements getgid(2).
SysResult sysGetgid(Task &T, const SyscallArgs &) { return T.Creds.Gid; }
// Implements getegid(2).
SysResult sysGetegid(Task &T, const SyscallArgs &) { return T.Creds.Gid; }

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

} // namespace reprise
