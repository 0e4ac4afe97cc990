//===- kernel/CpuModel.cpp ------------------------------------------------===//
#include "kernel/CpuModel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace reprise {

namespace {

// --- x86-64 -------------------------------------------------------------------

// The CPUID words the engine's Westmere model returns (QEMU's model, with
// what its translator cannot execute taken out), read once from a guest
// under reprise; the procfs guest test checks /proc/cpuinfo against CPUID.
constexpr uint32_t Leaf1Edx = 0x078bfbfd, Leaf1Ecx = 0x82982203;
constexpr uint32_t Ext1Edx = 0x20100800, Ext1Ecx = 0x00000001;
constexpr uint32_t Leaf7Ebx = 0, Leaf7Ecx = 0, Leaf6Eax = 0x00000004;

struct FlagBit {
  const uint32_t *Word;
  unsigned Bit;
  const char *Name;
};

// Linux's names, in the order its cpuinfo prints them (word by word of
// arch/x86's cpufeatures: 1:EDX, 0x80000001:EDX, 1:ECX, 0x80000001:ECX,
// 7:EBX, 6:EAX, 7:ECX). Only bits read from CPUID: none of the flags Linux
// derives from other facts (constant_tsc, nopl...).
const FlagBit X86Flags[] = {
    {&Leaf1Edx, 0, "fpu"},        {&Leaf1Edx, 1, "vme"},
    {&Leaf1Edx, 2, "de"},         {&Leaf1Edx, 3, "pse"},
    {&Leaf1Edx, 4, "tsc"},        {&Leaf1Edx, 5, "msr"},
    {&Leaf1Edx, 6, "pae"},        {&Leaf1Edx, 7, "mce"},
    {&Leaf1Edx, 8, "cx8"},        {&Leaf1Edx, 9, "apic"},
    {&Leaf1Edx, 11, "sep"},       {&Leaf1Edx, 12, "mtrr"},
    {&Leaf1Edx, 13, "pge"},       {&Leaf1Edx, 14, "mca"},
    {&Leaf1Edx, 15, "cmov"},      {&Leaf1Edx, 16, "pat"},
    {&Leaf1Edx, 17, "pse36"},     {&Leaf1Edx, 18, "pn"},
    {&Leaf1Edx, 19, "clflush"},   {&Leaf1Edx, 21, "dts"},
    {&Leaf1Edx, 22, "acpi"},      {&Leaf1Edx, 23, "mmx"},
    {&Leaf1Edx, 24, "fxsr"},      {&Leaf1Edx, 25, "sse"},
    {&Leaf1Edx, 26, "sse2"},      {&Leaf1Edx, 27, "ss"},
    {&Leaf1Edx, 28, "ht"},        {&Leaf1Edx, 29, "tm"},
    {&Leaf1Edx, 31, "pbe"},       {&Ext1Edx, 11, "syscall"},
    {&Ext1Edx, 20, "nx"},         {&Ext1Edx, 22, "mmxext"},
    {&Ext1Edx, 25, "fxsr_opt"},   {&Ext1Edx, 26, "pdpe1gb"},
    {&Ext1Edx, 27, "rdtscp"},     {&Ext1Edx, 29, "lm"},
    {&Ext1Edx, 30, "3dnowext"},   {&Ext1Edx, 31, "3dnow"},
    {&Leaf1Ecx, 0, "pni"},        {&Leaf1Ecx, 1, "pclmulqdq"},
    {&Leaf1Ecx, 2, "dtes64"},     {&Leaf1Ecx, 3, "monitor"},
    {&Leaf1Ecx, 4, "ds_cpl"},     {&Leaf1Ecx, 5, "vmx"},
    {&Leaf1Ecx, 6, "smx"},        {&Leaf1Ecx, 7, "est"},
    {&Leaf1Ecx, 8, "tm2"},        {&Leaf1Ecx, 9, "ssse3"},
    {&Leaf1Ecx, 10, "cid"},       {&Leaf1Ecx, 11, "sdbg"},
    {&Leaf1Ecx, 12, "fma"},       {&Leaf1Ecx, 13, "cx16"},
    {&Leaf1Ecx, 14, "xtpr"},      {&Leaf1Ecx, 15, "pdcm"},
    {&Leaf1Ecx, 17, "pcid"},      {&Leaf1Ecx, 18, "dca"},
    {&Leaf1Ecx, 19, "sse4_1"},    {&Leaf1Ecx, 20, "sse4_2"},
    {&Leaf1Ecx, 21, "x2apic"},    {&Leaf1Ecx, 22, "movbe"},
    {&Leaf1Ecx, 23, "popcnt"},    {&Leaf1Ecx, 24, "tsc_deadline_timer"},
    {&Leaf1Ecx, 25, "aes"},       {&Leaf1Ecx, 26, "xsave"},
    {&Leaf1Ecx, 28, "avx"},       {&Leaf1Ecx, 29, "f16c"},
    {&Leaf1Ecx, 30, "rdrand"},    {&Leaf1Ecx, 31, "hypervisor"},
    {&Ext1Ecx, 0, "lahf_lm"},     {&Ext1Ecx, 1, "cmp_legacy"},
    {&Ext1Ecx, 2, "svm"},         {&Ext1Ecx, 5, "abm"},
    {&Ext1Ecx, 6, "sse4a"},       {&Ext1Ecx, 7, "misalignsse"},
    {&Ext1Ecx, 8, "3dnowprefetch"}, {&Leaf7Ebx, 0, "fsgsbase"},
    {&Leaf7Ebx, 3, "bmi1"},       {&Leaf7Ebx, 4, "hle"},
    {&Leaf7Ebx, 5, "avx2"},       {&Leaf7Ebx, 7, "smep"},
    {&Leaf7Ebx, 8, "bmi2"},       {&Leaf7Ebx, 9, "erms"},
    {&Leaf7Ebx, 10, "invpcid"},   {&Leaf7Ebx, 11, "rtm"},
    {&Leaf7Ebx, 16, "avx512f"},   {&Leaf7Ebx, 18, "rdseed"},
    {&Leaf7Ebx, 19, "adx"},       {&Leaf7Ebx, 20, "smap"},
    {&Leaf7Ebx, 23, "clflushopt"}, {&Leaf7Ebx, 24, "clwb"},
    {&Leaf7Ebx, 29, "sha_ni"},    {&Leaf6Eax, 2, "arat"},
    {&Leaf7Ecx, 2, "umip"},       {&Leaf7Ecx, 22, "rdpid"},
};

std::string x86CpuInfo() {
  std::string Flags;
  for (const FlagBit &F : X86Flags)
    if (*F.Word >> F.Bit & 1) {
      if (!Flags.empty())
        Flags += ' ';
      Flags += F.Name;
    }
  // The time stamp counter runs at 1 GHz of virtual time (the engine's
  // rdtsc), so that is the clock; Linux's BogoMIPS is twice it.
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "processor\t: 0\n"
     << "vendor_id\t: GenuineIntel\n"
     << "cpu family\t: 6\n"
     << "model\t\t: 44\n"
     << "model name\t: Westmere E56xx/L56xx/X56xx (Nehalem-C)\n"
     << "stepping\t: 1\n"
     << "microcode\t: 0x1\n"
     << "cpu MHz\t\t: 1000.000\n"
     << "cache size\t: 4096 KB\n"
     << "physical id\t: 0\n"
     << "siblings\t: 1\n"
     << "core id\t\t: 0\n"
     << "cpu cores\t: 1\n"
     << "apicid\t\t: 0\n"
     << "initial apicid\t: 0\n"
     << "fpu\t\t: yes\n"
     << "fpu_exception\t: yes\n"
     << "cpuid level\t: 11\n"
     << "wp\t\t: yes\n"
     << "flags\t\t: " << Flags << "\n"
     << "bugs\t\t:\n"
     << "bogomips\t: 2000.00\n"
     << "clflush size\t: 64\n"
     << "cache_alignment\t: 64\n"
     << "address sizes\t: 40 bits physical, 48 bits virtual\n"
     << "power management:\n\n";
  return OS.str();
}

// --- arm64 ----------------------------------------------------------------------

// AT_HWCAP bits and their cpuinfo names (arch/arm64's hwcap_str order).
const char *const Arm64HwcapNames[] = {
    "fp",    "asimd",   "evtstrm", "aes",     "pmull",   "sha1",  "sha2",
    "crc32", "atomics", "fphp",    "asimdhp", "cpuid",   "asimdrdm", "jscvt",
    "fcma",  "lrcpc",   "dcpop",   "sha3",    "sm3",     "sm4",   "asimddp",
    "sha512", "sve",    "asimdfhm", "dit",    "uscat",   "ilrcpc", "flagm",
    "ssbs",  "sb",      "paca",    "pacg"};

std::string arm64CpuInfo() {
  std::string Features;
  uint64_t Caps = hwcap(Arch::Arm64);
  for (unsigned I = 0; I < std::size(Arm64HwcapNames); ++I)
    if (Caps >> I & 1) {
      if (!Features.empty())
        Features += ' ';
      Features += Arm64HwcapNames[I];
    }
  // MIDR_EL1 of the Cortex-A72 model: implementer ARM (0x41), r0p3. The
  // generic timer runs at 1 GHz (CNTFRQ_EL0), so BogoMIPS is 2000.
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << "processor\t: 0\n"
     << "BogoMIPS\t: 2000.00\n"
     << "Features\t: " << Features << "\n"
     << "CPU implementer\t: 0x41\n"
     << "CPU architecture: 8\n"
     << "CPU variant\t: 0x0\n"
     << "CPU part\t: 0xd08\n"
     << "CPU revision\t: 3\n\n";
  return OS.str();
}

} // namespace

uint64_t hwcap(Arch A) {
  if (A == Arch::X86_64)
    return Leaf1Edx; // Linux's x86 AT_HWCAP is CPUID.1:EDX
  // FP, ASIMD, AES, PMULL, SHA1, SHA2, CRC32 and CPUID (ID registers
  // readable): what the Cortex-A72 model executes. Never SVE.
  return 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x800;
}

std::string cpuInfo(Arch A) {
  return A == Arch::X86_64 ? x86CpuInfo() : arm64CpuInfo();
}

} // namespace reprise
