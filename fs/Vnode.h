//===- fs/Vnode.h - Files and directories as the VFS sees them ---*- C++ -*-===//
//
// A Vnode is one file system object (directory, regular file, symlink,
// device). An OpenFile is an open file description: what open(2) creates and
// dup(2) shares, with its own offset and status flags. Both are reference
// counted because descriptors, mounts and working directories share them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Constants.h"
#include "kernel/abi/Result.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reprise::fs {

struct Timespec {
  int64_t Sec = 0;
  int64_t Nsec = 0;
};

/// Metadata in the kernel's own terms; encoded per arch at the syscall layer.
struct FileStat {
  uint64_t Dev = 0, Ino = 0;
  uint32_t Mode = 0, Nlink = 1, Uid = 0, Gid = 0;
  uint64_t Rdev = 0;
  int64_t Size = 0, Blksize = 4096, Blocks = 0;
  Timespec Atime, Mtime, Ctime;
};

struct DirEntry {
  std::string Name;
  uint64_t Ino = 0;
  uint8_t Type = linux_abi::LX_DT_UNKNOWN;
};

/// The credentials permission checks are made with (the guest's, never the
/// host's): a task's file system user and group ids and its supplementary
/// groups.
struct Creds {
  uint32_t Uid = 0, Gid = 0;
  std::vector<uint32_t> Groups = {};
  /// Whether \p G is the group or one of the supplementary groups.
  bool inGroup(uint32_t G) const;
};

/// Checks \p Want (R_OK/W_OK/X_OK bits) against \p S for \p C, as Linux's
/// generic_permission does: root passes read and write always, and execute
/// when any execute bit is set or the object is a directory.
Result<void> checkPermission(const FileStat &S, const Creds &C, uint32_t Want);

class Vnode;
class OpenFile;
using VnodeRef = std::shared_ptr<Vnode>;
using FileRef = std::shared_ptr<OpenFile>;

class Vnode : public std::enable_shared_from_this<Vnode> {
public:
  virtual ~Vnode() = default;

  /// S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR...
  virtual uint32_t fileType() const = 0;
  bool isDir() const { return fileType() == linux_abi::LX_S_IFDIR; }
  bool isSymlink() const { return fileType() == linux_abi::LX_S_IFLNK; }

  virtual Result<FileStat> stat() = 0;
  /// What a permission check needs: the type, mode bits and owner (the
  /// other fields may be zero). A host file's times are outside input that
  /// a check does not use, so it need not pass them through the gate.
  virtual Result<FileStat> access() { return stat(); }
  /// Opens this object. \p Flags are canonical open(2) flags.
  virtual Result<FileRef> open(uint32_t Flags) = 0;

  // Directories. The defaults fail as Linux does on a non-directory.
  virtual Result<VnodeRef> lookup(std::string_view Name);
  /// Every entry but "." and "..", sorted by name.
  virtual Result<std::vector<DirEntry>> list();
  virtual Result<VnodeRef> createFile(std::string_view Name, uint32_t Mode,
                                      const Creds &C);
  virtual Result<void> mkdir(std::string_view Name, uint32_t Mode,
                             const Creds &C);
  virtual Result<void> unlink(std::string_view Name);
  virtual Result<void> rmdir(std::string_view Name);
  virtual Result<void> symlink(std::string_view Name, std::string_view Target);
  /// Makes \p Name a new special file of \p Mode (type and permission
  /// bits). Only sockets are asked for: bind(2) of an AF_UNIX path.
  virtual Result<void> mknod(std::string_view Name, uint32_t Mode, const Creds &C);
  /// Renames \p Name in this directory to \p NewName in \p NewDir.
  virtual Result<void> rename(std::string_view Name, Vnode &NewDir,
                              std::string_view NewName, uint32_t Flags);

  /// Makes \p Name in this directory a new name of \p Target (link(2)).
  virtual Result<void> link(std::string_view Name, Vnode &Target);

  // Metadata.
  /// Sets the permission bits (and set-id, sticky) to \p Mode & 07777.
  virtual Result<void> chmod(uint32_t Mode);
  /// Sets the owner and group (both given; the caller resolves -1).
  virtual Result<void> chown(uint32_t Uid, uint32_t Gid);
  /// Sets the times; a null one is left as it is (UTIME_OMIT). What the
  /// guest sees of a file's times is its mtime (see HostFs.h).
  virtual Result<void> setTimes(const Timespec *Atime, const Timespec *Mtime);

  // Symlinks.
  virtual Result<std::string> readlink();

  // Regular files.
  virtual Result<void> truncate(int64_t Size);
};

/// Where a resolution stands: the directories from the root down to the
/// current object, and the names that led there.
struct Location {
  // Holding the chain (not a path) keeps a working directory or a directory
  // descriptor on the directory itself when it, or anything above it, is
  // renamed, as on Linux.
  std::vector<VnodeRef> Chain; // Chain[0] is the root
  std::vector<std::string> Names;

  const VnodeRef &node() const { return Chain.back(); }
  /// The guest path, "/" for the root.
  std::string path() const;
};

/// An open file description.
class OpenFile {
public:
  OpenFile(VnodeRef Node, uint32_t Flags) : Node(std::move(Node)), Flags(Flags) {}
  virtual ~OpenFile() = default;

  /// Reads at \p Offset, or at the file position when \p Offset is null (and
  /// then advances it). Returns the number of bytes read.
  virtual Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                              const int64_t *Offset);
  virtual Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                               const int64_t *Offset);
  virtual Result<int64_t> seek(int64_t Off, uint32_t Whence);
  /// Directory entries from the position on, including "." and "..".
  virtual Result<std::vector<DirEntry>> readDir();
  virtual Result<int64_t> ioctl(uint32_t Request, llvm::MutableArrayRef<uint8_t> Arg);
  virtual Result<FileStat> stat() { return Node->stat(); }
  virtual Result<void> truncate(int64_t Size) { return Node->truncate(Size); }
  /// Whether the file is a terminal on the host (for TCGETS and friends).
  virtual bool isTerminal() const { return false; }
  /// The device and inode numbers stat shows for the file, when known
  /// without asking (for the pages of its shared mappings).
  virtual std::optional<std::pair<uint64_t, uint64_t>> identity() const {
    return std::nullopt;
  }

  const VnodeRef &node() const { return Node; }
  uint32_t flags() const { return Flags; }
  void setStatusFlags(uint32_t F);
  bool readable() const;
  bool writable() const;

  /// Path the file was opened as (for /proc/self/fd and strace).
  std::string Path;
  /// Where it was opened, for *at calls relative to it and fchdir; empty for
  /// files that have no place in the tree (pipes, the host's stdio).
  Location At;
  int64_t Pos = 0;

protected:
  VnodeRef Node;
  uint32_t Flags;
};

/// Converts a host errno value to the guest's Errno. Names host constants, so
/// it is right whatever numbering the host uses.
Errno fromHostErrno(int HostErr);

} // namespace reprise::fs
