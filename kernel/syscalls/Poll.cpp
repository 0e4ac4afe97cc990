//===- kernel/syscalls/Poll.cpp - poll and ppoll --------------------------===//
//
// Only pipes can make a poll wait: every other file reprise offers (host
// files, devices, /proc, the host's stdio) reads and writes without parking
// the task, so it is always ready, as Linux reports a file that has no poll
// operation of its own (DEFAULT_POLLMASK in include/linux/poll.h).
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "kernel/Pipe.h"
#include "kernel/SignalFd.h"
#include "kernel/abi/Structs.h"

#include <algorithm>
#include <vector>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint64_t NsPerSec = 1'000'000'000;
constexpr uint16_t DefaultPollMask =
    LX_POLLIN | LX_POLLOUT | LX_POLLRDNORM | LX_POLLWRNORM;

/// The events \p F is ready for, as Linux's pipe_poll computes them for a
/// pipe: data to read, room for an atomic write, or the other end gone.
uint16_t readyEvents(fs::OpenFile &F) {
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
    P.revents = int16_t(readyEvents(**F) & Want);
    if (P.revents) {
      Ready++;
      continue;
    }
    if (auto *Sf = dynamic_cast<SignalFdFile *>(F->get())) {
      // Readable while a signal of its set is pending for this thread.
      if ((T.pendingSignals() & Sf->Mask) && (P.events & LX_POLLIN)) {
        P.revents = LX_POLLIN;
        Ready++;
        continue;
      }
      WaitQueue *Q = &T.group().SignalArrived;
      if (std::find(Queues.begin(), Queues.end(), Q) == Queues.end())
        Queues.push_back(Q);
      continue;
    }
    if (auto *Pf = dynamic_cast<PipeFile *>(F->get())) {
      WaitQueue *Q =
          Pf->writeEnd() ? &Pf->pipe().Writable : &Pf->pipe().Readable;
      if (std::find(Queues.begin(), Queues.end(), Q) == Queues.end())
        Queues.push_back(Q);
    }
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

} // namespace

// Implements poll(2): TIMEOUT milliseconds, negative for none.
SysResult sysPoll(Task &T, const SyscallArgs &A) {
  int32_t TimeoutMs = A.i32(2);
  uint64_t Deadline = 0;
  if (TimeoutMs >= 0) // 0 makes a deadline already due: report and return
    Deadline = T.kernel().monotonicNs() + uint64_t(TimeoutMs) * 1'000'000;
  return doPoll(T, A.arg(0), A.arg(1), Deadline);
}

// Implements ppoll(2). The mask replaces the caller's while it waits, as
// sigsuspend does: a handler that ends the wait runs under it and returns
// to the caller's own mask; any other return puts the caller's mask back.
SysResult sysPpoll(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  uint64_t Deadline = 0;
  bool Zero = false;
  if (!T.Wait.Restarted) {
    if (A.arg(2)) {
      auto Ts = REPRISE_TRY(T.copyInObj<timespec>(A.arg(2)));
      if (Ts.tv_sec < 0 || Ts.tv_nsec < 0 || Ts.tv_nsec >= int64_t(NsPerSec))
        return Errno::LX_EINVAL;
      uint64_t Ns = uint64_t(Ts.tv_sec) > UINT64_MAX / NsPerSec - 1
                        ? UINT64_MAX / 2
                        : uint64_t(Ts.tv_sec) * NsPerSec + uint64_t(Ts.tv_nsec);
      Zero = Ns == 0;
      Deadline = K.monotonicNs() + std::min<uint64_t>(Ns, UINT64_MAX / 4);
    }
    if (A.arg(3)) {
      if (A.arg(4) != 8)
        return Errno::LX_EINVAL;
      uint64_t Mask = REPRISE_TRY(T.copyInObj<uint64_t>(A.arg(3)));
      T.SavedMask = T.SigMask;
      T.SigMask = Mask & ~UnblockableSignals;
    }
  }
  SysResult R = doPoll(T, A.arg(0), A.arg(1), Deadline);
  if (!R && R.error() == Errno::REPRISE_BLOCKED)
    return R;
  if (T.SavedMask) {
    T.SigMask = *T.SavedMask;
    T.SavedMask.reset();
  }
  // Linux writes the time left back to a non-zero timeout (and ignores a
  // failure to, for timeouts kept in read-only memory).
  uint64_t Left = T.Wait.Restarted ? T.Wait.Deadline : Deadline;
  if (A.arg(2) && !Zero) {
    uint64_t Now = K.monotonicNs();
    Left = Left > Now ? Left - Now : 0;
    (void)T.copyOutObj(
        A.arg(2), timespec{int64_t(Left / NsPerSec), int64_t(Left % NsPerSec)});
  }
  return R;
}

} // namespace reprise
