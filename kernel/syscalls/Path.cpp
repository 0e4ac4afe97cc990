//===- kernel/syscalls/Path.cpp - Directories and names -------------------===//
#include "kernel/Kernel.h"

namespace reprise {

using namespace linux_abi;

namespace {

Result<void> writableDir(Task &T, const fs::Location &Dir) {
  auto S = REPRISE_TRY(Dir.node()->access());
  return fs::checkPermission(S, T.Creds, LX_W_OK | LX_X_OK);
}

Result<int64_t> mkdirImpl(Task &T, int32_t DirFd, uint64_t PathAddr,
                          uint32_t Mode) {
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(DirFd, Path));
  if (Name == "." || Name == "..")
    return Errno::LX_EEXIST;
  if (Parent.node()->lookup(Name))
    return Errno::LX_EEXIST;
  REPRISE_TRY(writableDir(T, Parent));
  REPRISE_TRY(Parent.node()->mkdir(Name, Mode & 07777 & ~T.fsContext().Umask,
                                   T.Creds));
  return int64_t(0);
}

Result<int64_t> unlinkImpl(Task &T, int32_t DirFd, uint64_t PathAddr,
                           uint32_t Flags) {
  if (Flags & ~LX_AT_REMOVEDIR)
    return Errno::LX_EINVAL;
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(DirFd, Path));
  bool Dir = Flags & LX_AT_REMOVEDIR;
  if (Name == ".")
    return Dir ? Errno::LX_EINVAL : Errno::LX_EISDIR;
  if (Name == "..")
    return Dir ? Errno::LX_ENOTEMPTY : Errno::LX_EISDIR;
  auto Child = REPRISE_TRY(Parent.node()->lookup(Name));
  if (Dir && !Child->isDir())
    return Errno::LX_ENOTDIR;
  if (!Dir && Child->isDir())
    return Errno::LX_EISDIR;
  if (!Dir && !Path.empty() && Path.back() == '/')
    return Errno::LX_ENOTDIR;
  REPRISE_TRY(writableDir(T, Parent));
  if (Dir)
    REPRISE_TRY(Parent.node()->rmdir(Name));
  else
    REPRISE_TRY(Parent.node()->unlink(Name));
  return int64_t(0);
}

Result<int64_t> renameImpl(Task &T, int32_t OldDir, uint64_t OldAddr,
                           int32_t NewDir, uint64_t NewAddr, uint32_t Flags) {
  if (Flags & ~(LX_RENAME_NOREPLACE | LX_RENAME_EXCHANGE | LX_RENAME_WHITEOUT))
    return Errno::LX_EINVAL;
  if ((Flags & LX_RENAME_EXCHANGE) && (Flags & (LX_RENAME_NOREPLACE | LX_RENAME_WHITEOUT)))
    return Errno::LX_EINVAL;
  auto OldPath = REPRISE_TRY(T.copyInPath(OldAddr));
  auto NewPath = REPRISE_TRY(T.copyInPath(NewAddr));
  auto [From, OldName] = REPRISE_TRY(T.resolveParentAt(OldDir, OldPath));
  auto [To, NewName] = REPRISE_TRY(T.resolveParentAt(NewDir, NewPath));
  if (OldName == "." || OldName == ".." || NewName == "." || NewName == "..")
    return Errno::LX_EBUSY;
  auto Src = REPRISE_TRY(From.node()->lookup(OldName));
  if (auto Dst = To.node()->lookup(NewName)) {
    if (Src->isDir() && !(*Dst)->isDir())
      return Errno::LX_ENOTDIR;
    if (!Src->isDir() && (*Dst)->isDir())
      return Errno::LX_EISDIR;
  }
  // Moving a directory into itself.
  if (Src->isDir()) {
    std::string SrcPath = From.path() + (From.path() == "/" ? "" : "/") + OldName;
    std::string DstDir = To.path();
    if (DstDir == SrcPath || DstDir.rfind(SrcPath + "/", 0) == 0)
      return Errno::LX_EINVAL;
  }
  REPRISE_TRY(writableDir(T, From));
  REPRISE_TRY(writableDir(T, To));
  REPRISE_TRY(From.node()->rename(OldName, *To.node(), NewName, Flags));
  return int64_t(0);
}

Result<int64_t> symlinkImpl(Task &T, uint64_t TargetAddr, int32_t DirFd,
                            uint64_t PathAddr) {
  auto Target = REPRISE_TRY(T.copyInPath(TargetAddr));
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  if (Target.empty())
    return Errno::LX_ENOENT;
  auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(DirFd, Path));
  if (Name == "." || Name == ".." || Parent.node()->lookup(Name))
    return Errno::LX_EEXIST;
  REPRISE_TRY(writableDir(T, Parent));
  REPRISE_TRY(Parent.node()->symlink(Name, Target));
  return int64_t(0);
}

