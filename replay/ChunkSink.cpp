//===- replay/ChunkSink.cpp -----------------------------------------------===//
#include "replay/ChunkSink.h"

#include <cassert>
#include <csignal>
#include <pthread.h>

namespace reprise::replay {

namespace {

/// Raw bytes the queue may hold before put() waits: a few chunks of the
/// default size, enough for the sink to absorb bursts.
constexpr size_t MaxQueuedBytes = 8u << 20;
/// Packed bytes the sink gathers before a write while more jobs wait.
constexpr size_t WriteBytes = 1u << 20;
/// Buffers kept for reuse: a large buffer freed and allocated again would
/// otherwise be a fresh mapping, and page faults, every chunk.
constexpr size_t MaxFreeBuffers = 4;

} // namespace

ChunkSink::ChunkSink(std::unique_ptr<llvm::raw_fd_ostream> OS) : OS(std::move(OS)) {
  // Host signals are for the thread that runs the guest (it may wait on
  // host input, and a signal must interrupt that wait), so the sink's
  // thread starts with every signal blocked.
  sigset_t All, Old;
  sigfillset(&All);
  pthread_sigmask(SIG_SETMASK, &All, &Old);
  Thread = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &Old, nullptr);
}

ChunkSink::~ChunkSink() {
  if (Thread.joinable())
    close();
}

void ChunkSink::start(ChunkBuffer Bytes) {
  std::lock_guard<std::mutex> L(M);
  assert(!Started && "a sink starts once");
  Front = std::move(Bytes);
  Started = true;
  Work.notify_one();
}

void ChunkSink::put(format::ChunkType T, ChunkBuffer Raw) {
  std::unique_lock<std::mutex> L(M);
  Room.wait(L, [&] { return QueuedBytes < MaxQueuedBytes; });
  QueuedBytes += Raw.size();
  Queue.push_back({T, std::move(Raw)});
  Work.notify_one();
}

ChunkBuffer ChunkSink::buffer() {
  std::lock_guard<std::mutex> L(M);
  if (Free.empty())
    return {};
  ChunkBuffer B = std::move(Free.back());
  Free.pop_back();
  return B;
}

std::string ChunkSink::close() {
  {
    std::lock_guard<std::mutex> L(M);
    Closing = true;
    Work.notify_one();
  }
  Thread.join();
  if (OS) {
    OS->close();
    if (OS->has_error() && Failure.empty())
      Failure = OS->error().message();
    // raw_fd_ostream treats an error left in it at destruction as fatal.
    OS->clear_error();
    OS.reset();
  }
  return Failure;
}

void ChunkSink::write(ChunkBuffer &Out) {
  if (Out.empty())
    return;
  if (Failure.empty()) {
    OS->write(reinterpret_cast<const char *>(Out.data()), Out.size());
    if (OS->has_error()) {
      Failure = OS->error().message();
      OS->clear_error();
    } else {
      Written.fetch_add(Out.size(), std::memory_order_relaxed);
    }
  }
  Out.clear();
}

void ChunkSink::run() {
  // Chunks are packed as soon as they are put, header or not: a recording
  // puts the executable's blob before the writer knows its header, and
  // compressing it then overlaps the rest of the guest's start. Only
  // writing waits for the header, which must come first in the file.
  ChunkBuffer Out; // packed, not written yet
  bool HeaderOut = false;
  std::unique_lock<std::mutex> L(M);
  for (;;) {
    Work.wait(L, [&] { return Closing || !Queue.empty() || (Started && !HeaderOut); });
    if (Started && !HeaderOut) {
      ChunkBuffer Header = std::move(Front);
      Front.clear();
      HeaderOut = true;
      L.unlock();
      write(Header);
      write(Out); // what was packed before the header
      L.lock();
      continue;
    }
    if (Queue.empty()) { // closing
      if (!Started)
        return; // the trace has no header, and gets nothing
      L.unlock();
      write(Out);
      L.lock();
      if (Queue.empty())
        return;
      continue;
    }
    Job J = std::move(Queue.front());
    Queue.pop_front();
    L.unlock();
    Packer.pack(J.Type, J.Raw, Out);
    L.lock();
    QueuedBytes -= J.Raw.size();
    bool More = !Queue.empty();
    if (Free.size() < MaxFreeBuffers) {
      J.Raw.clear();
      Free.push_back(std::move(J.Raw));
    }
    Room.notify_one();
    // Write when nothing else waits, or enough has gathered: few writes
    // for a run of blob chunks, no delay for a lone chunk.
    if (HeaderOut && (!More || Out.size() >= WriteBytes)) {
      L.unlock();
      write(Out);
      L.lock();
    }
  }
}

} // namespace reprise::replay
