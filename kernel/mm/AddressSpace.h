//===- kernel/mm/AddressSpace.h - A guest address space ---------*- C++ -*-===//
//
// The guest's mappings (VMAs) and page tables are reprise's own: a VMA maps a
// page-aligned range with one protection, and each of its pages points at a
// frame of PhysicalMemory once it has been touched (anonymous memory is
// demand-zero). The engine asks translate() on every TLB miss, so the
// protections hold exactly as on Linux while Unicorn sees a single region.
//
// An AddressSpace owns the engine that runs its tasks (shared by CLONE_VM).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpu/Engine.h"
#include "fs/Vnode.h"
#include "kernel/abi/Result.h"
#include "kernel/mm/PhysicalMemory.h"

#include "llvm/ADT/ArrayRef.h"

#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace reprise::mm {

struct Vma {
  uint64_t Start = 0, End = 0; // page aligned, [Start, End)
  uint32_t Prot = 0;           // PROT_* bits
  uint32_t Flags = 0;          // MAP_SHARED / MAP_PRIVATE / MAP_ANONYMOUS ...
  bool Charged = false;        // counted in the commit charge
  bool DontFork = false, WipeOnFork = false;
  std::string Name;            // "[heap]", "[stack]", a file path, or ""
  std::vector<FrameId> Frames; // one per page, 0 = not populated
  fs::FileRef File;            // MAP_SHARED file mappings: written back to it
  uint64_t FileOffset = 0;     // file mappings: the file offset at Start
  /// File mappings: the mapped file's device and inode, as /proc/PID/maps
  /// shows them (0 for anonymous memory).
  uint64_t Dev = 0, Ino = 0;
  /// File mappings: the file's size when it was mapped. A page that lies
  /// wholly past the end of the file (rounded up to a page) is not backed by
  /// it: touching it is a bus error, as on Linux. Taken once: a file that
  /// grows or shrinks later does not change the mapping.
  std::optional<uint64_t> FileSize;
  uint64_t pages() const { return (End - Start) / PageSize; }
  /// Whether the page holding \p Addr (inside the VMA) lies past the end of
  /// the mapped file.
  bool pastEndOfFile(uint64_t Addr) const {
    return FileSize && FileOffset + (Addr - Start) >= pageUp(*FileSize);
  }
};

/// The commit charge of every address space that draws on one budget (the
/// whole guest's --max-memory).
struct CommitPool {
  uint64_t Used = 0;
  uint64_t Max = 0;
};

/// Limits that make a hostile guest fail with ENOMEM instead of hurting the
/// host.
struct MemoryLimits {
  uint64_t MaxCommit = 4ull << 30; // bytes of charged mappings (see Vma::Charged)
  uint64_t MaxMapCount = 65530;    // Linux's vm.max_map_count
};

class AddressSpace : public cpu::PageTranslator {
public:
  /// A new, empty address space with its own engine. Its commit charge is
  /// drawn from \p Pool (a pool of its own, of Limits.MaxCommit, if null).
  static llvm::Expected<std::shared_ptr<AddressSpace>>
  create(Arch A, PhysicalMemory &Phys, cpu::EventSink &Sink,
         MemoryLimits Limits, uint64_t MmapBase,
         std::shared_ptr<CommitPool> Pool = nullptr);
  /// The child's copy for fork(2): private pages are shared copy-on-write,
  /// MAP_SHARED pages stay shared, MADV_DONTFORK ranges are left out and
  /// MADV_WIPEONFORK ranges read as zero. Fails when the charge does not fit.
  llvm::Expected<std::shared_ptr<AddressSpace>> fork(cpu::EventSink &Sink);
  const std::shared_ptr<CommitPool> &commitPool() const { return Pool; }
  ~AddressSpace() override;

  Arch arch() const { return TheArch; }
  cpu::Engine &engine() { return *Engine; }

  // cpu::PageTranslator.
  bool translate(uint64_t VAddr, cpu::Access A, uint64_t &PAddr,
                 uint8_t &Perms) override;

  /// mmap(2) of anonymous memory or of a file's contents (\p Contents holds
  /// the bytes from the file offset on; pages past it read as zero).
  Result<uint64_t> map(uint64_t Addr, uint64_t Len, uint32_t Prot,
                       uint32_t Flags, llvm::ArrayRef<uint8_t> Contents,
                       std::string Name);
  Result<void> unmap(uint64_t Addr, uint64_t Len);
  Result<void> protect(uint64_t Addr, uint64_t Len, uint32_t Prot);
  Result<uint64_t> remap(uint64_t Old, uint64_t OldLen, uint64_t NewLen,
                         uint32_t Flags, uint64_t NewAddr);
  Result<void> advise(uint64_t Addr, uint64_t Len, int32_t Advice);
  /// Makes the mapping at \p Start a mapping of a file of \p Size bytes at
  /// \p Offset; \p Shared is the file for MAP_SHARED (written back), else
  /// null.
  void setFile(uint64_t Start, fs::FileRef Shared, uint64_t Offset, uint64_t Size);
  /// Names the file the mapping at \p Start came from, for /proc/PID/maps:
  /// its offset at Start and its device and inode. Unlike setFile it makes
  /// no page past the file's end a bus error (an ELF segment's bss).
  void setFileIdentity(uint64_t Start, uint64_t Offset, uint64_t Dev, uint64_t Ino);
  /// Whether \p Addr lies in a page of a file mapping past the end of its
  /// file, where an access is a bus error (SIGBUS, BUS_ADRERR) and a kernel
  /// copy fails with EFAULT.
  bool pastEndOfFile(uint64_t Addr);
  /// Makes the pages of the MAP_SHARED file mapping at \p Start (set up by
  /// setFile and setFileIdentity) the file's shared pages: the frames other
  /// shared mappings of the file already hold, else its own, now shared
  /// (FilePages.h).
  void shareFilePages(uint64_t Start);
  PhysicalMemory &physical() { return Phys; }
  /// Writes the pages of shared file mappings in [Addr, Addr+Len) back to
  /// their files (msync, munmap, teardown), within each file's size.
  void writeBack(uint64_t Addr, uint64_t Len);

