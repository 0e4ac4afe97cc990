//===- kernel/Task.cpp ----------------------------------------------------===//
#include "kernel/Task.h"

#include "kernel/Kernel.h"

namespace reprise {

using namespace linux_abi;

Result<fs::Location> Task::resolveAt(int32_t DirFd, std::string_view Path,
                                     bool Follow, bool EmptyPathOk) {
  const fs::FsContext &Ctx = *Fs;
  if (Path.empty()) {
    if (!EmptyPathOk)
      return Errno::LX_ENOENT;
    if (DirFd == LX_AT_FDCWD)
      return Ctx.Cwd;
    auto F = REPRISE_TRY(Fds->get(DirFd));
    fs::Location L = Ctx.Root;
    L.Chain.push_back(F->node());
    L.Names.push_back(F->Path);
    return L;
  }
  if (Path.front() == '/' || DirFd == LX_AT_FDCWD)
    return K.vfs().resolve(Ctx.Root, Ctx.Cwd, Path, Follow, Creds);
  auto F = REPRISE_TRY(Fds->get(DirFd));
  if (!F->node()->isDir())
    return Errno::LX_ENOTDIR;
  // Re-resolve the directory's own path so that ".." works from it.
  auto Start = REPRISE_TRY(K.vfs().resolve(Ctx.Root, Ctx.Root, F->Path, true, Creds));
  return K.vfs().resolve(Ctx.Root, Start, Path, Follow, Creds);
}

Result<std::pair<fs::Location, std::string>>
Task::resolveParentAt(int32_t DirFd, std::string_view Path) {
  const fs::FsContext &Ctx = *Fs;
  if (Path.empty())
    return Errno::LX_ENOENT;
  if (Path.front() == '/' || DirFd == LX_AT_FDCWD)
    return K.vfs().resolveParent(Ctx.Root, Ctx.Cwd, Path, Creds);
  auto F = REPRISE_TRY(Fds->get(DirFd));
  if (!F->node()->isDir())
    return Errno::LX_ENOTDIR;
  auto Start = REPRISE_TRY(K.vfs().resolve(Ctx.Root, Ctx.Root, F->Path, true, Creds));
  return K.vfs().resolveParent(Ctx.Root, Start, Path, Creds);
}

} // namespace reprise
