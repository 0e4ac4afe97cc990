//===- fs/HostFs.h - The guest root, backed by a host directory --*- C++ -*-===//
//
// HostFs shows a host directory as the guest's file system. Paths are
// resolved by the VFS one component at a time; the host only ever sees one
// name relative to a directory descriptor, with symlinks not followed, so the
// guest cannot leave the root (see HostVnode in HostFs.cpp).
//
// What the guest sees of host metadata follows fixed rules, so that the same
// root contents give the same output on any host:
//  - ownership: a file owned by the host user running reprise is shown as
//    owned by the guest's --uid/--gid; any other owner is shown as 65534
//    (the overflow id, as in a user namespace without a mapping for it);
//  - inode numbers come from a counter in the order the guest first meets
//    each file, all files sit on one device;
//  - chown(2) is kept by reprise, not made on the host (which would need
//    the host's privileges, and whose ids mean nothing to the guest): an
//    object the guest gave an owner shows that owner for the rest of the
//    run;
//  - times: the host mtime; atime and ctime are shown equal to it; a file
//    the guest writes or creates gets the virtual time of that write;
//  - directories report size 4096; st_blocks is derived from the size (a
//    symlink of under 60 bytes has none, as an ext4 fast symlink).
//
// Every host call is made inside a callable given to the gate (see
// replay/Gate.h and fs/HostCall.h), effects included (create, mkdir, unlink,
// rename, truncate...), so that replay neither reads nor changes the host:
// it serves the recorded results instead. What a callable learns reaches the
// rest of HostFs only through its result and output bytes: stat data as a
// HostStat record, listings as serialized entries. A descriptor a callable
// opens is kept aside, never put in the output: its number depends on what
// else the host process has open, so recording it made two recordings of one
// run differ. In replay no callable runs, the descriptors stay -1, and every
// use of one sits inside a callable.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/HostCall.h"
#include "fs/Vnode.h"
#include "replay/Gate.h"

#include <functional>
#include <list>
#include <map>
#include <optional>

namespace reprise::fs {

class HostFs {
public:
  /// \p HostRoot is an absolute host path without trailing slash ("" = "/").
  /// \p Dev is st_dev of its files (Device for the root, another for each
  /// --bind); a \p ReadOnly one fails every change with EROFS, before any
  /// host call.
  HostFs(std::string HostRoot, replay::Gate &G, Creds Owner,
         std::function<Timespec()> Now, uint64_t Dev = Device,
         bool ReadOnly = false);
  ~HostFs();
  HostFs(const HostFs &) = delete;
  HostFs &operator=(const HostFs &) = delete;

  /// The root directory; fails when the host directory cannot be opened.
  Result<VnodeRef> root();
  replay::Gate &gate() { return G; }
  bool readOnly() const { return ReadOnly; }

  // For HostVnode and HostFile.

  /// The guest inode number of a host object, given in the order the guest
  /// first meets each one. Only ever asked inside a gated callable: replay
  /// reads the numbers from the trace and never fills this table.
  uint64_t guestIno(uint64_t HostDev, uint64_t HostIno);
  /// The object's last name is gone (inside a gated callable too): a new
  /// object the host numbers alike gets a new guest number.
  void forgetIno(uint64_t HostDev, uint64_t HostIno);
  /// What the guest sees of \p S (which must be Valid).
  FileStat translate(const HostStat &S);
  /// Marks the object of each HostStat record of \p Records (those that are
  /// Valid) as written now.
  void touched(llvm::ArrayRef<uint8_t> Records);
  void touched(uint64_t Ino) { Known->Overrides[Ino] = Now(); }
  /// The object of the HostStat record \p Record had its times set
  /// (utimensat): from now on the guest sees the host's, which are the ones
  /// it asked for, not the time of its last write.
  void timesSet(llvm::ArrayRef<uint8_t> Record);
  /// The guest made \p Uid:\p Gid the owner of the object of \p Record.
  void ownerSet(llvm::ArrayRef<uint8_t> Record, uint32_t Uid, uint32_t Gid);
  /// The object of \p Record was just made by \p Who: its owner is Who's
  /// file system user and group (kept as chown's are), unless they are the
  /// ones every host file shows.
  void created(llvm::ArrayRef<uint8_t> Record, const Creds &Who);
  Timespec now() const { return Now(); }
  /// The host user and group running reprise. Asked of the host on first
  /// use; call it only inside a gated callable, so that replay never does.
  const HostIds &hostIds();
  /// Closes a host descriptor that a gated call opened (-1, as in replay,
  /// closes nothing).
  void release(int HostFd);

