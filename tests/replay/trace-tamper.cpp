//===- tests/replay/trace-tamper.cpp - Damage a trace on purpose ----------===//
//
//   trace-tamper IN OUT --drop N
//   trace-tamper IN OUT --add-result N DELTA
//   trace-tamper IN OUT --cut N
//   trace-tamper IN OUT --set-arch NAME
//
// Rewrites trace IN to OUT, well-formed, with one deliberate change at event
// N: dropped, its result moved by DELTA, or the trace ended before it
// (without an End event, as a recording killed there); or its header's arch
// replaced. The replay tests use
// it to check that replay stops at exactly that event.
//
//===----------------------------------------------------------------------===//
#include "replay/Trace.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace reprise::replay;

[[noreturn]] static void fail(const llvm::Twine &Msg) {
  llvm::errs() << "trace-tamper: " << Msg << "\n";
  std::exit(1);
}

int main(int Argc, char **Argv) {
  if (Argc < 5)
    fail("usage: trace-tamper IN OUT --drop N | --add-result N DELTA | --cut N | "
         "--set-arch NAME");
  llvm::StringRef Op = Argv[3];
  uint64_t At = 0;
  int64_t Delta = 0;
  bool SetArch = Op == "--set-arch";
  if (SetArch)
    At = UINT64_MAX;
  else if (llvm::StringRef(Argv[4]).getAsInteger(0, At))
    fail("bad event index");
  if (Op == "--add-result" &&
      (Argc < 6 || llvm::StringRef(Argv[5]).getAsInteger(0, Delta)))
    fail("--add-result needs a number");
  if (Op != "--drop" && Op != "--add-result" && Op != "--cut" && !SetArch)
    fail("unknown operation " + Op);

  auto R = TraceReader::open(Argv[1]);
  if (!R)
    fail(llvm::toString(R.takeError()));
  auto W = TraceWriter::create(Argv[2]);
  if (!W)
    fail(llvm::toString(W.takeError()));
  TraceHeader H = (*R)->header();
  if (SetArch)
    H.Arch = Argv[4];
  (*W)->setHeader(H);
  Event E;
  bool Done = SetArch;
  for (uint64_t I = 0;; ++I) {
    auto More = (*R)->next(E);
    if (!More)
      fail(llvm::toString(More.takeError()));
    if (!*More)
      break;
    if (I == At) {
      Done = true;
      if (Op == "--cut")
        break;
      if (Op == "--drop")
        continue;
      E.Result += Delta;
    }
    (*W)->append(E);
  }
  if (!Done)
    fail("the trace has no event " + llvm::Twine(At));
  if (auto Err = (*W)->finish())
    fail(llvm::toString(std::move(Err)));
  return 0;
}
