//===- kernel/Kernel.h - The emulated kernel --------------------*- C++ -*-===//
//
// The Kernel owns every task and every piece of guest-visible state, and runs
// all tasks on the calling host thread. It is the engines' EventSink: a system
// call trap lands in onSyscall(), which dispatches through the table and
// writes the result back without leaving the engine unless the call must
// stop it (exit, and later blocking, exec and task switches).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpu/Engine.h"
#include "fs/HostFs.h"
#include "fs/Vfs.h"
#include "kernel/Options.h"
#include "kernel/Random.h"
#include "kernel/Task.h"
#include "kernel/mm/PhysicalMemory.h"
#include "replay/Gate.h"

#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace reprise {

/// How a run ended, in a shell's terms.
struct RunOutcome {
  int ExitCode = 0;       // exit status, or 128+N when killed by signal N
  int Signal = 0;         // the killing signal, or 0
  std::string Report;     // one line for stderr when the guest died abnormally
};

/// An emulator-side failure that keeps a program from starting, with the
/// exit code a shell would give (127 not found, 126 cannot execute).
class LaunchError : public llvm::ErrorInfo<LaunchError> {
public:
  static char ID;
  LaunchError(std::string Msg, int Code) : Msg(std::move(Msg)), Code(Code) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  std::string Msg;
  int Code;
};

class Kernel : public cpu::EventSink {
public:
  static llvm::Expected<std::unique_ptr<Kernel>> create(KernelOptions Opts);
  ~Kernel() override;

  /// Loads \p Program (a guest path) with \p Argv and \p Envp as the init
  /// task. Fails with a LaunchError.
  llvm::Error launch(const std::string &Program,
                     const std::vector<std::string> &Argv,
                     const std::vector<std::string> &Envp);
  /// Runs until every task has exited.
  RunOutcome run();

  // cpu::EventSink.
  void onSyscall() override;
  uint64_t cycleCounter() override;

  const KernelOptions &options() const { return Opts; }
  fs::Vfs &vfs() { return *TheVfs; }
  Random &random() { return Rng; }
  replay::Gate &gate() { return Gate; }

  // Virtual time.
  uint64_t monotonicNs() const;
  fs::Timespec realtime() const;
  /// CPU time used by the guest: its work, without sleeping.
  uint64_t cpuTimeNs() const;
  void sleepFor(uint64_t Ns) { SleptNs += Ns; }

  /// Ends the thread group of \p T with wait status \p Status.
  void exitGroup(Task &T, int Status);
  /// Kills \p T's thread group by \p Sig's default action, with a report.
  void killBySignal(Task &T, int Sig, const std::string &Detail);

  Task *current() { return Current; }
  Task *taskByTid(int32_t Tid) {
    auto It = Tasks.find(Tid);
    return It == Tasks.end() ? nullptr : It->second.get();
  }
  /// Pids of live processes, in increasing order.
  std::vector<int32_t> processIds() const;
  /// Resource limit \p R of \p T's process.
  uint64_t limit(Task &T, int R) const { return T.group().Limits[R].Cur; }

private:
  explicit Kernel(KernelOptions Opts);
  void traceEnter(Task &T, const struct SyscallInfo *Info, const SyscallArgs &A);
  void traceExit(Task &T, const struct SyscallInfo *Info, const SyscallArgs &A,
                 int64_t Ret);
  std::string formatArg(Task &T, char Fmt, uint64_t V, bool After, int64_t Ret,
                        const SyscallArgs &A, unsigned Index);

  KernelOptions Opts;
  replay::Gate Gate;
  Random Rng;
  std::unique_ptr<mm::PhysicalMemory> Phys;
  std::unique_ptr<fs::HostFs> HostRoot;
  std::unique_ptr<fs::Vfs> TheVfs;
  std::map<int32_t, std::unique_ptr<Task>> Tasks; // by tid: ordered, deterministic
  Task *Current = nullptr;
  int32_t NextTid = 1;
  uint64_t Syscalls = 0;
  uint64_t SleptNs = 0;
  uint64_t CycleReads = 0;
  RunOutcome Outcome;
  bool Stopping = false;
  std::string PendingTrace; // --strace line of the call in progress
};

} // namespace reprise
