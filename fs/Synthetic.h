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
  /// Finds an entry that lookup reaches but a listing does not show (as
  /// /proc/TID for a thread that leads no process); null when none.
  using Finder = std::function<VnodeRef(std::string_view)>;
  SyntheticDir(SyntheticFsRef FS, std::string Key, Lister L, Finder Hidden = {})
      : SyntheticNode(std::move(FS), std::move(Key), linux_abi::LX_S_IFDIR | 0555),
        L(std::move(L)), Hidden(std::move(Hidden)) {}
  Result<VnodeRef> lookup(std::string_view Name) override;
  Result<std::vector<DirEntry>> list() override;
  Result<FileRef> open(uint32_t Flags) override;

private:
  Lister L;
  Finder Hidden;
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
  /// Takes the bytes of one write(2); its errno fails the write.
  using Writer = std::function<Result<void>(llvm::ArrayRef<uint8_t>)>;
  /// A file whose content \p Content makes at open. Without \p W it is
  /// read-only (0444, or \p Perm), with it writable by its owner (0644).
  SyntheticFile(SyntheticFsRef FS, std::string Key,
                std::function<std::string()> Content, Writer W = {},
                uint32_t Perm = 0)
      : SyntheticNode(std::move(FS), std::move(Key),
                      linux_abi::LX_S_IFREG | (Perm ? Perm : W ? 0644 : 0444)),
        Content(std::move(Content)), W(std::move(W)) {}
  Result<FileRef> open(uint32_t Flags) override;

private:
  std::function<std::string()> Content;
  Writer W;
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
