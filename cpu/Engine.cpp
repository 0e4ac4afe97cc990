//===- cpu/Engine.cpp - Unicorn engine wrapper ----------------------------===//
#include "cpu/Engine.h"

#include <unicorn/unicorn.h>

#include <cassert>
#include <cstring>
#include <vector>

namespace reprise::cpu {

struct Engine::Impl {
  uc_engine *UC = nullptr;
  std::vector<uc_hook> Hooks;
  // Hooks watching one rdtsc site: (hook at the insn, hook after it).
  std::map<uint64_t, std::pair<uc_hook, uc_hook>> TimeHooks;
  ~Impl() {
    if (UC)
      uc_close(UC);
  }
};

Context::~Context() { uc_context_free(static_cast<uc_context *>(Impl)); }

namespace {

// The x87 control word and MXCSR of a fresh FPU: every exception masked,
// round to nearest, 64-bit precision (Linux's init_fpstate).
constexpr uint16_t InitialFcw = 0x37f;
constexpr uint32_t InitialMxcsr = 0x1f80;

int unicornReg(Arch A, Reg R) {
  if (A == Arch::X86_64) {
    switch (R) {
    case Reg::Pc: return UC_X86_REG_RIP;
    case Reg::Sp: return UC_X86_REG_RSP;
    case Reg::SyscallNr:
    case Reg::Ret: return UC_X86_REG_RAX;
    case Reg::Arg0: return UC_X86_REG_RDI;
    case Reg::Arg1: return UC_X86_REG_RSI;
    case Reg::Arg2:
    case Reg::X86Rdx: return UC_X86_REG_RDX;
    case Reg::Arg3: return UC_X86_REG_R10;
    case Reg::Arg4: return UC_X86_REG_R8;
    case Reg::Arg5: return UC_X86_REG_R9;
    case Reg::Tls: return UC_X86_REG_FS_BASE;
    case Reg::Flags: return UC_X86_REG_EFLAGS;
    case Reg::X86Rcx: return UC_X86_REG_RCX;
    case Reg::X86R11: return UC_X86_REG_R11;
    case Reg::X86GsBase: return UC_X86_REG_GS_BASE;
    case Reg::Arm64Lr: break;
    }
    assert(false && "register has no x86-64 counterpart");
    return UC_X86_REG_INVALID;
  }
  switch (R) {
  case Reg::Pc: return UC_ARM64_REG_PC;
  case Reg::Sp: return UC_ARM64_REG_SP;
  case Reg::SyscallNr: return UC_ARM64_REG_X8;
  case Reg::Ret:
  case Reg::Arg0: return UC_ARM64_REG_X0;
  case Reg::Arg1: return UC_ARM64_REG_X1;
  case Reg::Arg2: return UC_ARM64_REG_X2;
  case Reg::Arg3: return UC_ARM64_REG_X3;
  case Reg::Arg4: return UC_ARM64_REG_X4;
  case Reg::Arg5: return UC_ARM64_REG_X5;
  case Reg::Tls: return UC_ARM64_REG_TPIDR_EL0;
  case Reg::Flags: return UC_ARM64_REG_NZCV;
  case Reg::Arm64Lr: return UC_ARM64_REG_LR;
  case Reg::X86Rcx:
  case Reg::X86R11:
  case Reg::X86GsBase:
  case Reg::X86Rdx: break;
  }
  assert(false && "register has no arm64 counterpart");
  return UC_ARM64_REG_INVALID;
}

Access accessOf(uc_mem_type T) {
  switch (T) {
  case UC_MEM_WRITE:
  case UC_MEM_WRITE_UNMAPPED:
  case UC_MEM_WRITE_PROT:
    return Access::Write;
  case UC_MEM_FETCH:
  case UC_MEM_FETCH_UNMAPPED:
  case UC_MEM_FETCH_PROT:
    return Access::Execute;
  default:
    return Access::Read;
  }
}

} // namespace

// Static trampolines from Unicorn's C callbacks into the Engine.
struct EngineHooks {
  static bool tlbFill(uc_engine *, uint64_t VAddr, uc_mem_type Type,
                      uc_tlb_entry *Result, void *User) {
    auto *E = static_cast<Engine *>(User);
    Access A = accessOf(Type);
    uint64_t PAddr = 0;
    uint8_t Perms = 0;
    if (!E->Translator.translate(VAddr, A, PAddr, Perms)) {
      E->FaultPending = true;
      E->LastFault = {VAddr, A, false};
      return false;
    }
    uint8_t Need = A == Access::Write     ? PermWrite
                   : A == Access::Execute ? PermExec
                                          : PermRead;
    if (!(Perms & Need)) {
      E->FaultPending = true;
      E->LastFault = {VAddr, A, true};
    }
    Result->paddr = PAddr;
    Result->perms = static_cast<uc_prot>(
        ((Perms & PermRead) ? UC_PROT_READ : 0) |
        ((Perms & PermWrite) ? UC_PROT_WRITE : 0) |
        ((Perms & PermExec) ? UC_PROT_EXEC : 0));
    return true;
  }

