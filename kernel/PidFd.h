//===- kernel/PidFd.h - Process file descriptors ----------------*- C++ -*-===//
//
// A pidfd names a process by its ids rather than by a number that may be
// reused: it holds the process's PidNumbers, so the ids stay taken while the
// descriptor is open, and a signal or wait through it reaches that process
// or none (ESRCH once it is reaped). It reads and writes nothing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/PidNamespace.h"

namespace reprise {

class PidFdFile : public fs::OpenFile {
public:
  PidFdFile(PidRef Id, uint64_t Ino, uint32_t Flags);

  Result<size_t> read(llvm::MutableArrayRef<uint8_t>, const int64_t *) override {
    return Errno::LX_EINVAL;
  }
  Result<size_t> write(llvm::ArrayRef<uint8_t>, const int64_t *) override {
    return Errno::LX_EINVAL;
  }
  Result<int64_t> seek(int64_t, uint32_t) override { return Errno::LX_ESPIPE; }

  const PidRef &id() const { return Id; }

private:
  PidRef Id;
};

} // namespace reprise
