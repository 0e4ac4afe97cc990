//===- kernel/syscalls/Memory.cpp - brk, mmap and friends -----------------===//
#include "kernel/Kernel.h"

namespace reprise {

using namespace linux_abi;

// Implements brk(2).
SysResult sysBrk(Task &T, const SyscallArgs &A) {
  return int64_t(T.mm().brk(A.arg(0)));
}

// Implements mmap(2). File mappings copy the file's bytes in; MAP_SHARED ones
// share their pages with every other shared mapping of the file and with its
// read(2) and write(2) (mm/FilePages.h), and are written back to the file at
// msync, munmap and exit. Pages wholly past the end of
// the file are a bus error to touch, as on Linux; the size is the file's at
// the time of the call.
SysResult sysMmap(Task &T, const SyscallArgs &A) {
  uint64_t Addr = A.arg(0), Len = A.arg(1), Off = A.arg(5);
  uint32_t Prot = A.u32(2), Flags = A.u32(3);
  if (Off & PageMask)
    return Errno::LX_EINVAL;
  if (Flags & LX_MAP_HUGETLB)
    return Errno::LX_EINVAL;
  std::vector<uint8_t> Contents;
  std::string Name;
  fs::FileRef SharedFile;
  std::optional<uint64_t> FileSize; // a regular file's, when it is mapped
  uint64_t Dev = 0, Ino = 0;        // its identity, for /proc/PID/maps
  if (!(Flags & LX_MAP_ANONYMOUS)) {
    auto F = REPRISE_TRY(T.fds().get(A.fd(4)));
    uint32_t Type = F->node()->fileType();
    bool Shared = (Flags & LX_MAP_TYPE) != LX_MAP_PRIVATE;
    if (!F->readable())
      return Errno::LX_EACCES;
    if (Shared && (Prot & LX_PROT_WRITE) && !F->writable())
      return Errno::LX_EACCES;
    if (Type == LX_S_IFCHR) {
      // /dev/zero maps anonymous memory; other devices cannot be mapped.
      auto St = REPRISE_TRY(F->stat());
      if (St.Rdev != ((1 << 8) | 5))
        return Errno::LX_ENODEV;
    } else if (Type != LX_S_IFREG) {
      return Errno::LX_ENODEV;
    } else {
      if (Len == 0 || Len > (uint64_t(1) << 40))
        return Len == 0 ? Errno::LX_EINVAL : Errno::LX_ENOMEM;
      auto St = REPRISE_TRY(F->stat());
      FileSize = uint64_t(std::max<int64_t>(St.Size, 0));
      Dev = St.Dev;
      Ino = St.Ino;
      if (int64_t(Off) < St.Size) {
        uint64_t N = std::min<uint64_t>(Len, uint64_t(St.Size) - Off);
        Contents.resize(N);
        size_t Done = 0;
        while (Done < N) {
          int64_t At = int64_t(Off + Done);
          auto R = F->read({Contents.data() + Done, N - Done}, &At);
          if (!R)
            return R.error();
          if (*R == 0)
            break;
          Done += *R;
        }
        Contents.resize(Done);
      }
      Name = F->Path;
      if (Shared)
        SharedFile = F;
    }
  }
  uint64_t At = REPRISE_TRY(
      T.mm().map(Addr, Len, Prot, Flags, Contents, std::move(Name)));
  if (FileSize) {
    bool Shared = SharedFile != nullptr;
    T.mm().setFile(At, std::move(SharedFile), Off, *FileSize);
    T.mm().setFileIdentity(At, Off, Dev, Ino);
    if (Shared)
      T.mm().shareFilePages(At);
  }
  return int64_t(At);
}

// Implements munmap(2).
SysResult sysMunmap(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.mm().unmap(A.arg(0), A.arg(1)));
  return 0;
}

// Implements mprotect(2).
SysResult sysMprotect(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.mm().protect(A.arg(0), A.arg(1), A.u32(2)));
  return 0;
}

// Implements mremap(2).
SysResult sysMremap(Task &T, const SyscallArgs &A) {
  return REPRISE_TRY(
      T.mm().remap(A.arg(0), A.arg(1), A.arg(2), A.u32(3), A.arg(4)));
}

// Implements msync(2): shared file mappings are written back to the file.
SysResult sysMsync(Task &T, const SyscallArgs &A) {
  uint64_t Addr = A.arg(0), Len = A.arg(1);
  uint32_t Flags = A.u32(2);
  constexpr uint32_t Async = 1, Invalidate = 2, Sync = 4;
  if ((Addr & PageMask) || (Flags & ~(Async | Invalidate | Sync)) ||
      ((Flags & Async) && (Flags & Sync)))
    return Errno::LX_EINVAL;
  uint64_t Size = pageUp(Len);
  if (Size < Len)
    return Errno::LX_ENOMEM;
  for (uint64_t P = Addr; P < Addr + Size; P += PageSize) {
    bool Mapped = false;
    auto It = T.mm().vmas().upper_bound(P);
    if (It != T.mm().vmas().begin())
      Mapped = P < std::prev(It)->second.End;
    if (!Mapped)
      return Errno::LX_ENOMEM;
  }
  T.mm().writeBack(Addr, Size);
  return 0;
}

