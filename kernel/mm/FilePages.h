//===- kernel/mm/FilePages.h - Frames of shared file mappings ---*- C++ -*-===//
//
// Linux keeps one page cache per file: every MAP_SHARED mapping of a page,
// in any process, is the same memory, and read(2) and write(2) of the file
// see and change that memory at once. reprise has no page cache for reads
// and writes (they go to the file system); it keeps only the pages some
// shared mapping holds, here, by file and page index. A new shared mapping
// of a page takes the frame already here; read(2) of the file is patched
// with the bytes of the pages here and write(2) copies its bytes into them,
// so both agree with every mapping. A page leaves when no mapping holds it
// (after its mappings wrote it back to the file).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/mm/PhysicalMemory.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <map>
#include <utility>

namespace reprise::mm {

/// A file, by the device and inode numbers stat shows for it.
using FileKey = std::pair<uint64_t, uint64_t>;

class FilePages {
public:
  explicit FilePages(PhysicalMemory &Phys) : Phys(Phys) {}
  ~FilePages();
  FilePages(const FilePages &) = delete;
  FilePages &operator=(const FilePages &) = delete;

  /// The frame holding page \p Index of \p File, or 0.
  FrameId find(const FileKey &File, uint64_t Index) const;
  /// Makes \p F the frame of page \p Index of \p File; takes a reference.
  void insert(const FileKey &File, uint64_t Index, FrameId F);
  /// Lets go of pages [First, First + Count) of \p File that no mapping
  /// holds any more.
  void trim(const FileKey &File, uint64_t First, uint64_t Count);

  /// Whether any page of \p File is here (cheap when none of any file is).
  bool holds(const FileKey &File) const {
    return !Files.empty() && Files.count(File);
  }
  /// After write(2) put \p Data at \p Offset of \p File: the pages here get
  /// the same bytes.
  void written(const FileKey &File, uint64_t Offset, llvm::ArrayRef<uint8_t> Data);
  /// After read(2) got \p Buf from \p Offset of \p File: the bytes of pages
  /// here replace what the file system gave (a mapping may have changed
  /// them and not written them back yet).
  void overlay(const FileKey &File, uint64_t Offset,
               llvm::MutableArrayRef<uint8_t> Buf) const;

private:
  /// Calls \p Fn(frame bytes, buffer offset, length) for each piece of
  /// [Offset, Offset + Len) that lies in a page here.
  template <typename Fn>
  void eachPiece(const FileKey &File, uint64_t Offset, size_t Len, Fn F) const;

  PhysicalMemory &Phys;
  std::map<FileKey, std::map<uint64_t, FrameId>> Files;
};

} // namespace reprise::mm
