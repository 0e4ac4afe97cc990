//===- kernel/Kernel.cpp --------------------------------------------------===//
#include "kernel/Kernel.h"

#include "fs/HostStream.h"
#include "fs/MemFs.h"
#include "fs/Overlay.h"
#include "fs/Synthetic.h"
#include "kernel/CpuModel.h"
#include "kernel/Socket.h"
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

llvm::Error launchError(const llvm::Twine &Msg, int Code,
                        Errno E = Errno::LX_ENOEXEC) {
  return llvm::make_error<LaunchError>(Msg.str(), Code, E);
}

} // namespace

Kernel::Kernel(KernelOptions O)
    : Opts(std::move(O)), Rng(Opts.Seed, 0), SchedRng(Opts.Seed, 2),
      UnixNameTable(std::make_shared<UnixNames>()) {}

Kernel::~Kernel() {
  // Tasks hold address spaces whose engines must go before the arena.
  // A run stopped early (--max-blocks, --strict, a deadlock) leaves tasks
  // parked on queues that other tasks own: take them off first, so that no
  // queue's destructor reaches a task already freed.
  for (auto &[Tid, T] : Tasks)
    if (T->State == TaskState::Blocked)
      unblock(*T);
  for (auto &[Tid, T] : Tasks)
    T->State = TaskState::Dead; // no wake-ups while queues are torn down
  RunQueue.clear();
  Tasks.clear();
  Groups.clear();
  collectGarbage();
  // Sockets that hold each other's descriptors in their queues outlive
  // every table: empty every queue so that they go too.
  UnixNameTable->releaseAll();
}

llvm::Expected<std::unique_ptr<Kernel>>
Kernel::create(KernelOptions Opts,
               const std::function<void(replay::Gate &)> &PrepareGate) {
  std::unique_ptr<Kernel> K(new Kernel(std::move(Opts)));
  if (PrepareGate)
    PrepareGate(K->Gate);
  // The arena is the budget plus room for page tables' slack: a guest can
  // never use more frames than its commit limit allows.
  auto Phys = mm::PhysicalMemory::create(K->Opts.MaxMemory + (64ull << 20));
  if (!Phys)
    return Phys.takeError();
  K->Phys = std::move(*Phys);
  K->Commit = std::make_shared<mm::CommitPool>(mm::CommitPool{0, K->Opts.MaxMemory});
  std::string Root = K->Opts.Root;
  while (Root.size() > 1 && Root.back() == '/')
    Root.pop_back();
  if (Root == "/")
    Root.clear();
  Kernel *Self = K.get();
  K->HostRoot = std::make_unique<fs::HostFs>(
      Root, K->Gate, fs::Creds{K->Opts.Uid, K->Opts.Gid, {}},
      [Self] { return Self->realtime(); });
  auto RootDir = K->HostRoot->root();
  if (!RootDir && K->Gate.stopped())
    return llvm::make_error<LaunchError>("replay stopped: " + K->Gate.stopMessage(),
                                         K->Gate.stopExitCode());
  if (!RootDir)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "cannot open root directory '%s': %s",
        K->Opts.Root.c_str(), std::string(errnoName(RootDir.error())).c_str());
  // The root is the host directory, shown as a file system of its own
  // type; the others are reprise's synthetic ones.
  fs::VnodeRef TheRoot = std::move(*RootDir);
  fs::MountInfo RootInfo{"reprise", "hostfs", "rw,relatime", fs::HostFs::Device};
  if (K->Opts.Overlay) {
    // The upper layer's new objects are numbered far above the host
    // directory's, which count from 2.
    auto Upper = std::make_shared<fs::MemFs>(
        fs::HostFs::Device, fs::Creds{K->Opts.Uid, K->Opts.Gid},
        [Self] { return Self->realtime(); }, uint64_t(1) << 32);
    TheRoot = fs::makeOverlay(std::move(TheRoot), std::move(Upper));
    RootInfo = {"overlay", "overlay", "rw,relatime", fs::HostFs::Device};
  }
  K->TheVfs = std::make_unique<fs::Vfs>(std::move(TheRoot), std::move(RootInfo));
  fs::Timespec Boot{K->Opts.Epoch, 0};
  auto DevFs = std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x5, Boot});
  auto ProcFsInfo =
      std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x4, Boot});
  auto SysFs = std::make_shared<const fs::SyntheticFs>(fs::SyntheticFs{0x15, Boot});
  K->TheVfs->mount("/dev", fs::makeDevFs(DevFs, [Self](llvm::MutableArrayRef<uint8_t> B) {
                     Self->Rng.fill(B);
                   }),
                   {"udev", "devtmpfs", "rw,nosuid,relatime,mode=755", DevFs->Device});
  // /dev/shm: shm_open and sem_open make their files there.
  auto Shm = std::make_shared<fs::MemFs>(ShmDevice, fs::Creds{0, 0},
                                         [Self] { return Self->realtime(); });
  K->TheVfs->mount("/dev/shm", fs::makeMemDir(Shm, 01777),
                   {"tmpfs", "tmpfs", "rw,nosuid,nodev", Shm->Device});
  K->TheVfs->mount("/proc", makeProcFs(*K, ProcFsInfo),
                   {"proc", "proc", "rw,nosuid,nodev,noexec,relatime", ProcFsInfo->Device});
  K->TheVfs->mount("/sys", fs::makeEmptyDir(SysFs, "sys:/"),
                   {"sysfs", "sysfs", "rw,nosuid,nodev,noexec,relatime", SysFs->Device});
  if (auto E = K->mountOptions())
    return E;
  // A replay that stops (divergence, end of trace, --stop-at) leaves the
  // guest at once: the engine of the running slice is stopped too.
  K->Gate.onStop([Self] {
    Self->Stopping = true;
    if (Self->SliceEngine)
      Self->SliceEngine->requestStop();
  });
  return K;
}

