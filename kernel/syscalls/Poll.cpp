//===- kernel/syscalls/Poll.cpp - poll, ppoll and readiness ---------------===//
//
// Only pipes, sockets, eventfds, signalfds and epoll instances can make a
// poll wait: every other file reprise offers (host files, devices, /proc,
// the host's stdio) reads and writes without parking the task, so it is
// always ready (see kernel/PollReady.h).
//
//===----------------------------------------------------------------------===//
#include "kernel/Epoll.h"
#include "kernel/EventFd.h"
#include "kernel/Kernel.h"
#include "kernel/Pipe.h"
#include "kernel/PollReady.h"
#include "kernel/SignalFd.h"
#include "kernel/Socket.h"
#include "kernel/abi/Structs.h"

#include <algorithm>
#include <vector>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint64_t NsPerSec = 1'000'000'000;
constexpr uint16_t DefaultPollMask =
    LX_POLLIN | LX_POLLOUT | LX_POLLRDNORM | LX_POLLWRNORM;

} // namespace

// A pipe's events are those Linux's pipe_poll computes: data to read, room
// for an atomic write, or the other end gone.
uint16_t pollReady(Task &T, fs::OpenFile &F) {
  if (auto *Sf = dynamic_cast<SignalFdFile *>(&F)) // signalfd_poll: POLLIN only
    return (T.pendingSignals() & Sf->Mask) ? LX_POLLIN : 0;
  if (auto *E = dynamic_cast<EpollFile *>(&F)) // readable with events to take
    return E->anyReady(T) ? LX_POLLIN | LX_POLLRDNORM : 0;
  if (auto *S = dynamic_cast<SocketFile *>(&F))
    return socketPollReady(S->socket());
  if (auto *Ev = dynamic_cast<EventFdFile *>(&F)) // eventfd_poll
    return uint16_t((Ev->Count ? LX_POLLIN | LX_POLLRDNORM : 0) |
                    (Ev->Count < EventFdFile::Max ? LX_POLLOUT | LX_POLLWRNORM : 0));
  auto *P = dynamic_cast<PipeFile *>(&F);
  if (!P)
    return DefaultPollMask;
  const Pipe &Pp = P->pipe();
  uint16_t Mask = 0;
  if (P->writeEnd()) {
    if (Pipe::Capacity - Pp.Buf.size() >= Pipe::Atomic)
      Mask |= LX_POLLOUT | LX_POLLWRNORM;
    if (!Pp.Readers)
      Mask |= LX_POLLERR;
    return Mask;
  }
  if (!Pp.Buf.empty())
    Mask |= LX_POLLIN | LX_POLLRDNORM;
  if (!Pp.Writers)
    Mask |= LX_POLLHUP;
  return Mask;
}

void pollQueues(Task &T, fs::OpenFile &F, std::vector<WaitQueue *> &Queues) {
  auto Add = [&](WaitQueue *Q) {
    if (std::find(Queues.begin(), Queues.end(), Q) == Queues.end())
      Queues.push_back(Q);
  };
  if (dynamic_cast<SignalFdFile *>(&F))
    Add(&T.group().SignalArrived);
  else if (auto *P = dynamic_cast<PipeFile *>(&F))
    Add(P->writeEnd() ? &P->pipe().Writable : &P->pipe().Readable);
  else if (auto *E = dynamic_cast<EpollFile *>(&F))
    E->addQueues(T, Queues);
  else if (auto *S = dynamic_cast<SocketFile *>(&F))
    socketPollQueues(S->socket(), Queues);
  else if (auto *Ev = dynamic_cast<EventFdFile *>(&F)) {
    Add(&Ev->Readable);
    Add(&Ev->Writable);
  }
}

