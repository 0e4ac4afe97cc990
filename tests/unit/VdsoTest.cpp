//===- tests/unit/VdsoTest.cpp - The vDSO image ---------------------------===//
//
// buildVdso() writes an ELF shared object by hand. Here LLVM's ELF reader,
// which knows nothing of how it was written, reads it back: headers,
// segments, sections, the dynamic section, the symbols and their versions.
// The functions' code is decoded to check that each issues the system call
// the kernel's table gives for its name.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"
#include "kernel/Syscall.h"
#include "loader/Vdso.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Object/ELFObjectFile.h"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <set>

using namespace reprise;
namespace elf = llvm::ELF;
using llvm::object::ELF64LEFile;

namespace {

constexpr uint32_t Version = kernelVersionCode(KernelRelease);

llvm::StringRef view(const loader::VdsoImage &Img) {
  return {reinterpret_cast<const char *>(Img.Bytes.data()), Img.Bytes.size()};
}

uint32_t word(const loader::VdsoImage &Img, uint64_t Off) {
  uint32_t W;
  std::memcpy(&W, Img.Bytes.data() + Off, 4);
  return W;
}

/// The system call a function of the image issues: x86-64 `mov eax, imm32;
/// syscall`, arm64 `movz x8, #imm16; svc #0`.
int syscallOf(Arch A, const loader::VdsoImage &Img, uint64_t Off) {
  const uint8_t *P = Img.Bytes.data() + Off;
  if (A == Arch::X86_64) {
    if (P[0] != 0xb8 || P[5] != 0x0f || P[6] != 0x05)
      return -1;
    uint32_t Nr;
    std::memcpy(&Nr, P + 1, 4);
    return int(Nr);
  }
  uint32_t Mov = word(Img, Off), Svc = word(Img, Off + 4);
  if ((Mov & 0xffe0001f) != 0xd2800008 || Svc != 0xd4000001)
    return -1;
  return int((Mov >> 5) & 0xffff);
}

/// The system call a vDSO function stands for, by its name.
std::string callName(const std::string &Sym) {
  for (const char *Prefix : {"__vdso_", "__kernel_"})
    if (Sym.rfind(Prefix, 0) == 0)
      return Sym.substr(std::strlen(Prefix));
  return Sym;
}

void checkImage(Arch A, const std::set<std::string> &Expected, const char *VersionName) {
  loader::VdsoImage Img = loader::buildVdso(A, Version);
  BOOST_TEST(Img.Bytes.size() % PageSize == 0);
  BOOST_TEST(Img.Version == VersionName);
  BOOST_TEST(Img.VvarSize % PageSize == 0);
  BOOST_TEST(Img.VvarSize > 0);

  auto File = ELF64LEFile::create(view(Img));
  BOOST_TEST_REQUIRE(!!File, "not an ELF file: " << llvm::toString(File.takeError()));
  const auto &H = File->getHeader();
  BOOST_TEST(H.e_type == elf::ET_DYN);
  BOOST_TEST(H.e_machine == (A == Arch::X86_64 ? elf::EM_X86_64 : elf::EM_AARCH64));

  // Segments: one PT_LOAD from the header on, read and execute; the dynamic
  // section read-only; the unwind table where Linux has one (x86-64).
  auto Phdrs = File->program_headers();
  BOOST_TEST_REQUIRE(!!Phdrs);
  struct Segment {
    uint64_t p_offset = 0, p_vaddr = 0, p_memsz = 0;
    uint32_t p_flags = 0;
  };
  std::map<uint32_t, Segment> Seg;
  unsigned Loads = 0;
  for (const auto &P : *Phdrs) {
    Seg[P.p_type] = {P.p_offset, P.p_vaddr, P.p_memsz, P.p_flags};
    Loads += P.p_type == elf::PT_LOAD;
  }
  BOOST_TEST(Loads == 1u);
  BOOST_TEST(Seg[elf::PT_LOAD].p_offset == 0u);
  BOOST_TEST(Seg[elf::PT_LOAD].p_vaddr == 0u);
  BOOST_TEST(Seg[elf::PT_LOAD].p_flags == (elf::PF_R | elf::PF_X));
  BOOST_TEST(Seg[elf::PT_LOAD].p_memsz <= Img.Bytes.size());
  BOOST_TEST(Seg.count(elf::PT_DYNAMIC) == 1u);
  BOOST_TEST(Seg[elf::PT_DYNAMIC].p_flags == elf::PF_R);
  BOOST_TEST(Seg.count(elf::PT_NOTE) == 1u);
  BOOST_TEST(Seg.count(elf::PT_GNU_EH_FRAME) == (A == Arch::X86_64 ? 1u : 0u));

  // Sections, by name.
  auto Sections = File->sections();
  BOOST_TEST_REQUIRE(!!Sections);
  std::set<std::string> Names;
  for (const auto &S : *Sections) {
    auto N = File->getSectionName(S);
    BOOST_TEST_REQUIRE(!!N);
    Names.insert(N->str());
    if (S.sh_type != elf::SHT_GNU_verdef)
      continue;
    // The base (the soname) and the version, each with the ELF hash of its
    // name, which glibc compares with the one it looks up.
    auto Defs = File->getVersionDefinitions(S);
    BOOST_TEST_REQUIRE(!!Defs);
    BOOST_TEST_REQUIRE(Defs->size() == 2u);
    BOOST_TEST((*Defs)[0].Flags == unsigned(elf::VER_FLG_BASE));
    BOOST_TEST((*Defs)[0].Ndx == 1u);
    // (LLVM 14 leaves the rest of the string table after the name.)
    BOOST_TEST(std::string((*Defs)[0].Name.c_str()) == "linux-vdso.so.1");
    BOOST_TEST((*Defs)[0].Hash == loader::elfHash("linux-vdso.so.1"));
    BOOST_TEST((*Defs)[1].Flags == 0u);
    BOOST_TEST((*Defs)[1].Ndx == 2u);
    BOOST_TEST(std::string((*Defs)[1].Name.c_str()) == VersionName);
    BOOST_TEST((*Defs)[1].Hash == loader::elfHash(VersionName));
  }
  for (const char *N : {".hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d",
                        ".dynamic", ".note", ".text", ".shstrtab"})
    BOOST_TEST(Names.count(N) == 1u, "no section " << N);
  BOOST_TEST(Names.count(".gnu.hash") == (A == Arch::X86_64 ? 1u : 0u));

  // The dynamic section names the tables and the soname.
  auto Dyn = File->dynamicEntries();
  BOOST_TEST_REQUIRE(!!Dyn);
  std::map<int64_t, uint64_t> Tags;
  for (const auto &D : *Dyn)
    Tags[D.getTag()] = D.getVal();
  for (int64_t T : {elf::DT_HASH, elf::DT_STRTAB, elf::DT_SYMTAB, elf::DT_STRSZ,
                    elf::DT_SYMENT, elf::DT_VERSYM, elf::DT_VERDEF, elf::DT_VERDEFNUM,
                    elf::DT_SONAME})
    BOOST_TEST(Tags.count(T) == 1u, "no dynamic tag " << T);
  BOOST_TEST(Tags[elf::DT_VERDEFNUM] == 2u);
  const char *Strings = reinterpret_cast<const char *>(Img.Bytes.data() + Tags[elf::DT_STRTAB]);
  BOOST_TEST(std::string(Strings + Tags[elf::DT_SONAME]) == "linux-vdso.so.1");

  // Symbols and versions, as LLVM reads them.
  auto Obj = llvm::object::ELF64LEObjectFile::create(llvm::MemoryBufferRef(view(Img), "vdso"));
  BOOST_TEST_REQUIRE(!!Obj);
  auto Versions = Obj->readDynsymVersions();
  BOOST_TEST_REQUIRE(!!Versions, llvm::toString(Versions.takeError()));
  std::set<std::string> Functions;
  // Both leave out the null symbol.
  size_t I = 0;
  for (const llvm::object::ELFSymbolRef S : Obj->getDynamicSymbolIterators()) {
    auto NameRef = S.getName();
    BOOST_TEST_REQUIRE(!!NameRef);
    const std::string Name = NameRef->str();
    BOOST_TEST_REQUIRE(I < Versions->size());
    BOOST_TEST((*Versions)[I].Name == VersionName, Name << " has version "
                                                       << (*Versions)[I].Name);
    ++I;
    if (S.getELFType() != elf::STT_FUNC) {
      BOOST_TEST(Name == VersionName); // the version's own symbol
      continue;
    }
    Functions.insert(Name);
    const loader::VdsoSymbol *V = Img.find(Name);
    BOOST_TEST_REQUIRE(V);
    auto Addr = S.getAddress();
    BOOST_TEST_REQUIRE(!!Addr);
    BOOST_TEST(*Addr == V->Offset);
    BOOST_TEST(S.getSize() == V->Size);
    BOOST_TEST((S.getBinding() == elf::STB_WEAK) == V->Weak);
    // The call it issues is the one the kernel's table names so.
    int Nr = syscallOf(A, Img, V->Offset);
    const SyscallInfo *Info = Nr < 0 ? nullptr : lookupSyscall(A, uint64_t(Nr));
    BOOST_TEST_REQUIRE(Info, Name << " issues no known system call");
    BOOST_TEST(std::string(Info->Name) == callName(Name), Name << " issues "
                                                                    << Info->Name);
  }
  BOOST_TEST(Functions == Expected);
}

} // namespace