// Implements madvise(2).
SysResult sysMadvise(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.mm().advise(A.arg(0), A.arg(1), A.i32(2)));
  return 0;
}

// Implements mincore(2). A page is shown resident once the guest has
// touched it (it has a frame); reprise has no page cache whose state could
// make an untouched file page resident, so the answer depends only on what
// the guest did. ENOMEM where the range holds an unmapped page.
SysResult sysMincore(Task &T, const SyscallArgs &A) {
  uint64_t Addr = A.arg(0), Len = A.arg(1);
  if (Addr & PageMask)
    return Errno::LX_EINVAL;
  if (Len > UINT64_MAX - PageSize || Addr + pageUp(Len) < Addr)
    return Errno::LX_ENOMEM;
  uint64_t Pages = pageUp(Len) / PageSize;
  const auto &Vmas = T.mm().vmas();
  // The answer goes out in pieces, so that a huge range costs no huge
  // buffer here.
  constexpr size_t Piece = 1 << 16;
  std::vector<uint8_t> Vec;
  uint64_t Done = 0;
  for (uint64_t I = 0; I < Pages; ++I) {
    uint64_t Page = Addr + I * PageSize;
    auto It = Vmas.upper_bound(Page);
    if (It == Vmas.begin() || Page >= std::prev(It)->second.End)
      return Errno::LX_ENOMEM;
    const mm::Vma &V = std::prev(It)->second;
    Vec.push_back(V.Frames[(Page - V.Start) / PageSize] != 0);
    if (Vec.size() == Piece || I + 1 == Pages) {
      REPRISE_TRY(T.copyOut(A.arg(2) + Done, Vec));
      Done += Vec.size();
      Vec.clear();
    }
  }
  return 0;
}

/// Whether all of [Addr, Addr + Len), widened to pages, is mapped (mlock's
/// ENOMEM otherwise).
static bool wholyMapped(Task &T, uint64_t Addr, uint64_t Len) {
  uint64_t Start = pageDown(Addr), End = pageUp(Addr + Len);
  if (End < Start || (Len && End == Start))
    return false;
  const auto &Vmas = T.mm().vmas();
  auto It = Vmas.upper_bound(Start);
  if (It != Vmas.begin())
    --It;
  for (uint64_t At = Start; At < End;) {
    if (It == Vmas.end() || It->second.Start > At || It->second.End <= At)
      return false;
    At = It->second.End;
    ++It;
  }
  return true;
}

// Implements mlock(2) and munlock(2). reprise never pages guest memory out,
// so locking changes nothing; the range must be mapped, as on Linux.
SysResult sysMlock(Task &T, const SyscallArgs &A) {
  return wholyMapped(T, A.arg(0), A.arg(1)) ? SysResult(0) : SysResult(Errno::LX_ENOMEM);
}

// Implements mlock2(2): mlock with MLOCK_ONFAULT as its only flag.
SysResult sysMlock2(Task &T, const SyscallArgs &A) {
  if (A.u32(2) & ~1u)
    return Errno::LX_EINVAL;
  return sysMlock(T, A);
}

// Implements mlockall(2): MCL_CURRENT and/or MCL_FUTURE, MCL_ONFAULT only
// with one of them.
SysResult sysMlockall(Task &, const SyscallArgs &A) {
  uint32_t Flags = A.u32(0);
  if (!Flags || (Flags & ~7u) || Flags == 4)
    return Errno::LX_EINVAL;
  return 0;
}

// Implements munlockall(2).
SysResult sysMunlockall(Task &, const SyscallArgs &) { return 0; }

// Implements membarrier(2). Every guest thread runs on the one host thread,
// one at a time, so each barrier already holds when the call is made; the
// commands still check what Linux checks (registration before a private
// expedited barrier).
SysResult sysMembarrier(Task &T, const SyscallArgs &A) {
  enum : uint32_t {
    Query = 0, Global = 1, GlobalExpedited = 2, RegisterGlobalExpedited = 4,
    PrivateExpedited = 8, RegisterPrivateExpedited = 16,
    PrivateExpeditedSyncCore = 32, RegisterPrivateExpeditedSyncCore = 64,
    GetRegistrations = 512,
  };
  constexpr uint32_t Supported = Global | GlobalExpedited | RegisterGlobalExpedited |
                                 PrivateExpedited | RegisterPrivateExpedited |
                                 PrivateExpeditedSyncCore |
                                 RegisterPrivateExpeditedSyncCore | GetRegistrations;
  uint32_t Cmd = A.u32(0);
  if (A.u32(1) != 0)
    return Errno::LX_EINVAL;
  uint32_t &Registered = T.group().MembarrierRegistered;
  switch (Cmd) {
  case Query:
    return Supported;
  case Global:
  case GlobalExpedited:
    return 0;
  case RegisterGlobalExpedited:
  case RegisterPrivateExpedited:
  case RegisterPrivateExpeditedSyncCore:
    Registered |= Cmd;
    return 0;
  case PrivateExpedited:
  case PrivateExpeditedSyncCore:
    // The barrier needs its registration (the register command's bit).
    return (Registered & (Cmd << 1)) ? SysResult(0) : SysResult(Errno::LX_EPERM);
  case GetRegistrations:
    return Registered;
  default:
    return Errno::LX_EINVAL;
  }
}

} // namespace reprise
