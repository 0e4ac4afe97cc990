//===- tests/unit/ElfTest.cpp - Load plans from ELF images ----------------===//
//
// planLoad() is the only thing between a hostile file and the address space,
// so each malformed image here must be refused with one clear line, and a
// well-formed one must give exactly the segments, entry and program header
// address the kernel needs. The images are built by hand: an ELF header and
// a few program headers, zeros elsewhere.
//
//===----------------------------------------------------------------------===//
#include "kernel/abi/Constants.h"
#include "loader/Elf.h"

#include "llvm/BinaryFormat/ELF.h"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace reprise;
using namespace reprise::linux_abi;
namespace elf = llvm::ELF;

namespace {

elf::Elf64_Phdr segment(uint32_t Type, uint32_t Flags, uint64_t Offset,
                        uint64_t VAddr, uint64_t FileSize, uint64_t MemSize) {
  elf::Elf64_Phdr Ph{};
  Ph.p_type = Type;
  Ph.p_flags = Flags;
  Ph.p_offset = Offset;
  Ph.p_vaddr = Ph.p_paddr = VAddr;
  Ph.p_filesz = FileSize;
  Ph.p_memsz = MemSize;
  Ph.p_align = 0x1000;
  return Ph;
}

elf::Elf64_Phdr load(uint32_t Flags, uint64_t Offset, uint64_t VAddr,
                     uint64_t FileSize, uint64_t MemSize) {
  return segment(elf::PT_LOAD, Flags, Offset, VAddr, FileSize, MemSize);
}

/// An ELF64 little-endian image of \p Size bytes: the header, the program
/// headers right after it, zeros elsewhere.
std::vector<uint8_t> makeElf(uint16_t Type, uint16_t Machine, uint64_t Entry,
                             const std::vector<elf::Elf64_Phdr> &Phdrs,
                             size_t Size = 0x2000) {
  elf::Elf64_Ehdr H{};
  std::memcpy(H.e_ident, "\x7f" "ELF", 4);
  H.e_ident[elf::EI_CLASS] = elf::ELFCLASS64;
  H.e_ident[elf::EI_DATA] = elf::ELFDATA2LSB;
  H.e_ident[elf::EI_VERSION] = elf::EV_CURRENT;
  H.e_type = Type;
  H.e_machine = Machine;
  H.e_version = elf::EV_CURRENT;
  H.e_entry = Entry;
  H.e_phoff = sizeof(H);
  H.e_ehsize = sizeof(H);
  H.e_phentsize = sizeof(elf::Elf64_Phdr);
  H.e_phnum = uint16_t(Phdrs.size());
  std::vector<uint8_t> Image(
      std::max(Size, sizeof(H) + Phdrs.size() * sizeof(elf::Elf64_Phdr)));
  std::memcpy(Image.data(), &H, sizeof(H));
  if (!Phdrs.empty())
    std::memcpy(Image.data() + sizeof(H), Phdrs.data(),
                Phdrs.size() * sizeof(elf::Elf64_Phdr));
  return Image;
}

/// A small static x86-64 executable: headers (R), text (R+X), data+bss (RW).
std::vector<elf::Elf64_Phdr> staticPhdrs() {
  return {load(elf::PF_R, 0, 0x400000, 0x1000, 0x1000),
          load(elf::PF_R | elf::PF_X, 0x1000, 0x401000, 0x800, 0x800),
          load(elf::PF_R | elf::PF_W, 0x1800, 0x402800, 0x100, 0x3000),
          segment(elf::PT_GNU_STACK, elf::PF_R | elf::PF_W, 0, 0, 0, 0)};
}

std::vector<uint8_t> staticElf() {
  return makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, staticPhdrs());
}

/// planLoad's error message for \p Image; fails the test if it loads.
std::string refusal(llvm::ArrayRef<uint8_t> Image) {
  auto Plan = loader::planLoad(Image);
  if (Plan) {
    BOOST_TEST(false, "the image was accepted");
    return {};
  }
  return llvm::toString(Plan.takeError());
}