BOOST_AUTO_TEST_SUITE(Vdso)

BOOST_AUTO_TEST_CASE(hashes_are_the_ones_libcs_compare) {
  // glibc looks vDSO symbols up with the version's ELF hash precomputed
  // (its VDSO_HASH); vd_hash must hold the same value.
  BOOST_TEST(loader::elfHash("LINUX_2.6") == 61765110u);
  BOOST_TEST(loader::elfHash("LINUX_2.6.39") == 123718537u);
  for (const char *S : {"", "__vdso_clock_gettime", "linux-vdso.so.1", "a_long_name_xyz"})
    BOOST_TEST(loader::elfHash(S) == llvm::object::hashSysV(S));
  // The GNU hash is Bernstein's, h * 33 + c from 5381.
  BOOST_TEST(loader::gnuHash("") == 5381u);
  BOOST_TEST(loader::gnuHash("a") == 5381u * 33 + 'a');
}

BOOST_AUTO_TEST_CASE(version_code_follows_the_release) {
  BOOST_TEST(kernelVersionCode("6.1.0-reprise") == 0x060100u);
  BOOST_TEST(kernelVersionCode("4.19.325") == 0x0413ffu); // the patch level saturates
}

BOOST_AUTO_TEST_CASE(x86_64_image) {
  checkImage(Arch::X86_64,
             {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu",
              "__vdso_clock_getres", "clock_gettime", "gettimeofday", "time", "getcpu",
              "clock_getres"},
             "LINUX_2.6");
  loader::VdsoImage Img = loader::buildVdso(Arch::X86_64, Version);
  BOOST_TEST(Img.SigReturn == 0u);
  // Each alias is its function, weak.
  for (const char *F : {"clock_gettime", "gettimeofday", "time", "getcpu", "clock_getres"}) {
    const loader::VdsoSymbol *Alias = Img.find(F);
    const loader::VdsoSymbol *Main = Img.find(std::string("__vdso_") + F);
    BOOST_TEST_REQUIRE((Alias && Main));
    BOOST_TEST(Alias->Offset == Main->Offset);
    BOOST_TEST(Alias->Weak);
    BOOST_TEST(!Main->Weak);
  }
}