llvm::Error Kernel::mountOptions() {
  Kernel *Self = this;
  uint64_t NextTmpfs = FirstTmpfsDevice, NextBind = fs::HostFs::Device + 1;
  for (const MountOption &M : Opts.Mounts) {
    if (!M.isBind()) {
      auto FS = std::make_shared<fs::MemFs>(NextTmpfs++, fs::Creds{Opts.Uid, Opts.Gid},
                                            [Self] { return Self->realtime(); });
      TheVfs->mount(M.Guest, fs::makeMemDir(FS, 01777),
                    {"tmpfs", "tmpfs", "rw,nosuid,nodev,relatime", FS->Device});
      continue;
    }
    uint64_t Dev = NextBind++;
    BindFs.push_back(std::make_unique<fs::HostFs>(
        M.Host, Gate, fs::Creds{Opts.Uid, Opts.Gid},
        [Self] { return Self->realtime(); }, Dev, M.ReadOnly));
    BindFs.back()->shareIdentities(HostRoot->identities());
    auto Dir = BindFs.back()->root();
    if (!Dir && Gate.stopped())
      return llvm::make_error<LaunchError>("replay stopped: " + Gate.stopMessage(),
                                           Gate.stopExitCode());
    if (!Dir)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(), "cannot open bound directory '%s': %s",
          M.Host.c_str(), std::string(errnoName(Dir.error())).c_str());
    TheVfs->mount(M.Guest, std::move(*Dir),
                  {"reprise", "hostfs", M.ReadOnly ? "ro,relatime" : "rw,relatime", Dev});
  }
  return llvm::Error::success();
}

std::vector<int32_t> Kernel::processIds() const {
  std::vector<int32_t> Pids;
  for (const auto &[Pid, G] : Groups)
    if (G->State == ThreadGroup::Life::Alive)
      Pids.push_back(Pid);
  return Pids;
}

uint64_t Kernel::monotonicNs() const {
  // Work of every task so far, the running slice included; one CPU.
  uint64_t Blocks = TotalBlocks;
  if (SliceEngine)
    Blocks += SliceEngine->blocksExecuted() - SliceStart;
  return BootNs + Blocks * BlockNs + Syscalls * SyscallNs + IdleNs;
}

uint64_t Kernel::sliceNs() const {
  return SliceEngine ? (SliceEngine->blocksExecuted() - SliceStart) * BlockNs : 0;
}

