//===- loader/Elf.cpp -----------------------------------------------------===//
#include "loader/Elf.h"

#include "kernel/abi/Constants.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"

#include <algorithm>

namespace reprise::loader {

namespace {

llvm::Error fail(const llvm::Twine &Msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
}

} // namespace

uint64_t pieBase(Arch A) {
  // Linux's ELF_ET_DYN_BASE with randomization off.
  return A == Arch::X86_64 ? 0x555555554000ull : 0xaaaaaaaaa000ull;
}

uint64_t userTop(Arch A) {
  return A == Arch::X86_64 ? 0x7ffffffff000ull : 0x1000000000000ull;
}

llvm::Expected<Arch> elfArch(llvm::ArrayRef<uint8_t> Image) {
  if (Image.size() < 4 || Image[0] != 0x7f || Image[1] != 'E' ||
      Image[2] != 'L' || Image[3] != 'F')
    return fail("not an ELF file");
  // The identification bytes come first, so that a complete 32-bit header
  // (52 bytes) is reported as 32-bit rather than as a truncated 64-bit one.
  if (Image.size() > llvm::ELF::EI_DATA) {
    if (Image[llvm::ELF::EI_CLASS] != llvm::ELF::ELFCLASS64)
      return fail("32-bit ELF files are not supported (reprise runs x86-64 "
                  "and arm64 programs)");
    if (Image[llvm::ELF::EI_DATA] != llvm::ELF::ELFDATA2LSB)
      return fail("big-endian ELF files are not supported");
  }
  if (Image.size() < sizeof(llvm::ELF::Elf64_Ehdr))
    return fail("truncated ELF file (no complete header)");
  uint16_t Machine = uint16_t(Image[18] | (Image[19] << 8));
  switch (Machine) {
  case llvm::ELF::EM_X86_64:
    return Arch::X86_64;
  case llvm::ELF::EM_AARCH64:
    return Arch::Arm64;
  default:
    return fail("ELF file for machine " + llvm::Twine(Machine) +
                ", not x86-64 or arm64");
  }
}

llvm::Expected<LoadPlan> planLoad(llvm::ArrayRef<uint8_t> Image) {
  using namespace llvm::ELF;
  auto A = elfArch(Image);
  if (!A)
    return A.takeError();
  llvm::StringRef Bytes(reinterpret_cast<const char *>(Image.data()),
                        Image.size());
  auto File = llvm::object::ELF64LEFile::create(Bytes);
  if (!File)
    return fail("malformed ELF file: " + llvm::toString(File.takeError()));
  const auto &Hdr = File->getHeader();
  if (Hdr.e_type != ET_EXEC && Hdr.e_type != ET_DYN)
    return fail("ELF file is not an executable (type " +
                llvm::Twine(unsigned(Hdr.e_type)) + ")");
  if (Hdr.e_phentsize != sizeof(Elf64_Phdr))
    return fail("malformed ELF file: bad program header size");
  auto Phdrs = File->program_headers();
  if (!Phdrs)
    return fail("truncated ELF file: " + llvm::toString(Phdrs.takeError()));

  LoadPlan P;
  P.TheArch = *A;
  P.Pie = Hdr.e_type == ET_DYN;
  P.LoadBias = P.Pie ? pieBase(*A) : 0;
  P.PhNum = Hdr.e_phnum;
  P.PhEnt = Hdr.e_phentsize;
  const uint64_t Top = userTop(*A);
  const uint64_t MinAddr = 0x10000; // vm.mmap_min_addr
  std::vector<std::pair<uint64_t, uint64_t>> Ranges;
  for (const auto &Ph : *Phdrs) {
    switch (Ph.p_type) {
    case PT_INTERP: {
      if (Ph.p_offset >= Image.size() ||
          Ph.p_filesz > Image.size() - Ph.p_offset || Ph.p_filesz == 0)
        return fail("truncated ELF file: interpreter path out of the file");
      P.Interpreter.assign(reinterpret_cast<const char *>(Image.data()) +
                               Ph.p_offset,
                           Ph.p_filesz);
      while (!P.Interpreter.empty() && P.Interpreter.back() == '\0')
        P.Interpreter.pop_back();
      break;
    }
    case PT_GNU_STACK:
      P.ExecStack = Ph.p_flags & PF_X;
      break;
    case PT_LOAD: {
      if (Ph.p_memsz == 0)
        break;
      if (Ph.p_filesz > Ph.p_memsz)
        return fail("malformed ELF file: segment file size exceeds its memory "
                    "size");
      if (Ph.p_offset > Image.size() || Ph.p_filesz > Image.size() - Ph.p_offset)
        return fail("truncated ELF file: a segment extends past the end of "
                    "the file");
      if ((Ph.p_vaddr & PageMask) != (Ph.p_offset & PageMask))
        return fail("malformed ELF file: segment address and offset are not "
                    "congruent modulo the page size");
      uint64_t Start = Ph.p_vaddr + P.LoadBias;
      if (Start < Ph.p_vaddr || Ph.p_memsz > Top || Start > Top - Ph.p_memsz)
        return fail("ELF segment lies outside the user address space");
      if (pageDown(Start) < MinAddr)
        return fail("ELF segment lies below the lowest mappable address");
      Segment S;
      S.VAddr = Start;
      S.MemSize = Ph.p_memsz;
      S.FileOffset = Ph.p_offset;
      S.FileSize = Ph.p_filesz;
      S.Prot = ((Ph.p_flags & PF_R) ? linux_abi::LX_PROT_READ : 0) |
               ((Ph.p_flags & PF_W) ? linux_abi::LX_PROT_WRITE : 0) |
               ((Ph.p_flags & PF_X) ? linux_abi::LX_PROT_EXEC : 0);
      Ranges.push_back({pageDown(Start), pageUp(Start + Ph.p_memsz)});
      P.End = std::max(P.End, Start + Ph.p_memsz);
      P.Segments.push_back(S);
      // The program headers are visible in memory through the segment that
      // holds them (AT_PHDR).
      if (Hdr.e_phoff >= Ph.p_offset &&
          Hdr.e_phoff + uint64_t(Hdr.e_phnum) * Hdr.e_phentsize <=
              Ph.p_offset + Ph.p_filesz)
        P.PhdrAddr = Start + (Hdr.e_phoff - Ph.p_offset);
      break;
    }
    default:
      break;
    }
  }
  if (P.Segments.empty())
    return fail("ELF file has nothing to load");
  std::sort(Ranges.begin(), Ranges.end());
  for (size_t I = 1; I < Ranges.size(); ++I)
    if (Ranges[I].first < Ranges[I - 1].second)
      return fail("malformed ELF file: loadable segments overlap");
  for (const auto &Ph : *Phdrs)
    if (Ph.p_type == PT_PHDR)
      P.PhdrAddr = Ph.p_vaddr + P.LoadBias;
  P.Entry = Hdr.e_entry + P.LoadBias;
  bool EntryMapped = false;
  for (const auto &S : P.Segments)
    if (P.Entry >= S.VAddr && P.Entry < S.VAddr + S.MemSize &&
        (S.Prot & linux_abi::LX_PROT_EXEC))
      EntryMapped = true;
  if (!EntryMapped)
    return fail("ELF entry point is not in an executable segment");
  return P;
}

} // namespace reprise::loader