  static void block(uc_engine *UC, uint64_t Address, uint32_t, void *User) {
    auto *E = static_cast<Engine *>(User);
    // Stopping here stops before this block runs and the hook fires again on
    // resume, so a block is counted only when it is allowed to run. The
    // guest's PC register may still name the block before (chained blocks
    // do not store it): remember where to resume.
    if (E->BlockLimit && E->Blocks >= E->BlockLimit) {
      E->QuantumHit = true;
      E->QuantumPc = Address;
      uc_emu_stop(UC);
      return;
    }
    ++E->Blocks;
  }

  static void x86Syscall(uc_engine *, void *User) {
    static_cast<Engine *>(User)->Sink.onSyscall();
  }

  static void interrupt(uc_engine *UC, uint32_t IntNo, void *User) {
    auto *E = static_cast<Engine *>(User);
    if (E->TheArch == Arch::Arm64 && IntNo == 2) { // EXCP_SWI: svc #0
      E->Sink.onSyscall();
      return;
    }
    E->PendingInterrupt = static_cast<int>(IntNo);
    uc_emu_stop(UC);
  }

  // The instruction at Address is an rdtsc/rdtscp site about to execute.
  static void timeReadAt(uc_engine *, uint64_t Address, uint32_t, void *User) {
    static_cast<Engine *>(User)->PendingTimeRead = Address + 1;
  }

  // The instruction after an rdtsc site is about to execute: if we got here
  // by executing that rdtsc, replace the host counter it loaded.
  static void timeReadAfter(uc_engine *UC, uint64_t Address, uint32_t,
                            void *User) {
    auto *E = static_cast<Engine *>(User);
    if (!E->PendingTimeRead)
      return;
    uint64_t Site = E->PendingTimeRead - 1;
    E->PendingTimeRead = 0;
    auto It = E->TimeReadSites.find(Site);
    if (It == E->TimeReadSites.end() || It->second != Address)
      return;
    uint64_t Cycles = E->Sink.cycleCounter();
    uint64_t Lo = Cycles & 0xffffffffu, Hi = Cycles >> 32;
    uc_reg_write(UC, UC_X86_REG_RAX, &Lo);
    uc_reg_write(UC, UC_X86_REG_RDX, &Hi);
    if (Address - Site == 3) { // rdtscp also loads TSC_AUX (cpu 0) into ECX
      uint64_t Aux = 0;
      uc_reg_write(UC, UC_X86_REG_RCX, &Aux);
    }
  }

