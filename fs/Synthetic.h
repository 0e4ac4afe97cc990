//===- fs/Synthetic.h - File systems made from reprise's own state -*- C++ -*-===//
//
// Building blocks for /dev and /proc: directories whose entries come from a
// function, symlinks whose target comes from a function, read-only files whose
// content is generated at open, and the character devices of /dev. Inode
// numbers are derived from a stable key, so they are the same on every run.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include <functional>
#include <map>

namespace reprise::fs {

/// Shared facts of one synthetic file system.
struct SyntheticFs {
  uint64_t Device;
  Timespec Time; // shown as every node's atime/mtime/ctime
};
using SyntheticFsRef = std::shared_ptr<const SyntheticFs>;

class SyntheticNode : public Vnode {
public:
  SyntheticNode(SyntheticFsRef FS, std::string Key, uint32_t Mode)
      : FS(std::move(FS)), Key(std::move(Key)), Mode(Mode) {}
  uint32_t fileType() const override { return Mode & linux_abi::LX_S_IFMT; }
  Result<FileStat> stat() override;

protected:
  virtual int64_t size() { return 0; }
  virtual uint64_t rdev() const { return 0; }
  SyntheticFsRef FS;
  std::string Key;
  uint32_t Mode;
};

class SyntheticDir : public SyntheticNode {
public:
  using Lister = std::function<std::map<std::string, VnodeRef>()>;
  SyntheticDir(SyntheticFsRef FS, std::string Key, Lister L)
      : SyntheticNode(std::move(FS), std::move(Key), linux_abi::LX_S_IFDIR | 0555),
        L(std::move(L)) {}
  Result<VnodeRef> lookup(std::string_view Name) override;
  Result<std::vector<DirEntry>> list() override;
  Result<FileRef> open(uint32_t Flags) override;

private:
  Lister L;
};

class SyntheticSymlink : public SyntheticNode {
public:
  SyntheticSymlink(SyntheticFsRef FS, std::string Key,
                   std::function<std::string()> Target)
      : SyntheticNode(std::move(FS), std::move(Key), linux_abi::LX_S_IFLNK | 0777),
        Target(std::move(Target)) {}
  Result<std::string> readlink() override { return Target(); }
  Result<FileRef> open(uint32_t) override { return Errno::LX_ELOOP; }

protected:
  int64_t size() override { return int64_t(Target().size()); }

private:
  std::function<std::string()> Target;
};

class SyntheticFile : public SyntheticNode {
public:
  SyntheticFile(SyntheticFsRef FS, std::string Key,
                std::function<std::string()> Content)
      : SyntheticNode(std::move(FS), std::move(Key), linux_abi::LX_S_IFREG | 0444),
        Content(std::move(Content)) {}
  Result<FileRef> open(uint32_t Flags) override;

private:
  std::function<std::string()> Content;
};

/// The character devices reprise provides in /dev.
enum class DeviceKind { Null, Zero, Full, Random };

/// Builds /dev: null, zero, full, random, urandom (both seeded through
/// \p Random), and the fd/stdin/stdout/stderr links into /proc/self/fd.
VnodeRef makeDevFs(SyntheticFsRef FS,
                   std::function<void(llvm::MutableArrayRef<uint8_t>)> Random);

/// An empty read-only directory (used for /sys until it has content).
VnodeRef makeEmptyDir(SyntheticFsRef FS, std::string Key);

} // namespace reprise::fs
