//===- tests/unit/RandomTest.cpp - Seeded randomness is reproducible ------===//
//
// Every random value the guest sees comes from Random, so its output is part
// of what makes two runs identical: fixed by the seed, independent of the
// host, and changed only together with the trace version.
//
//===----------------------------------------------------------------------===//
#include "kernel/Random.h"

#include <boost/test/unit_test.hpp>

#include <array>
#include <cstring>
#include <set>
#include <vector>

using namespace reprise;

namespace {

std::vector<uint64_t> sequence(Random R, size_t N) {
  std::vector<uint64_t> Out(N);
  for (auto &V : Out)
    V = R.next();
  return Out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(seeded_random)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_sequence) {
  BOOST_TEST(sequence(Random(42), 1000) == sequence(Random(42), 1000),
             boost::test_tools::per_element());
  BOOST_TEST(sequence(Random(7, 3), 100) == sequence(Random(7, 3), 100),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(different_seeds_and_streams_give_different_sequences) {
  auto Base = sequence(Random(42), 64);
  for (auto Other : {sequence(Random(43), 64), sequence(Random(0), 64),
                     sequence(Random(42, 1), 64), sequence(Random(42, 2), 64)}) {
    size_t Same = 0;
    for (size_t I = 0; I < Base.size(); ++I)
      Same += Base[I] == Other[I];
    BOOST_TEST(Same == 0u);
  }
  // Stream 1 of one seed is not stream 0 of a neighbouring seed.
  BOOST_TEST(Random(1, 0).next() != Random(0, 1).next());
}

BOOST_AUTO_TEST_CASE(the_output_is_pinned) {
  // xoshiro256** seeded through splitmix64; computed independently. A change
  // here changes what every guest sees for a given --seed.
  const std::array<uint64_t, 4> Seed0 = {0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull,
                                         0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull};
  const std::array<uint64_t, 4> Seed42Stream1 = {
      0x0030425e2a3dc334ull, 0x057e19f0156c8a6bull, 0x8c5c18f37d24dfd8ull,
      0x08788a1a2c75e2c4ull};
  Random A(0), B(42, 1);
  for (size_t I = 0; I < 4; ++I) {
    BOOST_TEST(A.next() == Seed0[I]);
    BOOST_TEST(B.next() == Seed42Stream1[I]);
  }
}

BOOST_AUTO_TEST_CASE(fill_uses_the_same_stream_as_next) {
  Random A(99), B(99);
  std::array<uint8_t, 13> Bytes;
  A.fill(Bytes);
  uint64_t W0 = B.next(), W1 = B.next();
  uint8_t Expected[16];
  std::memcpy(Expected, &W0, 8);
  std::memcpy(Expected + 8, &W1, 8);
  BOOST_TEST(std::vector<uint8_t>(Bytes.begin(), Bytes.end()) ==
                 std::vector<uint8_t>(Expected, Expected + 13),
             boost::test_tools::per_element());
  // A partial word is not reused: the next value is the third word.
  BOOST_TEST(A.next() == B.next());

  std::vector<uint8_t> Empty;
  Random C(5), D(5);
  C.fill(Empty);
  BOOST_TEST(C.next() == D.next());
}

BOOST_AUTO_TEST_CASE(values_look_random) {
  Random R(1);
  std::set<uint64_t> Seen;
  unsigned Bits = 0;
  for (int I = 0; I < 4096; ++I) {
    uint64_t V = R.next();
    Seen.insert(V);
    Bits += unsigned(__builtin_popcountll(V));
  }
  BOOST_TEST(Seen.size() == 4096u);
  // About half the bits set (4096 * 32 = 131072, sd ~ 362).
  BOOST_TEST(Bits > 129000u);
  BOOST_TEST(Bits < 133000u);
}

BOOST_AUTO_TEST_SUITE_END()
