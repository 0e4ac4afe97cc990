//===- replay/LargeBuffer.cpp ---------------------------------------------===//
#include "replay/LargeBuffer.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <sys/mman.h>
#include <utility>

namespace reprise::replay {

namespace {
/// The unit of LargeBuffer: the size of an x86-64 or arm64 (4 KiB granule)
/// transparent huge page.
constexpr size_t HugePage = 2u << 20;
} // namespace

LargeBuffer::LargeBuffer(size_t Bytes) {
  Capacity = (std::max<size_t>(Bytes, 1) + HugePage - 1) / HugePage * HugePage;
  // Aligned so that every 2 MiB of it can be one huge page.
  void *P = nullptr;
  if (posix_memalign(&P, HugePage, Capacity) != 0)
    throw std::bad_alloc();
  Base = static_cast<uint8_t *>(P);
#ifdef MADV_HUGEPAGE
  (void)madvise(Base, Capacity, MADV_HUGEPAGE); // advice: failure is fine
#endif
}

LargeBuffer &LargeBuffer::operator=(LargeBuffer &&O) noexcept {
  if (this != &O) {
    std::free(Base);
    Base = std::exchange(O.Base, nullptr);
    Capacity = std::exchange(O.Capacity, 0);
  }
  return *this;
}

LargeBuffer::~LargeBuffer() { std::free(Base); }

} // namespace reprise::replay