  // arm64 MRS of the generic timer: virtual count and a fixed frequency.
  static uint32_t mrs(uc_engine *UC, uc_arm64_reg Dst,
                      const uc_arm64_cp_reg *CP, void *User) {
    auto *E = static_cast<Engine *>(User);
    if (CP->op0 != 3 || CP->op1 != 3 || CP->crn != 14 || CP->crm != 0)
      return 0; // not a timer register: let the CPU model read it
    uint64_t V;
    switch (CP->op2) {
    case 0: // CNTFRQ_EL0
      V = 1000000000;
      break;
    case 1: // CNTPCT_EL0
    case 2: // CNTVCT_EL0
      V = E->Sink.cycleCounter();
      break;
    default:
      return 0;
    }
    uc_reg_write(UC, Dst, &V);
    return 1; // skip the instruction: the value is ours
  }
};

Engine::Engine(Arch A, PageTranslator &T, EventSink &S)
    : TheArch(A), Translator(T), Sink(S), I(std::make_unique<Impl>()) {}

Engine::~Engine() = default;

llvm::Expected<std::unique_ptr<Engine>>
Engine::create(Arch A, void *Arena, uint64_t ArenaSize, PageTranslator &T,
               EventSink &S) {
  std::unique_ptr<Engine> E(new Engine(A, T, S));
  uc_err Err = A == Arch::X86_64 ? uc_open(UC_ARCH_X86, UC_MODE_64, &E->I->UC)
                                 : uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &E->I->UC);
  auto fail = [&](const char *What) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unicorn: %s: %s", What, uc_strerror(Err));
  };
  if (Err != UC_ERR_OK) {
    E->I->UC = nullptr;
    return fail("cannot open engine");
  }
  uc_engine *UC = E->I->UC;
  // Westmere: SSE3/SSSE3/SSE4.x, POPCNT, CX16, AES, PCLMULQDQ and no AVX or
  // XSAVE, which is what the translator executes. Cortex-A72 for arm64: v8.0
  // with the crypto extension and no SVE.
  Err = A == Arch::X86_64 ? uc_ctl_set_cpu_model(UC, UC_CPU_X86_WESTMERE)
                          : uc_ctl_set_cpu_model(UC, UC_CPU_ARM64_A72);
  if (Err != UC_ERR_OK)
    return fail("cannot set the CPU model");
  if ((Err = uc_ctl_tlb_mode(UC, UC_TLB_VIRTUAL)) != UC_ERR_OK)
    return fail("cannot select the virtual TLB");
  uint32_t TlbPage = 0;
  if ((Err = uc_ctl_get_page_size(UC, &TlbPage)) != UC_ERR_OK)
    return fail("cannot read the target page size");
  E->TlbPageSize = TlbPage;
  if ((Err = uc_mem_map_ptr(UC, 0, ArenaSize, UC_PROT_ALL, Arena)) != UC_ERR_OK)
    return fail("cannot map guest memory");

  auto add = [&](int Type, void *Cb, uint64_t Begin, uint64_t End,
                 int Extra = -1) -> uc_err {
    uc_hook H;
    uc_err R = Extra < 0 ? uc_hook_add(UC, &H, Type, Cb, E.get(), Begin, End)
                         : uc_hook_add(UC, &H, Type, Cb, E.get(), Begin, End,
                                       Extra);
    if (R == UC_ERR_OK)
      E->I->Hooks.push_back(H);
    return R;
  };
  if ((Err = add(UC_HOOK_TLB_FILL, (void *)&EngineHooks::tlbFill, 1, 0)) ||
      (Err = add(UC_HOOK_BLOCK, (void *)&EngineHooks::block, 1, 0)) ||
      (Err = add(UC_HOOK_INTR, (void *)&EngineHooks::interrupt, 1, 0)))
    return fail("cannot install hooks");
  if (A == Arch::X86_64) {
    if ((Err = add(UC_HOOK_INSN, (void *)&EngineHooks::x86Syscall, 1, 0,
                   UC_X86_INS_SYSCALL)))
      return fail("cannot hook syscall");
  } else {
    if ((Err = add(UC_HOOK_INSN, (void *)&EngineHooks::mrs, 1, 0,
                   UC_ARM64_INS_MRS)))
      return fail("cannot hook mrs");
  }
  E->resetRegisters();
  return E;
}

uint64_t Engine::reg(Reg R) const {
  uint64_t V = 0;
  uc_reg_read(I->UC, unicornReg(TheArch, R), &V);
  return V;
}

