//===- kernel/syscalls/Socket.cpp - Sockets ------------------------------===//
//
// reprise has no socket family yet. socket(2) still checks its arguments as
// Linux does and then fails with EAFNOSUPPORT, the answer of a kernel built
// without the family, which every C library treats as "no such service":
// glibc's lookups through nscd (getpwuid in `ls -l`, for one) then fall back
// to /etc/passwd exactly as on a host where nscd is not running.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

namespace reprise {

using namespace linux_abi;

// Implements socket(2) for a kernel with no address family: EINVAL for bad
// flags or type, as __sys_socket checks them first, else EAFNOSUPPORT.
SysResult sysSocket(Task &, const SyscallArgs &A) {
  uint32_t Type = A.u32(1);
  // SOCK_CLOEXEC and SOCK_NONBLOCK have O_CLOEXEC's and O_NONBLOCK's
  // values, the same on both arches.
  if (Type & ~(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_SOCK_TYPE_MASK))
    return Errno::LX_EINVAL;
  if ((Type & LX_SOCK_TYPE_MASK) > 10) // SOCK_MAX is 11
    return Errno::LX_EINVAL;
  return Errno::LX_EAFNOSUPPORT;
}

// Implements the calls on a socket descriptor: connect(2), bind(2),
// listen(2), accept(2), accept4(2), getsockname(2), getpeername(2),
// sendto(2), recvfrom(2), sendmsg(2), recvmsg(2), sendmmsg(2), recvmmsg(2),
// shutdown(2), setsockopt(2), getsockopt(2). With no socket family no
// descriptor is a socket: EBADF for a closed one, else ENOTSOCK, as Linux's
// sockfd_lookup answers. (bash, for one, asks getpeername of its stdin to
// know whether sshd started it.)
SysResult sysSocketCall(Task &T, const SyscallArgs &A) {
  REPRISE_TRY(T.fds().get(A.fd(0)));
  return Errno::LX_ENOTSOCK;
}

} // namespace reprise
