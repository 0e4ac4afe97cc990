//===- replay/Gate.cpp ----------------------------------------------------===//
#include "replay/Gate.h"

namespace reprise::replay {

int64_t Gate::call(InputKind, llvm::MutableArrayRef<uint8_t>,
                   llvm::function_ref<int64_t()> HostCall) {
  ++Count;
  return HostCall();
}

} // namespace reprise::replay
