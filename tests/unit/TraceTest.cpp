//===- tests/unit/TraceTest.cpp - Trace files round-trip and fail cleanly -===//
//
// A trace is what replay trusts instead of the host, so it must give back
// exactly what was written, be the same bytes for the same run, stay readable
// up to its last complete chunk when the recording is cut short, and turn any
// damage into one clear line, never a crash or a wrong event.
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"
#include "replay/Gate.h"
#include "replay/TraceFormat.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace reprise;
using namespace reprise::replay;

namespace reprise::replay {

/// Lets BOOST_TEST print events that differ.
inline std::ostream &boost_test_print_type(std::ostream &OS, const Event &E) {
  return OS << describe(E);
}

} // namespace reprise::replay

namespace {

/// A file name in the temporary directory, removed at the end of the test.
struct TempPath {
  std::string Path;
  TempPath() {
    llvm::SmallString<128> P;
    BOOST_TEST_REQUIRE(!llvm::sys::fs::createTemporaryFile("reprise-trace", "rpt", P));
    Path = std::string(P);
  }
  ~TempPath() { llvm::sys::fs::remove(Path); }
};

TraceHeader sampleHeader() {
  TraceHeader H;
  H.ReprisVersion = "0.1.0";
  H.UnicornVersion = "2.1";
  H.Arch = "x86_64";
  H.CpuModel = "max";
  H.Program = "/bin/busybox";
  H.Argv = {"busybox", "sh", "-c", "echo hi", ""};
  H.Envp = {"PATH=/bin", "HOME=/root"};
  H.Options = {{"seed", "42"}, {"epoch", "0"}, {"quantum", "20000"}, {"empty", ""}};
  return H;
}

std::vector<uint8_t> bytesOf(const std::string &S) { return {S.begin(), S.end()}; }

/// Deterministic bytes that do not compress.
std::vector<uint8_t> noise(size_t N, uint64_t Seed) {
  std::vector<uint8_t> D(N);
  uint64_t X = Seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto &B : D) {
    X ^= X << 13;
    X ^= X >> 7;
    X ^= X << 17;
    B = uint8_t(X >> 24);
  }
  return D;
}

Event event(EventKind K, int32_t Tid, uint64_t Op, int64_t Result,
            std::initializer_list<uint64_t> Args = {}, std::vector<uint8_t> Data = {}) {
  Event E;
  E.Kind = K;
  E.Tid = Tid;
  E.Op = Op;
  E.Result = Result;
  E.Args.assign(Args);
  E.Data.assign(Data.begin(), Data.end());
  return E;
}

Event input(InputKind K, int64_t Result, std::vector<uint8_t> Data) {
  return event(EventKind::Input, 0, uint64_t(K), Result, {}, std::move(Data));
}

Event syscall(int32_t Tid, uint64_t Nr, std::initializer_list<uint64_t> Args,
              int64_t Result) {
  return event(EventKind::Syscall, Tid, Nr, Result, Args);
}

Event end(int64_t Status) { return event(EventKind::End, 0, 0, Status); }

