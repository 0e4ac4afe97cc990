//===- fs/HostStream.h - The host's stdin, stdout and stderr ----*- C++ -*-===//
//
// The guest's first descriptors stand for reprise's own stdin, stdout and
// stderr. Every host call on them passes the gate (see replay/Gate.h and
// fs/HostCall.h): taking the stream and learning what it is (dup, access
// mode, file type, terminal or not), reads, writes, seeks, the window size.
// So replay shows the guest the streams of the recording, whatever the
// replaying host's are, and serves stdin from the trace. Output is the one
// thing replay still does on the host: what the guest writes to stdout and
// stderr is written to the replaying host's own stdout and stderr, as far as
// the recorded result says the write went, so that a replay shows the run.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "replay/Gate.h"

namespace reprise::fs {

/// Opens the host descriptor \p HostFd (0, 1 or 2) as the guest's file of
/// the same number; null when the host has no such descriptor (in replay:
/// when the recording's host had none). The guest sees fixed metadata: a
/// character device for a terminal, a FIFO for a pipe, a regular file with
/// its size for a redirected file.
FileRef openHostStream(int HostFd, replay::Gate &G, Timespec Boot);

} // namespace reprise::fs
