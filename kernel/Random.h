//===- kernel/Random.h - Seeded pseudo-randomness ---------------*- C++ -*-===//
//
// Every random value the guest sees (AT_RANDOM, getrandom, /dev/urandom,
// mmap placement) comes from here, seeded by --seed: the same seed gives the
// same bytes on every run and host. xoshiro256** seeded through splitmix64.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <cstring>

namespace reprise {

inline uint64_t splitmix64(uint64_t &X) {
  uint64_t Z = (X += 0x9e3779b97f4a7c15ull);
  Z = (Z ^ (Z >> 30)) * 0xbf58476d1ce4e5b9ull;
  Z = (Z ^ (Z >> 27)) * 0x94d049bb133111ebull;
  return Z ^ (Z >> 31);
}

class Random {
public:
  /// \p Stream separates independent uses of one seed.
  explicit Random(uint64_t Seed, uint64_t Stream = 0) {
    uint64_t X = Seed ^ (Stream * 0xd1b54a32d192ed03ull);
    for (auto &W : S)
      W = splitmix64(X);
  }
  uint64_t next() {
    uint64_t R = rotl(S[1] * 5, 7) * 9;
    uint64_t T = S[1] << 17;
    S[2] ^= S[0];
    S[3] ^= S[1];
    S[1] ^= S[2];
    S[0] ^= S[3];
    S[2] ^= T;
    S[3] = rotl(S[3], 45);
    return R;
  }
  void fill(llvm::MutableArrayRef<uint8_t> Out) {
    size_t I = 0;
    while (I < Out.size()) {
      uint64_t V = next();
      size_t N = std::min<size_t>(8, Out.size() - I);
      std::memcpy(Out.data() + I, &V, N);
      I += N;
    }
  }

private:
  static uint64_t rotl(uint64_t X, int K) { return (X << K) | (X >> (64 - K)); }
  uint64_t S[4];
};

} // namespace reprise
