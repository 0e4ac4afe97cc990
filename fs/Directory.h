//===- fs/Directory.h - An open directory -----------------------*- C++ -*-===//
#pragma once

#include "fs/Vnode.h"

namespace reprise::fs {

/// An open directory of any file system. The listing is taken when reading
/// starts (and again after a seek to 0); the position counts entries, with
/// "." and ".." first and the rest sorted by name.
class DirectoryFile : public OpenFile {
public:
  using OpenFile::OpenFile;

  Result<std::vector<DirEntry>> readDir() override;
  Result<int64_t> seek(int64_t Off, uint32_t Whence) override;

private:
  std::vector<DirEntry> Snapshot;
  bool Loaded = false;
};

} // namespace reprise::fs
