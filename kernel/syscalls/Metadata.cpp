//===- kernel/syscalls/Metadata.cpp - Modes and times of files -------------===//
#include "kernel/Kernel.h"
#include "kernel/abi/Structs.h"

#include <array>

namespace reprise {

using namespace linux_abi;

namespace {

// utimensat(2)'s special tv_nsec values.
constexpr int64_t UtimeNow = (1 << 30) - 1, UtimeOmit = (1 << 30) - 2;

/// Only the owner (or root, which has CAP_FOWNER) may change a file's mode
/// or set its times to given values.
Result<void> ownerOrRoot(Task &T, fs::Vnode &N) {
  if (T.Creds.Uid == 0)
    return {};
  auto S = REPRISE_TRY(N.access());
  return S.Uid == T.Creds.Uid ? Result<void>() : Result<void>(Errno::LX_EPERM);
}

SysResult chmodNode(Task &T, fs::Vnode &N, uint32_t Mode) {
  REPRISE_TRY(ownerOrRoot(T, N));
  REPRISE_TRY(N.chmod(Mode & 07777));
  return 0;
}

/// chown(2)'s rules: -1 leaves an id as it is; root may set any owner and
/// group; anyone else only the group of a file they own, to their own
/// group. A regular file loses its set-user-ID bit, and its set-group-ID
/// bit when group-executable, as Linux's chown_common asks.
SysResult chownNode(Task &T, fs::Vnode &N, uint32_t Uid, uint32_t Gid) {
  auto S = REPRISE_TRY(N.access());
  uint32_t NewUid = Uid == uint32_t(-1) ? S.Uid : Uid;
  uint32_t NewGid = Gid == uint32_t(-1) ? S.Gid : Gid;
  if (T.Creds.Uid != 0 &&
      (S.Uid != T.Creds.Uid || NewUid != S.Uid ||
       (NewGid != S.Gid && NewGid != T.Creds.Gid)))
    return Errno::LX_EPERM;
  REPRISE_TRY(N.chown(NewUid, NewGid));
  if ((S.Mode & LX_S_IFMT) == LX_S_IFREG) {
    uint32_t Kill = LX_S_ISUID | ((S.Mode & LX_S_IXGRP) ? LX_S_ISGID : 0);
    if (S.Mode & Kill)
      REPRISE_TRY(N.chmod(S.Mode & 07777 & ~Kill));
  }
  return 0;
}

Result<fs::Location> resolvePath(Task &T, int32_t DirFd, uint64_t PathAddr,
                                 bool Follow, bool EmptyOk) {
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  return T.resolveAt(DirFd, Path, Follow, EmptyOk);
}

} // namespace

// Implements chmod(2) (x86-64).
SysResult sysChmod(Task &T, const SyscallArgs &A) {
  auto L = REPRISE_TRY(resolvePath(T, LX_AT_FDCWD, A.arg(0), true, false));
  return chmodNode(T, *L.node(), A.u32(1));
}

// Implements fchmod(2).
SysResult sysFchmod(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (F->flags() & LX_O_PATH)
    return Errno::LX_EBADF;
  return chmodNode(T, *F->node(), A.u32(1));
}

// Implements fchmodat(2). The system call has no flags argument (glibc
// handles AT_SYMLINK_NOFOLLOW itself); it always follows symlinks.
SysResult sysFchmodat(Task &T, const SyscallArgs &A) {
  auto L = REPRISE_TRY(resolvePath(T, A.i32(0), A.arg(1), true, false));
  return chmodNode(T, *L.node(), A.u32(2));
}

// Implements chown(2) (x86-64).
SysResult sysChown(Task &T, const SyscallArgs &A) {
  auto L = REPRISE_TRY(resolvePath(T, LX_AT_FDCWD, A.arg(0), true, false));
  return chownNode(T, *L.node(), A.u32(1), A.u32(2));
}

// Implements lchown(2) (x86-64).
SysResult sysLchown(Task &T, const SyscallArgs &A) {
  auto L = REPRISE_TRY(resolvePath(T, LX_AT_FDCWD, A.arg(0), false, false));
  return chownNode(T, *L.node(), A.u32(1), A.u32(2));
}

// Implements fchown(2).
SysResult sysFchown(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (F->flags() & LX_O_PATH)
    return Errno::LX_EBADF;
  return chownNode(T, *F->node(), A.u32(1), A.u32(2));
}

// Implements fchownat(2).
SysResult sysFchownat(Task &T, const SyscallArgs &A) {
  uint32_t Flags = A.u32(4);
  if (Flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
    return Errno::LX_EINVAL;
  auto L = REPRISE_TRY(resolvePath(T, A.i32(0), A.arg(1),
                                   !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                   Flags & LX_AT_EMPTY_PATH));
  return chownNode(T, *L.node(), A.u32(2), A.u32(3));
}

/// Sets the times of \p PathAddr (relative to \p DirFd; the descriptor
/// itself when null) to \p Ts (UTIME_NOW and UTIME_OMIT as utimensat has
/// them; now for both when null).
static SysResult changeTimes(Task &T, int32_t DirFd, uint64_t PathAddr,
                      const std::array<timespec, 2> *Ts, uint32_t Flags) {
  if (Flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
    return Errno::LX_EINVAL;
  fs::Timespec Now = T.kernel().realtime();
  fs::Timespec Times[2] = {Now, Now};
  bool Set[2] = {true, true};
  bool Explicit = false;
  if (Ts) {
    for (int I = 0; I < 2; ++I) {
      if ((*Ts)[I].tv_nsec == UtimeOmit) {
        Set[I] = false;
        continue;
      }
      if ((*Ts)[I].tv_nsec == UtimeNow)
        continue;
      if ((*Ts)[I].tv_nsec < 0 || (*Ts)[I].tv_nsec >= 1'000'000'000)
        return Errno::LX_EINVAL;
      Times[I] = {(*Ts)[I].tv_sec, (*Ts)[I].tv_nsec};
      Explicit = true;
    }
  }
  fs::VnodeRef Node;
  if (!PathAddr) {
    if (DirFd == LX_AT_FDCWD)
      return Errno::LX_EFAULT;
    Node = REPRISE_TRY(T.fds().get(DirFd))->node();
  } else {
    Node = REPRISE_TRY(resolvePath(T, DirFd, PathAddr,
                                   !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                   Flags & LX_AT_EMPTY_PATH))
               .node();
  }
  if (!Set[0] && !Set[1])
    return 0;
  // Setting given times needs ownership; setting "now" write access too.
  if (Explicit) {
    REPRISE_TRY(ownerOrRoot(T, *Node));
  } else if (T.Creds.Uid != 0) {
    auto S = REPRISE_TRY(Node->access());
    if (S.Uid != T.Creds.Uid)
      REPRISE_TRY(fs::checkPermission(S, T.Creds, LX_W_OK));
  }
  REPRISE_TRY(Node->setTimes(Set[0] ? &Times[0] : nullptr,
                             Set[1] ? &Times[1] : nullptr));
  return 0;
}

// Implements utimensat(2). Times are taken as given; UTIME_NOW is the
// virtual clock. A null path sets the times of the descriptor DIRFD
// (futimens).
SysResult sysUtimensat(Task &T, const SyscallArgs &A) {
  if (!A.arg(2))
    return changeTimes(T, A.i32(0), A.arg(1), nullptr, A.u32(3));
  auto Ts = REPRISE_TRY((T.copyInObj<std::array<timespec, 2>>(A.arg(2))));
  return changeTimes(T, A.i32(0), A.arg(1), &Ts, A.u32(3));
}

/// futimesat(2) and utimes(2): microseconds, no UTIME_NOW or UTIME_OMIT.
static SysResult changeTimesUsec(Task &T, int32_t DirFd, uint64_t PathAddr,
                                 uint64_t TvAddr) {
  if (!TvAddr)
    return changeTimes(T, DirFd, PathAddr, nullptr, 0);
  auto Tv = REPRISE_TRY((T.copyInObj<std::array<int64_t, 4>>(TvAddr)));
  std::array<timespec, 2> Ts;
  for (int I = 0; I < 2; ++I) {
    if (Tv[2 * I + 1] < 0 || Tv[2 * I + 1] >= 1'000'000)
      return Errno::LX_EINVAL;
    Ts[I].tv_sec = Tv[2 * I];
    Ts[I].tv_nsec = Tv[2 * I + 1] * 1000;
  }
  return changeTimes(T, DirFd, PathAddr, &Ts, 0);
}

// Implements utimes(2) (x86-64 only).
SysResult sysUtimes(Task &T, const SyscallArgs &A) {
  return changeTimesUsec(T, LX_AT_FDCWD, A.arg(0), A.arg(1));
}

// Implements futimesat(2) (x86-64 only).
SysResult sysFutimesat(Task &T, const SyscallArgs &A) {
  return changeTimesUsec(T, A.i32(0), A.arg(1), A.arg(2));
}

// Implements utime(2) (x86-64 only): whole seconds.
SysResult sysUtime(Task &T, const SyscallArgs &A) {
  if (!A.arg(1))
    return changeTimes(T, LX_AT_FDCWD, A.arg(0), nullptr, 0);
  auto Tb = REPRISE_TRY((T.copyInObj<std::array<int64_t, 2>>(A.arg(1))));
  std::array<timespec, 2> Ts;
  Ts[0].tv_sec = Tb[0];
  Ts[0].tv_nsec = 0;
  Ts[1].tv_sec = Tb[1];
  Ts[1].tv_nsec = 0;
  return changeTimes(T, LX_AT_FDCWD, A.arg(0), &Ts, 0);
}

} // namespace reprise