/// One event of every kind, with the extreme values each field can hold.
std::vector<Event> everyKind() {
  std::vector<Event> Es;
  Es.push_back(input(InputKind::HostRead, 5, bytesOf("hello")));
  Es.push_back(input(InputKind::HostRead, -2, {}));
  Es.push_back(input(InputKind::HostMetadata, 0, noise(144, 1)));
  Es.push_back(input(InputKind::HostWrite, 4096, {}));
  Es.push_back(input(InputKind::HostOther, std::numeric_limits<int64_t>::min(), {}));
  Es.push_back(input(InputKind::HostEffect, std::numeric_limits<int64_t>::max(), {}));
  Es.push_back(input(InputKind::HostRead, 300, noise(300, 2))); // a blob
  Es.push_back(input(InputKind::HostRead, 300, noise(300, 2))); // its reference
  Es.push_back(input(InputKind::HostRead, 255, noise(255, 3))); // just inline
  Es.push_back(
      event(EventKind::HostSignal, 0, (1ull << 1) | (1ull << 14) | (1ull << 63), 0));
  Es.push_back(syscall(1, 110, {0, 0, 0, 0, 0, 0}, 0));
  Es.push_back(syscall(
      7, 257,
      {uint64_t(-100), 0x7ffd12345678ull, 0x80000, 0, ~0ull, 0x8000000000000000ull}, -2));
  Es.push_back(syscall(std::numeric_limits<int32_t>::max(), 9,
                       {0, 4096, 3, 0x22, uint64_t(-1), 0}, 0x7f0000000000));
  Es.push_back(event(EventKind::Schedule, 3, 123456789, 0));
  // Exit signal, eight namespace ids, a tid per PID namespace level.
  Es.push_back(event(EventKind::Clone, 1, 0x3d0f00, 12,
                     {17, 0xEFFFFFFB, 0xEFFFFFFF, 0xF0000000, 0xF0000001, 0xEFFFFFFC,
                      0xEFFFFFFA, 0xEFFFFFFD, 0xEFFFFFFE, 12, 1, 5}));
  Es.push_back(event(EventKind::Exec, 12, 0, 0, {}, bytesOf("/usr/bin/env")));
  Es.push_back(event(EventKind::Exit, 12, 0, 0x100));
  Es.push_back(event(EventKind::Signal, std::numeric_limits<int32_t>::min(), 11, -6));
  // Fields a kind does not use still come back as they were.
  Es.push_back(event(EventKind::Schedule, -1, 0, 0, {1}, noise(1000, 4)));
  Es.push_back(end(0));
  return Es;
}

/// A small multi-chunk trace: many short events with some data, one blob.
std::vector<Event> manyEvents(size_t N) {
  std::vector<Event> Es;
  for (size_t K = 0; K < N; ++K) {
    if (K % 11 == 3)
      Es.push_back(input(InputKind::HostRead, 20, noise(20, K)));
    else if (K % 17 == 5)
      Es.push_back(input(InputKind::HostRead, 400, noise(400, 99)));
    else
      Es.push_back(syscall(int32_t(1 + K % 3), 110, {K, 0, 0, 0, 0, 0}, int64_t(K)));
  }
  Es.push_back(end(0));
  return Es;
}

std::vector<uint8_t> readFile(const std::string &Path) {
  // Read, never mapped: a file a sink still writes may shrink meanwhile.
  std::ifstream In(Path, std::ios::binary);
  BOOST_TEST_REQUIRE(In.good());
  return {std::istreambuf_iterator<char>(In), std::istreambuf_iterator<char>()};
}

/// Writes \p Es to a trace and returns its bytes; the header is set after
/// the first \p HeaderAfter events.
std::vector<uint8_t> write(const std::vector<Event> &Es, ChunkLimits Limits = {},
                           size_t HeaderAfter = 0) {
  TempPath T;
  auto W = TraceWriter::create(T.Path, Limits);
  if (!W)
    BOOST_FAIL(llvm::toString(W.takeError()));
  for (size_t K = 0; K < Es.size(); ++K) {
    if (K == HeaderAfter)
      (*W)->setHeader(sampleHeader());
    (*W)->append(Es[K]);
  }
  if (HeaderAfter >= Es.size())
    (*W)->setHeader(sampleHeader());
  BOOST_TEST((*W)->events() == Es.size());
  if (auto Err = (*W)->finish())
    BOOST_FAIL(llvm::toString(std::move(Err)));
  auto Bytes = readFile(T.Path);
  BOOST_TEST((*W)->bytesWritten() == Bytes.size());
  return Bytes;
}

/// Everything a reader makes of some bytes.
struct Outcome {
  std::optional<std::string> Error; // from open or from next
  bool Opened = false;
  TraceHeader Header;
  std::vector<Event> Events;
  bool Truncated = false;
};