  /// brk(2): sets up the heap start once, then moves the break.
  void setBrkStart(uint64_t Start) { BrkStart = BrkCur = Start; }
  uint64_t brk(uint64_t Want);

  /// Kernel access to guest memory; EFAULT where Linux's copy_*_user fails.
  Result<void> copyIn(uint64_t Addr, llvm::MutableArrayRef<uint8_t> Out);
  Result<void> copyOut(uint64_t Addr, llvm::ArrayRef<uint8_t> In);
  /// Whether [Addr, Addr+Len) is mapped for reading (or writing), as
  /// Linux's access_ok plus the VMA checks of a user copy.
  bool accessible(uint64_t Addr, uint64_t Len, bool Write);
  /// Reads a NUL-terminated string of at most \p Max bytes (ENAMETOOLONG past
  /// it, EFAULT on a bad pointer).
  Result<std::string> copyInString(uint64_t Addr, size_t Max);
  /// The physical address behind \p Addr when it lies in a MAP_SHARED
  /// mapping (populating the page), for shared futex keys.
  std::optional<uint64_t> sharedPhysical(uint64_t Addr);
  /// Reads up to \p Len bytes for a report, stopping at the first bad page.
  std::vector<uint8_t> peek(uint64_t Addr, size_t Len);

  const std::map<uint64_t, Vma> &vmas() const { return Vmas; }

  /// The task whose registers are in the engine (the kernel's bookkeeping;
  /// several tasks share an engine under CLONE_VM).
  const void *Loaded = nullptr;
  /// arm64: the vDSO's __kernel_rt_sigreturn, where a handler without
  /// SA_RESTORER returns (0 on x86-64, where such a handler cannot be set
  /// up). Set when the vDSO is mapped; a fork's copy keeps it.
  uint64_t SigTramp = 0;
  /// This address space's own charge (the pool may hold others').
  uint64_t committed() const { return Committed; }

private:
  AddressSpace(Arch A, PhysicalMemory &Phys, MemoryLimits L, uint64_t MmapBase,
               std::shared_ptr<CommitPool> Pool)
      : TheArch(A), Phys(Phys), Limits(L), Pool(std::move(Pool)),
        MmapBase(MmapBase) {}
  bool isCopyOnWrite(const Vma &V, FrameId F) const;
  /// Replaces \p F by a private copy of it; false when memory ran out.
  bool breakCopyOnWrite(FrameId &F);
  /// Whether \p Add more bytes fit the pool once \p Release bytes are freed.
  bool canCharge(uint64_t Add, uint64_t Release) const;
  void addCharge(uint64_t Bytes);
  void uncharge(uint64_t Bytes);

  /// Finds a free range of \p Len bytes, top-down below the mmap base.
  Result<uint64_t> findFree(uint64_t Len, uint64_t Hint);
  bool isFree(uint64_t Start, uint64_t End) const;
  /// Splits the VMA containing \p Addr (if any) so a VMA starts there.
  void splitAt(uint64_t Addr);
  /// Drops the engine's translated code from \p V's pages, while they still
  /// translate (before they go or stop being executable).
  void dropCode(const Vma &V);
  void release(Vma &V);
  Vma *find(uint64_t Addr);
  /// Resolves one page for kernel access; creates demand-zero frames.
  uint8_t *pageFor(uint64_t Addr, bool Write);
  void scanExecutable(const Vma &V, uint64_t Start, uint64_t End);
  static uint64_t charge(const Vma &V);
  /// Merges the VMA after \p It into it when they are identical; true if so.
  bool mergeNext(std::map<uint64_t, Vma>::iterator It);
  /// Merges the VMA at \p It with identical neighbours on both sides.
  void mergeNeighbours(std::map<uint64_t, Vma>::iterator It);

  Arch TheArch;
  PhysicalMemory &Phys;
  MemoryLimits Limits;
  std::shared_ptr<CommitPool> Pool;
  std::unique_ptr<cpu::Engine> Engine;
  std::map<uint64_t, Vma> Vmas; // keyed by Start
  uint64_t MmapBase;
  uint64_t Committed = 0;
  uint64_t BrkStart = 0, BrkCur = 0;
};

} // namespace reprise::mm
