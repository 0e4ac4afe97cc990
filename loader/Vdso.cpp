//===- loader/Vdso.cpp ----------------------------------------------------===//
//
// The image is laid out like the one Linux's build produces (linked at 0,
// one PT_LOAD over everything, the dynamic section read-only):
//
//   ELF header, program headers
//   .hash, .gnu.hash (x86-64), .dynsym, .dynstr, .gnu.version, .gnu.version_d
//   .dynamic, .note ("Linux" kernel version)
//   .eh_frame_hdr, .eh_frame (x86-64)
//   .text, .shstrtab, section headers
//
// Like Linux, the arm64 image has only the System V hash table and no
// PT_GNU_EH_FRAME: libgcc then finds no FDE for the signal trampoline and
// recognises it by its two instructions instead, which restores every
// register, where an FDE would describe only the frame record.
//
//===----------------------------------------------------------------------===//
#include "loader/Vdso.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/BinaryFormat/ELF.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <map>

namespace reprise::loader {

namespace elf = llvm::ELF;

const VdsoSymbol *VdsoImage::find(const std::string &Name) const {
  for (const VdsoSymbol &S : Symbols)
    if (S.Name == Name)
      return &S;
  return nullptr;
}

uint32_t elfHash(const std::string &Name) {
  uint32_t H = 0;
  for (unsigned char C : Name) {
    H = (H << 4) + C;
    uint32_t High = H & 0xf0000000u;
    if (High)
      H ^= High >> 24;
    H &= ~High;
  }
  return H;
}

uint32_t gnuHash(const std::string &Name) {
  uint32_t H = 5381;
  for (unsigned char C : Name)
    H = H * 33 + C;
  return H;
}

namespace {

/// Little-endian bytes, whatever the host's order.
class Writer {
public:
  std::vector<uint8_t> Bytes;

