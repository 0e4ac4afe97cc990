//===- fs/HostStream.h - The host's stdin, stdout and stderr ----*- C++ -*-===//
#pragma once

#include "fs/Vnode.h"
#include "replay/Gate.h"

namespace reprise::fs {

/// Opens the host descriptor \p HostFd (0, 1 or 2) as the guest's file of
/// the same number. Reads are outside input and pass the gate. The guest
/// sees fixed metadata: a character device for a terminal, a FIFO for a pipe,
/// a regular file with its size for a redirected file.
FileRef openHostStream(int HostFd, replay::Gate &G, Timespec Boot);

} // namespace reprise::fs
