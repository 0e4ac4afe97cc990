//===- replay/ChunkSink.cpp -----------------------------------------------===//
#include "replay/ChunkSink.h"

#include <algorithm>
#include <cassert>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <pthread.h>
#include <system_error>
#include <unistd.h>
#include <sys/mman.h>

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
constexpr size_t MaxFreeLarge = 2;

} // namespace


ChunkSink::ChunkSink(std::unique_ptr<llvm::raw_fd_ostream> OS, int EmptyFirst)
    : OS(std::move(OS)) {
  // Host signals are for the thread that runs the guest (it may wait on
  // host input, and a signal must interrupt that wait), so the sink's
  // thread starts with every signal blocked.
  sigset_t All, Old;
  sigfillset(&All);
  pthread_sigmask(SIG_SETMASK, &All, &Old);
  Thread = std::thread([this, EmptyFirst] {
    // Named for ps, top and debuggers (at most 15 characters).
    pthread_setname_np(pthread_self(), "reprise-trace");
    if (EmptyFirst >= 0 && ::ftruncate(EmptyFirst, 0) != 0)
      Failure = "cannot empty the old file: " +
                std::error_code(errno, std::generic_category()).message();
    run();
    closeFile();
    std::lock_guard<std::mutex> L(M);
    Done = true;
    Finished.notify_all();
  });
  pthread_sigmask(SIG_SETMASK, &Old, nullptr);
}

ChunkSink::~ChunkSink() {
  if (!Closing)
    close();
  Thread.join();
}

void ChunkSink::start(ChunkBuffer Preamble, ChunkBuffer RawHeader) {
  std::lock_guard<std::mutex> L(M);
  assert(!Started && "a sink starts once");
  Front = std::move(Preamble);
  Header = std::move(RawHeader);
  Started = true;
  Work.notify_one();
}

void ChunkSink::put(format::ChunkType T, ChunkBuffer Raw) {
  size_t Bytes = Raw.size();
  queue({T, std::move(Raw), {}, 0}, Bytes);
}

void ChunkSink::putLarge(format::ChunkType T, llvm::ArrayRef<uint8_t> Raw) {
  LargeBuffer B;
  {
    std::lock_guard<std::mutex> L(M);
    for (auto It = FreeLarge.begin(); It != FreeLarge.end(); ++It)
      if (It->capacity() >= Raw.size()) {
        B = std::move(*It);
        FreeLarge.erase(It);
        break;
      }
  }
  if (!B)
    B = LargeBuffer(Raw.size());
  std::memcpy(B.data(), Raw.data(), Raw.size());
  queue({T, {}, std::move(B), Raw.size()}, Raw.size());
}

void ChunkSink::queue(Job J, size_t Bytes) {
  std::unique_lock<std::mutex> L(M);
  Room.wait(L, [&] { return QueuedBytes < MaxQueuedBytes; });
  QueuedBytes += Bytes;
  Queue.push_back(std::move(J));
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
  std::unique_lock<std::mutex> L(M);
  Closing = true;
  Work.notify_one();
  // Waiting for the file, not for the thread: a thread's exit takes a
  // while (0.3 ms measured), and the destructor joins it later.
  Finished.wait(L, [&] { return Done; });
  return Failure;
}

void ChunkSink::closeFile() {
  if (!OS)
    return;
  OS->close();
  if (OS->has_error() && Failure.empty())
    Failure = OS->error().message();
  // raw_fd_ostream treats an error left in it at destruction as fatal.
  OS->clear_error();
  OS.reset();
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
      ChunkBuffer First = std::move(Front), Raw = std::move(Header);
      Front.clear();
      Header.clear();
      HeaderOut = true;
      L.unlock();
      Packer.pack(format::ChunkType::Header, Raw, First);
      write(First);
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
    size_t Bytes = J.bytes().size();
    Packer.pack(J.Type, J.bytes(), Out);
    L.lock();
    QueuedBytes -= Bytes;
    bool More = !Queue.empty();
    if (J.Large) {
      if (FreeLarge.size() < MaxFreeLarge)
        FreeLarge.push_back(std::move(J.Large));
    } else if (Free.size() < MaxFreeBuffers) {
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