Outcome read(std::vector<uint8_t> Bytes) {
  Outcome O;
  auto R = TraceReader::fromBytes(std::move(Bytes));
  if (!R) {
    O.Error = llvm::toString(R.takeError());
    return O;
  }
  O.Opened = true;
  O.Header = (*R)->header();
  Event E;
  for (;;) {
    BOOST_TEST_REQUIRE((*R)->position() == O.Events.size());
    auto More = (*R)->next(E);
    if (!More) {
      O.Error = llvm::toString(More.takeError());
      // It stays failed.
      auto Again = (*R)->next(E);
      BOOST_TEST(!Again);
      if (!Again)
        BOOST_TEST(llvm::toString(Again.takeError()) == *O.Error);
      return O;
    }
    if (!*More)
      break;
    O.Events.push_back(E);
  }
  O.Truncated = (*R)->truncated();
  auto After = (*R)->next(E);
  BOOST_TEST((After && !*After));
  if (!After)
    llvm::consumeError(After.takeError());
  return O;
}

void checkHeader(const TraceHeader &A, const TraceHeader &B) {
  BOOST_TEST(A.ReprisVersion == B.ReprisVersion);
  BOOST_TEST(A.UnicornVersion == B.UnicornVersion);
  BOOST_TEST(A.Arch == B.Arch);
  BOOST_TEST(A.CpuModel == B.CpuModel);
  BOOST_TEST(A.Program == B.Program);
  BOOST_TEST(A.Argv == B.Argv, boost::test_tools::per_element());
  BOOST_TEST(A.Envp == B.Envp, boost::test_tools::per_element());
  BOOST_TEST((A.Options == B.Options));
}

bool isOneLine(const std::string &S) {
  return !S.empty() && S.find('\n') == std::string::npos;
}

/// Offsets at which each chunk ends, read from the framing.
std::vector<size_t> chunkEnds(const std::vector<uint8_t> &Bytes) {
  std::vector<size_t> Ends;
  size_t Pos = format::PreambleSize;
  while (Pos < Bytes.size()) {
    format::ChunkHeader H;
    BOOST_TEST_REQUIRE(format::parseChunkHeader(Bytes.data() + Pos, H));
    Pos += format::ChunkHeaderSize + H.StoredSize;
    Ends.push_back(Pos);
  }
  BOOST_TEST_REQUIRE(Pos == Bytes.size());
  return Ends;
}

/// A trace whose event chunk holds \p Raw as written, after the header of a
/// real trace: for event encodings the writer never produces.
std::vector<uint8_t> withEventBytes(const std::vector<uint8_t> &Raw) {
  auto Real = write({end(0)});
  std::vector<uint8_t> Out(Real.begin(), Real.begin() + long(chunkEnds(Real)[0]));
  format::ChunkPacker P;
  P.pack(format::ChunkType::Events, Raw, Out);
  return Out;
}

/// A trace with Blob chunks of these sizes (noise), then one Events chunk
/// holding \p Raw, then an End chunk counting \p Count events.
std::vector<uint8_t> withBlobs(const std::vector<size_t> &Pieces,
                               const std::vector<uint8_t> &Raw, uint8_t Count) {
  auto Real = write({end(0)});
  std::vector<uint8_t> Out(Real.begin(), Real.begin() + long(chunkEnds(Real)[0]));
  format::ChunkPacker P;
  for (size_t N : Pieces)
    P.pack(format::ChunkType::Blob, noise(N, 3), Out);
  P.pack(format::ChunkType::Events, Raw, Out);
  P.pack(format::ChunkType::End, std::vector<uint8_t>{Count}, Out);
  return Out;
}

const ChunkLimits Small{7, 97};

} // namespace

BOOST_AUTO_TEST_SUITE(trace_files)

BOOST_AUTO_TEST_CASE(every_kind_and_the_header_round_trip) {
  auto Es = everyKind();
  for (ChunkLimits L : {ChunkLimits{}, Small, ChunkLimits{1, 1}}) {
    auto O = read(write(Es, L));
    BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
    checkHeader(O.Header, sampleHeader());
    BOOST_TEST(O.Events == Es, boost::test_tools::per_element());
    BOOST_TEST(!O.Truncated);
  }
}

