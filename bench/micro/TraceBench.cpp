//===- bench/micro/TraceBench.cpp - What recording costs per event --------===//
//
// The recorder appends one Syscall event per guest system call, so a tight
// getppid loop is the worst case for its overhead. This measures what
// TraceWriter::append costs per event (encoding, chunk compression, the
// write of each chunk), the bytes each event takes in the file, what reading
// one back costs, and how fast the candidate blob keys hash (FORMAT.md).
//
// usage: reprise_trace_bench [EVENTS [getppid|varied|hash]]
//        (default: 5000000 events, every case)
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"
#include "replay/TraceFormat.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/xxhash.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

using namespace reprise::replay;

namespace {

/// Process CPU time, not wall time: on a shared machine the wall clock
/// counts other programs' turns.
struct Clock {
  static double now() {
    timespec T;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &T);
    return double(T.tv_sec) + double(T.tv_nsec) * 1e-9;
  }
};

double secondsSince(double T) { return Clock::now() - T; }

/// Sums the raw sizes of the event chunks of the trace at \p Path.
uint64_t rawEventBytes(const std::string &Path) {
  auto B = llvm::MemoryBuffer::getFile(Path, false, false);
  if (!B)
    return 0;
  const auto *P = reinterpret_cast<const uint8_t *>((*B)->getBufferStart());
  size_t Size = (*B)->getBufferSize(), Pos = format::PreambleSize;
  uint64_t Raw = 0;
  while (Pos + format::ChunkHeaderSize <= Size) {
    format::ChunkHeader H;
    if (!format::parseChunkHeader(P + Pos, H))
      break;
    if (H.Type == uint8_t(format::ChunkType::Events))
      Raw += H.RawSize;
    Pos += format::ChunkHeaderSize + H.StoredSize;
  }
  return Raw;
}

/// Records \p N events made by \p Make, reads them back, prints one line.
void run(const char *Name, uint64_t N,
         const std::function<void(uint64_t, Event &)> &Make) {
  llvm::SmallString<128> Path;
  if (llvm::sys::fs::createTemporaryFile("reprise-bench", "rpt", Path)) {
    std::fprintf(stderr, "cannot create a temporary file\n");
    std::exit(1);
  }
  std::string P(Path);
  auto W = TraceWriter::create(P);
  if (!W) {
    std::fprintf(stderr, "%s\n", llvm::toString(W.takeError()).c_str());
    std::exit(1);
  }
  (*W)->setHeader(TraceHeader());
  Event E;
  // Making the events is timed apart and taken off.
  auto T0 = Clock::now();
  for (uint64_t K = 0; K < N; ++K)
    Make(K, E);
  double MakeTime = secondsSince(T0);
  T0 = Clock::now();
  for (uint64_t K = 0; K < N; ++K) {
    Make(K, E);
    (*W)->append(E);
  }
  if (auto Err = (*W)->finish()) {
    std::fprintf(stderr, "%s\n", llvm::toString(std::move(Err)).c_str());
    std::exit(1);
  }
  double WriteTime = secondsSince(T0) - MakeTime;
  uint64_t Bytes = (*W)->bytesWritten();

  T0 = Clock::now();
  auto R = TraceReader::open(P);
  uint64_t Read = 0;
  if (R)
    while (true) {
      auto More = (*R)->next(E);
      if (!More || !*More) {
        if (!More)
          llvm::consumeError(More.takeError());
        break;
      }
      ++Read;
    }
  else
    llvm::consumeError(R.takeError());
  double ReadTime = secondsSince(T0);
  std::printf("%-28s %7.1f ns/event to record  %6.2f bytes/event in the file "
              "(%5.2f raw)  %6.1f ns/event to read%s\n",
              Name, WriteTime * 1e9 / double(N), double(Bytes) / double(N),
              double(rawEventBytes(P)) / double(N), ReadTime * 1e9 / double(N),
              Read == N ? "" : "  (READ BACK FAILED)");
  llvm::sys::fs::remove(P);
}

void hashSpeed() {
  std::vector<uint8_t> D(8 << 20);
  for (size_t K = 0; K < D.size(); ++K)
    D[K] = uint8_t(K * 2654435761u >> 13);
  auto Time = [&](const char *Name, const std::function<uint64_t()> &F) {
    uint64_t Sink = 0;
    auto T0 = Clock::now();
    for (int K = 0; K < 8; ++K)
      Sink += F();
    double S = secondsSince(T0);
    std::printf("blob key %-22s %7.0f MB/s%s\n", Name, 8.0 * double(D.size()) / S / 1e6,
                Sink == 42 ? " " : "");
  };
  Time("xxHash64 (the key)", [&] { return format::chunkHash(D); });
  Time("xxHash64 + CRC-32", [&] { return llvm::xxHash64(D) ^ llvm::crc32(D); });
  Time("SHA-256", [&] { return uint64_t(llvm::SHA256::hash(D)[0]); });
}

} // namespace

int main(int Argc, char **Argv) {
  uint64_t N = Argc > 1 ? std::strtoull(Argv[1], nullptr, 10) : 5000000;
  if (N == 0)
    N = 1;
  std::string Only = Argc > 2 ? Argv[2] : "";
  auto Wanted = [&](const char *Case) { return Only.empty() || Only == Case; };
  // getppid through syscall(3) in a loop: the same registers every time.
  if (Wanted("getppid"))
    run("getppid loop", N, [](uint64_t, Event &E) {
      E.Kind = EventKind::Syscall;
      E.Tid = 1;
      E.Op = 110;
      E.Args.assign({0x7ffe5c3a1e48, 0x4c6f00, 0, 0x4018a5, 0x7ffe5c3a1f58, 0});
      E.Result = 1;
    });
  // A mix of calls whose arguments and results change: reads of a growing
  // offset into moving buffers, across three tasks.
  if (Wanted("varied"))
    run("varied calls, three tasks", N, [](uint64_t K, Event &E) {
      E.Kind = EventKind::Syscall;
      E.Tid = int32_t(1 + K % 3);
      E.Op = K % 5 == 0 ? 257 : (K % 2 ? 0 : 1);
      E.Args.assign({3 + K % 7, 0x7f12a0000000 + (K * 4096) % (1 << 24), 4096 + K % 100,
                     K * 17, 0, 0});
      E.Result = int64_t(K % 4096);
    });
  if (Wanted("hash"))
    hashSpeed();
}
