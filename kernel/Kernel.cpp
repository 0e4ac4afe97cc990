//===- kernel/Kernel.cpp --------------------------------------------------===//
#include "kernel/Kernel.h"

#include "fs/HostStream.h"
#include "fs/Synthetic.h"
#include "kernel/abi/Constants.h"
#include "kernel/proc/ProcFs.h"
#include "loader/Elf.h"
#include "loader/Stack.h"

#include "llvm/Support/FormatVariadic.h"

#include <set>

namespace reprise {

using namespace linux_abi;

char LaunchError::ID = 0;

namespace {

// Virtual time advances with the guest's work: each basic block counts as
// BlockNs and each system call as SyscallNs. Sleeping adds its duration.
constexpr uint64_t BlockNs = 4;
constexpr uint64_t SyscallNs = 250;
// CLOCK_MONOTONIC reads this much at the start, as if the machine had just
// booted.
constexpr uint64_t BootNs = 10'000'000'000ull;

llvm::Error launchError(const llvm::Twine &Msg, int Code) {
  return llvm::make_error<LaunchError>(Msg.str(), Code);
}

uint64_t hwcap(Arch A) {
  if (A == Arch::X86_64)
    return 0x078bfbfd; // CPUID.1:EDX of the Westmere model the engine runs
  // FP, ASIMD, AES, PMULL, SHA1, SHA2, CRC32 and CPUID (ID registers
  // readable): what the Cortex-A72 model executes. Never SVE.
  return 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x800;
}

} // namespace

Kernel::Kernel(KernelOptions O) : Opts(std::move(O)), Rng(Opts.Seed, 0) {}

Kernel::~Kernel() {
  // Tasks hold address spaces whose engines must go before the arena.
  Tasks.clear();
}

llvm::Expected<std::unique_ptr<Kernel>> Kernel::create(KernelOptions Opts) {
  std::unique_ptr<Kernel> K(new Kernel(std::move(Opts)));
  // The arena is the budget plus room for page tables' slack: a guest can
  // never use more frames than its commit limit allows.
  auto Phys = mm::PhysicalMemory::create(K->Opts.MaxMemory + (64ull << 20));
  if (!Phys)
    return Phys.takeError();
  K->Phys = std::move(*Phys);
  std::string Root = K->Opts.Root;
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
  if (Root == "/")
    Root.clear();
  Kernel *Self = K.get();
  K->HostRoot = std::make_unique<fs::HostFs>(
      Root, K->Gate, fs::Creds{K->Opts.Uid, K->Opts.Gid},
      [Self] { return Self->realtime(); });
  auto RootDir = K->HostRoot->root();
  if (!RootDir)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "cannot open root directory '%s': %s",
        K->Opts.Root.c_str(), std::string(errnoName(RootDir.error())).c_str());
  K->TheVfs = std::make_unique<fs::Vfs>(std::move(*RootDir));
  fs::Timespec Boot{K->Opts.Epoch, 0};
  auto DevFs = std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x5, Boot});
  auto ProcFsInfo =
      std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x4, Boot});
  auto SysFs = std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x15, Boot});
  K->TheVfs->mount("/dev", fs::makeDevFs(DevFs, [Self](llvm::MutableArrayRef<uint8_t> B) {
                     Self->Rng.fill(B);
                   }));
  K->TheVfs->mount("/proc", makeProcFs(*K, ProcFsInfo));
  K->TheVfs->mount("/sys", fs::makeEmptyDir(SysFs, "sys:/"));
  return K;
}

std::vector<int32_t> Kernel::processIds() const {
  std::set<int32_t> Pids;
  for (const auto &[Tid, T] : Tasks)
    if (T->TaskState != Task::State::Exited)
      Pids.insert(T->Group->Pid);
  return {Pids.begin(), Pids.end()};
}

uint64_t Kernel::monotonicNs() const {
  // Blocks of every live address space; the sum does not depend on order.
  std::set<const mm::AddressSpace *> Seen;
  uint64_t Blocks = 0;
  for (const auto &[Tid, T] : Tasks)
    if (T->MM && Seen.insert(T->MM.get()).second)
      Blocks += T->MM->engine().blocksExecuted();
  return BootNs + Blocks * BlockNs + Syscalls * SyscallNs + SleptNs;
}

uint64_t Kernel::cpuTimeNs() const {
  return monotonicNs() - BootNs - SleptNs;
}

