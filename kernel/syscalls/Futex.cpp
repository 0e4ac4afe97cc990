//===- kernel/syscalls/Futex.cpp - futex(2) -------------------------------===//
//
// Waiters are kept per futex key in the order they arrived, so which task a
// wake picks is deterministic. A private futex is keyed by its address space
// and address; a shared one in a MAP_SHARED mapping by the physical frame, so
// that processes sharing the memory meet on it.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "kernel/abi/Constants.h"

namespace reprise {

using namespace linux_abi;

Result<Kernel::FutexKey> Kernel::futexKey(Task &T, uint64_t Addr, bool Private) {
  if (Addr & 3)
    return Errno::LX_EINVAL;
  if (!T.mm().accessible(Addr, 4, false))
    return Errno::LX_EFAULT;
  if (!Private)
    if (auto Phys = T.mm().sharedPhysical(Addr))
      return FutexKey{nullptr, *Phys};
  return FutexKey{T.MM.get(), Addr};
}

int Kernel::futexWake(FutexKey Key, int N, uint32_t Bitset) {
  auto It = Futexes.find(Key);
  if (It == Futexes.end() || N <= 0)
    return 0;
  std::vector<Task *> Chosen;
  auto &Ws = It->second;
  for (auto W = Ws.begin(); W != Ws.end() && int(Chosen.size()) < N;) {
    if (W->Bitset & Bitset) {
      Chosen.push_back(W->T);
      W = Ws.erase(W);
    } else {
      ++W;
    }
  }
  if (Ws.empty())
    Futexes.erase(It);
  for (Task *T : Chosen) {
    T->Wait.InFutex = false;
    wake(*T);
    T->Wait.Woken = true; // the re-run futex wait returns 0
  }
  return int(Chosen.size());
}

namespace {

/// Moves up to \p N waiters of \p From to \p To; returns how many moved.
int requeue(Kernel &K, Kernel::FutexKey From, Kernel::FutexKey To, int N) {
  auto &Map = K.futexes();
  auto It = Map.find(From);
  if (It == Map.end() || N <= 0 || From == To)
    return 0;
  int Moved = 0;
  auto &Src = It->second;
  while (!Src.empty() && Moved < N) {
    Kernel::FutexWaiter W = Src.front();
    Src.erase(Src.begin());
    W.T->Wait.FutexAt = To;
    Map[To].push_back(W);
    ++Moved;
  }
  if (Src.empty())
    Map.erase(From);
  return Moved;
}

/// FUTEX_WAKE_OP's operation on the second word and its comparison.
Result<bool> wakeOp(Task &T, uint64_t Addr, uint32_t Enc) {
  uint32_t Op = (Enc >> 28) & 7, Cmp = (Enc >> 24) & 15;
  int32_t OpArg = int32_t(Enc << 8) >> 20, CmpArg = int32_t(Enc << 20) >> 20;
  if (Enc & (8u << 28)) // FUTEX_OP_OPARG_SHIFT
    OpArg = (OpArg < 0 || OpArg > 31) ? 0 : (1 << OpArg);
  int32_t Old = REPRISE_TRY(T.copyInObj<int32_t>(Addr));
  int32_t New;
  switch (Op) {
  case 0: New = OpArg; break;       // SET
  case 1: New = Old + OpArg; break; // ADD
  case 2: New = Old | OpArg; break; // OR
  case 3: New = Old & ~OpArg; break; // ANDN
  case 4: New = Old ^ OpArg; break; // XOR
  default: return Errno::LX_ENOSYS;
  }
  REPRISE_TRY(T.copyOutObj<int32_t>(Addr, New));
  switch (Cmp) {
  case 0: return Old == CmpArg;
  case 1: return Old != CmpArg;
  case 2: return Old < CmpArg;
  case 3: return Old <= CmpArg;
  case 4: return Old > CmpArg;
  case 5: return Old >= CmpArg;
  default: return Errno::LX_ENOSYS;
  }
}

} // namespace

// Implements futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP,
// WAIT_BITSET and WAKE_BITSET; timeouts run on the virtual clock.
SysResult sysFutex(Task &T, const SyscallArgs &A) {
  Kernel &K = T.kernel();
  uint64_t Addr = A.arg(0);
  int32_t Op = A.i32(1);
  int Cmd = Op & ~(LX_FUTEX_PRIVATE_FLAG | LX_FUTEX_CLOCK_REALTIME);
  bool Private = Op & LX_FUTEX_PRIVATE_FLAG;
  bool Realtime = Op & LX_FUTEX_CLOCK_REALTIME;
  uint32_t Val = A.u32(2);
  if (Realtime && Cmd != LX_FUTEX_WAIT_BITSET && Cmd != LX_FUTEX_WAIT)
    return Errno::LX_ENOSYS;

  switch (Cmd) {
  case LX_FUTEX_WAIT:
  case LX_FUTEX_WAIT_BITSET: {
    if (T.Wait.Restarted) {
      if (T.Wait.Woken)
        return 0;
      if (T.Wait.TimedOut)
        return Errno::LX_ETIMEDOUT;
      if (K.handledSignal(T)) {
        // Woken for a signal handler: the scheduler ends the wait with
        // EINTR or a restart, as the restart kind says.
        T.Wait.Restart = A.arg(3) ? RestartKind::Block : RestartKind::Sys;
        return K.block(T, {}, 0, "futex");
      }
      return 0;
    }
    uint32_t Bitset = Cmd == LX_FUTEX_WAIT ? LX_FUTEX_BITSET_MATCH_ANY : A.u32(5);
    if (!Bitset)
      return Errno::LX_EINVAL;
    auto Key = REPRISE_TRY(K.futexKey(T, Addr, Private));
    uint64_t Deadline = 0;
    if (A.arg(3)) {
      using Timespec = std::array<int64_t, 2>;
      auto Ts = REPRISE_TRY(T.copyInObj<Timespec>(A.arg(3)));
      if (Ts[0] < 0 || Ts[1] < 0 || Ts[1] >= 1'000'000'000)
        return Errno::LX_EINVAL;
      uint64_t Ns = uint64_t(Ts[0]) * 1'000'000'000 + uint64_t(Ts[1]);
      uint64_t Now = K.monotonicNs();
      if (Cmd == LX_FUTEX_WAIT) {
        Deadline = Now + Ns; // relative
      } else if (Realtime) {
        fs::Timespec R = K.realtime();
        uint64_t RealNow = uint64_t(R.Sec) * 1'000'000'000 + uint64_t(R.Nsec);
        Deadline = Ns > RealNow ? Now + (Ns - RealNow) : Now;
      } else {
        Deadline = Ns; // absolute CLOCK_MONOTONIC
      }
      if (Deadline <= Now)
        return Errno::LX_ETIMEDOUT;
    }
    uint32_t Cur = REPRISE_TRY(T.copyInObj<uint32_t>(Addr));
    if (Cur != Val)
      return Errno::LX_EAGAIN;
    K.futexes()[Key].push_back({&T, Bitset});
    T.Wait.InFutex = true;
    T.Wait.FutexAt = Key;
    // A timed wait ends with EINTR when a handler runs (Linux restarts it
    // through restart_block only when no handler does); an untimed one
    // follows SA_RESTART.
    T.Wait.Restart = Deadline ? RestartKind::Block : RestartKind::Sys;
    return K.block(T, {}, Deadline, "futex");
  }
  case LX_FUTEX_WAKE:
  case LX_FUTEX_WAKE_BITSET: {
    uint32_t Bitset = Cmd == LX_FUTEX_WAKE ? LX_FUTEX_BITSET_MATCH_ANY : A.u32(5);
    if (!Bitset)
      return Errno::LX_EINVAL;
    auto Key = REPRISE_TRY(K.futexKey(T, Addr, Private));
    return K.futexWake(Key, int(std::min<uint32_t>(Val, INT32_MAX)), Bitset);
  }
  case LX_FUTEX_REQUEUE:
  case LX_FUTEX_CMP_REQUEUE: {
    int32_t NWake = int32_t(Val), NRequeue = int32_t(A.arg(3));
    if (NWake < 0 || NRequeue < 0)
      return Errno::LX_EINVAL;
    auto Key = REPRISE_TRY(K.futexKey(T, Addr, Private));
    auto Key2 = REPRISE_TRY(K.futexKey(T, A.arg(4), Private));
    if (Cmd == LX_FUTEX_CMP_REQUEUE) {
      uint32_t Cur = REPRISE_TRY(T.copyInObj<uint32_t>(Addr));
      if (Cur != A.u32(5))
        return Errno::LX_EAGAIN;
    }
    int Woken = K.futexWake(Key, NWake, LX_FUTEX_BITSET_MATCH_ANY);
    return Woken + requeue(K, Key, Key2, NRequeue);
  }
  case LX_FUTEX_WAKE_OP: {
    auto Key = REPRISE_TRY(K.futexKey(T, Addr, Private));
    auto Key2 = REPRISE_TRY(K.futexKey(T, A.arg(4), Private));
    bool Second = REPRISE_TRY(wakeOp(T, A.arg(4), A.u32(5)));
    int N = K.futexWake(Key, int(std::min<uint32_t>(Val, INT32_MAX)),
                        LX_FUTEX_BITSET_MATCH_ANY);
    if (Second)
      N += K.futexWake(Key2, int(std::min<uint64_t>(A.arg(3), INT32_MAX)),
                       LX_FUTEX_BITSET_MATCH_ANY);
    return N;
  }
  default:
    return Errno::LX_ENOSYS; // PI futexes and FUTEX_FD are not offered
  }
}

} // namespace reprise