namespace {

/// What poll and ppoll share once the timeout is a deadline on the monotonic
/// clock (\p Deadline 0: wait without end; \p Deadline <= now: do not wait).
/// On a re-run after a wake the deadline of the first call stands.
SysResult doPoll(Task &T, uint64_t Addr, uint64_t Nfds, uint64_t Deadline) {
  Kernel &K = T.kernel();
  bool TimedOut = false;
  if (T.Wait.Restarted) {
    Deadline = T.Wait.Deadline;
    TimedOut = T.Wait.TimedOut;
  }
  // "EINVAL The nfds value exceeds the RLIMIT_NOFILE value." (poll(2))
  if (Nfds > K.limit(T, LX_RLIMIT_NOFILE))
    return Errno::LX_EINVAL;
  std::vector<pollfd> Fds(Nfds);
  REPRISE_TRY(T.copyIn(Addr, {reinterpret_cast<uint8_t *>(Fds.data()),
                              Fds.size() * sizeof(pollfd)}));
  std::vector<WaitQueue *> Queues;
  int64_t Ready = 0;
  for (pollfd &P : Fds) {
    P.revents = 0;
    if (P.fd < 0)
      continue; // ignored, as poll(2) promises
    auto F = T.fds().get(P.fd);
    if (!F) {
      P.revents = LX_POLLNVAL;
      Ready++;
      continue;
    }
    uint16_t Want = uint16_t(P.events) | LX_POLLERR | LX_POLLHUP;
    P.revents = int16_t(pollReady(T, **F) & Want);
    if (P.revents) {
      Ready++;
      continue;
    }
    pollQueues(T, **F, Queues);
  }
  bool Expired = TimedOut || (Deadline && Deadline <= K.monotonicNs());
  if (Ready || Expired) {
    REPRISE_TRY(T.copyOut(Addr, {reinterpret_cast<const uint8_t *>(Fds.data()),
                                 Fds.size() * sizeof(pollfd)}));
    return Ready;
  }
  // With no pipe to wait on (every descriptor negative, or asking for
  // events its file never has) Linux sleeps until the timeout or a signal;
  // so does this, and a sleep without end shows in the deadlock report.
  T.Wait.Restart = RestartKind::NoHand; // a handler ends it with EINTR
  return K.block(T, Queues, Deadline, "poll");
}

/// What select and pselect6 share: poll's readiness seen through three
/// descriptor bitmaps of \p Nfds bits (null pointers for sets not asked),
/// with Linux's grouping of events into readable, writable and exceptional.
SysResult doSelect(Task &T, int64_t Nfds, const uint64_t Sets[3], uint64_t Deadline) {
  Kernel &K = T.kernel();
  bool TimedOut = false;
  if (T.Wait.Restarted) {
    Deadline = T.Wait.Deadline;
    TimedOut = T.Wait.TimedOut;
  }
  if (Nfds < 0)
    return Errno::LX_EINVAL;
  // Bits past the descriptor table's size are not looked at (Linux clamps
  // to its table, which grows to the limit).
  Nfds = int64_t(std::min<uint64_t>(uint64_t(Nfds), K.limit(T, LX_RLIMIT_NOFILE)));
  size_t Words = size_t((Nfds + 63) / 64);
  std::vector<uint64_t> In[3], Out[3];
  for (int S = 0; S < 3; ++S) {
    In[S].assign(Words, 0);
    Out[S].assign(Words, 0);
    if (Sets[S] && Words)
      REPRISE_TRY(T.copyIn(Sets[S], {reinterpret_cast<uint8_t *>(In[S].data()),
                                     Words * 8}));
  }
  constexpr uint16_t Want[3] = {
      LX_POLLIN | LX_POLLRDNORM | LX_POLLRDBAND | LX_POLLHUP | LX_POLLERR,
      LX_POLLOUT | LX_POLLWRNORM | LX_POLLWRBAND | LX_POLLERR, LX_POLLPRI};
  std::vector<WaitQueue *> Queues;
  int64_t Ready = 0;
  for (int64_t Fd = 0; Fd < Nfds; ++Fd) {
    size_t W = size_t(Fd / 64);
    uint64_t Bit = 1ull << (Fd % 64);
    if (!((In[0][W] | In[1][W] | In[2][W]) & Bit))
      continue;
    auto F = REPRISE_TRY(T.fds().get(int32_t(Fd)));
    uint16_t Events = pollReady(T, *F);
    bool Any = false;
    for (int S = 0; S < 3; ++S)
      if ((In[S][W] & Bit) && (Events & Want[S])) {
        Out[S][W] |= Bit;
        ++Ready;
        Any = true;
      }
    if (!Any)
      pollQueues(T, *F, Queues);
  }
  bool Expired = TimedOut || (Deadline && Deadline <= K.monotonicNs());
  if (Ready || Expired) {
    for (int S = 0; S < 3; ++S)
      if (Sets[S] && Words)
        REPRISE_TRY(T.copyOut(Sets[S], {reinterpret_cast<const uint8_t *>(Out[S].data()),
                                        Words * 8}));
    return Ready;
  }
  T.Wait.Restart = RestartKind::NoHand;
  return K.block(T, Queues, Deadline, "select");
}

/// ppoll and pselect6: \p Wait runs with the deadline of the timespec at
/// \p TsAddr (none when null) and, when \p MaskAddr is given, the signal
/// mask there in place of the caller's, as sigsuspend does (a handler that
/// ends the wait runs under it and returns to the caller's own mask; any
/// other return puts the caller's mask back). The time left is written
/// back to a non-zero timeout.
SysResult waitWithMask(Task &T, uint64_t TsAddr, uint64_t MaskAddr, uint64_t MaskSize,
                       llvm::function_ref<SysResult(uint64_t)> Wait) {
  Kernel &K = T.kernel();
  uint64_t Deadline = 0;
  bool Zero = false;
  if (!T.Wait.Restarted) {
    if (TsAddr) {
      auto Ts = REPRISE_TRY(T.copyInObj<timespec>(TsAddr));
      if (Ts.tv_sec < 0 || Ts.tv_nsec < 0 || Ts.tv_nsec >= int64_t(NsPerSec))
        return Errno::LX_EINVAL;
      uint64_t Ns = uint64_t(Ts.tv_sec) > UINT64_MAX / NsPerSec - 1
                        ? UINT64_MAX / 2
                        : uint64_t(Ts.tv_sec) * NsPerSec + uint64_t(Ts.tv_nsec);
      Zero = Ns == 0;
      Deadline = K.monotonicNs() + std::min<uint64_t>(Ns, UINT64_MAX / 4);
    }
    if (MaskAddr) {
      if (MaskSize != 8)
        return Errno::LX_EINVAL;
      uint64_t Mask = REPRISE_TRY(T.copyInObj<uint64_t>(MaskAddr));
      T.SavedMask = T.SigMask;
      T.SigMask = Mask & ~UnblockableSignals;
    }
  }
  SysResult R = Wait(Deadline);
  if (!R && R.error() == Errno::REPRISE_BLOCKED)
    return R;
  if (T.SavedMask) {
    T.SigMask = *T.SavedMask;
    T.SavedMask.reset();
  }
  // Linux ignores a failure to write it back (a timeout in read-only memory).
  uint64_t Left = T.Wait.Restarted ? T.Wait.Deadline : Deadline;
  if (TsAddr && !Zero) {
    uint64_t Now = K.monotonicNs();
    Left = Left > Now ? Left - Now : 0;
    (void)T.copyOutObj(TsAddr,
                       timespec{int64_t(Left / NsPerSec), int64_t(Left % NsPerSec)});
  }
  return R;
}

} // namespace

