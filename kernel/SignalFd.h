//===- kernel/SignalFd.h - signalfd ----------------------------*- C++ -*-===//
//
// A signalfd turns the reader's pending signals of a set into records that
// read(2) takes off the queues, instead of running handlers. Which signals
// it sees depends on the reading thread (its own queue and its process's),
// so reading goes through the kernel, not the file.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/Task.h"

namespace reprise {

class SignalFdFile : public fs::OpenFile {
public:
  SignalFdFile(uint64_t Mask, uint64_t Ino, uint32_t Flags);

  Result<size_t> write(llvm::ArrayRef<uint8_t>, const int64_t *) override {
    return Errno::LX_EINVAL;
  }
  Result<int64_t> seek(int64_t, uint32_t) override { return Errno::LX_ESPIPE; }

  uint64_t Mask;
};

/// read(2) of a signalfd by \p T: whole 128-byte records, blocking (unless
/// O_NONBLOCK) until a signal of the set is pending.
SysResult signalFdRead(Task &T, SignalFdFile &F, uint64_t Buf, uint64_t Count);

} // namespace reprise
