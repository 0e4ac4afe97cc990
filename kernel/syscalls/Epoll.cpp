//===- kernel/syscalls/Epoll.cpp - epoll ----------------------------------===//
#include "kernel/Epoll.h"

#include "kernel/AnonInode.h"
#include "kernel/Kernel.h"
#include "kernel/PollReady.h"
#include "kernel/abi/Structs.h"

#include <algorithm>
#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

// epoll_ctl(2) operations and the flag bits of an entry's events.
constexpr int32_t CtlAdd = 1, CtlDel = 2, CtlMod = 3;
constexpr uint32_t EpollRdHup = 0x2000, EpollExclusive = 1u << 28,
                   EpollWakeup = 1u << 29, EpollOneShot = 1u << 30,
                   EpollEt = 1u << 31;
constexpr uint64_t NsPerSec = 1'000'000'000;

/// The events of an entry that can be reported: what it asked for, and
/// errors and hang-ups always (epoll_ctl(2)).
uint32_t wanted(const EpollFile::Entry &E) {
  return (E.Events & ~(EpollExclusive | EpollWakeup | EpollOneShot | EpollEt)) |
         LX_POLLERR | LX_POLLHUP;
}

/// The wake-ups of \p F's queues so far (EPOLLET's edges).
uint64_t wakesOf(Task &T, fs::OpenFile &F) {
  std::vector<WaitQueue *> Queues;
  pollQueues(T, F, Queues);
  uint64_t N = 0;
  for (WaitQueue *Q : Queues)
    N += Q->wakes();
  return N;
}

/// struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned
/// on arm64 (16 bytes).
size_t eventSize(Arch A) { return A == Arch::X86_64 ? 12 : 16; }

void encodeEvent(Arch A, uint8_t *Out, uint32_t Events, uint64_t Data) {
  std::memset(Out, 0, eventSize(A));
  std::memcpy(Out, &Events, 4);
  std::memcpy(Out + (A == Arch::X86_64 ? 4 : 8), &Data, 8);
}

SysResult createEpoll(Task &T, uint32_t Flags) {
  if (Flags & ~LX_O_CLOEXEC)
    return Errno::LX_EINVAL;
  auto F = std::make_shared<EpollFile>(T.kernel().nextAnonIno(), 0);
  return REPRISE_TRY(T.fds().install(F, Flags & LX_O_CLOEXEC, 0,
                                     T.kernel().limit(T, LX_RLIMIT_NOFILE)));
}

Result<EpollFile *> epollOf(Task &T, int32_t Fd, fs::FileRef &Hold) {
  Hold = REPRISE_TRY(T.fds().get(Fd));
  auto *E = dynamic_cast<EpollFile *>(Hold.get());
  if (!E)
    return Errno::LX_EINVAL;
  return E;
}

/// What epoll_wait, epoll_pwait and epoll_pwait2 share once the timeout is
/// a deadline on the monotonic clock (0: none; already due: do not wait).
SysResult doWait(Task &T, int32_t EpFd, uint64_t Buf, int32_t MaxEvents,
                 uint64_t Deadline) {
  Kernel &K = T.kernel();
  bool TimedOut = false;
  if (T.Wait.Restarted) {
    Deadline = T.Wait.Deadline;
    TimedOut = T.Wait.TimedOut;
  }
  // "EINVAL ... maxevents is less than or equal to zero" (epoll_wait(2)),
  // and at most what fits in INT_MAX bytes.
  size_t Size = eventSize(T.arch());
  if (MaxEvents <= 0 || uint64_t(MaxEvents) > INT32_MAX / Size)
    return Errno::LX_EINVAL;
  fs::FileRef Hold;
  EpollFile *E = REPRISE_TRY(epollOf(T, EpFd, Hold));
  if (!T.mm().accessible(Buf, uint64_t(MaxEvents) * Size, true))
    return Errno::LX_EFAULT;
  auto Ready = E->collect(T, size_t(MaxEvents));
  if (!Ready.empty()) {
    std::vector<uint8_t> Out(Ready.size() * Size);
    for (size_t I = 0; I < Ready.size(); ++I)
      encodeEvent(T.arch(), Out.data() + I * Size, Ready[I].first, Ready[I].second);
    REPRISE_TRY(T.copyOut(Buf, Out));
    return int64_t(Ready.size());
  }
  if (TimedOut || (Deadline && Deadline <= K.monotonicNs()))
    return 0;
  std::vector<WaitQueue *> Queues;
  E->addQueues(T, Queues);
  T.Wait.Restart = RestartKind::NoHand; // a handler ends it with EINTR
  return K.block(T, Queues, Deadline, "epoll_wait");
}

