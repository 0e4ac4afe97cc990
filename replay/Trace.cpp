//===- replay/Trace.cpp - Writing and reading trace files -----------------===//
//
// The header and event encodings of replay/FORMAT.md, on the chunk framing
// of replay/TraceFormat.h.
//
// The writer encodes each event straight into the raw bytes of the current
// chunk and hands a chunk to its sink (a host thread that packs and writes
// it) the moment the cutting rule says so. The reader
// sees the event chunks as one byte stream: it decodes events from the bytes
// it holds and loads the next chunk whenever an event runs past them, so an
// event may span chunks (a large read does) and a file cut short reads up to
// the last event its complete chunks hold.
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"
#include "replay/ChunkSink.h"
#include "replay/TraceFormat.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Compiler.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <limits>
#include <list>
#include <optional>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace reprise::replay {

using namespace format;

namespace {

llvm::Error error(const llvm::Twine &Msg) {
  return llvm::make_error<llvm::StringError>(Msg, llvm::inconvertibleErrorCode());
}

/// "0x0f".
std::string hexByte(uint8_t B) {
  const char *Digits = "0123456789abcdef";
  return {'0', 'x', Digits[B >> 4], Digits[B & 15]};
}

//===-- Event encoding -----------------------------------------------------===//

/// The second byte of an event says which fields follow the kind byte. A
/// field that is zero (or empty) is left out, whatever the kind, so every
/// Event round-trips exactly, including fields its kind does not use.
enum FieldBits : uint8_t {
  HasTid = 1 << 0,
  HasOp = 1 << 1,
  HasResult = 1 << 2,
  HasArgs = 1 << 3,
  DataShift = 4, // bits 4-5 hold a DataForm
  KnownFieldBits = 0x3f,
};

enum class DataForm : uint8_t {
  None = 0,    // no data
  Inline = 1,  // ULEB length, the bytes
  NewBlob = 2, // ULEB length (at least BlobMinSize), the bytes: the next blob
  BlobRef = 3, // ULEB index of a blob defined earlier in the trace
};

/// The longest LEB128 encoding of a 64-bit value.
constexpr size_t MaxLeb = 10;

/// Writes \p V as ULEB128 at \p P; returns the end. (The same bytes as
/// llvm::encodeULEB128, with the one-byte case first: most fields are small.)
inline uint8_t *putUleb(uint8_t *P, uint64_t V) {
  while (V >= 0x80) {
    *P++ = uint8_t(V | 0x80);
    V >>= 7;
  }
  *P++ = uint8_t(V);
  return P;
}

/// Writes \p V as SLEB128, the shortest form: it ends with the first byte
/// whose bit 6 is the sign of all that is left.
inline uint8_t *putSleb(uint8_t *P, int64_t V) {
  while (uint64_t(V) + 64 >= 128) {
    *P++ = uint8_t(uint64_t(V) | 0x80);
    V >>= 7;
  }
  *P++ = uint8_t(uint64_t(V) & 0x7f);
  return P;
}

/// Syscall events store their first PredictedArgs arguments as differences
/// from those of the previous Syscall event with the same number (system
/// call numbers from PredictorSlots on share the last slot). A call made in
/// a loop repeats most of its registers, so most differences are zero.
constexpr size_t PredictedArgs = 6;
constexpr size_t PredictorSlots = 1024;

/// Copies PredictedArgs values from \p From to \p To. GCC 12 compiles a
/// memcpy of this fixed size (and a loop it recognizes as one) to `rep
/// movsl`, whose start-up cost was 40% of the time replay spent decoding a
/// system call event (perf annotate); three 16-byte moves are what this is.
inline void copyPredicted(uint64_t *To, const uint64_t *From) {
  static_assert(PredictedArgs == 6, "copyPredicted moves six values");
  uint64_t A0 = From[0], A1 = From[1], A2 = From[2], A3 = From[3],
           A4 = From[4], A5 = From[5];
  To[0] = A0, To[1] = A1, To[2] = A2, To[3] = A3, To[4] = A4, To[5] = A5;
}

struct ArgPredictor {
  std::vector<std::array<uint64_t, PredictedArgs>> Last =
      std::vector<std::array<uint64_t, PredictedArgs>>(PredictorSlots + 1);

  std::array<uint64_t, PredictedArgs> &slot(uint64_t Nr) {
    return Last[std::min<uint64_t>(Nr, PredictorSlots)];
  }
  void update(const EventView &E) {
    auto &S = slot(E.Op);
    // A system call event has all six.
    if (E.Args.size() >= PredictedArgs) {
      copyPredicted(S.data(), E.Args.data());
      return;
    }
    for (size_t K = 0; K < PredictedArgs; ++K)
      S[K] = K < E.Args.size() ? E.Args[K] : 0;
  }
};

constexpr uint8_t LastKind = uint8_t(EventKind::End);

/// What the writer knows a blob by. Two different contents with the same key
/// would make replay serve the wrong bytes, so the key is the content's
/// xxHash64 and its length, one pass over the bytes (FORMAT.md weighs this
/// against the alternatives). The reader never sees
/// keys: a trace refers to a blob by its index.
struct BlobKey {
  uint64_t Hash;
  uint64_t Size;
  bool operator==(const BlobKey &) const = default;
};

struct BlobKeyHash {
  size_t operator()(const BlobKey &K) const { return size_t(K.Hash); }
};

BlobKey blobKey(llvm::ArrayRef<uint8_t> D) { return {format::chunkHash(D), D.size()}; }

/// Appends header fields to a byte vector.
struct Encoder {
  std::vector<uint8_t> &Out;

