//===- kernel/syscalls/FsInfo.cpp - statfs, extended attributes, advice ----===//
//
// What a program may ask of a file system rather than of a file: its kind
// and size (statfs), extended attributes, and access-pattern advice. None of
// it comes from the host. A host's free space changes from run to run and
// its file system type from host to host, so what the guest sees is fixed
// per reprise file system (see statfsFor).
//
//===----------------------------------------------------------------------===//
#include "fs/HostFs.h"
#include "fs/MemFs.h"
#include "kernel/AnonInode.h"
#include "kernel/Kernel.h"
#include "kernel/abi/Structs.h"

namespace reprise {

using namespace linux_abi;

namespace {

// The f_type values of the file systems reprise presents
// (include/uapi/linux/magic.h).
constexpr int64_t Ext4Magic = 0xef53, ProcMagic = 0x9fa0,
                  TmpfsMagic = 0x01021994, SysfsMagic = 0x62656572,
                  PipefsMagic = 0x50495045, AnonInodeMagic = 0x09041934;
// The synthetic file systems' devices (Kernel::Kernel).
constexpr uint64_t ProcDev = 0x4, DevDev = 0x5, SysDev = 0x15;

/// What statfs(2) reports for the file system of a file on device \p Dev.
/// The guest root (a host directory) is shown as an ext4 file system of
/// fixed size, 64 GiB with half of it free, so that `df` or a program that
/// checks free space prints the same on every host.
statfs statfsFor(uint64_t Dev) {
  statfs S{};
  S.f_bsize = S.f_frsize = 4096;
  S.f_namelen = 255;
  // ST_VALID: f_flags holds the mount flags (statfs(2)); ST_RELATIME is
  // Linux's default for a mount.
  S.f_flags = LX_ST_VALID | LX_ST_RELATIME;
  if (fs::HostFs::isHostDevice(Dev)) {
    // The root or a --bind: a host directory.
    S.f_type = Ext4Magic;
    S.f_blocks = 16 * 1024 * 1024;
    S.f_bfree = S.f_bavail = 8 * 1024 * 1024;
    S.f_files = 4 * 1024 * 1024;
    S.f_ffree = 3 * 1024 * 1024;
    S.f_fsid[0] = int32_t(Dev);
    return S; // ST_RDONLY of a read-only bind is not shown
  }
  if (Dev >= Kernel::FirstTmpfsDevice &&
      Dev < Kernel::FirstTmpfsDevice + Kernel::MaxTmpfsMounts) {
    // A --tmpfs: its capacity (fs::MemFs::DefaultCapacity).
    S.f_type = TmpfsMagic;
    S.f_flags |= LX_ST_NOSUID | LX_ST_NODEV;
    S.f_blocks = fs::MemFs::DefaultCapacity / 4096;
    S.f_bfree = S.f_bavail = S.f_blocks;
    S.f_fsid[0] = int32_t(Dev);
    return S;
  }
  switch (Dev) {
  case ProcDev:
    S.f_type = ProcMagic;
    S.f_flags |= LX_ST_NOSUID | LX_ST_NODEV | LX_ST_NOEXEC;
    break;
  case SysDev:
    S.f_type = SysfsMagic;
    S.f_flags |= LX_ST_RDONLY | LX_ST_NOSUID | LX_ST_NODEV | LX_ST_NOEXEC;
    break;
  case DevDev:
    S.f_type = TmpfsMagic;
    S.f_flags |= LX_ST_NOSUID;
    break;
  case AnonInode::PipeDev:
    S.f_type = PipefsMagic;
    break;
  default:
    S.f_type = AnonInodeMagic;
    break;
  }
  S.f_fsid[0] = int32_t(Dev);
  return S;
}

SysResult statfsInto(Task &T, fs::Vnode &N, uint64_t Buf) {
  // Only the device matters; the identity part of a host stat is enough and
  // keeps host times out of the trace.
  auto S = REPRISE_TRY(N.access());
  REPRISE_TRY(T.copyOutObj(Buf, statfsFor(S.Dev)));
  return 0;
}

/// Extended attributes: reprise's file systems have none and store none,
/// like a file system mounted without xattr support. The object is still
/// looked up first, so a bad path fails as it would anywhere.
SysResult noXattrsAt(Task &T, uint64_t PathAddr, bool Follow) {
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  REPRISE_TRY(T.resolveAt(LX_AT_FDCWD, Path, Follow));
  return Errno::LX_EOPNOTSUPP;
}

SysResult noXattrsFd(Task &T, int32_t Fd) {
  REPRISE_TRY(T.fds().get(Fd));
  return Errno::LX_EOPNOTSUPP;
}

} // namespace

// Implements statfs(2).
SysResult sysStatfs(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  auto L = REPRISE_TRY(T.resolveAt(LX_AT_FDCWD, Path, true));
  return statfsInto(T, *L.node(), A.arg(1));
}

// Implements fstatfs(2).
SysResult sysFstatfs(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  return statfsInto(T, *F->node(), A.arg(1));
}

// Implements getxattr(2), setxattr(2), listxattr(2), removexattr(2) and
// their l* forms: EOPNOTSUPP once the path resolves.
SysResult sysGetxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), true); }
SysResult sysLgetxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), false); }
SysResult sysSetxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), true); }
SysResult sysLsetxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), false); }
SysResult sysListxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), true); }
SysResult sysLlistxattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), false); }
SysResult sysRemovexattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), true); }
SysResult sysLremovexattr(Task &T, const SyscallArgs &A) { return noXattrsAt(T, A.arg(0), false); }
// Implements fgetxattr(2), fsetxattr(2), flistxattr(2), fremovexattr(2).
SysResult sysFgetxattr(Task &T, const SyscallArgs &A) { return noXattrsFd(T, A.fd(0)); }
SysResult sysFsetxattr(Task &T, const SyscallArgs &A) { return noXattrsFd(T, A.fd(0)); }
SysResult sysFlistxattr(Task &T, const SyscallArgs &A) { return noXattrsFd(T, A.fd(0)); }
SysResult sysFremovexattr(Task &T, const SyscallArgs &A) { return noXattrsFd(T, A.fd(0)); }

// Implements fadvise64(2). Advice changes no result, only how Linux caches,
// so it is checked and otherwise ignored.
SysResult sysFadvise64(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  uint32_t Type = F->node()->fileType();
  if (Type == LX_S_IFIFO || Type == LX_S_IFSOCK)
    return Errno::LX_ESPIPE;
  // POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE (0-5) on both arches.
  if (A.u32(3) > 5 || int64_t(A.arg(2)) < 0)
    return Errno::LX_EINVAL;
  return 0;
}

} // namespace reprise
