//===- loader/Elf.h - ELF executables into load plans -----------*- C++ -*-===//
//
// The loader reads an executable and says what to map where; the kernel
// applies the plan to a fresh address space. Nothing here touches guest
// memory, so every check on a hostile file happens before anything is mapped.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Arch.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace reprise::loader {

struct Segment {
  uint64_t VAddr = 0;   // page-unaligned start, load bias already added
  uint64_t MemSize = 0;
  uint64_t FileOffset = 0;
  uint64_t FileSize = 0;
  uint32_t Prot = 0;    // PROT_READ | PROT_WRITE | PROT_EXEC
};

struct LoadPlan {
  Arch TheArch = Arch::X86_64;
  bool Pie = false;
  uint64_t LoadBias = 0;
  std::vector<Segment> Segments;
  uint64_t Entry = 0;
  uint64_t PhdrAddr = 0;
  uint16_t PhNum = 0, PhEnt = 0;
  uint64_t End = 0; // end of the highest segment: where brk starts
  std::string Interpreter;
  bool ExecStack = false;

  /// Moves every address of the plan by \p Delta (an interpreter placed
  /// where there is room).
  void shift(uint64_t Delta) {
    LoadBias += Delta;
    for (Segment &S : Segments)
      S.VAddr += Delta;
    Entry += Delta;
    PhdrAddr += Delta;
    End += Delta;
  }
};

/// Where a position-independent executable is placed (no randomization: the
/// address is part of the deterministic run).
uint64_t pieBase(Arch A);
/// One past the highest user address of \p A's address space.
uint64_t userTop(Arch A);

/// Checks \p Image and plans its load. Errors are one line each, naming the
/// problem ("not an ELF file", "truncated ELF file", ...).
llvm::Expected<LoadPlan> planLoad(llvm::ArrayRef<uint8_t> Image);

/// The ELF machine of \p Image, if it is an ELF file of a supported arch.
llvm::Expected<Arch> elfArch(llvm::ArrayRef<uint8_t> Image);

} // namespace reprise::loader