  void uleb(uint64_t V) {
    uint8_t B[MaxLeb];
    Out.insert(Out.end(), B, putUleb(B, V));
  }
  void str(llvm::StringRef S) {
    uleb(S.size());
    Out.insert(Out.end(), S.bytes_begin(), S.bytes_end());
  }
  void list(const std::vector<std::string> &L) {
    uleb(L.size());
    for (const auto &S : L)
      str(S);
  }
};

std::vector<uint8_t> encodeHeader(const TraceHeader &H) {
  std::vector<uint8_t> Raw;
  Encoder Enc{Raw};
  Enc.str(H.ReprisVersion);
  Enc.str(H.UnicornVersion);
  Enc.str(H.Arch);
  Enc.str(H.CpuModel);
  Enc.str(H.Program);
  Enc.list(H.Argv);
  Enc.list(H.Envp);
  Enc.uleb(H.Options.size());
  for (const auto &[Name, Value] : H.Options) {
    Enc.str(Name);
    Enc.str(Value);
  }
  return Raw;
}

/// How reading one value went: it was there, the bytes ran out before its
/// end (more may come in the next chunk), or it is malformed.
enum class Got : uint8_t { Value, Short, Bad };

/// Reads LEB128 values and strings from a span, never past its end.
struct Cursor {
  const uint8_t *P;
  const uint8_t *End;

  size_t left() const { return size_t(End - P); }

  Got uleb(uint64_t &V) {
    // Most fields are below 128: one byte, on the fast path.
    if (LLVM_LIKELY(P != End && *P < 0x80)) {
      V = *P++;
      return Got::Value;
    }
    return ulebLong(V);
  }

  Got sleb(int64_t &V) {
    if (LLVM_LIKELY(P != End && *P < 0x80)) {
      // Bit 6 is the sign: shift it to bit 63 and back.
      V = int64_t(uint64_t(*P++) << 57) >> 57;
      return Got::Value;
    }
    return slebLong(V);
  }

  LLVM_ATTRIBUTE_NOINLINE Got ulebLong(uint64_t &V) {
    uint64_t R = 0;
    for (unsigned I = 0; I < MaxLeb; ++I) {
      if (P + I == End)
        return Got::Short;
      uint8_t B = P[I];
      // The tenth byte holds bit 63 alone and ends the value.
      if (I == MaxLeb - 1 && B > 1)
        return Got::Bad;
      R |= uint64_t(B & 0x7f) << (7 * I);
      if (!(B & 0x80)) {
        P += I + 1;
        V = R;
        return Got::Value;
      }
    }
    return Got::Bad;
  }

  LLVM_ATTRIBUTE_NOINLINE Got slebLong(int64_t &V) {
    uint64_t R = 0;
    for (unsigned I = 0; I < MaxLeb; ++I) {
      if (P + I == End)
        return Got::Short;
      uint8_t B = P[I];
      // The tenth byte holds bit 63 alone, as a sign: 0x00 or 0x7f.
      if (I == MaxLeb - 1 && B != 0 && B != 0x7f)
        return Got::Bad;
      R |= uint64_t(B & 0x7f) << (7 * I);
      if (!(B & 0x80)) {
        unsigned Bits = 7 * (I + 1);
        if (Bits < 64 && (B & 0x40))
          R |= ~uint64_t(0) << Bits;
        P += I + 1;
        V = int64_t(R);
        return Got::Value;
      }
    }
    return Got::Bad;
  }

  /// A ULEB length and that many bytes; in a complete span (the header),
  /// running out is as bad as a malformed length.
  bool str(std::string &S) {
    uint64_t N;
    if (uleb(N) != Got::Value || N > left())
      return false;
    S.assign(reinterpret_cast<const char *>(P), size_t(N));
    P += N;
    return true;
  }

  /// A ULEB count and that many strings. Each string takes at least a byte,
  /// so a count larger than what is left fails before anything is reserved.
  bool list(std::vector<std::string> &L) {
    uint64_t N;
    if (uleb(N) != Got::Value || N > left())
      return false;
    L.clear();
    for (uint64_t K = 0; K < N; ++K) {
      std::string S;
      if (!str(S))
        return false;
      L.push_back(std::move(S));
    }
    return true;
  }
};

llvm::Error decodeHeader(llvm::ArrayRef<uint8_t> Raw, TraceHeader &H) {
  Cursor C{Raw.data(), Raw.data() + Raw.size()};
  auto Corrupt = [](const char *What) {
    return error(llvm::Twine("the trace header is corrupt (") + What + ")");
  };
  if (!C.str(H.ReprisVersion) || !C.str(H.UnicornVersion) || !C.str(H.Arch) ||
      !C.str(H.CpuModel) || !C.str(H.Program))
    return Corrupt("a malformed string");
  if (!C.list(H.Argv) || !C.list(H.Envp))
    return Corrupt("a malformed argv or envp");
  uint64_t N;
  if (C.uleb(N) != Got::Value || N > C.left())
    return Corrupt("a malformed option count");
  H.Options.clear();
  for (uint64_t K = 0; K < N; ++K) {
    std::string Name, Value;
    if (!C.str(Name) || !C.str(Value))
      return Corrupt("a malformed option");
    // Names are written in ascending order, each once.
    if (!H.Options.empty() && !(H.Options.rbegin()->first < Name))
      return Corrupt("options out of order");
    H.Options.emplace_hint(H.Options.end(), std::move(Name), std::move(Value));
  }
  if (C.left())
    return Corrupt("bytes after its end");
  return llvm::Error::success();
}

} // namespace

//===-- TraceWriter --------------------------------------------------------===//

/// Blob chunks from this size on are copied (raw, when recording) or read
/// (stored, when replaying) into a LargeBuffer: below it, a 2 MiB buffer
/// would waste more than the page faults it saves.
constexpr size_t LargeChunk = 256u << 10;

struct TraceWriter::Impl {
  std::string Path;
  /// Packs and writes the chunks cut here; without finish(), what was cut
  /// reaches the file when the sink is destroyed and the rest is lost.
  std::unique_ptr<ChunkSink> Sink;
  ChunkLimits Limits;
  bool HeaderWritten = false;
  bool Finished = false;
  /// The raw bytes of the chunk being filled, and how many events ended in it.
  ChunkBuffer Raw;
  uint32_t ChunkEvents = 0;
  std::unordered_map<BlobKey, uint64_t, BlobKeyHash> Blobs;
  ArgPredictor Predictor;
  uint64_t Events = 0;
  /// The first failure of a header or event the format cannot hold (write
  /// errors are the sink's): finish() reports it.
  std::string Failure;

