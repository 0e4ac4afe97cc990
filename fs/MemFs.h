//===- fs/MemFs.h - A file system held in reprise's memory ------*- C++ -*-===//
//
// MemFs is tmpfs: directories, regular files, symlinks and hard links whose
// every byte lives in the kernel. It is kernel state like the rest: the same
// run makes the same contents, so replay needs nothing from the host. Inode
// numbers come from a counter in creation order; times are virtual time;
// listings are sorted by name.
//
// --tmpfs mounts one; --overlay keeps its upper layer in one (fs/Overlay.h),
// which is why a MemNode directory also carries whiteouts and an opaque flag
// that plain tmpfs never sets.
//
// The bytes of all regular files together are capped (Capacity): a write or
// truncate past it fails with ENOSPC, as a full tmpfs does; so is the number
// of objects (MaxNodes).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include <functional>
#include <map>
#include <set>

namespace reprise::fs {

class MemNode;

/// Shared state of one MemFs.
struct MemFs {
  MemFs(uint64_t Device, Creds Owner, std::function<Timespec()> Now,
        uint64_t FirstIno = 2, uint64_t Capacity = DefaultCapacity)
      : Device(Device), Owner(Owner), Now(std::move(Now)), NextIno(FirstIno),
        Capacity(Capacity) {}

  static constexpr uint64_t DefaultCapacity = 512ull << 20;
  /// Objects at most (ENOSPC past it), as tmpfs's nr_inodes.
  static constexpr uint64_t MaxNodes = 1u << 20;

  uint64_t Device;
  Creds Owner; // of the root and of new symlinks (symlink(2) has no creds)
  std::function<Timespec()> Now;
  uint64_t NextIno;
  uint64_t Capacity;
  uint64_t Used = 0;  // bytes of regular files
  uint64_t Nodes = 0; // objects that exist (linked or still open)
};
using MemFsRef = std::shared_ptr<MemFs>;

/// A new empty directory of \p FS owned by its Owner, with mode \p Mode (the
/// root of the file system, or a directory not yet linked anywhere).
std::shared_ptr<MemNode> makeMemDir(const MemFsRef &FS, uint32_t Mode);

class MemNode : public Vnode {
public:
  MemNode(MemFsRef FS, uint32_t Mode, Creds Owner);
  ~MemNode() override;

  uint32_t fileType() const override { return Meta.Mode & linux_abi::LX_S_IFMT; }
  Result<FileStat> stat() override;
  Result<FileRef> open(uint32_t Flags) override;

  Result<VnodeRef> lookup(std::string_view Name) override;
  Result<std::vector<DirEntry>> list() override;
  Result<VnodeRef> createFile(std::string_view Name, uint32_t Mode,
                              const Creds &C) override;
  Result<void> mkdir(std::string_view Name, uint32_t Mode,
                     const Creds &C) override;
  Result<void> unlink(std::string_view Name) override;
  Result<void> rmdir(std::string_view Name) override;
  Result<void> symlink(std::string_view Name, std::string_view Target) override;
  Result<void> mknod(std::string_view Name, uint32_t Mode, const Creds &C) override;
  Result<void> rename(std::string_view Name, Vnode &NewDir,
                      std::string_view NewName, uint32_t Flags) override;
  Result<void> link(std::string_view Name, Vnode &Target) override;
  Result<void> chmod(uint32_t Mode) override;
  Result<void> chown(uint32_t Uid, uint32_t Gid) override;
  Result<void> setTimes(const Timespec *Atime, const Timespec *Mtime) override;
  Result<std::string> readlink() override;
  Result<void> truncate(int64_t Size) override;

  // For MemFile and the overlay.
  Result<size_t> readAt(llvm::MutableArrayRef<uint8_t> Buf, int64_t At);
  Result<size_t> writeAt(llvm::ArrayRef<uint8_t> Buf, int64_t At);
  /// Marks the contents (and so the times) changed now.
  void modified();
  /// Makes \p Child the entry \p Name (which must not exist).
  void attach(const std::string &Name, std::shared_ptr<MemNode> Child);
  std::shared_ptr<MemNode> child(const std::string &Name) const;
  /// Gives the node a symlink target (a symlink made by the overlay's copy-up).
  void setTarget(std::string T) { Target = std::move(T); Meta.Size = int64_t(Target.size()); }

  FileStat Meta; // Dev, Ino, Mode, Nlink, owner, size, times
  /// Names of the lower layer hidden in this directory (overlay only).
  std::set<std::string> Whiteouts;
  /// The lower layer's directory of this name is not merged (overlay only).
  bool Opaque = false;

private:
  Result<void> checkNew(std::string_view Name) const;
  Result<std::shared_ptr<MemNode>> removable(std::string_view Name) const;
  void detach(const std::string &Name);
  Result<void> resize(int64_t Size);

  MemFsRef FS;
  std::map<std::string, std::shared_ptr<MemNode>> Entries; // directories
  std::vector<uint8_t> Data;                               // regular files
  std::string Target;                                      // symlinks
};

} // namespace reprise::fs