  size_t size() const { return Bytes.size(); }
  size_t put(uint64_t V, unsigned N) {
    size_t At = Bytes.size();
    for (unsigned I = 0; I < N; ++I)
      Bytes.push_back(uint8_t(V >> (8 * I)));
    return At;
  }
  size_t u8(uint64_t V) { return put(V, 1); }
  size_t u16(uint64_t V) { return put(V, 2); }
  size_t u32(uint64_t V) { return put(V, 4); }
  size_t u64(uint64_t V) { return put(V, 8); }
  void bytes(llvm::ArrayRef<uint8_t> B) { Bytes.insert(Bytes.end(), B.begin(), B.end()); }
  void zeros(size_t N) { Bytes.insert(Bytes.end(), N, 0); }
  void uleb(uint64_t V) {
    do {
      uint8_t B = V & 0x7f;
      V >>= 7;
      Bytes.push_back(V ? B | 0x80 : B);
    } while (V);
  }
  void sleb(int64_t V) {
    while (true) {
      uint8_t B = V & 0x7f;
      V >>= 7; // arithmetic: the sign stays
      bool Done = (V == 0 && !(B & 0x40)) || (V == -1 && (B & 0x40));
      Bytes.push_back(Done ? B : B | 0x80);
      if (Done)
        return;
    }
  }
  void alignTo(size_t A, uint8_t Fill = 0) {
    while (Bytes.size() % A)
      Bytes.push_back(Fill);
  }
  void patch(size_t At, uint64_t V, unsigned N) {
    for (unsigned I = 0; I < N; ++I)
      Bytes[At + I] = uint8_t(V >> (8 * I));
  }
};

/// A string table: each string once, offset 0 the empty string.
class StringTable {
public:
  StringTable() { Data.push_back(0); }
  uint32_t add(const std::string &S) {
    auto [It, New] = Offsets.try_emplace(S, uint32_t(Data.size()));
    if (New) {
      Data.insert(Data.end(), S.begin(), S.end());
      Data.push_back(0);
    }
    return It->second;
  }
  const std::vector<uint8_t> &bytes() const { return Data; }

private:
  std::vector<uint8_t> Data;
  std::map<std::string, uint32_t> Offsets;
};

/// A function of the image and the system call it issues.
struct Function {
  const char *Name;
  const char *Alias; // the weak unprefixed alias, or null
  uint32_t Nr;
  bool SigReturn = false;
};

// The exported functions, as Linux's vdso.lds.S of each arch lists them
// (x86-64: arch/x86/entry/vdso; arm64: arch/arm64/kernel/vdso). Newer
// kernels add getrandom, which needs state the libc allocates through the
// vDSO's own protocol; without the symbol libcs call getrandom(2).
constexpr Function X86Functions[] = {
    {"__vdso_clock_gettime", "clock_gettime", 228},
    {"__vdso_gettimeofday", "gettimeofday", 96},
    {"__vdso_time", "time", 201},
    {"__vdso_getcpu", "getcpu", 309},
    {"__vdso_clock_getres", "clock_getres", 229},
};
constexpr Function Arm64Functions[] = {
    {"__kernel_clock_gettime", nullptr, 113},
    {"__kernel_gettimeofday", nullptr, 169},
    {"__kernel_clock_getres", nullptr, 114},
    {"__kernel_rt_sigreturn", nullptr, 139, true},
};

constexpr uint32_t Arm64Nop = 0xd503201f, Arm64Svc0 = 0xd4000001, Arm64Ret = 0xd65f03c0;
constexpr uint32_t arm64MovX8(uint32_t Imm) { return 0xd2800000u | (Imm << 5) | 8; }

constexpr uint16_t VersionIndex = 2; // the one version after the base (1)
constexpr uint32_t HashBuckets = 3;  // a handful of symbols: short chains
constexpr uint32_t BloomShift = 6;

enum SectionId {
  SecHash,
  SecGnuHash,
  SecDynSym,
  SecDynStr,
  SecVerSym,
  SecVerDef,
  SecDynamic,
  SecNote,
  SecEhFrameHdr,
  SecEhFrame,
  SecText,
  SecShStrTab,
  NumSections
};

struct SectionInfo {
  const char *Name;
  uint32_t Type;
  uint64_t Flags;
  uint64_t Align;
  uint64_t EntSize;
};

constexpr SectionInfo Sections[NumSections] = {
    {".hash", elf::SHT_HASH, elf::SHF_ALLOC, 8, 4},
    {".gnu.hash", elf::SHT_GNU_HASH, elf::SHF_ALLOC, 8, 0},
    {".dynsym", elf::SHT_DYNSYM, elf::SHF_ALLOC, 8, sizeof(elf::Elf64_Sym)},
    {".dynstr", elf::SHT_STRTAB, elf::SHF_ALLOC, 1, 0},
    {".gnu.version", elf::SHT_GNU_versym, elf::SHF_ALLOC, 2, 2},
    {".gnu.version_d", elf::SHT_GNU_verdef, elf::SHF_ALLOC, 8, 0},
    // Writable in the section table as a linker makes it, though the
    // segments map it read-only (ld.so then leaves it as it is).
    {".dynamic", elf::SHT_DYNAMIC, elf::SHF_ALLOC | elf::SHF_WRITE, 8,
     sizeof(elf::Elf64_Dyn)},
    {".note", elf::SHT_NOTE, elf::SHF_ALLOC, 4, 0},
    {".eh_frame_hdr", elf::SHT_PROGBITS, elf::SHF_ALLOC, 4, 0},
    {".eh_frame", elf::SHT_PROGBITS, elf::SHF_ALLOC, 8, 0},
    {".text", elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_EXECINSTR, 16, 0},
    {".shstrtab", elf::SHT_STRTAB, 0, 1, 0},
};

struct DynSymbol {
  std::string Name;
  uint64_t TextOffset = 0, Size = 0;
  uint8_t Bind = elf::STB_GLOBAL, Type = elf::STT_FUNC;
  bool Absolute = false; // the version's own symbol (SHN_ABS, value 0)
};

/// Where one FDE's function lies in .text.
struct Code {
  uint64_t Offset, Size;
};

class Builder {
public:
  Builder(Arch A, uint32_t LinuxVersionCode)
      : A(A), LinuxVersionCode(LinuxVersionCode) {
    Present.fill(true);
    if (A == Arch::Arm64)
      Present[SecGnuHash] = Present[SecEhFrameHdr] = Present[SecEhFrame] = false;
    VersionName = A == Arch::X86_64 ? "LINUX_2.6" : "LINUX_2.6.39";
    buildText();
    buildSymbols();
  }

