//===- kernel/mm/AddressSpace.cpp -----------------------------------------===//
#include "kernel/mm/AddressSpace.h"
#include "kernel/mm/FilePages.h"

#include "kernel/abi/Constants.h"

#include <algorithm>
#include <cstring>

namespace reprise::mm {

using namespace linux_abi;

namespace {

constexpr uint64_t MinAddr = 0x10000; // vm.mmap_min_addr

uint8_t permsOf(uint32_t Prot) {
  // On both arches a writable or executable page is also readable.
  uint8_t P = 0;
  if (Prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC))
    P |= cpu::PermRead;
  if (Prot & LX_PROT_WRITE)
    P |= cpu::PermWrite;
  if (Prot & LX_PROT_EXEC)
    P |= cpu::PermExec;
  return P;
}

uint64_t topOf(Arch A) {
  return A == Arch::X86_64 ? 0x7ffffffff000ull : 0x1000000000000ull;
}

bool mergeable(const Vma &A, const Vma &B) {
  return A.End == B.Start && A.Prot == B.Prot && A.Flags == B.Flags &&
         A.Charged == B.Charged && A.DontFork == B.DontFork && A.WipeOnFork == B.WipeOnFork &&
         A.Name == B.Name && (A.Name.empty() || A.Name == "[heap]");
}

} // namespace

llvm::Expected<std::shared_ptr<AddressSpace>>
AddressSpace::create(Arch A, PhysicalMemory &Phys, cpu::EventSink &Sink,
                     MemoryLimits Limits, uint64_t MmapBase,
                     std::shared_ptr<CommitPool> Pool) {
  if (!Pool)
    Pool = std::make_shared<CommitPool>(CommitPool{0, Limits.MaxCommit});
  std::shared_ptr<AddressSpace> AS(
      new AddressSpace(A, Phys, Limits, MmapBase, std::move(Pool)));
  auto E = cpu::Engine::create(A, Phys.arena(), Phys.arenaSize(), *AS, Sink);
  if (!E)
    return E.takeError();
  AS->Engine = std::move(*E);
  return AS;
}

AddressSpace::~AddressSpace() {
  writeBack(0, ~uint64_t(0));
  for (auto &[Start, V] : Vmas)
    release(V);
}

llvm::Expected<std::shared_ptr<AddressSpace>>
AddressSpace::fork(cpu::EventSink &Sink) {
  uint64_t Charge = 0;
  for (const auto &[Start, V] : Vmas)
    if (!V.DontFork)
      Charge += charge(V);
  if (!canCharge(Charge, 0))
    return llvm::createStringError(std::errc::not_enough_memory,
                                   "commit limit reached");
  auto Child = create(TheArch, Phys, Sink, Limits, MmapBase, Pool);
  if (!Child)
    return Child.takeError();
  AddressSpace &C = **Child;
  C.SigTramp = SigTramp;
  for (const auto &[Start, V] : Vmas) {
    if (V.DontFork)
      continue; // MADV_DONTFORK: absent in the child
    Vma Copy = V;
    bool Shared = (V.Flags & LX_MAP_TYPE) != LX_MAP_PRIVATE;
    for (FrameId &F : Copy.Frames) {
      if (!F && Shared) {
        // A shared page must be one frame for both, touched or not. The
        // parent's entry gets it too, so later touches agree.
        F = Phys.allocate();
        if (!F)
          return llvm::createStringError(std::errc::not_enough_memory,
                                         "out of guest memory");
        Vmas.at(Start).Frames[size_t(&F - Copy.Frames.data())] = F;
      }
      if (!F)
        continue;
      if (V.WipeOnFork && (V.Flags & LX_MAP_TYPE) == LX_MAP_PRIVATE)
        F = 0; // MADV_WIPEONFORK: the child sees zero-filled pages
      else
        Phys.ref(F); // shared, or private and copied on the first write
    }
    C.addCharge(charge(Copy));
    C.Vmas.emplace(Start, std::move(Copy));
  }
  // Pages the parent could write must now fault once to copy their frame.
  Engine->flushTlb();
  C.Engine->copyTimeReadsFrom(*Engine);
  C.BrkStart = BrkStart;
  C.BrkCur = BrkCur;
  return Child;
}

