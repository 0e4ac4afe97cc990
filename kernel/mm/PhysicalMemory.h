//===- kernel/mm/PhysicalMemory.h - Guest page frames -----------*- C++ -*-===//
//
// All guest memory lives in one host arena, reserved once and mapped into
// every engine as its physical space. A frame is a 4 KiB page of it. Frames
// are reference counted so that address spaces can share them (MAP_SHARED,
// and copy-on-write after fork).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Arch.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace reprise::mm {

using FrameId = uint32_t; // 0 means "no frame"
class FilePages;

class PhysicalMemory {
public:
  /// Reserves host address space for \p Bytes of guest memory (rounded to
  /// pages). Nothing is committed until a frame is used.
  static llvm::Expected<std::unique_ptr<PhysicalMemory>> create(uint64_t Bytes);
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory &) = delete;
  PhysicalMemory &operator=(const PhysicalMemory &) = delete;

  void *arena() const { return Arena; }
  uint64_t arenaSize() const { return Size; }

  /// A zero-filled frame with one reference, or 0 when memory is exhausted.
  FrameId allocate();
  void ref(FrameId F) { ++Refs[F]; }
  /// Drops a reference; the frame is free when none remain.
  void unref(FrameId F);
  uint32_t refs(FrameId F) const { return Refs[F]; }

  uint8_t *host(FrameId F) const { return Arena + uint64_t(F) * PageSize; }
  uint64_t physical(FrameId F) const { return uint64_t(F) * PageSize; }

  uint64_t framesInUse() const { return InUse; }

  /// The frames of shared file mappings, by file and page (FilePages.h).
  FilePages &filePages() { return *Files; }

private:
  PhysicalMemory() = default;
  uint8_t *Arena = nullptr;
  uint64_t Size = 0;
  uint32_t Capacity = 0;
  uint32_t NextFresh = 1; // frames never used so far are still zero
  std::vector<FrameId> Free;
  std::vector<uint32_t> Refs;
  uint64_t InUse = 0;
  std::unique_ptr<FilePages> Files;
};

} // namespace reprise::mm
