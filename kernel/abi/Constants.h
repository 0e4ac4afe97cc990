//===- kernel/abi/Constants.h - Linux flag and request values ---*- C++ -*-===//
//
// Values shared by x86-64 and arm64. Where the two arches differ (open(2)
// flags) the per-arch values live in OpenFlags.h and are translated at the
// syscall boundary into the canonical (x86-64 numbered) set used inside.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace reprise::linux_abi {

// open(2) access mode and flags that are the same on both arches.
inline constexpr uint32_t LX_O_ACCMODE = 03, LX_O_RDONLY = 0, LX_O_WRONLY = 01, LX_O_RDWR = 02;
inline constexpr uint32_t LX_O_CREAT = 0100, LX_O_EXCL = 0200, LX_O_NOCTTY = 0400,
                          LX_O_TRUNC = 01000, LX_O_APPEND = 02000,
                          LX_O_NONBLOCK = 04000, LX_O_DSYNC = 010000,
                          LX_O_ASYNC = 020000, LX_O_NOATIME = 01000000,
                          LX_O_CLOEXEC = 02000000, LX_O_SYNC = 04010000,
                          LX_O_PATH = 010000000, LX_O_TMPFILE_BASE = 020000000;
// Canonical values of the flags whose numbers differ per arch (x86-64's).
inline constexpr uint32_t LX_O_DIRECT = 040000, LX_O_LARGEFILE = 0100000,
                          LX_O_DIRECTORY = 0200000, LX_O_NOFOLLOW = 0400000;

inline constexpr int32_t LX_AT_FDCWD = -100;
inline constexpr uint32_t LX_AT_SYMLINK_NOFOLLOW = 0x100, LX_AT_REMOVEDIR = 0x200,
                          LX_AT_EACCESS = 0x200, LX_AT_SYMLINK_FOLLOW = 0x400,
                          LX_AT_NO_AUTOMOUNT = 0x800, LX_AT_EMPTY_PATH = 0x1000,
                          LX_AT_STATX_SYNC_TYPE = 0x6000;
inline constexpr uint32_t LX_RENAME_NOREPLACE = 1, LX_RENAME_EXCHANGE = 2,
                          LX_RENAME_WHITEOUT = 4;
inline constexpr uint32_t LX_F_OK = 0, LX_X_OK = 1, LX_W_OK = 2, LX_R_OK = 4;

inline constexpr uint32_t LX_SEEK_SET = 0, LX_SEEK_CUR = 1, LX_SEEK_END = 2,
                          LX_SEEK_DATA = 3, LX_SEEK_HOLE = 4;

// fcntl(2).
inline constexpr int32_t LX_F_DUPFD = 0, LX_F_GETFD = 1, LX_F_SETFD = 2, LX_F_GETFL = 3,
                         LX_F_SETFL = 4, LX_F_GETLK = 5, LX_F_SETLK = 6, LX_F_SETLKW = 7,
                         LX_F_SETOWN = 8, LX_F_GETOWN = 9, LX_F_DUPFD_CLOEXEC = 1030,
                         LX_F_GETPIPE_SZ = 1032, LX_F_ADD_SEALS = 1033,
                         LX_F_GET_SEALS = 1034;
inline constexpr uint32_t LX_FD_CLOEXEC = 1;

// File types and permission bits (st_mode).
inline constexpr uint32_t LX_S_IFMT = 0170000, LX_S_IFSOCK = 0140000,
                          LX_S_IFLNK = 0120000, LX_S_IFREG = 0100000,
                          LX_S_IFBLK = 0060000, LX_S_IFDIR = 0040000,
                          LX_S_IFCHR = 0020000, LX_S_IFIFO = 0010000;
inline constexpr uint32_t LX_S_ISUID = 04000, LX_S_ISGID = 02000, LX_S_ISVTX = 01000,
                          LX_S_IXGRP = 00010;
inline constexpr uint8_t LX_DT_UNKNOWN = 0, LX_DT_FIFO = 1, LX_DT_CHR = 2, LX_DT_DIR = 4,
                         LX_DT_BLK = 6, LX_DT_REG = 8, LX_DT_LNK = 10, LX_DT_SOCK = 12;