Vma *AddressSpace::find(uint64_t Addr) {
  auto It = Vmas.upper_bound(Addr);
  if (It == Vmas.begin())
    return nullptr;
  --It;
  return Addr < It->second.End ? &It->second : nullptr;
}

bool AddressSpace::translate(uint64_t VAddr, cpu::Access A, uint64_t &PAddr,
                             uint8_t &Perms) {
  Vma *V = find(VAddr);
  if (!V)
    return false;
  Perms = permsOf(V->Prot);
  uint8_t Need = A == cpu::Access::Write     ? cpu::PermWrite
                 : A == cpu::Access::Execute ? cpu::PermExec
                                             : cpu::PermRead;
  if (!(Perms & Need)) {
    PAddr = 0;
    return true; // mapped, but not for this access: a protection fault
  }
  if (V->pastEndOfFile(VAddr))
    return false; // no page there: the kernel makes it a bus error
  FrameId &F = V->Frames[(pageDown(VAddr) - V->Start) / PageSize];
  if (!F && !(F = Phys.allocate()))
    return false; // unreachable while commit accounting holds
  if (isCopyOnWrite(*V, F)) {
    if (A == cpu::Access::Write) {
      if (!breakCopyOnWrite(F))
        return false;
      // The fill that follows replaces only the entry of the piece being
      // written. Where an entry covers less than a page (1 KiB on arm64),
      // the entries of the page's other pieces still read the old frame,
      // which is now the other process's: they must go.
      if (Engine->tlbPageSize() < PageSize)
        Engine->flushTlb();
    } else {
      // Read or run the shared frame; a write comes back here to copy it.
      Perms &= uint8_t(~cpu::PermWrite);
    }
  }
  PAddr = Phys.physical(F) + (VAddr & PageMask);
  return true;
}

bool AddressSpace::isCopyOnWrite(const Vma &V, FrameId F) const {
  return (V.Flags & LX_MAP_TYPE) == LX_MAP_PRIVATE && Phys.refs(F) > 1;
}

bool AddressSpace::breakCopyOnWrite(FrameId &F) {
  FrameId Copy = Phys.allocate();
  if (!Copy)
    return false;
  std::memcpy(Phys.host(Copy), Phys.host(F), PageSize);
  Phys.unref(F);
  F = Copy;
  return true;
}

bool AddressSpace::canCharge(uint64_t Add, uint64_t Release) const {
  uint64_t Used = Pool->Used - std::min(Pool->Used, Release);
  return Used + Add <= Pool->Max;
}

void AddressSpace::addCharge(uint64_t Bytes) {
  Committed += Bytes;
  Pool->Used += Bytes;
}

void AddressSpace::uncharge(uint64_t Bytes) {
  Committed -= Bytes;
  Pool->Used -= Bytes;
}

uint64_t AddressSpace::charge(const Vma &V) {
  return V.Charged ? V.End - V.Start : 0;
}

bool AddressSpace::mergeNext(std::map<uint64_t, Vma>::iterator It) {
  auto Next = std::next(It);
  if (Next == Vmas.end() || !mergeable(It->second, Next->second))
    return false;
  It->second.Frames.insert(It->second.Frames.end(), Next->second.Frames.begin(),
                           Next->second.Frames.end());
  It->second.End = Next->second.End;
  Vmas.erase(Next);
  return true;
}

void AddressSpace::mergeNeighbours(std::map<uint64_t, Vma>::iterator It) {
  mergeNext(It);
  if (It != Vmas.begin())
    mergeNext(std::prev(It));
}

bool AddressSpace::isFree(uint64_t Start, uint64_t End) const {
  if (Start < MinAddr || End > topOf(TheArch) || Start >= End)
    return false;
  auto It = Vmas.lower_bound(Start);
  if (It != Vmas.end() && It->second.Start < End)
    return false;
  if (It != Vmas.begin() && std::prev(It)->second.End > Start)
    return false;
  return true;
}

Result<uint64_t> AddressSpace::findFree(uint64_t Len, uint64_t Hint) {
  if (Hint && isFree(Hint, Hint + Len))
    return Hint;
  uint64_t Top = MmapBase;
  auto It = Vmas.lower_bound(Top);
  while (true) {
    if (It == Vmas.begin())
      break;
    --It;
    const Vma &V = It->second;
    if (V.End <= Top && Top - V.End >= Len)
      return Top - Len;
    Top = std::min(Top, V.Start);
  }
  if (Top >= MinAddr + Len)
    return Top - Len;
  return Errno::LX_ENOMEM;
}