BOOST_AUTO_TEST_CASE(an_empty_header_and_no_events_round_trip) {
  TempPath T;
  auto W = TraceWriter::create(T.Path);
  BOOST_TEST_REQUIRE(bool(W));
  (*W)->setHeader(TraceHeader());
  BOOST_TEST_REQUIRE(!(*W)->finish());
  auto O = read(readFile(T.Path));
  BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
  BOOST_TEST(O.Events.empty());
  checkHeader(O.Header, TraceHeader());
  // Without its End event, a run is incomplete.
  BOOST_TEST(O.Truncated);
}

BOOST_AUTO_TEST_CASE(the_same_events_give_the_same_bytes) {
  auto Es = manyEvents(40000);
  auto A = write(Es), B = write(Es);
  BOOST_TEST(chunkEnds(A).size() > 3u);
  BOOST_TEST(A == B);
  BOOST_TEST(write(Es, Small) == write(Es, Small));
}

BOOST_AUTO_TEST_CASE(the_header_may_come_after_events) {
  auto Es = manyEvents(40000);
  auto First = write(Es);
  // Two full chunks wait in memory for the header.
  BOOST_TEST(write(Es, {}, 35000) == First);
  BOOST_TEST(write(Es, {}, Es.size()) == First);
  BOOST_TEST(write(Es, Small, 100) == write(Es, Small));
  auto O = read(write(Es, {}, 35000));
  BOOST_TEST_REQUIRE(!O.Error.has_value());
  BOOST_TEST(O.Events == Es, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(repeated_data_is_stored_once) {
  // 300 KiB of noise read ten times (an executable exec'd again and again),
  // against ten different contents: without blobs, the chunks of 1 MiB hold
  // at most three copies each and zstd would keep most of the ten.
  auto Exe = noise(300 << 10, 7);
  std::vector<Event> Same, Different;
  for (int K = 0; K < 10; ++K) {
    Same.push_back(input(InputKind::HostRead, int64_t(Exe.size()), Exe));
    Same.push_back(syscall(1, 59, {1, 2, 3, 4, 5, 6}, 0));
    Different.push_back(
        input(InputKind::HostRead, int64_t(Exe.size()), noise(Exe.size(), K)));
    Different.push_back(Same.back());
  }
  Same.push_back(end(0));
  Different.push_back(end(0));
  auto S = write(Same), D = write(Different);
  BOOST_TEST(S.size() < Exe.size() + 2048);
  BOOST_TEST(D.size() > 9 * Exe.size());
  for (const auto &Es : {Same, Different}) {
    auto O = read(write(Es));
    BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
    BOOST_TEST(O.Events == Es, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(an_event_larger_than_a_chunk_round_trips) {
  std::vector<Event> Es = {input(InputKind::HostRead, 3 << 20, noise(3 << 20, 5)),
                           input(InputKind::HostRead, 3 << 20, noise(3 << 20, 5)),
                           end(1)};
  auto Bytes = write(Es);
  BOOST_TEST(chunkEnds(Bytes).size() >= 5u);
  auto O = read(Bytes);
  BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
  BOOST_TEST((O.Events == Es));
}

BOOST_AUTO_TEST_CASE(a_trace_cut_anywhere_reads_its_complete_chunks) {
  auto Es = manyEvents(60);
  auto Full = write(Es, Small);
  auto Ends = chunkEnds(Full);
  BOOST_TEST_REQUIRE(Ends.size() > 10u);
  BOOST_TEST_MESSAGE("cutting a trace of " << Full.size() << " bytes in " << Ends.size()
                                           << " chunks");
  // What a file cut exactly after each chunk reads.
  std::vector<size_t> AtEnd;
  for (size_t K = 0; K < Ends.size(); ++K) {
    auto O = read({Full.begin(), Full.begin() + long(Ends[K])});
    BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
    AtEnd.push_back(O.Events.size());
    BOOST_TEST((K == 0 || AtEnd[K] >= AtEnd[K - 1]));
    BOOST_TEST(O.Truncated == (K + 1 < Ends.size()));
  }
  BOOST_TEST(AtEnd.back() == Es.size());
  BOOST_TEST(AtEnd[Ends.size() - 2] == Es.size()); // all but the End chunk

  size_t Chunk = 0;
  for (size_t Len = 0; Len < Full.size(); ++Len) {
    while (Chunk < Ends.size() && Ends[Chunk] <= Len)
      ++Chunk;
    auto O = read({Full.begin(), Full.begin() + long(Len)});
    if (Chunk == 0) {
      // Cut before the header is complete: one clear line.
      BOOST_TEST_REQUIRE(O.Error.has_value());
      BOOST_TEST(isOneLine(*O.Error));
      BOOST_TEST(*O.Error == "the trace ends before its header (the recording "
                             "was cut short)");
      continue;
    }
    BOOST_TEST_REQUIRE(!O.Error.has_value(), "cut at " << Len << ": " << *O.Error);
    BOOST_TEST(O.Truncated);
    BOOST_TEST_REQUIRE(O.Events.size() == AtEnd[Chunk - 1], "cut at " << Len);
    BOOST_TEST(std::equal(O.Events.begin(), O.Events.end(), Es.begin()));
  }
}

BOOST_AUTO_TEST_CASE(any_damaged_byte_is_an_error) {
  auto Es = manyEvents(40);
  auto Full = write(Es, Small);
  for (uint8_t Flip : {0xff, 0x01, 0x80}) {
    for (size_t At = 0; At < Full.size(); ++At) {
      auto Bad = Full;
      Bad[At] ^= Flip;
      auto O = read(Bad);
      // There are no bytes a reader may ignore: every change is caught.
      BOOST_TEST_REQUIRE(O.Error.has_value(), "byte " << At << " ^ " << int(Flip));
      BOOST_TEST(isOneLine(*O.Error), *O.Error);
      // Whatever came before the damage is the recorded events.
      BOOST_TEST(O.Events.size() <= Es.size());
      BOOST_TEST(std::equal(O.Events.begin(), O.Events.end(), Es.begin()));
    }
  }
}

BOOST_AUTO_TEST_CASE(damage_is_named) {
  auto Full = write(manyEvents(60), Small);
  auto Ends = chunkEnds(Full);
  auto Bad = Full;
  Bad[Ends[2] + format::ChunkHeaderSize + 3] ^= 0x10; // inside chunk 3's frame
  auto O = read(Bad);
  BOOST_TEST(O.Error.value_or("") == "chunk 3 is corrupt (checksum)");
  Bad = Full;
  Bad[Ends[4] + 2] ^= 0x10; // chunk 5's raw size
  O = read(Bad);
  BOOST_TEST(O.Error.value_or("") == "chunk 5 is corrupt (checksum)");
  Bad = Full;
  Bad[Ends[0] - 1] ^= 0x10; // the header chunk
  O = read(Bad);
  BOOST_TEST(O.Error.value_or("") == "chunk 0 is corrupt (checksum)");
}

BOOST_AUTO_TEST_CASE(another_format_version_is_refused) {
  auto Full = write({end(0)});
  llvm::support::endian::write32le(Full.data() + 8, 2);
  BOOST_TEST(read(Full).Error.value_or("") ==
             "trace format version 2, this reprise reads version 4");
  TempPath T;
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(T.Path, EC);
    OS.write(reinterpret_cast<const char *>(Full.data()), Full.size());
  }
  auto R = TraceReader::open(T.Path);
  BOOST_TEST_REQUIRE(!R);
  BOOST_TEST(llvm::toString(R.takeError()) ==
             T.Path + ": trace format version 2, this reprise reads version 4");
}

BOOST_AUTO_TEST_CASE(other_files_are_not_traces) {
  BOOST_TEST(read(bytesOf("#!/bin/sh\necho hello\n")).Error.value_or("") ==
             "not a reprise trace");
  BOOST_TEST(read(bytesOf("\x7f"
                          "ELF"))
                 .Error.value_or("") == "not a reprise trace");
  auto Full = write({end(0)});
  Full[0] = 'x';
  BOOST_TEST(read(Full).Error.value_or("") == "not a reprise trace");
  BOOST_TEST(read({}).Error.value_or("") ==
             "the trace ends before its header (the recording was cut short)");
  auto R = TraceReader::open("/nonexistent/reprise/trace");
  BOOST_TEST_REQUIRE(!R);
  BOOST_TEST(llvm::toString(R.takeError()) ==
             "cannot open trace /nonexistent/reprise/trace: No such file or directory");
}

BOOST_AUTO_TEST_CASE(bad_event_encodings_name_the_event) {
  // A Schedule event (kind 4, no fields), then the given bytes.
  auto Decode = [](std::vector<uint8_t> Tail) {
    std::vector<uint8_t> Raw = {4, 0};
    Raw.insert(Raw.end(), Tail.begin(), Tail.end());
    return read(withEventBytes(Raw));
  };
  auto O = Decode({0x0f, 0});
  BOOST_TEST(O.Error.value_or("") == "event 1 has an unknown tag 0x0f");
  BOOST_TEST(O.Events.size() == 1u);
  BOOST_TEST(Decode({0, 0}).Error.value_or("") == "event 1 has an unknown tag 0x00");
  BOOST_TEST(Decode({4, 0x40}).Error.value_or("") ==
             "event 1 is corrupt (unknown field bits 0x40)");
  BOOST_TEST(Decode({4, 0x30, 0}).Error.value_or("") ==
             "event 1 refers to blob 0 of 0 (corrupt trace)");
  BOOST_TEST(Decode({4, 0x20, 5, 1, 2, 3, 4, 5}).Error.value_or("") ==
             "event 1 is corrupt (a blob of 5 bytes)");
  // Data of 256 bytes or more is a blob, never inline.
  BOOST_TEST(Decode({4, 0x10, 0x80, 0x02}).Error.value_or("") ==
             "event 1 is corrupt (256 bytes of inline data)");
  BOOST_TEST(Decode({4, 0x20, 0x80, 0x02}).Error.value_or("") ==
             "event 1 is corrupt (its blob of 256 bytes is not in the trace)");
  BOOST_TEST(Decode({4, 0x08, 65}).Error.value_or("") ==
             "event 1 is corrupt (65 arguments)");
  BOOST_TEST(Decode({4, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10}).Error.value_or("") ==
             "event 1 is corrupt (a tid out of range)");
  std::vector<uint8_t> Long = {4, 0x02};
  Long.insert(Long.end(), 10, 0xff);
  Long.push_back(0);
  BOOST_TEST(Decode(Long).Error.value_or("") == "event 1 is corrupt (a malformed op)");
  // An event the chunk stops inside is a cut, not damage...
  O = Decode({3, 0x02});
  BOOST_TEST(!O.Error.has_value());
  BOOST_TEST(O.Truncated);
  BOOST_TEST(O.Events.size() == 1u);
  // ... unless the End chunk follows.
  auto Bytes = withEventBytes({4, 0, 3, 0x02});
  format::ChunkPacker P;
  P.pack(format::ChunkType::End, std::vector<uint8_t>{1}, Bytes);
  BOOST_TEST(read(Bytes).Error.value_or("") == "the trace ends inside event 1");
}

BOOST_AUTO_TEST_CASE(blob_chunks_are_checked) {
  // Schedule, then a Schedule with a new blob of 300 bytes, then End.
  std::vector<uint8_t> Raw = {4, 0, 4, 0x20, 0xac, 0x02, 9, 0};
  auto O = read(withBlobs({200, 100}, Raw, 3));
  BOOST_TEST_REQUIRE(!O.Error.has_value(), O.Error.value_or(""));
  BOOST_TEST_REQUIRE(O.Events.size() == 3u);
  auto Want = noise(200, 3), Tail = noise(100, 3);
  Want.insert(Want.end(), Tail.begin(), Tail.end());
  BOOST_TEST((llvm::ArrayRef<uint8_t>(O.Events[1].Data) == llvm::ArrayRef<uint8_t>(Want)));
  BOOST_TEST(read(withBlobs({200, 200}, Raw, 3)).Error.value_or("") ==
             "event 1 is corrupt (a blob of 300 bytes in chunks of 400)");
  BOOST_TEST(read(withBlobs({200, 100, 50}, Raw, 3)).Error.value_or("") ==
             "chunk 3 is corrupt (a blob chunk that no event uses)");
  BOOST_TEST(read(withBlobs({0}, Raw, 3)).Error.value_or("") ==
             "chunk 1 is corrupt (an empty blob chunk)");
  // A damaged blob is found when its event is read.
  auto Bad = withBlobs({200, 100}, Raw, 3);
  Bad[chunkEnds(Bad)[1] + format::ChunkHeaderSize + 4] ^= 1;
  O = read(Bad);
  BOOST_TEST(O.Error.value_or("") == "chunk 2 is corrupt (checksum)");
  BOOST_TEST(O.Events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_trace_file_reads_as_its_bytes) {
  // The reader reads files piece by piece: the same events as from memory.
  std::vector<Event> Es;
  for (int K = 0; K < 20; ++K) {
    Es.push_back(input(InputKind::HostRead, 3000, noise(3000, K % 4)));
    Es.push_back(syscall(1, 0, {3, 0x1000, 3000}, 3000));
  }
  Es.push_back(end(0));
  auto Bytes = write(Es, Small);
  TempPath T;
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(T.Path, EC);
    OS.write(reinterpret_cast<const char *>(Bytes.data()), Bytes.size());
  }
  auto R = TraceReader::open(T.Path);
  BOOST_TEST_REQUIRE(!!R, llvm::toString(R.takeError()));
  std::vector<Event> Got;
  Event E;
  for (;;) {
    auto More = (*R)->next(E);
    BOOST_TEST_REQUIRE(!!More, llvm::toString(More.takeError()));
    if (!*More)
      break;
    Got.push_back(E);
  }
  BOOST_TEST(!(*R)->truncated());
  BOOST_TEST(Got == Es, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_writer_let_go_without_finish_leaves_what_it_cut) {
  // As a recording killed before its end: the chunks cut so far are in
  // the file, and read as a trace cut short.
  std::vector<Event> Es;
  for (uint64_t K = 0; K < 95; ++K)
    Es.push_back(syscall(1, 110, {K}, 0));
  TempPath T;
  {
    auto W = TraceWriter::create(T.Path, ChunkLimits{10, 1u << 20});
    BOOST_TEST_REQUIRE(!!W, llvm::toString(W.takeError()));
    (*W)->setHeader(sampleHeader());
    for (const Event &E : Es)
      (*W)->append(E);
  }
  auto O = read(readFile(T.Path));
  BOOST_TEST(!O.Error.has_value());
  BOOST_TEST(O.Truncated);
  BOOST_TEST_REQUIRE(O.Events.size() == 90u);
  BOOST_TEST(std::vector<Event>(Es.begin(), Es.begin() + 90) == O.Events,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_trace_written_over_a_longer_one_holds_only_its_own_bytes) {
  // The writer leaves emptying an old file to its sink's thread, and spoils
  // the old magic at once: the old bytes never read as a trace.
  TempPath T;
  {
    std::vector<uint8_t> OldTrace = write({syscall(1, 110, {1}, 0), end(0)});
    OldTrace.resize(OldTrace.size() + 300000, 0x5a); // much longer than the new one
    std::ofstream(T.Path, std::ios::binary)
        .write(reinterpret_cast<const char *>(OldTrace.data()), long(OldTrace.size()));
  }
  std::vector<Event> Es = {syscall(1, 39, {}, 7), end(3)};
  {
    auto W = TraceWriter::create(T.Path);
    BOOST_TEST_REQUIRE(!!W, llvm::toString(W.takeError()));
    // Emptied already or not yet, depending on the sink's thread; either
    // way not the old trace.
    BOOST_TEST(read(readFile(T.Path)).Error.has_value());
    (*W)->setHeader(sampleHeader());
    for (const Event &E : Es)
      (*W)->append(E);
    BOOST_TEST_REQUIRE(!(*W)->finish());
    BOOST_TEST(readFile(T.Path).size() == (*W)->bytesWritten());
  }
  BOOST_TEST(readFile(T.Path) == write(Es), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_end_chunk_is_checked) {
  auto Full = write({end(0)});
  auto Ends = chunkEnds(Full);
  // The End chunk counts one event; say two.
  std::vector<uint8_t> Bad(Full.begin(), Full.begin() + long(Ends[Ends.size() - 2]));
  format::ChunkPacker P;
  P.pack(format::ChunkType::End, std::vector<uint8_t>{2}, Bad);
  BOOST_TEST(read(Bad).Error.value_or("") ==
             "chunk 2 is corrupt (it counts 2 events, the trace holds 1)");
  // Bytes after the end.
  Bad = Full;
  Bad.push_back(0);
  BOOST_TEST(read(Bad).Error.value_or("") == "the trace has 1 bytes after its end");
  // A second header.
  Bad.assign(Full.begin(), Full.begin() + long(Ends[0]));
  P.pack(format::ChunkType::Header, std::vector<uint8_t>{0}, Bad);
  BOOST_TEST(read(Bad).Error.value_or("") == "chunk 1 is corrupt (a second header)");
}

BOOST_AUTO_TEST_CASE(a_trace_without_a_header_is_not_written) {
  TempPath T;
  auto W = TraceWriter::create(T.Path);
  BOOST_TEST_REQUIRE(bool(W));
  (*W)->append(end(0));
  auto Err = (*W)->finish();
  BOOST_TEST_REQUIRE(bool(Err));
  BOOST_TEST(llvm::toString(std::move(Err)) ==
             "cannot finish trace " + T.Path + ": it has no header");
  auto Bad = TraceWriter::create("/nonexistent/reprise/trace");
  BOOST_TEST_REQUIRE(!Bad);
  BOOST_TEST(llvm::toString(Bad.takeError()) ==
             "cannot create trace /nonexistent/reprise/trace: No such file or directory");
}

BOOST_AUTO_TEST_CASE(the_gate_replays_what_it_recorded) {
  TempPath T;
  std::vector<uint8_t> Exe = noise(4096, 11);
  {
    auto W = TraceWriter::create(T.Path);
    BOOST_TEST_REQUIRE(bool(W));
    (*W)->setHeader(sampleHeader());
    Gate G;
    G.record(**W);
    for (int K = 0; K < 3; ++K) {
      std::vector<uint8_t> Buf(8192);
      int64_t N = G.call(InputKind::HostRead, Buf, [&] {
        std::copy(Exe.begin(), Exe.end(), Buf.begin());
        return int64_t(Exe.size());
      });
      BOOST_TEST(N == int64_t(Exe.size()));
      G.event(syscall(1, 0, {3, 0x7ffd0000, 8192, 0, 0, 0}, N));
    }
    G.event(end(0));
    BOOST_TEST_REQUIRE(!(*W)->finish());
  }
  auto R = TraceReader::open(T.Path);
  BOOST_TEST_REQUIRE(bool(R));
  checkHeader((*R)->header(), sampleHeader());
  Gate G;
  G.replay(**R);
  for (int K = 0; K < 3; ++K) {
    std::vector<uint8_t> Buf(8192);
    int64_t N = G.call(InputKind::HostRead, Buf, [] {
      BOOST_FAIL("replay called the host");
      return int64_t(0);
    });
    BOOST_TEST_REQUIRE(N == int64_t(Exe.size()));
    BOOST_TEST(std::equal(Exe.begin(), Exe.end(), Buf.begin()));
    G.event(syscall(1, 0, {3, 0x7ffd0000, 8192, 0, 0, 0}, N));
  }
  G.event(end(0));
  BOOST_TEST(!G.stopped(), G.stopMessage());
  BOOST_TEST(G.position() == 7u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_is_reported_by_finish) {
  if (!llvm::sys::fs::exists("/dev/full"))
    return;
  auto W = TraceWriter::create("/dev/full");
  BOOST_TEST_REQUIRE(bool(W));
  (*W)->setHeader(sampleHeader());
  (*W)->append(end(0));
  auto Err = (*W)->finish();
  BOOST_TEST_REQUIRE(bool(Err));
  BOOST_TEST(llvm::toString(std::move(Err)) ==
             "cannot write trace /dev/full: No space left on device");
}

BOOST_AUTO_TEST_SUITE_END()
