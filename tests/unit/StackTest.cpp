//===- tests/unit/StackTest.cpp - The initial stack of a new program ------===//
//
// buildStack() lays out what a new program finds at its stack pointer. The
// tests read the image back as a program's startup code would: argc, the
// argv and envp arrays, the auxiliary vector, and the strings and random
// bytes they point to.
//
//===----------------------------------------------------------------------===//
#include "kernel/abi/Constants.h"
#include "loader/Stack.h"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <numeric>

using namespace reprise;
using namespace reprise::linux_abi;

namespace {

constexpr uint64_t Top = 0x7ffffffff000;

/// Reads the stack image as guest memory.
struct StackReader {
  const loader::StackImage &Img;
  uint64_t Top;

  bool inside(uint64_t Addr, uint64_t Len) const {
    return Addr >= Img.Base && Len <= Top - Addr && Addr + Len <= Top;
  }
  uint64_t word(uint64_t Addr) const {
    BOOST_TEST_REQUIRE(inside(Addr, 8), "word outside the stack at " << std::hex << Addr);
    uint64_t V;
    std::memcpy(&V, Img.Bytes.data() + (Addr - Img.Base), 8);
    return V;
  }
  std::string string(uint64_t Addr) const {
    BOOST_TEST_REQUIRE(inside(Addr, 1), "string outside the stack at " << std::hex << Addr);
    const char *P = reinterpret_cast<const char *>(Img.Bytes.data()) + (Addr - Img.Base);
    size_t Max = Top - Addr;
    size_t Len = strnlen(P, Max);
    BOOST_TEST_REQUIRE(Len < Max, "unterminated string at " << std::hex << Addr);
    return std::string(P, Len);
  }
  std::vector<uint8_t> bytes(uint64_t Addr, size_t Len) const {
    BOOST_TEST_REQUIRE(inside(Addr, Len));
    auto *P = Img.Bytes.data() + (Addr - Img.Base);
    return std::vector<uint8_t>(P, P + Len);
  }
};

/// What a program's startup code sees.
struct Startup {
  uint64_t Argc = 0;
  std::vector<uint64_t> ArgvPtrs, EnvpPtrs;
  std::vector<std::pair<uint64_t, uint64_t>> Auxv; // up to and with AT_NULL
  uint64_t End = 0;                                // just past AT_NULL
};

Startup parse(const StackReader &R, uint64_t Sp) {
  Startup S;
  uint64_t At = Sp;
  S.Argc = R.word(At);
  At += 8;
  BOOST_TEST_REQUIRE(S.Argc < 1000u);
  for (uint64_t I = 0; I < S.Argc; ++I, At += 8)
    S.ArgvPtrs.push_back(R.word(At));
  BOOST_TEST(R.word(At) == 0u, "argv[argc] is not NULL");
  At += 8;
  for (uint64_t P; (P = R.word(At)) != 0; At += 8)
    S.EnvpPtrs.push_back(P);
  At += 8;
  while (true) {
    uint64_t K = R.word(At), V = R.word(At + 8);
    At += 16;
    S.Auxv.push_back({K, V});
    if (K == LX_AT_NULL)
      break;
    BOOST_TEST_REQUIRE(S.Auxv.size() < 100u);
  }
  S.End = At;
  return S;
}

loader::StackInputs sampleInputs() {
  loader::StackInputs In;
  In.Argv = {"/bin/prog", "first", "", "a longer argument with spaces"};
  In.Envp = {"HOME=/root", "PATH=/usr/bin:/bin", "EMPTY="};
  In.Auxv = {{LX_AT_PAGESZ, 4096}, {LX_AT_ENTRY, 0x401000}, {LX_AT_UID, 0}};
  std::iota(In.Random.begin(), In.Random.end(), uint8_t(0xa0));
  In.Platform = "x86_64";
  In.ExecFn = "/bin/prog-execfn";
  return In;
}

} // namespace

BOOST_AUTO_TEST_SUITE(initial_stack)

