//===- kernel/syscalls/File.cpp - Open files and descriptors --------------===//
#include "kernel/EventFd.h"
#include "kernel/Kernel.h"
#include "kernel/mm/FilePages.h"
#include "kernel/Pipe.h"
#include "kernel/SignalFd.h"
#include "kernel/Socket.h"
#include "kernel/abi/Structs.h"
#include "kernel/syscalls/Abi.h"

#include <algorithm>
#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint64_t MaxRw = 0x7ffff000; // Linux's MAX_RW_COUNT
constexpr size_t Chunk = 1 << 20;

/// What open(2) does once the flags are canonical.
Result<int> openAt(Task &T, int32_t DirFd, std::string_view Path, uint32_t Flags,
                   uint32_t Mode) {
  if ((Flags & LX_O_TMPFILE_BASE) && (Flags & LX_O_DIRECTORY))
    return Errno::LX_EOPNOTSUPP; // O_TMPFILE
  bool Follow = !(Flags & LX_O_NOFOLLOW);
  fs::Location Loc;
  bool Created = false;
  if (Flags & LX_O_CREAT) {
    if (Flags & LX_O_DIRECTORY)
      return Errno::LX_EINVAL;
    auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(DirFd, Path));
    if (Name == "." || Name == ".." || Path.back() == '/')
      return Errno::LX_EISDIR;
    auto Existing = T.resolveAt(DirFd, Path, Follow && !(Flags & LX_O_EXCL));
    if (Existing) {
      if (Flags & LX_O_EXCL)
        return Errno::LX_EEXIST;
      Loc = std::move(*Existing);
    } else if (Existing.error() == Errno::LX_ENOENT) {
      // A dangling symlink with O_CREAT but not O_EXCL: Linux creates the
      // target; reprise refuses rather than follow it blindly.
      auto Link = T.resolveAt(DirFd, Path, false);
      if (Link && Link->node()->isSymlink())
        return Errno::LX_ENOENT;
      auto DirStat = REPRISE_TRY(Parent.node()->access());
      REPRISE_TRY(fs::checkPermission(DirStat, T.Creds, LX_W_OK | LX_X_OK));
      uint32_t M = (Mode & 07777) & ~T.fsContext().Umask;
      auto Node = REPRISE_TRY(Parent.node()->createFile(Name, M, T.Creds));
      Loc = std::move(Parent);
      Loc.Chain.push_back(Node);
      Loc.Names.push_back(Name);
      Created = true;
    } else {
      return Existing.error();
    }
  } else {
    Loc = REPRISE_TRY(T.resolveAt(DirFd, Path, Follow));
  }
  const fs::VnodeRef &Node = Loc.node();
  if (Node->isSymlink() && !(Flags & LX_O_PATH))
    return Errno::LX_ELOOP;
  if ((Flags & LX_O_DIRECTORY) && !Node->isDir())
    return Errno::LX_ENOTDIR;
  uint32_t Acc = Flags & LX_O_ACCMODE;
  if (!(Flags & LX_O_PATH)) {
    if (Node->isDir() && (Acc != LX_O_RDONLY || (Flags & LX_O_TRUNC)))
      return Errno::LX_EISDIR;
    if (!Created) {
      auto St = REPRISE_TRY(Node->access());
      uint32_t Want = (Acc == LX_O_RDONLY ? LX_R_OK : Acc == LX_O_WRONLY ? LX_W_OK : LX_R_OK | LX_W_OK);
      if (Flags & LX_O_TRUNC)
        Want |= LX_W_OK;
      REPRISE_TRY(fs::checkPermission(St, T.Creds, Want));
    }
  }
  // The host file was created empty; do not truncate what was just made.
  uint32_t OpenFlags = Created ? (Flags & ~LX_O_TRUNC) : Flags;
  auto F = REPRISE_TRY(Node->open(OpenFlags | LX_O_LARGEFILE));
  F->Path = Loc.path();
  F->At = Loc;
  return T.fds().install(F, Flags & LX_O_CLOEXEC, 0,
                         T.kernel().limit(T, LX_RLIMIT_NOFILE));
}

/// The file of \p F when shared mappings hold pages of it (mm/FilePages.h),
/// which its reads and writes must then agree with.
std::optional<mm::FileKey> mappedFile(Task &T, const fs::OpenFile &F) {
  auto Id = F.identity();
  if (!Id || !T.mm().physical().filePages().holds(*Id))
    return std::nullopt;
  return Id;
}

/// \p F read \p Got bytes into \p Buf at \p Offset (its position, moved past
/// them, when null): the pages of its shared mappings have the last word.
void readMapped(Task &T, const fs::OpenFile &F, const int64_t *Offset,
                llvm::MutableArrayRef<uint8_t> Got) {
  if (auto Key = mappedFile(T, F))
    T.mm().physical().filePages().overlay(
        *Key, uint64_t(Offset ? *Offset : F.Pos - int64_t(Got.size())), Got);
}