BOOST_AUTO_TEST_CASE(arm64_image) {
  checkImage(Arch::Arm64,
             {"__kernel_clock_gettime", "__kernel_gettimeofday", "__kernel_clock_getres",
              "__kernel_rt_sigreturn"},
             "LINUX_2.6.39");
  // The trampoline: what libgcc's unwinder matches, after a nop.
  loader::VdsoImage Img = loader::buildVdso(Arch::Arm64, Version);
  const loader::VdsoSymbol *T = Img.find("__kernel_rt_sigreturn");
  BOOST_TEST_REQUIRE(T);
  BOOST_TEST(Img.SigReturn == T->Offset);
  BOOST_TEST(word(Img, T->Offset - 4) == 0xd503201fu); // nop
  BOOST_TEST(word(Img, T->Offset) == 0xd2801168u);     // mov x8, #139
  BOOST_TEST(word(Img, T->Offset + 4) == 0xd4000001u); // svc #0
}

BOOST_AUTO_TEST_CASE(images_are_deterministic) {
  for (Arch A : {Arch::X86_64, Arch::Arm64})
    BOOST_TEST(loader::buildVdso(A, Version).Bytes == loader::buildVdso(A, Version).Bytes);
  // The version code lands in the "Linux" note and nowhere else.
  auto One = loader::buildVdso(Arch::X86_64, 0x060100);
  auto Two = loader::buildVdso(Arch::X86_64, 0x050a00);
  BOOST_TEST_REQUIRE(One.Bytes.size() == Two.Bytes.size());
  size_t Differ = 0;
  for (size_t I = 0; I < One.Bytes.size(); ++I)
    Differ += One.Bytes[I] != Two.Bytes[I];
  BOOST_TEST(Differ == 2u); // 0x060100 and 0x050a00 differ in two bytes
}

BOOST_AUTO_TEST_SUITE_END()