fs::Timespec Kernel::realtime() const {
  uint64_t Ns = monotonicNs() - BootNs;
  return {Opts.Epoch + int64_t(Ns / 1'000'000'000), int64_t(Ns % 1'000'000'000)};
}

uint64_t Kernel::cycleCounter() {
  // A 1 GHz counter that also moves on every read, so that two reads with
  // no work between them still differ, as on hardware.
  return monotonicNs() + ++CycleReads;
}

llvm::Error Kernel::launch(const std::string &Program,
                           const std::vector<std::string> &ArgvIn,
                           const std::vector<std::string> &Envp) {
  fs::Creds C{Opts.Uid, Opts.Gid};
  fs::Location Root = TheVfs->rootLocation();
  auto Cwd = TheVfs->resolve(Root, Root, Opts.Cwd, true, C);
  if (!Cwd || !Cwd->node()->isDir())
    return launchError("--cwd " + Opts.Cwd + ": not a directory in the guest root", 1);

  // Find the program as a shell would: a name without '/' is looked up in
  // the guest's PATH.
  std::string Path = Program;
  if (Program.find('/') == std::string::npos) {
    std::string PathVar = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto &E : Envp)
      if (E.rfind("PATH=", 0) == 0)
        PathVar = E.substr(5);
    Path.clear();
    size_t I = 0;
    while (I <= PathVar.size()) {
      size_t J = PathVar.find(':', I);
      if (J == std::string::npos)
        J = PathVar.size();
      std::string Dir = PathVar.substr(I, J - I);
      std::string Cand = (Dir.empty() ? std::string(".") : Dir) + "/" + Program;
      auto L = TheVfs->resolve(Root, *Cwd, Cand, true, C);
      if (L && !L->node()->isDir()) {
        Path = Cand;
        break;
      }
      I = J + 1;
    }
    if (Path.empty())
      return launchError(Program + ": command not found", 127);
  }

  std::vector<std::string> Argv = ArgvIn;
  std::string ExecPath = Path;
  std::vector<uint8_t> Image;
  fs::Location Exe;
  // A "#!" script names its interpreter; one level, as Linux's binfmt_script
  // followed by an ELF.
  for (int Depth = 0;; ++Depth) {
    auto L = TheVfs->resolve(Root, *Cwd, ExecPath, true, C);
    if (!L) {
      if (L.error() == Errno::LX_ENOENT || L.error() == Errno::LX_ENOTDIR)
        return launchError(ExecPath + ": no such file or directory", 127);
      return launchError(ExecPath + ": " + std::string(errnoName(L.error())), 126);
    }
    if (L->node()->isDir())
      return launchError(ExecPath + ": is a directory", 126);
    auto St = L->node()->stat();
    if (!St || (St->Mode & LX_S_IFMT) != LX_S_IFREG)
      return launchError(ExecPath + ": not a regular file", 126);
    if (!fs::checkPermission(*St, C, LX_X_OK))
      return launchError(ExecPath + ": permission denied", 126);
    auto F = L->node()->open(LX_O_RDONLY);
    if (!F)
      return launchError(ExecPath + ": cannot open: " +
                             std::string(errnoName(F.error())),
                         126);
    Image.clear();
    uint8_t Buf[65536];
    while (true) {
      auto N = (*F)->read(Buf, nullptr);
      if (!N)
        return launchError(ExecPath + ": read error", 126);
      if (*N == 0)
        break;
      Image.insert(Image.end(), Buf, Buf + *N);
      if (Image.size() > (1ull << 31))
        return launchError(ExecPath + ": file too large to execute", 126);
    }
    Exe = *L;
    if (Image.size() >= 2 && Image[0] == '#' && Image[1] == '!' && Depth == 0) {
      std::string Line(Image.begin() + 2,
                       Image.begin() + long(std::min<size_t>(Image.size(), 256)));
      Line = Line.substr(0, Line.find('\n'));
      size_t B = Line.find_first_not_of(" \t");
      if (B == std::string::npos)
        return launchError(ExecPath + ": bad interpreter line", 126);
      Line = Line.substr(B);
      size_t Sp = Line.find_first_of(" \t");
      std::string Interp = Line.substr(0, Sp);
      std::vector<std::string> NewArgv{Interp};
      if (Sp != std::string::npos) {
        std::string Arg = Line.substr(Sp);
        size_t AB = Arg.find_first_not_of(" \t");
        size_t AE = Arg.find_last_not_of(" \t\r");
        if (AB != std::string::npos)
          NewArgv.push_back(Arg.substr(AB, AE - AB + 1));
      }
      NewArgv.push_back(ExecPath);
      NewArgv.insert(NewArgv.end(), Argv.begin() + (Argv.empty() ? 0 : 1),
                     Argv.end());
      Argv = std::move(NewArgv);
      ExecPath = Interp;
      continue;
    }
    break;
  }

  auto ElfArch = loader::elfArch(Image);
  if (!ElfArch)
    return launchError(ExecPath + ": cannot execute: " +
                           llvm::toString(ElfArch.takeError()),
                       126);
  if (Opts.ForceArch && *Opts.ForceArch != *ElfArch)
    return launchError(ExecPath + ": is an " + std::string(archName(*ElfArch)) +
                           " program, but --arch " +
                           std::string(archName(*Opts.ForceArch)) + " was given",
                       126);
  auto Plan = loader::planLoad(Image);
  if (!Plan)
    return launchError(ExecPath + ": cannot execute: " +
                           llvm::toString(Plan.takeError()),
                       126);
  if (!Plan->Interpreter.empty())
    return launchError(ExecPath + ": dynamic executables are not supported yet "
                                  "(interpreter " +
                           Plan->Interpreter + ")",
                       126);

  Arch A = Plan->TheArch;
  const uint64_t StackTop = loader::userTop(A);
  const uint64_t StackSize = 8ull << 20;
  // mmap base below the stack and a gap, moved down by a seeded amount (the
  // same number of random bits Linux uses by default).
  Random Placement(Opts.Seed, 1);
  unsigned RndBits = A == Arch::X86_64 ? 28 : 18;
  uint64_t Rnd = (Placement.next() & ((1ull << RndBits) - 1)) * PageSize;
  uint64_t MmapBase = pageDown(StackTop - StackSize - (128ull << 20) - Rnd);

  mm::MemoryLimits Limits;
  Limits.MaxCommit = Opts.MaxMemory;
  auto AS = mm::AddressSpace::create(A, *Phys, *this, Limits, MmapBase);
  if (!AS)
    return launchError(llvm::toString(AS.takeError()), 1);

  for (const auto &S : Plan->Segments) {
    uint64_t Start = pageDown(S.VAddr);
    uint64_t Lead = S.VAddr - Start;
    llvm::ArrayRef<uint8_t> Contents(Image.data() + S.FileOffset - Lead,
                                     S.FileSize + Lead);
    auto R = (*AS)->map(Start, S.VAddr + S.MemSize - Start, S.Prot,
                        LX_MAP_PRIVATE | LX_MAP_FIXED, Contents, Exe.path());
    if (!R)
      return launchError(ExecPath + ": cannot map segment: " +
                             std::string(errnoName(R.error())),
                         126);
  }
  (*AS)->setBrkStart(pageUp(Plan->End));
  uint32_t StackProt = LX_PROT_READ | LX_PROT_WRITE | (Plan->ExecStack ? LX_PROT_EXEC : 0);
  if (!(*AS)->map(StackTop - StackSize, StackSize, StackProt,
                  LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED | LX_MAP_GROWSDOWN, {},
                  "[stack]"))
    return launchError("cannot map the initial stack", 1);

  loader::StackInputs SI;
  SI.Argv = Argv;
  SI.Envp = Envp;
  SI.Platform = A == Arch::X86_64 ? "x86_64" : "aarch64";
  SI.ExecFn = Path;
  Rng.fill(SI.Random);
  SI.Auxv = {{LX_AT_SYSINFO_EHDR, 0},
             {LX_AT_HWCAP, hwcap(A)},
             {LX_AT_PAGESZ, PageSize},
             {LX_AT_CLKTCK, 100},
             {LX_AT_PHDR, Plan->PhdrAddr},
             {LX_AT_PHENT, Plan->PhEnt},
             {LX_AT_PHNUM, Plan->PhNum},
             {LX_AT_BASE, 0},
             {LX_AT_FLAGS, 0},
             {LX_AT_ENTRY, Plan->Entry},
             {LX_AT_UID, Opts.Uid},
             {LX_AT_EUID, Opts.Uid},
             {LX_AT_GID, Opts.Gid},
             {LX_AT_EGID, Opts.Gid},
             {LX_AT_SECURE, 0},
             {LX_AT_HWCAP2, 0}};
  SI.Auxv.erase(SI.Auxv.begin()); // no vDSO yet: AT_SYSINFO_EHDR is absent
  size_t ArgBytes = 0;
  for (const auto &S : Argv)
    ArgBytes += S.size() + 1;
  for (const auto &S : Envp)
    ArgBytes += S.size() + 1;
  if (ArgBytes > StackSize / 4)
    return launchError("argument list too long", 126);
  auto Img = loader::buildStack(StackTop, SI);
  if (!(*AS)->copyOut(Img.Base, Img.Bytes))
    return launchError("cannot write the initial stack", 1);

  auto T = std::make_unique<Task>(*this, NextTid++);
  T->Group = std::make_shared<ThreadGroup>();
  T->Group->Pid = T->tid();
  T->Group->ParentPid = 0;
  T->Group->ExePath = Exe.path();
  T->Group->Argv = Argv;
  auto &L = T->Group->Limits;
  L.fill({LX_RLIM_INFINITY, LX_RLIM_INFINITY});
  L[LX_RLIMIT_STACK] = {StackSize, LX_RLIM_INFINITY};
  L[LX_RLIMIT_CORE] = {0, LX_RLIM_INFINITY};
  L[LX_RLIMIT_NOFILE] = {1024, 4096};
  L[LX_RLIMIT_NPROC] = {4096, 4096};
  L[LX_RLIMIT_MEMLOCK] = {8ull << 20, 8ull << 20};
  L[LX_RLIMIT_SIGPENDING] = {4096, 4096};
  L[LX_RLIMIT_MSGQUEUE] = {819200, 819200};
  L[LX_RLIMIT_NICE] = {0, 0};
  L[LX_RLIMIT_RTPRIO] = {0, 0};
  T->MM = std::move(*AS);
  T->Fds = std::make_shared<fs::FdTable>();
  for (int Fd = 0; Fd < 3; ++Fd)
    if (auto F = fs::openHostStream(Fd, Gate, {Opts.Epoch, 0}))
      (void)T->Fds->installAt(Fd, F, false, 3);
  T->Fs = std::make_shared<fs::FsContext>();
  T->Fs->Root = Root;
  T->Fs->Cwd = *Cwd;
  T->Creds = C;
  cpu::Engine &E = T->cpu();
  E.resetRegisters();
  E.setReg(cpu::Reg::Pc, Plan->Entry);
  E.setReg(cpu::Reg::Sp, Img.Sp);
  Tasks.emplace(T->tid(), std::move(T));
  return llvm::Error::success();
}