Result<int64_t> linkImpl(Task &T, int32_t OldDirFd, uint64_t OldAddr,
                         int32_t NewDirFd, uint64_t NewAddr, uint32_t Flags) {
  if (Flags & ~(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
    return Errno::LX_EINVAL;
  auto OldPath = REPRISE_TRY(T.copyInPath(OldAddr));
  auto NewPath = REPRISE_TRY(T.copyInPath(NewAddr));
  // linkat(2) links a symlink itself unless AT_SYMLINK_FOLLOW.
  auto Old = REPRISE_TRY(T.resolveAt(OldDirFd, OldPath, Flags & LX_AT_SYMLINK_FOLLOW,
                                     Flags & LX_AT_EMPTY_PATH));
  if (Old.node()->isDir())
    return Errno::LX_EPERM;
  auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(NewDirFd, NewPath));
  if (Name == "." || Name == ".." || Parent.node()->lookup(Name))
    return Errno::LX_EEXIST;
  REPRISE_TRY(writableDir(T, Parent));
  REPRISE_TRY(Parent.node()->link(Name, *Old.node()));
  return int64_t(0);
}

} // namespace

// Implements getcwd(2): the length including the NUL, as the kernel returns.
SysResult sysGetcwd(Task &T, const SyscallArgs &A) {
  std::string P = T.fsContext().Cwd.path();
  if (A.arg(1) < P.size() + 1)
    return Errno::LX_ERANGE;
  REPRISE_TRY(T.copyOut(A.arg(0), {reinterpret_cast<const uint8_t *>(P.c_str()),
                                   P.size() + 1}));
  return int64_t(P.size() + 1);
}

// Implements chdir(2).
SysResult sysChdir(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  auto L = REPRISE_TRY(T.resolveAt(LX_AT_FDCWD, Path, true));
  if (!L.node()->isDir())
    return Errno::LX_ENOTDIR;
  auto S = REPRISE_TRY(L.node()->stat());
  REPRISE_TRY(fs::checkPermission(S, T.Creds, LX_X_OK));
  T.fsContext().Cwd = std::move(L);
  return 0;
}

// Implements fchdir(2).
SysResult sysFchdir(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (!F->node()->isDir())
    return Errno::LX_ENOTDIR;
  T.fsContext().Cwd = REPRISE_TRY(T.fileLocation(*F));
  return 0;
}

// Implements umask(2).
SysResult sysUmask(Task &T, const SyscallArgs &A) {
  uint32_t Old = T.fsContext().Umask;
  T.fsContext().Umask = A.u32(0) & 0777;
  return Old;
}

// Implements mkdirat(2).
SysResult sysMkdirat(Task &T, const SyscallArgs &A) {
  return mkdirImpl(T, A.i32(0), A.arg(1), A.u32(2));
}

// Implements mkdir(2) (x86-64).
SysResult sysMkdir(Task &T, const SyscallArgs &A) {
  return mkdirImpl(T, LX_AT_FDCWD, A.arg(0), A.u32(1));
}

// Implements unlinkat(2).
SysResult sysUnlinkat(Task &T, const SyscallArgs &A) {
  return unlinkImpl(T, A.i32(0), A.arg(1), A.u32(2));
}

// Implements unlink(2) (x86-64).
SysResult sysUnlink(Task &T, const SyscallArgs &A) {
  return unlinkImpl(T, LX_AT_FDCWD, A.arg(0), 0);
}

// Implements rmdir(2) (x86-64).
SysResult sysRmdir(Task &T, const SyscallArgs &A) {
  return unlinkImpl(T, LX_AT_FDCWD, A.arg(0), LX_AT_REMOVEDIR);
}

// Implements renameat2(2).
SysResult sysRenameat2(Task &T, const SyscallArgs &A) {
  return renameImpl(T, A.i32(0), A.arg(1), A.i32(2), A.arg(3), A.u32(4));
}

// Implements renameat(2).
SysResult sysRenameat(Task &T, const SyscallArgs &A) {
  return renameImpl(T, A.i32(0), A.arg(1), A.i32(2), A.arg(3), 0);
}

// Implements rename(2) (x86-64).
SysResult sysRename(Task &T, const SyscallArgs &A) {
  return renameImpl(T, LX_AT_FDCWD, A.arg(0), LX_AT_FDCWD, A.arg(1), 0);
}

// Implements symlinkat(2).
SysResult sysSymlinkat(Task &T, const SyscallArgs &A) {
  return symlinkImpl(T, A.arg(0), A.i32(1), A.arg(2));
}

// Implements linkat(2).
SysResult sysLinkat(Task &T, const SyscallArgs &A) {
  return linkImpl(T, A.i32(0), A.arg(1), A.i32(2), A.arg(3), A.u32(4));
}

// Implements link(2) (x86-64).
SysResult sysLink(Task &T, const SyscallArgs &A) {
  return linkImpl(T, LX_AT_FDCWD, A.arg(0), LX_AT_FDCWD, A.arg(1), 0);
}

// Implements symlink(2) (x86-64).
SysResult sysSymlink(Task &T, const SyscallArgs &A) {
  return symlinkImpl(T, A.arg(0), LX_AT_FDCWD, A.arg(1));
}

} // namespace reprise