void Engine::setReg(Reg R, uint64_t V) {
  uc_reg_write(I->UC, unicornReg(TheArch, R), &V);
}

void Engine::resetRegisters() {
  uint64_t Zero = 0;
  if (TheArch == Arch::X86_64) {
    static const int Regs[] = {
        UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX,
        UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP,
        UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
        UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
        UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
    for (int R : Regs)
      uc_reg_write(I->UC, R, &Zero);
    uint64_t Flags = 0x202; // IF and the always-one bit, as at exec
    uc_reg_write(I->UC, UC_X86_REG_EFLAGS, &Flags);
    // The x87 control word and MXCSR Linux gives a new program.
    uint64_t Fcw = InitialFcw, Mxcsr = InitialMxcsr;
    uc_reg_write(I->UC, UC_X86_REG_FPCW, &Fcw);
    uc_reg_write(I->UC, UC_X86_REG_MXCSR, &Mxcsr);
    // CR4.OSFXSR and OSXMMEXCPT, as Linux sets them: without OSFXSR the
    // model's fxsave/fxrstor leave out MXCSR and the XMM registers.
    uint64_t Cr4 = 0;
    uc_reg_read(I->UC, UC_X86_REG_CR4, &Cr4);
    Cr4 |= (1u << 9) | (1u << 10);
    uc_reg_write(I->UC, UC_X86_REG_CR4, &Cr4);
    return;
  }
  for (int R = UC_ARM64_REG_X0; R <= UC_ARM64_REG_X28; ++R)
    uc_reg_write(I->UC, R, &Zero);
  uc_reg_write(I->UC, UC_ARM64_REG_X29, &Zero);
  uc_reg_write(I->UC, UC_ARM64_REG_X30, &Zero);
  uc_reg_write(I->UC, UC_ARM64_REG_TPIDR_EL0, &Zero);
  uc_reg_write(I->UC, UC_ARM64_REG_NZCV, &Zero);
}

namespace {

const int X86GprIds[X86UserRegs::NumGprs] = {
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
    UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RBP, UC_X86_REG_RBX,
    UC_X86_REG_RDX, UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RSP,
    UC_X86_REG_RIP, UC_X86_REG_EFLAGS};

// FXSAVE image offsets (Intel SDM, table 10-2).
constexpr size_t FxFcw = 0, FxFsw = 2, FxFtw = 4, FxFop = 6, FxFip = 8,
                 FxFdp = 16, FxMxcsr = 24, FxMxcsrMask = 28, FxSt = 32,
                 FxXmm = 160;

template <typename T> T load(const uint8_t *P) {
  T V;
  std::memcpy(&V, P, sizeof V);
  return V;
}
template <typename T> void store(uint8_t *P, T V) { std::memcpy(P, &V, sizeof V); }

} // namespace

std::array<uint8_t, 512> initialFxSave() {
  std::array<uint8_t, 512> F{};
  store<uint16_t>(F.data() + FxFcw, InitialFcw);
  store<uint32_t>(F.data() + FxMxcsr, InitialMxcsr);
  return F;
}

X86UserRegs Engine::userRegsX86() const {
  X86UserRegs R;
  for (unsigned K = 0; K < X86UserRegs::NumGprs; ++K)
    uc_reg_read(I->UC, X86GprIds[K], &R.Gpr[K]);
  uint8_t *F = R.FxSave.data();
  uint64_t Fcw = 0, Fsw = 0, Tag = 0, Fop = 0, Fip = 0, Fdp = 0, Mxcsr = 0;
  uc_reg_read(I->UC, UC_X86_REG_FPCW, &Fcw);
  uc_reg_read(I->UC, UC_X86_REG_FPSW, &Fsw);
  uc_reg_read(I->UC, UC_X86_REG_FPTAG, &Tag);
  uc_reg_read(I->UC, UC_X86_REG_FOP, &Fop);
  uc_reg_read(I->UC, UC_X86_REG_FIP, &Fip);
  uc_reg_read(I->UC, UC_X86_REG_FDP, &Fdp);
  uc_reg_read(I->UC, UC_X86_REG_MXCSR, &Mxcsr);
  store<uint16_t>(F + FxFcw, uint16_t(Fcw));
  store<uint16_t>(F + FxFsw, uint16_t(Fsw));
  // The abridged tag: one bit per physical register, set when not empty.
  uint8_t Abridged = 0;
  for (unsigned K = 0; K < 8; ++K)
    if (((Tag >> (2 * K)) & 3) != 3)
      Abridged |= uint8_t(1u << K);
  F[FxFtw] = Abridged;
  store<uint16_t>(F + FxFop, uint16_t(Fop));
  store<uint64_t>(F + FxFip, Fip);
  store<uint64_t>(F + FxFdp, Fdp);
  store<uint32_t>(F + FxMxcsr, uint32_t(Mxcsr));
  store<uint32_t>(F + FxMxcsrMask, 0xffff);
  // ST(i) is physical register (TOP + i) mod 8.
  unsigned Top = unsigned(Fsw >> 11) & 7;
  for (unsigned K = 0; K < 8; ++K) {
    uint8_t Buf[16] = {};
    uc_reg_read(I->UC, UC_X86_REG_FP0 + int((Top + K) & 7), Buf);
    std::memcpy(F + FxSt + 16 * K, Buf, 10);
  }
  for (unsigned K = 0; K < 16; ++K)
    uc_reg_read(I->UC, UC_X86_REG_XMM0 + int(K), F + FxXmm + 16 * K);
  return R;
}

void Engine::setUserRegsX86(const X86UserRegs &R) {
  for (unsigned K = 0; K < X86UserRegs::NumGprs; ++K)
    uc_reg_write(I->UC, X86GprIds[K], &R.Gpr[K]);
  const uint8_t *F = R.FxSave.data();
  uint64_t Fcw = load<uint16_t>(F + FxFcw), Fsw = load<uint16_t>(F + FxFsw);
  uint64_t Fop = load<uint16_t>(F + FxFop), Fip = load<uint64_t>(F + FxFip),
           Fdp = load<uint64_t>(F + FxFdp), Mxcsr = load<uint32_t>(F + FxMxcsr);
  uint64_t Tag = 0;
  for (unsigned K = 0; K < 8; ++K)
    if (!(F[FxFtw] & (1u << K)))
      Tag |= 3ull << (2 * K); // empty; a valid register's class is recomputed
  uc_reg_write(I->UC, UC_X86_REG_FPCW, &Fcw);
  uc_reg_write(I->UC, UC_X86_REG_FPSW, &Fsw);
  unsigned Top = unsigned(Fsw >> 11) & 7;
  for (unsigned K = 0; K < 8; ++K) {
    uint8_t Buf[16] = {};
    std::memcpy(Buf, F + FxSt + 16 * K, 10);
    uc_reg_write(I->UC, UC_X86_REG_FP0 + int((Top + K) & 7), Buf);
  }
  uc_reg_write(I->UC, UC_X86_REG_FPTAG, &Tag);
  uc_reg_write(I->UC, UC_X86_REG_FOP, &Fop);
  uc_reg_write(I->UC, UC_X86_REG_FIP, &Fip);
  uc_reg_write(I->UC, UC_X86_REG_FDP, &Fdp);
  Mxcsr &= 0xffff; // reserved bits would fault on real hardware
  uc_reg_write(I->UC, UC_X86_REG_MXCSR, &Mxcsr);
  for (unsigned K = 0; K < 16; ++K)
    uc_reg_write(I->UC, UC_X86_REG_XMM0 + int(K), F + FxXmm + 16 * K);
}

Arm64UserRegs Engine::userRegsArm64() const {
  Arm64UserRegs R;
  for (unsigned K = 0; K < 29; ++K)
    uc_reg_read(I->UC, UC_ARM64_REG_X0 + int(K), &R.X[K]);
  uc_reg_read(I->UC, UC_ARM64_REG_X29, &R.X[29]);
  uc_reg_read(I->UC, UC_ARM64_REG_X30, &R.X[30]);
  uc_reg_read(I->UC, UC_ARM64_REG_SP, &R.Sp);
  uc_reg_read(I->UC, UC_ARM64_REG_PC, &R.Pc);
  uint64_t Nzcv = 0, Fpsr = 0, Fpcr = 0;
  uc_reg_read(I->UC, UC_ARM64_REG_NZCV, &Nzcv);
  R.Pstate = Nzcv & 0xf0000000ull; // EL0t: only the flags are user state
  uc_reg_read(I->UC, UC_ARM64_REG_FPSR, &Fpsr);
  uc_reg_read(I->UC, UC_ARM64_REG_FPCR, &Fpcr);
  R.Fpsr = uint32_t(Fpsr);
  R.Fpcr = uint32_t(Fpcr);
  for (unsigned K = 0; K < 32; ++K)
    uc_reg_read(I->UC, UC_ARM64_REG_Q0 + int(K), R.V[K].data());
  return R;
}

void Engine::setUserRegsArm64(const Arm64UserRegs &R) {
  for (unsigned K = 0; K < 29; ++K)
    uc_reg_write(I->UC, UC_ARM64_REG_X0 + int(K), &R.X[K]);
  uc_reg_write(I->UC, UC_ARM64_REG_X29, &R.X[29]);
  uc_reg_write(I->UC, UC_ARM64_REG_X30, &R.X[30]);
  uc_reg_write(I->UC, UC_ARM64_REG_SP, &R.Sp);
  uc_reg_write(I->UC, UC_ARM64_REG_PC, &R.Pc);
  uint64_t Nzcv = R.Pstate & 0xf0000000ull, Fpsr = R.Fpsr, Fpcr = R.Fpcr;
  uc_reg_write(I->UC, UC_ARM64_REG_NZCV, &Nzcv);
  uc_reg_write(I->UC, UC_ARM64_REG_FPSR, &Fpsr);
  uc_reg_write(I->UC, UC_ARM64_REG_FPCR, &Fpcr);
  for (unsigned K = 0; K < 32; ++K)
    uc_reg_write(I->UC, UC_ARM64_REG_Q0 + int(K), R.V[K].data());
}

void *Engine::ucHandle() const { return I->UC; }

void Engine::requestStop() {
  StopRequested = true;
  uc_emu_stop(I->UC);
}

StopInfo Engine::run(uint64_t MaxBlocks) {
  BlockLimit = MaxBlocks ? Blocks + MaxBlocks : 0;
  StopRequested = QuantumHit = FaultPending = false;
  PendingInterrupt = -1;
  uint64_t Pc = reg(Reg::Pc);
  uc_err Err = uc_emu_start(I->UC, Pc, 0, 0, 0);
  StopInfo S;
  if (Err == UC_ERR_OK) {
    if (PendingInterrupt >= 0) {
      int N = PendingInterrupt;
      if (TheArch == Arch::X86_64) {
        S.Kind = N == 3 ? StopKind::Breakpoint
                 : N == 0 ? StopKind::DivideError
                 : N == 6 ? StopKind::IllegalInsn
                 : (N == 8 || N == 13) ? StopKind::GeneralProtection
                          : StopKind::EngineError;
      } else {
        // EXCP_UDEF = 1, EXCP_BKPT = 7 in the arm64 model.
        S.Kind = N == 1 ? StopKind::IllegalInsn
                 : N == 7 ? StopKind::Breakpoint
                          : StopKind::EngineError;
      }
      if (S.Kind == StopKind::EngineError)
        S.Message = "unexpected CPU exception " + std::to_string(N);
      return S;
    }
    S.Kind = QuantumHit && !StopRequested ? StopKind::Quantum
                                          : StopKind::Requested;
    if (S.Kind == StopKind::Quantum)
      setReg(Reg::Pc, QuantumPc);
    return S;
  }
  if (FaultPending && (Err == UC_ERR_EXCEPTION || Err == UC_ERR_READ_UNMAPPED ||
                       Err == UC_ERR_WRITE_UNMAPPED ||
                       Err == UC_ERR_FETCH_UNMAPPED || Err == UC_ERR_READ_PROT ||
                       Err == UC_ERR_WRITE_PROT || Err == UC_ERR_FETCH_PROT)) {
    S.Kind = StopKind::Fault;
    S.Fault = LastFault;
    return S;
  }
  if (Err == UC_ERR_INSN_INVALID || Err == UC_ERR_EXCEPTION) {
    S.Kind = StopKind::IllegalInsn;
    return S;
  }
  S.Kind = StopKind::EngineError;
  S.Message = uc_strerror(Err);
  return S;
}

void Engine::flushTlb() { uc_ctl_flush_tlb(I->UC); }

void Engine::invalidateCode(uint64_t VAddr, uint64_t Len) {
  if (Len)
    uc_ctl_remove_cache(I->UC, VAddr, VAddr + Len);
}

void Engine::watchTimeReads(uint64_t VAddr, llvm::ArrayRef<uint8_t> Bytes) {
  if (TheArch != Arch::X86_64)
    return; // arm64 reads the counter through MRS, hooked once for all
  for (size_t Off = 0; Off + 1 < Bytes.size(); ++Off) {
    if (Bytes[Off] != 0x0f)
      continue;
    unsigned Len = 0;
    if (Bytes[Off + 1] == 0x31)
      Len = 2; // rdtsc
    else if (Off + 2 < Bytes.size() && Bytes[Off + 1] == 0x01 &&
             Bytes[Off + 2] == 0xf9)
      Len = 3; // rdtscp
    if (!Len)
      continue;
    watchTimeRead(VAddr + Off, VAddr + Off + Len);
  }
}

void Engine::copyTimeReadsFrom(const Engine &Other) {
  for (const auto &[Site, After] : Other.TimeReadSites)
    watchTimeRead(Site, After);
}

void Engine::watchTimeRead(uint64_t Site, uint64_t After) {
  if (TimeReadSites.count(Site))
    return;
  uc_hook At, Next;
  if (uc_hook_add(I->UC, &At, UC_HOOK_CODE, (void *)&EngineHooks::timeReadAt,
                  this, Site, Site) != UC_ERR_OK)
    return;
  if (uc_hook_add(I->UC, &Next, UC_HOOK_CODE,
                  (void *)&EngineHooks::timeReadAfter, this, After,
                  After) != UC_ERR_OK) {
    uc_hook_del(I->UC, At);
    return;
  }
  TimeReadSites[Site] = After;
  I->TimeHooks[Site] = {At, Next};
}

void Engine::forgetTimeReads(uint64_t VAddr, uint64_t Len) {
  auto It = I->TimeHooks.lower_bound(VAddr);
  while (It != I->TimeHooks.end() && It->first < VAddr + Len) {
    uc_hook_del(I->UC, It->second.first);
    uc_hook_del(I->UC, It->second.second);
    TimeReadSites.erase(It->first);
    It = I->TimeHooks.erase(It);
  }
}

std::unique_ptr<Context> Engine::saveContext() const {
  uc_context *C = nullptr;
  if (uc_context_alloc(I->UC, &C) != UC_ERR_OK)
    return nullptr;
  uc_context_save(I->UC, C);
  return std::unique_ptr<Context>(new Context(C));
}

void Engine::restoreContext(const Context &C) {
  uc_context_restore(I->UC, static_cast<uc_context *>(C.Impl));
}

void Engine::setContextReg(Context &C, Reg R, uint64_t V) const {
  uc_context_reg_write(static_cast<uc_context *>(C.Impl), unicornReg(TheArch, R),
                       &V);
}

uint64_t Engine::contextReg(const Context &C, Reg R) const {
  uint64_t V = 0;
  uc_context_reg_read(static_cast<uc_context *>(C.Impl), unicornReg(TheArch, R), &V);
  return V;
}

} // namespace reprise::cpu
