//===- kernel/syscalls/Ids.cpp - User and group ids -----------------------===//
//
// setuid(2) and its family, on the ids of the calling thread (Linux's
// credentials are per thread; glibc makes a process-wide change by asking
// every thread in turn). Privilege is an effective uid of 0. Each change
// follows the kernel's rules in kernel/sys.c: an unprivileged caller may
// only move among the ids it already has, and the file system id follows
// the effective one.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include <algorithm>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr uint32_t Unchanged = ~0u; // -1: leave this id as it is
constexpr uint32_t NGroupsMax = 65536;

/// The uid or gid half of a thread's ids, so that one body serves both.
struct IdSet {
  uint32_t &R, &E, &S, &Fs;
};

IdSet uids(TaskIds &I) { return {I.Ruid, I.Euid, I.Suid, I.Fsuid}; }
IdSet gids(TaskIds &I) { return {I.Rgid, I.Egid, I.Sgid, I.Fsgid}; }

bool privileged(const Task &T) { return T.Ids.Euid == 0; }

/// setuid/setgid: everything for a privileged caller, else the effective
/// (and file system) id, to the real or saved one.
SysResult setOne(Task &T, IdSet (*Pick)(TaskIds &), uint32_t Id) {
  if (Id == Unchanged)
    return Errno::LX_EINVAL;
  TaskIds New = T.Ids;
  IdSet N = Pick(New);
  if (privileged(T)) {
    N.R = N.E = N.S = N.Fs = Id;
  } else if (Id == N.R || Id == N.S) {
    N.E = N.Fs = Id;
  } else {
    return Errno::LX_EPERM;
  }
  T.setIds(std::move(New));
  return 0;
}

/// setreuid/setregid: the real id may become the effective one; the
/// effective id the real, effective or saved one. The saved id becomes the
/// new effective one when the real id is set or the effective one moves
/// away from the old real id.
SysResult setReal(Task &T, IdSet (*Pick)(TaskIds &), uint32_t R, uint32_t E) {
  TaskIds New = T.Ids;
  IdSet N = Pick(New);
  uint32_t OldR = N.R, OldE = N.E, OldS = N.S;
  bool Priv = privileged(T);
  if (R != Unchanged) {
    if (!Priv && R != OldR && R != OldE)
      return Errno::LX_EPERM;
    N.R = R;
  }
  if (E != Unchanged) {
    if (!Priv && E != OldR && E != OldE && E != OldS)
      return Errno::LX_EPERM;
    N.E = E;
  }
  if (R != Unchanged || (E != Unchanged && E != OldR))
    N.S = N.E;
  N.Fs = N.E;
  T.setIds(std::move(New));
  return 0;
}

/// setresuid/setresgid: each id that changes must be one of the three the
/// caller has, unless it is privileged.
SysResult setAll(Task &T, IdSet (*Pick)(TaskIds &), uint32_t R, uint32_t E,
                 uint32_t S) {
  TaskIds New = T.Ids;
  IdSet N = Pick(New);
  auto Allowed = [&](uint32_t Id) {
    return Id == Unchanged || privileged(T) || Id == N.R || Id == N.E || Id == N.S;
  };
  if (!Allowed(R) || !Allowed(E) || !Allowed(S))
    return Errno::LX_EPERM;
  if (R != Unchanged)
    N.R = R;
  if (E != Unchanged)
    N.E = E;
  if (S != Unchanged)
    N.S = S;
  N.Fs = N.E;
  T.setIds(std::move(New));
  return 0;
}

SysResult getAll(Task &T, IdSet (*Pick)(TaskIds &), const SyscallArgs &A) {
  TaskIds Copy = T.Ids;
  IdSet N = Pick(Copy);
  REPRISE_TRY(T.copyOutObj(A.arg(0), N.R));
  REPRISE_TRY(T.copyOutObj(A.arg(1), N.E));
  REPRISE_TRY(T.copyOutObj(A.arg(2), N.S));
  return 0;
}

/// setfsuid/setfsgid: always returns the old id; changes it when the
/// caller is privileged or the new id is one it has.
SysResult setFs(Task &T, IdSet (*Pick)(TaskIds &), uint32_t Id) {
  TaskIds New = T.Ids;
  IdSet N = Pick(New);
  uint32_t Old = N.Fs;
  if (privileged(T) || Id == N.R || Id == N.E || Id == N.S || Id == N.Fs) {
    N.Fs = Id;
    T.setIds(std::move(New));
  }
  return Old;
}

} // namespace

