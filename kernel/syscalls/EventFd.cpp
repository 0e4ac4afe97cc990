//===- kernel/syscalls/EventFd.cpp - eventfd and eventfd2 -----------------===//
#include "kernel/EventFd.h"

#include "kernel/AnonInode.h"
#include "kernel/Kernel.h"
#include "kernel/abi/Constants.h"

#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint32_t EfdSemaphore = 1;

SysResult makeEventFd(Task &T, uint64_t Initial, uint32_t Flags) {
  if (Flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK | EfdSemaphore))
    return Errno::LX_EINVAL;
  auto F = std::make_shared<EventFdFile>(Initial, Flags & EfdSemaphore,
                                         T.kernel().nextAnonIno(), Flags & LX_O_NONBLOCK);
  return REPRISE_TRY(T.fds().install(F, Flags & LX_O_CLOEXEC, 0,
                                     T.kernel().limit(T, LX_RLIMIT_NOFILE)));
}

} // namespace

EventFdFile::EventFdFile(uint64_t Initial, bool Semaphore, uint64_t Ino, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Ino, 0600, AnonInode::AnonDev), LX_O_RDWR | Flags),
      Count(Initial), Semaphore(Semaphore) {
  Path = "anon_inode:[eventfd]";
}

Result<size_t> EventFdFile::read(llvm::MutableArrayRef<uint8_t> Buf, const int64_t *) {
  if (Buf.size() < 8)
    return Errno::LX_EINVAL;
  if (Count == 0)
    return Errno::LX_EAGAIN;
  uint64_t V = Semaphore ? 1 : Count;
  Count -= V;
  std::memcpy(Buf.data(), &V, 8);
  Writable.wakeAll();
  return size_t(8);
}

Result<size_t> EventFdFile::write(llvm::ArrayRef<uint8_t> Buf, const int64_t *) {
  if (Buf.size() != 8) // exactly one value, as Linux checks
    return Errno::LX_EINVAL;
  uint64_t V;
  std::memcpy(&V, Buf.data(), 8);
  if (V == ~uint64_t(0))
    return Errno::LX_EINVAL;
  if (V > Max - Count)
    return Errno::LX_EAGAIN;
  Count += V;
  Readable.wakeAll(); // even for 0: an edge-triggered epoll sees the write
  return size_t(8);
}

SysResult eventFdRead(Task &T, EventFdFile &F, uint64_t Buf, uint64_t Count) {
  uint8_t Val[8];
  if (Count < 8)
    return Errno::LX_EINVAL;
  auto N = F.read(Val, nullptr);
  if (!N) {
    if (N.error() == Errno::LX_EAGAIN && !(F.flags() & LX_O_NONBLOCK))
      return T.kernel().block(T, {&F.Readable}, 0, "read(eventfd)");
    return N.error();
  }
  // As Linux: the count is taken even if the value cannot be written out.
  REPRISE_TRY(T.copyOut(Buf, Val));
  return 8;
}

SysResult eventFdWrite(Task &T, EventFdFile &F, uint64_t Buf, uint64_t Count) {
  if (Count != 8)
    return Errno::LX_EINVAL;
  uint8_t Val[8];
  REPRISE_TRY(T.copyIn(Buf, Val));
  auto N = F.write(Val, nullptr);
  if (!N) {
    if (N.error() == Errno::LX_EAGAIN && !(F.flags() & LX_O_NONBLOCK))
      return T.kernel().block(T, {&F.Writable}, 0, "write(eventfd)");
    return N.error();
  }
  return 8;
}

// Implements eventfd2(2).
SysResult sysEventfd2(Task &T, const SyscallArgs &A) {
  return makeEventFd(T, A.u32(0), A.u32(1));
}

// Implements eventfd(2): eventfd2 without flags.
SysResult sysEventfd(Task &T, const SyscallArgs &A) { return makeEventFd(T, A.u32(0), 0); }

} // namespace reprise