// mmap(2), mprotect(2), mremap(2), madvise(2).
inline constexpr uint32_t LX_PROT_NONE = 0, LX_PROT_READ = 1, LX_PROT_WRITE = 2,
                          LX_PROT_EXEC = 4, LX_PROT_GROWSDOWN = 0x01000000,
                          LX_PROT_GROWSUP = 0x02000000;
inline constexpr uint32_t LX_MAP_SHARED = 0x01, LX_MAP_PRIVATE = 0x02,
                          LX_MAP_SHARED_VALIDATE = 0x03, LX_MAP_TYPE = 0x0f,
                          LX_MAP_FIXED = 0x10, LX_MAP_ANONYMOUS = 0x20,
                          LX_MAP_GROWSDOWN = 0x100, LX_MAP_DENYWRITE = 0x800,
                          LX_MAP_EXECUTABLE = 0x1000, LX_MAP_LOCKED = 0x2000,
                          LX_MAP_NORESERVE = 0x4000, LX_MAP_POPULATE = 0x8000,
                          LX_MAP_NONBLOCK = 0x10000, LX_MAP_STACK = 0x20000,
                          LX_MAP_HUGETLB = 0x40000, LX_MAP_SYNC = 0x80000,
                          LX_MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr uint32_t LX_MAP_32BIT_X86 = 0x40; // x86-64 only
inline constexpr uint32_t LX_MREMAP_MAYMOVE = 1, LX_MREMAP_FIXED = 2,
                          LX_MREMAP_DONTUNMAP = 4;
inline constexpr int32_t LX_MADV_NORMAL = 0, LX_MADV_RANDOM = 1,
                         LX_MADV_SEQUENTIAL = 2, LX_MADV_WILLNEED = 3,
                         LX_MADV_DONTNEED = 4, LX_MADV_FREE = 8, LX_MADV_REMOVE = 9,
                         LX_MADV_DONTFORK = 10, LX_MADV_DOFORK = 11,
                         LX_MADV_MERGEABLE = 12, LX_MADV_UNMERGEABLE = 13,
                         LX_MADV_HUGEPAGE = 14, LX_MADV_NOHUGEPAGE = 15,
                         LX_MADV_DONTDUMP = 16, LX_MADV_DODUMP = 17,
                         LX_MADV_WIPEONFORK = 18, LX_MADV_KEEPONFORK = 19,
                         LX_MADV_COLD = 20, LX_MADV_PAGEOUT = 21;

// arch_prctl(2), x86-64.
inline constexpr int32_t LX_ARCH_SET_GS = 0x1001, LX_ARCH_SET_FS = 0x1002,
                         LX_ARCH_GET_FS = 0x1003, LX_ARCH_GET_GS = 0x1004,
                         LX_ARCH_GET_CPUID = 0x1011, LX_ARCH_SET_CPUID = 0x1012;

// Clocks.
inline constexpr int32_t LX_CLOCK_REALTIME = 0, LX_CLOCK_MONOTONIC = 1,
                         LX_CLOCK_PROCESS_CPUTIME_ID = 2,
                         LX_CLOCK_THREAD_CPUTIME_ID = 3, LX_CLOCK_MONOTONIC_RAW = 4,
                         LX_CLOCK_REALTIME_COARSE = 5,
                         LX_CLOCK_MONOTONIC_COARSE = 6, LX_CLOCK_BOOTTIME = 7,
                         LX_CLOCK_REALTIME_ALARM = 8, LX_CLOCK_BOOTTIME_ALARM = 9,
                         LX_CLOCK_TAI = 11;
inline constexpr uint32_t LX_TIMER_ABSTIME = 1;

// getrandom(2).
inline constexpr uint32_t LX_GRND_NONBLOCK = 1, LX_GRND_RANDOM = 2,
                          LX_GRND_INSECURE = 4;

// Resource limits.
inline constexpr int32_t LX_RLIMIT_CPU = 0, LX_RLIMIT_FSIZE = 1, LX_RLIMIT_DATA = 2,
                         LX_RLIMIT_STACK = 3, LX_RLIMIT_CORE = 4, LX_RLIMIT_RSS = 5,
                         LX_RLIMIT_NPROC = 6, LX_RLIMIT_NOFILE = 7,
                         LX_RLIMIT_MEMLOCK = 8, LX_RLIMIT_AS = 9, LX_RLIMIT_LOCKS = 10,
                         LX_RLIMIT_SIGPENDING = 11, LX_RLIMIT_MSGQUEUE = 12,
                         LX_RLIMIT_NICE = 13, LX_RLIMIT_RTPRIO = 14,
                         LX_RLIMIT_RTTIME = 15, LX_RLIMIT_NLIMITS = 16;
