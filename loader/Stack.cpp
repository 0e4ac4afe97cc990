//===- loader/Stack.cpp ---------------------------------------------------===//
#include "loader/Stack.h"

#include "kernel/abi/Constants.h"

#include <cstring>
#include <iterator>

namespace reprise::loader {

StackImage buildStack(uint64_t Top, const StackInputs &In) {
  using namespace linux_abi;
  // Everything is placed downwards from Top, the exec file name first. The
  // image is built back to front (each piece appended reversed) and turned
  // round once at the end, so building it is linear in its size.
  uint64_t Cursor = Top - 8; // 8 zero bytes end the stack, as on Linux
  std::vector<uint8_t> Reversed;
  auto push = [&](const void *Data, size_t N) {
    Cursor -= N;
    const auto *P = static_cast<const uint8_t *>(Data);
    Reversed.insert(Reversed.end(), std::make_reverse_iterator(P + N),
                    std::make_reverse_iterator(P));
    return Cursor;
  };
  uint64_t ExecFnAddr = push(In.ExecFn.c_str(), In.ExecFn.size() + 1);
  std::vector<uint64_t> EnvAddrs(In.Envp.size()), ArgAddrs(In.Argv.size());
  for (size_t I = In.Envp.size(); I-- > 0;)
    EnvAddrs[I] = push(In.Envp[I].c_str(), In.Envp[I].size() + 1);
  for (size_t I = In.Argv.size(); I-- > 0;)
    ArgAddrs[I] = push(In.Argv[I].c_str(), In.Argv[I].size() + 1);
  // The strings are contiguous: argv's first, then envp's, then AT_EXECFN.
  uint64_t ArgStart = Cursor;
  uint64_t EnvStart = In.Envp.empty() ? ExecFnAddr : EnvAddrs.front();
  uint64_t PlatformAddr = push(In.Platform.c_str(), In.Platform.size() + 1);
  // Align, then the 16 random bytes.
  size_t Pad = Cursor & 15;
  std::vector<uint8_t> Zeros(Pad, 0);
  if (Pad)
    push(Zeros.data(), Pad);
  uint64_t RandomAddr = push(In.Random.data(), In.Random.size());

  std::vector<uint64_t> Words;
  Words.push_back(In.Argv.size());
  for (uint64_t A : ArgAddrs)
    Words.push_back(A);
  Words.push_back(0);
  for (uint64_t A : EnvAddrs)
    Words.push_back(A);
  Words.push_back(0);
  for (auto [K, V] : In.Auxv) {
    Words.push_back(K);
    Words.push_back(V);
  }
  Words.insert(Words.end(), {LX_AT_RANDOM, RandomAddr, LX_AT_PLATFORM, PlatformAddr,
                             LX_AT_EXECFN, ExecFnAddr, LX_AT_NULL, 0});
  size_t AuxvWords = In.Auxv.size() * 2 + 8;
  uint64_t TableSize = Words.size() * 8;
  uint64_t Sp = (Cursor - TableSize) & ~uint64_t(15);
  // Fill the gap between the table and the strings with zeros.
  uint64_t Gap = Cursor - (Sp + TableSize);
  std::vector<uint8_t> GapZeros(Gap, 0);
  if (Gap)
    push(GapZeros.data(), Gap);
  push(Words.data(), TableSize);

  StackImage Img;
  Img.Sp = Sp;
  Img.Base = Cursor;
  Img.Bytes.assign(Reversed.rbegin(), Reversed.rend());
  Img.Bytes.resize(Top - Cursor, 0); // the 8 zero bytes at the very top
  Img.ArgStart = ArgStart;
  Img.ArgEnd = Img.EnvStart = EnvStart;
  Img.EnvEnd = ExecFnAddr;
  const auto *Aux = reinterpret_cast<const uint8_t *>(Words.data() + Words.size() - AuxvWords);
  Img.Auxv.assign(Aux, Aux + AuxvWords * 8);
  return Img;
}

} // namespace reprise::loader
