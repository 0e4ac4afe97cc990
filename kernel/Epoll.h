//===- kernel/Epoll.h - epoll instances -------------------------*- C++ -*-===//
//
// An epoll instance is a set of watched descriptors, each with the events it
// waits for and the 64-bit datum handed back with them. Readiness is asked
// of the files when epoll_wait scans the set (kernel/PollReady.h), in
// descriptor order, so what a wait returns is deterministic. Linux instead
// queues a file when its state changes. An edge-triggered entry (EPOLLET)
// reports when the file is ready and has been woken (data written, a reader
// gone...) since it last reported: Linux's edges are those wake-ups too.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include <cstdint>
#include <map>
#include <vector>

namespace reprise {

class Task;
class WaitQueue;

class EpollFile : public fs::OpenFile {
public:
  EpollFile(uint64_t Ino, uint32_t Flags);

  struct Entry {
    std::weak_ptr<fs::OpenFile> File; // the registration ends with the file
    uint32_t Events = 0;              // EPOLL* bits asked for, flags included
    uint64_t Data = 0;
    bool Disarmed = false; // EPOLLONESHOT after it reported, until EPOLL_CTL_MOD
    /// EPOLLET: the file's wake-ups when the entry last reported (none yet:
    /// an entry ready when added reports once, as on Linux).
    uint64_t SeenWakes = UINT64_MAX;
  };
  /// By descriptor number: the order in which ready entries are reported.
  std::map<int, Entry> Entries;

  /// One scan: the ready entries' events and data, at most \p Max of them
  /// (one-shot entries are disarmed, edge-triggered ones remember what they
  /// reported). Entries whose file is gone are dropped.
  std::vector<std::pair<uint32_t, uint64_t>> collect(Task &T, size_t Max);
  /// Whether a scan would report anything, without changing any entry.
  bool anyReady(Task &T);
  /// The queues of the watched files, for a task that waits on the set.
  void addQueues(Task &T, std::vector<WaitQueue *> &Queues);

  Result<int64_t> seek(int64_t, uint32_t) override { return Errno::LX_ESPIPE; }
};

} // namespace reprise
