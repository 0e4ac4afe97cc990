//===- tests/unit/TestSupport.h - Helpers shared by the unit tests -*- C++ -*-===//
#pragma once

#include "kernel/abi/Result.h"

#include <ostream>

namespace reprise::linux_abi {

/// Lets BOOST_TEST print an Errno by name ("ENOENT (2)"); Errno{0} is a
/// success (see errorOf).
inline std::ostream &boost_test_print_type(std::ostream &OS, Errno E) {
  if (E == Errno{})
    return OS << "success";
  return OS << errnoName(E) << " (" << errnoValue(E) << ")";
}

} // namespace reprise::linux_abi

namespace reprise::test {

/// The errno of a failed result, or Errno{0} when it succeeded, so that one
/// BOOST_TEST line checks both the outcome and the errno.
template <typename T> Errno errorOf(const Result<T> &R) {
  return R.ok() ? Errno{} : R.error();
}

inline constexpr Errno Success{};

} // namespace reprise::test
