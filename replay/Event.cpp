//===- replay/Event.cpp ---------------------------------------------------===//
#include "replay/Event.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace reprise::replay {

namespace {

const char *inputKindName(uint64_t K) {
  switch (InputKind(K)) {
  case InputKind::HostRead: return "read";
  case InputKind::HostMetadata: return "metadata";
  case InputKind::HostWrite: return "write";
  case InputKind::HostOther: return "other";
  case InputKind::HostEffect: return "effect";
  }
  return "unknown";
}

void bytes(llvm::raw_ostream &OS, llvm::ArrayRef<uint8_t> D) {
  OS << D.size() << " bytes";
  if (D.empty())
    return;
  OS << " \"";
  size_t N = std::min<size_t>(D.size(), 24);
  for (size_t I = 0; I < N; ++I) {
    uint8_t C = D[I];
    if (C == '\n')
      OS << "\\n";
    else if (C == '"' || C == '\\')
      OS << '\\' << char(C);
    else if (C >= 0x20 && C < 0x7f)
      OS << char(C);
    else
      OS << llvm::format("\\x%02x", C);
  }
  OS << (N < D.size() ? "\"..." : "\"");
}

} // namespace

std::string describe(const Event &E, const SyscallNamer &Name) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  switch (E.Kind) {
  case EventKind::Input:
    OS << "input " << inputKindName(E.Op) << " = " << E.Result << ", ";
    bytes(OS, E.Data);
    break;
  case EventKind::HostSignal:
    OS << "host signals " << llvm::format_hex(E.Op, 0);
    break;
  case EventKind::Syscall: {
    std::string N = Name ? Name(E.Op) : "";
    OS << "task " << E.Tid << " syscall "
       << (N.empty() ? "#" + std::to_string(E.Op) : N) << "(";
    for (size_t I = 0; I < E.Args.size(); ++I)
      OS << (I ? ", " : "") << llvm::format_hex(E.Args[I], 0);
    OS << ") = " << E.Result;
    break;
  }
  case EventKind::Schedule:
    OS << "task " << E.Tid << " scheduled after " << E.Op << " blocks";
    break;
  case EventKind::Clone:
    OS << "task " << E.Tid << " clone flags " << llvm::format_hex(E.Op, 0)
       << " -> tid " << E.Result;
    if (!E.Args.empty()) {
      // The exit signal, CloneNamespaces namespace ids, the tids.
      OS << " (exit signal " << E.Args[0];
      size_t Ids = 1;
      if (E.Args.size() > CloneNamespaces) {
        OS << ", namespaces";
        for (; Ids <= CloneNamespaces; ++Ids)
          OS << ' ' << E.Args[Ids];
      }
      OS << ", ids";
      for (size_t I = Ids; I < E.Args.size(); ++I)
        OS << ' ' << E.Args[I];
      OS << ')';
    }
    break;
  case EventKind::Exec:
    OS << "task " << E.Tid << " exec "
       << std::string(E.Data.begin(), E.Data.end());
    break;
  case EventKind::Exit:
    OS << "task " << E.Tid << " exit status " << llvm::format_hex(E.Result, 0);
    break;
  case EventKind::Signal:
    OS << "task " << E.Tid << " takes signal " << E.Op << " (code " << E.Result
       << ")";
    break;
  case EventKind::End:
    OS << "end, exit status " << E.Result;
    break;
  default:
    OS << "unknown event kind " << unsigned(E.Kind);
    break;
  }
  return OS.str();
}

} // namespace reprise::replay