/// \p F wrote \p Put at \p Offset (or at its position, now past them): the
/// pages of its shared mappings get the same bytes.
void wroteMapped(Task &T, const fs::OpenFile &F, const int64_t *Offset,
                 llvm::ArrayRef<uint8_t> Put) {
  if (auto Key = mappedFile(T, F))
    T.mm().physical().filePages().written(
        *Key, uint64_t(Offset ? *Offset : F.Pos - int64_t(Put.size())), Put);
}

Result<int64_t> readInto(Task &T, fs::OpenFile &F, uint64_t Buf, uint64_t Count,
                         const int64_t *Offset) {
  if (!F.readable())
    return Errno::LX_EBADF;
  Count = std::min(Count, MaxRw);
  if (!T.mm().accessible(Buf, Count, true))
    return Errno::LX_EFAULT;
  std::vector<uint8_t> Tmp(std::min<uint64_t>(Count, Chunk));
  uint64_t Done = 0;
  int64_t At = Offset ? *Offset : 0;
  while (Done < Count) {
    size_t Want = size_t(std::min<uint64_t>(Count - Done, Tmp.size()));
    int64_t Off = At + int64_t(Done);
    auto N = F.read({Tmp.data(), Want}, Offset ? &Off : nullptr);
    if (!N) {
      if (Done)
        break;
      return N.error();
    }
    readMapped(T, F, Offset ? &Off : nullptr, {Tmp.data(), *N});
    REPRISE_TRY(T.copyOut(Buf + Done, {Tmp.data(), *N}));
    Done += *N;
    // Only regular files are read in more than one go; a pipe or terminal
    // returns what it has.
    if (*N < Want || F.node()->fileType() != LX_S_IFREG)
      break;
  }
  return int64_t(Done);
}

/// Writing to a pipe nobody reads raises SIGPIPE; its default action ends
/// the process, as it would natively. Handlers come with signal delivery.
void raiseSigpipe(Task &T) { T.kernel().sendSignal(T.group(), &T, Kernel::userSignal(T, LX_SIGPIPE, LX_SI_USER, T.group())); }

Result<int64_t> writeFrom(Task &T, fs::OpenFile &F, uint64_t Buf,
                          uint64_t Count, const int64_t *Offset) {
  if (!F.writable())
    return Errno::LX_EBADF;
  Count = std::min(Count, MaxRw);
  if (!T.mm().accessible(Buf, Count, false))
    return Errno::LX_EFAULT;
  std::vector<uint8_t> Tmp(std::min<uint64_t>(Count, Chunk));
  uint64_t Done = 0;
  int64_t At = Offset ? *Offset : 0;
  while (Done < Count) {
    size_t Want = size_t(std::min<uint64_t>(Count - Done, Tmp.size()));
    REPRISE_TRY(T.copyIn(Buf + Done, {Tmp.data(), Want}));
    int64_t Off = At + int64_t(Done);
    auto N = F.write({Tmp.data(), Want}, Offset ? &Off : nullptr);
    if (!N) {
      if (N.error() == Errno::LX_EPIPE)
        raiseSigpipe(T);
      if (Done)
        break;
      return N.error();
    }
    wroteMapped(T, F, Offset ? &Off : nullptr, {Tmp.data(), *N});
    Done += *N;
    if (*N < Want)
      break;
  }
  return int64_t(Done);
}


Result<int64_t> statInto(Task &T, const fs::FileStat &S, uint64_t Buf) {
  auto B = encodeStat(T.arch(), S);
  REPRISE_TRY(T.copyOut(Buf, B));
  return int64_t(0);
}

Result<int64_t> fstatatImpl(Task &T, int32_t DirFd, uint64_t PathAddr,
                            uint64_t Buf, uint32_t Flags) {
  if (Flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT))
    return Errno::LX_EINVAL;
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  if (Path.empty() && (Flags & LX_AT_EMPTY_PATH) && DirFd != LX_AT_FDCWD) {
    auto F = REPRISE_TRY(T.fds().get(DirFd));
    return statInto(T, REPRISE_TRY(F->stat()), Buf);
  }
  auto L = REPRISE_TRY(T.resolveAt(DirFd, Path, !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                   Flags & LX_AT_EMPTY_PATH));
  return statInto(T, REPRISE_TRY(L.node()->stat()), Buf);
}

Result<int64_t> readlinkImpl(Task &T, int32_t DirFd, uint64_t PathAddr,
                             uint64_t Buf, int64_t Size) {
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  if (Size <= 0)
    return Errno::LX_EINVAL;
  auto L = REPRISE_TRY(T.resolveAt(DirFd, Path, false));
  if (!L.node()->isSymlink())
    return Errno::LX_EINVAL;
  auto Target = REPRISE_TRY(L.node()->readlink());
  size_t N = std::min<size_t>(Target.size(), size_t(Size));
  REPRISE_TRY(T.copyOut(Buf, {reinterpret_cast<const uint8_t *>(Target.data()), N}));
  return int64_t(N);
}