inline constexpr uint64_t LX_RLIM_INFINITY = ~uint64_t(0);

// Terminal ioctls (same numbers on x86-64 and arm64).
inline constexpr uint32_t LX_TCGETS = 0x5401, LX_TCSETS = 0x5402, LX_TCSETSW = 0x5403,
                          LX_TCSETSF = 0x5404, LX_TIOCGPGRP = 0x540f,
                          LX_TIOCSPGRP = 0x5410, LX_TIOCGSID = 0x5429, LX_TIOCGWINSZ = 0x5413,
                          LX_TIOCSWINSZ = 0x5414, LX_FIONREAD = 0x541b,
                          LX_FIONBIO = 0x5421, LX_FIOCLEX = 0x5451, LX_FIONCLEX = 0x5450;

// poll(2) events (asm-generic values, which x86-64 and arm64 both use).
inline constexpr uint16_t LX_POLLIN = 0x1, LX_POLLPRI = 0x2, LX_POLLOUT = 0x4,
                          LX_POLLERR = 0x8, LX_POLLHUP = 0x10, LX_POLLNVAL = 0x20,
                          LX_POLLRDNORM = 0x40, LX_POLLRDBAND = 0x80,
                          LX_POLLWRNORM = 0x100, LX_POLLWRBAND = 0x200;

// Signals (numbering is the same on x86-64 and arm64).
inline constexpr int32_t LX_SIGHUP = 1, LX_SIGINT = 2, LX_SIGQUIT = 3, LX_SIGILL = 4,
                         LX_SIGTRAP = 5, LX_SIGABRT = 6, LX_SIGBUS = 7, LX_SIGFPE = 8,
                         LX_SIGKILL = 9, LX_SIGUSR1 = 10, LX_SIGSEGV = 11, LX_SIGUSR2 = 12,
                         LX_SIGPIPE = 13, LX_SIGALRM = 14, LX_SIGTERM = 15,
                         LX_SIGSTKFLT = 16, LX_SIGCHLD = 17, LX_SIGCONT = 18,
                         LX_SIGSTOP = 19, LX_SIGTSTP = 20, LX_SIGTTIN = 21,
                         LX_SIGTTOU = 22, LX_SIGURG = 23, LX_SIGXCPU = 24, LX_SIGXFSZ = 25,
                         LX_SIGVTALRM = 26, LX_SIGPROF = 27, LX_SIGWINCH = 28,
                         LX_SIGIO = 29, LX_SIGPWR = 30, LX_SIGSYS = 31, LX_SIGRTMIN = 32,
                         LX_NSIG = 64;
inline constexpr uint64_t LX_SIG_DFL = 0, LX_SIG_IGN = 1;
inline constexpr int32_t LX_SIG_BLOCK = 0, LX_SIG_UNBLOCK = 1, LX_SIG_SETMASK = 2;
inline constexpr uint64_t LX_SA_NOCLDSTOP = 1, LX_SA_NOCLDWAIT = 2, LX_SA_SIGINFO = 4,
                          LX_SA_UNSUPPORTED = 0x400, LX_SA_EXPOSE_TAGBITS = 0x800,
                          LX_SA_RESTORER = 0x04000000, LX_SA_ONSTACK = 0x08000000,
                          LX_SA_RESTART = 0x10000000, LX_SA_NODEFER = 0x40000000,
                          LX_SA_RESETHAND = 0x80000000;

const char *signalName(int32_t Sig);

