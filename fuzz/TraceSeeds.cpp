//===- fuzz/TraceSeeds.cpp - A seed corpus for TraceReaderFuzz ------------===//
//
// usage: reprise_trace_seeds DIR
//
// Writes into DIR a few small traces with every kind of event (in large and
// in tiny chunks, whole and cut short), and the same traces in the raw form
// TraceReaderFuzz frames itself (see there), so that the fuzzer starts from
// inputs that read all the way through.
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"
#include "replay/TraceFormat.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace reprise::replay;

namespace {

std::vector<Event> sampleEvents() {
  std::vector<Event> Es;
  auto Add = [&](EventKind K, int32_t Tid, uint64_t Op, int64_t Result,
                 std::vector<uint64_t> Args, std::vector<uint8_t> Data) {
    Event E;
    E.Kind = K;
    E.Tid = Tid;
    E.Op = Op;
    E.Result = Result;
    E.Args.assign(Args.begin(), Args.end());
    E.Data.assign(Data.begin(), Data.end());
    Es.push_back(std::move(E));
  };
  std::vector<uint8_t> Page(300);
  for (size_t K = 0; K < Page.size(); ++K)
    Page[K] = uint8_t(K * 7 + 3);
  Add(EventKind::Input, 0, 1, 5, {}, {'h', 'e', 'l', 'l', 'o'});
  Add(EventKind::Input, 0, 1, 300, {}, Page);
  Add(EventKind::Input, 0, 1, 300, {}, Page);
  Add(EventKind::Input, 0, 2, -2, {}, {});
  Add(EventKind::HostSignal, 0, 1u << 14, 0, {}, {});
  for (uint64_t K = 0; K < 12; ++K)
    Add(EventKind::Syscall, int32_t(1 + K % 2), K % 3 ? 110 : 257, int64_t(K) - 3,
        {uint64_t(-100), 0x7ffd0000 + K * 8, 0, K, ~0ull, 0}, {});
  Add(EventKind::Schedule, 2, 100000, 0, {}, {});
  Add(EventKind::Clone, 1, 0x3d0f00, 2, {17, 2}, {});
  Add(EventKind::Exec, 2, 0, 0, {}, {'/', 'b', 'i', 'n', '/', 's', 'h'});
  Add(EventKind::Signal, 2, 11, 1, {}, {});
  Add(EventKind::Exit, 2, 0, 0x8b, {}, {});
  Add(EventKind::End, 0, 0, 0, {}, {});
  return Es;
}

bool writeFile(const std::string &Path, llvm::ArrayRef<uint8_t> Bytes) {
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  if (EC)
    return false;
  OS.write(reinterpret_cast<const char *>(Bytes.data()), Bytes.size());
  OS.close();
  bool Ok = !OS.has_error();
  OS.clear_error();
  return Ok;
}

llvm::Expected<std::vector<uint8_t>> record(const std::string &Path, ChunkLimits L) {
  auto W = TraceWriter::create(Path, L);
  if (!W)
    return W.takeError();
  TraceHeader H;
  H.ReprisVersion = "0.1.0";
  H.UnicornVersion = "2.1";
  H.Arch = "x86_64";
  H.CpuModel = "max";
  H.Program = "/bin/sh";
  H.Argv = {"sh", "-c", "true"};
  H.Envp = {"PATH=/bin"};
  H.Options = {{"seed", "1"}};
  (*W)->setHeader(H);
  for (const Event &E : sampleEvents())
    (*W)->append(E);
  if (auto Err = (*W)->finish())
    return Err;
  auto B = llvm::MemoryBuffer::getFile(Path, false, false);
  if (!B)
    return llvm::errorCodeToError(B.getError());
  return std::vector<uint8_t>((*B)->getBufferStart(), (*B)->getBufferEnd());
}

/// The raw form of \p Trace for TraceReaderFuzz: its chunks decompressed.
std::vector<uint8_t> rawForm(const std::vector<uint8_t> &Trace, uint8_t Piece) {
  std::vector<uint8_t> Header, Last, Blobs, Stream;
  format::ChunkUnpacker U;
  size_t Pos = format::PreambleSize;
  for (uint64_t Index = 0; Pos + format::ChunkHeaderSize <= Trace.size(); ++Index) {
    format::ChunkHeader H;
    if (!format::parseChunkHeader(Trace.data() + Pos, H))
      break;
    llvm::ArrayRef<uint8_t> Stored(Trace.data() + Pos + format::ChunkHeaderSize,
                                   H.StoredSize);
    auto &Into = H.Type == uint8_t(format::ChunkType::Header) ? Header
                 : H.Type == uint8_t(format::ChunkType::End)  ? Last
                 : H.Type == uint8_t(format::ChunkType::Blob) ? Blobs
                                                              : Stream;
    llvm::consumeError(U.unpack(Index, H, Stored, Into));
    Pos += format::ChunkHeaderSize + H.StoredSize;
  }
  std::vector<uint8_t> Out = {Piece};
  auto Uleb = [&](uint64_t V) {
    do {
      Out.push_back(uint8_t((V & 0x7f) | (V >= 0x80 ? 0x80 : 0)));
      V >>= 7;
    } while (V);
  };
  Uleb(Header.size());
  Out.insert(Out.end(), Header.begin(), Header.end());
  Uleb(Last.size());
  Out.insert(Out.end(), Last.begin(), Last.end());
  Uleb(Blobs.size());
  Out.insert(Out.end(), Blobs.begin(), Blobs.end());
  Out.insert(Out.end(), Stream.begin(), Stream.end());
  return Out;
}

} // namespace

int main(int Argc, char **Argv) {
  if (Argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", Argv[0]);
    return 2;
  }
  std::string Dir = Argv[1];
  if (auto EC = llvm::sys::fs::create_directories(Dir)) {
    std::fprintf(stderr, "cannot create %s: %s\n", Dir.c_str(), EC.message().c_str());
    return 1;
  }
  struct Seed {
    const char *Name;
    ChunkLimits Limits;
  };
  for (Seed S : {Seed{"large-chunks", {}}, Seed{"tiny-chunks", {3, 40}}}) {
    std::string Path = Dir + "/" + S.Name + ".rpt";
    auto Bytes = record(Path, S.Limits);
    if (!Bytes) {
      std::fprintf(stderr, "%s\n", llvm::toString(Bytes.takeError()).c_str());
      return 1;
    }
    std::vector<uint8_t> Cut(Bytes->begin(),
                             Bytes->begin() + long(Bytes->size() * 2 / 3));
    std::vector<uint8_t> Raw = rawForm(*Bytes, 31), Raw1 = rawForm(*Bytes, 0);
    if (!writeFile(Dir + "/" + S.Name + "-cut.rpt", Cut) ||
        !writeFile(Dir + "/" + S.Name + ".raw", Raw) ||
        !writeFile(Dir + "/" + S.Name + "-bytewise.raw", Raw1)) {
      std::fprintf(stderr, "cannot write the seeds into %s\n", Dir.c_str());
      return 1;
    }
  }
  return 0;
}
