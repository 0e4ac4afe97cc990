//===- cpu/Disassembler.cpp - Capstone, for fault reports -----------------===//
#include "cpu/Engine.h"

#include <capstone/capstone.h>

#include <cstdio>

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

} // namespace reprise::cpu