Result<int64_t> accessImpl(Task &T, int32_t DirFd, uint64_t PathAddr,
                           uint32_t Mode, uint32_t Flags) {
  if (Mode & ~uint32_t(7))
    return Errno::LX_EINVAL;
  if (Flags & ~(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
    return Errno::LX_EINVAL;
  auto Path = REPRISE_TRY(T.copyInPath(PathAddr));
  auto L = REPRISE_TRY(T.resolveAt(DirFd, Path, !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                   Flags & LX_AT_EMPTY_PATH));
  if (Mode == LX_F_OK)
    return int64_t(0);
  auto S = REPRISE_TRY(L.node()->stat());
  REPRISE_TRY(fs::checkPermission(S, T.Creds, Mode));
  return int64_t(0);
}

Result<int64_t> dupTo(Task &T, int32_t Old, int32_t New, bool CloExec) {
  auto F = REPRISE_TRY(T.fds().get(Old));
  REPRISE_TRY(T.fds().installAt(New, F, CloExec, T.kernel().limit(T, LX_RLIMIT_NOFILE)));
  return int64_t(New);
}

/// preadv(2) family: each buffer in turn at \p Offset (advancing), or at
/// the file position when null.
SysResult vectorIo(Task &T, const SyscallArgs &A, const int64_t *Offset, bool Write) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (Offset) {
    if (*Offset < 0)
      return Errno::LX_EINVAL;
    uint32_t Type = F->node()->fileType();
    if (Type == LX_S_IFIFO || Type == LX_S_IFSOCK)
      return Errno::LX_ESPIPE;
  }
  auto V = REPRISE_TRY(readIovecs(T, A.arg(1), int64_t(A.arg(2))));
  int64_t Total = 0;
  for (const auto &I : V) {
    if (!I.iov_len)
      continue;
    int64_t At = Offset ? *Offset + Total : 0;
    auto N = Write ? writeFrom(T, *F, I.iov_base, I.iov_len, Offset ? &At : nullptr)
                   : readInto(T, *F, I.iov_base, I.iov_len, Offset ? &At : nullptr);
    if (!N) {
      if (Total)
        break;
      return N.error();
    }
    Total += *N;
    if (uint64_t(*N) < I.iov_len)
      break;
  }
  return Total;
}

/// preadv2/pwritev2's flags: the known RWF_* bits change nothing here
/// (reprise never waits for a device); others are EOPNOTSUPP.
Result<void> checkRwFlags(uint32_t Flags) {
  constexpr uint32_t Known = 0x1f; // HIPRI, DSYNC, SYNC, NOWAIT, APPEND
  if (Flags & ~Known)
    return Errno::LX_EOPNOTSUPP;
  return {};
}

} // namespace

// Implements openat(2).
SysResult sysOpenat(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(1)));
  return REPRISE_TRY(openAt(T, A.i32(0), Path,
                            canonicalOpenFlags(T.arch(), A.u32(2)), A.u32(3)));
}

// Implements open(2) (x86-64).
SysResult sysOpen(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  return REPRISE_TRY(openAt(T, LX_AT_FDCWD, Path,
                            canonicalOpenFlags(T.arch(), A.u32(1)), A.u32(2)));
}

// Implements creat(2) (x86-64): open(path, O_CREAT|O_WRONLY|O_TRUNC, mode).
SysResult sysCreat(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  return REPRISE_TRY(
      openAt(T, LX_AT_FDCWD, Path, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, A.u32(1)));
}

// Implements close(2).
SysResult sysClose(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.fds().close(A.fd(0)));
  return 0;
}

// Implements close_range(2): closes (or, with CLOSE_RANGE_CLOEXEC, marks
// close-on-exec) every open descriptor from FIRST to LAST; with
// CLOSE_RANGE_UNSHARE the task first gets a table of its own, as if it had
// been cloned without CLONE_FILES.
SysResult sysCloseRange(Task &T, const SyscallArgs &A) {
  constexpr uint32_t Unshare = 2, Cloexec = 4;
  uint32_t First = A.u32(0), Last = A.u32(1), Flags = A.u32(2);
  if ((Flags & ~(Unshare | Cloexec)) || First > Last)
    return Errno::LX_EINVAL;
  if ((Flags & Unshare) && T.Fds.use_count() > 1)
    T.Fds = T.Fds->clone();
  for (int Fd : T.fds().openFds()) {
    if (uint32_t(Fd) < First || uint32_t(Fd) > Last)
      continue;
    if (Flags & Cloexec)
      REPRISE_TRY(T.fds().setCloseOnExec(Fd, true));
    else
      REPRISE_TRY(T.fds().close(Fd));
  }
  return 0;
}