  VdsoImage build() {
    // Sizes do not depend on addresses: lay out once with every address 0
    // to learn the offsets, then again with the real ones.
    Offsets.fill(0);
    std::vector<uint8_t> Draft = emit();
    std::vector<uint8_t> Final = emit();
    assert(Draft.size() == Final.size() && "vDSO layout depends on addresses");
    (void)Draft;

    VdsoImage Img;
    Img.Bytes = std::move(Final);
    Img.Bytes.resize(pageUp(Img.Bytes.size()), 0);
    Img.Version = VersionName;
    for (const DynSymbol &S : Syms) {
      if (S.Name.empty() || S.Absolute)
        continue;
      uint64_t Off = Offsets[SecText] + S.TextOffset;
      Img.Symbols.push_back({S.Name, Off, S.Size, S.Bind == elf::STB_WEAK});
      if (S.Name == "__kernel_rt_sigreturn")
        Img.SigReturn = Off;
    }
    // Linux 6.1's data pages: x86-64 the vvar, pvclock, hvclock and time
    // namespace pages; arm64 the data and time namespace pages.
    Img.VvarSize = (A == Arch::X86_64 ? 4 : 2) * PageSize;
    return Img;
  }

private:
  Arch A;
  uint32_t LinuxVersionCode;
  std::string VersionName;
  const std::string SoName = "linux-vdso.so.1";
  std::array<bool, NumSections> Present{};
  std::array<uint64_t, NumSections> Offsets{}; // also the addresses
  std::array<uint64_t, NumSections> Sizes{};
  std::vector<uint8_t> Text;
  std::vector<Code> Fdes;        // x86-64: one per function
  std::vector<DynSymbol> Syms;   // .dynsym order; [0] is the null symbol
  StringTable DynStr;

  bool gnuHash() const { return Present[SecGnuHash]; }

  void buildText() {
    Writer W;
    auto Add = [&](const Function &F, std::vector<DynSymbol> &Out) {
      if (A == Arch::X86_64) {
        W.alignTo(16, 0xcc); // int3 between functions
        uint64_t At = W.size();
        W.u8(0xb8); // mov eax, imm32
        W.u32(F.Nr);
        W.bytes({0x0f, 0x05, 0xc3}); // syscall; ret
        uint64_t Size = W.size() - At;
        Fdes.push_back({At, Size});
        Out.push_back({F.Name, At, Size});
        if (F.Alias)
          Out.push_back({F.Alias, At, Size, elf::STB_WEAK});
        return;
      }
      W.alignTo(16, 0); // udf #0 between functions
      if (F.SigReturn) {
        // The nop keeps the symbol off a function boundary: unwinders that
        // look up the return address minus one land in it, not in whatever
        // precedes, and libgcc matches the two words that follow it.
        W.u32(Arm64Nop);
        uint64_t At = W.size();
        W.u32(arm64MovX8(F.Nr));
        W.u32(Arm64Svc0);
        Out.push_back({F.Name, At, W.size() - At});
        return;
      }
      uint64_t At = W.size();
      W.u32(arm64MovX8(F.Nr));
      W.u32(Arm64Svc0);
      W.u32(Arm64Ret);
      Out.push_back({F.Name, At, W.size() - At});
    };
    std::vector<DynSymbol> Defined;
    if (A == Arch::X86_64)
      for (const Function &F : X86Functions)
        Add(F, Defined);
    else
      for (const Function &F : Arm64Functions)
        Add(F, Defined);
    Text = std::move(W.Bytes);
    DynSymbol Ver;
    Ver.Name = VersionName;
    Ver.Type = elf::STT_OBJECT;
    Ver.Absolute = true;
    Defined.push_back(Ver);
    Syms = std::move(Defined);
  }

