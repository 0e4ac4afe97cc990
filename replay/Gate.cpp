//===- replay/Gate.cpp ----------------------------------------------------===//
#include "replay/Gate.h"
#include "replay/Trace.h"

#include "llvm/ADT/StringExtras.h"

#include <cstring>

namespace reprise::replay {

namespace {

const char *inputName(InputKind K) {
  switch (K) {
  case InputKind::HostRead: return "host read";
  case InputKind::HostMetadata: return "host metadata";
  case InputKind::HostWrite: return "host write";
  case InputKind::HostOther: return "host call";
  case InputKind::HostEffect: return "host effect";
  }
  return "host input";
}

} // namespace

Gate::Gate() = default;
Gate::~Gate() = default;

void Gate::record(TraceWriter &W) {
  TheMode = Mode::Record;
  Writer = &W;
}

void Gate::replay(TraceReader &R, std::optional<uint64_t> At) {
  TheMode = Mode::Replay;
  Reader = &R;
  Reader->deferInputBlobs();
  StopAt = At;
}

void Gate::stop(StopReason R, std::string Msg) {
  if (Stop != StopReason::None)
    return;
  Stop = R;
  StopMessage = std::move(Msg);
  if (OnStop)
    OnStop();
}

const Event *Gate::peek() {
  if (Stop != StopReason::None)
    return nullptr;
  if (!HaveNext && !AtEnd) {
    auto More = Reader->next(Next);
    if (!More) {
      stop(StopReason::BadTrace, llvm::toString(More.takeError()));
      return nullptr;
    }
    HaveNext = *More;
    AtEnd = !*More;
  }
  if (!HaveNext) {
    stop(StopReason::TraceEnded,
         "the trace ends after event " + std::to_string(Position) +
             (Reader->truncated() ? " (the recording was cut short)" : ""));
    return nullptr;
  }
  if (StopAt && Position == *StopAt) {
    loadPending(Next);
    stop(StopReason::StopAt, "stopped before event " + std::to_string(Position) +
                                 ": " + describe(Next, Namer));
    return nullptr;
  }
  return &Next;
}

void Gate::loadPending(Event &E) {
  size_t Blob = Reader->pendingBlob();
  if (!Blob)
    return;
  E.Data.resize_for_overwrite(Blob);
  if (auto Err = Reader->readPendingBlob(E.Data)) {
    llvm::consumeError(std::move(Err)); // only for a report: the stop says why
    E.Data.clear();
  }
}

size_t Gate::inputSize(const Event &E) const {
  size_t Blob = Reader->pendingBlob();
  return Blob ? Blob : E.Data.size();
}

bool Gate::deliver(const Event &E, llvm::MutableArrayRef<uint8_t> Dst) {
  if (Reader->pendingBlob()) {
    // Straight from the trace into the run's buffer.
    if (auto Err = Reader->readPendingBlob(Dst)) {
      stop(StopReason::BadTrace, llvm::toString(std::move(Err)));
      return false;
    }
  } else if (!Dst.empty()) {
    std::memcpy(Dst.data(), E.Data.data(), Dst.size());
  }
  return true;
}

void Gate::consume() {
  HaveNext = false;
  ++Position;
}

const Event *Gate::takeInput(InputKind K) {
  const Event *E = peek();
  if (!E)
    return nullptr;
  if (E->Kind != EventKind::Input || E->Op != uint64_t(K)) {
    loadPending(Next);
    stop(StopReason::Diverged,
         "event " + std::to_string(Position) + ": the run asks for " +
             inputName(K) + ", the trace has " + describe(*E, Namer));
    return nullptr;
  }
  return E;
}

void Gate::logInput(InputKind K, int64_t Result, llvm::ArrayRef<uint8_t> Data) {
  Writer->append(EventView(EventKind::Input, 0, uint64_t(K), Result, {}, Data));
  ++Position;
}

int64_t Gate::call(InputKind K, llvm::MutableArrayRef<uint8_t> Out,
                   llvm::function_ref<int64_t()> HostCall) {
  ++Count;
  if (Finished)
    return TheMode == Mode::Replay ? -5 : HostCall();
  switch (TheMode) {
  case Mode::Run:
    return HostCall();
  case Mode::Record: {
    int64_t R = HostCall();
    size_t N = 0;
    if (K == InputKind::HostRead)
      N = R > 0 ? std::min<size_t>(size_t(R), Out.size()) : 0;
    else if (R >= 0)
      N = Out.size();
    logInput(K, R, Out.take_front(N));
    return R;
  }
  case Mode::Replay: {
    const Event *E = takeInput(K);
    if (!E)
      return -5; // EIO: the kernel stops before the guest runs on
    size_t Size = inputSize(*E);
    if (Size > Out.size()) {
      stop(StopReason::Diverged,
           "event " + std::to_string(Position) + ": the trace holds " +
               std::to_string(Size) + " bytes of " + inputName(K) +
               " where the run has room for " + std::to_string(Out.size()));
      return -5;
    }
    if (!deliver(*E, Out.take_front(Size)))
      return -5;
    int64_t R = E->Result;
    consume();
    return R;
  }
  }
  return HostCall();
}

int64_t Gate::callVar(InputKind K, std::string &Out,
                      llvm::function_ref<int64_t()> HostCall) {
  ++Count;
  if (Finished)
    return TheMode == Mode::Replay ? -5 : HostCall();
  switch (TheMode) {
  case Mode::Run:
    return HostCall();
  case Mode::Record: {
    int64_t R = HostCall();
    logInput(K, R, llvm::arrayRefFromStringRef(Out));
    return R;
  }
  case Mode::Replay: {
    const Event *E = takeInput(K);
    if (!E)
      return -5;
    Out.resize(inputSize(*E));
    if (!deliver(*E, llvm::MutableArrayRef<uint8_t>(
                         reinterpret_cast<uint8_t *>(Out.data()), Out.size())))
      return -5;
    int64_t R = E->Result;
    consume();
    return R;
  }
  }
  return HostCall();
}

uint64_t Gate::hostSignals(std::atomic<uint64_t> *Source) {
  if (Finished && TheMode != Mode::Run)
    return 0;
  switch (TheMode) {
  case Mode::Run:
    return Source ? Source->exchange(0) : 0;
  case Mode::Record: {
    uint64_t Sigs = Source ? Source->exchange(0) : 0;
    if (Sigs) {
      Writer->append(EventView(EventKind::HostSignal, 0, Sigs, 0));
      ++Position;
    }
    return Sigs;
  }
  case Mode::Replay: {
    const Event *E = peek();
    if (!E || E->Kind != EventKind::HostSignal)
      return 0;
    uint64_t Sigs = E->Op;
    consume();
    return Sigs;
  }
  }
  return 0;
}

int Gate::stopExitCode() const {
  switch (Stop) {
  case StopReason::Diverged: return DivergenceExitCode;
  case StopReason::TraceEnded: return TraceEndExitCode;
  case StopReason::BadTrace: return 1;
  case StopReason::StopAt:
  case StopReason::None: return 0;
  }
  return 1;
}

void Gate::finish() {
  Finished = true;
  if (TheMode != Mode::Replay || Stop != StopReason::None || HaveNext)
    return;
  Event E;
  auto More = Reader->next(E);
  if (!More)
    stop(StopReason::BadTrace, llvm::toString(More.takeError()));
  else if (*More) {
    loadPending(E);
    stop(StopReason::Diverged, "event " + std::to_string(Position) +
                                   ": the run has ended, the trace goes on with " +
                                   describe(E, Namer));
  }
}

void Gate::event(const EventView &E) {
  if (Finished)
    return;
  switch (TheMode) {
  case Mode::Run:
    return;
  case Mode::Record:
    Writer->append(E);
    ++Position;
    return;
  case Mode::Replay: {
    const Event *Want = peek();
    if (!Want)
      return;
    if (!sameEvent(*Want, E)) {
      loadPending(Next);
      stop(StopReason::Diverged, "event " + std::to_string(Position) +
                                     ": expected " + describe(*Want, Namer) +
                                     ", the run did " + describe(E.copy(), Namer));
      return;
    }
    consume();
    return;
  }
  }
}

} // namespace reprise::replay