void AddressSpace::dropCode(const Vma &V) {
  // The engine finds translated code by the physical page behind an
  // address, and translates only the first address of a range it is given:
  // with frames scattered in physical memory, each page must go on its own.
  // A page never populated has no code; one past the end of the file has no
  // page to find (asking would fault).
  for (size_t I = 0; I < V.Frames.size(); ++I) {
    uint64_t Page = V.Start + I * PageSize;
    if (V.Frames[I] && !V.pastEndOfFile(Page))
      Engine->invalidateCode(Page, PageSize);
  }
}

void AddressSpace::splitAt(uint64_t Addr) {
  Vma *V = find(Addr);
  if (!V || V->Start == Addr)
    return;
  Vma Tail = *V;
  size_t Cut = (Addr - V->Start) / PageSize;
  Tail.Start = Addr;
  Tail.FileOffset += Addr - V->Start;
  Tail.Frames.assign(V->Frames.begin() + long(Cut), V->Frames.end());
  V->Frames.resize(Cut);
  V->End = Addr;
  Vmas.emplace(Addr, std::move(Tail));
}

/// The file whose shared pages \p V maps, if it is a MAP_SHARED mapping of
/// a regular file.
static std::optional<FileKey> sharedFileOf(const Vma &V) {
  if ((V.Flags & LX_MAP_TYPE) == LX_MAP_PRIVATE || (V.Flags & LX_MAP_ANONYMOUS) ||
      !V.FileSize || (!V.Dev && !V.Ino))
    return std::nullopt;
  return FileKey{V.Dev, V.Ino};
}

void AddressSpace::release(Vma &V) {
  for (FrameId F : V.Frames)
    if (F)
      Phys.unref(F);
  if (auto Key = sharedFileOf(V))
    Phys.filePages().trim(*Key, V.FileOffset / PageSize, V.pages());
  V.Frames.clear();
  uncharge(charge(V));
}

void AddressSpace::scanExecutable(const Vma &V, uint64_t Start, uint64_t End) {
  for (uint64_t P = Start; P < End; P += PageSize) {
    FrameId F = V.Frames[(P - V.Start) / PageSize];
    if (F)
      Engine->watchTimeReads(P, {Phys.host(F), size_t(PageSize)});
  }
}