  void encode(const EventView &E);
  /// Writes the arguments of an event that is not a Syscall with at most
  /// PredictedArgs of them at \p P; returns the end.
  LLVM_ATTRIBUTE_NOINLINE uint8_t *encodeArgs(const EventView &E, uint8_t *P);
  /// Appends \p Data in the form DataForm picks, which it records in the
  /// field bits at \p BitsAt; a new blob's contents go to Blob chunks.
  LLVM_ATTRIBUTE_NOINLINE void encodeData(llvm::ArrayRef<uint8_t> Data, size_t BitsAt);
  /// Cuts what the chunk limits say must go after the event just encoded.
  void cutAfterEvent() {
    // The common case first: the event ended inside the chunk, which is
    // not full yet.
    if (Raw.size() < Limits.Bytes && ++ChunkEvents < Limits.Events)
      return;
    cutChunks();
  }
  LLVM_ATTRIBUTE_NOINLINE void cutChunks();
  /// Hands a copy of \p Bytes to the sink as a chunk of type \p T.
  void put(ChunkType T, llvm::ArrayRef<uint8_t> Bytes) {
    ChunkBuffer B = Sink->buffer();
    B.append(Bytes.begin(), Bytes.end());
    Sink->put(T, std::move(B));
  }
};

void TraceWriter::Impl::encode(const EventView &E) {
  assert(uint8_t(E.Kind) >= 1 && uint8_t(E.Kind) <= LastKind &&
         "an event of no known kind");
  assert(E.Args.size() <= MaxArgs && "more arguments than a trace holds");
  // Room for the two tag bytes and every LEB field at its longest; the data,
  // rare on this path, makes its own room.
  const uint64_t *Args = E.Args.data();
  size_t N = E.Args.size();
  size_t Old = Raw.size();
  Raw.resize_for_overwrite(Old + 2 + MaxLeb * (5 + N));
  uint8_t *Start = Raw.data() + Old;
  uint8_t *P = Start + 2;
  uint8_t Bits = 0;
  if (E.Tid) {
    Bits |= HasTid;
    P = putSleb(P, E.Tid);
  }
  if (E.Op) {
    Bits |= HasOp;
    P = putUleb(P, E.Op);
  }
  if (E.Result) {
    Bits |= HasResult;
    P = putSleb(P, E.Result);
  }
  if (N)
    Bits |= HasArgs;
  if (E.Kind == EventKind::Syscall && N <= PredictedArgs) {
    // The common case, in one pass that also updates the predictor: the
    // count, a one-byte mask of the differences that are not zero, then
    // those differences, signed (so that -1 and AT_FDCWD take a byte or two
    // where no earlier call predicts them).
    uint64_t *Pred = Predictor.slot(E.Op).data();
    if (N) {
      *P++ = uint8_t(N);
      uint8_t *MaskAt = P++;
      uint8_t Mask = 0;
      for (size_t K = 0; K < N; ++K) {
        uint64_t A = Args[K];
        uint64_t V = A - Pred[K];
        Pred[K] = A;
        if (V) {
          Mask |= uint8_t(1u << K);
          P = putSleb(P, int64_t(V));
        }
      }
      *MaskAt = Mask;
    }
    for (size_t K = N; K < PredictedArgs; ++K)
      Pred[K] = 0;
  } else if (N) {
    P = encodeArgs(E, P);
  }
  Start[0] = uint8_t(E.Kind);
  Start[1] = Bits;
  Raw.truncate(size_t(P - Raw.data()));
  if (!E.Data.empty())
    encodeData(E.Data, Old + 1);
}

uint8_t *TraceWriter::Impl::encodeArgs(const EventView &E, uint8_t *P) {
  // The layout of the common case, for any count: the mask is a ULEB.
  size_t N = E.Args.size();
  if (N > MaxArgs) {
    // A bug of the caller (asserted in encode); the trace would not read.
    if (Failure.empty())
      Failure = "event " + std::to_string(Events) + " has " + std::to_string(N) +
                " arguments, more than a trace holds";
    N = MaxArgs;
  }
  P = putUleb(P, N);
  bool Syscall = E.Kind == EventKind::Syscall;
  const auto &Pred = Predictor.slot(E.Op);
  auto Value = [&](size_t K) {
    return E.Args[K] - (Syscall && K < PredictedArgs ? Pred[K] : 0);
  };
  uint64_t Mask = 0;
  for (size_t K = 0; K < N; ++K)
    Mask |= uint64_t(Value(K) != 0) << K;
  P = putUleb(P, Mask);
  for (size_t K = 0; K < N; ++K)
    if (uint64_t V = Value(K))
      P = putSleb(P, int64_t(V));
  if (Syscall)
    Predictor.update(E);
  return P;
}

void TraceWriter::Impl::encodeData(llvm::ArrayRef<uint8_t> Data, size_t BitsAt) {
  DataForm Form = DataForm::Inline;
  uint64_t BlobIndex = 0;
  if (Data.size() >= BlobMinSize) {
    auto [It, New] = Blobs.try_emplace(blobKey(Data), Blobs.size());
    Form = New ? DataForm::NewBlob : DataForm::BlobRef;
    BlobIndex = It->second;
  }
  Raw[BitsAt] |= uint8_t(uint8_t(Form) << DataShift);
  size_t Old = Raw.size();
  if (Form != DataForm::Inline) {
    // A blob: its number, or the length of a new one whose contents go to
    // Blob chunks now, ahead of every Events chunk that holds this event.
    Raw.resize_for_overwrite(Old + MaxLeb);
    uint64_t V = Form == DataForm::BlobRef ? BlobIndex : Data.size();
    Raw.truncate(size_t(putUleb(Raw.data() + Old, V) - Raw.data()));
    if (Form == DataForm::NewBlob)
      for (size_t Off = 0; Off < Data.size(); Off += Limits.Bytes) {
        auto Slice = Data.slice(Off, std::min<size_t>(Limits.Bytes, Data.size() - Off));
        if (Slice.size() >= LargeChunk)
          Sink->putLarge(ChunkType::Blob, Slice);
        else
          put(ChunkType::Blob, Slice);
      }
    return;
  }
  Raw.resize_for_overwrite(Old + MaxLeb + Data.size());
  uint8_t *P = putUleb(Raw.data() + Old, Data.size());
  std::memcpy(P, Data.data(), Data.size());
  Raw.truncate(size_t(P + Data.size() - Raw.data()));
}

