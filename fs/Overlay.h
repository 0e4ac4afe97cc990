//===- fs/Overlay.h - Writes to the root kept in a private layer -*- C++ -*-===//
//
// --overlay: the guest sees the root (the lower layer, read only) merged with
// an upper layer held in a MemFs, and every change lands in the upper layer;
// the lower layer's files are never written. As Linux's overlayfs:
//  - copy-up: an object is copied into the upper layer (its directories
//    first) when it is opened for writing or truncated, or has its mode,
//    owner or times set, is renamed or gets a hard link; it keeps the lower
//    object's inode number, mode, owner and times;
//  - whiteouts: a name removed (unlink, rmdir, rename away) that the lower
//    layer has is hidden by a whiteout in the upper directory; a directory
//    made where a whiteout stood is opaque (the lower one is not merged);
//  - listings merge both layers, sorted by name;
//  - renaming a directory that exists in the lower layer fails with EXDEV
//    (overlayfs without redirect_dir): mv falls back to copying;
//  - a file opened read-only before another descriptor copied it up keeps
//    reading the lower file; a hard link is broken by copy-up.
// The upper layer is kernel state, made again by replay from the trace (the
// lower layer's reads are outside input through the gate as always). Its
// regular files together hold at most MemFs's Capacity bytes (ENOSPC past
// it). Mounts over the root (--bind, --tmpfs, /proc) are not overlaid.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/MemFs.h"

namespace reprise::fs {

/// The merged root of \p Lower (a directory) with an empty upper layer in
/// \p Upper (whose Device should be the lower layer's, so that st_dev stays).
VnodeRef makeOverlay(VnodeRef Lower, MemFsRef Upper);

} // namespace reprise::fs