  void buildSymbols() {
    // .gnu.hash needs the symbols grouped by bucket; the order within a
    // bucket is the definition order (stable).
    if (gnuHash())
      std::stable_sort(Syms.begin(), Syms.end(), [](const DynSymbol &L, const DynSymbol &R) {
        return loader::gnuHash(L.Name) % HashBuckets < loader::gnuHash(R.Name) % HashBuckets;
      });
    Syms.insert(Syms.begin(), DynSymbol{"", 0, 0, elf::STB_LOCAL, elf::STT_NOTYPE});
    DynStr.add(SoName);
    for (const DynSymbol &S : Syms)
      DynStr.add(S.Name);
    DynStr.add(VersionName);
  }

  uint64_t addr(SectionId S) const { return Offsets[S]; }

  std::vector<uint8_t> hashSection() const {
    Writer W;
    uint32_t N = uint32_t(Syms.size());
    std::vector<uint32_t> Bucket(HashBuckets, 0), Chain(N, 0);
    for (uint32_t I = N; I-- > 1;) {
      uint32_t B = elfHash(Syms[I].Name) % HashBuckets;
      Chain[I] = Bucket[B];
      Bucket[B] = I;
    }
    W.u32(HashBuckets);
    W.u32(N);
    for (uint32_t B : Bucket)
      W.u32(B);
    for (uint32_t C : Chain)
      W.u32(C);
    return W.Bytes;
  }

  std::vector<uint8_t> gnuHashSection() const {
    Writer W;
    const uint32_t SymOffset = 1; // the null symbol is not hashed
    uint32_t N = uint32_t(Syms.size());
    std::vector<uint32_t> Bucket(HashBuckets, 0), Chain;
    uint64_t Bloom = 0;
    for (uint32_t I = SymOffset; I < N; ++I) {
      uint32_t H = loader::gnuHash(Syms[I].Name);
      uint32_t B = H % HashBuckets;
      if (!Bucket[B])
        Bucket[B] = I;
      bool Last = I + 1 == N || loader::gnuHash(Syms[I + 1].Name) % HashBuckets != B;
      Chain.push_back(Last ? H | 1 : H & ~1u);
      Bloom |= 1ull << (H % 64);
      Bloom |= 1ull << ((H >> BloomShift) % 64);
    }
    W.u32(HashBuckets);
    W.u32(SymOffset);
    W.u32(1); // bloom filter words
    W.u32(BloomShift);
    W.u64(Bloom);
    for (uint32_t B : Bucket)
      W.u32(B);
    for (uint32_t C : Chain)
      W.u32(C);
    return W.Bytes;
  }

  std::vector<uint8_t> dynSymSection() {
    Writer W;
    uint16_t TextIndex = sectionIndex(SecText);
    for (const DynSymbol &S : Syms) {
      W.u32(S.Name.empty() ? 0 : DynStr.add(S.Name));
      W.u8(S.Name.empty() ? 0 : (S.Bind << 4) | S.Type);
      W.u8(elf::STV_DEFAULT);
      uint16_t Index = TextIndex;
      if (S.Name.empty())
        Index = elf::SHN_UNDEF;
      else if (S.Absolute)
        Index = elf::SHN_ABS;
      W.u16(Index);
      W.u64(S.Name.empty() || S.Absolute ? 0 : addr(SecText) + S.TextOffset);
      W.u64(S.Size);
    }
    return W.Bytes;
  }