// clone(2) / clone3(2) flags. The low byte of clone's flags is the exit signal.
inline constexpr uint64_t LX_CSIGNAL = 0xff, LX_CLONE_NEWTIME = 0x80,
                          LX_CLONE_VM = 0x100, LX_CLONE_FS = 0x200,
                          LX_CLONE_FILES = 0x400, LX_CLONE_SIGHAND = 0x800,
                          LX_CLONE_PIDFD = 0x1000, LX_CLONE_PTRACE = 0x2000,
                          LX_CLONE_VFORK = 0x4000, LX_CLONE_PARENT = 0x8000,
                          LX_CLONE_THREAD = 0x10000, LX_CLONE_NEWNS = 0x20000,
                          LX_CLONE_SYSVSEM = 0x40000, LX_CLONE_SETTLS = 0x80000,
                          LX_CLONE_PARENT_SETTID = 0x100000,
                          LX_CLONE_CHILD_CLEARTID = 0x200000,
                          LX_CLONE_DETACHED = 0x400000, LX_CLONE_UNTRACED = 0x800000,
                          LX_CLONE_CHILD_SETTID = 0x1000000,
                          LX_CLONE_NEWCGROUP = 0x2000000, LX_CLONE_NEWUTS = 0x4000000,
                          LX_CLONE_NEWIPC = 0x8000000, LX_CLONE_NEWUSER = 0x10000000,
                          LX_CLONE_NEWPID = 0x20000000, LX_CLONE_NEWNET = 0x40000000,
                          LX_CLONE_IO = 0x80000000ull,
                          LX_CLONE_CLEAR_SIGHAND = 0x100000000ull,
                          LX_CLONE_INTO_CGROUP = 0x200000000ull;
/// struct clone_args sizes: version 0, 1 (set_tid) and 2 (cgroup).
inline constexpr uint64_t LX_CLONE_ARGS_SIZE_VER0 = 64, LX_CLONE_ARGS_SIZE_VER1 = 80,
                          LX_CLONE_ARGS_SIZE_VER2 = 88;

// wait4(2) / waitid(2).
inline constexpr uint32_t LX_WNOHANG = 1, LX_WUNTRACED = 2, LX_WSTOPPED = 2,
                          LX_WEXITED = 4, LX_WCONTINUED = 8, LX_WNOWAIT = 0x01000000,
                          LX_WNOTHREAD = 0x20000000, LX_WALL = 0x40000000,
                          LX_WCLONE = 0x80000000u;
inline constexpr int32_t LX_P_ALL = 0, LX_P_PID = 1, LX_P_PGID = 2, LX_P_PIDFD = 3;
inline constexpr int32_t LX_CLD_EXITED = 1, LX_CLD_KILLED = 2, LX_CLD_DUMPED = 3,
                         LX_CLD_TRAPPED = 4, LX_CLD_STOPPED = 5, LX_CLD_CONTINUED = 6;
inline constexpr int32_t LX_SI_USER = 0, LX_SI_KERNEL = 0x80, LX_SI_QUEUE = -1,
                         LX_SI_TIMER = -2, LX_SI_TKILL = -6;
// si_code of fault signals.
inline constexpr int32_t LX_SEGV_MAPERR = 1, LX_SEGV_ACCERR = 2, LX_ILL_ILLOPC = 1,
                         LX_ILL_ILLOPN = 2, LX_FPE_INTDIV = 1, LX_TRAP_BRKPT = 1,
                         LX_BUS_ADRALN = 1, LX_BUS_ADRERR = 2;
// sigaltstack(2).
inline constexpr int32_t LX_SS_ONSTACK = 1, LX_SS_DISABLE = 2,
                         LX_SS_AUTODISARM = int32_t(1u << 31);
inline constexpr uint64_t LX_MINSIGSTKSZ_X86 = 2048, LX_MINSIGSTKSZ_ARM64 = 5120;

// futex(2).
inline constexpr int32_t LX_FUTEX_WAIT = 0, LX_FUTEX_WAKE = 1, LX_FUTEX_FD = 2,
                         LX_FUTEX_REQUEUE = 3, LX_FUTEX_CMP_REQUEUE = 4,
                         LX_FUTEX_WAKE_OP = 5, LX_FUTEX_LOCK_PI = 6,
                         LX_FUTEX_UNLOCK_PI = 7, LX_FUTEX_TRYLOCK_PI = 8,
                         LX_FUTEX_WAIT_BITSET = 9, LX_FUTEX_WAKE_BITSET = 10,
                         LX_FUTEX_PRIVATE_FLAG = 128, LX_FUTEX_CLOCK_REALTIME = 256;
inline constexpr uint32_t LX_FUTEX_BITSET_MATCH_ANY = 0xffffffffu,
                          LX_FUTEX_WAITERS = 0x80000000u,
                          LX_FUTEX_OWNER_DIED = 0x40000000u,
                          LX_FUTEX_TID_MASK = 0x3fffffffu;

