//===- replay/TraceFormat.cpp ---------------------------------------------===//
#include "replay/TraceFormat.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/xxhash.h"

#include <zstd.h>

#include <cassert>
#include <string>

namespace reprise::replay::format {

namespace {

namespace le = llvm::support::endian;

/// The check of a chunk header: the low half of the xxHash64 of its first
/// 17 bytes.
uint32_t headerCheck(const uint8_t *P) {
  return uint32_t(llvm::xxHash64(llvm::ArrayRef<uint8_t>(P, ChunkHeaderSize - 4)));
}

llvm::Error corrupt(uint64_t Index, const std::string &Why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "chunk " + std::to_string(Index) + " is corrupt (" +
                                     Why + ")");
}

} // namespace

uint64_t chunkHash(llvm::ArrayRef<uint8_t> Bytes) { return llvm::xxHash64(Bytes); }

size_t maxStoredSize(uint32_t RawSize) { return ZSTD_compressBound(RawSize); }

void appendPreamble(std::vector<uint8_t> &Out, uint32_t Version) {
  Out.insert(Out.end(), FileMagic.begin(), FileMagic.end());
  uint8_t V[4];
  le::write32le(V, Version);
  Out.insert(Out.end(), V, V + 4);
}

bool parseChunkHeader(const uint8_t *P, ChunkHeader &H) {
  if (le::read32le(P + 17) != headerCheck(P))
    return false;
  H.Type = P[0];
  H.RawSize = le::read32le(P + 1);
  H.StoredSize = le::read32le(P + 5);
  H.StoredHash = le::read64le(P + 9);
  return true;
}

ChunkPacker::ChunkPacker() : Ctx(ZSTD_createCCtx()) {
  if (!Ctx)
    llvm::report_bad_alloc_error("cannot create a zstd compression context");
}

ChunkPacker::~ChunkPacker() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx *>(Ctx)); }

size_t ChunkPacker::packAt(ChunkType T, llvm::ArrayRef<uint8_t> Raw, uint8_t *Dst) {
  assert(Raw.size() <= MaxChunkRaw && "a chunk larger than the format allows");
  uint8_t *Stored = Dst + ChunkHeaderSize;
  // A one-shot compression depends only on the input and the level, never
  // on what the context compressed before: the same chunk, the same bytes.
  size_t N = ZSTD_compressCCtx(static_cast<ZSTD_CCtx *>(Ctx), Stored,
                               maxStoredSize(uint32_t(Raw.size())), Raw.data(),
                               Raw.size(), T == ChunkType::Blob ? BlobZstdLevel : ZstdLevel);
  // With a destination of compressBound bytes, zstd fails only when it
  // cannot allocate its work space.
  if (ZSTD_isError(N))
    llvm::report_bad_alloc_error("zstd cannot compress a trace chunk");
  Dst[0] = uint8_t(T);
  le::write32le(Dst + 1, uint32_t(Raw.size()));
  le::write32le(Dst + 5, uint32_t(N));
  le::write64le(Dst + 9, chunkHash(llvm::ArrayRef<uint8_t>(Stored, N)));
  le::write32le(Dst + 17, headerCheck(Dst));
  return ChunkHeaderSize + N;
}

void ChunkPacker::pack(ChunkType T, llvm::ArrayRef<uint8_t> Raw,
                       std::vector<uint8_t> &Out) {
  size_t Start = Out.size();
  Out.resize(Start + ChunkHeaderSize + maxStoredSize(uint32_t(Raw.size())));
  Out.resize(Start + packAt(T, Raw, Out.data() + Start));
}

void ChunkPacker::pack(ChunkType T, llvm::ArrayRef<uint8_t> Raw,
                       llvm::SmallVectorImpl<uint8_t> &Out) {
  size_t Start = Out.size();
  Out.resize_for_overwrite(Start + ChunkHeaderSize + maxStoredSize(uint32_t(Raw.size())));
  Out.truncate(Start + packAt(T, Raw, Out.data() + Start));
}

ChunkUnpacker::ChunkUnpacker() : Ctx(ZSTD_createDCtx()) {
  if (!Ctx)
    llvm::report_bad_alloc_error("cannot create a zstd decompression context");
}

ChunkUnpacker::~ChunkUnpacker() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx *>(Ctx)); }

llvm::Error ChunkUnpacker::check(uint64_t Index, const ChunkHeader &H,
                                 llvm::ArrayRef<uint8_t> Stored) {
  assert(Stored.size() == H.StoredSize && "the caller cuts the stored bytes");
  if (chunkHash(Stored) != H.StoredHash)
    return corrupt(Index, "checksum");
  if (H.RawSize > MaxChunkRaw)
    return corrupt(Index, "it declares " + std::to_string(H.RawSize) +
                              " bytes, more than a chunk may hold");
  return llvm::Error::success();
}

llvm::Error ChunkUnpacker::unpackAt(uint64_t Index, const ChunkHeader &H,
                                    llvm::ArrayRef<uint8_t> Stored, uint8_t *Dst) {
  size_t N = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx *>(Ctx), Dst, H.RawSize,
                                 Stored.data(), Stored.size());
  if (ZSTD_isError(N))
    return corrupt(Index, std::string("zstd: ") + ZSTD_getErrorName(N));
  if (N != H.RawSize)
    return corrupt(Index, "it holds " + std::to_string(N) + " bytes, not the " +
                              std::to_string(H.RawSize) + " it declares");
  return llvm::Error::success();
}

llvm::Error ChunkUnpacker::unpackInto(uint64_t Index, const ChunkHeader &H,
                                      llvm::ArrayRef<uint8_t> Stored,
                                      llvm::MutableArrayRef<uint8_t> Dst) {
  assert(Dst.size() == H.RawSize && "the caller sizes the destination");
  if (auto E = check(Index, H, Stored))
    return E;
  return unpackAt(Index, H, Stored, Dst.data());
}

llvm::Error ChunkUnpacker::unpack(uint64_t Index, const ChunkHeader &H,
                                  llvm::ArrayRef<uint8_t> Stored,
                                  std::vector<uint8_t> &Out) {
  if (auto E = check(Index, H, Stored))
    return E;
  size_t Start = Out.size();
  Out.resize(Start + H.RawSize);
  if (auto E = unpackAt(Index, H, Stored, Out.data() + Start)) {
    Out.resize(Start);
    return E;
  }
  return llvm::Error::success();
}

llvm::Error ChunkUnpacker::unpack(uint64_t Index, const ChunkHeader &H,
                                  llvm::ArrayRef<uint8_t> Stored,
                                  llvm::SmallVectorImpl<uint8_t> &Out) {
  if (auto E = check(Index, H, Stored))
    return E;
  size_t Start = Out.size();
  Out.resize_for_overwrite(Start + H.RawSize);
  if (auto E = unpackAt(Index, H, Stored, Out.data() + Start)) {
    Out.truncate(Start);
    return E;
  }
  return llvm::Error::success();
}

} // namespace reprise::replay::format
