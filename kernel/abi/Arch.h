//===- kernel/abi/Arch.h - Guest architectures ------------------*- C++ -*-===//
#pragma once

#include <cstdint>
#include <string_view>

namespace reprise {

/// The guest instruction sets reprise runs.
enum class Arch : uint8_t { X86_64, Arm64 };

inline std::string_view archName(Arch A) {
  switch (A) {
  case Arch::X86_64:
    return "x86_64";
  case Arch::Arm64:
    return "aarch64";
  }
  return "?";
}

/// Guest pages are 4 KiB on both arches, whatever the engine uses inside.
inline constexpr uint64_t PageSize = 4096;
inline constexpr uint64_t PageMask = PageSize - 1;

inline constexpr uint64_t pageDown(uint64_t V) { return V & ~PageMask; }
inline constexpr uint64_t pageUp(uint64_t V) { return (V + PageMask) & ~PageMask; }

} // namespace reprise
