//===- kernel/syscalls/Memory.cpp - brk, mmap and friends -----------------===//
#include "kernel/Kernel.h"

namespace reprise {

using namespace linux_abi;

// Implements brk(2).
SysResult sysBrk(Task &T, const SyscallArgs &A) {
  return int64_t(T.mm().brk(A.arg(0)));
}

// Implements mmap(2). File mappings copy the file's bytes in; MAP_SHARED ones
// are written back at msync, munmap and exit. Pages wholly past the end of
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
  if (FileSize)
    T.mm().setFile(At, SharedFile, Off, *FileSize);
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

} // namespace reprise