Result<uint64_t> AddressSpace::map(uint64_t Addr, uint64_t Len, uint32_t Prot,
                                   uint32_t Flags,
                                   llvm::ArrayRef<uint8_t> Contents,
                                   std::string Name) {
  if (Len == 0)
    return Errno::LX_EINVAL;
  uint64_t Size = pageUp(Len);
  if (Size < Len || Size > topOf(TheArch))
    return Errno::LX_ENOMEM;
  uint32_t Type = Flags & LX_MAP_TYPE;
  if (Type != LX_MAP_SHARED && Type != LX_MAP_PRIVATE && Type != LX_MAP_SHARED_VALIDATE)
    return Errno::LX_EINVAL;
  if (Prot & ~(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC | LX_PROT_GROWSDOWN |
               LX_PROT_GROWSUP))
    return Errno::LX_EINVAL;
  Prot &= LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC;
  bool Fixed = Flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE);
  uint64_t Start;
  if (Fixed) {
    if (Addr & PageMask)
      return Errno::LX_EINVAL;
    if (Addr > topOf(TheArch) - Size)
      return Errno::LX_ENOMEM;
    if (Addr < MinAddr)
      return Errno::LX_EPERM;
    // MAP_FIXED_NOREPLACE refuses to clobber even when MAP_FIXED is set too.
    if ((Flags & LX_MAP_FIXED_NOREPLACE) && !isFree(Addr, Addr + Size))
      return Errno::LX_EEXIST;
    Start = Addr;
  } else {
    Start = REPRISE_TRY(findFree(Size, pageDown(Addr)));
  }
  uint64_t End = Start + Size;

  // Commit and map-count checks before anything changes.
  uint64_t Released = 0; // charge of what a fixed map replaces
  auto It0 = Vmas.upper_bound(Start);
  if (It0 != Vmas.begin())
    --It0;
  for (; It0 != Vmas.end() && It0->first < End; ++It0) {
    const Vma &O = It0->second;
    if (O.End > Start && O.Charged)
      Released += std::min(O.End, End) - std::max(O.Start, Start);
  }
  // Accessible mappings are charged, and so is a mapping that starts with
  // file contents (its frames exist whatever the protection).
  bool Charged = Prot != LX_PROT_NONE || !Contents.empty();
  uint64_t Charge = Charged ? Size : 0;
  if (!canCharge(Charge, Released))
    return Errno::LX_ENOMEM;
  if (Vmas.size() + 3 > Limits.MaxMapCount)
    return Errno::LX_ENOMEM;

  if (Fixed && !isFree(Start, End))
    REPRISE_TRY(unmap(Start, Size));

  Vma V;
  V.Start = Start;
  V.End = End;
  V.Prot = Prot;
  V.Charged = Charged;
  V.Flags = Flags & (LX_MAP_TYPE | LX_MAP_ANONYMOUS | LX_MAP_GROWSDOWN | LX_MAP_STACK);
  V.Name = std::move(Name);
  V.Frames.assign(Size / PageSize, 0);
  for (size_t I = 0; I * PageSize < Contents.size(); ++I) {
    FrameId F = Phys.allocate();
    if (!F) {
      for (FrameId G : V.Frames)
        if (G)
          Phys.unref(G);
      return Errno::LX_ENOMEM;
    }
    size_t N = std::min<size_t>(PageSize, Contents.size() - I * PageSize);
    std::memcpy(Phys.host(F), Contents.data() + I * PageSize, N);
    V.Frames[I] = F;
  }
  addCharge(charge(V));
  auto [It, Inserted] = Vmas.emplace(Start, std::move(V));
  (void)Inserted;
  if (Prot & LX_PROT_EXEC)
    scanExecutable(It->second, Start, End);
  // Merge with identical anonymous neighbours on either side, so that a heap
  // grown by brk or many adjacent anonymous maps stay one VMA.
  mergeNeighbours(It);
  return Start;
}

Result<void> AddressSpace::unmap(uint64_t Addr, uint64_t Len) {
  if ((Addr & PageMask) || Len == 0)
    return Errno::LX_EINVAL;
  uint64_t Size = pageUp(Len);
  if (Size < Len || Addr > topOf(TheArch) || Size > topOf(TheArch) - Addr)
    return Errno::LX_EINVAL;
  uint64_t End = Addr + Size;
  writeBack(Addr, Size);
  splitAt(Addr);
  splitAt(End);
  bool Changed = false;
  for (auto It = Vmas.lower_bound(Addr); It != Vmas.end() && It->first < End;) {
    Vma &V = It->second;
    if (V.Prot & LX_PROT_EXEC) {
      // Drop translated code while the pages still translate.
      Engine->forgetTimeReads(V.Start, V.End - V.Start);
      dropCode(V);
    }
    release(V);
    It = Vmas.erase(It);
    Changed = true;
  }
  if (Changed)
    Engine->flushTlb();
  return {};
}