// Implements copy_file_range(2) between regular files, through reprise's
// own reads and writes (no host shortcut: each piece passes the gate like
// any read and write). A call copies at most one 1 MiB piece; callers loop
// on short counts, as the man page asks.
SysResult sysCopyFileRange(Task &T, const SyscallArgs &A) {
  if (A.u32(5) != 0)
    return Errno::LX_EINVAL;
  auto In = REPRISE_TRY(T.fds().get(A.fd(0)));
  auto Out = REPRISE_TRY(T.fds().get(A.fd(2)));
  if (!In->readable() || !Out->writable() || (Out->flags() & LX_O_APPEND))
    return Errno::LX_EBADF;
  if (In->node()->isDir() || Out->node()->isDir())
    return Errno::LX_EISDIR;
  if (In->node()->fileType() != LX_S_IFREG || Out->node()->fileType() != LX_S_IFREG)
    return Errno::LX_EINVAL;
  // Without an offset a side reads or writes at its file position, which
  // moves as with read(2) and write(2) (for the host's stdout that is the
  // host descriptor's own, shared with whoever else writes to it).
  bool HasIn = A.arg(1), HasOut = A.arg(3);
  int64_t InOff = 0, OutOff = 0;
  if (HasIn)
    InOff = REPRISE_TRY(T.copyInObj<int64_t>(A.arg(1)));
  if (HasOut)
    OutOff = REPRISE_TRY(T.copyInObj<int64_t>(A.arg(3)));
  if (InOff < 0 || OutOff < 0)
    return Errno::LX_EINVAL;
  uint64_t Len = std::min<uint64_t>(A.arg(4), Chunk);
  // The same file with overlapping ranges is refused.
  int64_t InAt = HasIn ? InOff : In->Pos, OutAt = HasOut ? OutOff : Out->Pos;
  if (In->node() == Out->node() && uint64_t(InAt) < uint64_t(OutAt) + Len &&
      uint64_t(OutAt) < uint64_t(InAt) + Len)
    return Errno::LX_EINVAL;
  if (Len == 0)
    return 0;
  std::vector<uint8_t> Buf(Len);
  size_t Got = REPRISE_TRY(In->read(Buf, HasIn ? &InOff : nullptr));
  readMapped(T, *In, HasIn ? &InOff : nullptr, {Buf.data(), Got});
  size_t Put = 0;
  while (Put < Got) {
    int64_t At = OutOff + int64_t(Put);
    auto N = Out->write({Buf.data() + Put, Got - Put}, HasOut ? &At : nullptr);
    if (!N) {
      if (Put)
        break;
      return N.error();
    }
    wroteMapped(T, *Out, HasOut ? &At : nullptr, {Buf.data() + Put, *N});
    Put += *N;
  }
  // What was read but could not be written is given back to a position
  // that moved past it.
  if (!HasIn && Put < Got)
    In->Pos -= int64_t(Got - Put);
  if (HasIn)
    REPRISE_TRY(T.copyOutObj(A.arg(1), InOff + int64_t(Put)));
  if (HasOut)
    REPRISE_TRY(T.copyOutObj(A.arg(3), OutOff + int64_t(Put)));
  return int64_t(Put);
}

// Implements read(2).
SysResult sysRead(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (auto *P = dynamic_cast<PipeFile *>(F.get()))
    return pipeRead(T, *P, A.arg(1), A.arg(2));
  if (auto *S = dynamic_cast<SignalFdFile *>(F.get()))
    return signalFdRead(T, *S, A.arg(1), A.arg(2));
  if (auto *S = dynamic_cast<SocketFile *>(F.get()))
    return socketReadv(T, *S, {iovec{A.arg(1), A.arg(2)}});
  if (auto *E = dynamic_cast<EventFdFile *>(F.get()))
    return eventFdRead(T, *E, A.arg(1), A.arg(2));
  return readInto(T, *F, A.arg(1), A.arg(2), nullptr);
}

// Implements write(2).
SysResult sysWrite(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (auto *P = dynamic_cast<PipeFile *>(F.get()))
    return pipeWrite(T, *P, A.arg(1), A.arg(2));
  if (auto *S = dynamic_cast<SocketFile *>(F.get()))
    return socketWritev(T, *S, {iovec{A.arg(1), A.arg(2)}});
  if (auto *E = dynamic_cast<EventFdFile *>(F.get()))
    return eventFdWrite(T, *E, A.arg(1), A.arg(2));
  return writeFrom(T, *F, A.arg(1), A.arg(2), nullptr);
}

