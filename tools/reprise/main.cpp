//===- tools/reprise/main.cpp - The reprise command line ------------------===//
//
//   reprise run [options] [--] PROGRAM [ARGS...]
//   reprise record -o TRACE [run options] [--] PROGRAM [ARGS...]
//   reprise replay TRACE [--strace[=FILE]] [--stop-at N]
//   reprise trace info|dump TRACE
//
// Every failure of the emulator itself is one line on stderr and a non-zero
// exit; the guest's own exit status becomes reprise's.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "kernel/Syscall.h"
#include "replay/Trace.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <unicorn/unicorn.h>

#include <algorithm>
#include <map>
#include <optional>
#include <climits>
#include <atomic>
#include <csignal>
#include <signal.h>
#include <cstdlib>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;
using namespace reprise;

namespace {

cl::OptionCategory RunCat("reprise run options");
cl::SubCommand RunCmd("run", "Run a Linux program deterministically");
cl::SubCommand RecordCmd("record", "Run a program and write a trace that replays it");
cl::SubCommand ReplayCmd("replay", "Replay a trace, checking every event");
cl::SubCommand TraceCmd("trace", "Inspect a trace: info TRACE, dump TRACE");

cl::opt<std::string> Root("root", cl::desc("Host directory shown as the guest's / (default /)"),
                          cl::value_desc("DIR"), cl::init("/"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> ArchOpt("arch", cl::desc("auto, x86_64 or arm64 (aarch64)"),
                             cl::init("auto"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Seed("seed", cl::desc("Seed of every pseudo-random choice"),
                       cl::init("0"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Epoch("epoch", cl::desc("LX_CLOCK_REALTIME at the start, in seconds"),
                       cl::init("1700000000"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Cwd("cwd", cl::desc("Guest working directory"),
                         cl::value_desc("DIR"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Uid("uid", cl::desc("Guest user id (default 0)"), cl::init("0"),
                      cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Gid("gid", cl::desc("Guest group id (default 0)"), cl::init("0"),
                      cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Hostname("hostname", cl::desc("uname nodename"),
                              cl::init("reprise"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> MaxBlocks("max-blocks",
                            cl::desc("Stop after N guest basic blocks (exit 124)"),
                            cl::init("0"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> MaxMemory("max-memory",
                            cl::desc("Guest memory budget in MiB (default 4096)"),
                            cl::init("4096"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> MaxTasks("max-tasks",
                            cl::desc("Live guest tasks at most; clone/fork get EAGAIN past it "
                                     "(default 4096)"),
                            cl::init("4096"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Quantum("quantum",
                             cl::desc("Guest blocks a task runs before the next one "
                                      "(default 50000)"),
                             cl::init("50000"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Sched("sched",
                           cl::desc("Scheduler: fifo (default) or chaos (order and "
                                    "quanta drawn from --seed)"),
                           cl::init("fifo"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Strace("strace", cl::desc("Trace system calls to stderr or FILE"),
                            cl::value_desc("FILE"), cl::ValueOptional,
                            cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::list<std::string> StraceFilter("strace-filter", cl::desc("Only these system calls"),
                                   cl::CommaSeparated, cl::value_desc("NAME,..."),
                                   cl::sub(RunCmd), cl::sub(RecordCmd), cl::sub(ReplayCmd), cl::cat(RunCat));
cl::opt<bool> Strict("strict", cl::desc("Stop at an unimplemented system call"),
                     cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::list<std::string> SetEnv("E", cl::desc("Set a guest environment variable"),
                             cl::value_desc("VAR=VAL"), cl::Prefix,
                             cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::list<std::string> UnsetEnv("U", cl::desc("Remove a guest environment variable"),
                               cl::value_desc("VAR"), cl::Prefix,
                               cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::list<std::string> TmpfsOpt("tmpfs",
                               cl::desc("Mount an in-memory file system at guest PATH"),
                               cl::value_desc("PATH"), cl::sub(RunCmd), cl::sub(RecordCmd),
                               cl::cat(RunCat));
cl::list<std::string> BindOpt("bind",
                              cl::desc("Mount host directory HOST at GUEST (default the "
                                       "same path); ro: every write fails with EROFS"),
                              cl::value_desc("HOST[:GUEST[:ro]]"), cl::sub(RunCmd),
                              cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<bool> OverlayOpt("overlay",
                         cl::desc("The guest's writes to the root go to a private "
                                  "in-memory layer; the root is never written"),
                         cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<bool> ClearEnv("clear-env", cl::desc("Start from an empty environment"),
                       cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::opt<std::string> Program(cl::Positional, cl::desc("PROGRAM"), cl::Required,
                             cl::sub(RunCmd), cl::sub(RecordCmd), cl::cat(RunCat));
cl::list<std::string> Args(cl::ConsumeAfter, cl::desc("[ARGS...]"), cl::sub(RunCmd), cl::sub(RecordCmd), cl::sub(RecordCmd),
                           cl::cat(RunCat));

cl::OptionCategory RecordCat("reprise record options");
cl::opt<std::string> Output("o", cl::desc("The trace file to write"), cl::value_desc("TRACE"),
                            cl::Required, cl::sub(RecordCmd), cl::cat(RecordCat));

cl::OptionCategory ReplayCat("reprise replay options");
cl::opt<std::string> ReplayTrace(cl::Positional, cl::desc("TRACE"), cl::Required,
                                 cl::sub(ReplayCmd), cl::cat(ReplayCat));
cl::opt<std::string> StopAt("stop-at",
                            cl::desc("Stop before event N; print every task's "
                                     "registers and that event"),
                            cl::value_desc("N"), cl::sub(ReplayCmd), cl::cat(ReplayCat));
cl::opt<std::string> ReplayStrace("strace", cl::desc("Trace system calls to stderr or FILE"),
                                  cl::value_desc("FILE"), cl::ValueOptional,
                                  cl::sub(ReplayCmd), cl::cat(ReplayCat));

cl::OptionCategory TraceCat("reprise trace options");
cl::list<std::string> TraceArgs(cl::Positional, cl::desc("info TRACE | dump TRACE"),
                                cl::OneOrMore, cl::sub(TraceCmd), cl::cat(TraceCat));
cl::opt<bool> DumpJson("json", cl::desc("dump: one JSON object per event"),
                       cl::sub(TraceCmd), cl::cat(TraceCat));
cl::opt<std::string> DumpTask("task", cl::desc("dump: only events of this task"),
                              cl::value_desc("TID"), cl::sub(TraceCmd), cl::cat(TraceCat));
cl::opt<std::string> DumpFrom("from", cl::desc("dump: from event N"), cl::value_desc("N"),
                              cl::sub(TraceCmd), cl::cat(TraceCat));
cl::opt<std::string> DumpTo("to", cl::desc("dump: up to event M (inclusive)"),
                            cl::value_desc("M"), cl::sub(TraceCmd), cl::cat(TraceCat));

[[noreturn]] void die(const Twine &Msg, int Code) {
  errs() << "reprise: " << Msg << "\n";
  errs().flush();
  std::exit(Code);
}

/// Parses a numeric option value; bad input is one line and exit 2.
template <typename T> T number(const char *Name, const std::string &V) {
  T Out;
  if (StringRef(V).getAsInteger(0, Out))
    die(Twine("--") + Name + " " + V + ": expected a number", 2);
  return Out;
}

std::vector<std::string> guestEnv() {
  std::vector<std::pair<std::string, std::string>> Env;
  if (!ClearEnv)
    Env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
           {"HOME", "/root"},
           {"LANG", "C"}};
  // Apply -E and -U in the order they were given.
  std::vector<std::pair<unsigned, std::pair<bool, std::string>>> Ops;
  for (unsigned I = 0; I < SetEnv.size(); ++I)
    Ops.push_back({SetEnv.getPosition(I), {true, SetEnv[I]}});
  for (unsigned I = 0; I < UnsetEnv.size(); ++I)
    Ops.push_back({UnsetEnv.getPosition(I), {false, UnsetEnv[I]}});
  std::sort(Ops.begin(), Ops.end());
  for (auto &[Pos, Op] : Ops) {
    auto &[Set, Text] = Op;
    std::string Name = Set ? Text.substr(0, Text.find('=')) : Text;
    if (Set && Text.find('=') == std::string::npos)
      die("-E " + Text + ": expected VAR=VALUE", 2);
    Env.erase(std::remove_if(Env.begin(), Env.end(),
                             [&](auto &P) { return P.first == Name; }),
              Env.end());
    if (Set)
      Env.push_back({Name, Text.substr(Name.size() + 1)});
  }
  std::vector<std::string> Out;
  for (auto &[K, V] : Env)
    Out.push_back(K + "=" + V);
  return Out;
}

} // namespace

/// Signals sent to reprise, as Linux signal bits, for the kernel to pass on.
std::atomic<uint64_t> HostSignals{0};

/// The host's signals reprise passes on to the guest, and their Linux
/// numbers (equal on Linux hosts, not necessarily elsewhere).
constexpr std::pair<int, int> ForwardedSignals[] = {
    {SIGHUP, 1}, {SIGINT, 2}, {SIGQUIT, 3}, {SIGTERM, 15}, {SIGWINCH, 28}};

extern "C" void onHostSignal(int Sig) {
  for (auto [Host, Guest] : ForwardedSignals)
    if (Host == Sig)
      HostSignals.fetch_or(uint64_t(1) << (Guest - 1));
}

void forwardHostSignals() {
  struct sigaction Act = {};
  Act.sa_handler = onHostSignal;
  Act.sa_flags = SA_RESTART; // a host read in progress finishes first
  sigemptyset(&Act.sa_mask);
  for (auto [Host, Guest] : ForwardedSignals)
    ::sigaction(Host, &Act, nullptr);
}

namespace {

std::string encodeMounts(const std::vector<MountOption> &Ms);

/// Every option of `run` and `record` that decides the guest's behaviour,
/// by name, as a trace header stores them.
std::map<std::string, std::string> behaviourOptions(const KernelOptions &O) {
  return {{"seed", std::to_string(O.Seed)},
          {"epoch", std::to_string(O.Epoch)},
          {"cwd", O.Cwd},
          {"uid", std::to_string(O.Uid)},
          {"gid", std::to_string(O.Gid)},
          {"hostname", O.Hostname},
          {"max-blocks", std::to_string(O.MaxBlocks)},
          {"max-memory", std::to_string(O.MaxMemory >> 20)},
          {"max-tasks", std::to_string(O.MaxTasks)},
          {"quantum", std::to_string(O.Quantum)},
          {"sched", O.Chaos ? "chaos" : "fifo"},
          {"strict", O.Strict ? "1" : "0"},
          {"root", O.Root},
          {"overlay", O.Overlay ? "1" : "0"},
          {"mounts", encodeMounts(O.Mounts)}};
}

/// --tmpfs and --bind as the header's "mounts" option: one line per mount,
/// "tmpfs\tGUEST" or "bind\tro|rw\tHOST\tGUEST" (paths with a tab or a
/// newline are refused on the command line).
std::string encodeMounts(const std::vector<MountOption> &Ms) {
  std::string Out;
  for (const MountOption &M : Ms) {
    if (M.isBind())
      Out += std::string("bind\t") + (M.ReadOnly ? "ro" : "rw") + "\t" + M.Host +
             "\t" + M.Guest + "\n";
    else
      Out += "tmpfs\t" + M.Guest + "\n";
  }
  return Out;
}

std::vector<MountOption> decodeMounts(StringRef S) {
  std::vector<MountOption> Out;
  SmallVector<StringRef, 8> Lines, F;
  S.split(Lines, '\n', -1, false);
  for (StringRef L : Lines) {
    F.clear();
    L.split(F, '\t');
    MountOption M;
    if (F.size() == 2 && F[0] == "tmpfs") {
      M.Guest = F[1].str();
    } else if (F.size() == 4 && F[0] == "bind" && (F[1] == "ro" || F[1] == "rw")) {
      M.ReadOnly = F[1] == "ro";
      M.Host = F[2].str();
      M.Guest = F[3].str();
    } else {
      die("bad trace: option 'mounts' has a bad line '" + L + "'", 1);
    }
    if (M.Guest.empty() || M.Guest[0] != '/' || (M.isBind() && M.Host[0] != '/'))
      die("bad trace: option 'mounts' has a relative path", 1);
    Out.push_back(std::move(M));
  }
  return Out;
}

/// The guest path \p P of \p Flag (\p Value) made canonical: absolute, no
/// "." or ".." and no empty component; bad values are one line and exit 2.
std::string guestMountPath(const std::string &Flag, const std::string &Value,
                           StringRef P) {
  auto Bad = [&](const Twine &Why) {
    die("--" + Flag + " " + Value + ": " + Why, 2);
  };
  if (P.empty() || P[0] != '/')
    Bad("the guest path must be absolute");
  if (P.find_first_of("\t\n") != StringRef::npos)
    Bad("a path with a tab or newline is not supported");
  SmallVector<StringRef, 8> Parts;
  P.split(Parts, '/', -1, false);
  std::string Out;
  for (StringRef C : Parts) {
    if (C == "." || C == "..")
      Bad("the guest path must not contain '.' or '..'");
    if (C.size() > 255)
      Bad("a component of the guest path is longer than 255 bytes");
    Out += "/" + C.str();
  }
  if (Out.empty())
    Bad("cannot mount over the root (see --overlay)");
  for (const char *Own : {"/proc", "/dev", "/sys"})
    if (Out == Own || StringRef(Out).startswith(std::string(Own) + "/"))
      Bad(Twine("reprise provides ") + Own + " itself");
  if (Out.size() >= 4096)
    Bad("the guest path is too long");
  return Out;
}

/// --tmpfs and --bind, checked; bad values are one line and exit 2.
std::vector<MountOption> mountsFromFlags() {
  std::vector<MountOption> Out;
  // In command-line order across both flags.
  std::vector<std::pair<unsigned, MountOption>> Seen;
  for (unsigned I = 0; I < TmpfsOpt.size(); ++I) {
    MountOption M;
    M.Guest = guestMountPath("tmpfs", TmpfsOpt[I], TmpfsOpt[I]);
    Seen.push_back({TmpfsOpt.getPosition(I), std::move(M)});
  }
  for (unsigned I = 0; I < BindOpt.size(); ++I) {
    const std::string &V = BindOpt[I];
    SmallVector<StringRef, 4> F;
    StringRef(V).split(F, ':');
    if (F.size() > 3 || F[0].empty() || (F.size() == 3 && F[2] != "ro" && F[2] != "rw") ||
        (F.size() >= 2 && F[1].empty()))
      die("--bind " + V + ": expected HOST[:GUEST[:ro]]", 2);
    MountOption M;
    char Resolved[PATH_MAX];
    struct stat St;
    if (!::realpath(F[0].str().c_str(), Resolved) || ::stat(Resolved, &St) != 0)
      die("--bind " + V + ": no such host directory '" + F[0] + "'", 2);
    if (!S_ISDIR(St.st_mode))
      die("--bind " + V + ": '" + F[0] + "' is not a directory", 2);
    M.Host = Resolved;
    if (M.Host.find_first_of("\t\n") != std::string::npos)
      die("--bind " + V + ": a path with a tab or newline is not supported", 2);
    M.Guest = guestMountPath("bind", V, F.size() >= 2 ? F[1] : StringRef(M.Host));
    M.ReadOnly = F.size() == 3 && F[2] == "ro";
    Seen.push_back({BindOpt.getPosition(I), std::move(M)});
  }
  std::stable_sort(Seen.begin(), Seen.end(),
                   [](const auto &A, const auto &B) { return A.first < B.first; });
  unsigned Tmpfs = 0, Binds = 0;
  for (auto &[Pos, M] : Seen) {
    for (const MountOption &Prev : Out)
      if (Prev.Guest == M.Guest)
        die("--" + Twine(M.isBind() ? "bind" : "tmpfs") + " " + M.Guest +
                ": already a mount point",
            2);
    if (M.isBind() ? ++Binds > 200 : ++Tmpfs > Kernel::MaxTmpfsMounts)
      die("too many --tmpfs or --bind mounts", 2);
    Out.push_back(std::move(M));
  }
  return Out;
}

/// The options of a run from the flags of `run` or `record`.
KernelOptions optionsFromFlags() {
  KernelOptions O;
  if (ArchOpt == "x86_64" || ArchOpt == "x86-64" || ArchOpt == "amd64")
    O.ForceArch = Arch::X86_64;
  else if (ArchOpt == "arm64" || ArchOpt == "aarch64")
    O.ForceArch = Arch::Arm64;
  else if (ArchOpt != "auto")
    die("--arch " + ArchOpt + ": expected auto, x86_64 or arm64", 2);

  char Resolved[PATH_MAX];
  struct stat St;
  if (!::realpath(Root.c_str(), Resolved) || ::stat(Resolved, &St) != 0 ||
      !S_ISDIR(St.st_mode))
    die("--root " + Root + ": no such directory", 1);
  O.Root = Resolved;
  if (Cwd.getNumOccurrences()) {
    O.Cwd = Cwd;
  } else {
    // The host's working directory, seen from inside the root, else "/".
    char Here[PATH_MAX];
    std::string R = O.Root == "/" ? "" : O.Root;
    if (::getcwd(Here, sizeof Here)) {
      std::string H = Here;
      if (R.empty())
        O.Cwd = H;
      else if (H == R)
        O.Cwd = "/";
      else if (H.rfind(R + "/", 0) == 0)
        O.Cwd = H.substr(R.size());
    }
  }
  O.Seed = number<uint64_t>("seed", Seed);
  O.Epoch = number<int64_t>("epoch", Epoch);
  O.Uid = number<uint32_t>("uid", Uid);
  O.Gid = number<uint32_t>("gid", Gid);
  O.Hostname = Hostname;
  if (O.Hostname.size() > 64)
    die("--hostname: longer than 64 bytes", 2);
  O.MaxBlocks = number<uint64_t>("max-blocks", MaxBlocks);
  uint64_t MiB = number<uint64_t>("max-memory", MaxMemory);
  if (MiB == 0 || MiB > (1u << 20))
    die("--max-memory: expected 1 to 1048576 MiB", 2);
  O.MaxMemory = MiB * (1ull << 20);
  O.MaxTasks = number<uint64_t>("max-tasks", MaxTasks);
  if (O.MaxTasks == 0 || O.MaxTasks > (1u << 20))
    die("--max-tasks: expected 1 to 1048576", 2);
  O.Quantum = number<uint64_t>("quantum", Quantum);
  if (O.Quantum == 0)
    die("--quantum: expected a positive number of blocks", 2);
  if (Sched != "fifo" && Sched != "chaos")
    die("--sched: expected fifo or chaos, not '" + Sched + "'", 2);
  O.Chaos = Sched == "chaos";
  O.Strict = Strict;
  O.Overlay = OverlayOpt;
  O.Mounts = mountsFromFlags();
  for (const auto &N : StraceFilter)
    O.StraceFilter.insert(N);
  return O;
}

/// The options a trace was recorded with; a bad value is a bad trace.
KernelOptions optionsFromHeader(const replay::TraceHeader &H) {
  KernelOptions O;
  auto Get = [&](const char *Name) -> const std::string & {
    auto It = H.Options.find(Name);
    if (It == H.Options.end())
      die(Twine("bad trace: its header has no '") + Name + "' option", 1);
    return It->second;
  };
  auto Num = [&](const char *Name, auto &Out) {
    if (StringRef(Get(Name)).getAsInteger(0, Out))
      die(Twine("bad trace: option '") + Name + "' is not a number", 1);
  };
  if (H.Arch == "x86_64")
    O.ForceArch = Arch::X86_64;
  else if (H.Arch == "arm64")
    O.ForceArch = Arch::Arm64;
  else
    die("bad trace: unknown guest arch '" + H.Arch + "'", 1);
  // Replay never looks at the host's files: the root is only a name.
  O.Root = Get("root");
  O.Cwd = Get("cwd");
  Num("seed", O.Seed);
  Num("epoch", O.Epoch);
  Num("uid", O.Uid);
  Num("gid", O.Gid);
  O.Hostname = Get("hostname");
  Num("max-blocks", O.MaxBlocks);
  uint64_t MiB = 0;
  Num("max-memory", MiB);
  if (MiB == 0 || MiB > (1u << 20))
    die("bad trace: option 'max-memory' out of range", 1);
  O.MaxMemory = MiB << 20;
  Num("max-tasks", O.MaxTasks);
  Num("quantum", O.Quantum);
  if (O.Quantum == 0 || O.MaxTasks == 0 || O.MaxTasks > (1u << 20))
    die("bad trace: options 'quantum' or 'max-tasks' out of range", 1);
  O.Chaos = Get("sched") == "chaos";
  O.Strict = Get("strict") == "1";
  O.Overlay = Get("overlay") == "1";
  // The bound directories, like the root, are only names in replay.
  O.Mounts = decodeMounts(Get("mounts"));
  return O;
}

std::string unicornVersion() {
  unsigned Major, Minor;
  uc_version(&Major, &Minor);
  return std::to_string(Major) + "." + std::to_string(Minor);
}

/// Opens the --strace destination of \p Flag (empty: stderr).
std::unique_ptr<raw_fd_ostream> openStrace(cl::opt<std::string> &Flag,
                                           KernelOptions &O) {
  if (!Flag.getNumOccurrences())
    return nullptr;
  if (Flag.empty()) {
    O.Strace = &errs();
    return nullptr;
  }
  std::error_code EC;
  auto F = std::make_unique<raw_fd_ostream>(Flag, EC);
  if (EC)
    die("--strace=" + Flag + ": " + EC.message(), 1);
  O.Strace = F.get();
  return F;
}

/// A failure to start: one line, with a LaunchError's own exit code.
[[noreturn]] void dieOf(Error E) {
  int Code = 1;
  std::string Msg;
  handleAllErrors(
      std::move(E),
      [&](const LaunchError &L) {
        Code = L.Code;
        Msg = L.Msg;
      },
      [&](const ErrorInfoBase &B) { Msg = B.message(); });
  die(Msg, Code);
}

/// Loads the program into \p K; a failure is reprise's one line and exit.
void launchOrDie(Kernel &K, const std::string &Program,
                 const std::vector<std::string> &Argv,
                 const std::vector<std::string> &Envp) {
  Error E = K.launch(Program, Argv, Envp);
  if (!E)
    return;
  if (K.gate().stopped()) {
    consumeError(std::move(E));
    RunOutcome Out = K.run(); // reports why the replay stopped
    die(Out.Report.substr(Out.Report.rfind("reprise: ", 0) == 0 ? 9 : 0),
        Out.ExitCode);
  }
  dieOf(std::move(E));
}

int finishRun(RunOutcome Out, raw_fd_ostream *StraceFile) {
  outs().flush();
  if (StraceFile)
    StraceFile->flush();
  if (!Out.Report.empty()) {
    errs() << Out.Report << "\n";
    errs().flush();
  }
  return Out.ExitCode;
}

int runOrRecord(bool Record) {
  KernelOptions O = optionsFromFlags();
  auto StraceFile = openStrace(Strace, O);
  O.HostSignals = &HostSignals;
  std::unique_ptr<replay::TraceWriter> Writer;
  if (Record) {
    auto W = replay::TraceWriter::create(Output);
    if (!W)
      die("-o " + Output + ": " + toString(W.takeError()), 1);
    Writer = std::move(*W);
  }
  auto K = Kernel::create(O, [&](replay::Gate &G) {
    if (Writer)
      G.record(*Writer);
  });
  if (!K)
    die(toString(K.takeError()), 1);
  std::vector<std::string> Argv{Program};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  std::vector<std::string> Envp = guestEnv();
  launchOrDie(**K, Program, Argv, Envp);
  if (Writer) {
    replay::TraceHeader H;
    H.ReprisVersion = REPRISE_VERSION;
    H.UnicornVersion = unicornVersion();
    H.Arch = (*K)->arch() == Arch::X86_64 ? "x86_64" : "arm64";
    H.CpuModel = (*K)->arch() == Arch::X86_64 ? "westmere" : "cortex-a72";
    H.Program = Program;
    H.Argv = Argv;
    H.Envp = Envp;
    H.Options = behaviourOptions(O);
    Writer->setHeader(std::move(H));
  }
  forwardHostSignals();
  RunOutcome Out = (*K)->run();
  if (Writer)
    if (Error E = Writer->finish())
      die("-o " + Output + ": " + toString(std::move(E)), 1);
  return finishRun(std::move(Out), StraceFile.get());
}

int replayTrace() {
  auto R = replay::TraceReader::open(ReplayTrace);
  if (!R)
    die(ReplayTrace + ": " + toString(R.takeError()), 1);
  const replay::TraceHeader &H = (*R)->header();
  KernelOptions O = optionsFromHeader(H);
  auto StraceFile = openStrace(ReplayStrace, O);
  for (const auto &N : StraceFilter)
    O.StraceFilter.insert(N);
  std::optional<uint64_t> At;
  if (StopAt.getNumOccurrences())
    At = number<uint64_t>("stop-at", StopAt);
  if (H.UnicornVersion != unicornVersion())
    errs() << "reprise: warning: the trace was recorded with Unicorn "
           << H.UnicornVersion << ", this is " << unicornVersion()
           << "; block counts may differ\n";
  auto K = Kernel::create(O, [&](replay::Gate &G) { G.replay(**R, At); });
  if (!K)
    dieOf(K.takeError());
  launchOrDie(**K, H.Program, H.Argv, H.Envp);
  RunOutcome Out = (*K)->run();
  return finishRun(std::move(Out), StraceFile.get());
}

/// Writes \p S as a JSON string.
void jsonString(raw_ostream &OS, StringRef S) {
  OS << '"';
  for (unsigned char C : S) {
    if (C == '"' || C == '\\')
      OS << '\\' << C;
    else if (C < 0x20 || C >= 0x7f)
      OS << format("\\u%04x", C);
    else
      OS << C;
  }
  OS << '"';
}

const char *kindName(replay::EventKind K) {
  switch (K) {
  case replay::EventKind::Input: return "input";
  case replay::EventKind::HostSignal: return "host-signal";
  case replay::EventKind::Syscall: return "syscall";
  case replay::EventKind::Schedule: return "schedule";
  case replay::EventKind::Clone: return "clone";
  case replay::EventKind::Exec: return "exec";
  case replay::EventKind::Exit: return "exit";
  case replay::EventKind::Signal: return "signal";
  case replay::EventKind::End: return "end";
  }
  return "unknown";
}

int traceCommand() {
  if (TraceArgs.size() != 2 || (TraceArgs[0] != "info" && TraceArgs[0] != "dump"))
    die("usage: reprise trace info TRACE | reprise trace dump TRACE [--json] "
        "[--task TID] [--from N] [--to M]",
        2);
  bool Info = TraceArgs[0] == "info";
  const std::string &Path = TraceArgs[1];
  auto R = replay::TraceReader::open(Path);
  if (!R)
    die(Path + ": " + toString(R.takeError()), 1);
  const replay::TraceHeader &H = (*R)->header();
  Arch A = H.Arch == "arm64" ? Arch::Arm64 : Arch::X86_64;
  replay::SyscallNamer Name = [A](uint64_t Nr) {
    const SyscallInfo *I = lookupSyscall(A, Nr);
    return I ? std::string(I->Name) : std::string();
  };
  std::optional<int32_t> Task;
  if (DumpTask.getNumOccurrences())
    Task = number<int32_t>("task", DumpTask);
  uint64_t From = DumpFrom.getNumOccurrences() ? number<uint64_t>("from", DumpFrom) : 0;
  uint64_t To = DumpTo.getNumOccurrences() ? number<uint64_t>("to", DumpTo) : UINT64_MAX;

  std::map<std::string, uint64_t> ByKind, BySyscall;
  std::map<int32_t, uint64_t> ByTask;
  uint64_t InputBytes = 0, Syscalls = 0, GuestNs = 0;
  std::optional<int64_t> Status;
  replay::Event E;
  uint64_t Index = 0;
  std::string Error;
  while (true) {
    uint64_t At = (*R)->position();
    auto More = (*R)->next(E);
    if (!More) {
      Error = toString(More.takeError());
      break;
    }
    if (!*More)
      break;
    Index = At + 1;
    if (Info) {
      ++ByKind[kindName(E.Kind)];
      if (E.Tid)
        ++ByTask[E.Tid];
      if (E.Kind == replay::EventKind::Input)
        InputBytes += E.Data.size();
      if (E.Kind == replay::EventKind::Syscall) {
        ++Syscalls;
        std::string N = Name(E.Op);
        ++BySyscall[N.empty() ? "#" + std::to_string(E.Op) : N];
      }
      if (E.Kind == replay::EventKind::End) {
        Status = E.Result;
        if (!E.Args.empty())
          GuestNs = E.Args[0];
      }
      continue;
    }
    if (At < From || At > To || (Task && E.Tid != *Task))
      continue;
    if (!DumpJson) {
      outs() << At << ": " << replay::describe(E, Name) << "\n";
      continue;
    }
    outs() << "{\"index\":" << At << ",\"kind\":\"" << kindName(E.Kind)
           << "\",\"tid\":" << E.Tid << ",\"op\":" << E.Op;
    if (E.Kind == replay::EventKind::Syscall)
      outs() << ",\"name\":\"" << Name(E.Op) << "\"";
    outs() << ",\"result\":" << E.Result << ",\"args\":[";
    for (size_t I = 0; I < E.Args.size(); ++I)
      outs() << (I ? "," : "") << E.Args[I];
    outs() << "],\"data\":";
    jsonString(outs(), StringRef(reinterpret_cast<const char *>(E.Data.data()),
                                 E.Data.size()));
    outs() << "}\n";
  }
  if (Info) {
    uint64_t Size = 0;
    sys::fs::file_size(Path, Size);
    outs() << "trace:        " << Path << " (" << Size << " bytes)\n"
           << "recorded by:  reprise " << H.ReprisVersion << ", Unicorn "
           << H.UnicornVersion << "\n"
           << "guest:        " << H.Arch << " (" << H.CpuModel << ")\n"
           << "program:      " << H.Program << "\n"
           << "argv:        ";
    for (const auto &Arg : H.Argv)
      outs() << " " << Arg;
    outs() << "\noptions:     ";
    for (const auto &[K, V] : H.Options) {
      // One line: "mounts" holds tabs and newlines.
      outs() << " " << K << "=";
      for (char C : V)
        outs() << (C == '\n' ? "\\n" : C == '\t' ? "\\t" : StringRef(&C, 1));
    }
    outs() << "\nevents:       " << Index;
    for (const auto &[K, N] : ByKind)
      outs() << (K == ByKind.begin()->first ? " (" : ", ") << K << " " << N;
    outs() << (ByKind.empty() ? "" : ")") << "\n";
    outs() << "outside input: " << InputBytes << " bytes\n";
    if (Syscalls)
      outs() << format("bytes/syscall: %.1f\n", double(Size) / double(Syscalls));
    if (Status)
      outs() << "exit status:  " << *Status << "\n"
             << format("guest time:   %.6f s\n", double(GuestNs) / 1e9);
    else
      outs() << "exit status:  none (the recording was cut short)\n";
    outs() << "tasks:";
    for (const auto &[T, N] : ByTask)
      outs() << " " << T << " (" << N << " events)";
    outs() << "\nsyscalls:";
    for (const auto &[S, N] : BySyscall)
      outs() << " " << S << " " << N << ";";
    outs() << "\n";
  }
  outs().flush();
  if (!Error.empty())
    die(Path + ": " + Error, 1);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // A closed pipe must reach the guest as EPIPE (and SIGPIPE), not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  // Every guest directory that is walked or held open (working directories,
  // open directories) holds a host descriptor: allow as many as the host does.
  struct rlimit Files;
  if (::getrlimit(RLIMIT_NOFILE, &Files) == 0 && Files.rlim_cur < Files.rlim_max) {
    Files.rlim_cur = Files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &Files);
  }
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "reprise " << REPRISE_VERSION << " (Unicorn " << unicornVersion()
       << ", trace format " << replay::FormatVersion << ")\n";
  });
  cl::HideUnrelatedOptions({&RunCat, &RecordCat, &ReplayCat, &TraceCat});
  std::string ParseErrors;
  raw_string_ostream ErrOS(ParseErrors);
  const char *Usage =
      "reprise: a deterministic Linux emulator\n\n"
      "  reprise run [options] [--] PROGRAM [ARGS...]\n"
      "  reprise record -o TRACE [run options] [--] PROGRAM [ARGS...]\n"
      "  reprise replay TRACE [--strace[=FILE]] [--stop-at N]\n"
      "  reprise trace info TRACE\n"
      "  reprise trace dump TRACE [--json] [--task TID] [--from N] [--to M]\n";
  if (!cl::ParseCommandLineOptions(argc, argv, Usage, &ErrOS)) {
    ErrOS.flush();
    std::string First = ParseErrors.substr(0, ParseErrors.find('\n'));
    if (First.rfind("reprise: ", 0) == 0)
      First = First.substr(9);
    die(First.empty() ? "bad command line (see reprise --help)" : First, 2);
  }
  if (RunCmd)
    return runOrRecord(false);
  if (RecordCmd)
    return runOrRecord(true);
  if (ReplayCmd)
    return replayTrace();
  if (TraceCmd)
    return traceCommand();
  die("no command given; usage: reprise run|record|replay|trace ... "
      "(see reprise --help)",
      2);
}
