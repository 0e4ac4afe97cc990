//===- cpu/Disassembler.cpp - Capstone, for fault reports -----------------===//
#include "cpu/Engine.h"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <cstdio>
#include <optional>

namespace reprise::cpu {

std::string disassemble(Arch A, uint64_t Pc, llvm::ArrayRef<uint8_t> Bytes) {
  csh H;
  cs_err Err = A == Arch::X86_64 ? cs_open(CS_ARCH_X86, CS_MODE_64, &H)
                                 : cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &H);
  std::string Out;
  if (Err == CS_ERR_OK) {
    cs_insn *Insn = nullptr;
    size_t N = cs_disasm(H, Bytes.data(), Bytes.size(), Pc, 1, &Insn);
    if (N > 0) {
      Out = Insn[0].mnemonic;
      if (Insn[0].op_str[0]) {
        Out += ' ';
        Out += Insn[0].op_str;
      }
      cs_free(Insn, N);
    }
    cs_close(&H);
  }
  if (!Out.empty())
    return Out;
  Out = "(undecodable:";
  for (size_t I = 0; I < Bytes.size() && I < 8; ++I) {
    char B[4];
    std::snprintf(B, sizeof B, " %02x", Bytes[I]);
    Out += B;
  }
  if (Bytes.empty())
    Out += " no bytes readable";
  return Out + ")";
}

std::vector<std::pair<uint64_t, std::string>>
disassembleRange(Arch A, uint64_t Start, llvm::ArrayRef<uint8_t> Bytes, uint64_t End) {
  std::vector<std::pair<uint64_t, std::string>> Out;
  csh H;
  if ((A == Arch::X86_64 ? cs_open(CS_ARCH_X86, CS_MODE_64, &H)
                         : cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &H)) != CS_ERR_OK)
    return Out;
  cs_insn *Insn = nullptr;
  size_t N = cs_disasm(H, Bytes.data(), Bytes.size(), Start, 0, &Insn);
  bool Exact = false;
  for (size_t I = 0; I < N; ++I) {
    if (Insn[I].address >= End) {
      Exact = Insn[I].address == End;
      break;
    }
    std::string T = Insn[I].mnemonic;
    if (Insn[I].op_str[0])
      T += std::string(" ") + Insn[I].op_str;
    Out.push_back({Insn[I].address, std::move(T)});
  }
  if (N)
    cs_free(Insn, N);
  cs_close(&H);
  if (!Exact)
    Out.clear();
  return Out;
}

namespace {

/// The Unicorn register behind a Capstone x86 register used in addressing.
int unicornX86(x86_reg R) {
  switch (R) {
  case X86_REG_RAX: return UC_X86_REG_RAX;
  case X86_REG_RBX: return UC_X86_REG_RBX;
  case X86_REG_RCX: return UC_X86_REG_RCX;
  case X86_REG_RDX: return UC_X86_REG_RDX;
  case X86_REG_RSI: return UC_X86_REG_RSI;
  case X86_REG_RDI: return UC_X86_REG_RDI;
  case X86_REG_RBP: return UC_X86_REG_RBP;
  case X86_REG_RSP: return UC_X86_REG_RSP;
  case X86_REG_R8: return UC_X86_REG_R8;
  case X86_REG_R9: return UC_X86_REG_R9;
  case X86_REG_R10: return UC_X86_REG_R10;
  case X86_REG_R11: return UC_X86_REG_R11;
  case X86_REG_R12: return UC_X86_REG_R12;
  case X86_REG_R13: return UC_X86_REG_R13;
  case X86_REG_R14: return UC_X86_REG_R14;
  case X86_REG_R15: return UC_X86_REG_R15;
  case X86_REG_FS: return UC_X86_REG_FS_BASE;
  case X86_REG_GS: return UC_X86_REG_GS_BASE;
  default: return UC_X86_REG_INVALID;
  }
}

/// The Unicorn register behind a Capstone arm64 register (and whether it
/// is a 32-bit W view).
int unicornArm64(arm64_reg R, bool &Wide32) {
  Wide32 = false;
  if (R >= ARM64_REG_X0 && R <= ARM64_REG_X28)
    return UC_ARM64_REG_X0 + (R - ARM64_REG_X0);
  if (R >= ARM64_REG_W0 && R <= ARM64_REG_W30) {
    Wide32 = true;
    int N = R - ARM64_REG_W0;
    return N <= 28 ? UC_ARM64_REG_X0 + N : N == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
  }
  if (R == ARM64_REG_X29) return UC_ARM64_REG_X29;
  if (R == ARM64_REG_X30) return UC_ARM64_REG_X30;
  if (R == ARM64_REG_SP) return UC_ARM64_REG_SP;
  return UC_ARM64_REG_INVALID;
}

} // namespace