RunOutcome Kernel::run() {
  while (!Stopping) {
    Task *T = nullptr;
    for (auto &[Tid, Candidate] : Tasks)
      if (Candidate->TaskState == Task::State::Runnable) {
        T = Candidate.get();
        break;
      }
    if (!T)
      break;
    Current = T;
    cpu::Engine &E = T->cpu();
    uint64_t Budget = 0;
    if (Opts.MaxBlocks) {
      if (E.blocksExecuted() >= Opts.MaxBlocks) {
        Outcome.ExitCode = 124;
        Outcome.Report = "reprise: stopped after " +
                         std::to_string(Opts.MaxBlocks) +
                         " guest blocks (--max-blocks)";
        break;
      }
      Budget = Opts.MaxBlocks - E.blocksExecuted();
    }
    cpu::StopInfo S = E.run(Budget);
    if (Stopping)
      break;
    uint64_t Pc = E.reg(cpu::Reg::Pc);
    auto Where = [&] {
      auto Bytes = T->mm().peek(Pc, 16);
      return llvm::formatv("pc {0:x}: {1}", Pc,
                           cpu::disassemble(E.arch(), Pc, Bytes))
          .str();
    };
    switch (S.Kind) {
    case cpu::StopKind::Requested:
    case cpu::StopKind::Quantum:
      continue;
    case cpu::StopKind::Fault: {
      const char *Kind = S.Fault.Kind == cpu::Access::Write     ? "write"
                         : S.Fault.Kind == cpu::Access::Execute ? "execute"
                                                                : "read";
      killBySignal(*T, LX_SIGSEGV,
                   llvm::formatv("{0} {1} at address {2:x} ({3}), {4}",
                                 S.Fault.Mapped ? "protection fault:" : "bad",
                                 Kind, S.Fault.Addr,
                                 S.Fault.Mapped ? "SEGV_ACCERR" : "SEGV_MAPERR",
                                 Where())
                       .str());
      break;
    }
    case cpu::StopKind::IllegalInsn:
      killBySignal(*T, LX_SIGILL, "illegal instruction at " + Where());
      break;
    case cpu::StopKind::Breakpoint:
      killBySignal(*T, LX_SIGTRAP, "breakpoint at " + Where());
      break;
    case cpu::StopKind::DivideError:
      killBySignal(*T, LX_SIGFPE, "integer divide error at " + Where());
      break;
    case cpu::StopKind::EngineError:
      killBySignal(*T, LX_SIGILL, "engine error (" + S.Message + ") at " + Where());
      break;
    }
  }
  Current = nullptr;
  return Outcome;
}