/// Whether \p Image loads; a refusal is shown as a test message.
bool loads(llvm::ArrayRef<uint8_t> Image) {
  auto Plan = loader::planLoad(Image);
  if (Plan)
    return true;
  BOOST_TEST_MESSAGE("refused: " << llvm::toString(Plan.takeError()));
  return false;
}

/// Checks that \p Image is refused with one line that mentions \p Keyword.
void checkRefused(llvm::ArrayRef<uint8_t> Image, const std::string &Keyword) {
  std::string Msg = refusal(Image);
  BOOST_TEST_CONTEXT("message \"" << Msg << "\"") {
    BOOST_TEST(!Msg.empty());
    BOOST_TEST(Msg.find('\n') == std::string::npos);
    BOOST_TEST(Msg.find(Keyword) != std::string::npos);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(elf_load_plan)

BOOST_AUTO_TEST_CASE(a_static_executable) {
  auto Image = staticElf();
  auto A = loader::elfArch(Image);
  BOOST_TEST_REQUIRE(bool(A), llvm::toString(A.takeError()));
  BOOST_TEST((*A == Arch::X86_64));

  auto Plan = loader::planLoad(Image);
  BOOST_TEST_REQUIRE(bool(Plan), llvm::toString(Plan.takeError()));
  BOOST_TEST((Plan->TheArch == Arch::X86_64));
  BOOST_TEST(!Plan->Pie);
  BOOST_TEST(Plan->LoadBias == 0u);
  BOOST_TEST(Plan->Entry == 0x401000u);
  BOOST_TEST(Plan->PhdrAddr == 0x400040u); // inside the first segment
  BOOST_TEST(Plan->PhNum == 4u);
  BOOST_TEST(Plan->PhEnt == sizeof(elf::Elf64_Phdr));
  BOOST_TEST(Plan->End == 0x405800u); // end of the bss
  BOOST_TEST(Plan->Interpreter.empty());
  BOOST_TEST(!Plan->ExecStack);
  BOOST_TEST_REQUIRE(Plan->Segments.size() == 3u);
  const auto &S = Plan->Segments;
  BOOST_TEST(S[0].VAddr == 0x400000u);
  BOOST_TEST(S[0].Prot == LX_PROT_READ);
  BOOST_TEST(S[1].VAddr == 0x401000u);
  BOOST_TEST(S[1].FileOffset == 0x1000u);
  BOOST_TEST(S[1].FileSize == 0x800u);
  BOOST_TEST(S[1].Prot == (LX_PROT_READ | LX_PROT_EXEC));
  BOOST_TEST(S[2].VAddr == 0x402800u);
  BOOST_TEST(S[2].FileSize == 0x100u);
  BOOST_TEST(S[2].MemSize == 0x3000u);
  BOOST_TEST(S[2].Prot == (LX_PROT_READ | LX_PROT_WRITE));
}

BOOST_AUTO_TEST_CASE(a_pie_with_an_interpreter_and_an_executable_stack) {
  const char Interp[] = "/lib/ld-linux-aarch64.so.1";
  std::vector<elf::Elf64_Phdr> Ph = {
      segment(elf::PT_PHDR, elf::PF_R, 64, 64, 4 * 56, 4 * 56),
      segment(elf::PT_INTERP, elf::PF_R, 0x300, 0x300, sizeof(Interp),
              sizeof(Interp)),
      load(elf::PF_R | elf::PF_X, 0, 0, 0x2000, 0x2000),
      segment(elf::PT_GNU_STACK, elf::PF_R | elf::PF_W | elf::PF_X, 0, 0, 0, 0)};
  auto Image = makeElf(elf::ET_DYN, elf::EM_AARCH64, 0x1234, Ph);
  std::memcpy(Image.data() + 0x300, Interp, sizeof(Interp));

  auto Plan = loader::planLoad(Image);
  BOOST_TEST_REQUIRE(bool(Plan), llvm::toString(Plan.takeError()));
  const uint64_t Bias = loader::pieBase(Arch::Arm64);
  BOOST_TEST((Plan->TheArch == Arch::Arm64));
  BOOST_TEST(Plan->Pie);
  BOOST_TEST(Plan->LoadBias == Bias);
  BOOST_TEST(Plan->Entry == Bias + 0x1234);
  BOOST_TEST(Plan->PhdrAddr == Bias + 64);
  BOOST_TEST(Plan->Interpreter == Interp); // without the NUL
  BOOST_TEST(Plan->ExecStack);
  BOOST_TEST_REQUIRE(Plan->Segments.size() == 1u);
  BOOST_TEST(Plan->Segments[0].VAddr == Bias);
  BOOST_TEST(Plan->End == Bias + 0x2000);
}

BOOST_AUTO_TEST_CASE(the_hosts_dynamic_true) {
  std::ifstream In("/bin/true", std::ios::binary);
  BOOST_TEST_REQUIRE(In.good(), "cannot read /bin/true");
  std::vector<uint8_t> Image((std::istreambuf_iterator<char>(In)),
                             std::istreambuf_iterator<char>());
  auto A = loader::elfArch(Image);
  BOOST_TEST_REQUIRE(bool(A), llvm::toString(A.takeError()));
#if defined(__x86_64__)
  BOOST_TEST((*A == Arch::X86_64));
#elif defined(__aarch64__)
  BOOST_TEST((*A == Arch::Arm64));
#endif
  auto Plan = loader::planLoad(Image);
  BOOST_TEST_REQUIRE(bool(Plan), llvm::toString(Plan.takeError()));
  BOOST_TEST(!Plan->Interpreter.empty());
  BOOST_TEST(Plan->Interpreter.front() == '/');
  BOOST_TEST(Plan->Interpreter.find('\0') == std::string::npos);
  BOOST_TEST(Plan->PhdrAddr != 0u);
  BOOST_TEST(Plan->Segments.size() >= 2u);
}

BOOST_AUTO_TEST_CASE(not_an_elf_file) {
  const std::string Script = "#!/bin/sh\necho hello\n";
  checkRefused({reinterpret_cast<const uint8_t *>(Script.data()), Script.size()},
               "not an ELF");
  checkRefused({}, "not an ELF");
  auto A = loader::elfArch({});
  BOOST_TEST(!A);
  BOOST_TEST(!llvm::toString(A.takeError()).empty());
}

BOOST_AUTO_TEST_CASE(truncated_files) {
  auto Image = staticElf();
  // Half a header.
  checkRefused(llvm::ArrayRef<uint8_t>(Image).take_front(40), "truncated");
  // A whole header, but the program headers run past the end.
  checkRefused(llvm::ArrayRef<uint8_t>(Image).take_front(64 + 56), "truncated");
  // A segment's file bytes run past the end.
  auto Ph = staticPhdrs();
  Ph[1].p_filesz = Ph[1].p_memsz = 0x5000;
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph), "truncated");
  // An interpreter path outside the file.
  Ph = staticPhdrs();
  Ph.push_back(segment(elf::PT_INTERP, elf::PF_R, 0x10000, 0, 20, 20));
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph), "interpreter");
}

