//===- kernel/syscalls/Abi.h - Per-arch encodings at the boundary -*- C++ -*-===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/abi/Arch.h"

#include <vector>

namespace reprise {

/// open(2) flags of \p A into the canonical (x86-64 numbered) set, and back.
uint32_t canonicalOpenFlags(Arch A, uint32_t Flags);
uint32_t archOpenFlags(Arch A, uint32_t Flags);

/// struct stat of \p A.
std::vector<uint8_t> encodeStat(Arch A, const fs::FileStat &S);

} // namespace reprise
