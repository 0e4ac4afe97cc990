//===- replay/Gate.h - The one gate for outside input -----------*- C++ -*-===//
//
// Every value that enters the guest from outside (host file contents and
// metadata, stdin, host signals...) is produced through a Gate. In run mode
// the gate only calls the host; record mode will also log what came back and
// replay mode will serve it from the trace without touching the host. Callers
// therefore describe a host operation as a callable and never call the host
// directly on a guest's behalf.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>

namespace reprise::replay {

/// What kind of outside input an event carries (for the trace and reports).
enum class InputKind : uint8_t {
  HostRead,     // bytes read from a host file, pipe or tty
  HostMetadata, // stat, readlink, directory listings
  HostWrite,    // result of writing to a host file (bytes accepted / error)
  HostOther,    // any other host call whose result reaches the guest
};

class Gate {
public:
  enum class Mode : uint8_t { Run };

  Mode mode() const { return TheMode; }

  /// Performs a host call that returns a count or a negative errno and may
  /// fill \p Out; the result and the filled bytes are outside input.
  int64_t call(InputKind K, llvm::MutableArrayRef<uint8_t> Out,
               llvm::function_ref<int64_t()> HostCall);

  /// Number of outside inputs that passed the gate (for tests and reports).
  uint64_t count() const { return Count; }

private:
  Mode TheMode = Mode::Run;
  uint64_t Count = 0;
};

} // namespace reprise::replay