Result<void> AddressSpace::protect(uint64_t Addr, uint64_t Len, uint32_t Prot) {
  if (Addr & PageMask)
    return Errno::LX_EINVAL;
  if (Prot & ~(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC | LX_PROT_GROWSDOWN |
               LX_PROT_GROWSUP))
    return Errno::LX_EINVAL;
  Prot &= LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC;
  if (Len == 0)
    return {};
  uint64_t Size = pageUp(Len);
  if (Size < Len || Addr > topOf(TheArch) || Size > topOf(TheArch) - Addr)
    return Errno::LX_ENOMEM;
  uint64_t End = Addr + Size;
  // The whole range must be mapped.
  uint64_t Cur = Addr;
  // A range made accessible is charged from then on; like Linux, the charge
  // stays when it is made PROT_NONE again (its frames are still held), and
  // goes only with the mapping.
  uint64_t Delta = 0;
  while (Cur < End) {
    Vma *V = find(Cur);
    if (!V)
      return Errno::LX_ENOMEM;
    uint64_t Piece = std::min(V->End, End) - Cur;
    if (Prot != LX_PROT_NONE && !V->Charged)
      Delta += Piece;
    Cur = V->End;
  }
  if (Delta && !canCharge(Delta, 0))
    return Errno::LX_ENOMEM;
  if (Vmas.size() + 2 > Limits.MaxMapCount)
    return Errno::LX_ENOMEM;
  splitAt(Addr);
  splitAt(End);
  for (auto It = Vmas.lower_bound(Addr); It != Vmas.end() && It->first < End;
       ++It) {
    Vma &V = It->second;
    bool WasExec = V.Prot & LX_PROT_EXEC, IsExec = Prot & LX_PROT_EXEC;
    if (WasExec && !IsExec) {
      Engine->forgetTimeReads(V.Start, V.End - V.Start);
      dropCode(V);
    }
    if (Prot != LX_PROT_NONE && !V.Charged) {
      V.Charged = true;
      addCharge(V.End - V.Start);
    }
    V.Prot = Prot;
    if (IsExec && !WasExec)
      scanExecutable(V, V.Start, V.End);
  }
  // Re-merge around and inside the range.
  auto It = Vmas.lower_bound(Addr);
  if (It != Vmas.begin())
    --It;
  while (It != Vmas.end() && It->first <= End)
    if (!mergeNext(It))
      ++It;
  Engine->flushTlb();
  return {};
}

Result<uint64_t> AddressSpace::remap(uint64_t Old, uint64_t OldLen,
                                     uint64_t NewLen, uint32_t Flags,
                                     uint64_t NewAddr) {
  if (Old & PageMask)
    return Errno::LX_EINVAL;
  if (Flags & ~(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP))
    return Errno::LX_EINVAL;
  if ((Flags & LX_MREMAP_FIXED) && !(Flags & LX_MREMAP_MAYMOVE))
    return Errno::LX_EINVAL;
  if (Flags & LX_MREMAP_DONTUNMAP)
    return Errno::LX_EINVAL; // not offered yet
  if (NewLen == 0)
    return Errno::LX_EINVAL;
  uint64_t OldSize = pageUp(OldLen), NewSize = pageUp(NewLen);
  if (NewSize < NewLen || NewSize > topOf(TheArch))
    return Errno::LX_ENOMEM;
  Vma *V = find(Old);
  if (!V)
    return Errno::LX_EFAULT;
  if (OldSize == 0)
    return Errno::LX_EINVAL; // duplicating shared mappings is not offered
  if (Old + OldSize > V->End)
    return Errno::LX_EFAULT; // must lie within one mapping
  if (Flags & LX_MREMAP_FIXED) {
    if ((NewAddr & PageMask) || NewAddr < MinAddr ||
        NewAddr > topOf(TheArch) - NewSize)
      return Errno::LX_EINVAL;
    if (NewAddr < Old + OldSize && Old < NewAddr + NewSize)
      return Errno::LX_EINVAL;
  }
  if (!(Flags & LX_MREMAP_FIXED)) {
    if (NewSize <= OldSize) {
      if (NewSize < OldSize)
        REPRISE_TRY(unmap(Old + NewSize, OldSize - NewSize));
      return Old;
    }
    // Grow in place when the pages after it are free.
    if (Old + OldSize == V->End && isFree(V->End, Old + NewSize)) {
      uint64_t Extra = NewSize - OldSize;
      if (charge(*V) && !canCharge(Extra, 0))
        return Errno::LX_ENOMEM;
      V->End += Extra;
      V->Frames.resize(V->pages(), 0);
      addCharge(charge(*V) ? Extra : 0);
      return Old;
    }
    if (!(Flags & LX_MREMAP_MAYMOVE))
      return Errno::LX_ENOMEM;
  }
  // Move: take the frames of the old range into a new mapping.
  uint64_t Dest;
  if (Flags & LX_MREMAP_FIXED) {
    REPRISE_TRY(unmap(NewAddr, NewSize));
    V = find(Old); // the unmap may have split the map
    if (!V)
      return Errno::LX_EFAULT;
    Dest = NewAddr;
  } else {
    Dest = REPRISE_TRY(findFree(NewSize, 0));
  }
  splitAt(Old);
  splitAt(Old + OldSize);
  V = find(Old);
  uint64_t Extra = NewSize > OldSize ? NewSize - OldSize : 0;
  if (charge(*V) && !canCharge(Extra, 0))
    return Errno::LX_ENOMEM;
  Vma Moved = std::move(*V);
  bool WasExec = Moved.Prot & LX_PROT_EXEC;
  if (WasExec) {
    Engine->forgetTimeReads(Moved.Start, Moved.End - Moved.Start);
    dropCode(Moved);
  }
  Vmas.erase(Old);
  uint64_t OldCharge = charge(Moved);
  // The signal trampoline moves with the vDSO, as Linux's vdso_mremap
  // moves mm->context.vdso.
  if (SigTramp >= Moved.Start && SigTramp < Moved.End)
    SigTramp = SigTramp - Moved.Start + Dest;
  Moved.Start = Dest;
  Moved.End = Dest + NewSize;
  if (NewSize < OldSize) {
    for (size_t I = NewSize / PageSize; I < Moved.Frames.size(); ++I)
      if (Moved.Frames[I])
        Phys.unref(Moved.Frames[I]);
  }
  Moved.Frames.resize(NewSize / PageSize, 0);
  uncharge(OldCharge);
  addCharge(charge(Moved));
  auto [It, Ok] = Vmas.emplace(Dest, std::move(Moved));
  (void)Ok;
  if (WasExec)
    scanExecutable(It->second, It->second.Start, It->second.End);
  Engine->flushTlb();
  return Dest;
}