uint64_t deadlineAfterMs(Task &T, int32_t TimeoutMs) {
  if (TimeoutMs < 0)
    return 0;
  return T.kernel().monotonicNs() + uint64_t(TimeoutMs) * 1'000'000;
}

/// epoll_pwait and epoll_pwait2: the mask replaces the caller's while it
/// waits, as for ppoll.
SysResult pwait(Task &T, const SyscallArgs &A, uint64_t Deadline) {
  if (!T.Wait.Restarted && A.arg(4)) {
    if (A.arg(5) != 8)
      return Errno::LX_EINVAL;
    uint64_t Mask = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(4)));
    T.SavedMask = T.SigMask;
    T.SigMask = Mask & ~UnblockableSignals;
  }
  SysResult R = doWait(T, A.i32(0), A.arg(1), A.i32(2), Deadline);
  if (!R && R.error() == Errno::REPRISE_BLOCKED)
    return R;
  if (T.SavedMask) {
    T.SigMask = *T.SavedMask;
    T.SavedMask.reset();
  }
  return R;
}

} // namespace

EpollFile::EpollFile(uint64_t Ino, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Ino, 0600, AnonInode::AnonDev),
               LX_O_RDWR | Flags) {
  Path = "anon_inode:[eventpoll]";
}

std::vector<std::pair<uint32_t, uint64_t>> EpollFile::collect(Task &T, size_t Max) {
  std::vector<std::pair<uint32_t, uint64_t>> Out;
  for (auto It = Entries.begin(); It != Entries.end();) {
    auto File = It->second.File.lock();
    if (!File) { // closed everywhere: Linux drops the registration
      It = Entries.erase(It);
      continue;
    }
    Entry &E = It->second;
    ++It;
    if (E.Disarmed)
      continue;
    uint32_t Now = pollReady(T, *File) & wanted(E);
    if (!Now || Out.size() == Max)
      continue;
    if (E.Events & EpollEt) {
      uint64_t Wakes = wakesOf(T, *File);
      if (Wakes == E.SeenWakes)
        continue;
      E.SeenWakes = Wakes;
    }
    Out.emplace_back(Now, E.Data);
    if (E.Events & EpollOneShot)
      E.Disarmed = true;
  }
  return Out;
}

bool EpollFile::anyReady(Task &T) {
  for (auto &[Fd, E] : Entries) {
    auto File = E.File.lock();
    if (!File || E.Disarmed)
      continue;
    uint32_t Now = pollReady(T, *File) & wanted(E);
    if (Now && (!(E.Events & EpollEt) || wakesOf(T, *File) != E.SeenWakes))
      return true;
  }
  return false;
}

void EpollFile::addQueues(Task &T, std::vector<WaitQueue *> &Queues) {
  for (auto &[Fd, E] : Entries)
    if (auto File = E.File.lock())
      pollQueues(T, *File, Queues);
}

// Implements epoll_create1(2).
SysResult sysEpollCreate1(Task &T, const SyscallArgs &A) {
  return createEpoll(T, A.u32(0));
}

// Implements epoll_create(2) (x86-64): SIZE is only checked, as on Linux.
SysResult sysEpollCreate(Task &T, const SyscallArgs &A) {
  if (A.i32(0) <= 0)
    return Errno::LX_EINVAL;
  return createEpoll(T, 0);
}

