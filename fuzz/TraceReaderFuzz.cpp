//===- fuzz/TraceReaderFuzz.cpp - Hostile input for TraceReader -----------===//
//
// libFuzzer entry point. Every input is first read as a whole trace file, so
// the fuzzer tries the preamble and the chunk framing. The checksums stop
// almost any mutation of a real trace at the first damaged chunk, though, so
// an input that is not a trace file (no magic) is also read as the raw
// contents of one, framed here as replay/FORMAT.md says, with correct
// checksums:
//
//   u8    piece: the event stream and the blobs are cut into chunks of
//         piece + 1 bytes
//   uleb  H, then H bytes: the header chunk's raw bytes
//   uleb  M, then M bytes: the End chunk's raw bytes
//   uleb  B, then B bytes: the contents of the new blobs, one after the
//         other, in Blob chunks right after the header chunk
//   the rest: the event stream
//
// so that mutations reach the header and event decoders. Either way, reading
// must end in events, a clean end, or one line of error: never a crash, a
// hang or a leak.
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"
#include "replay/TraceFormat.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace reprise::replay;

namespace {

/// An error must be one line, and say something.
void checkMessage(llvm::Error E) {
  std::string M = llvm::toString(std::move(E));
  if (M.empty() || M.find('\n') != std::string::npos)
    std::abort();
}

void readAll(std::vector<uint8_t> Bytes) {
  auto R = TraceReader::fromBytes(std::move(Bytes));
  if (!R)
    return checkMessage(R.takeError());
  Event E;
  for (;;) {
    uint64_t Before = (*R)->position();
    auto More = (*R)->next(E);
    if (!More)
      return checkMessage(More.takeError());
    if (!*More)
      break;
    if ((*R)->position() != Before + 1)
      std::abort();
  }
  (void)(*R)->truncated();
  auto After = (*R)->next(E);
  if (!After || *After)
    std::abort(); // the end stays the end
}

/// Reads a ULEB length from [P, End), clamped to what is left after it.
size_t takeLength(const uint8_t *&P, const uint8_t *End) {
  uint64_t V = 0;
  for (unsigned Shift = 0; P != End && Shift < 64; Shift += 7) {
    uint8_t B = *P++;
    V |= uint64_t(B & 0x7f) << Shift;
    if (!(B & 0x80))
      break;
  }
  return size_t(std::min<uint64_t>(V, uint64_t(End - P)));
}

std::vector<uint8_t> frame(const uint8_t *P, size_t Size) {
  const uint8_t *End = P + Size;
  size_t Piece = Size ? size_t(*P++) + 1 : 1;
  size_t H = takeLength(P, End);
  llvm::ArrayRef<uint8_t> Header(P, H);
  P += H;
  size_t M = takeLength(P, End);
  llvm::ArrayRef<uint8_t> Last(P, M);
  P += M;
  size_t B = takeLength(P, End);
  llvm::ArrayRef<uint8_t> Blobs(P, B);
  P += B;
  llvm::ArrayRef<uint8_t> Stream(P, size_t(End - P));

  std::vector<uint8_t> Out;
  format::appendPreamble(Out, FormatVersion);
  // One compression context for the whole run: making one per input would
  // cost more than the reading.
  static format::ChunkPacker Packer;
  Packer.pack(format::ChunkType::Header, Header, Out);
  for (size_t Off = 0; Off < Blobs.size(); Off += Piece)
    Packer.pack(format::ChunkType::Blob,
                Blobs.slice(Off, std::min(Piece, Blobs.size() - Off)), Out);
  for (size_t Off = 0; Off < Stream.size(); Off += Piece)
    Packer.pack(format::ChunkType::Events,
                Stream.slice(Off, std::min(Piece, Stream.size() - Off)), Out);
  Packer.pack(format::ChunkType::End, Last, Out);
  return Out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  readAll(std::vector<uint8_t>(Data, Data + Size));
  const auto &Magic = format::FileMagic;
  if (Size < Magic.size() || std::memcmp(Data, Magic.data(), Magic.size()) != 0)
    readAll(frame(Data, Size));
  return 0;
}