Result<void> AddressSpace::advise(uint64_t Addr, uint64_t Len, int32_t Advice) {
  if (Addr & PageMask)
    return Errno::LX_EINVAL;
  switch (Advice) {
  case LX_MADV_NORMAL: case LX_MADV_RANDOM: case LX_MADV_SEQUENTIAL: case LX_MADV_WILLNEED:
  case LX_MADV_DONTNEED: case LX_MADV_FREE: case LX_MADV_REMOVE: case LX_MADV_DONTFORK:
  case LX_MADV_DOFORK: case LX_MADV_MERGEABLE: case LX_MADV_UNMERGEABLE:
  case LX_MADV_HUGEPAGE: case LX_MADV_NOHUGEPAGE: case LX_MADV_DONTDUMP:
  case LX_MADV_DODUMP: case LX_MADV_WIPEONFORK: case LX_MADV_KEEPONFORK: case LX_MADV_COLD:
  case LX_MADV_PAGEOUT:
    break;
  default:
    return Errno::LX_EINVAL;
  }
  if (Len == 0)
    return {};
  uint64_t Size = pageUp(Len);
  if (Size < Len || Addr > topOf(TheArch) || Size > topOf(TheArch) - Addr)
    return Errno::LX_EINVAL;
  uint64_t End = Addr + Size;
  bool Hole = false;
  for (uint64_t Cur = Addr; Cur < End;) {
    Vma *V = find(Cur);
    if (!V) {
      auto It = Vmas.upper_bound(Cur);
      if (It == Vmas.end() || It->first >= End) {
        Hole = true;
        break;
      }
      Hole = true;
      Cur = It->first;
      continue;
    }
    Cur = V->End;
  }
  bool ChangesVmas = Advice == LX_MADV_DONTFORK || Advice == LX_MADV_DOFORK ||
                     Advice == LX_MADV_WIPEONFORK || Advice == LX_MADV_KEEPONFORK;
  if (ChangesVmas) {
    splitAt(Addr);
    splitAt(End);
  }
  bool Dropped = false;
  for (auto It = Vmas.lower_bound(pageDown(Addr)); It != Vmas.end() &&
                                                    It->first < End;
       ++It) {
    Vma &V = It->second;
    if (V.End <= Addr)
      continue;
    switch (Advice) {
    case LX_MADV_DONTFORK: V.DontFork = true; break;
    case LX_MADV_DOFORK: V.DontFork = false; break;
    case LX_MADV_WIPEONFORK: V.WipeOnFork = true; break;
    case LX_MADV_KEEPONFORK: V.WipeOnFork = false; break;
    case LX_MADV_DONTNEED:
    case LX_MADV_FREE:
    case LX_MADV_REMOVE: {
      // Private pages read as zero afterwards (for a private file mapping
      // Linux would show the file again; reprise shows zeros).
      if ((V.Flags & LX_MAP_TYPE) != LX_MAP_PRIVATE)
        break;
      uint64_t S = std::max(V.Start, Addr), E = std::min(V.End, End);
      for (uint64_t P = S; P < E; P += PageSize) {
        FrameId &F = V.Frames[(P - V.Start) / PageSize];
        if (F) {
          Phys.unref(F);
          F = 0;
          Dropped = true;
        }
      }
      break;
    }
    default:
      break;
    }
  }
  if (Dropped)
    Engine->flushTlb();
  if (Hole)
    return Errno::LX_ENOMEM;
  return {};
}

