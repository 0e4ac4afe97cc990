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
    if (!F->At.Chain.empty())
      return F->At;
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
  auto Start = REPRISE_TRY(fileLocation(*F));
  return K.vfs().resolve(Ctx.Root, Start, Path, Follow, Creds);
}

Result<fs::Location> Task::fileLocation(const fs::OpenFile &F) {
  if (!F.At.Chain.empty())
    return F.At;
  // A file with no recorded place (e.g. a mount root opened internally):
  // fall back to the path it was opened as.
  return K.vfs().resolve(Fs->Root, Fs->Root, F.Path, true, Creds);
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
  auto Start = REPRISE_TRY(fileLocation(*F));
  return K.vfs().resolveParent(Ctx.Root, Start, Path, Creds);
}

} // namespace reprise