// Implements pread64(2).
SysResult sysPread64(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  int64_t Off = int64_t(A.arg(3));
  if (Off < 0)
    return Errno::LX_EINVAL;
  if (F->node()->fileType() == LX_S_IFIFO || F->node()->fileType() == LX_S_IFSOCK)
    return Errno::LX_ESPIPE;
  return readInto(T, *F, A.arg(1), A.arg(2), &Off);
}

// Implements pwrite64(2).
SysResult sysPwrite64(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  int64_t Off = int64_t(A.arg(3));
  if (Off < 0)
    return Errno::LX_EINVAL;
  if (F->node()->fileType() == LX_S_IFIFO || F->node()->fileType() == LX_S_IFSOCK)
    return Errno::LX_ESPIPE;
  return writeFrom(T, *F, A.arg(1), A.arg(2), &Off);
}

// Implements readv(2).
SysResult sysReadv(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (auto *S = dynamic_cast<SocketFile *>(F.get())) {
    auto V = REPRISE_TRY(readIovecs(T, A.arg(1), int64_t(A.arg(2))));
    return socketReadv(T, *S, V);
  }
  return vectorIo(T, A, nullptr, false);
}

// Implements writev(2).
SysResult sysWritev(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  auto V = REPRISE_TRY(readIovecs(T, A.arg(1), int64_t(A.arg(2))));
  if (auto *S = dynamic_cast<SocketFile *>(F.get()))
    return socketWritev(T, *S, V);
  // Gather first so that one write(2) reaches the file, as Linux does for
  // pipes and terminals.
  std::vector<uint8_t> All;
  for (const auto &I : V) {
    if (!I.iov_len)
      continue;
    if (All.size() + I.iov_len > MaxRw)
      return Errno::LX_EINVAL;
    size_t Old = All.size();
    All.resize(Old + I.iov_len);
    REPRISE_TRY(T.copyIn(I.iov_base, {All.data() + Old, size_t(I.iov_len)}));
  }
  if (!F->writable())
    return Errno::LX_EBADF;
  if (All.empty())
    return 0;
  auto N = F->write(All, nullptr);
  if (!N) {
    if (N.error() == Errno::LX_EPIPE)
      raiseSigpipe(T);
    return N.error();
  }
  wroteMapped(T, *F, nullptr, {All.data(), *N});
  return int64_t(*N);
}

// Implements preadv(2): the offset is one 64-bit argument (its high half,
// for 32-bit callers, is ignored on a 64-bit kernel).
SysResult sysPreadv(Task &T, const SyscallArgs &A) {
  int64_t Off = int64_t(A.arg(3));
  return vectorIo(T, A, &Off, false);
}

// Implements pwritev(2).
SysResult sysPwritev(Task &T, const SyscallArgs &A) {
  int64_t Off = int64_t(A.arg(3));
  return vectorIo(T, A, &Off, true);
}

// Implements preadv2(2): an offset of -1 reads at the file position.
SysResult sysPreadv2(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(checkRwFlags(A.u32(5)));
  int64_t Off = int64_t(A.arg(3));
  return vectorIo(T, A, Off == -1 ? nullptr : &Off, false);
}

// Implements pwritev2(2).
SysResult sysPwritev2(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(checkRwFlags(A.u32(5)));
  int64_t Off = int64_t(A.arg(3));
  return vectorIo(T, A, Off == -1 ? nullptr : &Off, true);
}

// Implements fsync(2) and fdatasync(2). What the guest wrote is already
// with the host file system, and how durable it is there is not something
// a guest can observe: nothing more is done. As on Linux, only files that
// can be synced (regular files, directories) accept it.
SysResult sysFsync(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  uint32_t Type = F->node()->fileType();
  if (Type != LX_S_IFREG && Type != LX_S_IFDIR)
    return Errno::LX_EINVAL;
  return 0;
}

// Implements sync(2) (see fsync).
SysResult sysSync(Task &, const SyscallArgs &) { return 0; }

// Implements syncfs(2) (see fsync).
SysResult sysSyncfs(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.fds().get(A.fd(0)));
  return 0;
}

// Implements sync_file_range(2) (see fsync).
SysResult sysSyncFileRange(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  int64_t Off = int64_t(A.arg(1)), Len = int64_t(A.arg(2));
  if ((A.u32(3) & ~7u) || Off < 0 || Len < 0 || Off + Len < Off)
    return Errno::LX_EINVAL;
  uint32_t Type = F->node()->fileType();
  if (Type != LX_S_IFREG && Type != LX_S_IFDIR && Type != LX_S_IFLNK)
    return Errno::LX_ESPIPE;
  return 0;
}

// Implements readahead(2): there is no page cache to fill.
SysResult sysReadahead(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (!F->readable())
    return Errno::LX_EBADF;
  if (F->node()->fileType() != LX_S_IFREG)
    return Errno::LX_EINVAL;
  return 0;
}

