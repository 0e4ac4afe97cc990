//===- kernel/abi/Errno.cpp - errno names ---------------------------------===//
#include "kernel/abi/Errno.h"

namespace reprise::linux_abi {

std::string_view errnoName(Errno E) {
  switch (E) {
  case Errno::LX_EPERM:
    return "EPERM";
  case Errno::LX_ENOENT:
    return "ENOENT";
  case Errno::LX_ESRCH:
    return "ESRCH";
  case Errno::LX_EINTR:
    return "EINTR";
  case Errno::LX_EIO:
    return "EIO";
  case Errno::LX_ENXIO:
    return "ENXIO";
  case Errno::LX_E2BIG:
    return "E2BIG";
  case Errno::LX_ENOEXEC:
    return "ENOEXEC";
  case Errno::LX_EBADF:
    return "EBADF";
  case Errno::LX_ECHILD:
    return "ECHILD";
  case Errno::LX_EAGAIN:
    return "EAGAIN";
  case Errno::LX_ENOMEM:
    return "ENOMEM";
  case Errno::LX_EACCES:
    return "EACCES";
  case Errno::LX_EFAULT:
    return "EFAULT";
  case Errno::LX_ENOTBLK:
    return "ENOTBLK";
  case Errno::LX_EBUSY:
    return "EBUSY";
  case Errno::LX_EEXIST:
    return "EEXIST";
  case Errno::LX_EXDEV:
    return "EXDEV";
  case Errno::LX_ENODEV:
    return "ENODEV";
  case Errno::LX_ENOTDIR:
    return "ENOTDIR";
  case Errno::LX_EISDIR:
    return "EISDIR";
  case Errno::LX_EINVAL:
    return "EINVAL";
  case Errno::LX_ENFILE:
    return "ENFILE";
  case Errno::LX_EMFILE:
    return "EMFILE";
  case Errno::LX_ENOTTY:
    return "ENOTTY";
  case Errno::LX_ETXTBSY:
    return "ETXTBSY";
  case Errno::LX_EFBIG:
    return "EFBIG";
  case Errno::LX_ENOSPC:
    return "ENOSPC";
  case Errno::LX_ESPIPE:
    return "ESPIPE";
  case Errno::LX_EROFS:
    return "EROFS";
  case Errno::LX_EMLINK:
    return "EMLINK";
  case Errno::LX_EPIPE:
    return "EPIPE";
  case Errno::LX_EDOM:
    return "EDOM";
  case Errno::LX_ERANGE:
    return "ERANGE";
  case Errno::LX_EDEADLK:
    return "EDEADLK";
  case Errno::LX_ENAMETOOLONG:
    return "ENAMETOOLONG";
  case Errno::LX_ENOLCK:
    return "ENOLCK";
  case Errno::LX_ENOSYS:
    return "ENOSYS";
  case Errno::LX_ENOTEMPTY:
    return "ENOTEMPTY";
  case Errno::LX_ELOOP:
    return "ELOOP";
  case Errno::LX_ENOMSG:
    return "ENOMSG";
  case Errno::LX_EIDRM:
    return "EIDRM";
  case Errno::LX_ENOSTR:
    return "ENOSTR";
  case Errno::LX_ENODATA:
    return "ENODATA";
  case Errno::LX_ETIME:
    return "ETIME";
  case Errno::LX_EOVERFLOW:
    return "EOVERFLOW";
  case Errno::LX_EBADFD:
    return "EBADFD";
  case Errno::LX_ELIBBAD:
    return "ELIBBAD";
  case Errno::LX_EILSEQ:
    return "EILSEQ";
  case Errno::LX_ENOTSOCK:
    return "ENOTSOCK";
  case Errno::LX_EDESTADDRREQ:
    return "EDESTADDRREQ";
  case Errno::LX_EMSGSIZE:
    return "EMSGSIZE";
  case Errno::LX_EPROTOTYPE:
    return "EPROTOTYPE";
  case Errno::LX_ENOPROTOOPT:
    return "ENOPROTOOPT";
  case Errno::LX_EPROTONOSUPPORT:
    return "EPROTONOSUPPORT";
  case Errno::LX_ETOOMANYREFS:
    return "ETOOMANYREFS";
  case Errno::LX_ESOCKTNOSUPPORT:
    return "ESOCKTNOSUPPORT";
  case Errno::LX_EOPNOTSUPP:
    return "EOPNOTSUPP";
  case Errno::LX_EAFNOSUPPORT:
    return "EAFNOSUPPORT";
  case Errno::LX_EADDRINUSE:
    return "EADDRINUSE";
  case Errno::LX_EADDRNOTAVAIL:
    return "EADDRNOTAVAIL";
  case Errno::LX_ENETDOWN:
    return "ENETDOWN";
  case Errno::LX_ENETUNREACH:
    return "ENETUNREACH";
  case Errno::LX_ECONNABORTED:
    return "ECONNABORTED";
  case Errno::LX_ECONNRESET:
    return "ECONNRESET";
  case Errno::LX_ENOBUFS:
    return "ENOBUFS";
  case Errno::LX_EISCONN:
    return "EISCONN";
  case Errno::LX_ENOTCONN:
    return "ENOTCONN";
  case Errno::LX_ETIMEDOUT:
    return "ETIMEDOUT";
  case Errno::LX_ECONNREFUSED:
    return "ECONNREFUSED";
  case Errno::LX_EALREADY:
    return "EALREADY";
  case Errno::LX_EINPROGRESS:
    return "EINPROGRESS";
  case Errno::LX_ESTALE:
    return "ESTALE";
  case Errno::LX_EDQUOT:
    return "EDQUOT";
  case Errno::LX_ECANCELED:
    return "ECANCELED";
  case Errno::LX_ERESTARTSYS:
    return "ERESTARTSYS";
  case Errno::LX_ERESTARTNOINTR:
    return "ERESTARTNOINTR";
  case Errno::LX_ERESTARTNOHAND:
    return "ERESTARTNOHAND";
  case Errno::LX_ERESTART_RESTARTBLOCK:
    return "ERESTART_RESTARTBLOCK";
  case Errno::REPRISE_BLOCKED:
    return "BLOCKED";
  }
  return "E?";
}

} // namespace reprise::linux_abi

#include "kernel/abi/Constants.h"

namespace reprise::linux_abi {

const char *signalName(int32_t Sig) {
  static const char *const Names[] = {
      "SIG0",    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",
      "SIGABRT", "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV",
      "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD",
      "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",
      "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",
      "SIGPWR",  "SIGSYS"};
  if (Sig >= 0 && Sig < 32)
    return Names[Sig];
  if (Sig >= LX_SIGRTMIN && Sig <= LX_NSIG)
    return "SIGRT";
  return "SIG?";
}

} // namespace reprise::linux_abi