// Implements poll(2): TIMEOUT milliseconds, negative for none.
SysResult sysPoll(Task &T, const SyscallArgs &A) {
  int32_t TimeoutMs = A.i32(2);
  uint64_t Deadline = 0;
  if (TimeoutMs >= 0) // 0 makes a deadline already due: report and return
    Deadline = T.kernel().monotonicNs() + uint64_t(TimeoutMs) * 1'000'000;
  return doPoll(T, A.arg(0), A.arg(1), Deadline);
}

// Implements ppoll(2) (see waitWithMask for the mask and the timeout).
SysResult sysPpoll(Task &T, const SyscallArgs &A) {
  return waitWithMask(T, A.arg(2), A.arg(3), A.arg(4), [&](uint64_t Deadline) {
    return doPoll(T, A.arg(0), A.arg(1), Deadline);
  });
}

// Implements select(2) (x86-64 only): a timeval timeout, which Linux
// updates with the time left.
SysResult sysSelect(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  uint64_t Sets[3] = {A.arg(1), A.arg(2), A.arg(3)};
  uint64_t Deadline = 0;
  if (A.arg(4) && !T.Wait.Restarted) {
    auto Tv = REPRISE_TRY(T.copyInObj<timeval>(A.arg(4)));
    // Linux carries whole seconds out of tv_usec before it checks.
    if (Tv.tv_usec > 0) {
      Tv.tv_sec += Tv.tv_usec / 1'000'000;
      Tv.tv_usec %= 1'000'000;
    }
    if (Tv.tv_sec < 0 || Tv.tv_usec < 0)
      return Errno::LX_EINVAL;
    uint64_t Ns = uint64_t(Tv.tv_sec) > UINT64_MAX / NsPerSec - 1
                      ? UINT64_MAX / 2
                      : uint64_t(Tv.tv_sec) * NsPerSec + uint64_t(Tv.tv_usec) * 1000;
    Deadline = K.monotonicNs() + std::min<uint64_t>(Ns, UINT64_MAX / 4);
  }
  SysResult R = doSelect(T, A.i32(0), Sets, Deadline);
  if (!R && R.error() == Errno::REPRISE_BLOCKED)
    return R;
  if (A.arg(4)) {
    uint64_t End = T.Wait.Restarted ? T.Wait.Deadline : Deadline;
    uint64_t Now = K.monotonicNs();
    uint64_t Left = End > Now ? End - Now : 0;
    (void)T.copyOutObj(A.arg(4), timeval{int64_t(Left / NsPerSec),
                                         int64_t(Left % NsPerSec / 1000)});
  }
  return R;
}

// Implements pselect6(2): the sixth argument points at the mask's address
// and size.
SysResult sysPselect6(Task &T, const SyscallArgs &A) {
  uint64_t MaskAddr = 0, MaskSize = 0;
  if (A.arg(5)) {
    auto Pair = REPRISE_TRY((T.copyInObj<std::array<uint64_t, 2>>(A.arg(5))));
    MaskAddr = Pair[0];
    MaskSize = Pair[1];
  }
  uint64_t Sets[3] = {A.arg(1), A.arg(2), A.arg(3)};
  return waitWithMask(T, A.arg(4), MaskAddr, MaskSize, [&](uint64_t Deadline) {
    return doSelect(T, A.i32(0), Sets, Deadline);
  });
}

} // namespace reprise