void Kernel::exitGroup(Task &T, int Status) {
  for (auto &[Tid, Other] : Tasks)
    if (Other->Group == T.Group)
      Other->TaskState = Task::State::Exited;
  T.Group->Exited = true;
  T.Group->ExitStatus = Status;
  if (T.Group->Pid == 1) { // the init process: the run is over
    Outcome.ExitCode = (Status >> 8) & 0xff;
    Outcome.Signal = 0;
    Stopping = true;
  }
  T.cpu().requestStop();
}

void Kernel::killBySignal(Task &T, int Sig, const std::string &Detail) {
  for (auto &[Tid, Other] : Tasks)
    if (Other->Group == T.Group)
      Other->TaskState = Task::State::Exited;
  T.Group->Exited = true;
  T.Group->ExitStatus = Sig;
  if (T.Group->Pid == 1) {
    Outcome.ExitCode = 128 + Sig;
    Outcome.Signal = Sig;
    if (!Detail.empty())
      Outcome.Report = "reprise: task " + std::to_string(T.tid()) +
                       " killed by " + signalName(Sig) + ": " + Detail;
    Stopping = true;
  }
  T.cpu().requestStop();
}

void Kernel::onSyscall() {
  Task &T = *Current;
  cpu::Engine &E = T.cpu();
  SyscallArgs A;
  A.Nr = E.reg(cpu::Reg::SyscallNr);
  static constexpr cpu::Reg ArgRegs[] = {cpu::Reg::Arg0, cpu::Reg::Arg1,
                                         cpu::Reg::Arg2, cpu::Reg::Arg3,
                                         cpu::Reg::Arg4, cpu::Reg::Arg5};
  for (unsigned I = 0; I < 6; ++I)
    A.A[I] = E.reg(ArgRegs[I]);
  ++Syscalls;
  const SyscallInfo *Info = lookupSyscall(E.arch(), A.Nr);
  bool Trace = Opts.Strace &&
               (Opts.StraceFilter.empty() ||
                (Info && Opts.StraceFilter.count(std::string(Info->Name))));
  bool Unimplemented = !Info || Info->Handler == &sysNotImplemented;
  if (Unimplemented && Opts.Strict) {
    std::string Name = Info ? std::string(Info->Name)
                            : "syscall " + std::to_string(A.Nr);
    Outcome.ExitCode = 1;
    Outcome.Report = llvm::formatv("reprise: unimplemented system call {0} "
                                   "(number {1}) at pc {2:x} (--strict)",
                                   Name, A.Nr, E.reg(cpu::Reg::Pc))
                         .str();
    Stopping = true;
    E.requestStop();
    return;
  }
  if (Trace)
    traceEnter(T, Info, A);
  SysResult R = Info ? Info->Handler(T, A) : SysResult(Errno::LX_ENOSYS);
  if (T.TaskState == Task::State::Exited) {
    if (Trace) {
      *Opts.Strace << PendingTrace << ") = ?\n";
      Opts.Strace->flush();
    }
    return;
  }
  int64_t Ret = R ? *R : -errnoValue(R.error());
  E.setReg(cpu::Reg::Ret, uint64_t(Ret));
  if (E.arch() == Arch::X86_64) {
    // Linux's syscall leaves the return address in RCX and RFLAGS in R11.
    E.setReg(cpu::Reg::X86Rcx, E.reg(cpu::Reg::Pc) + 2);
    E.setReg(cpu::Reg::X86R11, E.reg(cpu::Reg::Flags));
  }
  if (Trace)
    traceExit(T, Info, A, Ret);
}

} // namespace reprise