BOOST_AUTO_TEST_CASE(unsupported_class_byte_order_and_machine) {
  auto Image = staticElf();
  Image[elf::EI_CLASS] = elf::ELFCLASS32;
  checkRefused(Image, "32-bit");
  // A whole 32-bit file may be shorter than a 64-bit header (52 bytes).
  checkRefused(llvm::ArrayRef<uint8_t>(Image).take_front(52), "32-bit");

  Image = staticElf();
  Image[elf::EI_DATA] = elf::ELFDATA2MSB;
  checkRefused(Image, "big-endian");

  Image = makeElf(elf::ET_EXEC, elf::EM_RISCV, 0x401000, staticPhdrs());
  BOOST_TEST(elf::EM_RISCV == 243);
  checkRefused(Image, "243");
  auto A = loader::elfArch(Image);
  BOOST_TEST(!A);
  BOOST_TEST(llvm::toString(A.takeError()).find("243") != std::string::npos);

  Image = makeElf(elf::ET_REL, elf::EM_X86_64, 0x401000, staticPhdrs());
  checkRefused(Image, "not an executable");
}

BOOST_AUTO_TEST_CASE(malformed_program_headers) {
  auto Image = staticElf();
  Image[offsetof(elf::Elf64_Ehdr, e_phentsize)] = 40;
  checkRefused(Image, "program header size");

  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, {}), "nothing to load");

  auto Ph = staticPhdrs();
  Ph[2].p_filesz = 0x4000; // more in the file than in memory
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph, 0x8000),
               "file size exceeds");

  Ph = staticPhdrs();
  Ph[2].p_offset = 0x1900; // vaddr ends in 0x800, offset in 0x900
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph), "congruent");
}

