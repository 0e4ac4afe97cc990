//===- replay/Event.h - One entry of a trace ---------------------*- C++ -*-===//
//
// A trace is a header and a sequence of events. Two kinds of event carry
// outside input, which replay serves instead of asking the host: Input (a
// host call's result and bytes) and HostSignal. Every other kind is there to
// verify the replay, event by event, against what the recording saw.
//
// One plain struct serves every kind; the fields each kind uses are listed
// by the enumerators below and are the only ones the encoding writes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace reprise::replay {

/// What kind of outside input an Input event carries.
enum class InputKind : uint8_t {
  HostRead = 1,     // bytes read from a host file, pipe or tty
  HostMetadata = 2, // stat, lookup, readlink, directory listings
  HostWrite = 3,    // result of writing to a host file or stream
  HostOther = 4,    // any other host call whose result reaches the guest
  HostEffect = 5,   // a host call made for its effect (create, unlink,
                    // rename, close...): only its result is input
};

/// How many namespace ids a Clone event holds after the exit signal.
constexpr size_t CloneNamespaces = 8;

enum class EventKind : uint8_t {
  /// Op: InputKind. Result: the host call's result (count or -errno).
  /// Data: the bytes it produced.
  Input = 1,
  /// Op: the Linux signal bits that arrived from the host.
  HostSignal = 2,
  /// Tid: the caller. Op: the system call number. Args: its six arguments.
  /// Result: what it returned (-errno on failure).
  Syscall = 3,
  /// Tid: the task that starts a slice. Op: guest blocks run before it by
  /// every task.
  Schedule = 4,
  /// Tid: the parent. Op: clone flags. Result: the child's tid.
  /// Args: exit signal; the ids of the child's namespaces, one per NsKind
  /// (cgroup, ipc, mnt, net, pid, time, user, uts); then the child's tid
  /// in each PID namespace level, outermost first.
  Clone = 5,
  /// Tid: the task that exec'd. Data: the guest path of the new image.
  Exec = 6,
  /// Tid: the thread that ended. Result: its exit status (wait(2) form).
  Exit = 7,
  /// Tid: the thread a signal was delivered to. Op: the signal number.
  /// Result: its si_code.
  Signal = 8,
  /// Result: the run's exit status as reprise reports it. Always last.
  End = 9,
};

struct Event {
  EventKind Kind = EventKind::End;
  int32_t Tid = 0;
  uint64_t Op = 0;
  int64_t Result = 0;
  llvm::SmallVector<uint64_t, 6> Args;
  /// A SmallVector: the reader grows it for a blob without zeroing it first.
  llvm::SmallVector<uint8_t, 0> Data;

  bool operator==(const Event &O) const {
    return Kind == O.Kind && Tid == O.Tid && Op == O.Op && Result == O.Result &&
           Args == O.Args && Data == O.Data;
  }
  bool operator!=(const Event &O) const { return !(*this == O); }
};

/// The fields of an event without owning them: what the kernel hands the
/// gate for each verification event (record encodes it, replay compares it
/// with the trace's), so that no Event is built, filled and freed per system
/// call.
struct EventView {
  EventKind Kind = EventKind::End;
  int32_t Tid = 0;
  uint64_t Op = 0;
  int64_t Result = 0;
  llvm::ArrayRef<uint64_t> Args;
  llvm::ArrayRef<uint8_t> Data;

  EventView() = default;
  EventView(EventKind K, int32_t Tid, uint64_t Op, int64_t Result,
            llvm::ArrayRef<uint64_t> Args = {}, llvm::ArrayRef<uint8_t> Data = {})
      : Kind(K), Tid(Tid), Op(Op), Result(Result), Args(Args), Data(Data) {}
  EventView(const Event &E) // NOLINT: an Event is its own view
      : Kind(E.Kind), Tid(E.Tid), Op(E.Op), Result(E.Result), Args(E.Args),
        Data(E.Data) {}

  /// The event as an Event of its own (for reports).
  Event copy() const {
    Event E;
    E.Kind = Kind;
    E.Tid = Tid;
    E.Op = Op;
    E.Result = Result;
    E.Args.assign(Args.begin(), Args.end());
    E.Data.assign(Data.begin(), Data.end());
    return E;
  }
};

/// Whether \p A and \p B hold exactly the same fields. Replay asks this of
/// every event, so the arguments (six for most) are compared inline rather
/// than through memcmp, and empty data costs no call.
inline bool sameEvent(const EventView &A, const EventView &B) {
  if (A.Kind != B.Kind || A.Tid != B.Tid || A.Op != B.Op || A.Result != B.Result ||
      A.Args.size() != B.Args.size() || A.Data.size() != B.Data.size())
    return false;
  uint64_t Differ = 0;
  for (size_t K = 0; K < A.Args.size(); ++K)
    Differ |= A.Args[K] ^ B.Args[K];
  return Differ == 0 &&
         (A.Data.empty() || std::memcmp(A.Data.data(), B.Data.data(), A.Data.size()) == 0);
}

/// Names a system call number of the trace's arch ("" when unknown).
using SyscallNamer = std::function<std::string(uint64_t)>;

/// One line describing \p E, for reports and `reprise trace dump`.
std::string describe(const Event &E, const SyscallNamer &Name = {});

} // namespace reprise::replay
