//===- kernel/mm/FilePages.cpp - Frames of shared file mappings -----------===//
#include "kernel/mm/FilePages.h"

#include <cstring>

namespace reprise::mm {

FilePages::~FilePages() {
  for (auto &[File, Pages] : Files)
    for (auto &[Index, F] : Pages)
      Phys.unref(F);
}

FrameId FilePages::find(const FileKey &File, uint64_t Index) const {
  auto It = Files.find(File);
  if (It == Files.end())
    return 0;
  auto P = It->second.find(Index);
  return P == It->second.end() ? 0 : P->second;
}

void FilePages::insert(const FileKey &File, uint64_t Index, FrameId F) {
  FrameId &Slot = Files[File][Index];
  if (Slot == F)
    return;
  Phys.ref(F);
  if (Slot)
    Phys.unref(Slot);
  Slot = F;
}

void FilePages::trim(const FileKey &File, uint64_t First, uint64_t Count) {
  auto It = Files.find(File);
  if (It == Files.end())
    return;
  auto &Pages = It->second;
  for (auto P = Pages.lower_bound(First); P != Pages.end() && P->first - First < Count;) {
    if (Phys.refs(P->second) == 1) {
      Phys.unref(P->second);
      P = Pages.erase(P);
    } else {
      ++P;
    }
  }
  if (Pages.empty())
    Files.erase(It);
}

template <typename Fn>
void FilePages::eachPiece(const FileKey &File, uint64_t Offset, size_t Len,
                          Fn F) const {
  auto It = Files.find(File);
  if (It == Files.end() || Len == 0 || Offset + Len < Offset)
    return;
  const auto &Pages = It->second;
  uint64_t End = Offset + Len;
  for (auto P = Pages.lower_bound(Offset / PageSize);
       P != Pages.end() && P->first * PageSize < End; ++P) {
    uint64_t PageStart = P->first * PageSize;
    uint64_t S = std::max(PageStart, Offset);
    uint64_t E = std::min(PageStart + PageSize, End);
    F(Phys.host(P->second) + (S - PageStart), size_t(S - Offset), size_t(E - S));
  }
}

void FilePages::written(const FileKey &File, uint64_t Offset,
                        llvm::ArrayRef<uint8_t> Data) {
  eachPiece(File, Offset, Data.size(), [&](uint8_t *Page, size_t At, size_t N) {
    std::memcpy(Page, Data.data() + At, N);
  });
}

void FilePages::overlay(const FileKey &File, uint64_t Offset,
                        llvm::MutableArrayRef<uint8_t> Buf) const {
  eachPiece(File, Offset, Buf.size(), [&](uint8_t *Page, size_t At, size_t N) {
    std::memcpy(Buf.data() + At, Page, N);
  });
}

} // namespace reprise::mm
