//===- kernel/proc/ProcFs.h - The guest's /proc -----------------*- C++ -*-===//
#pragma once

#include "fs/Synthetic.h"

namespace reprise {

class Kernel;

/// Builds /proc from \p K's state: self, and per process exe, fd/, cmdline.
/// The nodes keep a reference to \p K, which outlives its file systems.
fs::VnodeRef makeProcFs(Kernel &K, fs::SyntheticFsRef FS);

} // namespace reprise
