//===- fs/HostCall.h - What a host call hands back through the gate -*- C++ -*-===//
//
// fs/ talks to the host only from inside callables given to replay::Gate. A
// callable's whole effect on reprise must be its int64 result and the bytes it
// leaves in its output buffer, because replay does not call it and serves the
// recorded result and bytes instead. This header holds the encodings that let
// host data cross that line in a form that means the same on every host:
//
//  - results: a count, zero, or minus a *Linux* errno (translated from the
//    host's errno inside the callable), never a host errno number;
//  - HostStat: the part of a host stat that reprise uses, in a fixed
//    little-endian layout; whatever needs a host value to decide (is the
//    owner the user running reprise?) is decided inside the callable;
//  - small fixed-width little-endian fields (counts, offsets).
//
// Never a host descriptor number: it depends on the host process (what else
// it has open), not on the guest. A callable that opens one hands it out
// through a captured variable, which stays -1 in replay.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include "llvm/Support/Endian.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace reprise::fs {

/// The gated result for a failed host call: minus the Linux errno that the
/// host's \p HostErr stands for.
int64_t hostFailure(int HostErr);
/// The same for the host's current errno.
int64_t hostFailure();
/// The guest's errno for a gated result below zero.
inline Errno gateErrno(int64_t R) { return Errno(int32_t(-R)); }

/// Host metadata as it crosses the gate. Layout (little-endian, 56 bytes):
///   0 reserved u64 (0) | 8 guest ino u64 | 16 mode u32 | 20 flags u32 |
///   24 nlink u64 | 32 size i64 | 40 mtime sec i64 | 48 mtime nsec i64
/// An all-zero record is "no data" (Valid false): the stat failed.
///
/// The record holds what the guest will see, not the host's numbers: the
/// guest inode number is given inside the callable, and a file the guest
/// wrote shows the virtual time of that write. A file made again by the
/// guest has another host inode number and mtime on every run; its record,
/// and so the trace, stays the same.
struct HostStat {
  static constexpr size_t Bytes = 56;

  bool Valid = false;
  bool OwnerIsUs = false; // owned by the host user running reprise
  bool GroupIsUs = false; // group is that user's group
  uint64_t Ino = 0; // the guest's inode number
  uint32_t Mode = 0; // the guest's S_IF* type bits | the permission bits
  uint64_t Nlink = 0;
  int64_t Size = 0;
  Timespec Mtime;

  uint32_t type() const { return Mode & linux_abi::LX_S_IFMT; }
  void encode(uint8_t *Out) const;
  static HostStat decode(const uint8_t *In);
};
using HostStatBytes = uint8_t[HostStat::Bytes];

/// What turns host identities into the guest's, inside a callable: the
/// host user and group that decide OwnerIsUs and GroupIsUs, the guest inode
/// number of a host object, and the time the guest last wrote it.
struct HostIds {
  uint32_t Uid = 0, Gid = 0;
  std::function<uint64_t(uint64_t HostDev, uint64_t HostIno)> GuestIno;
  std::function<std::optional<Timespec>(uint64_t GuestIno)> WrittenAt;
};

/// How much of a stat crosses the gate.
enum class StatPart : uint8_t {
  Whole,
  /// Validity, inode number, mode and owner only: for a lookup or a
  /// permission check, and for the record that names the object a guest
  /// write touched. nlink, size and mtime stay zero, so that host times
  /// (a busy /tmp's, or those the write just changed) never make the
  /// traces of equal runs differ.
  Identity,
};

/// For use inside a gated callable only: stats \p Fd (or \p Name in \p DirFd,
/// symlinks not followed) and encodes \p Part of the result into \p Out.
/// Returns 0 or hostFailure(); on failure Out is left all zero.
int64_t hostStatFd(int Fd, const HostIds &Ids, uint8_t *Out,
                   StatPart Part = StatPart::Whole);
int64_t hostStatAt(int DirFd, const char *Name, const HostIds &Ids,
                   uint8_t *Out, StatPart Part = StatPart::Whole);


/// The guest's S_IF* type for a host st_mode.
uint32_t guestType(unsigned HostMode);

/// Fixed-width little-endian fields of gate output.
inline void put32(uint8_t *P, uint32_t V) {
  llvm::support::endian::write32le(P, V);
}
inline void put64(uint8_t *P, uint64_t V) {
  llvm::support::endian::write64le(P, V);
}
inline uint32_t get32(const uint8_t *P) {
  return llvm::support::endian::read32le(P);
}
inline uint64_t get64(const uint8_t *P) {
  return llvm::support::endian::read64le(P);
}

} // namespace reprise::fs
