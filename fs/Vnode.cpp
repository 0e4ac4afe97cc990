//===- fs/Vnode.cpp - Default behaviour of file system objects ------------===//
#include "fs/Vnode.h"

#include <algorithm>

#include <cerrno>

namespace reprise::fs {

using namespace linux_abi;

bool Creds::inGroup(uint32_t G) const {
  return G == Gid || std::find(Groups.begin(), Groups.end(), G) != Groups.end();
}

Result<void> checkPermission(const FileStat &S, const Creds &C, uint32_t Want) {
  if (C.Uid == 0) {
    if (!(Want & LX_X_OK))
      return {};
    bool Dir = (S.Mode & LX_S_IFMT) == LX_S_IFDIR;
    if (Dir || (S.Mode & 0111))
      return {};
    return Errno::LX_EACCES;
  }
  uint32_t Bits;
  if (C.Uid == S.Uid)
    Bits = (S.Mode >> 6) & 7;
  else if (C.inGroup(S.Gid))
    Bits = (S.Mode >> 3) & 7;
  else
    Bits = S.Mode & 7;
  if ((Bits & Want) != Want)
    return Errno::LX_EACCES;
  return {};
}

Result<VnodeRef> Vnode::lookup(std::string_view) { return Errno::LX_ENOTDIR; }
Result<std::vector<DirEntry>> Vnode::list() { return Errno::LX_ENOTDIR; }
Result<VnodeRef> Vnode::createFile(std::string_view, uint32_t, const Creds &) {
  return isDir() ? Errno::LX_EACCES : Errno::LX_ENOTDIR;
}
Result<void> Vnode::mkdir(std::string_view, uint32_t, const Creds &) {
  return isDir() ? Errno::LX_EACCES : Errno::LX_ENOTDIR;
}
Result<void> Vnode::unlink(std::string_view) {
  return isDir() ? Errno::LX_EACCES : Errno::LX_ENOTDIR;
}
Result<void> Vnode::rmdir(std::string_view) {
  return isDir() ? Errno::LX_EACCES : Errno::LX_ENOTDIR;
}
Result<void> Vnode::symlink(std::string_view, std::string_view) {
  return isDir() ? Errno::LX_EACCES : Errno::LX_ENOTDIR;
}
Result<void> Vnode::mknod(std::string_view, uint32_t, const Creds &) {
  return isDir() ? Errno::LX_EPERM : Errno::LX_ENOTDIR;
}
Result<void> Vnode::rename(std::string_view, Vnode &, std::string_view,
                           uint32_t) {
  return isDir() ? Errno::LX_EXDEV : Errno::LX_ENOTDIR;
}
Result<void> Vnode::link(std::string_view, Vnode &) {
  return isDir() ? Errno::LX_EPERM : Errno::LX_ENOTDIR;
}
// Objects of the synthetic file systems (/dev, /proc, /sys) keep the modes
// and times reprise gives them.
Result<void> Vnode::chmod(uint32_t) { return Errno::LX_EPERM; }
Result<void> Vnode::chown(uint32_t, uint32_t) { return Errno::LX_EPERM; }
Result<void> Vnode::setTimes(const Timespec *, const Timespec *) {
  return Errno::LX_EPERM;
}
Result<std::string> Vnode::readlink() { return Errno::LX_EINVAL; }
Result<void> Vnode::truncate(int64_t) {
  return isDir() ? Errno::LX_EISDIR : Errno::LX_EINVAL;
}

Result<size_t> OpenFile::read(llvm::MutableArrayRef<uint8_t>, const int64_t *) {
  return Node->isDir() ? Errno::LX_EISDIR : Errno::LX_EINVAL;
}
Result<size_t> OpenFile::write(llvm::ArrayRef<uint8_t>, const int64_t *) {
  return Node->isDir() ? Errno::LX_EISDIR : Errno::LX_EINVAL;
}
Result<int64_t> OpenFile::seek(int64_t, uint32_t) { return Errno::LX_ESPIPE; }
Result<std::vector<DirEntry>> OpenFile::readDir() { return Errno::LX_ENOTDIR; }
Result<int64_t> OpenFile::ioctl(uint32_t, llvm::MutableArrayRef<uint8_t>) {
  return Errno::LX_ENOTTY;
}

void OpenFile::setStatusFlags(uint32_t F) {
  // F_SETFL changes only these; the access mode and creation flags stay.
  constexpr uint32_t Settable = LX_O_APPEND | LX_O_ASYNC | LX_O_DIRECT | LX_O_NOATIME |
                                LX_O_NONBLOCK;
  Flags = (Flags & ~Settable) | (F & Settable);
}

bool OpenFile::readable() const {
  uint32_t M = Flags & LX_O_ACCMODE;
  return !(Flags & LX_O_PATH) && (M == LX_O_RDONLY || M == LX_O_RDWR);
}
bool OpenFile::writable() const {
  uint32_t M = Flags & LX_O_ACCMODE;
  return !(Flags & LX_O_PATH) && (M == LX_O_WRONLY || M == LX_O_RDWR);
}

Errno fromHostErrno(int E) {
  switch (E) {
  case EPERM: return Errno::LX_EPERM;
  case ENOENT: return Errno::LX_ENOENT;
  case EINTR: return Errno::LX_EINTR;
  case EIO: return Errno::LX_EIO;
  case ENXIO: return Errno::LX_ENXIO;
  case E2BIG: return Errno::LX_E2BIG;
  case EBADF: return Errno::LX_EBADF;
  case EAGAIN: return Errno::LX_EAGAIN;
  case ENOMEM: return Errno::LX_ENOMEM;
  case EACCES: return Errno::LX_EACCES;
  case EFAULT: return Errno::LX_EFAULT;
  case EBUSY: return Errno::LX_EBUSY;
  case EEXIST: return Errno::LX_EEXIST;
  case EXDEV: return Errno::LX_EXDEV;
  case ENODEV: return Errno::LX_ENODEV;
  case ENOTDIR: return Errno::LX_ENOTDIR;
  case EISDIR: return Errno::LX_EISDIR;
  case EINVAL: return Errno::LX_EINVAL;
  case ENFILE: return Errno::LX_ENFILE;
  case EMFILE: return Errno::LX_EMFILE;
  case ENOTTY: return Errno::LX_ENOTTY;
  case ETXTBSY: return Errno::LX_ETXTBSY;
  case EFBIG: return Errno::LX_EFBIG;
  case ENOSPC: return Errno::LX_ENOSPC;
  case ESPIPE: return Errno::LX_ESPIPE;
  case EROFS: return Errno::LX_EROFS;
  case EMLINK: return Errno::LX_EMLINK;
  case EPIPE: return Errno::LX_EPIPE;
  case ERANGE: return Errno::LX_ERANGE;
  case ENAMETOOLONG: return Errno::LX_ENAMETOOLONG;
  case ENOSYS: return Errno::LX_ENOSYS;
  case ENOTEMPTY: return Errno::LX_ENOTEMPTY;
  case ELOOP: return Errno::LX_ELOOP;
  case EOVERFLOW: return Errno::LX_EOVERFLOW;
  case EOPNOTSUPP: return Errno::LX_EOPNOTSUPP;
  case EDQUOT: return Errno::LX_EDQUOT;
  case ESTALE: return Errno::LX_ESTALE;
  default: return Errno::LX_EIO;
  }
}

} // namespace reprise::fs