void AddressSpace::setFile(uint64_t Start, fs::FileRef Shared, uint64_t Offset,
                           uint64_t Size) {
  if (Vma *V = find(Start)) {
    V->File = std::move(Shared);
    V->FileOffset = Offset;
    V->FileSize = Size;
  }
}

void AddressSpace::shareFilePages(uint64_t Start) {
  Vma *V = find(Start);
  std::optional<FileKey> Key;
  if (!V || !(Key = sharedFileOf(*V)))
    return;
  FilePages &Pages = Phys.filePages();
  uint64_t First = V->FileOffset / PageSize;
  for (size_t I = 0; I < V->Frames.size(); ++I) {
    if (V->pastEndOfFile(V->Start + I * PageSize))
      break; // no page of the file there
    FrameId &F = V->Frames[I];
    if (FrameId Known = Pages.find(*Key, First + I)) {
      Phys.ref(Known);
      if (F)
        Phys.unref(F);
      F = Known;
    } else if (F || (F = Phys.allocate())) {
      Pages.insert(*Key, First + I, F);
    }
  }
}

bool AddressSpace::pastEndOfFile(uint64_t Addr) {
  Vma *V = find(Addr);
  return V && V->pastEndOfFile(Addr);
}

void AddressSpace::writeBack(uint64_t Addr, uint64_t Len) {
  uint64_t End = Addr + Len < Addr ? ~uint64_t(0) : Addr + Len;
  auto It = Vmas.upper_bound(Addr);
  if (It != Vmas.begin())
    --It;
  for (; It != Vmas.end() && It->first < End; ++It) {
    Vma &V = It->second;
    if (!V.File || V.End <= Addr)
      continue;
    auto St = V.File->stat();
    if (!St)
      continue;
    uint64_t FileSize = uint64_t(St->Size);
    for (uint64_t P = std::max(V.Start, pageDown(Addr)); P < std::min(V.End, End);
         P += PageSize) {
      FrameId F = V.Frames[(P - V.Start) / PageSize];
      int64_t Off = int64_t(V.FileOffset + (P - V.Start));
      if (!F || uint64_t(Off) >= FileSize)
        continue;
      size_t N = size_t(std::min<uint64_t>(PageSize, FileSize - uint64_t(Off)));
      (void)V.File->write({Phys.host(F), N}, &Off);
    }
  }
}

void AddressSpace::setFileIdentity(uint64_t Start, uint64_t Offset, uint64_t Dev,
                                   uint64_t Ino) {
  if (Vma *V = find(Start)) {
    V->FileOffset = Offset;
    V->Dev = Dev;
    V->Ino = Ino;
  }
}

uint64_t AddressSpace::brk(uint64_t Want) {
  if (Want < BrkStart)
    return BrkCur;
  uint64_t OldEnd = pageUp(BrkCur), NewEnd = pageUp(Want);
  if (NewEnd > OldEnd) {
    if (!isFree(OldEnd, NewEnd))
      return BrkCur;
    auto R = map(OldEnd, NewEnd - OldEnd, LX_PROT_READ | LX_PROT_WRITE,
                 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, {}, "[heap]");
    if (!R)
      return BrkCur;
  } else if (NewEnd < OldEnd) {
    if (unmap(NewEnd, OldEnd - NewEnd).ok() == false)
      return BrkCur;
  }
  BrkCur = Want;
  return BrkCur;
}

