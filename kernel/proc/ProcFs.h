//===- kernel/proc/ProcFs.h - The guest's /proc -----------------*- C++ -*-===//
#pragma once

#include "fs/Synthetic.h"

namespace reprise {

class Kernel;

/// Builds /proc from \p K's state: per process and per thread directories,
/// self and thread-self, and the system-wide files (cpuinfo, meminfo, mounts,
/// sys/kernel...).
/// The nodes keep a reference to \p K, which outlives its file systems.
fs::VnodeRef makeProcFs(Kernel &K, fs::SyntheticFsRef FS);

} // namespace reprise
