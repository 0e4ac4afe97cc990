//===- fs/Vfs.cpp ---------------------------------------------------------===//
#include "fs/Vfs.h"

#include <algorithm>

namespace reprise::fs {

using namespace linux_abi;

namespace {

std::vector<std::string> split(std::string_view P) {
  std::vector<std::string> Out;
  size_t I = 0;
  while (I < P.size()) {
    size_t J = P.find('/', I);
    if (J == std::string_view::npos)
      J = P.size();
    if (J > I)
      Out.emplace_back(P.substr(I, J - I));
    I = J + 1;
  }
  return Out;
}

} // namespace

std::string Location::path() const {
  if (Names.empty())
    return "/";
  std::string P;
  for (const auto &N : Names) {
    P += '/';
    P += N;
  }
  return P;
}

void Vfs::mount(const std::string &Path, VnodeRef FsRoot, MountInfo Info) {
  Mounts[Path] = std::move(FsRoot);
  // A second mount on the same path replaces the first (reprise does not
  // stack mounts).
  for (Mount &M : Table)
    if (M.Path == Path) {
      M.Info = std::move(Info);
      return;
    }
  Table.push_back({Table.back().Id + 1, Path, std::move(Info)});
}

int Vfs::mountIdOf(uint64_t Device) const {
  for (const Mount &M : Table)
    if (M.Info.Device == Device)
      return M.Id;
  return Table.front().Id;
}

Result<Location> Vfs::resolve(const Location &RootLoc, const Location &Start,
                              std::string_view Path, bool FollowLast,
                              const Creds &C) const {
  if (Path.empty())
    return Errno::LX_ENOENT;
  if (Path.size() >= PathMax)
    return Errno::LX_ENAMETOOLONG;
  bool MustBeDir = Path.back() == '/';
  Location Cur = Path.front() == '/' ? RootLoc : Start;
  return walk(RootLoc, std::move(Cur), split(Path), FollowLast || MustBeDir,
              MustBeDir, C);
}

Result<std::pair<Location, std::string>>
Vfs::resolveParent(const Location &RootLoc, const Location &Start,
                   std::string_view Path, const Creds &C) const {
  if (Path.empty())
    return Errno::LX_ENOENT;
  if (Path.size() >= PathMax)
    return Errno::LX_ENAMETOOLONG;
  auto Parts = split(Path);
  Location Cur = Path.front() == '/' ? RootLoc : Start;
  if (Parts.empty()) // "/" itself: its "name" is "."
    return std::make_pair(std::move(Cur), std::string("."));
  std::string Last = Parts.back();
  if (Last.size() > NameMax)
    return Errno::LX_ENAMETOOLONG;
  Parts.pop_back();
  auto Parent = REPRISE_TRY(walk(RootLoc, std::move(Cur), std::move(Parts),
                                 true, true, C));
  if (!Parent.node()->isDir())
    return Errno::LX_ENOTDIR;
  return std::make_pair(std::move(Parent), std::move(Last));
}

Result<Location> Vfs::walk(const Location &RootLoc, Location Cur,
                           std::vector<std::string> Todo, bool FollowLast,
                           bool MustBeDir, const Creds &C) const {
  // Todo is consumed from the back, so reverse it once.
  std::reverse(Todo.begin(), Todo.end());
  unsigned Links = 0;
  while (!Todo.empty()) {
    std::string Name = std::move(Todo.back());
    Todo.pop_back();
    if (Name.size() > NameMax)
      return Errno::LX_ENAMETOOLONG;
    const VnodeRef &Dir = Cur.node();
    if (!Dir->isDir())
      return Errno::LX_ENOTDIR;
    auto DirStat = REPRISE_TRY(Dir->access());
    REPRISE_TRY(checkPermission(DirStat, C, LX_X_OK));
    if (Name == ".")
      continue;
    if (Name == "..") {
      // Never above this task's root.
      if (Cur.Chain.size() > RootLoc.Chain.size()) {
        Cur.Chain.pop_back();
        Cur.Names.pop_back();
      }
      continue;
    }
    std::string ChildPath = Cur.path();
    if (ChildPath.size() > 1)
      ChildPath += '/';
    ChildPath += Name;
    VnodeRef Child;
    auto M = Mounts.find(ChildPath);
    if (M != Mounts.end())
      Child = M->second;
    else
      Child = REPRISE_TRY(Dir->lookup(Name));
    bool Last = Todo.empty();
    if (Child->isSymlink() && (!Last || FollowLast)) {
      if (++Links > SymlinkMax)
        return Errno::LX_ELOOP;
      std::string Target = REPRISE_TRY(Child->readlink());
      if (Target.empty())
        return Errno::LX_ENOENT;
      // A target ending in '/' names a directory, as a trailing slash in the
      // path itself would ("ln -s file/ l; cat l" fails with ENOTDIR).
      if (Last && Target.back() == '/') {
        MustBeDir = true;
        FollowLast = true;
      }
      auto Parts = split(Target);
      for (auto It = Parts.rbegin(); It != Parts.rend(); ++It)
        Todo.push_back(std::move(*It));
      if (Target.front() == '/')
        Cur = RootLoc;
      continue;
    }
    Cur.Chain.push_back(std::move(Child));
    Cur.Names.push_back(std::move(Name));
  }
  if (MustBeDir && !Cur.node()->isDir())
    return Errno::LX_ENOTDIR;
  return Cur;
}

} // namespace reprise::fs