uint64_t Engine::faultAddress(const FaultInfo &F, llvm::ArrayRef<uint8_t> Bytes) const {
  uint64_t Pc = reg(Reg::Pc);
  if (F.Kind == Access::Execute)
    return Pc > F.Addr ? Pc : F.Addr;
  csh H;
  bool X86 = TheArch == Arch::X86_64;
  if ((X86 ? cs_open(CS_ARCH_X86, CS_MODE_64, &H)
           : cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &H)) != CS_ERR_OK)
    return F.Addr;
  cs_option(H, CS_OPT_DETAIL, CS_OPT_ON);
  cs_insn *Insn = nullptr;
  size_t N = cs_disasm(H, Bytes.data(), Bytes.size(), Pc, 1, &Insn);
  std::optional<uint64_t> Ea;
  auto read = [&](int UcReg) {
    uint64_t V = 0;
    uc_reg_read(static_cast<uc_engine *>(ucHandle()), UcReg, &V);
    return V;
  };
  if (N > 0 && Insn[0].detail) {
    if (X86) {
      const cs_x86 &D = Insn[0].detail->x86;
      for (unsigned K = 0; K < D.op_count && !Ea; ++K) {
        const cs_x86_op &Op = D.operands[K];
        if (Op.type != X86_OP_MEM)
          continue;
        uint64_t A = uint64_t(Op.mem.disp);
        if (Op.mem.base == X86_REG_RIP)
          A += Pc + Insn[0].size;
        else if (Op.mem.base != X86_REG_INVALID)
          A += read(unicornX86(x86_reg(Op.mem.base)));
        if (Op.mem.index != X86_REG_INVALID)
          A += read(unicornX86(x86_reg(Op.mem.index))) * uint64_t(Op.mem.scale);
        if (Op.mem.segment == X86_REG_FS || Op.mem.segment == X86_REG_GS)
          A += read(unicornX86(x86_reg(Op.mem.segment)));
        Ea = A;
      }
    } else {
      const cs_arm64 &D = Insn[0].detail->arm64;
      for (unsigned K = 0; K < D.op_count && !Ea; ++K) {
        const cs_arm64_op &Op = D.operands[K];
        if (Op.type != ARM64_OP_MEM)
          continue;
        bool W = false;
        uint64_t A = uint64_t(int64_t(Op.mem.disp));
        if (Op.mem.base != ARM64_REG_INVALID)
          A += read(unicornArm64(arm64_reg(Op.mem.base), W));
        if (Op.mem.index != ARM64_REG_INVALID) {
          uint64_t I = read(unicornArm64(arm64_reg(Op.mem.index), W));
          if (Op.ext == ARM64_EXT_SXTW)
            I = uint64_t(int64_t(int32_t(uint32_t(I))));
          else if (W || Op.ext == ARM64_EXT_UXTW)
            I = uint32_t(I);
          if (Op.shift.type == ARM64_SFT_LSL)
            I <<= Op.shift.value;
          A += I;
        }
        Ea = A;
      }
    }
  }
  if (N)
    cs_free(Insn, N);
  cs_close(&H);
  // The operand's address when it lies in the refused page; an access
  // that runs into the page from below faults at the page's start.
  uint64_t Page = F.Addr & ~uint64_t(4095);
  if (Ea && (*Ea & ~uint64_t(4095)) == Page)
    return *Ea;
  return Page;
}

} // namespace reprise::cpu