// Implements setuid(2).
SysResult sysSetuid(Task &T, const SyscallArgs &A) { return setOne(T, uids, A.u32(0)); }
// Implements setgid(2).
SysResult sysSetgid(Task &T, const SyscallArgs &A) { return setOne(T, gids, A.u32(0)); }
// Implements setreuid(2).
SysResult sysSetreuid(Task &T, const SyscallArgs &A) {
  return setReal(T, uids, A.u32(0), A.u32(1));
}
// Implements setregid(2).
SysResult sysSetregid(Task &T, const SyscallArgs &A) {
  return setReal(T, gids, A.u32(0), A.u32(1));
}
// Implements setresuid(2).
SysResult sysSetresuid(Task &T, const SyscallArgs &A) {
  return setAll(T, uids, A.u32(0), A.u32(1), A.u32(2));
}
// Implements setresgid(2).
SysResult sysSetresgid(Task &T, const SyscallArgs &A) {
  return setAll(T, gids, A.u32(0), A.u32(1), A.u32(2));
}
// Implements getresuid(2).
SysResult sysGetresuid(Task &T, const SyscallArgs &A) { return getAll(T, uids, A); }
// Implements getresgid(2).
SysResult sysGetresgid(Task &T, const SyscallArgs &A) { return getAll(T, gids, A); }
// Implements setfsuid(2).
SysResult sysSetfsuid(Task &T, const SyscallArgs &A) { return setFs(T, uids, A.u32(0)); }
// Implements setfsgid(2).
SysResult sysSetfsgid(Task &T, const SyscallArgs &A) { return setFs(T, gids, A.u32(0)); }

// Implements getgroups(2): a size of 0 asks for the count only.
SysResult sysGetgroups(Task &T, const SyscallArgs &A) {
  int32_t Size = A.i32(0);
  const auto &G = T.Ids.Groups;
  if (Size < 0)
    return Errno::LX_EINVAL;
  if (Size == 0)
    return int64_t(G.size());
  if (uint64_t(Size) < G.size())
    return Errno::LX_EINVAL;
  REPRISE_TRY(T.copyOut(A.arg(1), {reinterpret_cast<const uint8_t *>(G.data()),
                                   G.size() * sizeof(uint32_t)}));
  return int64_t(G.size());
}

// Implements setgroups(2): privileged only; kept sorted as Linux keeps them.
SysResult sysSetgroups(Task &T, const SyscallArgs &A) {
  int32_t Size = A.i32(0);
  if (Size < 0 || uint32_t(Size) > NGroupsMax)
    return Errno::LX_EINVAL;
  if (!privileged(T))
    return Errno::LX_EPERM;
  std::vector<uint32_t> G(static_cast<size_t>(Size));
  REPRISE_TRY(T.copyIn(A.arg(1), {reinterpret_cast<uint8_t *>(G.data()),
                                  G.size() * sizeof(uint32_t)}));
  std::sort(G.begin(), G.end());
  TaskIds New = T.Ids;
  New.Groups = std::move(G);
  T.setIds(std::move(New));
  return 0;
}

// Implements capget(2): the sets follow the effective uid (all of them for
// 0, none otherwise), for the caller or any thread it names.
SysResult sysCapget(Task &T, const SyscallArgs &A) {
  constexpr uint32_t V1 = 0x19980330, V2 = 0x20071026, V3 = 0x20080522;
  uint32_t Version = REPRISE_TRY(T.copyInObj<uint32_t>(A.arg(0)));
  int32_t Pid = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(0) + 4));
  if (Version != V1 && Version != V2 && Version != V3) {
    // An unknown version is answered with the preferred one.
    REPRISE_TRY(T.copyOutObj(A.arg(0), V3));
    return A.arg(1) ? Errno::LX_EINVAL : SysResult(0);
  }
  if (Pid < 0)
    return Errno::LX_EINVAL;
  Task *Of = Pid == 0 ? &T : T.kernel().taskIn(T.pidNs(), Pid);
  if (!Of)
    return Errno::LX_ESRCH;
  if (!A.arg(1))
    return 0;
  // 41 capabilities in Linux 6.x: CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40).
  uint64_t All = Of->Ids.Euid == 0 ? (1ull << 41) - 1 : 0;
  unsigned Words = Version == V1 ? 1 : 2;
  for (unsigned W = 0; W < Words; ++W) {
    uint32_t Set = uint32_t(All >> (32 * W));
    uint32_t Data[3] = {Set, Set, 0}; // effective, permitted, inheritable
    REPRISE_TRY(T.copyOutObj(A.arg(1) + 12 * W, Data));
  }
  return 0;
}

} // namespace reprise