  static constexpr uint64_t Device = 0x801; // st_dev of the root's files
  /// A host directory's device: the root's and the binds' (8:N, as the
  /// partitions of one disk).
  static bool isHostDevice(uint64_t Dev) { return (Dev >> 8) == 8; }

  /// Directories met by lookup, by (parent's guest inode number, name; the
  /// number and not the vnode, as two vnodes may stand for one directory),
  /// so that walking
  /// the same path again opens and stats nothing on the host. What the
  /// guest does to a name (unlink, rmdir, rename) drops its entry; a change
  /// made on the host behind reprise's back is not seen while the entry
  /// lives, as a directory already entered is not. Kernel state, the same
  /// in record and replay: its hits and misses are part of the run.
  VnodeRef cachedDir(uint64_t Parent, const std::string &Name);
  void cacheDir(uint64_t Parent, const std::string &Name, VnodeRef Dir);
  /// Drops the entry here and in every file system sharing the identities
  /// (the same host directory may be cached by two of them).
  void forgetDir(uint64_t Parent, const std::string &Name);
  /// Host descriptors the cache may hold (least recently used go first).
  static constexpr size_t DirCacheSize = 256;

  /// What permission checks on a directory read (type, mode, owner), by the
  /// directory's guest inode number (0 for the root), kept while the
  /// directory is in the lookup cache: a path walk checks search permission
  /// on every directory it passes. The guest's chmod and chown of the
  /// directory drop the entry; a change made on the host is not seen while
  /// it lives.
  const FileStat *cachedAccess(uint64_t DirIno) const;
  void cacheAccess(uint64_t DirIno, const FileStat &S) { DirAccess[DirIno] = S; }
  /// Drops the entry in every file system sharing these identities (the
  /// directory may be reached through a bind too).
  void forgetAccess(uint64_t DirIno);

  /// What the guest knows of host objects, shared by the root and the
  /// binds: a host file reached through two of them (a bind of a directory
  /// inside the root, two binds of one directory) has one guest inode
  /// number, one time of last write and one owner.
  struct Identities {
    std::optional<HostIds> Ids;
    std::map<std::pair<uint64_t, uint64_t>, uint64_t> Inodes;
    uint64_t NextIno = 2;
    std::map<uint64_t, Timespec> Overrides; // guest ino -> time of last write
    std::map<uint64_t, std::pair<uint32_t, uint32_t>> Owners; // guest ino -> chown
    std::vector<HostFs *> Members; // the file systems sharing these
  };
  /// Those of this file system, to give another (a bind) the same.
  std::shared_ptr<Identities> identities() const { return Known; }
  void shareIdentities(std::shared_ptr<Identities> I);

private:
  std::string HostRoot;
  replay::Gate &G;
  Creds Owner;
  std::function<Timespec()> Now;
  uint64_t Dev;
  bool ReadOnly;

  void forgetDirHere(uint64_t Parent, const std::string &Name);
  std::shared_ptr<Identities> Known = std::make_shared<Identities>();
  using DirKey = std::pair<uint64_t, std::string>;
  struct DirEntryRef {
    VnodeRef Dir;
    std::list<DirKey>::iterator Use;
  };
  std::map<DirKey, DirEntryRef> Dirs;
  std::list<DirKey> DirUse; // most recently used first
  std::map<uint64_t, FileStat> DirAccess;
};

} // namespace reprise::fs
