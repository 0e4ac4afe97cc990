//===- kernel/proc/ProcSystem.cpp - System-wide files of /proc ------------===//
#include "kernel/proc/ProcFiles.h"

#include "kernel/Kernel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

namespace reprise::proc {

namespace {

constexpr uint64_t TickNs = 10'000'000; // USER_HZ = 100

/// A time as /proc/uptime writes it: seconds with two decimals.
std::string centiseconds(uint64_t Ns) {
  unsigned long long Cs = Ns / 10'000'000;
  char Buf[48];
  std::snprintf(Buf, sizeof Buf, "%llu.%02llu", Cs / 100, Cs % 100);
  return Buf;
}

/// A UUID in its text form from 16 random bytes, marked as version 4.
std::string uuidText(std::array<uint8_t, 16> B) {
  B[6] = uint8_t((B[6] & 0x0f) | 0x40);
  B[8] = uint8_t((B[8] & 0x3f) | 0x80);
  std::string S;
  for (size_t I = 0; I < B.size(); ++I) {
    if (I == 4 || I == 6 || I == 8 || I == 10)
      S += '-';
    char Hex[3];
    std::snprintf(Hex, sizeof Hex, "%02x", unsigned(B[I]));
    S += Hex;
  }
  return S + "\n";
}

} // namespace

std::string meminfoText(Kernel &K) {
  // The machine has the guest's memory budget (--max-memory); what the
  // guest's frames use of it is taken, the rest free. No swap, no caches.
  uint64_t Total = K.options().MaxMemory;
  uint64_t Used = std::min(Total, K.framesInUse() * PageSize);
  uint64_t Free = Total - Used;
  std::string S;
  llvm::raw_string_ostream OS(S);
  auto line = [&](const char *Name, uint64_t Bytes) {
    OS << llvm::format("%-16s%8llu kB\n", (std::string(Name) + ":").c_str(),
                       static_cast<unsigned long long>(Bytes / 1024));
  };
  line("MemTotal", Total);
  line("MemFree", Free);
  line("MemAvailable", Free);
  line("Buffers", 0);
  line("Cached", 0);
  line("SwapCached", 0);
  line("Active", Used);
  line("Inactive", 0);
  line("Active(anon)", Used);
  line("Inactive(anon)", 0);
  line("Active(file)", 0);
  line("Inactive(file)", 0);
  line("Unevictable", 0);
  line("Mlocked", 0);
  line("SwapTotal", 0);
  line("SwapFree", 0);
  line("Dirty", 0);
  line("Writeback", 0);
  line("AnonPages", Used);
  line("Mapped", 0);
  line("Shmem", 0);
  line("KReclaimable", 0);
  line("Slab", 0);
  line("SReclaimable", 0);
  line("SUnreclaim", 0);
  line("KernelStack", 0);
  line("PageTables", 0);
  line("NFS_Unstable", 0);
  line("Bounce", 0);
  line("WritebackTmp", 0);
  line("CommitLimit", Total);
  line("Committed_AS", Used);
  line("VmallocTotal", 34359738367ull * 1024); // x86-64's, in kB
  line("VmallocUsed", 0);
  line("VmallocChunk", 0);
  return OS.str();
}

std::string uptimeText(Kernel &K) {
  // Time since the virtual boot, and how much of it the one CPU was idle.
  return centiseconds(K.monotonicNs()) + " " + centiseconds(K.idleNs()) + "\n";
}

std::string loadavgText(Kernel &K) {
  // Load averages are not kept; the counts are: runnable tasks (the
  // reader among them), all tasks, and the last id handed out.
  size_t Runnable = 0;
  for (int32_t Pid : K.processIds())
    if (ThreadGroup *G = K.groupByPid(Pid))
      for (Task *T : G->Threads)
        Runnable += T->State == TaskState::Runnable && !G->Stopped;
  return llvm::formatv("0.00 0.00 0.00 {0}/{1} {2}\n", Runnable, K.liveTasks(),
                       K.rootPidNamespace().lastId())
      .str();
}

std::string filesystemsText() {
  // The types reprise mounts: its synthetic ones and the host directory.
  return "nodev\tsysfs\n"
         "nodev\tproc\n"
         "nodev\tdevtmpfs\n"
         "nodev\ttmpfs\n"
         "nodev\toverlay\n"
         "nodev\thostfs\n";
}

std::string systemStatText(Kernel &K) {
  // One CPU: the guest's work is user time, the rest idle.
  uint64_t User = K.cpuTimeNs() / TickNs, Idle = K.idleNs() / TickNs;
  std::string Cpu = llvm::formatv("{0} 0 0 {1} 0 0 0 0 0 0", User, Idle).str();
  int64_t BootTime = K.realtime().Sec - int64_t(K.monotonicNs() / 1'000'000'000);
  size_t Running = 0;
  for (int32_t Pid : K.processIds())
    if (ThreadGroup *G = K.groupByPid(Pid))
      for (Task *T : G->Threads)
        Running += T->State == TaskState::Runnable;
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "cpu  " << Cpu << "\n"
     << "cpu0 " << Cpu << "\n"
     << "intr 0\n"
     << "ctxt 0\n"
     << "btime " << BootTime << "\n"
     << "processes " << K.rootPidNamespace().lastId() << "\n"
     << "procs_running " << Running << "\n"
     << "procs_blocked 0\n" // blocked in disk I/O: none
     << "softirq 0 0 0 0 0 0 0 0 0 0 0\n";
  return OS.str();
}

std::string versionText() {
  return std::string("Linux version ") + KernelRelease + " (reprise) " + KernelVersion +
         "\n";
}

std::string bootId(Kernel &K) {
  // A stream of the seed of its own: the same for every read of a run,
  // and not drawn from the generator the guest's randomness comes from.
  Random R(K.options().Seed, 0x626f6f74); // "boot"
  std::array<uint8_t, 16> B;
  R.fill(B);
  return uuidText(B);
}

std::string randomUuid(Kernel &K) {
  std::array<uint8_t, 16> B;
  K.random().fill(B);
  return uuidText(B);
}

} // namespace reprise::proc
