//===- replay/Trace.h - Writing and reading trace files ----------*- C++ -*-===//
//
// The file format is described in replay/FORMAT.md. In short: a magic and a
// format version, then chunks. The first chunk holds the header; every other
// one holds a run of events. Each chunk is compressed on its own with zstd
// and checksummed, and is cut after a fixed number of events or bytes (never
// by time), so that the same run always gives the same bytes, and a file cut
// short at any point still reads up to its last complete chunk.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "replay/Event.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace reprise::replay {

/// The format version this build writes and the only one it reads.
constexpr uint32_t FormatVersion = 4;

struct TraceHeader {
  std::string ReprisVersion;  // REPRISE_VERSION of the recorder
  std::string UnicornVersion; // "2.1" and so on: block counts depend on it
  std::string Arch;           // "x86_64" or "arm64"
  std::string CpuModel;       // the engine's CPU model for that arch
  std::string Program;        // as given on the command line
  std::vector<std::string> Argv, Envp;
  /// Every option that affects the guest (seed, epoch, quantum, sched,
  /// limits, ids, cwd, hostname...), by name; values as given.
  std::map<std::string, std::string> Options;
};

/// Where the writer cuts event chunks: when this many events have ended in
/// the chunk, or exactly when its raw bytes reach this size, whichever comes
/// first. The defaults are what reprise writes; tests pick small chunks to
/// get many chunk boundaries in a small file. Readers accept any cut points.
struct ChunkLimits {
  uint32_t Events = 16384;
  uint32_t Bytes = 1u << 20; // at most 64 MiB
};

class TraceWriter {
public:
  /// Creates (truncates) \p Path.
  static llvm::Expected<std::unique_ptr<TraceWriter>>
  create(llvm::StringRef Path, ChunkLimits Limits = {});
  ~TraceWriter();

  /// Must be called once before the first chunk is written; events
  /// appended before it wait in memory.
  void setHeader(TraceHeader H);
  /// Appends \p E; a full chunk goes to the file at once.
  void append(const EventView &E);
  /// Writes the last chunk and closes the file.
  llvm::Error finish();

  uint64_t events() const;
  uint64_t bytesWritten() const;

private:
  TraceWriter();
  struct Impl;
  std::unique_ptr<Impl> I;
};

class TraceReader {
public:
  /// Opens \p Path and reads its header; fails with one line on a missing,
  /// foreign, wrong-version or corrupt file.
  static llvm::Expected<std::unique_ptr<TraceReader>> open(llvm::StringRef Path);
  /// The same over bytes in memory (tests and the fuzzer).
  static llvm::Expected<std::unique_ptr<TraceReader>>
  fromBytes(std::vector<uint8_t> Bytes);
  ~TraceReader();

  const TraceHeader &header() const;
  /// The next event into \p E: true, or false at the end of the trace.
  /// A corrupt chunk is an error naming it.
  llvm::Expected<bool> next(Event &E);
  /// Index of the event the next call returns (0-based).
  uint64_t position() const;
  /// True once next() returned false because the file ended inside a chunk
  /// or before the End event (a recording cut short).
  bool truncated() const;

  /// From now on next() leaves the bytes of an Input event that the trace
  /// holds as a blob unread: the event's Data stays empty, pendingBlob()
  /// says how many bytes it has, and readPendingBlob() puts them where the
  /// caller wants them. Replay reads a blob (the guest's executable, a file's
  /// contents) straight into the guest's buffer this way, saving a copy and
  /// the page faults of a buffer of the blob's size.
  void deferInputBlobs();
  /// Bytes of the blob the last event left unread; 0 if none.
  size_t pendingBlob() const;
  /// Reads them into \p Dst (pendingBlob() bytes); an error names the chunk.
  llvm::Error readPendingBlob(llvm::MutableArrayRef<uint8_t> Dst);

private:
  TraceReader();
  struct Impl;
  std::unique_ptr<Impl> I;
};

} // namespace reprise::replay
