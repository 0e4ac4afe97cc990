//===- kernel/EventFd.h - eventfd ------------------------------*- C++ -*-===//
//
// An eventfd is a 64-bit counter in the kernel. A write adds to it (waiting
// while the sum would pass the largest value, 2^64 - 2); a read takes the
// whole count, or one with EFD_SEMAPHORE, and waits while it is zero.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/Task.h"

namespace reprise {

class EventFdFile : public fs::OpenFile {
public:
  static constexpr uint64_t Max = ~uint64_t(0) - 1;

  EventFdFile(uint64_t Initial, bool Semaphore, uint64_t Ino, uint32_t Flags);

  /// Non-blocking transfers of one 8-byte value; EAGAIN where a blocking
  /// call would wait.
  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf, const int64_t *) override;
  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf, const int64_t *) override;
  /// Linux's eventfd seeks nowhere and says so: the position stays 0.
  Result<int64_t> seek(int64_t, uint32_t) override { return 0; }

  uint64_t Count;
  bool Semaphore;
  WaitQueue Readable, Writable;
};

/// read(2)/write(2) of an eventfd by \p T, parking unless O_NONBLOCK.
SysResult eventFdRead(Task &T, EventFdFile &F, uint64_t Buf, uint64_t Count);
SysResult eventFdWrite(Task &T, EventFdFile &F, uint64_t Buf, uint64_t Count);

} // namespace reprise
