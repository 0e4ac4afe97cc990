//===- kernel/proc/ProcTask.cpp - Per-process files of /proc --------------===//
#include "kernel/proc/ProcFiles.h"

#include "kernel/Kernel.h"
#include "kernel/syscalls/Abi.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <bit>

namespace reprise::proc {

using namespace linux_abi;

namespace {

// Linux reports CPU time in clock ticks of USER_HZ (AT_CLKTCK says 100).
constexpr uint64_t TickNs = 10'000'000;
// Every capability of Linux 6.1 (CAP_LAST_CAP is 40).
constexpr uint64_t AllCaps = (1ull << 41) - 1;

/// The id \p P in the root namespace, where /proc counts; 0 for none.
int32_t rootId(const PidRef &P) { return P ? P->root() : 0; }

/// Major and minor of a st_dev value (Linux's new_decode_dev).
std::pair<uint32_t, uint32_t> decodeDev(uint64_t Dev) {
  uint32_t Major = uint32_t((Dev >> 8) & 0xfff) | uint32_t((Dev >> 32) & ~0xfffull);
  uint32_t Minor = uint32_t(Dev & 0xff) | uint32_t((Dev >> 12) & ~0xffull);
  return {Major, Minor};
}

/// The state letter and word of /proc's State. A stopped process's threads
/// are stopped; a task in a system call that waits sleeps; the others run
/// or wait for the CPU, which Linux shows alike.
std::pair<char, const char *> stateOf(Task &T) {
  if (T.group().State == ThreadGroup::Life::Zombie)
    return {'Z', "zombie"};
  if (T.group().Stopped)
    return {'T', "stopped"};
  if (T.State == TaskState::Blocked)
    return {'S', "sleeping"};
  return {'R', "running"};
}

/// Ignored and caught signals of \p G, as sigsets.
std::pair<uint64_t, uint64_t> dispositions(ThreadGroup &G) {
  uint64_t Ign = 0, Cgt = 0;
  for (int Sig = 1; Sig <= LX_NSIG; ++Sig) {
    uint64_t H = G.Handlers->Actions[size_t(Sig)].Handler;
    if (H == LX_SIG_IGN)
      Ign |= sigBit(Sig);
    else if (H != LX_SIG_DFL)
      Cgt |= sigBit(Sig);
  }
  return {Ign, Cgt};
}

uint64_t cpuNs(Kernel &K, Task &T, bool Whole) {
  if (Whole)
    return K.processCpuNs(T.group());
  return T.CpuNs + (K.current() == &T ? K.sliceNs() : 0);
}

/// What status's Vm* and Rss* lines and stat's vsize and rss count, from
/// the address space's mappings and the frames behind them.
struct MemoryUse {
  uint64_t Size = 0, Rss = 0, RssAnon = 0, RssFile = 0, RssShmem = 0;
  uint64_t Data = 0, Stack = 0, Exec = 0, PageTables = 0;
};

MemoryUse memoryUse(mm::AddressSpace &AS) {
  MemoryUse U;
  uint64_t LastTable = ~0ull; // the 2 MiB region of the last page table counted
  for (const auto &[Start, V] : AS.vmas()) {
    uint64_t Len = V.End - V.Start;
    U.Size += Len;
    uint64_t Pages = 0;
    for (mm::FrameId F : V.Frames)
      Pages += F != 0;
    uint64_t Resident = Pages * PageSize;
    bool Shared = (V.Flags & LX_MAP_TYPE) != LX_MAP_PRIVATE;
    bool Stack = V.Flags & LX_MAP_GROWSDOWN;
    U.Rss += Resident;
    if (V.Ino)
      U.RssFile += Resident;
    else if (Shared)
      U.RssShmem += Resident;
    else
      U.RssAnon += Resident;
    // As Linux's vm_stat_account: private writable memory is data, the
    // stack its own, read-only executable memory is code.
    if (Stack)
      U.Stack += Len;
    else if ((V.Prot & LX_PROT_WRITE) && !Shared)
      U.Data += Len;
    else if (V.Prot & LX_PROT_EXEC)
      U.Exec += Len;
    // One page of page table maps 2 MiB of address space.
    uint64_t First = V.Start >> 21, Last = (V.End - 1) >> 21;
    U.PageTables += (Last - First + 1 - (First == LastTable)) * PageSize;
    LastTable = Last;
  }
  return U;
}

std::string hex16(uint64_t V) {
  return llvm::formatv("{0:x-16}", V).str();
}

} // namespace

std::string statText(Kernel &K, Task &T, bool Whole) {
  ThreadGroup &G = T.group();
  const ImageLayout &L = G.Image;
  char State = stateOf(T).first;
  auto [Ign, Cgt] = dispositions(G);
  MemoryUse M = memoryUse(T.mm());
  // Threads other than the leader have no exit signal of their own.
  int ExitSignal = Whole || T.isLeader() ? G.ExitSignal : -1;
  uint64_t RssLimit = G.Limits[LX_RLIMIT_RSS].Cur;
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << (Whole ? G.Pid : T.tid()) << " (" << G.Comm << ") " << State << ' '
     << (G.Parent ? G.Parent->Pid : 0) << ' ' << rootId(G.Pgrp) << ' '
     << rootId(G.Session) << " 0 -1 " // no controlling terminal
     << 0x400000 << " 0 0 0 0 "       // PF_RANDOMIZE; no page faults counted
     << cpuNs(K, T, Whole) / TickNs << " 0 " // all guest work is user time
     << G.ChildrenCpuNs / TickNs << " 0 "
     << "20 0 " << G.Threads.size() << " 0 " << T.StartNs / TickNs << ' '
     << M.Size << ' ' << M.Rss / PageSize << ' ' << RssLimit << ' '
     << L.StartCode << ' ' << L.EndCode << ' ' << L.StartStack << " 0 0 "
     << (T.SigPending.pending() & 0x7fffffff) << ' ' << (T.SigMask & 0x7fffffff)
     << ' ' << (Ign & 0x7fffffff) << ' ' << (Cgt & 0x7fffffff) << ' '
     << (T.State == TaskState::Blocked ? 1 : 0) << " 0 0 " << ExitSignal
     << " 0 0 0 0 0 0 " // cpu, rt_priority, policy, blkio, guest times
     << L.StartData << ' ' << L.EndData << ' ' << L.StartBrk << ' '
     << L.ArgStart << ' ' << L.ArgEnd << ' ' << L.EnvStart << ' ' << L.EnvEnd
     << " 0\n"; // exit code: only a dead task has one
  return OS.str();
}

std::string statusText(Kernel &K, Task &T, bool Whole) {
  // status has no process-wide sums: /proc/PID/status is its leader's.
  (void)K;
  (void)Whole;
  ThreadGroup &G = T.group();
  auto [State, Word] = stateOf(T);
  auto [Ign, Cgt] = dispositions(G);
  MemoryUse M = memoryUse(T.mm());
  auto kB = [](uint64_t Bytes) { return llvm::format("%8llu kB", static_cast<unsigned long long>(Bytes / 1024)); };
  auto ids = [&](const PidRef &P) {
    std::string Out;
    if (P)
      for (int32_t Id : P->numbers())
        Out += (Out.empty() ? "" : "\t") + std::to_string(Id);
    return Out;
  };
  // FDSize is the size of the descriptor array: 64 at first, doubled as
  // higher descriptors are used.
  std::vector<int> Fds = T.fds().openFds();
  uint64_t FdSize = 64;
  while (!Fds.empty() && uint64_t(Fds.back()) >= FdSize)
    FdSize *= 2;
  const ImageLayout &L = G.Image;
  uint64_t ExeBytes = pageUp(L.EndCode) - pageDown(L.StartCode);
  const TaskIds &Id = T.Ids;
  uint64_t Caps = Id.Euid == 0 ? AllCaps : 0;
  // Linux separates the groups with spaces and ends the line with one.
  std::string Groups;
  for (uint32_t G : Id.Groups)
    Groups += (Groups.empty() ? "" : " ") + std::to_string(G);
  Groups += ' ';

  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "Name:\t" << G.Comm << "\n"
     << "Umask:\t" << llvm::format("%04o", T.fsContext().Umask) << "\n"
     << "State:\t" << State << " (" << Word << ")\n"
     << "Tgid:\t" << G.Pid << "\n"
     << "Ngid:\t0\n"
     << "Pid:\t" << T.tid() << "\n"
     << "PPid:\t" << (G.Parent ? G.Parent->Pid : 0) << "\n"
     << "TracerPid:\t0\n"
     << "Uid:\t" << Id.Ruid << '\t' << Id.Euid << '\t' << Id.Suid << '\t' << Id.Fsuid << "\n"
     << "Gid:\t" << Id.Rgid << '\t' << Id.Egid << '\t' << Id.Sgid << '\t' << Id.Fsgid << "\n"
     << "FDSize:\t" << FdSize << "\n"
     << "Groups:\t" << Groups << "\n"
     << "NStgid:\t" << ids(G.Id) << "\n"
     << "NSpid:\t" << ids(T.Id) << "\n"
     << "NSpgid:\t" << ids(G.Pgrp) << "\n"
     << "NSsid:\t" << ids(G.Session) << "\n"
     // Peaks are not tracked: the high-water marks are today's figures.
     << "VmPeak:\t" << kB(M.Size) << "\n"
     << "VmSize:\t" << kB(M.Size) << "\n"
     << "VmLck:\t" << kB(0) << "\n"
     << "VmPin:\t" << kB(0) << "\n"
     << "VmHWM:\t" << kB(M.Rss) << "\n"
     << "VmRSS:\t" << kB(M.Rss) << "\n"
     << "RssAnon:\t" << kB(M.RssAnon) << "\n"
     << "RssFile:\t" << kB(M.RssFile) << "\n"
     << "RssShmem:\t" << kB(M.RssShmem) << "\n"
     << "VmData:\t" << kB(M.Data) << "\n"
     << "VmStk:\t" << kB(M.Stack) << "\n"
     << "VmExe:\t" << kB(ExeBytes) << "\n"
     << "VmLib:\t" << kB(M.Exec > ExeBytes ? M.Exec - ExeBytes : 0) << "\n"
     << "VmPTE:\t" << kB(M.PageTables) << "\n"
     << "VmSwap:\t" << kB(0) << "\n"
     << "HugetlbPages:\t" << kB(0) << "\n"
     << "CoreDumping:\t0\n"
     << "THP_enabled:\t1\n"
     << "Threads:\t" << G.Threads.size() << "\n"
     << "SigQ:\t" << std::popcount(T.pendingSignals()) << '/'
     << G.Limits[LX_RLIMIT_SIGPENDING].Cur << "\n"
     << "SigPnd:\t" << hex16(T.SigPending.pending()) << "\n"
     << "ShdPnd:\t" << hex16(G.SharedPending.pending()) << "\n"
     << "SigBlk:\t" << hex16(T.SigMask) << "\n"
     << "SigIgn:\t" << hex16(Ign) << "\n"
     << "SigCgt:\t" << hex16(Cgt) << "\n"
     << "CapInh:\t" << hex16(0) << "\n"
     << "CapPrm:\t" << hex16(Caps) << "\n"
     << "CapEff:\t" << hex16(Caps) << "\n"
     << "CapBnd:\t" << hex16(AllCaps) << "\n"
     << "CapAmb:\t" << hex16(0) << "\n"
     << "NoNewPrivs:\t0\n"
     << "Seccomp:\t0\n"
     << "Seccomp_filters:\t0\n"
     // The emulated CPU does not speculate.
     << "Speculation_Store_Bypass:\tnot vulnerable\n"
     << "SpeculationIndirectBranch:\tnot affected\n"
     << "Cpus_allowed:\t1\n"
     << "Cpus_allowed_list:\t0\n"
     << "Mems_allowed:\t1\n"
     << "Mems_allowed_list:\t0\n"
     << "voluntary_ctxt_switches:\t0\n"
     << "nonvoluntary_ctxt_switches:\t0\n";
  return OS.str();
}

std::string statmText(Task &T) {
  MemoryUse M = memoryUse(T.mm());
  const ImageLayout &L = T.group().Image;
  uint64_t Text = (pageUp(L.EndCode) - pageDown(L.StartCode)) / PageSize;
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << M.Size / PageSize << ' ' << M.Rss / PageSize << ' '
     << (M.RssFile + M.RssShmem) / PageSize << ' ' << Text << " 0 "
     << (M.Data + M.Stack) / PageSize << " 0\n";
  return OS.str();
}

std::string mapsText(Task &T) {
  const ImageLayout &L = T.group().Image;
  std::string S;
  for (const auto &[Start, V] : T.mm().vmas()) {
    auto [Major, Minor] = decodeDev(V.Dev);
    bool Shared = (V.Flags & LX_MAP_TYPE) != LX_MAP_PRIVATE;
    uint64_t Offset = V.Ino ? V.FileOffset : 0; // anonymous memory shows 0
    std::string Line = llvm::formatv(
        "{0:x-8}-{1:x-8} {2}{3}{4}{5} {6:x-8} {7:x-2}:{8:x-2} {9} ", V.Start,
        V.End, V.Prot & LX_PROT_READ ? 'r' : '-', V.Prot & LX_PROT_WRITE ? 'w' : '-',
        V.Prot & LX_PROT_EXEC ? 'x' : '-', Shared ? 's' : 'p', Offset, Major,
        Minor, V.Ino);
    std::string Name = V.Name;
    // Linux names the stack by where exec put the stack pointer, not by
    // the mapping's flags.
    if (Name.empty() && L.StartStack >= V.Start && L.StartStack < V.End)
      Name = "[stack]";
    if (!Name.empty()) {
      // The name starts at column 74: the fields are padded to 72
      // characters, then one more space (seq_pad).
      if (Line.size() < 72)
        Line.append(72 - Line.size(), ' ');
      Line += ' ';
      Line += Name;
    }
    S += Line;
    S += '\n';
  }
  return S;
}

std::string environText(Task &T) {
  const ImageLayout &L = T.group().Image;
  if (L.EnvEnd <= L.EnvStart)
    return {};
  std::vector<uint8_t> Bytes = T.mm().peek(L.EnvStart, L.EnvEnd - L.EnvStart);
  return std::string(Bytes.begin(), Bytes.end());
}

std::string auxvText(Task &T) {
  const auto &A = T.group().Image.Auxv;
  return std::string(A.begin(), A.end());
}

std::optional<std::string> fdinfoText(Kernel &K, Task &T, int Fd) {
  auto F = T.fds().get(Fd);
  if (!F)
    return std::nullopt;
  auto CloseOnExec = T.fds().closeOnExec(Fd);
  uint32_t Flags = archOpenFlags(T.arch(), (*F)->flags());
  if (CloseOnExec && *CloseOnExec)
    Flags |= LX_O_CLOEXEC;
  auto St = (*F)->stat();
  uint64_t Dev = St ? St->Dev : 0, Ino = St ? St->Ino : 0;
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "pos:\t" << (*F)->Pos << "\n"
     << "flags:\t0" << llvm::format("%o", Flags) << "\n"
     << "mnt_id:\t" << K.vfs().mountIdOf(Dev) << "\n"
     << "ino:\t" << Ino << "\n";
  return OS.str();
}

std::string mountsText(Kernel &K) {
  std::string S;
  for (const fs::Mount &M : K.vfs().mounts())
    S += M.Info.Source + ' ' + M.Path + ' ' + M.Info.Type + ' ' + M.Info.Options +
         " 0 0\n";
  return S;
}

std::string mountinfoText(Kernel &K) {
  const auto &Table = K.vfs().mounts();
  std::string S;
  for (const fs::Mount &M : Table) {
    auto [Major, Minor] = decodeDev(M.Info.Device);
    // Every mount sits on the root's; the root on itself, as Linux's first.
    int Parent = Table.front().Id;
    S += llvm::formatv("{0} {1} {2}:{3} / {4} {5} - {6} {7} rw\n", M.Id, Parent,
                       Major, Minor, M.Path, M.Info.Options, M.Info.Type,
                       M.Info.Source)
             .str();
  }
  return S;
}

} // namespace reprise::proc
