//===- fs/HostCall.cpp ----------------------------------------------------===//
#include "fs/HostCall.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

namespace reprise::fs {

using namespace linux_abi;

namespace {

constexpr uint32_t FlagValid = 1, FlagOwnerIsUs = 2, FlagGroupIsUs = 4;

int64_t encodeStat(const struct stat &St, const HostIds &Ids, uint8_t *Out,
                   StatPart Part) {
  HostStat S;
  S.Valid = true;
  S.OwnerIsUs = St.st_uid == Ids.Uid;
  S.GroupIsUs = St.st_gid == Ids.Gid;
  S.Ino = Ids.GuestIno(uint64_t(St.st_dev), uint64_t(St.st_ino));
  S.Mode = guestType(St.st_mode) | (uint32_t(St.st_mode) & 07777);
  if (Part == StatPart::Identity) {
    S.encode(Out);
    return 0;
  }
  S.Nlink = uint64_t(St.st_nlink);
  S.Size = int64_t(St.st_size);
  if (auto W = Ids.WrittenAt(S.Ino))
    S.Mtime = *W;
  else
    S.Mtime = {int64_t(St.st_mtim.tv_sec), int64_t(St.st_mtim.tv_nsec)};
  S.encode(Out);
  return 0;
}

} // namespace

int64_t hostFailure(int HostErr) {
  return -errnoValue(fromHostErrno(HostErr));
}

int64_t hostFailure() { return hostFailure(errno); }

uint32_t guestType(unsigned M) {
  switch (M & S_IFMT) {
  case S_IFDIR: return LX_S_IFDIR;
  case S_IFREG: return LX_S_IFREG;
  case S_IFLNK: return LX_S_IFLNK;
  case S_IFCHR: return LX_S_IFCHR;
  case S_IFBLK: return LX_S_IFBLK;
  case S_IFIFO: return LX_S_IFIFO;
  default: return LX_S_IFSOCK;
  }
}

void HostStat::encode(uint8_t *Out) const {
  std::memset(Out, 0, Bytes);
  if (!Valid)
    return;
  put64(Out + 8, Ino);
  put32(Out + 16, Mode);
  put32(Out + 20, FlagValid | (OwnerIsUs ? FlagOwnerIsUs : 0) |
                      (GroupIsUs ? FlagGroupIsUs : 0));
  put64(Out + 24, Nlink);
  put64(Out + 32, uint64_t(Size));
  put64(Out + 40, uint64_t(Mtime.Sec));
  put64(Out + 48, uint64_t(Mtime.Nsec));
}

HostStat HostStat::decode(const uint8_t *In) {
  HostStat S;
  uint32_t Flags = get32(In + 20);
  if (!(Flags & FlagValid))
    return S;
  S.Valid = true;
  S.OwnerIsUs = Flags & FlagOwnerIsUs;
  S.GroupIsUs = Flags & FlagGroupIsUs;
  S.Ino = get64(In + 8);
  S.Mode = get32(In + 16);
  S.Nlink = get64(In + 24);
  S.Size = int64_t(get64(In + 32));
  S.Mtime = {int64_t(get64(In + 40)), int64_t(get64(In + 48))};
  return S;
}

int64_t hostStatFd(int Fd, const HostIds &Ids, uint8_t *Out, StatPart Part) {
  std::memset(Out, 0, HostStat::Bytes);
  struct stat St;
  if (::fstat(Fd, &St) != 0)
    return hostFailure();
  return encodeStat(St, Ids, Out, Part);
}

int64_t hostStatAt(int DirFd, const char *Name, const HostIds &Ids,
                   uint8_t *Out, StatPart Part) {
  std::memset(Out, 0, HostStat::Bytes);
  struct stat St;
  if (::fstatat(DirFd, Name, &St, AT_SYMLINK_NOFOLLOW) != 0)
    return hostFailure();
  return encodeStat(St, Ids, Out, Part);
}

} // namespace reprise::fs
