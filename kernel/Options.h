//===- kernel/Options.h - What a run is a function of -----------*- C++ -*-===//
#pragma once

#include "kernel/abi/Arch.h"

#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace reprise {

/// A file system mounted over a guest path besides the root (--tmpfs,
/// --bind).
struct MountOption {
  std::string Guest;  // absolute guest path, normalized
  std::string Host;   // a bind's host directory (absolute); empty for tmpfs
  bool ReadOnly = false;
  bool isBind() const { return !Host.empty(); }
};

/// Everything besides the program and the root's contents that decides a
/// run's behaviour. Two runs with equal options give the same guest-visible
/// behaviour.
struct KernelOptions {
  std::optional<Arch> ForceArch;     // else from the ELF header
  std::string Root = "/";            // host directory shown as the guest's /
  uint64_t Seed = 0;
  int64_t Epoch = 1700000000;        // virtual CLOCK_REALTIME at start
  std::string Cwd = "/";             // guest path
  uint32_t Uid = 0, Gid = 0;
  std::string Hostname = "reprise";
  uint64_t MaxBlocks = 0;            // 0 = no limit
  uint64_t MaxMemory = 4ull << 30;   // bytes of accessible guest mappings
  uint64_t MaxTasks = 4096;          // live tasks at once (threads included)
  /// Guest blocks a task runs before the next runnable task gets the CPU.
  uint64_t Quantum = 50000;
  /// Chaos scheduling: order and quanta drawn from the seed.
  bool Chaos = false;
  bool Strict = false;
  /// The guest's writes to the root land in a private layer (fs/Overlay.h).
  bool Overlay = false;
  /// --tmpfs and --bind, in the order they are mounted.
  std::vector<MountOption> Mounts;
  /// Signals sent to reprise itself that go on to the guest (bit N-1 for
  /// Linux signal N, set by the host's handlers); null for none. They are
  /// input from outside: delivered between slices to init's process group.
  std::atomic<uint64_t> *HostSignals = nullptr;
  llvm::raw_ostream *Strace = nullptr;
  std::set<std::string> StraceFilter; // empty = all
};

} // namespace reprise
