//===- replay/Gate.h - The one gate for outside input -----------*- C++ -*-===//
//
// Every value that enters the guest from outside (host file contents and
// metadata, stdin, host signals...) passes through the Gate. Callers describe
// a host operation as a callable whose *whole* effect on reprise is its
// result and the bytes it leaves in an output buffer:
//
//  - run:    the gate calls it;
//  - record: the gate calls it and appends the result and bytes to the trace;
//  - replay: the gate does not call it; it takes the next event from the
//            trace, checks that it is the same kind of input, and returns
//            the recorded result with the recorded bytes in the buffer.
//
// So a host call must leave nothing else behind: no host struct kept in a
// local, no host id compared outside the callable. Whatever reprise keeps
// must be encoded into the output bytes (in a layout that is the same on
// every host) and decoded from them.
//
// The gate also carries the verification events of record and replay (see
// replay/Event.h): record appends them, replay checks each against the trace.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "replay/Event.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace reprise::replay {

class TraceWriter;
class TraceReader;

/// Exit status of `reprise replay` when the run diverges from its trace.
constexpr int DivergenceExitCode = 86;
/// Exit status of `reprise replay` when the trace ends before the run does
/// (a recording cut short).
constexpr int TraceEndExitCode = 87;

class Gate {
public:
  enum class Mode : uint8_t { Run, Record, Replay };

  Gate();
  ~Gate();

  Mode mode() const { return TheMode; }
  bool replaying() const { return TheMode == Mode::Replay; }
  bool recording() const { return TheMode == Mode::Record; }
  /// Whether events are logged or checked at all (not in a plain run).
  bool logging() const { return TheMode != Mode::Run; }

  /// From now on, log every input and event to \p W.
  void record(TraceWriter &W);
  /// From now on, serve inputs from \p R and check events against it.
  /// Replay stops before event \p StopAt (when given).
  void replay(TraceReader &R, std::optional<uint64_t> StopAt = std::nullopt);

  /// A host call whose whole effect is its result and \p Out: for HostRead,
  /// Out[0, result) when the result is positive; for every other kind, all
  /// of \p Out when the result is not negative.
  int64_t call(InputKind K, llvm::MutableArrayRef<uint8_t> Out,
               llvm::function_ref<int64_t()> HostCall);
  /// The same for an output whose size the host call decides: all of \p Out
  /// is input.
  int64_t callVar(InputKind K, std::string &Out,
                  llvm::function_ref<int64_t()> HostCall);

  /// Host signal bits that arrived since the last call (run: taken from
  /// \p Source; record: also logged; replay: served from the trace, at the
  /// same point of the run as they were recorded).
  uint64_t hostSignals(std::atomic<uint64_t> *Source);

  /// A verification event: logged in record, checked in replay.
  void event(const EventView &E);
  /// After the End event. Replay: the trace must end too (a further event
  /// is a divergence, a damaged rest a bad trace). From then on (the
  /// kernel's teardown), host calls are made in record and run modes but
  /// logged nowhere, and refused with EIO in replay.
  void finish();

  /// Replay only: the run no longer matches the trace, or the trace ended,
  /// or the stop-at event was reached. The kernel stops at its next check.
  bool stopped() const { return Stop != StopReason::None; }
  enum class StopReason : uint8_t { None, Diverged, TraceEnded, StopAt, BadTrace };
  StopReason stopReason() const { return Stop; }
  /// The exit status of a replay that stopped so: DivergenceExitCode,
  /// TraceEndExitCode, 1 for a bad trace, 0 at --stop-at.
  int stopExitCode() const;
  /// What happened, in one line (for the stop report).
  const std::string &stopMessage() const { return StopMessage; }
  /// Called once when replay stops, so that the kernel leaves the engine.
  void onStop(std::function<void()> F) { OnStop = std::move(F); }
  /// How reports name system call numbers.
  void nameSyscallsWith(SyscallNamer N) { Namer = std::move(N); }

  /// Events logged (record) or checked (replay) so far.
  uint64_t position() const { return Position; }
  /// Number of outside inputs that passed the gate.
  uint64_t count() const { return Count; }

private:
  /// Replay: the next event of the trace, or null when it ended or is bad
  /// (the gate is then stopped).
  const Event *peek();
  void consume();
  /// Reads into \p E's Data the blob the reader left unread (for reports).
  void loadPending(Event &E);
  /// The bytes of input event \p E (the next one): its Data, or the blob
  /// the reader left unread.
  size_t inputSize(const Event &E) const;
  /// Puts those bytes (inputSize() of them) in \p Dst; false, having
  /// stopped the replay, when the trace cannot give them.
  bool deliver(const Event &E, llvm::MutableArrayRef<uint8_t> Dst);
  void stop(StopReason R, std::string Msg);
  /// Record: appends an Input event.
  void logInput(InputKind K, int64_t Result, llvm::ArrayRef<uint8_t> Data);
  /// Replay: takes an Input event of kind \p K; null on a mismatch.
  const Event *takeInput(InputKind K);

  Mode TheMode = Mode::Run;
  TraceWriter *Writer = nullptr;
  TraceReader *Reader = nullptr;
  std::optional<uint64_t> StopAt;
  /// Replay's one event of look-ahead, valid when HaveNext. Decoded in
  /// place, event after event, so that its storage is reused.
  Event Next;
  bool HaveNext = false;
  bool AtEnd = false;
  StopReason Stop = StopReason::None;
  std::string StopMessage;
  std::function<void()> OnStop;
  SyscallNamer Namer;
  uint64_t Position = 0;
  bool Finished = false; // after finish(): nothing more is logged or served
  uint64_t Count = 0;
};

} // namespace reprise::replay