uint8_t *AddressSpace::pageFor(uint64_t Addr, bool Write) {
  Vma *V = find(Addr);
  if (!V)
    return nullptr;
  uint8_t P = permsOf(V->Prot);
  if (!(P & (Write ? cpu::PermWrite : cpu::PermRead)) || V->pastEndOfFile(Addr))
    return nullptr;
  FrameId &F = V->Frames[(pageDown(Addr) - V->Start) / PageSize];
  if (!F && !(F = Phys.allocate()))
    return nullptr;
  if (Write && isCopyOnWrite(*V, F)) {
    if (!breakCopyOnWrite(F))
      return nullptr;
    // The engine may hold a translation to the shared frame from a read:
    // without a flush the guest would go on reading the old copy.
    Engine->flushTlb();
  }
  return Phys.host(F) + (Addr & PageMask);
}

std::optional<uint64_t> AddressSpace::sharedPhysical(uint64_t Addr) {
  Vma *V = find(Addr);
  if (!V || (V->Flags & LX_MAP_TYPE) == LX_MAP_PRIVATE || V->pastEndOfFile(Addr))
    return std::nullopt;
  FrameId &F = V->Frames[(pageDown(Addr) - V->Start) / PageSize];
  if (!F && !(F = Phys.allocate()))
    return std::nullopt;
  return Phys.physical(F) + (Addr & PageMask);
}

Result<void> AddressSpace::copyIn(uint64_t Addr,
                                  llvm::MutableArrayRef<uint8_t> Out) {
  size_t Done = 0;
  while (Done < Out.size()) {
    uint64_t A = Addr + Done;
    if (A < Addr)
      return Errno::LX_EFAULT;
    uint8_t *P = pageFor(A, false);
    if (!P)
      return Errno::LX_EFAULT;
    size_t N = std::min<size_t>(Out.size() - Done, PageSize - (A & PageMask));
    std::memcpy(Out.data() + Done, P, N);
    Done += N;
  }
  return {};
}

Result<void> AddressSpace::copyOut(uint64_t Addr, llvm::ArrayRef<uint8_t> In) {
  size_t Done = 0;
  while (Done < In.size()) {
    uint64_t A = Addr + Done;
    if (A < Addr)
      return Errno::LX_EFAULT;
    uint8_t *P = pageFor(A, true);
    if (!P)
      return Errno::LX_EFAULT;
    size_t N = std::min<size_t>(In.size() - Done, PageSize - (A & PageMask));
    std::memcpy(P, In.data() + Done, N);
    Vma *V = find(A);
    if (V && (V->Prot & LX_PROT_EXEC))
      Engine->invalidateCode(A, N);
    Done += N;
  }
  return {};
}

bool AddressSpace::accessible(uint64_t Addr, uint64_t Len, bool Write) {
  if (Len == 0)
    return true;
  if (Addr + Len < Addr)
    return false;
  uint8_t Need = Write ? cpu::PermWrite : cpu::PermRead;
  for (uint64_t Cur = Addr; Cur < Addr + Len;) {
    Vma *V = find(Cur);
    if (!V || !(permsOf(V->Prot) & Need))
      return false;
    Cur = V->End;
  }
  return true;
}

Result<std::string> AddressSpace::copyInString(uint64_t Addr, size_t Max) {
  std::string S;
  while (true) {
    uint64_t A = Addr + S.size();
    if (A < Addr)
      return Errno::LX_EFAULT;
    uint8_t *P = pageFor(A, false);
    if (!P)
      return Errno::LX_EFAULT;
    size_t Avail = PageSize - (A & PageMask);
    const void *Nul = std::memchr(P, 0, Avail);
    size_t N = Nul ? size_t(static_cast<const uint8_t *>(Nul) - P) : Avail;
    if (S.size() + N >= Max)
      return Errno::LX_ENAMETOOLONG;
    S.append(reinterpret_cast<const char *>(P), N);
    if (Nul)
      return S;
  }
}

std::vector<uint8_t> AddressSpace::peek(uint64_t Addr, size_t Len) {
  std::vector<uint8_t> Out;
  for (size_t I = 0; I < Len; ++I) {
    Vma *V = find(Addr + I);
    if (!V)
      break;
    FrameId F = V->Frames[(pageDown(Addr + I) - V->Start) / PageSize];
    Out.push_back(F ? Phys.host(F)[(Addr + I) & PageMask] : 0);
  }
  return Out;
}

} // namespace reprise::mm
