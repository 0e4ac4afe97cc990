//===- kernel/syscalls/Pipe.cpp - pipe, pipe2 and pipe I/O ----------------===//
#include "kernel/Pipe.h"

#include "kernel/AnonInode.h"
#include "kernel/Kernel.h"
#include "kernel/abi/Constants.h"

#include <algorithm>

namespace reprise {

using namespace linux_abi;

PipeFile::PipeFile(std::shared_ptr<Pipe> Pp, bool WriteEnd, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Pp->Ino, LX_S_IFIFO | 0600,
                                           AnonInode::PipeDev),
               Flags),
      P(std::move(Pp)),
      WriteEnd(WriteEnd) {
  (WriteEnd ? P->Writers : P->Readers)++;
}

PipeFile::~PipeFile() {
  if (WriteEnd) {
    if (--P->Writers == 0)
      P->Readable.wakeAll(); // readers see EOF
  } else if (--P->Readers == 0) {
    P->Writable.wakeAll(); // writers see EPIPE
  }
}

Result<size_t> PipeFile::read(llvm::MutableArrayRef<uint8_t> Out, const int64_t *) {
  if (WriteEnd)
    return Errno::LX_EBADF;
  if (P->Buf.empty())
    return P->Writers ? Result<size_t>(Errno::LX_EAGAIN) : Result<size_t>(size_t(0));
  size_t N = std::min(Out.size(), P->Buf.size());
  std::copy_n(P->Buf.begin(), N, Out.begin());
  P->Buf.erase(P->Buf.begin(), P->Buf.begin() + long(N));
  P->Writable.wakeAll();
  return N;
}

Result<size_t> PipeFile::write(llvm::ArrayRef<uint8_t> In, const int64_t *) {
  if (!WriteEnd)
    return Errno::LX_EBADF;
  if (!P->Readers)
    return Errno::LX_EPIPE;
  size_t Space = Pipe::Capacity - P->Buf.size();
  // Writes of at most PIPE_BUF bytes are atomic: all or nothing.
  if (Space == 0 || (In.size() <= Pipe::Atomic && Space < In.size()))
    return Errno::LX_EAGAIN;
  size_t N = std::min(In.size(), Space);
  P->Buf.insert(P->Buf.end(), In.begin(), In.begin() + long(N));
  P->Readable.wakeAll();
  return N;
}

Result<int64_t> PipeFile::ioctl(uint32_t Request, llvm::MutableArrayRef<uint8_t> Arg) {
  if (Request == LX_FIONREAD && Arg.size() >= 4) {
    int32_t N = int32_t(P->Buf.size());
    std::memcpy(Arg.data(), &N, 4);
    return 0;
  }
  return Errno::LX_ENOTTY;
}

SysResult pipeRead(Task &T, PipeFile &F, uint64_t Buf, uint64_t Count) {
  if (Count == 0)
    return 0;
  if (!T.mm().accessible(Buf, Count, true))
    return Errno::LX_EFAULT;
  std::vector<uint8_t> Tmp(std::min<uint64_t>(Count, Pipe::Capacity));
  auto N = F.read(Tmp, nullptr);
  if (!N) {
    if (N.error() == Errno::LX_EAGAIN && !(F.flags() & LX_O_NONBLOCK))
      return T.kernel().block(T, {&F.pipe().Readable}, 0, "read(pipe)");
    return N.error();
  }
  REPRISE_TRY(T.copyOut(Buf, {Tmp.data(), *N}));
  return int64_t(*N);
}

namespace {

SysResult writeAll(Task &T, PipeFile &F, uint64_t Buf, uint64_t Count) {
  if (!T.Wait.Restarted)
    T.Wait.Progress = 0;
  if (Count == 0)
    return 0;
  if (!T.mm().accessible(Buf, Count, false))
    return Errno::LX_EFAULT;
  // A blocking write returns when every byte is in; a re-run after a wake
  // carries on from what it wrote before.
  while (T.Wait.Progress < Count) {
    uint64_t Done = T.Wait.Progress;
    std::vector<uint8_t> Tmp(std::min<uint64_t>(Count - Done, Pipe::Capacity));
    REPRISE_TRY(T.copyIn(Buf + Done, Tmp));
    auto N = F.write(Tmp, nullptr);
    if (!N) {
      if (N.error() == Errno::LX_EPIPE) {
        T.kernel().sendSignal(T.group(), &T,
                              Kernel::userSignal(T, LX_SIGPIPE, LX_SI_USER, T.group()));
        if (Done)
          return int64_t(Done);
        return Errno::LX_EPIPE;
      }
      if (N.error() == Errno::LX_EAGAIN) {
        if (F.flags() & LX_O_NONBLOCK)
          return Done ? SysResult(int64_t(Done)) : SysResult(Errno::LX_EAGAIN);
        return T.kernel().block(T, {&F.pipe().Writable}, 0, "write(pipe)");
      }
      return Done ? SysResult(int64_t(Done)) : SysResult(N.error());
    }
    T.Wait.Progress += *N;
  }
  return int64_t(Count);
}

} // namespace

SysResult pipeWrite(Task &T, PipeFile &F, uint64_t Buf, uint64_t Count) {
  SysResult R = writeAll(T, F, Buf, Count);
  // Progress speaks only for a write parked midway (a signal that ends the
  // wait returns it); a write that returned leaves none behind for the
  // next blocking call to report.
  if (R || R.error() != Errno::REPRISE_BLOCKED)
    T.Wait.Progress = 0;
  return R;
}

namespace {

SysResult makePipe(Task &T, uint64_t Addr, uint32_t Flags) {
  if (Flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_O_DIRECT))
    return Errno::LX_EINVAL;
  auto P = std::make_shared<Pipe>();
  P->Ino = T.kernel().nextAnonIno();
  uint32_t Status = Flags & LX_O_NONBLOCK;
  auto R = std::make_shared<PipeFile>(P, false, LX_O_RDONLY | Status);
  auto W = std::make_shared<PipeFile>(P, true, LX_O_WRONLY | Status);
  R->Path = W->Path = "pipe:[" + std::to_string(P->Ino) + "]";
  uint64_t Limit = T.kernel().limit(T, LX_RLIMIT_NOFILE);
  bool Cloexec = Flags & LX_O_CLOEXEC;
  int Rfd = REPRISE_TRY(T.fds().install(R, Cloexec, 0, Limit));
  auto Wfd = T.fds().install(W, Cloexec, 0, Limit);
  if (!Wfd) {
    (void)T.fds().close(Rfd);
    return Wfd.error();
  }
  std::array<int32_t, 2> Fds{Rfd, *Wfd};
  if (auto E = T.copyOutObj(Addr, Fds); !E) {
    (void)T.fds().close(Rfd);
    (void)T.fds().close(*Wfd);
    return E.error();
  }
  return 0;
}

} // namespace

// Implements pipe2(2).
SysResult sysPipe2(Task &T, const SyscallArgs &A) {
  return makePipe(T, A.arg(0), A.u32(1));
}

// Implements pipe(2).
SysResult sysPipe(Task &T, const SyscallArgs &A) { return makePipe(T, A.arg(0), 0); }

} // namespace reprise