void TraceWriter::Impl::cutChunks() {
  if (Raw.size() >= Limits.Bytes) {
    size_t Off = 0;
    for (; Raw.size() - Off >= Limits.Bytes; Off += Limits.Bytes)
      put(ChunkType::Events, llvm::ArrayRef<uint8_t>(Raw).slice(Off, Limits.Bytes));
    Raw.erase(Raw.begin(), Raw.begin() + Off);
    // An event that ended exactly at a cut belongs to no chunk's count.
    ChunkEvents = 0;
    if (Raw.empty() || ++ChunkEvents < Limits.Events)
      return;
  }
  // The chunk's buffer itself goes to the sink; the next chunk fills one
  // the sink is done with.
  ChunkBuffer Next = Sink->buffer();
  Next.reserve(Raw.capacity());
  std::swap(Raw, Next);
  Sink->put(ChunkType::Events, std::move(Next));
  ChunkEvents = 0;
}

TraceWriter::TraceWriter() : I(std::make_unique<Impl>()) {}
TraceWriter::~TraceWriter() = default;

llvm::Expected<std::unique_ptr<TraceWriter>> TraceWriter::create(llvm::StringRef Path,
                                                                 ChunkLimits Limits) {
  assert(Limits.Events >= 1 && Limits.Bytes >= 1 && Limits.Bytes <= MaxChunkRaw &&
         "chunk limits the format cannot hold");
  // Opened without truncating: emptying an old trace there (freeing its
  // cached pages) took 0.6 ms of a 37 ms guest start, so the sink's thread
  // does it, before its first write. Until then the old contents must not
  // read as a trace, so their magic is overwritten here.
  auto Failed = [&Path] {
    return error("cannot create trace " + Path + ": " +
                 std::error_code(errno, std::generic_category()).message());
  };
  int Fd = ::open(Path.str().c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (Fd < 0)
    return Failed();
  struct stat St;
  bool Old = ::fstat(Fd, &St) == 0 && S_ISREG(St.st_mode) && St.st_size > 0;
  if (Old) {
    static const uint8_t Zeros[8] = {};
    static_assert(sizeof Zeros >= FileMagic.size());
    if (::pwrite(Fd, Zeros, FileMagic.size(), 0) < 0) {
      auto E = Failed();
      ::close(Fd);
      return E;
    }
  }
  auto OS = std::make_unique<llvm::raw_fd_ostream>(Fd, /*shouldClose=*/true);
  // The sink writes packed chunks in few large writes of its own.
  OS->SetUnbuffered();
  std::unique_ptr<TraceWriter> W(new TraceWriter());
  W->I->Path = Path.str();
  W->I->Sink = std::make_unique<ChunkSink>(std::move(OS), Old ? Fd : -1);
  W->I->Limits = Limits;
  W->I->Raw.reserve(std::min<size_t>(Limits.Bytes, 1u << 20) + 4096);
  return W;
}

void TraceWriter::setHeader(TraceHeader H) {
  assert(!I->HeaderWritten && "the header is set once");
  std::vector<uint8_t> Encoded = encodeHeader(H);
  ChunkBuffer Raw(Encoded.begin(), Encoded.end());
  if (Raw.size() > MaxHeaderRaw) {
    // Nothing is written: the trace could not be read back.
    if (I->Failure.empty())
      I->Failure = "its header takes " + std::to_string(Raw.size()) +
                   " bytes, more than a trace may hold";
    Raw.clear();
  }
  std::vector<uint8_t> Preamble;
  appendPreamble(Preamble, FormatVersion);
  // The sink packs the header; the chunks cut while it was missing follow.
  I->Sink->start(ChunkBuffer(Preamble.begin(), Preamble.end()), std::move(Raw));
  I->HeaderWritten = true;
}

void TraceWriter::append(const EventView &E) {
  assert(!I->Finished && "append after finish");
  if (LLVM_UNLIKELY(uint8_t(uint8_t(E.Kind) - 1) >= LastKind) && I->Failure.empty())
    I->Failure = "event " + std::to_string(I->Events) + " has no known kind";
  I->encode(E);
  ++I->Events;
  I->cutAfterEvent();
}

llvm::Error TraceWriter::finish() {
  assert(!I->Finished && "finish is called once");
  if (I->Finished)
    return error("trace " + I->Path + " is finished already");
  I->Finished = true;
  if (!I->HeaderWritten)
    return error("cannot finish trace " + I->Path + ": it has no header");
  if (!I->Raw.empty())
    I->put(ChunkType::Events, I->Raw);
  I->Raw.clear();
  uint8_t Count[MaxLeb];
  I->put(ChunkType::End, {Count, putUleb(Count, I->Events)});
  std::string WriteFailure = I->Sink->close();
  if (I->Failure.empty())
    I->Failure = WriteFailure;
  if (!I->Failure.empty())
    return error("cannot write trace " + I->Path + ": " + I->Failure);
  return llvm::Error::success();
}

uint64_t TraceWriter::events() const { return I->Events; }
uint64_t TraceWriter::bytesWritten() const { return I->Sink->written(); }

//===-- TraceReader --------------------------------------------------------===//

namespace {

/// One Blob chunk the reader has passed: where its stored bytes are, to be
/// read when an event needs the blob.
struct BlobPiece {
  uint64_t StoredAt; // file offset of the stored bytes
  uint64_t Index;    // chunk number, for errors
  ChunkHeader H;
};

/// A blob: Count pieces from First in TraceReader::Impl::Pieces.
struct BlobPlace {
  size_t First;
  size_t Count;
  uint64_t Size; // bytes in all
};

/// The bytes of blobs read again recently, least recently used dropped
/// first, BlobCacheBytes at most: what a run reads again and again (the
/// executable at every exec, a library every process maps) then costs a
/// copy instead of a read, a checksum and a decompression each time. A
/// first read is not kept (most data is read once), nor a blob larger than
/// a quarter of the cache.
constexpr size_t BlobCacheBytes = 4u << 20;

struct BlobCache {
  struct Entry {
    size_t Blob;
    llvm::SmallVector<uint8_t, 0> Bytes;
  };
  std::list<Entry> Entries; // most recently used first
  llvm::DenseMap<size_t, std::list<Entry>::iterator> Index;
  size_t Bytes = 0;

  const llvm::SmallVectorImpl<uint8_t> *find(size_t Blob) {
    auto It = Index.find(Blob);
    if (It == Index.end())
      return nullptr;
    Entries.splice(Entries.begin(), Entries, It->second);
    return &It->second->Bytes;
  }
  void add(size_t Blob, llvm::ArrayRef<uint8_t> B) {
    if (B.size() > BlobCacheBytes / 4)
      return;
    Entries.push_front({Blob, llvm::SmallVector<uint8_t, 0>(B.begin(), B.end())});
    Index[Blob] = Entries.begin();
    Bytes += B.size();
    while (Bytes > BlobCacheBytes) {
      Bytes -= Entries.back().Bytes.size();
      Index.erase(Entries.back().Blob);
      Entries.pop_back();
    }
  }
};

} // namespace

struct TraceReader::Impl {
  /// The file, read piece by piece as chunks are needed (open()), or the
  /// bytes of one in memory (fromBytes()). FileSize is taken when opened.
  llvm::sys::fs::file_t Fd = llvm::sys::fs::kInvalidFile;
  std::vector<uint8_t> Owned;
  uint64_t FileSize = 0;
  std::string Path;
  /// The stored bytes of the chunk last read from the file.
  llvm::SmallVector<uint8_t, 0> StoredBuf;
  /// Stored bytes of a large chunk (a blob's, hundreds of KiB read into
  /// fresh memory): see LargeBuffer.
  LargeBuffer StoredLarge;
  uint64_t Pos = PreambleSize; // offset of the next chunk
  uint64_t ChunkIndex = 0;     // index of the next chunk
  ChunkUnpacker Unpacker;
  TraceHeader Header;
  /// Decompressed event bytes not yet decoded start at StreamPos.
  llvm::SmallVector<uint8_t, 0> Stream;
  size_t StreamPos = 0;
  /// Every Blob chunk passed so far, in file order; new blobs take them in
  /// that order from Claimed on. Only their places are kept: a blob's bytes
  /// are read from the file each time an event needs them, so memory does
  /// not grow with what the trace holds.
  std::vector<BlobPiece> Pieces;
  size_t Claimed = 0;
  std::vector<BlobPlace> Blobs;
  BlobCache Cache;
  /// The blob whose bytes the event just decoded carries (decode() sets it,
  /// next() reads the bytes).
  std::optional<size_t> WantBlob;
  /// deferInputBlobs(), and the blob the last event left unread.
  bool DeferInputBlobs = false;
  std::optional<size_t> Pending;
  bool PendingAgain = false;
  bool WantAgain = false; // ... by reference to an earlier event's
  ArgPredictor Predictor;
  uint64_t Position = 0;
  bool Done = false;       // next() returned false
  bool Cut = false;        // ... because the file ended without its End chunk
  bool LastWasEnd = false; // the last event read was EventKind::End
  std::string Failure;     // set once next() failed: it fails from then on

  ~Impl() {
    if (Fd != llvm::sys::fs::kInvalidFile)
      llvm::sys::fs::closeFile(Fd);
  }

  enum class Found : uint8_t { Chunk, FileEnd, Cut };
  llvm::Expected<Found> nextChunk(ChunkHeader &H, uint64_t &StoredAt, uint64_t &Index);
  /// Reads \p N bytes at \p At of the file; a view that stays valid until
  /// the next read.
  llvm::Expected<llvm::ArrayRef<uint8_t>> readAt(uint64_t At, size_t N, uint64_t Index);
  /// Appends the raw bytes of the chunk \p Index (\p H, stored at \p At).
  template <typename Vector>
  llvm::Error unpack(uint64_t Index, const ChunkHeader &H, uint64_t At, Vector &Out) {
    auto Stored = readAt(At, H.StoredSize, Index);
    if (!Stored)
      return Stored.takeError();
    return Unpacker.unpack(Index, H, *Stored, Out);
  }
  llvm::Error start();
  Got decode(Event &E, std::string &Why);
  /// The bytes of blob \p B into \p Out; \p Again when an earlier event
  /// had them too.
  llvm::Error fetchBlob(size_t B, bool Again, llvm::SmallVectorImpl<uint8_t> &Out);
  /// The same into \p Dst, sized to the blob.
  llvm::Error fetchBlobInto(size_t B, bool Again, llvm::MutableArrayRef<uint8_t> Dst);
  llvm::Expected<bool> endChunk(const ChunkHeader &H, uint64_t StoredAt, uint64_t Index);
  llvm::Error fail(llvm::Error E) {
    Failure = llvm::toString(std::move(E));
    return error(Failure);
  }
};

llvm::Expected<llvm::ArrayRef<uint8_t>>
TraceReader::Impl::readAt(uint64_t At, size_t N, uint64_t Index) {
  assert(At + N <= FileSize && "reads stay inside the file as it was opened");
  if (Fd == llvm::sys::fs::kInvalidFile)
    return llvm::ArrayRef<uint8_t>(Owned).slice(size_t(At), N);
  uint8_t *Dst;
  if (N >= LargeChunk) {
    if (StoredLarge.capacity() < N)
      StoredLarge = LargeBuffer(N);
    Dst = StoredLarge.data();
  } else {
    StoredBuf.resize_for_overwrite(N);
    Dst = StoredBuf.data();
  }
  size_t Got = 0;
  while (Got < N) {
    auto R = llvm::sys::fs::readNativeFileSlice(
        Fd, llvm::MutableArrayRef<char>(reinterpret_cast<char *>(Dst) + Got, N - Got),
        At + Got);
    if (!R)
      return error("chunk " + llvm::Twine(Index) +
                   " cannot be read: " + llvm::toString(R.takeError()));
    if (*R == 0)
      return error("chunk " + llvm::Twine(Index) +
                   " cannot be read: the file shrank while it was read");
    Got += *R;
  }
  return llvm::ArrayRef<uint8_t>(Dst, N);
}

llvm::Expected<TraceReader::Impl::Found>
TraceReader::Impl::nextChunk(ChunkHeader &H, uint64_t &StoredAt, uint64_t &Index) {
  if (Pos == FileSize)
    return Found::FileEnd;
  if (FileSize - Pos < ChunkHeaderSize)
    return Found::Cut;
  Index = ChunkIndex;
  auto Bytes = readAt(Pos, ChunkHeaderSize, Index);
  if (!Bytes)
    return Bytes.takeError();
  // The chunk header is checked before any of its sizes is believed: a
  // damaged size must not pass for a file cut short.
  if (!parseChunkHeader(Bytes->data(), H))
    return error("chunk " + llvm::Twine(Index) + " is corrupt (checksum)");
  if (H.Type < uint8_t(ChunkType::Header) || H.Type > uint8_t(ChunkType::Blob))
    return error("chunk " + llvm::Twine(Index) + " is corrupt (unknown type " +
                 llvm::Twine(unsigned(H.Type)) + ")");
  if (H.RawSize > MaxChunkRaw)
    return error("chunk " + llvm::Twine(Index) + " is corrupt (it declares " +
                 llvm::Twine(H.RawSize) + " bytes, more than a chunk may hold)");
  // zstd never needs more: the bound keeps what one chunk costs to read in
  // check, whatever the file says.
  if (H.StoredSize > maxStoredSize(H.RawSize))
    return error("chunk " + llvm::Twine(Index) + " is corrupt (" +
                 llvm::Twine(H.StoredSize) + " stored bytes for " +
                 llvm::Twine(H.RawSize) + ")");
  if (H.StoredSize > FileSize - Pos - ChunkHeaderSize)
    return Found::Cut;
  StoredAt = Pos + ChunkHeaderSize;
  Pos += ChunkHeaderSize + H.StoredSize;
  ++ChunkIndex;
  return Found::Chunk;
}

llvm::Error TraceReader::Impl::start() {
  const char *CutShort = "the trace ends before its header (the recording was "
                         "cut short)";
  size_t MagicBytes = size_t(std::min<uint64_t>(FileSize, FileMagic.size()));
  if (MagicBytes) {
    auto Magic = readAt(0, MagicBytes, 0);
    if (!Magic)
      return Magic.takeError();
    if (std::memcmp(Magic->data(), FileMagic.data(), MagicBytes) != 0)
      return error("not a reprise trace");
  }
  if (FileSize < PreambleSize)
    return error(CutShort);
  auto V = readAt(FileMagic.size(), 4, 0);
  if (!V)
    return V.takeError();
  uint32_t Version = llvm::support::endian::read32le(V->data());
  if (Version != FormatVersion)
    return error("trace format version " + llvm::Twine(Version) +
                 ", this reprise reads version " + llvm::Twine(FormatVersion));
  ChunkHeader H;
  uint64_t StoredAt = 0;
  uint64_t Index = 0;
  auto F = nextChunk(H, StoredAt, Index);
  if (!F)
    return F.takeError();
  if (*F != Found::Chunk)
    return error(CutShort);
  if (H.Type != uint8_t(ChunkType::Header))
    return error("chunk 0 is corrupt (it is not the trace header)");
  if (H.RawSize > MaxHeaderRaw)
    return error("chunk 0 is corrupt (a header of " + llvm::Twine(H.RawSize) + " bytes)");
  std::vector<uint8_t> Raw;
  if (auto E = unpack(Index, H, StoredAt, Raw))
    return E;
  return decodeHeader(Raw, Header);
}

/// Decodes the event at StreamPos into \p E. On Value, moves past it; on
/// Short, leaves everything but \p E as it was; on Bad, says why in \p Why.
/// The bytes of a blob are not read here: WantBlob says which (next() reads
/// them).
Got TraceReader::Impl::decode(Event &E, std::string &Why) {
  Cursor C{Stream.data() + StreamPos, Stream.data() + Stream.size()};
  auto Bad = [&](const llvm::Twine &W) {
    Why = W.str();
    return Got::Bad;
  };
  // A field that did not read: Short passes on, Bad says which field.
  auto Failed = [&](Got G, const char *Field) {
    return G == Got::Bad ? Bad(llvm::Twine("is corrupt (a malformed ") + Field + ")") : G;
  };
  if (!C.left())
    return Got::Short;
  uint8_t Kind = C.P[0];
  if (Kind < 1 || Kind > LastKind)
    return Bad("has an unknown tag " + hexByte(Kind));
  if (C.left() < 2)
    return Got::Short;
  uint8_t Bits = C.P[1];
  if (Bits & ~KnownFieldBits)
    return Bad("is corrupt (unknown field bits " + hexByte(Bits) + ")");
  C.P += 2;
  E.Kind = EventKind(Kind);

  E.Tid = 0;
  if (Bits & HasTid) {
    int64_t V;
    if (Got G = C.sleb(V); G != Got::Value)
      return Failed(G, "tid");
    if (V < std::numeric_limits<int32_t>::min() ||
        V > std::numeric_limits<int32_t>::max())
      return Bad("is corrupt (a tid out of range)");
    E.Tid = int32_t(V);
  }
  E.Op = 0;
  if (Bits & HasOp)
    if (Got G = C.uleb(E.Op); G != Got::Value)
      return Failed(G, "op");
  E.Result = 0;
  if (Bits & HasResult)
    if (Got G = C.sleb(E.Result); G != Got::Value)
      return Failed(G, "result");
  E.Args.clear();
  if (Bits & HasArgs) {
    uint64_t N;
    if (Got G = C.uleb(N); G != Got::Value)
      return Failed(G, "argument count");
    if (N == 0 || N > MaxArgs)
      return Bad("is corrupt (" + llvm::Twine(N) + " arguments)");
    uint64_t Mask;
    if (Got G = C.uleb(Mask); G != Got::Value)
      return Failed(G, "argument mask");
    if (N < 64 && Mask >> N)
      return Bad("is corrupt (a malformed argument mask)");
    // Each argument starts as its prediction (zero but for the first ones
    // of a Syscall event); the mask says which differences follow.
    E.Args.resize_for_overwrite(size_t(N));
    uint64_t *Out = E.Args.data();
    size_t Predicted = 0;
    if (E.Kind == EventKind::Syscall) {
      const auto &Pred = Predictor.slot(E.Op);
      Predicted = std::min<size_t>(size_t(N), PredictedArgs);
      if (Predicted == PredictedArgs)
        copyPredicted(Out, Pred.data());
      else
        for (size_t K = 0; K < Predicted; ++K)
          Out[K] = Pred[K];
    }
    for (size_t K = Predicted; K < N; ++K)
      Out[K] = 0;
    for (uint64_t M = Mask; M; M &= M - 1) {
      int64_t A;
      if (Got G = C.sleb(A); G != Got::Value)
        return Failed(G, "argument");
      Out[llvm::countTrailingZeros(M)] += uint64_t(A);
    }
  }
  // The data comes last: once it is read, the event is complete.
  WantBlob.reset();
  switch (DataForm(Bits >> DataShift)) {
  case DataForm::None:
    E.Data.clear();
    break;
  case DataForm::Inline: {
    uint64_t N;
    if (Got G = C.uleb(N); G != Got::Value)
      return Failed(G, "data length");
    // Longer data is a blob; the rule also bounds every event to a few
    // hundred bytes, whatever the file says.
    if (N >= BlobMinSize)
      return Bad("is corrupt (" + llvm::Twine(N) + " bytes of inline data)");
    if (N > C.left())
      return Got::Short;
    E.Data.assign(C.P, C.P + N);
    C.P += N;
    break;
  }
  case DataForm::NewBlob: {
    uint64_t N;
    if (Got G = C.uleb(N); G != Got::Value)
      return Failed(G, "data length");
    if (N < BlobMinSize)
      return Bad("is corrupt (a blob of " + llvm::Twine(N) + " bytes)");
    // Its contents are the next Blob chunks, which come before every
    // Events chunk that holds the event: the reader has passed them.
    size_t First = Claimed;
    uint64_t Sum = 0;
    while (Sum < N) {
      if (Claimed == Pieces.size())
        return Bad("is corrupt (its blob of " + llvm::Twine(N) +
                   " bytes is not in the trace)");
      Sum += Pieces[Claimed++].H.RawSize;
    }
    if (Sum != N)
      return Bad("is corrupt (a blob of " + llvm::Twine(N) + " bytes in chunks of " +
                 llvm::Twine(Sum) + ")");
    WantBlob = Blobs.size();
    WantAgain = false;
    Blobs.push_back({First, Claimed - First, N});
    break;
  }
  case DataForm::BlobRef: {
    uint64_t Ref;
    if (Got G = C.uleb(Ref); G != Got::Value)
      return Failed(G, "blob reference");
    if (Ref >= Blobs.size())
      return Bad("refers to blob " + llvm::Twine(Ref) + " of " +
                 llvm::Twine(Blobs.size()) + " (corrupt trace)");
    WantBlob = size_t(Ref);
    WantAgain = true;
    break;
  }
  }
  if (E.Kind == EventKind::Syscall)
    Predictor.update(E);
  StreamPos = size_t(C.P - Stream.data());
  return Got::Value;
}

llvm::Error TraceReader::Impl::fetchBlobInto(size_t B, bool Again,
                                             llvm::MutableArrayRef<uint8_t> Dst) {
  assert(Dst.size() == Blobs[B].Size && "the caller sizes the destination");
  if (const auto *Kept = Again ? Cache.find(B) : nullptr) {
    std::memcpy(Dst.data(), Kept->data(), Dst.size());
    return llvm::Error::success();
  }
  const BlobPlace &P = Blobs[B];
  size_t At = 0;
  for (size_t K = P.First; K < P.First + P.Count; ++K) {
    const BlobPiece &Piece = Pieces[K];
    auto Stored = readAt(Piece.StoredAt, Piece.H.StoredSize, Piece.Index);
    if (!Stored)
      return Stored.takeError();
    if (auto E = Unpacker.unpackInto(Piece.Index, Piece.H, *Stored,
                                     Dst.slice(At, Piece.H.RawSize)))
      return E;
    At += Piece.H.RawSize;
  }
  if (Again)
    Cache.add(B, Dst);
  return llvm::Error::success();
}

llvm::Error TraceReader::Impl::fetchBlob(size_t B, bool Again,
                                         llvm::SmallVectorImpl<uint8_t> &Out) {
  Out.resize_for_overwrite(size_t(Blobs[B].Size));
  return fetchBlobInto(B, Again, Out);
}

/// The End chunk: the event count it holds must be the number of events
/// read, no event may be left unfinished, every Blob chunk must belong to
/// a blob, and nothing may follow it.
llvm::Expected<bool> TraceReader::Impl::endChunk(const ChunkHeader &H, uint64_t StoredAt,
                                                 uint64_t Index) {
  std::vector<uint8_t> Raw;
  if (auto E = unpack(Index, H, StoredAt, Raw))
    return fail(std::move(E));
  Cursor C{Raw.data(), Raw.data() + Raw.size()};
  uint64_t Total;
  if (C.uleb(Total) != Got::Value || C.left())
    return fail(
        error("chunk " + llvm::Twine(Index) + " is corrupt (a malformed event count)"));
  if (StreamPos != Stream.size())
    return fail(error("the trace ends inside event " + llvm::Twine(Position)));
  if (Total != Position)
    return fail(error("chunk " + llvm::Twine(Index) + " is corrupt (it counts " +
                      llvm::Twine(Total) + " events, the trace holds " +
                      llvm::Twine(Position) + ")"));
  if (Claimed != Pieces.size())
    return fail(error("chunk " + llvm::Twine(Pieces[Claimed].Index) +
                      " is corrupt (a blob chunk that no event uses)"));
  if (Pos != FileSize)
    return fail(error("the trace has " + llvm::Twine(FileSize - Pos) +
                      " bytes after its end"));
  Done = true;
  return false;
}

TraceReader::TraceReader() : I(std::make_unique<Impl>()) {}
TraceReader::~TraceReader() = default;

llvm::Expected<std::unique_ptr<TraceReader>> TraceReader::open(llvm::StringRef Path) {
  // Read piece by piece, never mapped (a file shrinking under a mapping
  // would kill reprise) nor read whole (the file contents a trace holds can
  // be much larger than what replay needs at once).
  auto Fd = llvm::sys::fs::openNativeFileForRead(Path);
  if (!Fd)
    return error("cannot open trace " + Path + ": " + llvm::toString(Fd.takeError()));
  std::unique_ptr<TraceReader> R(new TraceReader());
  R->I->Fd = *Fd;
  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(*Fd, Status))
    return error("cannot open trace " + Path + ": " + EC.message());
  if (Status.type() == llvm::sys::fs::file_type::directory_file)
    return error("cannot open trace " + Path + ": " +
                 std::make_error_code(std::errc::is_a_directory).message());
  R->I->FileSize = Status.getSize();
  if (auto E = R->I->start())
    return error(Path + ": " + llvm::toString(std::move(E)));
  return R;
}

