//===- kernel/Signal.h - Pending signals and their information -*- C++ -*-===//
//
// A signal is queued with its siginfo: once per signal number for the
// standard signals (a second one while the first is pending is merged into
// it), every instance for the real-time ones. Each thread has a private
// queue (tkill, faults) and each process a shared one (kill); a thread takes
// from its own queue first. Which signal is taken first is fixed: the
// synchronous fault signals, then the lowest number, as Linux does.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Constants.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>

namespace reprise {

inline uint64_t sigBit(int Sig) { return 1ull << (Sig - 1); }

/// What a signal does when its disposition is SIG_DFL.
enum class DefaultAction : uint8_t { Terminate, Core, Ignore, Stop, Continue };
DefaultAction defaultAction(int Sig);

/// The signals that cannot be caught, blocked or ignored.
inline constexpr uint64_t UnblockableSignals =
    (1ull << (linux_abi::LX_SIGKILL - 1)) | (1ull << (linux_abi::LX_SIGSTOP - 1));
/// The fault signals, taken before any other pending signal.
inline constexpr uint64_t SynchronousSignals =
    (1ull << (linux_abi::LX_SIGSEGV - 1)) | (1ull << (linux_abi::LX_SIGBUS - 1)) |
    (1ull << (linux_abi::LX_SIGILL - 1)) | (1ull << (linux_abi::LX_SIGTRAP - 1)) |
    (1ull << (linux_abi::LX_SIGFPE - 1)) | (1ull << (linux_abi::LX_SIGSYS - 1));

/// siginfo_t, 128 bytes on both arches: three ints, then a union at 16.
struct SigInfo {
  int32_t Signo = 0, Errno = 0, Code = 0, Pad = 0;
  std::array<uint8_t, 112> Fields{};

  template <typename T> void set(size_t Off, T V) {
    std::memcpy(Fields.data() + Off, &V, sizeof V);
  }
  template <typename T> T get(size_t Off) const {
    T V;
    std::memcpy(&V, Fields.data() + Off, sizeof V);
    return V;
  }
  /// kill(2), tkill(2) and friends: the sender's pid and uid.
  static SigInfo fromProcess(int Sig, int32_t Code, int32_t Pid, uint32_t Uid) {
    SigInfo I{Sig, 0, Code};
    I.set<int32_t>(0, Pid);
    I.set<uint32_t>(4, Uid);
    return I;
  }
  /// A fault: its address.
  static SigInfo fault(int Sig, int32_t Code, uint64_t Addr) {
    SigInfo I{Sig, 0, Code};
    I.set<uint64_t>(0, Addr);
    return I;
  }
  /// Sent by the kernel itself (SI_KERNEL).
  static SigInfo kernel(int Sig) { return SigInfo{Sig, 0, linux_abi::LX_SI_KERNEL}; }
  /// A signal from outside the guest (sent to reprise by the host): SI_USER
  /// with sender pid 0, as Linux shows a sender in an ancestor namespace.
  /// Whether init may ignore it is not in the siginfo (a guest could forge
  /// this one): see Kernel::sendSignal's FromHost.
  static SigInfo fromOutside(int Sig) { return fromProcess(Sig, linux_abi::LX_SI_USER, 0, 0); }
};
static_assert(sizeof(SigInfo) == 128, "siginfo_t is 128 bytes");

class SignalQueue {
public:
  uint64_t pending() const { return Mask; }
  bool has(int Sig) const { return Mask & sigBit(Sig); }
  /// Queues \p I; false when a standard signal was already pending (merged)
  /// or the real-time queue is full. \p FromHost marks the pending signal
  /// as sent from outside the guest (by reprise's host), merged or not.
  bool add(const SigInfo &I, bool FromHost = false);
  /// Whether pending \p Sig came from reprise's host.
  bool fromHost(int Sig) const { return HostMask & sigBit(Sig); }
  /// Takes the first instance of \p Sig.
  std::optional<SigInfo> take(int Sig);
  /// Drops every instance of the signals in \p Set.
  void discard(uint64_t Set);

private:
  uint64_t Mask = 0;
  uint64_t HostMask = 0; // pending signals the host sent
  std::deque<SigInfo> Queue; // in the order queued
};

/// The first signal of \p Pending (already without blocked ones) to take.
int nextSignal(uint64_t Pending);

/// sigaltstack(2) state of a thread.
struct AltStack {
  uint64_t Sp = 0, Size = 0;
  int32_t Flags = linux_abi::LX_SS_DISABLE; // SS_DISABLE or SS_AUTODISARM
  bool contains(uint64_t Addr) const { return Addr > Sp && Addr - Sp <= Size; }
};

/// What a blocked system call does when a signal handler must run:
/// Linux's ERESTARTSYS (restart if SA_RESTART), ERESTARTNOHAND (EINTR),
/// ERESTART_RESTARTBLOCK (EINTR: the sleeps), or never woken (vfork).
enum class RestartKind : uint8_t { Sys, NoHand, Block, Uninterruptible };

} // namespace reprise