// Implements fallocate(2): after Linux's checks, EOPNOTSUPP, as a file
// system that cannot reserve space says (glibc's posix_fallocate then
// writes the range itself).
SysResult sysFallocate(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  int64_t Off = int64_t(A.arg(2)), Len = int64_t(A.arg(3));
  if (Off < 0 || Len <= 0 || Off + Len < Off)
    return Errno::LX_EINVAL;
  if (!F->writable())
    return Errno::LX_EBADF;
  uint32_t Type = F->node()->fileType();
  if (Type == LX_S_IFIFO)
    return Errno::LX_ESPIPE;
  if (Type == LX_S_IFDIR)
    return Errno::LX_EISDIR;
  if (Type != LX_S_IFREG)
    return Errno::LX_ENODEV;
  return Errno::LX_EOPNOTSUPP;
}

// Implements lseek(2).
SysResult sysLseek(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  return REPRISE_TRY(F->seek(int64_t(A.arg(1)), A.u32(2)));
}

// Implements fstat(2).
SysResult sysFstat(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  return statInto(T, REPRISE_TRY(F->stat()), A.arg(1));
}

// Implements newfstatat(2) (fstatat).
SysResult sysNewfstatat(Task &T, const SyscallArgs &A) {
  return fstatatImpl(T, A.i32(0), A.arg(1), A.arg(2), A.u32(3));
}

// Implements stat(2) (x86-64).
SysResult sysStat(Task &T, const SyscallArgs &A) {
  return fstatatImpl(T, LX_AT_FDCWD, A.arg(0), A.arg(1), 0);
}

// Implements lstat(2) (x86-64).
SysResult sysLstat(Task &T, const SyscallArgs &A) {
  return fstatatImpl(T, LX_AT_FDCWD, A.arg(0), A.arg(1), LX_AT_SYMLINK_NOFOLLOW);
}

// Implements statx(2). Every basic field is always filled in, whatever the
// mask asks for, which the man page allows.
SysResult sysStatx(Task &T, const SyscallArgs &A) {
  uint32_t Flags = A.u32(2);
  if (Flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT |
                LX_AT_STATX_SYNC_TYPE))
    return Errno::LX_EINVAL;
  if ((Flags & LX_AT_STATX_SYNC_TYPE) == LX_AT_STATX_SYNC_TYPE)
    return Errno::LX_EINVAL;
  if (A.u32(3) & 0x80000000u) // STATX__RESERVED
    return Errno::LX_EINVAL;
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(1)));
  fs::FileStat S;
  if (Path.empty() && (Flags & LX_AT_EMPTY_PATH) && A.i32(0) != LX_AT_FDCWD) {
    auto F = REPRISE_TRY(T.fds().get(A.i32(0)));
    S = REPRISE_TRY(F->stat());
  } else {
    auto L = REPRISE_TRY(T.resolveAt(A.i32(0), Path,
                                     !(Flags & LX_AT_SYMLINK_NOFOLLOW),
                                     Flags & LX_AT_EMPTY_PATH));
    S = REPRISE_TRY(L.node()->stat());
  }
  statx X{};
  X.stx_mask = STATX_BASIC_STATS;
  X.stx_blksize = uint32_t(S.Blksize);
  X.stx_nlink = S.Nlink;
  X.stx_uid = S.Uid;
  X.stx_gid = S.Gid;
  X.stx_mode = uint16_t(S.Mode);
  X.stx_ino = S.Ino;
  X.stx_size = uint64_t(S.Size);
  X.stx_blocks = uint64_t(S.Blocks);
  X.stx_atime = {S.Atime.Sec, uint32_t(S.Atime.Nsec), 0};
  X.stx_mtime = {S.Mtime.Sec, uint32_t(S.Mtime.Nsec), 0};
  X.stx_ctime = {S.Ctime.Sec, uint32_t(S.Ctime.Nsec), 0};
  X.stx_rdev_major = uint32_t(S.Rdev >> 8);
  X.stx_rdev_minor = uint32_t(S.Rdev & 0xff);
  X.stx_dev_major = uint32_t(S.Dev >> 8);
  X.stx_dev_minor = uint32_t(S.Dev & 0xff);
  REPRISE_TRY(T.copyOutObj(A.arg(4), X));
  return 0;
}