llvm::Expected<std::unique_ptr<TraceReader>>
TraceReader::fromBytes(std::vector<uint8_t> Bytes) {
  std::unique_ptr<TraceReader> R(new TraceReader());
  R->I->Owned = std::move(Bytes);
  R->I->FileSize = R->I->Owned.size();
  if (auto E = R->I->start())
    return E;
  return R;
}

const TraceHeader &TraceReader::header() const { return I->Header; }

llvm::Expected<bool> TraceReader::next(Event &E) {
  Impl &R = *I;
  if (!R.Failure.empty())
    return error(R.Failure);
  if (R.Done)
    return false;
  for (;;) {
    std::string Why;
    Got G = R.decode(E, Why);
    if (G == Got::Value) {
      R.Pending.reset();
      if (R.WantBlob && R.DeferInputBlobs && E.Kind == EventKind::Input) {
        R.Pending = R.WantBlob;
        R.PendingAgain = R.WantAgain;
      } else if (R.WantBlob)
        if (auto Err = R.fetchBlob(*R.WantBlob, R.WantAgain, E.Data))
          return R.fail(std::move(Err));
      ++R.Position;
      R.LastWasEnd = E.Kind == EventKind::End;
      return true;
    }
    if (G == Got::Bad)
      return R.fail(error("event " + llvm::Twine(R.Position) + " " + Why));

    // The event runs past the bytes at hand: load the next chunk, keeping
    // only the undecoded tail (once per event: it starts at 0 from then on).
    if (R.StreamPos) {
      R.Stream.erase(R.Stream.begin(), R.Stream.begin() + long(R.StreamPos));
      R.StreamPos = 0;
    }
    ChunkHeader H;
    uint64_t StoredAt = 0;
    uint64_t Index = 0;
    auto F = R.nextChunk(H, StoredAt, Index);
    if (!F)
      return R.fail(F.takeError());
    if (*F != Impl::Found::Chunk) {
      R.Done = R.Cut = true;
      return false;
    }
    switch (ChunkType(H.Type)) {
    case ChunkType::Events:
      if (auto Err = R.unpack(Index, H, StoredAt, R.Stream))
        return R.fail(std::move(Err));
      continue;
    case ChunkType::Blob:
      // Only noted: its bytes are read when the event that needs them is.
      if (H.RawSize == 0)
        return R.fail(
            error("chunk " + llvm::Twine(Index) + " is corrupt (an empty blob chunk)"));
      R.Pieces.push_back({StoredAt, Index, H});
      continue;
    case ChunkType::End:
      return R.endChunk(H, StoredAt, Index);
    case ChunkType::Header:
      return R.fail(
          error("chunk " + llvm::Twine(Index) + " is corrupt (a second header)"));
    }
    return R.fail(error("chunk " + llvm::Twine(Index) + " is corrupt"));
  }
}

uint64_t TraceReader::position() const { return I->Position; }

bool TraceReader::truncated() const { return I->Done && (I->Cut || !I->LastWasEnd); }

void TraceReader::deferInputBlobs() { I->DeferInputBlobs = true; }

size_t TraceReader::pendingBlob() const {
  return I->Pending ? size_t(I->Blobs[*I->Pending].Size) : 0;
}

llvm::Error TraceReader::readPendingBlob(llvm::MutableArrayRef<uint8_t> Dst) {
  assert(I->Pending && Dst.size() == pendingBlob() && "no blob of that size is pending");
  size_t B = *I->Pending;
  I->Pending.reset();
  if (auto E = I->fetchBlobInto(B, I->PendingAgain, Dst))
    return I->fail(std::move(E));
  return llvm::Error::success();
}

} // namespace reprise::replay
