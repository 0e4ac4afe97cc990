//===- fs/Vfs.h - Mounts and path resolution --------------------*- C++ -*-===//
//
// Path resolution is reprise's own, one component at a time: "." is skipped,
// ".." steps back along the chain of directories walked so far and never
// above the root, and a symlink's target is spliced into the rest of the path
// (absolute targets restart at the guest root). So neither ".." nor a symlink
// can lead out of the guest root, whatever they say.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include <map>

namespace reprise::fs {

inline constexpr size_t PathMax = 4096, NameMax = 255;
inline constexpr unsigned SymlinkMax = 40;

/// What /proc/mounts says of a mount.
struct MountInfo {
  std::string Source;  // "proc", "none"
  std::string Type;    // "proc", "devtmpfs"
  std::string Options; // "rw,nosuid,nodev,noexec,relatime"
  uint64_t Device = 0; // st_dev of its files
};

/// One entry of the mount table.
struct Mount {
  int Id = 0;          // mountinfo's mount id
  std::string Path;    // where it is mounted ("/" for the root)
  MountInfo Info;
};

class Vfs {
public:
  explicit Vfs(VnodeRef Root, MountInfo RootInfo = {})
      : Root(std::move(Root)), Table{{FirstMountId, "/", std::move(RootInfo)}} {}

  /// Mounts \p FsRoot over the absolute guest path \p Path ("/proc").
  void mount(const std::string &Path, VnodeRef FsRoot, MountInfo Info = {});
  /// The mounts, the root first and then in the order they were made.
  const std::vector<Mount> &mounts() const { return Table; }
  /// The mount id of the first mount whose files have st_dev \p Device
  /// (the root's when none has).
  int mountIdOf(uint64_t Device) const;

  Location rootLocation() const { return Location{{Root}, {}}; }

  /// Resolves \p Path from \p Start (used for relative paths; absolute ones
  /// start at \p RootLoc). A final symlink is followed when \p FollowLast.
  /// A trailing slash requires a directory.
  Result<Location> resolve(const Location &RootLoc, const Location &Start,
                           std::string_view Path, bool FollowLast,
                           const Creds &C) const;

  /// Resolves all but the last component; returns the parent directory and
  /// the last name ("." or ".." included, for the caller to refuse).
  Result<std::pair<Location, std::string>>
  resolveParent(const Location &RootLoc, const Location &Start,
                std::string_view Path, const Creds &C) const;

private:
  Result<Location> walk(const Location &RootLoc, Location Cur,
                        std::vector<std::string> Todo, bool FollowLast,
                        bool MustBeDir, const Creds &C) const;
  // Mount ids count from here, as a container's view starts past the ids
  // of its host's mounts.
  static constexpr int FirstMountId = 21;
  VnodeRef Root;
  std::map<std::string, VnodeRef> Mounts;
  std::vector<Mount> Table;
};

/// The working directory, root and umask of a task (shared with CLONE_FS).
struct FsContext {
  Location Root;
  Location Cwd;
  uint32_t Umask = 022;
};

} // namespace reprise::fs
