//===- cpu/Engine.h - One Unicorn engine per guest address space -*- C++ -*-===//
//
// An Engine executes guest instructions for every task that shares one
// address space. It knows nothing of the kernel: it asks a PageTranslator for
// every TLB fill, reports system-call traps to an EventSink from inside the
// hook (so the common syscall never leaves the engine), and returns from
// run() when the guest faults, the quantum ends or the sink asks to stop.
//
// Memory model: reprise keeps guest page tables itself. The engine runs in
// Unicorn's virtual-TLB mode; its "physical" space is one host-backed arena
// mapped once, so the number of Unicorn regions stays at one whatever the
// guest maps, while per-page protections still fault exactly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Arch.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace reprise::cpu {

/// Access kinds, as reported to the translator and in faults.
enum class Access : uint8_t { Read, Write, Execute };

/// Page permissions understood by the engine.
enum Perm : uint8_t { PermRead = 1, PermWrite = 2, PermExec = 4 };

/// Looks up guest virtual addresses in reprise's own page tables.
class PageTranslator {
public:
  virtual ~PageTranslator() = default;
  /// Translates the page holding \p VAddr for an access of kind \p A. On
  /// success sets \p PAddr (physical address of VAddr itself) and \p Perms and
  /// returns true; returns false when nothing is mapped there. The engine
  /// raises the fault when \p Perms lacks what \p A needs.
  virtual bool translate(uint64_t VAddr, Access A, uint64_t &PAddr,
                         uint8_t &Perms) = 0;
};

/// Receives the events the kernel must handle while the guest runs.
class EventSink {
public:
  virtual ~EventSink() = default;
  /// A system call instruction trapped. Registers hold the guest's arguments;
  /// the sink writes the result and may call Engine::requestStop().
  virtual void onSyscall() = 0;
  /// The guest read the cycle counter (rdtsc, CNTVCT_EL0): a virtual count.
  virtual uint64_t cycleCounter() = 0;
};

/// Architecture-neutral register names used by the kernel.
enum class Reg : uint8_t {
  Pc, Sp, SyscallNr, Ret, Arg0, Arg1, Arg2, Arg3, Arg4, Arg5,
  Tls,      // FS base (x86-64), TPIDR_EL0 (arm64)
  Flags,    // RFLAGS / NZCV
  X86Rcx, X86R11, X86Rdx, X86GsBase, Arm64Lr,
};

/// Why run() returned.
enum class StopKind : uint8_t {
  Requested,     // the sink (or requestStop) asked for it
  Quantum,       // the block budget given to run() is used up
  Fault,         // unmapped or protection fault; see Fault
  IllegalInsn,   // invalid or privileged instruction
  Breakpoint,    // int3 / brk
  DivideError,   // x86-64 #DE
  // x86-64 #GP, or #DF: the CPU model keeps the last exception it raised
  // (Unicorn's hook takes it before the model would clear it), so a second
  // #DE or #GP after a handled one arrives as a double fault. The kernel
  // tells them apart by the instruction.
  GeneralProtection,
  EngineError,   // anything else Unicorn reported; see Message
};

struct FaultInfo {
  uint64_t Addr = 0;
  Access Kind = Access::Read;
  bool Mapped = false; // true: protection fault; false: nothing mapped
};

struct StopInfo {
  StopKind Kind = StopKind::Requested;
  FaultInfo Fault;
  std::string Message;
};

/// What a signal frame holds of an x86-64 task: the general registers in
/// struct sigcontext's order and the x87/SSE state as FXSAVE lays it out.
struct X86UserRegs {
  enum : unsigned {
    R8, R9, R10, R11, R12, R13, R14, R15, Rdi, Rsi, Rbp, Rbx, Rdx, Rax, Rcx,
    Rsp, Rip, Eflags, NumGprs
  };
  std::array<uint64_t, NumGprs> Gpr{};
  std::array<uint8_t, 512> FxSave{};
};

/// The x87/SSE state of a fresh FPU, as FXSAVE lays it out: all registers
/// empty and zero, the control word 0x37f and MXCSR 0x1f80 that Linux gives
/// a new program and a signal handler (init_fpstate).
std::array<uint8_t, 512> initialFxSave();

/// What a signal frame holds of an arm64 task.
struct Arm64UserRegs {
  std::array<uint64_t, 31> X{};
  uint64_t Sp = 0, Pc = 0, Pstate = 0;
  uint32_t Fpsr = 0, Fpcr = 0;
  std::array<std::array<uint8_t, 16>, 32> V{};
};

/// Saved registers of one task, opaque outside cpu/.
class Context {
public:
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

private:
  friend class Engine;
  explicit Context(void *C) : Impl(C) {}
  void *Impl;
};

