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
//  - times: the host mtime; atime and ctime are shown equal to it; a file
//    the guest writes or creates gets the virtual time of that write;
//  - directories report size 4096; st_blocks is derived from the size.
//
// Every host call is made inside a callable given to the gate (see
// replay/Gate.h and fs/HostCall.h), effects included (create, mkdir, unlink,
// rename, truncate...), so that replay neither reads nor changes the host:
// it serves the recorded results instead. What a callable learns reaches the
// rest of HostFs only through its result and output bytes: stat data as a
// HostStat record, listings as serialized entries, host descriptors as plain
// numbers. In replay those numbers are the recorded ones and name nothing
// here, so a descriptor is only ever used inside a callable, and replay never
// closes one (it opened none).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/HostCall.h"
#include "fs/Vnode.h"
#include "replay/Gate.h"

#include <functional>
#include <map>
#include <optional>

namespace reprise::fs {

class HostFs {
public:
  /// \p HostRoot is an absolute host path without trailing slash ("" = "/").
  HostFs(std::string HostRoot, replay::Gate &G, Creds Owner,
         std::function<Timespec()> Now);

  /// The root directory; fails when the host directory cannot be opened.
  Result<VnodeRef> root();
  replay::Gate &gate() { return G; }

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
  void touched(uint64_t Ino) { Overrides[Ino] = Now(); }
  Timespec now() const { return Now(); }
  /// The host user and group running reprise. Asked of the host on first
  /// use; call it only inside a gated callable, so that replay never does.
  const HostIds &hostIds();
  /// Closes a host descriptor that a gated call opened. In replay no call
  /// opened it (the number came from the trace), so nothing is closed.
  void release(int HostFd);

  static constexpr uint64_t Device = 0x801; // shown as st_dev of every file

private:
  std::string HostRoot;
  replay::Gate &G;
  Creds Owner;
  std::function<Timespec()> Now;
  std::optional<HostIds> Ids;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> Inodes;
  uint64_t NextIno = 2;
  std::map<uint64_t, Timespec> Overrides; // guest ino -> time of last write
};

} // namespace reprise::fs