uint64_t Kernel::cpuTimeNs() const {
  return monotonicNs() - BootNs - IdleNs;
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

llvm::Error Kernel::readImage(const fs::Location &L, const std::string &Name,
                              std::vector<uint8_t> &Image) {
  auto F = L.node()->open(LX_O_RDONLY);
  if (!F)
    return launchError(Name + ": cannot open: " + std::string(errnoName(F.error())),
                       126, F.error());
  constexpr uint64_t MaxImage = 1ull << 31;
  Image.clear();
  // The whole file in one read where its size is known (one outside input,
  // so one blob in a recording, copied once), then reads until the end in
  // case it grew or its size was not known.
  size_t Want = 1 << 16;
  if (auto St = (*F)->stat(); St && St->Size > 0 && uint64_t(St->Size) <= MaxImage)
    Want = size_t(St->Size);
  while (true) {
    size_t Old = Image.size();
    Image.resize(Old + Want);
    auto N = (*F)->read(llvm::MutableArrayRef<uint8_t>(Image.data() + Old, Want), nullptr);
    Image.resize(Old + (N ? *N : 0));
    if (!N)
      return launchError(Name + ": read error", 126, Errno::LX_EIO);
    if (*N == 0)
      return llvm::Error::success();
    if (Image.size() > MaxImage)
      return launchError(Name + ": file too large to execute", 126, Errno::LX_ENOMEM);
    Want = 1 << 16;
  }
}

llvm::Error Kernel::mapSegments(mm::AddressSpace &AS, const loader::LoadPlan &Plan,
                                llvm::ArrayRef<uint8_t> Image, const std::string &Name,
                                const fs::Location &File) {
  // Each segment is a mapping of the file up to the page that holds its
  // last file byte, and anonymous memory (its bss) after that, as Linux
  // maps it: /proc/PID/maps shows the file, its offsets and inode.
  auto St = File.node()->stat();
  uint64_t Dev = St ? St->Dev : 0, Ino = St ? St->Ino : 0;
  std::string MapName = File.path();
  for (const auto &S : Plan.Segments) {
    uint64_t Start = pageDown(S.VAddr);
    uint64_t Lead = S.VAddr - Start;
    llvm::ArrayRef<uint8_t> Contents(Image.data() + S.FileOffset - Lead,
                                     S.FileSize + Lead);
    uint64_t End = pageUp(S.VAddr + S.MemSize);
    uint64_t FileEnd = S.FileSize ? std::min(End, pageUp(S.VAddr + S.FileSize)) : Start;
    Result<uint64_t> R = Start;
    if (FileEnd > Start) {
      R = AS.map(Start, FileEnd - Start, S.Prot, LX_MAP_PRIVATE | LX_MAP_FIXED,
                 Contents, MapName);
      if (R)
        AS.setFileIdentity(Start, S.FileOffset - Lead, Dev, Ino);
    }
    if (R && FileEnd < End)
      R = AS.map(FileEnd, End - FileEnd, S.Prot,
                 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, {}, "");
    if (!R)
      return launchError(Name + ": cannot map segment: " + std::string(errnoName(R.error())),
                         126, R.error());
  }
  return llvm::Error::success();
}

llvm::Expected<std::pair<uint64_t, uint64_t>>
Kernel::mapInterpreter(const fs::Location &Root, const fs::Creds &C,
                       const std::string &ExecPath, const loader::LoadPlan &Exe,
                       mm::AddressSpace &AS) {
  const std::string &Path = Exe.Interpreter;
  std::string Name = ExecPath + ": interpreter " + Path;
  // Resolved like the program: from the guest's root (and its cwd, for a
  // relative name, which Linux allows and nobody uses).
  auto L = TheVfs->resolve(Root, Root, Path, true, C);
  if (!L) {
    if (L.error() == Errno::LX_ENOENT || L.error() == Errno::LX_ENOTDIR)
      return launchError(Name + ": no such file or directory", 127, L.error());
    return launchError(Name + ": " + std::string(errnoName(L.error())), 126, L.error());
  }
  auto St = L->node()->access();
  if (!St || (St->Mode & LX_S_IFMT) != LX_S_IFREG)
    return launchError(Name + ": not a regular file", 126, Errno::LX_EACCES);
  if (!fs::checkPermission(*St, C, LX_X_OK))
    return launchError(Name + ": permission denied", 126, Errno::LX_EACCES);
  std::vector<uint8_t> Image;
  if (auto E = readImage(*L, Name, Image))
    return E;
  auto Plan = loader::planLoad(Image);
  if (!Plan)
    return launchError(Name + ": cannot execute: " + llvm::toString(Plan.takeError()),
                       126, Errno::LX_ELIBBAD);
  if (Plan->TheArch != Exe.TheArch)
    return launchError(Name + ": is an " + std::string(archName(Plan->TheArch)) +
                           " program, the executable an " +
                           std::string(archName(Exe.TheArch)) + " one",
                       126, Errno::LX_ELIBBAD);
  if (!Plan->Interpreter.empty())
    return launchError(Name + ": names an interpreter of its own", 126,
                       Errno::LX_ELIBBAD);
  if (Plan->Pie) {
    // Placed as one block where the first mmap would go: a free range the
    // size of its whole span, then each segment in it (the gaps between
    // them stay unmapped, as Linux leaves them).
    uint64_t Low = ~0ull, High = 0;
    for (const auto &S : Plan->Segments) {
      Low = std::min(Low, pageDown(S.VAddr));
      High = std::max(High, pageUp(S.VAddr + S.MemSize));
    }
    auto At = AS.map(0, High - Low, LX_PROT_NONE, LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, {}, "");
    if (!At || !AS.unmap(*At, High - Low))
      return launchError(Name + ": no room to map it", 126, Errno::LX_ENOMEM);
    Plan->shift(*At - Low);
  }
  if (auto E = mapSegments(AS, *Plan, Image, Name, *L))
    return E;
  uint64_t Base = Plan->Segments.front().VAddr;
  for (const auto &S : Plan->Segments)
    Base = std::min(Base, pageDown(S.VAddr));
  return std::make_pair(Base, Plan->Entry);
}

llvm::Expected<uint64_t> Kernel::mapVdso(mm::AddressSpace &AS) {
  Arch A = AS.arch();
  std::optional<loader::VdsoImage> &Img = Vdso[A == Arch::X86_64 ? 0 : 1];
  if (!Img)
    Img = loader::buildVdso(A, kernelVersionCode(KernelRelease));
  // One free range for both, the data pages at its bottom, as Linux's
  // arch_setup_additional_pages asks get_unmapped_area for both at once.
  // reprise's [vvar] holds zeros: its vDSO reads no data, it makes calls.
  uint64_t Size = Img->VvarSize + Img->Bytes.size();
  auto At = AS.map(0, Size, LX_PROT_NONE, LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, {}, "");
  if (!At || !AS.unmap(*At, Size))
    return launchError("no room to map the vDSO", 1, Errno::LX_ENOMEM);
  uint64_t Image = *At + Img->VvarSize;
  if (!AS.map(*At, Img->VvarSize, LX_PROT_READ,
              LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, {}, "[vvar]") ||
      !AS.map(Image, Img->Bytes.size(), LX_PROT_READ | LX_PROT_EXEC,
              LX_MAP_PRIVATE | LX_MAP_FIXED, Img->Bytes, "[vdso]"))
    return launchError("cannot map the vDSO", 1, Errno::LX_ENOMEM);
  // arm64 libcs pass no SA_RESTORER: a handler returns to the vDSO's
  // __kernel_rt_sigreturn, as on Linux.
  AS.SigTramp = Img->SigReturn ? Image + Img->SigReturn : 0;
  return Image;
}

llvm::Expected<LoadedImage>
Kernel::loadImage(const fs::Location &Root, const fs::Location &Cwd,
                  const fs::Creds &C, const TaskIds &Ids, const std::string &Path,
                  std::vector<std::string> Argv,
                  const std::vector<std::string> &Envp) {
  std::string ExecPath = Path;
  std::vector<uint8_t> Image;
  fs::Location Exe;
  // A "#!" script names its interpreter, which may be a script itself, up to
  // Linux's limit of nested interpreters.
  for (int Depth = 0;; ++Depth) {
    if (Depth > 4)
      return launchError(Path + ": too many levels of interpreters", 126,
                         Errno::LX_ELOOP);
    auto L = TheVfs->resolve(Root, Cwd, ExecPath, true, C);
    if (!L) {
      if (L.error() == Errno::LX_ENOENT || L.error() == Errno::LX_ENOTDIR)
        return launchError(ExecPath + ": no such file or directory", 127,
                           L.error());
      return launchError(ExecPath + ": " + std::string(errnoName(L.error())),
                         126, L.error());
    }
    if (L->node()->isDir())
      return launchError(ExecPath + ": is a directory", 126, Errno::LX_EACCES);
    auto St = L->node()->access();
    if (!St || (St->Mode & LX_S_IFMT) != LX_S_IFREG)
      return launchError(ExecPath + ": not a regular file", 126, Errno::LX_EACCES);
    if (!fs::checkPermission(*St, C, LX_X_OK))
      return launchError(ExecPath + ": permission denied", 126, Errno::LX_EACCES);
    if (auto E = readImage(*L, ExecPath, Image))
      return E;
    Exe = *L;
    if (Image.size() >= 2 && Image[0] == '#' && Image[1] == '!') {
      std::string Line(Image.begin() + 2,
                       Image.begin() + long(std::min<size_t>(Image.size(), 256)));
      Line = Line.substr(0, Line.find('\n'));
      size_t B = Line.find_first_not_of(" \t");
      if (B == std::string::npos)
        return launchError(ExecPath + ": bad interpreter line", 126,
                           Errno::LX_ENOEXEC);
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
                       126, Errno::LX_ENOEXEC);
  if (Opts.ForceArch && *Opts.ForceArch != *ElfArch)
    return launchError(ExecPath + ": is an " + std::string(archName(*ElfArch)) +
                           " program, but --arch " +
                           std::string(archName(*Opts.ForceArch)) + " was given",
                       126, Errno::LX_ENOEXEC);
  auto Plan = loader::planLoad(Image);
  if (!Plan)
    return launchError(ExecPath + ": cannot execute: " +
                           llvm::toString(Plan.takeError()),
                       126, Errno::LX_ENOEXEC);
  Arch A = Plan->TheArch;
  const uint64_t StackTop = loader::userTop(A);
  const uint64_t StackSize = 8ull << 20;
  size_t ArgBytes = 0;
  for (const auto &S : Argv)
    ArgBytes += S.size() + 1;
  for (const auto &S : Envp)
    ArgBytes += S.size() + 1;
  if (ArgBytes > StackSize / 4) // Linux's limit: a quarter of the stack rlimit
    return launchError("argument list too long", 126, Errno::LX_E2BIG);
  // mmap base below the stack and a gap, moved down by a seeded amount (the
  // same number of random bits Linux uses by default), new for every exec.
  Random Placement(Opts.Seed, 1 + Execs++);
  unsigned RndBits = A == Arch::X86_64 ? 28 : 18;
  uint64_t Rnd = (Placement.next() & ((1ull << RndBits) - 1)) * PageSize;
  uint64_t MmapBase = pageDown(StackTop - StackSize - (128ull << 20) - Rnd);

  mm::MemoryLimits Limits;
  Limits.MaxCommit = Opts.MaxMemory;
  auto AS = mm::AddressSpace::create(A, *Phys, *this, Limits, MmapBase, Commit);
  if (!AS)
    return launchError(llvm::toString(AS.takeError()), 1, Errno::LX_ENOMEM);

  if (auto E = mapSegments(**AS, *Plan, Image, ExecPath, Exe))
    return E;
  (*AS)->setBrkStart(pageUp(Plan->End));
  uint32_t StackProt = LX_PROT_READ | LX_PROT_WRITE | (Plan->ExecStack ? LX_PROT_EXEC : 0);
  if (!(*AS)->map(StackTop - StackSize, StackSize, StackProt,
                  LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED | LX_MAP_GROWSDOWN, {},
                  "[stack]"))
    return launchError("cannot map the initial stack", 1, Errno::LX_ENOMEM);

  // A dynamic executable starts in its interpreter (the dynamic linker),
  // mapped where the first mmap would go, as Linux does; the executable's
  // own entry reaches it through AT_ENTRY.
  uint64_t Entry = Plan->Entry, InterpBase = 0;
  if (!Plan->Interpreter.empty()) {
    auto In = mapInterpreter(Root, C, ExecPath, *Plan, **AS);
    if (!In)
      return In.takeError();
    std::tie(InterpBase, Entry) = *In;
  }

  // Then the vDSO, below the interpreter as Linux maps it after
  // load_elf_interp.
  auto VdsoAt = mapVdso(**AS);
  if (!VdsoAt)
    return VdsoAt.takeError();

  loader::StackInputs SI;
  SI.Argv = Argv;
  SI.Envp = Envp;
  SI.Platform = A == Arch::X86_64 ? "x86_64" : "aarch64";
  SI.ExecFn = Path;
  Rng.fill(SI.Random);
  // Linux's ARCH_DLINFO puts AT_SYSINFO_EHDR first on both arches.
  SI.Auxv = {{LX_AT_SYSINFO_EHDR, *VdsoAt},
             {LX_AT_HWCAP, hwcap(A)},
             {LX_AT_PAGESZ, PageSize},
             {LX_AT_CLKTCK, 100},
             {LX_AT_PHDR, Plan->PhdrAddr},
             {LX_AT_PHENT, Plan->PhEnt},
             {LX_AT_PHNUM, Plan->PhNum},
             {LX_AT_BASE, InterpBase},
             {LX_AT_FLAGS, 0},
             {LX_AT_ENTRY, Plan->Entry},
             {LX_AT_UID, Ids.Ruid},
             {LX_AT_EUID, Ids.Euid},
             {LX_AT_GID, Ids.Rgid},
             {LX_AT_EGID, Ids.Egid},
             {LX_AT_SECURE, 0},
             {LX_AT_HWCAP2, 0}};
  auto Img = loader::buildStack(StackTop, SI);
  if (!(*AS)->copyOut(Img.Base, Img.Bytes))
    return launchError("cannot write the initial stack", 1, Errno::LX_ENOMEM);

  LoadedImage Out;
  // The program's own layout (not the interpreter's), as Linux's
  // load_elf_binary records it: code is the executable segments, data
  // reaches from the highest segment's start to the end of the file parts.
  ImageLayout &L = Out.Layout;
  L.StartCode = ~0ull;
  for (const auto &S : Plan->Segments) {
    uint64_t FileEnd = S.VAddr + S.FileSize;
    if (S.Prot & LX_PROT_EXEC) {
      L.StartCode = std::min(L.StartCode, S.VAddr);
      L.EndCode = std::max(L.EndCode, FileEnd);
    }
    L.StartData = std::max(L.StartData, S.VAddr);
    L.EndData = std::max(L.EndData, FileEnd);
  }
  if (L.StartCode == ~0ull)
    L.StartCode = 0;
  L.StartBrk = pageUp(Plan->End);
  L.StartStack = Img.Sp;
  L.ArgStart = Img.ArgStart;
  L.ArgEnd = Img.ArgEnd;
  L.EnvStart = Img.EnvStart;
  L.EnvEnd = Img.EnvEnd;
  L.Auxv = std::move(Img.Auxv);
  Out.AS = std::move(*AS);
  Out.Entry = Entry;
  Out.Sp = Img.Sp;
  Out.ExePath = Exe.path();
  Out.Argv = std::move(Argv);
  return Out;
}

llvm::Error Kernel::launch(const std::string &Program,
                           const std::vector<std::string> &Argv,
                           const std::vector<std::string> &Envp) {
  fs::Creds C{Opts.Uid, Opts.Gid, {}};
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

  auto Img = loadImage(Root, *Cwd, C, TaskIds::of(C.Uid, C.Gid), Path, Argv, Envp);
  if (!Img)
    return Img.takeError();
  TheArch = Img->AS->arch();
  Gate.nameSyscallsWith([A = TheArch](uint64_t Nr) {
    const SyscallInfo *I = lookupSyscall(A, Nr);
    return I ? std::string(I->Name) : std::string();
  });

  auto Id = PidNumbers::create(RootPids);
  if (!Id)
    return launchError("cannot allocate the init task's pid", 126);
  auto Owned = std::make_unique<Task>(*this, std::move(*Id));
  Owned->StartNs = monotonicNs();
  Task *T = Owned.get();
  auto G = std::make_shared<ThreadGroup>();
  G->Id = G->Pgrp = G->Session = T->Id;
  G->Pid = T->tid();
  RootPids->Init = G.get();
  G->Leader = T;
  G->Threads.push_back(T);
  G->ExePath = Img->ExePath;
  G->Argv = Img->Argv;
  G->Comm = baseName(Img->ExePath);
  G->Image = std::move(Img->Layout);
  auto &L = G->Limits;
  L.fill({LX_RLIM_INFINITY, LX_RLIM_INFINITY});
  L[LX_RLIMIT_STACK] = {8ull << 20, LX_RLIM_INFINITY};
  L[LX_RLIMIT_CORE] = {0, LX_RLIM_INFINITY};
  L[LX_RLIMIT_NOFILE] = {1024, 4096};
  L[LX_RLIMIT_NPROC] = {Opts.MaxTasks, Opts.MaxTasks};
  L[LX_RLIMIT_MEMLOCK] = {8ull << 20, 8ull << 20};
  L[LX_RLIMIT_SIGPENDING] = {4096, 4096};
  L[LX_RLIMIT_MSGQUEUE] = {819200, 819200};
  L[LX_RLIMIT_NICE] = {0, 0};
  L[LX_RLIMIT_RTPRIO] = {0, 0};
  T->Group = G;
  T->MM = std::move(Img->AS);
  T->Fds = std::make_shared<fs::FdTable>();
  for (int Fd = 0; Fd < 3; ++Fd)
    if (auto F = fs::openHostStream(Fd, Gate, {Opts.Epoch, 0}))
      (void)T->Fds->installAt(Fd, F, false, 3);
  T->Fs = std::make_shared<fs::FsContext>();
  T->Namespaces = NamespaceSet::root(NextNsId);
  T->Fs->Root = Root;
  T->Fs->Cwd = *Cwd;
  T->setIds(TaskIds::of(C.Uid, C.Gid));
  cpu::Engine &E = T->cpu();
  E.resetRegisters();
  E.setReg(cpu::Reg::Pc, Img->Entry);
  E.setReg(cpu::Reg::Sp, Img->Sp);
  T->MM->Loaded = T;
  Groups.emplace(G->Pid, G);
  Tasks.emplace(T->tid(), std::move(Owned));
  ++LiveTasks;
  enqueue(*T);
  return llvm::Error::success();
}

// --- Scheduling ---------------------------------------------------------------
//
// One host thread runs every task. The run queue is FIFO: a task runs until it
// blocks, exits, yields or has run its quantum of guest blocks, then goes to
// the back. With --sched=chaos the next task and the quantum are drawn from
// the seed instead. Everything here depends only on guest events, so a run
// is a pure function of its inputs.

void Kernel::enqueue(Task &T) {
  if (T.InRunQueue || T.State != TaskState::Runnable || T.group().Stopped)
    return;
  T.InRunQueue = true;
  RunQueue.push_back(&T);
}

Task *Kernel::pickNext() {
  while (!RunQueue.empty()) {
    size_t I = 0;
    if (Opts.Chaos && RunQueue.size() > 1)
      I = size_t(SchedRng.next() % RunQueue.size());
    Task *T = RunQueue[I];
    RunQueue.erase(RunQueue.begin() + long(I));
    T->InRunQueue = false;
    // A stopped process's threads wait outside the queue for SIGCONT.
    if (T->State == TaskState::Runnable && !T->group().Stopped)
      return T;
  }
  return nullptr;
}

SysResult Kernel::block(Task &T, llvm::ArrayRef<WaitQueue *> Queues,
                        uint64_t Deadline, std::string What) {
  T.State = TaskState::Blocked;
  T.Wait.Deadline = Deadline;
  T.Wait.Woken = T.Wait.TimedOut = false;
  T.Wait.What = std::move(What);
  for (WaitQueue *Q : Queues) {
    Q->Waiters.push_back(&T);
    T.Wait.Queues.push_back(Q);
  }
  if (Deadline)
    Timers.insert({Deadline, T.tid()});
  // A handler that can run already ends the wait at once.
  if (T.Wait.Restart != RestartKind::Uninterruptible && handledSignal(T)) {
    T.Wait.Interrupted = true;
    wake(T);
  }
  return Errno::REPRISE_BLOCKED;
}

void Kernel::unblock(Task &T) {
  for (WaitQueue *Q : T.Wait.Queues)
    std::erase(Q->Waiters, &T);
  T.Wait.Queues.clear();
  if (T.Wait.Deadline)
    Timers.erase({T.Wait.Deadline, T.tid()});
  if (T.Wait.InFutex) {
    auto It = Futexes.find(T.Wait.FutexAt);
    if (It != Futexes.end()) {
      std::erase_if(It->second, [&](const FutexWaiter &W) { return W.T == &T; });
      if (It->second.empty())
        Futexes.erase(It);
    }
    T.Wait.InFutex = false;
  }
}

void Kernel::wake(Task &T) {
  if (T.State != TaskState::Blocked)
    return;
  unblock(T);
  T.State = TaskState::Runnable;
  enqueue(T);
}

void Kernel::yield(Task &T) {
  T.cpu().requestStop(); // the scheduler requeues it at the back
}

WaitQueue::~WaitQueue() { wakeAll(); }

void WaitQueue::wakeAll() {
  ++Wakes;
  // Waking removes each task from this queue.
  while (!Waiters.empty()) {
    Task *T = Waiters.front();
    T->kernel().wake(*T);
  }
}

bool Kernel::fireTimers() {
  bool Any = false;
  uint64_t Now = monotonicNs();
  while (!Timers.empty() && Timers.begin()->first <= Now) {
    Task *T = taskByTid(Timers.begin()->second);
    if (!T) {
      Timers.erase(Timers.begin());
      continue;
    }
    wake(*T);
    T->Wait.TimedOut = true;
    Any = true;
  }
  return Any;
}

void Kernel::load(Task &T) {
  mm::AddressSpace &AS = T.mm();
  if (AS.Loaded == &T)
    return;
  cpu::Engine &E = AS.engine();
  if (auto *Prev = static_cast<Task *>(const_cast<void *>(AS.Loaded)))
    Prev->Saved = E.saveContext();
  if (T.Saved) {
    E.restoreContext(*T.Saved);
    T.Saved.reset();
  }
  AS.Loaded = &T;
}

void Kernel::collectGarbage() {
  DeadTasks.clear();
  DeadSpaces.clear();
}

std::string Kernel::deadlockReport() {
  std::string R = "reprise: guest deadlock: every task is blocked and nothing "
                  "can wake one:";
  for (const auto &[Tid, T] : Tasks) {
    if (T->State == TaskState::Blocked)
      R += " task " + std::to_string(Tid) + " in " + T->Wait.What + ";";
    else if (T->State == TaskState::Runnable && T->group().Stopped)
      R += " task " + std::to_string(Tid) + " stopped by " +
           signalName(T->group().StopSignal) + ";";
  }
  R.pop_back();
  return R;
}

std::string Kernel::where(Task &T) {
  cpu::Engine &E = T.cpu();
  // The registers are in the engine, or saved while another task runs.
  uint64_t Pc = T.mm().Loaded == &T || !T.Saved ? E.reg(cpu::Reg::Pc)
                                                 : E.contextReg(*T.Saved, cpu::Reg::Pc);
  return llvm::formatv("pc {0:x}: {1}", Pc,
                       cpu::disassemble(E.arch(), Pc, T.mm().peek(Pc, 16)))
      .str();
}

PidRef Kernel::foregroundPgrp() {
  if (Foreground)
    for (const auto &[Pid, G] : Groups)
      if (G->State == ThreadGroup::Life::Alive && G->Pgrp == Foreground)
        return Foreground;
  ThreadGroup *Init = RootPids->Init;
  return Init ? Init->Pgrp : PidRef();
}

void Kernel::forwardHostSignals(uint64_t Sigs) {
  // Like a terminal's: to the foreground process group.
  PidRef Fg = foregroundPgrp();
  if (!Fg)
    return;
  for (int Sig = 1; Sig <= LX_NSIG; ++Sig) {
    if (!(Sigs & sigBit(Sig)))
      continue;
    // By pid: a signal that ends one process (init's ends them all) may
    // let another be reaped before its turn.
    std::vector<int32_t> Targets;
    for (const auto &[Pid, G] : Groups)
      if (G->State == ThreadGroup::Life::Alive && G->Pgrp == Fg)
        Targets.push_back(Pid);
    for (int32_t Pid : Targets)
      if (ThreadGroup *G = groupByPid(Pid))
        sendSignal(*G, nullptr, SigInfo::fromOutside(Sig), /*FromHost=*/true);
  }
}

RunOutcome Kernel::run() {
  while (!Stopping) {
    collectGarbage();
    // Host signals are outside input: in replay they come from the trace,
    // at this same point of the run.
    if (uint64_t Sigs = Gate.hostSignals(Opts.HostSignals))
      forwardHostSignals(Sigs);
    if (Stopping)
      break;
    fireTimers();
    fireProcessTimers();
    Task *T = pickNext();
    if (!T) {
      // A process timer that fires again and again while nothing ever runs
      // (its signal ignored) must not spin: after a million empty jumps the
      // run counts as deadlocked.
      bool Waiting = !Timers.empty() || (!ProcessTimers.empty() && IdleJumps < 1'000'000);
      if (!Waiting) {
        // Tasks left blocked, or stopped with nobody to continue them.
        bool Blocked = false;
        for (const auto &[Tid, Other] : Tasks)
          Blocked |= Other->State == TaskState::Blocked ||
                     (Other->State == TaskState::Runnable && Other->group().Stopped);
        if (Blocked) {
          Outcome.ExitCode = 125;
          Outcome.Report = deadlockReport();
        }
        break;
      }
      // Every task waits: the clock jumps to the next deadline.
      uint64_t Now = monotonicNs();
      uint64_t Next = UINT64_MAX;
      if (!Timers.empty())
        Next = Timers.begin()->first;
      if (!ProcessTimers.empty())
        Next = std::min(Next, std::get<0>(*ProcessTimers.begin()));
      if (Next > Now)
        IdleNs += Next - Now;
      ++IdleJumps;
      continue;
    }
    IdleJumps = 0;
    load(*T);
    Current = T;
    LastTask = T->tid();
    cpu::Engine &E = T->cpu();
    SliceEngine = &E;
    SliceStart = E.blocksExecuted();
    if (T->Pending) {
      // A blocked system call runs again now that the task was woken: what
      // it waited for may have come (a child's exit that also sent
      // SIGCHLD is reported, not interrupted).
      PendingSyscall P = *T->Pending;
      T->Pending.reset();
      T->Wait.Restarted = true;
      T->Wait.Interrupted = false;
      dispatch(*T, P.Info, P.Args, /*InHook=*/false);
      if (T->Pending && T->Wait.Interrupted && T->State == TaskState::Runnable) {
        // Still waiting, but a handler must run: EINTR or a restart.
        if (T->InRunQueue) {
          std::erase(RunQueue, T);
          T->InRunQueue = false;
        }
        interruptSyscall(*T);
      }
      if (T->Pending || T->State != TaskState::Runnable || Stopping ||
          &T->cpu() != &E) {
        // Blocked again, ended, or exec'd into a new engine: start over.
        if (T->State == TaskState::Runnable)
          enqueue(*T);
        Current = nullptr;
        SliceEngine = nullptr;
        continue;
      }
    }
    // Back to user mode: signals first.
    if (signalPending(*T)) {
      deliverSignals(*T);
      if (T->State != TaskState::Runnable || Stopping || T->group().Stopped) {
        Current = nullptr;
        SliceEngine = nullptr;
        continue;
      }
    }
    uint64_t Budget = Opts.Quantum;
    if (Opts.Chaos)
      Budget = 1 + SchedRng.next() % (2 * Opts.Quantum);
    if (Opts.MaxBlocks) {
      if (TotalBlocks >= Opts.MaxBlocks) {
        Outcome.ExitCode = 124;
        Outcome.Report = "reprise: stopped after " +
                         std::to_string(Opts.MaxBlocks) +
                         " guest blocks (--max-blocks)";
        Current = nullptr;
        SliceEngine = nullptr;
        break;
      }
      Budget = std::min(Budget, Opts.MaxBlocks - TotalBlocks);
    }
    if (Gate.logging()) {
      event(replay::EventKind::Schedule, T->tid(), TotalBlocks, 0);
      if (Stopping)
        break;
    }
    cpu::StopInfo S = E.run(Budget);
    uint64_t Ran = E.blocksExecuted() - SliceStart;
    TotalBlocks += Ran;
    T->CpuNs += Ran * BlockNs;
    SliceStart = E.blocksExecuted(); // counted: the clocks must not add it again
    checkCpuTimers(T->group());
    Current = nullptr;
    SliceEngine = nullptr;
    if (Stopping)
      break;
    if (T->State == TaskState::Runnable &&
        (S.Kind == cpu::StopKind::Requested || S.Kind == cpu::StopKind::Quantum)) {
      // A signal for this task (sent by itself, say) is set up now, so the
      // handler runs in the thread that returns from the call.
      if (signalPending(*T) && !T->Pending) {
        load(*T);
        deliverSignals(*T);
      }
      enqueue(*T);
      continue;
    }
    if (T->State != TaskState::Runnable)
      continue;
    uint64_t Pc = E.reg(cpu::Reg::Pc);
    switch (S.Kind) {
    case cpu::StopKind::Requested:
    case cpu::StopKind::Quantum:
      break;
    case cpu::StopKind::Fault: {
      const char *Kind = S.Fault.Kind == cpu::Access::Write     ? "write"
                         : S.Fault.Kind == cpu::Access::Execute ? "execute"
                                                                : "read";
      int32_t Code = S.Fault.Mapped ? LX_SEGV_ACCERR : LX_SEGV_MAPERR;
      S.Fault.Addr = E.faultAddress(S.Fault, T->mm().peek(Pc, 16));
      T->FaultAccess = S.Fault.Kind;
      if (!S.Fault.Mapped && T->mm().pastEndOfFile(S.Fault.Addr)) {
        // A page of a file mapping past the end of its file (Linux's
        // VM_FAULT_SIGBUS).
        forceSignal(*T, SigInfo::fault(LX_SIGBUS, LX_BUS_ADRERR, S.Fault.Addr),
                    llvm::formatv("bus error: {0} at address {1:x} past the end of "
                                  "the mapped file (BUS_ADRERR)",
                                  Kind, S.Fault.Addr)
                        .str());
        break;
      }
      forceSignal(*T, SigInfo::fault(LX_SIGSEGV, Code, S.Fault.Addr),
                  llvm::formatv("{0} {1} at address {2:x} ({3})",
                                S.Fault.Mapped ? "protection fault:" : "bad",
                                Kind, S.Fault.Addr,
                                S.Fault.Mapped ? "SEGV_ACCERR" : "SEGV_MAPERR")
                      .str());
      break;
    }
    case cpu::StopKind::IllegalInsn:
      forceSignal(*T,
                  SigInfo::fault(LX_SIGILL, T->arch() == Arch::X86_64 ? LX_ILL_ILLOPN
                                                                     : LX_ILL_ILLOPC,
                                 Pc),
                  "illegal instruction");
      break;
    case cpu::StopKind::Breakpoint:
      forceSignal(*T,
                  T->arch() == Arch::X86_64 ? SigInfo::kernel(LX_SIGTRAP)
                                            : SigInfo::fault(LX_SIGTRAP, LX_TRAP_BRKPT, Pc),
                  "breakpoint");
      break;
    case cpu::StopKind::DivideError:
      forceSignal(*T, SigInfo::fault(LX_SIGFPE, LX_FPE_INTDIV, Pc),
                  "integer divide error");
      break;
    case cpu::StopKind::GeneralProtection: {
      std::string Insn = cpu::disassemble(E.arch(), Pc, T->mm().peek(Pc, 16));
      if (Insn.rfind("div", 0) == 0 || Insn.rfind("idiv", 0) == 0)
        forceSignal(*T, SigInfo::fault(LX_SIGFPE, LX_FPE_INTDIV, Pc),
                    "integer divide error");
      else
        forceSignal(*T, SigInfo::fault(LX_SIGSEGV, LX_SI_KERNEL, 0),
                    "general protection fault");
      break;
    }
    case cpu::StopKind::EngineError:
      killBySignal(*T, LX_SIGILL, "engine error (" + S.Message + ")");
      break;
    }
    if (T->State == TaskState::Runnable)
      enqueue(*T); // a handler took the fault
  }
  Current = nullptr;
  SliceEngine = nullptr;
  // Freeing the last address spaces writes shared file mappings back to
  // their files: host calls that belong before the end of the trace.
  collectGarbage();
  if (Gate.logging() && !Gate.stopped()) {
    // The last event: how the run ended, and the guest time it took.
    uint64_t End[] = {monotonicNs() - BootNs};
    event(replay::EventKind::End, 0, 0, Outcome.ExitCode, End);
    Gate.finish();
  }
  if (Gate.stopped())
    replayStopped();
  collectGarbage();
  return Outcome;
}

void Kernel::event(replay::EventKind K, int32_t Tid, uint64_t Op, int64_t Result,
                   llvm::ArrayRef<uint64_t> Args) {
  Gate.event(replay::EventView(K, Tid, Op, Result, Args));
}

std::string Kernel::registerDump(Task &T) {
  load(T);
  cpu::Engine &E = T.cpu();
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "task " << T.tid() << " (" << T.group().Comm << ")";
  if (T.State == TaskState::Blocked)
    OS << ", blocked in " << T.Wait.What;
  OS << ":\n";
  auto Line = [&](llvm::StringRef Name, uint64_t V, unsigned &Col) {
    OS << llvm::formatv("  {0,6} {1:x16}", Name, V);
    if (++Col % 4 == 0)
      OS << "\n";
  };
  unsigned Col = 0;
  if (E.arch() == Arch::X86_64) {
    static const char *Names[] = {"r8",  "r9",  "r10", "r11", "r12", "r13",
                                  "r14", "r15", "rdi", "rsi", "rbp", "rbx",
                                  "rdx", "rax", "rcx", "rsp", "rip", "eflags"};
    auto R = E.userRegsX86();
    for (unsigned I = 0; I < cpu::X86UserRegs::NumGprs; ++I)
      Line(Names[I], R.Gpr[I], Col);
  } else {
    auto R = E.userRegsArm64();
    for (unsigned I = 0; I < 31; ++I)
      Line("x" + std::to_string(I), R.X[I], Col);
    Line("sp", R.Sp, Col);
    Line("pc", R.Pc, Col);
    Line("pstate", R.Pstate, Col);
  }
  if (Col % 4)
    OS << "\n";
  uint64_t Pc = E.reg(cpu::Reg::Pc);
  OS << llvm::formatv("  at {0:x}: {1}", Pc,
                      cpu::disassemble(E.arch(), Pc, T.mm().peek(Pc, 16)));
  return OS.str();
}

void Kernel::replayStopped() {
  using Reason = replay::Gate::StopReason;
  std::string R;
  switch (Gate.stopReason()) {
  case Reason::Diverged: {
    Outcome.ExitCode = replay::DivergenceExitCode;
    R = "reprise: replay diverged from the trace at " + Gate.stopMessage();
    // Where the guest was: the task of the event and its last instructions.
    Task *T = LastTask ? taskByTid(LastTask) : nullptr;
    if (T && T->MM)
      R += "\n" + recentCode(*T);
    break;
  }
  case Reason::TraceEnded:
    Outcome.ExitCode = replay::TraceEndExitCode;
    R = "reprise: replay stopped: " + Gate.stopMessage();
    break;
  case Reason::BadTrace:
    Outcome.ExitCode = 1;
    R = "reprise: bad trace: " + Gate.stopMessage();
    break;
  case Reason::StopAt:
    Outcome.ExitCode = 0;
    R = "reprise: " + Gate.stopMessage();
    for (auto &[Tid, T] : Tasks)
      if (T->State != TaskState::Dead && T->MM)
        R += "\n" + registerDump(*T);
    break;
  case Reason::None:
    return;
  }
  Outcome.Signal = 0;
  Outcome.Report = std::move(R);
}

std::string Kernel::recentCode(Task &T) {
  load(T);
  cpu::Engine &E = T.cpu();
  uint64_t Pc = E.reg(cpu::Reg::Pc);
  std::string S = llvm::formatv("task {0} at pc {1:x}; the instructions up to it:",
                                T.tid(), Pc)
                      .str();
  // arm64 instructions are 4 bytes; x86-64's are found by decoding from the
  // farthest start before pc whose instructions end exactly at pc.
  std::vector<std::pair<uint64_t, std::string>> Insns;
  if (E.arch() == Arch::Arm64) {
    for (uint64_t A = Pc >= 16 ? Pc - 16 : 0; A <= Pc; A += 4)
      Insns.push_back({A, cpu::disassemble(E.arch(), A, T.mm().peek(A, 4))});
  } else {
    for (uint64_t Back = 24; Back > 0; --Back) {
      if (Pc < Back)
        continue;
      auto Code = T.mm().peek(Pc - Back, Back + 16);
      auto List = cpu::disassembleRange(E.arch(), Pc - Back, Code, Pc);
      if (!List.empty()) {
        Insns = std::move(List);
        break;
      }
    }
    Insns.push_back({Pc, cpu::disassemble(E.arch(), Pc, T.mm().peek(Pc, 16))});
  }
  for (auto &[A, Text] : Insns)
    S += llvm::formatv("\n  {0}{1:x}: {2}", A == Pc ? "=> " : "   ", A, Text).str();
  return S;
}

// --- System calls -----------------------------------------------------------

uint64_t Kernel::resumePc(Task &T, bool InHook) {
  uint64_t Pc = T.cpu().reg(cpu::Reg::Pc);
  // Inside the hook x86-64's RIP is still on the 2-byte syscall instruction.
  return InHook && T.arch() == Arch::X86_64 ? Pc + 2 : Pc;
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
  T.Wait.Restarted = false;
  T.Wait.Restart = RestartKind::Sys;
  dispatch(T, Info, A, /*InHook=*/true);
}

void Kernel::dispatch(Task &T, const SyscallInfo *Info, const SyscallArgs &A,
                      bool InHook) {
  bool Trace = Opts.Strace &&
               (Opts.StraceFilter.empty() ||
                (Info && Opts.StraceFilter.count(std::string(Info->Name))));
  if (Trace && !T.Wait.Restarted)
    traceEnter(T, Info, A);
  // exit and exec replace or drop the task's engine; stop the one running.
  cpu::Engine &Running = T.cpu();
  SysResult R = Info ? Info->Handler(T, A) : SysResult(Errno::LX_ENOSYS);
  if (T.State == TaskState::Dead || T.group().Exiting) {
    if (Trace) {
      *Opts.Strace << PendingTrace << ") = ?\n";
      Opts.Strace->flush();
    }
    if (InHook)
      Running.requestStop();
    return;
  }
  if (T.RegsReplaced) {
    // rt_sigreturn wrote every register. Inside the hook x86-64 still adds
    // the syscall instruction's length to RIP afterwards.
    T.RegsReplaced = false;
    if (Gate.logging())
      event(replay::EventKind::Syscall, T.tid(), A.Nr, 0, A.A);
    if (Trace) {
      *Opts.Strace << PendingTrace << ") = ?\n";
      Opts.Strace->flush();
    }
    if (InHook) {
      if (T.arch() == Arch::X86_64)
        T.cpu().setReg(cpu::Reg::Pc, T.cpu().reg(cpu::Reg::Pc) - 2);
      Running.requestStop();
    }
    return;
  }
  if (T.Execed) {
    T.Execed = false;
    T.Wait.Restarted = false;
    if (Trace)
      traceExit(T, Info, A, 0);
    if (Gate.logging())
      event(replay::EventKind::Syscall, T.tid(), A.Nr, 0, A.A);
    if (InHook)
      Running.requestStop();
    return;
  }
  if (!R && R.error() == Errno::REPRISE_BLOCKED) {
    // Parked: the engine stops after this instruction and the call runs
    // again when the task is woken. The trace line waits for the result.
    T.Pending = PendingSyscall{Info, A};
    if (Trace)
      T.PendingTrace = std::move(PendingTrace);
    if (InHook)
      Running.requestStop();
    return;
  }
  if (Trace && T.Wait.Restarted)
    PendingTrace = std::move(T.PendingTrace);
  T.Wait.Restarted = false;
  int64_t Ret = R ? *R : -errnoValue(R.error());
  cpu::Engine &E = T.cpu();
  E.setReg(cpu::Reg::Ret, uint64_t(Ret));
  if (E.arch() == Arch::X86_64) {
    // Linux's syscall leaves the return address in RCX and RFLAGS in R11.
    E.setReg(cpu::Reg::X86Rcx, resumePc(T, InHook));
    E.setReg(cpu::Reg::X86R11, E.reg(cpu::Reg::Flags));
  }
  if (Trace)
    traceExit(T, Info, A, Ret);
  if (Gate.logging())
    event(replay::EventKind::Syscall, T.tid(), A.Nr, Ret, A.A);
  // A signal to take: leave the engine so the scheduler delivers it.
  if (InHook && signalPending(T))
    Running.requestStop();
}

} // namespace reprise