class Engine {
public:
  /// Creates an engine for \p A whose physical space is the host memory
  /// [\p Arena, \p Arena + \p ArenaSize).
  static llvm::Expected<std::unique_ptr<Engine>>
  create(Arch A, void *Arena, uint64_t ArenaSize, PageTranslator &T,
         EventSink &S);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  Arch arch() const { return TheArch; }

  uint64_t reg(Reg R) const;
  void setReg(Reg R, uint64_t V);
  /// Zeroes the general registers, as at a new program's entry.
  void resetRegisters();
  /// The user register file, for signal frames (arch() must match).
  X86UserRegs userRegsX86() const;
  void setUserRegsX86(const X86UserRegs &R);
  Arm64UserRegs userRegsArm64() const;
  void setUserRegsArm64(const Arm64UserRegs &R);

  /// Runs from the current PC until something stops it. With \p MaxBlocks
  /// nonzero, stops (StopKind::Quantum) before the block that would exceed it.
  StopInfo run(uint64_t MaxBlocks);
  /// Called from inside a hook: stop after the current instruction.
  void requestStop();

  /// Guest basic blocks executed so far by this engine (deterministic).
  uint64_t blocksExecuted() const { return Blocks; }

  /// Mapping changes: drop cached translations of virtual addresses. May be
  /// called from inside a TLB fill (the fill's own entry is set afterwards).
  void flushTlb();
  /// Bytes of guest memory one TLB entry covers: 4 KiB on x86-64, but 1 KiB
  /// on arm64 (Unicorn's smallest ARM target page), so a 4 KiB guest page
  /// may be behind up to four entries there.
  uint64_t tlbPageSize() const { return TlbPageSize; }
  /// Code at [VAddr, VAddr+Len) changed behind the engine's back.
  void invalidateCode(uint64_t VAddr, uint64_t Len);
  /// [VAddr, VAddr+Bytes.size()) just became executable: find the
  /// instructions that read host time so they can be made virtual.
  void watchTimeReads(uint64_t VAddr, llvm::ArrayRef<uint8_t> Bytes);
  /// [VAddr, VAddr+Len) is no longer executable.
  void forgetTimeReads(uint64_t VAddr, uint64_t Len);
  /// Watches the same time-reading sites as \p Other (a fork's copy).
  void copyTimeReadsFrom(const Engine &Other);

  /// The exact address a fault reported by run() touched: worked out from
  /// the memory operand of the instruction at the PC (\p Bytes), since the
  /// engine only sees the page.
  uint64_t faultAddress(const FaultInfo &F, llvm::ArrayRef<uint8_t> Bytes) const;
  /// The Unicorn handle, for cpu/ code outside Engine.cpp.
  void *ucHandle() const;

  std::unique_ptr<Context> saveContext() const;
  void restoreContext(const Context &C);
  /// Changes one register of a saved context (a new thread's, before it
  /// first runs).
  void setContextReg(Context &C, Reg R, uint64_t V) const;
  /// One register of a saved context.
  uint64_t contextReg(const Context &C, Reg R) const;

private:
  struct Impl;
  Engine(Arch A, PageTranslator &T, EventSink &S);
  /// Hooks the rdtsc/rdtscp at \p Site, whose next instruction is \p After.
  void watchTimeRead(uint64_t Site, uint64_t After);

  Arch TheArch;
  PageTranslator &Translator;
  EventSink &Sink;
  std::unique_ptr<Impl> I;
  uint64_t Blocks = 0;
  uint64_t BlockLimit = 0;
  uint64_t TlbPageSize = 4096;
  bool StopRequested = false;
  bool QuantumHit = false;
  uint64_t QuantumPc = 0; // the block a quantum stop happened before
  FaultInfo LastFault;
  bool FaultPending = false;
  int PendingInterrupt = -1;
  // rdtsc / rdtscp sites: instruction address -> the address after it.
  std::map<uint64_t, uint64_t> TimeReadSites;
  uint64_t PendingTimeRead = 0;
  bool PendingTimeReadIsRdtscp = false;

  friend struct EngineHooks;
};

/// One line of disassembly of the instruction in \p Bytes at \p Pc, e.g.
/// "mov qword ptr [rax], 1"; "(undecodable: 0f 0b ...)" when Capstone fails.
std::string disassemble(Arch A, uint64_t Pc, llvm::ArrayRef<uint8_t> Bytes);
/// The instructions decoded from \p Bytes at \p Start when they end exactly
/// at \p End (address and text each); empty when they do not.
std::vector<std::pair<uint64_t, std::string>>
disassembleRange(Arch A, uint64_t Start, llvm::ArrayRef<uint8_t> Bytes, uint64_t End);

} // namespace reprise::cpu