// Implements epoll_ctl(2). Regular files and directories cannot be watched
// (EPERM, as Linux answers for files without a poll operation), nor can an
// epoll instance (reprise does not nest them yet: EINVAL).
SysResult sysEpollCtl(Task &T, const SyscallArgs &A) {
  int32_t Op = A.i32(1), Fd = A.i32(2);
  fs::FileRef Hold;
  // EBADF for either descriptor comes before EINVAL for an epfd that is not
  // an epoll instance.
  auto Target = REPRISE_TRY(T.fds().get(Fd));
  REPRISE_TRY(T.fds().get(A.i32(0)));
  EpollFile *E = REPRISE_TRY(epollOf(T, A.i32(0), Hold));
  if (Fd == A.i32(0) || dynamic_cast<EpollFile *>(Target.get()))
    return Errno::LX_EINVAL;
  uint32_t Type = Target->node()->fileType();
  if (Type == LX_S_IFREG || Type == LX_S_IFDIR)
    return Errno::LX_EPERM;
  struct {
    uint32_t Events = 0;
    uint64_t Data = 0;
  } Ev;
  if (Op != CtlDel) {
    size_t Size = eventSize(T.arch());
    uint8_t Raw[16] = {};
    REPRISE_TRY(T.copyIn(A.arg(3), {Raw, Size}));
    std::memcpy(&Ev.Events, Raw, 4);
    std::memcpy(&Ev.Data, Raw + (T.arch() == Arch::X86_64 ? 4 : 8), 8);
  }
  auto It = E->Entries.find(Fd);
  // An entry whose file was closed and whose number was reused is stale.
  if (It != E->Entries.end() && It->second.File.lock() != Target) {
    E->Entries.erase(It);
    It = E->Entries.end();
  }
  switch (Op) {
  case CtlAdd:
    if (It != E->Entries.end())
      return Errno::LX_EEXIST;
    E->Entries[Fd] = EpollFile::Entry{Target, Ev.Events, Ev.Data};
    return 0;
  case CtlMod:
    if (It == E->Entries.end())
      return Errno::LX_ENOENT;
    if ((Ev.Events | It->second.Events) & EpollExclusive)
      return Errno::LX_EINVAL;
    It->second = EpollFile::Entry{Target, Ev.Events, Ev.Data};
    return 0;
  case CtlDel:
    if (It == E->Entries.end())
      return Errno::LX_ENOENT;
    E->Entries.erase(It);
    return 0;
  default:
    return Errno::LX_EINVAL;
  }
}

// Implements epoll_wait(2) (x86-64): TIMEOUT milliseconds, negative for none.
SysResult sysEpollWait(Task &T, const SyscallArgs &A) {
  return doWait(T, A.i32(0), A.arg(1), A.i32(2), deadlineAfterMs(T, A.i32(3)));
}

// Implements epoll_pwait(2).
SysResult sysEpollPwait(Task &T, const SyscallArgs &A) {
  return pwait(T, A, T.Wait.Restarted ? 0 : deadlineAfterMs(T, A.i32(3)));
}

// Implements epoll_pwait2(2): the timeout is a timespec (null: none).
SysResult sysEpollPwait2(Task &T, const SyscallArgs &A) {
  uint64_t Deadline = 0;
  if (!T.Wait.Restarted && A.arg(3)) {
    auto Ts = REPRISE_TRY(T.copyInObj<timespec>(A.arg(3)));
    if (Ts.tv_sec < 0 || Ts.tv_nsec < 0 || Ts.tv_nsec >= int64_t(NsPerSec))
      return Errno::LX_EINVAL;
    uint64_t Ns = uint64_t(Ts.tv_sec) > UINT64_MAX / NsPerSec - 1
                      ? UINT64_MAX / 4
                      : uint64_t(Ts.tv_sec) * NsPerSec + uint64_t(Ts.tv_nsec);
    Deadline = T.kernel().monotonicNs() + std::min<uint64_t>(Ns, UINT64_MAX / 4);
  }
  return pwait(T, A, Deadline);
}

} // namespace reprise