BOOST_AUTO_TEST_CASE(overlapping_segments) {
  auto Ph = staticPhdrs();
  Ph[1] = load(elf::PF_R | elf::PF_X, 0x0, 0x400000, 0x2000, 0x2000);
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph), "overlap");
  // Overlap through the bss of an earlier segment, listed out of order.
  Ph = {load(elf::PF_R | elf::PF_X, 0x1000, 0x401000, 0x800, 0x800),
        load(elf::PF_R | elf::PF_W, 0x0, 0x400000, 0x100, 0x5000)};
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401000, Ph), "overlap");
}

BOOST_AUTO_TEST_CASE(segments_outside_the_user_address_space) {
  const uint64_t Top = loader::userTop(Arch::X86_64);
  std::vector<elf::Elf64_Phdr> Ph = {
      load(elf::PF_R | elf::PF_X, 0x1000, Top - 0x1000, 0x800, 0x2000)};
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, Top - 0x1000, Ph),
               "outside the user address space");
  // An address so high that adding the size wraps around.
  Ph = {load(elf::PF_R | elf::PF_X, 0x1000, 0xfffffffffffff000ull, 0x800, 0x2000)};
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0xfffffffffffff000ull, Ph),
               "outside the user address space");
  // A PIE whose bias pushes it out.
  Ph = {load(elf::PF_R | elf::PF_X, 0x1000, Top - loader::pieBase(Arch::X86_64),
             0x800, 0x800)};
  checkRefused(makeElf(elf::ET_DYN, elf::EM_X86_64, Top - loader::pieBase(Arch::X86_64), Ph),
               "outside the user address space");
  // Fine on arm64's larger address space, not on x86-64's.
  Ph = {load(elf::PF_R | elf::PF_X, 0x1000, 0x800000001000ull, 0x800, 0x800)};
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x800000001000ull, Ph),
               "outside the user address space");
  BOOST_TEST(loads(makeElf(elf::ET_EXEC, elf::EM_AARCH64, 0x800000001000ull, Ph)));
  // Page zero and the rest below vm.mmap_min_addr.
  Ph = {load(elf::PF_R | elf::PF_X, 0x1000, 0x1000, 0x800, 0x800)};
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x1000, Ph), "lowest");
}

BOOST_AUTO_TEST_CASE(entry_outside_an_executable_segment) {
  // In the read-only first segment.
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x400100, staticPhdrs()),
               "entry point");
  // In the writable data.
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x402900, staticPhdrs()),
               "entry point");
  // Just past the end of the text.
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x401800, staticPhdrs()),
               "entry point");
  // Nowhere at all.
  checkRefused(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0, staticPhdrs()),
               "entry point");
  // The last byte of the text is still inside.
  BOOST_TEST(loads(makeElf(elf::ET_EXEC, elf::EM_X86_64, 0x4017ff, staticPhdrs())));
}

BOOST_AUTO_TEST_SUITE_END()
