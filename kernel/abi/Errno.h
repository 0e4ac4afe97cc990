//===- kernel/abi/Errno.h - Linux errno values ------------------*- C++ -*-===//
//
// Linux's errno numbers (the same on x86-64 and arm64). The host's errno is
// never the guest's: host failures are translated through fromHostErrno() in
// fs/, which names host constants rather than assuming Linux's numbering.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string_view>

namespace reprise::linux_abi {

enum class Errno : int32_t {
  LX_EPERM = 1, LX_ENOENT = 2, LX_ESRCH = 3, LX_EINTR = 4, LX_EIO = 5, LX_ENXIO = 6, LX_E2BIG = 7,
  LX_ENOEXEC = 8, LX_EBADF = 9, LX_ECHILD = 10, LX_EAGAIN = 11, LX_ENOMEM = 12, LX_EACCES = 13,
  LX_EFAULT = 14, LX_ENOTBLK = 15, LX_EBUSY = 16, LX_EEXIST = 17, LX_EXDEV = 18, LX_ENODEV = 19,
  LX_ENOTDIR = 20, LX_EISDIR = 21, LX_EINVAL = 22, LX_ENFILE = 23, LX_EMFILE = 24,
  LX_ENOTTY = 25, LX_ETXTBSY = 26, LX_EFBIG = 27, LX_ENOSPC = 28, LX_ESPIPE = 29, LX_EROFS = 30,
  LX_EMLINK = 31, LX_EPIPE = 32, LX_EDOM = 33, LX_ERANGE = 34, LX_EDEADLK = 35,
  LX_ENAMETOOLONG = 36, LX_ENOLCK = 37, LX_ENOSYS = 38, LX_ENOTEMPTY = 39, LX_ELOOP = 40,
  LX_ENOMSG = 42, LX_EIDRM = 43, LX_ENOSTR = 60, LX_ENODATA = 61, LX_ETIME = 62, LX_EOVERFLOW = 75,
  LX_EBADFD = 77, LX_ELIBBAD = 80, LX_EILSEQ = 84, LX_ENOTSOCK = 88, LX_EDESTADDRREQ = 89, LX_EMSGSIZE = 90,
  LX_EPROTOTYPE = 91, LX_ENOPROTOOPT = 92, LX_EPROTONOSUPPORT = 93, LX_ESOCKTNOSUPPORT = 94,
  LX_EOPNOTSUPP = 95,
  LX_EAFNOSUPPORT = 97, LX_EADDRINUSE = 98, LX_EADDRNOTAVAIL = 99, LX_ENETDOWN = 100,
  LX_ENETUNREACH = 101, LX_ECONNABORTED = 103, LX_ECONNRESET = 104, LX_ENOBUFS = 105,
  LX_ETOOMANYREFS = 109,
  LX_EISCONN = 106, LX_ENOTCONN = 107, LX_ETIMEDOUT = 110, LX_ECONNREFUSED = 111,
  LX_EALREADY = 114, LX_EINPROGRESS = 115, LX_ESTALE = 116, LX_EDQUOT = 122,
  LX_ECANCELED = 125,
  // Kernel-internal restart codes; never seen by the guest.
  LX_ERESTARTSYS = 512, LX_ERESTARTNOINTR = 513, LX_ERESTARTNOHAND = 514,
  LX_ERESTART_RESTARTBLOCK = 516,
  /// reprise's own: the handler parked its task (Kernel::block); the call
  /// completes when the task is woken. Never seen by the guest.
  REPRISE_BLOCKED = 4096,
};

inline constexpr int64_t errnoValue(Errno E) { return static_cast<int64_t>(E); }

/// The symbolic name, for --strace ("ENOENT"); "E?" for numbers it lacks.
std::string_view errnoName(Errno E);

} // namespace reprise::linux_abi
