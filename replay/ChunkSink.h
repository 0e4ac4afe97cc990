//===- replay/ChunkSink.h - Packing and writing chunks off the guest thread ===//
//
// Recording must cost the guest little more than a plain run. Compressing,
// checksumming and writing a chunk is most of what the writer does, and none
// of it decides anything the guest sees, so the sink does it on a host thread
// of its own: the thread that runs the guest encodes events into raw chunks
// (a few bytes per event) and hands them over.
//
// Only the raw chunks cross between the threads. Staging whole events for
// the other thread to encode was tried and measured: it moves about 90
// bytes per system call from one core's cache to the other's, and on the
// 2-core VM reprise is benchmarked on that made recording of bench/run's
// syscall workload twice as slow as encoding on the guest's thread.
//
// The file is the same as if the chunks were packed on the calling thread:
// chunks go to the file whole, in the order they were put, and a chunk's
// stored bytes depend only on its raw bytes. A recording killed at any
// moment therefore still ends with its last complete chunk; what was queued
// and not yet written is lost, as a chunk not yet cut would be.
//
//===----------------------------------------------------------------------===//
#ifndef REPRISE_REPLAY_CHUNKSINK_H
#define REPRISE_REPLAY_CHUNKSINK_H

#include "replay/LargeBuffer.h"
#include "replay/TraceFormat.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace reprise::replay {

/// A byte buffer that changes hands between the writer and its sink.
using ChunkBuffer = llvm::SmallVector<uint8_t, 0>;


class ChunkSink {
public:
  /// Takes the open, unbuffered \p OS. Nothing reaches it before start().
  /// \p EmptyFirst: when not -1, \p OS's descriptor, a regular file that
  /// still holds old bytes, which the sink's thread truncates before
  /// anything else.
  explicit ChunkSink(std::unique_ptr<llvm::raw_fd_ostream> OS, int EmptyFirst = -1);
  /// Writes what was put (if start() was called), then closes the file.
  ~ChunkSink();
  ChunkSink(const ChunkSink &) = delete;
  ChunkSink &operator=(const ChunkSink &) = delete;

  /// Lets the sink write: \p Preamble (bytes ready for the file) goes
  /// first, then the header chunk of raw bytes \p Header, packed by the
  /// sink like every chunk, then every chunk put so far.
  void start(ChunkBuffer Preamble, ChunkBuffer Header);
  /// Queues \p Raw as a chunk of type \p T. Waits while too much is queued,
  /// so that a guest faster than the compressor does not grow memory.
  void put(format::ChunkType T, ChunkBuffer Raw);
  /// Queues a copy of \p Raw, a large chunk, in a LargeBuffer (reusing one
  /// the sink is done with).
  void putLarge(format::ChunkType T, llvm::ArrayRef<uint8_t> Raw);
  /// A cleared buffer for the next put(), reusing one the sink is done with.
  ChunkBuffer buffer();
  /// Writes everything queued and closes the file; the first failure (a
  /// write error) as a message, or "" for none.
  std::string close();
  /// Bytes the file has so far (all of them after close()).
  uint64_t written() const { return Written.load(std::memory_order_relaxed); }

private:
  struct Job {
    format::ChunkType Type;
    ChunkBuffer Raw;
    LargeBuffer Large; // the bytes instead, when set
    size_t LargeSize = 0;

    llvm::ArrayRef<uint8_t> bytes() {
      return Large ? llvm::ArrayRef<uint8_t>(Large.data(), LargeSize)
                   : llvm::ArrayRef<uint8_t>(Raw);
    }
  };
  void queue(Job J, size_t Bytes);

  void run();
  void write(ChunkBuffer &Out);

  std::unique_ptr<llvm::raw_fd_ostream> OS;
  format::ChunkPacker Packer; // the sink's thread's
  /// Closes the file, noting a failure (on the sink's thread).
  void closeFile();
  std::string Failure;        // the sink's thread's until it sets Done
  std::atomic<uint64_t> Written{0};

  std::mutex M;
  std::condition_variable Work; // to the sink: a job, start or close
  std::condition_variable Room; // to put(): the queue shrank
  std::deque<Job> Queue;
  size_t QueuedBytes = 0;
  ChunkBuffer Front;  // the preamble, until the sink writes it
  ChunkBuffer Header; // the raw header chunk, until then too
  bool Started = false;
  bool Closing = false;
  bool Done = false; // the file is closed; Failure is final
  std::condition_variable Finished; // to close(): Done
  std::vector<ChunkBuffer> Free;
  std::vector<LargeBuffer> FreeLarge;
  std::thread Thread;
};

} // namespace reprise::replay

#endif
