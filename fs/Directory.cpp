//===- fs/Directory.cpp ---------------------------------------------------===//
#include "fs/Directory.h"

namespace reprise::fs {

using namespace linux_abi;

Result<std::vector<DirEntry>> DirectoryFile::readDir() {
  if (!Loaded) {
    auto Self = REPRISE_TRY(Node->stat());
    Snapshot.clear();
    // ".." is given this directory's inode: the parent is not known here,
    // and programs use the name, not the number.
    Snapshot.push_back({".", Self.Ino, LX_DT_DIR});
    Snapshot.push_back({"..", Self.Ino, LX_DT_DIR});
    auto Entries = REPRISE_TRY(Node->list());
    for (auto &E : Entries)
      Snapshot.push_back(std::move(E));
    Loaded = true;
  }
  if (Pos >= int64_t(Snapshot.size()))
    return std::vector<DirEntry>();
  return std::vector<DirEntry>(Snapshot.begin() + Pos, Snapshot.end());
}

Result<int64_t> DirectoryFile::seek(int64_t Off, uint32_t Whence) {
  if (Whence == LX_SEEK_CUR)
    Off += Pos;
  else if (Whence != LX_SEEK_SET)
    return Errno::LX_EINVAL;
  if (Off < 0)
    return Errno::LX_EINVAL;
  if (Off == 0)
    Loaded = false;
  Pos = Off;
  return Pos;
}

} // namespace reprise::fs
