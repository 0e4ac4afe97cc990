//===- replay/LargeBuffer.h - Buffers for large chunks -----------*- C++ -*-===//
//
// Part of reprise's trace writer and reader (see replay/FORMAT.md).
//
//===----------------------------------------------------------------------===//
#ifndef REPRISE_REPLAY_LARGEBUFFER_H
#define REPRISE_REPLAY_LARGEBUFFER_H

#include <cstddef>
#include <cstdint>
#include <utility>

namespace reprise::replay {

/// Memory for one large chunk's bytes (a slice of a big blob, such as the
/// guest's executable: raw when recording, stored when replaying), in whole
/// 2 MiB pages that the host may back with transparent huge pages. Filling a
/// fresh buffer of a few hundred KiB from malloc costs a page fault per 4
/// KiB, about 10 us each on the benchmark VM, and that was most of what
/// recording added to a guest's start; one huge page costs about as much as
/// ten small ones. Where the host has no huge pages this is ordinary memory.
class LargeBuffer {
public:
  LargeBuffer() = default;
  /// Room for at least \p Bytes.
  explicit LargeBuffer(size_t Bytes);
  LargeBuffer(LargeBuffer &&O) noexcept { *this = std::move(O); }
  LargeBuffer &operator=(LargeBuffer &&O) noexcept;
  ~LargeBuffer();

  explicit operator bool() const { return Base != nullptr; }
  uint8_t *data() { return Base; }
  size_t capacity() const { return Capacity; }

private:
  uint8_t *Base = nullptr;
  size_t Capacity = 0;
};

} // namespace reprise::replay

#endif