// Implements getdents64(2).
SysResult sysGetdents64(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  auto Entries = REPRISE_TRY(F->readDir());
  uint64_t Count = std::min<uint64_t>(A.arg(2), MaxRw);
  std::vector<uint8_t> Out;
  size_t Taken = 0;
  for (const auto &E : Entries) {
    size_t RecLen = (sizeof(uint64_t) * 2 + 2 + 1 + E.Name.size() + 1 + 7) & ~size_t(7);
    if (Out.size() + RecLen > Count)
      break;
    size_t At = Out.size();
    Out.resize(At + RecLen, 0);
    linux_dirent64_header H{E.Ino, F->Pos + int64_t(Taken) + 1, uint16_t(RecLen),
                            E.Type};
    std::memcpy(Out.data() + At, &H.d_ino, 8);
    std::memcpy(Out.data() + At + 8, &H.d_off, 8);
    std::memcpy(Out.data() + At + 16, &H.d_reclen, 2);
    Out[At + 18] = H.d_type;
    std::memcpy(Out.data() + At + 19, E.Name.data(), E.Name.size());
    ++Taken;
  }
  if (Taken == 0 && !Entries.empty())
    return Errno::LX_EINVAL; // the buffer cannot hold even one entry
  REPRISE_TRY(T.copyOut(A.arg(1), Out));
  F->Pos += int64_t(Taken);
  return int64_t(Out.size());
}

// Implements ioctl(2): descriptor flags, and terminal requests on host ttys.
SysResult sysIoctl(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  uint32_t Req = A.u32(1);
  switch (Req) {
  case LX_FIOCLEX:
  case LX_FIONCLEX:
    REPRISE_TRY(T.fds().setCloseOnExec(A.fd(0), Req == LX_FIOCLEX));
    return 0;
  case LX_FIONBIO: {
    auto On = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(2)));
    F->setStatusFlags(On ? (F->flags() | LX_O_NONBLOCK) : (F->flags() & ~LX_O_NONBLOCK));
    return 0;
  }
  case LX_TCGETS:
  case LX_TIOCGWINSZ: {
    size_t Size = Req == LX_TCGETS ? 36 : 8;
    std::vector<uint8_t> Buf(Size);
    REPRISE_TRY(F->ioctl(Req, Buf));
    REPRISE_TRY(T.copyOut(A.arg(2), Buf));
    return 0;
  }
  case LX_TIOCGPGRP:
  case LX_TIOCGSID: {
    // The host terminal is the controlling terminal of init's session.
    if (!F->isTerminal())
      return Errno::LX_ENOTTY;
    PidRef P = T.kernel().foregroundPgrp();
    if (Req == LX_TIOCGSID) {
      ThreadGroup *Init = T.kernel().rootPidNamespace().Init;
      P = Init ? Init->Session : PidRef();
    }
    REPRISE_TRY(T.copyOutObj(A.arg(2), int32_t(T.vnr(P))));
    return 0;
  }
  case LX_TIOCSPGRP: {
    if (!F->isTerminal())
      return Errno::LX_ENOTTY;
    int32_t Want = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(2)));
    if (Want < 0)
      return Errno::LX_EINVAL;
    // A process group of the caller's own session.
    for (const auto &[Pid, G] : T.kernel().groups())
      if (G->State == ThreadGroup::Life::Alive && G->Pgrp && T.vnr(G->Pgrp) == Want &&
          G->Session == T.group().Session) {
        T.kernel().setForegroundPgrp(G->Pgrp);
        return 0;
      }
    return Errno::LX_EPERM;
  }
  case LX_FIONREAD:
  case LX_SIOCOUTQ: { // an int the file fills in (pipes, sockets)
    std::vector<uint8_t> Buf(4);
    REPRISE_TRY(F->ioctl(Req, Buf));
    REPRISE_TRY(T.copyOut(A.arg(2), Buf));
    return 0;
  }
  case LX_TCSETS:
  case LX_TCSETSW:
  case LX_TCSETSF: {
    if (!F->isTerminal())
      return Errno::LX_ENOTTY;
    std::vector<uint8_t> Buf(36);
    REPRISE_TRY(T.copyIn(A.arg(2), Buf));
    REPRISE_TRY(F->ioctl(Req, Buf));
    return 0;
  }
  default:
    return REPRISE_TRY(F->ioctl(Req, {}));
  }
}

// Implements fcntl(2).
SysResult sysFcntl(Task &T, const SyscallArgs &A) {
  int32_t Fd = A.fd(0);
  auto F = REPRISE_TRY(T.fds().get(Fd));
  switch (A.i32(1)) {
  case LX_F_DUPFD:
  case LX_F_DUPFD_CLOEXEC:
    return REPRISE_TRY(T.fds().install(F, A.i32(1) == LX_F_DUPFD_CLOEXEC,
                                       A.i32(2), T.kernel().limit(T, LX_RLIMIT_NOFILE)));
  case LX_F_GETFD:
    return REPRISE_TRY(T.fds().closeOnExec(Fd)) ? LX_FD_CLOEXEC : 0;
  case LX_F_SETFD:
    REPRISE_TRY(T.fds().setCloseOnExec(Fd, A.arg(2) & LX_FD_CLOEXEC));
    return 0;
  case LX_F_GETFL:
    return archOpenFlags(T.arch(), F->flags() & ~(LX_O_CREAT | LX_O_EXCL | LX_O_NOCTTY |
                                                  LX_O_TRUNC | LX_O_CLOEXEC));
  case LX_F_SETFL:
    F->setStatusFlags(canonicalOpenFlags(T.arch(), A.u32(2)));
    return 0;
  case LX_F_GETLK: {
    // One process holds no conflicting locks: report the range unlocked.
    int16_t Unlocked = 2; // F_UNLCK
    REPRISE_TRY(T.copyOutObj(A.arg(2), Unlocked));
    return 0;
  }
  case LX_F_SETLK:
  case LX_F_SETLKW:
    return 0;
  case LX_F_GETOWN:
    return 0;
  default:
    return Errno::LX_EINVAL;
  }
}

