//===- kernel/Signal.cpp - Signal queues ------------------------------------===//
#include "kernel/Signal.h"

#include <algorithm>
#include <bit>

namespace reprise {

using namespace linux_abi;

DefaultAction defaultAction(int Sig) {
  switch (Sig) {
  case LX_SIGCHLD: case LX_SIGURG: case LX_SIGWINCH:
    return DefaultAction::Ignore;
  case LX_SIGCONT:
    return DefaultAction::Continue;
  case LX_SIGSTOP: case LX_SIGTSTP: case LX_SIGTTIN: case LX_SIGTTOU:
    return DefaultAction::Stop;
  case LX_SIGQUIT: case LX_SIGILL: case LX_SIGTRAP: case LX_SIGABRT:
  case LX_SIGBUS: case LX_SIGFPE: case LX_SIGSEGV: case LX_SIGXCPU:
  case LX_SIGXFSZ: case LX_SIGSYS:
    return DefaultAction::Core;
  default:
    return DefaultAction::Terminate;
  }
}

bool SignalQueue::add(const SigInfo &I, bool FromHost) {
  uint64_t Host = FromHost ? sigBit(I.Signo) : 0;
  if (I.Signo < LX_SIGRTMIN && has(I.Signo)) {
    HostMask |= Host;
    return false;
  }
  // RLIMIT_SIGPENDING would bound real-time signals; 4096 per queue here.
  if (Queue.size() >= 4096)
    return false;
  Queue.push_back(I);
  Mask |= sigBit(I.Signo);
  HostMask |= Host;
  return true;
}

std::optional<SigInfo> SignalQueue::take(int Sig) {
  auto It = std::find_if(Queue.begin(), Queue.end(),
                         [&](const SigInfo &I) { return I.Signo == Sig; });
  if (It == Queue.end())
    return std::nullopt;
  SigInfo Out = *It;
  Queue.erase(It);
  if (std::none_of(Queue.begin(), Queue.end(),
                   [&](const SigInfo &I) { return I.Signo == Sig; })) {
    Mask &= ~sigBit(Sig);
    HostMask &= ~sigBit(Sig);
  }
  return Out;
}

void SignalQueue::discard(uint64_t Set) {
  std::erase_if(Queue, [&](const SigInfo &I) { return Set & sigBit(I.Signo); });
  Mask &= ~Set;
  HostMask &= ~Set;
}

int nextSignal(uint64_t Pending) {
  if (!Pending)
    return 0;
  uint64_t Sync = Pending & SynchronousSignals;
  uint64_t From = Sync ? Sync : Pending;
  return std::countr_zero(From) + 1;
}

} // namespace reprise
