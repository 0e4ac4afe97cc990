//===- loader/Stack.h - The initial stack of a new program ------*- C++ -*-===//
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace reprise::loader {

struct StackInputs {
  std::vector<std::string> Argv, Envp;
  /// Auxiliary vector entries other than AT_RANDOM, AT_PLATFORM, AT_EXECFN
  /// and AT_NULL, which buildStack adds because they point into the stack.
  std::vector<std::pair<uint64_t, uint64_t>> Auxv;
  std::array<uint8_t, 16> Random{};
  std::string Platform; // "x86_64" / "aarch64"
  std::string ExecFn;
};

struct StackImage {
  uint64_t Sp = 0;            // initial stack pointer (points at argc)
  uint64_t Base = 0;          // lowest address written
  std::vector<uint8_t> Bytes; // contents of [Base, Top)
  /// Where the argument and environment strings lie: [ArgStart, ArgEnd)
  /// and [EnvStart, EnvEnd), as Linux's mm->arg_start and friends.
  uint64_t ArgStart = 0, ArgEnd = 0, EnvStart = 0, EnvEnd = 0;
  /// The auxiliary vector as written, AT_NULL included (/proc/PID/auxv).
  std::vector<uint8_t> Auxv;
};

/// Lays out argc, argv, envp, auxv and the strings they point to below
/// \p Top, as Linux's create_elf_tables does: strings at the top, then the
/// random bytes, then the pointer arrays, with the stack pointer 16-aligned.
StackImage buildStack(uint64_t Top, const StackInputs &In);

} // namespace reprise::loader
