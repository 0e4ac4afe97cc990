//===- kernel/syscalls/Abi.h - Per-arch encodings at the boundary -*- C++ -*-===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/abi/Arch.h"
#include "kernel/abi/Structs.h"

#include <vector>

namespace reprise {

/// open(2) flags of \p A into the canonical (x86-64 numbered) set, and back.
uint32_t canonicalOpenFlags(Arch A, uint32_t Flags);
uint32_t archOpenFlags(Arch A, uint32_t Flags);

/// struct stat of \p A.
std::vector<uint8_t> encodeStat(Arch A, const fs::FileStat &S);

class Task;

/// An iovec array of the guest (readv(2), sendmsg(2)): EINVAL for a
/// negative count or lengths that overflow, \p TooMany past UIO_MAXIOV
/// (sendmsg says EMSGSIZE there).
Result<std::vector<linux_abi::iovec>> readIovecs(Task &T, uint64_t Addr, int64_t Count,
                                                 Errno TooMany = Errno::LX_EINVAL);

} // namespace reprise
