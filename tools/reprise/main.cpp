//===- tools/reprise/main.cpp - The reprise command line ------------------===//
//
//   reprise run [options] [--] PROGRAM [ARGS...]
//
// Every failure of the emulator itself is one line on stderr and a non-zero
// exit; the guest's own exit status becomes reprise's.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <unicorn/unicorn.h>

#include <algorithm>
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

cl::opt<std::string> Root("root", cl::desc("Host directory shown as the guest's / (default /)"),
                          cl::value_desc("DIR"), cl::init("/"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> ArchOpt("arch", cl::desc("auto, x86_64 or arm64 (aarch64)"),
                             cl::init("auto"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Seed("seed", cl::desc("Seed of every pseudo-random choice"),
                       cl::init("0"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Epoch("epoch", cl::desc("LX_CLOCK_REALTIME at the start, in seconds"),
                       cl::init("1700000000"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Cwd("cwd", cl::desc("Guest working directory"),
                         cl::value_desc("DIR"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Uid("uid", cl::desc("Guest user id (default 0)"), cl::init("0"),
                      cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Gid("gid", cl::desc("Guest group id (default 0)"), cl::init("0"),
                      cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Hostname("hostname", cl::desc("uname nodename"),
                              cl::init("reprise"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> MaxBlocks("max-blocks",
                            cl::desc("Stop after N guest basic blocks (exit 124)"),
                            cl::init("0"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> MaxMemory("max-memory",
                            cl::desc("Guest memory budget in MiB (default 4096)"),
                            cl::init("4096"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> MaxTasks("max-tasks",
                            cl::desc("Live guest tasks at most; clone/fork get EAGAIN past it "
                                     "(default 4096)"),
                            cl::init("4096"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Quantum("quantum",
                             cl::desc("Guest blocks a task runs before the next one "
                                      "(default 50000)"),
                             cl::init("50000"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Sched("sched",
                           cl::desc("Scheduler: fifo (default) or chaos (order and "
                                    "quanta drawn from --seed)"),
                           cl::init("fifo"), cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Strace("strace", cl::desc("Trace system calls to stderr or FILE"),
                            cl::value_desc("FILE"), cl::ValueOptional,
                            cl::sub(RunCmd), cl::cat(RunCat));
cl::list<std::string> StraceFilter("strace-filter", cl::desc("Only these system calls"),
                                   cl::CommaSeparated, cl::value_desc("NAME,..."),
                                   cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<bool> Strict("strict", cl::desc("Stop at an unimplemented system call"),
                     cl::sub(RunCmd), cl::cat(RunCat));
cl::list<std::string> SetEnv("E", cl::desc("Set a guest environment variable"),
                             cl::value_desc("VAR=VAL"), cl::Prefix,
                             cl::sub(RunCmd), cl::cat(RunCat));
cl::list<std::string> UnsetEnv("U", cl::desc("Remove a guest environment variable"),
                               cl::value_desc("VAR"), cl::Prefix,
                               cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<bool> ClearEnv("clear-env", cl::desc("Start from an empty environment"),
                       cl::sub(RunCmd), cl::cat(RunCat));
cl::opt<std::string> Program(cl::Positional, cl::desc("PROGRAM"), cl::Required,
                             cl::sub(RunCmd), cl::cat(RunCat));
cl::list<std::string> Args(cl::ConsumeAfter, cl::desc("[ARGS...]"), cl::sub(RunCmd),
                           cl::cat(RunCat));

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
    unsigned Major, Minor;
    uc_version(&Major, &Minor);
    OS << "reprise " << REPRISE_VERSION << " (Unicorn " << Major << "." << Minor
       << ")\n";
  });
  cl::HideUnrelatedOptions(RunCat);
  std::string ParseErrors;
  raw_string_ostream ErrOS(ParseErrors);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "reprise: a deterministic Linux emulator\n\n"
          "  reprise run [options] [--] PROGRAM [ARGS...]\n",
          &ErrOS)) {
    ErrOS.flush();
    std::string First = ParseErrors.substr(0, ParseErrors.find('\n'));
    if (First.rfind("reprise: ", 0) == 0)
      First = First.substr(9);
    die(First.empty() ? "bad command line (see reprise --help)" : First, 2);
  }
  if (!RunCmd)
    die("no command given; usage: reprise run [options] [--] PROGRAM [ARGS...] "
        "(see reprise --help)",
        2);

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
  std::unique_ptr<raw_fd_ostream> TraceFile;
  if (Strace.getNumOccurrences()) {
    if (Strace.empty()) {
      O.Strace = &errs();
    } else {
      std::error_code EC;
      TraceFile = std::make_unique<raw_fd_ostream>(Strace, EC);
      if (EC)
        die("--strace=" + Strace + ": " + EC.message(), 1);
      O.Strace = TraceFile.get();
    }
  }
  for (const auto &N : StraceFilter)
    O.StraceFilter.insert(N);

  O.HostSignals = &HostSignals;
  auto K = Kernel::create(O);
  if (!K)
    die(toString(K.takeError()), 1);
  std::vector<std::string> Argv{Program};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  if (Error E = (*K)->launch(Program, Argv, guestEnv())) {
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
  forwardHostSignals();
  RunOutcome Out = (*K)->run();
  outs().flush();
  if (TraceFile)
    TraceFile->flush();
  if (!Out.Report.empty()) {
    errs() << Out.Report << "\n";
    errs().flush();
  }
  return Out.ExitCode;
}
