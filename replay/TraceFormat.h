//===- replay/TraceFormat.h - The byte framing of trace files ----*- C++ -*-===//
//
// The constants of replay/FORMAT.md and the chunk framing: a file preamble
// (magic and format version), then chunks, each a fixed 21-byte chunk header
// followed by the zstd frame it describes. TraceWriter and TraceReader are
// built on these; so are the fuzz harness and its seed generator, which frame
// payloads of their own so that the fuzzer reaches the event decoder behind
// the checksums. Nothing here knows what a chunk's payload means.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace reprise::replay::format {

/// The first bytes of every trace file: a non-ASCII byte (so that no text
/// file matches) and "RPTRACE".
inline constexpr std::array<uint8_t, 8> FileMagic = {0x89, 'R', 'P', 'T',
                                                     'R',  'A', 'C', 'E'};
/// The magic, then the format version as a little-endian u32.
constexpr size_t PreambleSize = 12;

enum class ChunkType : uint8_t {
  Header = 1, // chunk 0 and only chunk 0: the TraceHeader
  Events = 2, // the next bytes of the event stream
  End = 3,    // written by finish(): the total event count, then nothing
  Blob = 4,   // the next piece of the contents of a new blob
};

/// type u8, raw size u32, stored size u32, xxHash64 of the stored bytes u64,
/// then the low half of the xxHash64 of those 17 bytes (u32).
constexpr size_t ChunkHeaderSize = 21;

/// No chunk may decompress to more than this; a reader checks the declared
/// size before it allocates anything.
constexpr uint32_t MaxChunkRaw = 64u << 20;
/// The header chunk is smaller still: Linux itself bounds argv and envp to a
/// few MiB, and this keeps what a hostile header costs to decode in check.
constexpr uint32_t MaxHeaderRaw = 8u << 20;

/// Event data of this many bytes or more is stored as a blob, once per
/// distinct content; shorter data is stored inline.
constexpr size_t BlobMinSize = 256;

/// The most arguments one event may carry (a clone event has the exit signal
/// and one id per PID namespace level, at most 33).
constexpr size_t MaxArgs = 64;

/// zstd's levels: what the determinism of the bytes written depends on
/// (together with the zstd version). Level 1 for the header and the event
/// stream, which compress very well and cheaply. Blob chunks hold host file
/// contents, executables first of all, and compressing them cost most of
/// what recording a short program adds: 25 M instructions (callgrind) for
/// the 745 KiB static hello world of bench/run's spawn workload at level 1,
/// whose run takes 61 M. zstd's fast level -5 takes about 40% less; the
/// trace of that run grows from 362 KiB to 488 KiB.
constexpr int ZstdLevel = 1;
constexpr int BlobZstdLevel = -5;

/// The checksum of chunks, and what the writer knows blob contents by (with
/// their length): xxHash64 with seed 0.
uint64_t chunkHash(llvm::ArrayRef<uint8_t> Bytes);

/// Appends the magic and \p Version.
void appendPreamble(std::vector<uint8_t> &Out, uint32_t Version);

struct ChunkHeader {
  uint8_t Type = 0; // a ChunkType when valid
  uint32_t RawSize = 0;
  uint32_t StoredSize = 0;
  uint64_t StoredHash = 0;
};

/// Decodes the ChunkHeaderSize bytes at \p P; false when their own check
/// does not match (a damaged chunk header).
bool parseChunkHeader(const uint8_t *P, ChunkHeader &H);

/// The most stored bytes a chunk of \p RawSize raw bytes may have: what zstd
/// needs at worst. A reader checks it before it reads the stored bytes.
size_t maxStoredSize(uint32_t RawSize);

/// Compresses and frames chunks; keeps one zstd context for all of them.
class ChunkPacker {
public:
  ChunkPacker();
  ~ChunkPacker();
  ChunkPacker(const ChunkPacker &) = delete;
  ChunkPacker &operator=(const ChunkPacker &) = delete;

  /// Appends to \p Out one chunk of type \p T holding \p Raw, which must be
  /// at most MaxChunkRaw bytes.
  void pack(ChunkType T, llvm::ArrayRef<uint8_t> Raw, std::vector<uint8_t> &Out);
  /// The same, without zeroing the room it makes first (the writer's hot
  /// path: a chunk of a 1 MiB read would otherwise be cleared, then written).
  void pack(ChunkType T, llvm::ArrayRef<uint8_t> Raw, llvm::SmallVectorImpl<uint8_t> &Out);

private:
  /// Writes the chunk at \p Dst, which has room for ChunkHeaderSize +
  /// maxStoredSize(Raw.size()) bytes; returns how many it took.
  size_t packAt(ChunkType T, llvm::ArrayRef<uint8_t> Raw, uint8_t *Dst);
  void *Ctx; // ZSTD_CCtx
};

/// Checks and decompresses chunks; keeps one zstd context for all of them.
class ChunkUnpacker {
public:
  ChunkUnpacker();
  ~ChunkUnpacker();
  ChunkUnpacker(const ChunkUnpacker &) = delete;
  ChunkUnpacker &operator=(const ChunkUnpacker &) = delete;

  /// Appends the raw bytes of chunk \p Index, described by \p H and stored
  /// as \p Stored (exactly H.StoredSize bytes), to \p Out. Fails with one
  /// line naming the chunk when the checksum, the size or the zstd frame is
  /// wrong; \p Out is then left as it was.
  llvm::Error unpack(uint64_t Index, const ChunkHeader &H, llvm::ArrayRef<uint8_t> Stored,
                     std::vector<uint8_t> &Out);
  /// The same, without zeroing the room it makes first.
  llvm::Error unpack(uint64_t Index, const ChunkHeader &H, llvm::ArrayRef<uint8_t> Stored,
                     llvm::SmallVectorImpl<uint8_t> &Out);
  /// The same into \p Dst, which the caller sized to H.RawSize.
  llvm::Error unpackInto(uint64_t Index, const ChunkHeader &H,
                         llvm::ArrayRef<uint8_t> Stored, llvm::MutableArrayRef<uint8_t> Dst);

private:
  /// Checks the chunk and decompresses it to \p Dst (H.RawSize bytes of
  /// room, which the caller makes once the raw size passed the check).
  llvm::Error check(uint64_t Index, const ChunkHeader &H, llvm::ArrayRef<uint8_t> Stored);
  llvm::Error unpackAt(uint64_t Index, const ChunkHeader &H, llvm::ArrayRef<uint8_t> Stored,
                       uint8_t *Dst);
  void *Ctx; // ZSTD_DCtx
};

} // namespace reprise::replay::format
