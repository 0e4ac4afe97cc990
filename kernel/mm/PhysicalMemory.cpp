//===- kernel/mm/PhysicalMemory.cpp ---------------------------------------===//
#include "kernel/mm/PhysicalMemory.h"
#include "kernel/mm/FilePages.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <sys/mman.h>

namespace reprise::mm {

llvm::Expected<std::unique_ptr<PhysicalMemory>>
PhysicalMemory::create(uint64_t Bytes) {
  Bytes = pageUp(Bytes);
  if (Bytes / PageSize >= UINT32_MAX)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "guest memory budget too large");
  void *P = ::mmap(nullptr, Bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (P == MAP_FAILED)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot reserve %llu bytes of host address "
                                   "space for guest memory",
                                   (unsigned long long)Bytes);
  std::unique_ptr<PhysicalMemory> M(new PhysicalMemory());
  M->Arena = static_cast<uint8_t *>(P);
  M->Size = Bytes;
  M->Capacity = uint32_t(Bytes / PageSize);
  M->Refs.assign(std::min<uint32_t>(M->Capacity, 1024), 0);
  M->Files = std::make_unique<FilePages>(*M);
  return M;
}

PhysicalMemory::~PhysicalMemory() {
  Files.reset(); // gives its frames back while the tables are whole
  if (Arena)
    ::munmap(Arena, Size);
}

FrameId PhysicalMemory::allocate() {
  FrameId F;
  if (!Free.empty()) {
    F = Free.back();
    Free.pop_back();
    std::memset(host(F), 0, PageSize);
  } else if (NextFresh < Capacity) {
    F = NextFresh++;
    // The table grows with the frames in use, not with the budget: a
    // table for all of a 4 GiB budget would be 4 MiB to zero on every start.
    if (F >= Refs.size())
      Refs.resize(std::min<size_t>(Capacity, std::max<size_t>(1024, Refs.size() * 2)));
  } else {
    return 0;
  }
  Refs[F] = 1;
  ++InUse;
  return F;
}

void PhysicalMemory::unref(FrameId F) {
  assert(F && Refs[F] && "unref of a free frame");
  if (--Refs[F])
    return;
  --InUse;
  Free.push_back(F);
}

} // namespace reprise::mm