  std::vector<uint8_t> verSymSection() const {
    Writer W;
    for (const DynSymbol &S : Syms)
      W.u16(S.Name.empty() ? uint16_t(elf::VER_NDX_LOCAL) : VersionIndex);
    return W.Bytes;
  }

  std::vector<uint8_t> verDefSection() {
    // Two definitions, as a linker writes them for a version script with
    // one version: the base (the soname) and the version itself. ld.so
    // matches a lookup's version by vd_hash and name.
    Writer W;
    const uint32_t DefSize = 20, AuxSize = 8;
    auto Def = [&](uint16_t Flags, uint16_t Index, const std::string &Name, bool Last) {
      W.u16(1); // vd_version
      W.u16(Flags);
      W.u16(Index);
      W.u16(1); // vd_cnt: one name
      W.u32(elfHash(Name));
      W.u32(DefSize);                     // vd_aux
      W.u32(Last ? 0 : DefSize + AuxSize); // vd_next
      W.u32(DynStr.add(Name));            // vda_name
      W.u32(0);                           // vda_next
    };
    Def(elf::VER_FLG_BASE, 1, SoName, false);
    Def(0, VersionIndex, VersionName, true);
    return W.Bytes;
  }

  std::vector<uint8_t> dynamicSection() {
    Writer W;
    auto Entry = [&](int64_t Tag, uint64_t Val) {
      W.u64(uint64_t(Tag));
      W.u64(Val);
    };
    Entry(elf::DT_SONAME, DynStr.add(SoName));
    Entry(elf::DT_HASH, addr(SecHash));
    if (gnuHash())
      Entry(elf::DT_GNU_HASH, addr(SecGnuHash));
    Entry(elf::DT_STRTAB, addr(SecDynStr));
    Entry(elf::DT_SYMTAB, addr(SecDynSym));
    Entry(elf::DT_STRSZ, DynStr.bytes().size());
    Entry(elf::DT_SYMENT, sizeof(elf::Elf64_Sym));
    Entry(elf::DT_VERDEF, addr(SecVerDef));
    Entry(elf::DT_VERDEFNUM, 2);
    Entry(elf::DT_VERSYM, addr(SecVerSym));
    Entry(elf::DT_NULL, 0);
    return W.Bytes;
  }

  std::vector<uint8_t> noteSection() const {
    // Linux's ELFNOTE "Linux" of type 0: LINUX_VERSION_CODE.
    Writer W;
    W.u32(6); // namesz, "Linux" and its NUL
    W.u32(4); // descsz
    W.u32(0); // type
    W.bytes({'L', 'i', 'n', 'u', 'x', 0});
    W.alignTo(4);
    W.u32(LinuxVersionCode);
    return W.Bytes;
  }

  /// x86-64: one CIE (the CFA is rsp + 8, the return address just below
  /// it, as on entry to any function) and one FDE per function, which
  /// neither moves the stack nor saves a register.
  std::vector<uint8_t> ehFrameSection(std::vector<uint64_t> &FdeOffsets) const {
    namespace dw = llvm::dwarf;
    Writer W;
    const unsigned RegRsp = 7, RegRip = 16;
    size_t CieLen = W.u32(0);
    W.u32(0); // CIE id
    W.u8(1);  // version
    W.bytes({'z', 'R', 0});
    W.uleb(1);  // code alignment
    W.sleb(-8); // data alignment
    W.u8(RegRip);
    W.uleb(1); // augmentation data: the FDE pointer encoding
    W.u8(dw::DW_EH_PE_pcrel | dw::DW_EH_PE_sdata4);
    W.u8(dw::DW_CFA_def_cfa);
    W.uleb(RegRsp);
    W.uleb(8);
    W.u8(dw::DW_CFA_offset | RegRip);
    W.uleb(1); // at CFA - 8
    W.alignTo(8, dw::DW_CFA_nop);
    W.patch(CieLen, W.size() - CieLen - 4, 4);
    for (const Code &F : Fdes) {
      size_t Len = W.u32(0);
      FdeOffsets.push_back(Len);
      size_t CiePtr = W.u32(0);
      W.patch(CiePtr, CiePtr - CieLen, 4);
      size_t PcBegin = W.u32(0);
      W.patch(PcBegin, uint32_t(addr(SecText) + F.Offset - (addr(SecEhFrame) + PcBegin)), 4);
      W.u32(F.Size);
      W.uleb(0); // no augmentation data
      W.alignTo(8, dw::DW_CFA_nop);
      W.patch(Len, W.size() - Len - 4, 4);
    }
    W.u32(0); // the terminator
    return W.Bytes;
  }

