//===- kernel/Strace.cpp - --strace lines ---------------------------------===//
//
// One line per system call: "[tid] name(args) = result" or "= -ENAME". The
// argument formats come from the syscall table.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "llvm/Support/FormatVariadic.h"

#include <cstdio>

namespace reprise {

using namespace linux_abi;

namespace {

std::string quoted(llvm::ArrayRef<uint8_t> B, size_t Total) {
  std::string S = "\"";
  for (uint8_t C : B) {
    switch (C) {
    case '\n': S += "\\n"; break;
    case '\t': S += "\\t"; break;
    case '"': S += "\\\""; break;
    case '\\': S += "\\\\"; break;
    default:
      if (C >= 32 && C < 127)
        S += char(C);
      else
        S += llvm::formatv("\\x{0:x-2}", C).str();
    }
  }
  S += '"';
  if (Total > B.size())
    S += "...";
  return S;
}

std::string flagsOf(uint64_t V, std::initializer_list<std::pair<uint64_t, const char *>> Names,
                    const char *Zero) {
  std::string S;
  for (auto [Bit, Name] : Names) {
    if (Bit && (V & Bit) == Bit) {
      if (!S.empty())
        S += '|';
      S += Name;
      V &= ~Bit;
    }
  }
  if (V) {
    if (!S.empty())
      S += '|';
    S += llvm::formatv("{0:x}", V).str();
  }
  return S.empty() ? Zero : S;
}

} // namespace

std::string Kernel::formatArg(Task &T, char Fmt, uint64_t V, bool After,
                              int64_t Ret, const SyscallArgs &A, unsigned I) {
  switch (Fmt) {
  case 'd':
  case 'f':
    return std::to_string(int64_t(V));
  case 'a':
    return int32_t(V) == LX_AT_FDCWD ? "AT_FDCWD" : std::to_string(int32_t(V));
  case 'u':
    return std::to_string(V);
  case 'o':
  {
    char B[32];
    std::snprintf(B, sizeof B, "0%llo", (unsigned long long)V);
    return B;
  }
  case 'x':
    return llvm::formatv("{0:x}", V).str();
  case 'p':
    return V ? llvm::formatv("{0:x}", V).str() : "NULL";
  case 'S':
    return signalName(int32_t(V));
  case 's': {
    auto S = T.mm().copyInString(V, 4096);
    return S ? quoted({reinterpret_cast<const uint8_t *>(S->data()), S->size()},
                      S->size())
             : llvm::formatv("{0:x}", V).str();
  }
  case 'B':
  case 'b': {
    if (Fmt == 'b' && (!After || Ret < 0))
      return V ? llvm::formatv("{0:x}", V).str() : "NULL";
    size_t Len = Fmt == 'b' ? size_t(Ret) : size_t(A.arg(I + 1));
    std::vector<uint8_t> B(std::min<size_t>(Len, 32));
    if (!T.copyIn(V, B))
      return llvm::formatv("{0:x}", V).str();
    return quoted(B, Len);
  }
  case 'O': {
    std::string S = (V & LX_O_ACCMODE) == LX_O_WRONLY ? "O_WRONLY"
                    : (V & LX_O_ACCMODE) == LX_O_RDWR ? "O_RDWR"
                                                : "O_RDONLY";
    std::string Rest = flagsOf(V & ~uint64_t(LX_O_ACCMODE),
                               {{LX_O_CREAT, "O_CREAT"}, {LX_O_EXCL, "O_EXCL"},
                                {LX_O_NOCTTY, "O_NOCTTY"}, {LX_O_TRUNC, "O_TRUNC"},
                                {LX_O_APPEND, "O_APPEND"}, {LX_O_NONBLOCK, "O_NONBLOCK"},
                                {LX_O_CLOEXEC, "O_CLOEXEC"}, {LX_O_PATH, "O_PATH"}},
                               "");
    return Rest.empty() ? S : S + "|" + Rest;
  }
  case 'P':
    return flagsOf(V, {{LX_PROT_READ, "PROT_READ"}, {LX_PROT_WRITE, "PROT_WRITE"},
                       {LX_PROT_EXEC, "PROT_EXEC"}},
                   "PROT_NONE");
  case 'M':
    return flagsOf(V, {{LX_MAP_SHARED, "MAP_SHARED"}, {LX_MAP_PRIVATE, "MAP_PRIVATE"},
                       {LX_MAP_FIXED, "MAP_FIXED"}, {LX_MAP_ANONYMOUS, "MAP_ANONYMOUS"},
                       {LX_MAP_NORESERVE, "MAP_NORESERVE"}, {LX_MAP_STACK, "MAP_STACK"},
                       {LX_MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}},
                   "0");
  default:
    return llvm::formatv("{0:x}", V).str();
  }
}

void Kernel::traceEnter(Task &T, const SyscallInfo *Info, const SyscallArgs &A) {
  // Arguments filled in by the call are printed when it returns.
  std::string Name = Info ? std::string(Info->Name)
                          : "syscall_" + std::to_string(A.Nr);
  PendingTrace = "[" + std::to_string(T.tid()) + "] " + Name + "(";
  if (!Info || Info->Args.find('b') == std::string_view::npos) {
    for (unsigned I = 0; Info && I < Info->Args.size(); ++I) {
      if (I)
        PendingTrace += ", ";
      PendingTrace += formatArg(T, Info->Args[I], A.arg(I), false, 0, A, I);
    }
  }
}

void Kernel::traceExit(Task &T, const SyscallInfo *Info, const SyscallArgs &A,
                       int64_t Ret) {
  auto &OS = *Opts.Strace;
  OS << PendingTrace;
  if (Info && Info->Args.find('b') != std::string_view::npos) {
    for (unsigned I = 0; I < Info->Args.size(); ++I) {
      if (I)
        OS << ", ";
      OS << formatArg(T, Info->Args[I], A.arg(I), true, Ret, A, I);
    }
  }
  OS << ") = ";
  if (Ret < 0 && Ret >= -4095)
    OS << "-" << errnoName(Errno(-Ret));
  else if (Info && (Info->Name == "mmap" || Info->Name == "brk" ||
                    Info->Name == "mremap"))
    OS << llvm::formatv("{0:x}", uint64_t(Ret));
  else
    OS << Ret;
  OS << "\n";
  OS.flush();
}

} // namespace reprise
