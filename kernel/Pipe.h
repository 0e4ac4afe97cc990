//===- kernel/Pipe.h - Pipes ----------------------------------*- C++ -*-===//
//
// A pipe is a 64 KiB buffer in the kernel with a read end and a write end.
// Reads and writes that cannot proceed park the task (Kernel::block) on the
// pipe's queues; closing the last end of one side wakes the other.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/Task.h"

#include <deque>

namespace reprise {

struct Pipe {
  std::deque<uint8_t> Buf;
  unsigned Readers = 0, Writers = 0;
  WaitQueue Readable, Writable;
  uint64_t Ino = 0;
  static constexpr size_t Capacity = 65536, Atomic = 4096; // PIPE_BUF
};

/// One end of a pipe.
class PipeFile : public fs::OpenFile {
public:
  PipeFile(std::shared_ptr<Pipe> P, bool WriteEnd, uint32_t Flags);
  ~PipeFile() override;

  /// Non-blocking transfers; EAGAIN where a blocking call would wait.
  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override;
  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf, const int64_t *Offset) override;
  Result<int64_t> seek(int64_t, uint32_t) override { return Errno::LX_ESPIPE; }
  Result<int64_t> ioctl(uint32_t Request, llvm::MutableArrayRef<uint8_t> Arg) override;

  Pipe &pipe() { return *P; }
  bool writeEnd() const { return WriteEnd; }

private:
  std::shared_ptr<Pipe> P;
  bool WriteEnd;
};

/// read(2)/write(2) on a pipe end with blocking, for the file syscalls.
SysResult pipeRead(Task &T, PipeFile &F, uint64_t Buf, uint64_t Count);
SysResult pipeWrite(Task &T, PipeFile &F, uint64_t Buf, uint64_t Count);

} // namespace reprise
