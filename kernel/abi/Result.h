//===- kernel/abi/Result.h - A value or a Linux errno -----------*- C++ -*-===//
//
// What the guest sees of a failure is a Linux errno. Result<T> carries either
// a T or an Errno; REPRISE_TRY unwraps one or returns its errno early, so a
// handler reads as a straight chain:
//
//   auto Path = REPRISE_TRY(T.copyInPath(A.arg(1)));
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Errno.h"

#include <cassert>
#include <utility>
#include <variant>

namespace reprise {

using linux_abi::Errno;

template <typename T> class [[nodiscard]] Result {
public:
  Result(T V) : Storage(std::in_place_index<0>, std::move(V)) {}
  Result(Errno E) : Storage(std::in_place_index<1>, E) {}

  bool ok() const { return Storage.index() == 0; }
  explicit operator bool() const { return ok(); }
  Errno error() const {
    assert(!ok() && "error() of a successful Result");
    return std::get<1>(Storage);
  }
  T &value() & {
    assert(ok() && "value() of a failed Result");
    return std::get<0>(Storage);
  }
  T &&value() && {
    assert(ok() && "value() of a failed Result");
    return std::get<0>(std::move(Storage));
  }
  T *operator->() { return &value(); }
  T &operator*() { return value(); }

private:
  std::variant<T, Errno> Storage;
};

/// Result of an operation that yields nothing but may fail.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Errno E) : Err(E), Failed(true) {}
  bool ok() const { return !Failed; }
  explicit operator bool() const { return ok(); }
  Errno error() const {
    assert(Failed && "error() of a successful Result");
    return Err;
  }
  void value() const {}

private:
  Errno Err{};
  bool Failed = false;
};

} // namespace reprise

/// Evaluates a Result; on failure returns its errno from the enclosing
/// function, otherwise yields the value.
#define REPRISE_TRY(Expr)                                                      \
  ({                                                                           \
    auto _Res = (Expr);                                                        \
    if (!_Res.ok())                                                            \
      return _Res.error();                                                     \
    std::move(_Res).value();                                                   \
  })