// prctl(2) options used so far.
inline constexpr int32_t LX_PR_SET_PDEATHSIG = 1, LX_PR_GET_PDEATHSIG = 2,
                         LX_PR_GET_DUMPABLE = 3, LX_PR_SET_DUMPABLE = 4,
                         LX_PR_SET_NAME = 15, LX_PR_GET_NAME = 16,
                         LX_PR_SET_CHILD_SUBREAPER = 36,
                         LX_PR_GET_CHILD_SUBREAPER = 37;

// statfs(2) f_flags: ST_VALID says the field holds the mount flags.
inline constexpr int64_t LX_ST_RDONLY = 0x1, LX_ST_NOSUID = 0x2, LX_ST_NODEV = 0x4,
                         LX_ST_NOEXEC = 0x8, LX_ST_VALID = 0x20,
                         LX_ST_RELATIME = 0x1000;

// getrusage(2) targets.
inline constexpr int32_t LX_RUSAGE_SELF = 0, LX_RUSAGE_CHILDREN = -1,
                         LX_RUSAGE_THREAD = 1;

// Address families and socket types (socket(2)).
inline constexpr int32_t LX_AF_UNIX = 1, LX_AF_INET = 2, LX_AF_INET6 = 10,
                         LX_AF_NETLINK = 16;
inline constexpr uint32_t LX_SOCK_STREAM = 1, LX_SOCK_DGRAM = 2, LX_SOCK_RAW = 3,
                          LX_SOCK_SEQPACKET = 5, LX_SOCK_TYPE_MASK = 0xf;
inline constexpr int32_t LX_AF_UNSPEC = 0, LX_AF_MAX = 46; // NPROTO

// send/recv flags, sockets' option level and options, control messages.
inline constexpr uint32_t LX_MSG_OOB = 0x1, LX_MSG_PEEK = 0x2, LX_MSG_CTRUNC = 0x8,
                          LX_MSG_TRUNC = 0x20, LX_MSG_DONTWAIT = 0x40,
                          LX_MSG_EOR = 0x80, LX_MSG_WAITALL = 0x100,
                          LX_MSG_ERRQUEUE = 0x2000, LX_MSG_NOSIGNAL = 0x4000,
                          LX_MSG_WAITFORONE = 0x10000,
                          LX_MSG_CMSG_CLOEXEC = 0x40000000;
inline constexpr int32_t LX_SOL_SOCKET = 1, LX_SCM_RIGHTS = 1, LX_SCM_CREDENTIALS = 2;
inline constexpr int32_t LX_SO_REUSEADDR = 2, LX_SO_TYPE = 3, LX_SO_ERROR = 4,
                         LX_SO_SNDBUF = 7, LX_SO_RCVBUF = 8, LX_SO_KEEPALIVE = 9,
                         LX_SO_LINGER = 13, LX_SO_PASSCRED = 16, LX_SO_PEERCRED = 17,
                         LX_SO_RCVTIMEO = 20, LX_SO_SNDTIMEO = 21,
                         LX_SO_ACCEPTCONN = 30, LX_SO_PROTOCOL = 38, LX_SO_DOMAIN = 39;
inline constexpr uint32_t LX_SIOCOUTQ = 0x5411; // TIOCOUTQ
inline constexpr uint16_t LX_POLLRDHUP = 0x2000;

// Auxiliary vector tags.
inline constexpr uint64_t LX_AT_NULL = 0, LX_AT_IGNORE = 1, LX_AT_EXECFD = 2,
                          LX_AT_PHDR = 3, LX_AT_PHENT = 4, LX_AT_PHNUM = 5,
                          LX_AT_PAGESZ = 6, LX_AT_BASE = 7, LX_AT_FLAGS = 8,
                          LX_AT_ENTRY = 9, LX_AT_NOTELF = 10, LX_AT_UID = 11,
                          LX_AT_EUID = 12, LX_AT_GID = 13, LX_AT_EGID = 14,
                          LX_AT_PLATFORM = 15, LX_AT_HWCAP = 16, LX_AT_CLKTCK = 17,
                          LX_AT_SECURE = 23, LX_AT_BASE_PLATFORM = 24,
                          LX_AT_RANDOM = 25, LX_AT_HWCAP2 = 26, LX_AT_EXECFN = 31,
                          LX_AT_SYSINFO_EHDR = 33, LX_AT_MINSIGSTKSZ = 51;

} // namespace reprise::linux_abi