  /// The table ld --eh-frame-hdr writes: where .eh_frame is and a sorted
  /// table of the FDEs, which unwinders search by binary search.
  std::vector<uint8_t> ehFrameHdrSection(const std::vector<uint64_t> &FdeOffsets) const {
    namespace dw = llvm::dwarf;
    Writer W;
    uint64_t Hdr = addr(SecEhFrameHdr);
    W.u8(1); // version
    W.u8(dw::DW_EH_PE_pcrel | dw::DW_EH_PE_sdata4);
    W.u8(dw::DW_EH_PE_udata4);
    W.u8(dw::DW_EH_PE_datarel | dw::DW_EH_PE_sdata4);
    W.u32(uint32_t(addr(SecEhFrame) - (Hdr + 4)));
    W.u32(Fdes.size());
    // The functions are laid out in order: the table is sorted already.
    for (size_t I = 0; I < Fdes.size(); ++I) {
      W.u32(uint32_t(addr(SecText) + Fdes[I].Offset - Hdr));
      W.u32(uint32_t(addr(SecEhFrame) + FdeOffsets[I] - Hdr));
    }
    return W.Bytes;
  }

  uint16_t sectionIndex(SectionId S) const {
    uint16_t I = 1;
    for (int J = 0; J < S; ++J)
      I += Present[J];
    return I;
  }