BOOST_AUTO_TEST_CASE(argc_argv_envp_and_auxv) {
  const auto In = sampleInputs();
  const auto Img = loader::buildStack(Top, In);
  StackReader R{Img, Top};

  BOOST_TEST(Img.Base + Img.Bytes.size() == Top);
  BOOST_TEST(Img.Sp % 16 == 0u);
  BOOST_TEST(Img.Sp >= Img.Base);
  BOOST_TEST(Img.Sp < Top);

  Startup S = parse(R, Img.Sp);
  BOOST_TEST(S.Argc == In.Argv.size());
  BOOST_TEST_REQUIRE(S.ArgvPtrs.size() == In.Argv.size());
  for (size_t I = 0; I < In.Argv.size(); ++I)
    BOOST_TEST(R.string(S.ArgvPtrs[I]) == In.Argv[I]);
  BOOST_TEST_REQUIRE(S.EnvpPtrs.size() == In.Envp.size());
  for (size_t I = 0; I < In.Envp.size(); ++I)
    BOOST_TEST(R.string(S.EnvpPtrs[I]) == In.Envp[I]);

  // The given auxv entries come through in order, then the ones that point
  // into the stack, and AT_NULL last.
  BOOST_TEST_REQUIRE(S.Auxv.size() == In.Auxv.size() + 4);
  for (size_t I = 0; I < In.Auxv.size(); ++I) {
    BOOST_TEST(S.Auxv[I].first == In.Auxv[I].first);
    BOOST_TEST(S.Auxv[I].second == In.Auxv[I].second);
  }
  BOOST_TEST(S.Auxv.back().first == LX_AT_NULL);
  std::map<uint64_t, uint64_t> Aux(S.Auxv.begin(), S.Auxv.end());
  BOOST_TEST(Aux.size() == S.Auxv.size()); // no key twice
  BOOST_TEST_REQUIRE(Aux.count(LX_AT_RANDOM) == 1u);
  BOOST_TEST_REQUIRE(Aux.count(LX_AT_EXECFN) == 1u);
  BOOST_TEST_REQUIRE(Aux.count(LX_AT_PLATFORM) == 1u);

  auto Random = R.bytes(Aux[LX_AT_RANDOM], 16);
  BOOST_TEST(Random == std::vector<uint8_t>(In.Random.begin(), In.Random.end()),
             boost::test_tools::per_element());
  BOOST_TEST(R.string(Aux[LX_AT_EXECFN]) == In.ExecFn);
  BOOST_TEST(R.string(Aux[LX_AT_PLATFORM]) == In.Platform);

  // Everything pointed to lies above the pointer arrays.
  BOOST_TEST(Aux[LX_AT_RANDOM] >= S.End);
  for (uint64_t P : S.ArgvPtrs)
    BOOST_TEST(P >= S.End);
  for (uint64_t P : S.EnvpPtrs)
    BOOST_TEST(P >= S.End);
}

BOOST_AUTO_TEST_CASE(strings_are_laid_out_as_linux_does) {
  const auto In = sampleInputs();
  const auto Img = loader::buildStack(Top, In);
  StackReader R{Img, Top};
  Startup S = parse(R, Img.Sp);
  BOOST_TEST_REQUIRE(S.ArgvPtrs.size() == In.Argv.size());
  BOOST_TEST_REQUIRE(S.EnvpPtrs.size() == In.Envp.size());

  // argv strings back to back, then the envp strings (what
  // /proc/PID/cmdline and environ read as one block each).
  for (size_t I = 0; I + 1 < In.Argv.size(); ++I)
    BOOST_TEST(S.ArgvPtrs[I + 1] == S.ArgvPtrs[I] + In.Argv[I].size() + 1);
  BOOST_TEST(S.EnvpPtrs[0] == S.ArgvPtrs.back() + In.Argv.back().size() + 1);
  for (size_t I = 0; I + 1 < In.Envp.size(); ++I)
    BOOST_TEST(S.EnvpPtrs[I + 1] == S.EnvpPtrs[I] + In.Envp[I].size() + 1);

  // The exec file name is the highest string, right below 8 zero bytes.
  std::map<uint64_t, uint64_t> Aux(S.Auxv.begin(), S.Auxv.end());
  BOOST_TEST(Aux[LX_AT_EXECFN] + In.ExecFn.size() + 1 == Top - 8);
  BOOST_TEST(R.bytes(Top - 8, 8) == std::vector<uint8_t>(8, 0),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(no_arguments_and_no_environment) {
  loader::StackInputs In;
  In.Platform = "aarch64";
  In.ExecFn = "/x";
  const auto Img = loader::buildStack(Top, In);
  StackReader R{Img, Top};
  BOOST_TEST(Img.Sp % 16 == 0u);
  Startup S = parse(R, Img.Sp);
  BOOST_TEST(S.Argc == 0u);
  BOOST_TEST(S.EnvpPtrs.empty());
  BOOST_TEST(S.Auxv.size() == 4u); // RANDOM, PLATFORM, EXECFN, NULL
  BOOST_TEST(R.bytes(Top - 8, 8) == std::vector<uint8_t>(8, 0),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stack_pointer_is_aligned_for_every_string_length) {
  // The padding must absorb every combination of string and table sizes.
  for (size_t ArgLen = 0; ArgLen < 17; ++ArgLen) {
    for (size_t Envs = 0; Envs < 3; ++Envs) {
      loader::StackInputs In = sampleInputs();
      In.Argv = {std::string(ArgLen, 'a')};
      In.Envp.resize(Envs, "E=1");
      const auto Img = loader::buildStack(Top, In);
      BOOST_TEST_CONTEXT("argv[0] of " << ArgLen << " bytes, " << Envs
                                       << " environment strings") {
        BOOST_TEST(Img.Sp % 16 == 0u);
        BOOST_TEST(Img.Base + Img.Bytes.size() == Top);
        StackReader R{Img, Top};
        Startup S = parse(R, Img.Sp);
        BOOST_TEST_REQUIRE(S.ArgvPtrs.size() == 1u);
        BOOST_TEST(R.string(S.ArgvPtrs[0]) == In.Argv[0]);
        BOOST_TEST(S.EnvpPtrs.size() == Envs);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
