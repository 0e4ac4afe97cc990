//===- kernel/PollReady.h - What a file is ready for ------------*- C++ -*-===//
//
// The readiness of an open file as poll(2), ppoll(2) and epoll see it, and
// the queues a waiter parks on until it may change. Only pipes, sockets,
// eventfds, signalfds and epoll instances can be not ready; every other
// file reprise offers reads and writes without waiting, so it is always
// ready, as Linux reports a file with no poll operation of its own
// (DEFAULT_POLLMASK in include/linux/poll.h).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"

#include <cstdint>
#include <vector>

namespace reprise {

class Task;
class WaitQueue;

/// The POLL* events \p F is ready for, as \p T sees it (a signalfd is
/// readable while a signal of its set is pending for the reading thread).
uint16_t pollReady(Task &T, fs::OpenFile &F);

/// Adds to \p Queues (once each) where a task that waits for \p F to
/// become ready parks; nothing for a file that is always ready.
void pollQueues(Task &T, fs::OpenFile &F, std::vector<WaitQueue *> &Queues);

} // namespace reprise