  std::vector<uint8_t> emit() {
    const uint16_t NumPhdrs = Present[SecEhFrameHdr] ? 4 : 3;
    std::array<std::vector<uint8_t>, NumSections> Data;
    std::vector<uint64_t> FdeOffsets;
    // Built in an order where each piece's contents are known: .dynstr
    // gains no names after .dynsym, .gnu.version_d and .dynamic are built.
    Data[SecHash] = hashSection();
    if (gnuHash())
      Data[SecGnuHash] = gnuHashSection();
    Data[SecDynSym] = dynSymSection();
    Data[SecVerSym] = verSymSection();
    Data[SecVerDef] = verDefSection();
    Data[SecDynamic] = dynamicSection();
    Data[SecDynStr] = DynStr.bytes();
    Data[SecNote] = noteSection();
    if (Present[SecEhFrame]) {
      Data[SecEhFrame] = ehFrameSection(FdeOffsets);
      Data[SecEhFrameHdr] = ehFrameHdrSection(FdeOffsets);
    }
    Data[SecText] = Text;
    StringTable ShStr;
    std::array<uint32_t, NumSections> ShName{};
    for (int S = 0; S < NumSections; ++S)
      if (Present[S])
        ShName[S] = ShStr.add(Sections[S].Name);
    Data[SecShStrTab] = ShStr.bytes();

    Writer W;
    W.Bytes.resize(sizeof(elf::Elf64_Ehdr) + NumPhdrs * sizeof(elf::Elf64_Phdr), 0);
    for (int S = 0; S < NumSections; ++S) {
      if (!Present[S])
        continue;
      W.alignTo(Sections[S].Align, S == SecText && A == Arch::X86_64 ? 0xcc : 0);
      Offsets[S] = W.size();
      Sizes[S] = Data[S].size();
      W.bytes(Data[S]);
    }
    W.alignTo(8);
    uint64_t ShOff = W.size();
    uint16_t NumShdrs = 1;
    W.zeros(sizeof(elf::Elf64_Shdr)); // the null section
    for (int S = 0; S < NumSections; ++S) {
      if (!Present[S])
        continue;
      const SectionInfo &I = Sections[S];
      uint32_t Link = 0, Info = 0;
      switch (S) {
      case SecHash: case SecGnuHash: case SecVerSym:
        Link = sectionIndex(SecDynSym);
        break;
      case SecDynSym:
        Link = sectionIndex(SecDynStr);
        Info = 1; // the first global symbol
        break;
      case SecVerDef:
        Link = sectionIndex(SecDynStr);
        Info = 2; // definitions
        break;
      case SecDynamic:
        Link = sectionIndex(SecDynStr);
        break;
      default:
        break;
      }
      W.u32(ShName[S]);
      W.u32(I.Type);
      W.u64(I.Flags);
      W.u64(I.Flags & elf::SHF_ALLOC ? Offsets[S] : 0);
      W.u64(Offsets[S]);
      W.u64(Sizes[S]);
      W.u32(Link);
      W.u32(Info);
      W.u64(I.Align);
      W.u64(I.EntSize);
      ++NumShdrs;
    }
    uint64_t FileSize = W.size();

    Writer H;
    H.bytes({0x7f, 'E', 'L', 'F', elf::ELFCLASS64, elf::ELFDATA2LSB, elf::EV_CURRENT,
             elf::ELFOSABI_NONE});
    H.zeros(8); // ABI version and padding
    H.u16(elf::ET_DYN);
    H.u16(A == Arch::X86_64 ? elf::EM_X86_64 : elf::EM_AARCH64);
    H.u32(elf::EV_CURRENT);
    H.u64(0); // no entry point
    H.u64(sizeof(elf::Elf64_Ehdr));
    H.u64(ShOff);
    H.u32(0); // flags
    H.u16(sizeof(elf::Elf64_Ehdr));
    H.u16(sizeof(elf::Elf64_Phdr));
    H.u16(NumPhdrs);
    H.u16(sizeof(elf::Elf64_Shdr));
    H.u16(NumShdrs);
    H.u16(sectionIndex(SecShStrTab));
    auto Phdr = [&](uint32_t Type, uint32_t Flags, uint64_t Off, uint64_t Size,
                    uint64_t Align) {
      H.u32(Type);
      H.u32(Flags);
      H.u64(Off); // offset, address and physical address are all one
      H.u64(Off);
      H.u64(Off);
      H.u64(Size);
      H.u64(Size);
      H.u64(Align);
    };
    Phdr(elf::PT_LOAD, elf::PF_R | elf::PF_X, 0, FileSize, PageSize);
    Phdr(elf::PT_DYNAMIC, elf::PF_R, Offsets[SecDynamic], Sizes[SecDynamic], 8);
    Phdr(elf::PT_NOTE, elf::PF_R, Offsets[SecNote], Sizes[SecNote], 4);
    if (Present[SecEhFrameHdr])
      Phdr(elf::PT_GNU_EH_FRAME, elf::PF_R, Offsets[SecEhFrameHdr],
           Sizes[SecEhFrameHdr], 4);
    assert(H.size() == sizeof(elf::Elf64_Ehdr) + NumPhdrs * sizeof(elf::Elf64_Phdr));
    std::copy(H.Bytes.begin(), H.Bytes.end(), W.Bytes.begin());
    return W.Bytes;
  }
};

} // namespace

VdsoImage buildVdso(Arch A, uint32_t LinuxVersionCode) {
  return Builder(A, LinuxVersionCode).build();
}

} // namespace reprise::loader