// Implements dup(2).
SysResult sysDup(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  return REPRISE_TRY(
      T.fds().install(F, false, 0, T.kernel().limit(T, LX_RLIMIT_NOFILE)));
}

// Implements dup2(2) (x86-64).
SysResult sysDup2(Task &T, const SyscallArgs &A) {
  if (A.fd(0) == A.fd(1)) {
    REPRISE_TRY(T.fds().get(A.fd(0)));
    return A.fd(1);
  }
  return dupTo(T, A.fd(0), A.fd(1), false);
}

// Implements dup3(2).
SysResult sysDup3(Task &T, const SyscallArgs &A) {
  uint32_t Flags = canonicalOpenFlags(T.arch(), A.u32(2));
  if (Flags & ~LX_O_CLOEXEC)
    return Errno::LX_EINVAL;
  if (A.fd(0) == A.fd(1))
    return Errno::LX_EINVAL;
  return dupTo(T, A.fd(0), A.fd(1), Flags & LX_O_CLOEXEC);
}

// Implements ftruncate(2).
SysResult sysFtruncate(Task &T, const SyscallArgs &A) {
  auto F = REPRISE_TRY(T.fds().get(A.fd(0)));
  if (int64_t(A.arg(1)) < 0)
    return Errno::LX_EINVAL;
  if (!F->writable() || F->node()->fileType() != LX_S_IFREG)
    return F->node()->isDir() ? Errno::LX_EISDIR : Errno::LX_EINVAL;
  REPRISE_TRY(F->truncate(int64_t(A.arg(1))));
  return 0;
}

// Implements truncate(2).
SysResult sysTruncate(Task &T, const SyscallArgs &A) {
  auto Path = REPRISE_TRY(T.copyInPath(A.arg(0)));
  if (int64_t(A.arg(1)) < 0)
    return Errno::LX_EINVAL;
  auto L = REPRISE_TRY(T.resolveAt(LX_AT_FDCWD, Path, true));
  if (L.node()->isDir())
    return Errno::LX_EISDIR;
  auto S = REPRISE_TRY(L.node()->stat());
  REPRISE_TRY(fs::checkPermission(S, T.Creds, LX_W_OK));
  REPRISE_TRY(L.node()->truncate(int64_t(A.arg(1))));
  return 0;
}

// Implements readlinkat(2).
SysResult sysReadlinkat(Task &T, const SyscallArgs &A) {
  return readlinkImpl(T, A.i32(0), A.arg(1), A.arg(2), int64_t(A.arg(3)));
}

// Implements readlink(2) (x86-64).
SysResult sysReadlink(Task &T, const SyscallArgs &A) {
  return readlinkImpl(T, LX_AT_FDCWD, A.arg(0), A.arg(1), int64_t(A.arg(2)));
}

// Implements faccessat(2).
SysResult sysFaccessat(Task &T, const SyscallArgs &A) {
  return accessImpl(T, A.i32(0), A.arg(1), A.u32(2), 0);
}

// Implements faccessat2(2).
SysResult sysFaccessat2(Task &T, const SyscallArgs &A) {
  return accessImpl(T, A.i32(0), A.arg(1), A.u32(2), A.u32(3));
}

// Implements access(2) (x86-64).
SysResult sysAccess(Task &T, const SyscallArgs &A) {
  return accessImpl(T, LX_AT_FDCWD, A.arg(0), A.u32(1), 0);
}

Result<std::vector<iovec>> readIovecs(Task &T, uint64_t Addr, int64_t Count, Errno TooMany) {
  if (Count < 0)
    return Errno::LX_EINVAL;
  if (Count > 1024) // UIO_MAXIOV
    return TooMany;
  std::vector<iovec> V(static_cast<size_t>(Count));
  if (Count)
    REPRISE_TRY(T.copyIn(Addr, {reinterpret_cast<uint8_t *>(V.data()),
                                V.size() * sizeof(iovec)}));
  uint64_t Total = 0;
  for (const auto &I : V) {
    if (int64_t(I.iov_len) < 0 || Total + I.iov_len < Total)
      return Errno::LX_EINVAL;
    Total += I.iov_len;
  }
  return V;
}

} // namespace reprise
