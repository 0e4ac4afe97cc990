//===- kernel/syscalls/Abi.cpp --------------------------------------------===//
#include "kernel/syscalls/Abi.h"

#include "kernel/abi/Structs.h"

#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {
// arm64 numbers of the flags whose values differ from x86-64's.
constexpr uint32_t Arm64Directory = 040000, Arm64NoFollow = 0100000,
                   Arm64Direct = 0200000, Arm64LargeFile = 0400000;
constexpr uint32_t DifferingX86 = LX_O_DIRECT | LX_O_LARGEFILE | LX_O_DIRECTORY | LX_O_NOFOLLOW;
constexpr uint32_t DifferingArm =
    Arm64Directory | Arm64NoFollow | Arm64Direct | Arm64LargeFile;
} // namespace

uint32_t canonicalOpenFlags(Arch A, uint32_t F) {
  if (A == Arch::X86_64)
    return F;
  uint32_t Out = F & ~DifferingArm;
  if (F & Arm64Directory) Out |= LX_O_DIRECTORY;
  if (F & Arm64NoFollow) Out |= LX_O_NOFOLLOW;
  if (F & Arm64Direct) Out |= LX_O_DIRECT;
  if (F & Arm64LargeFile) Out |= LX_O_LARGEFILE;
  return Out;
}

uint32_t archOpenFlags(Arch A, uint32_t F) {
  if (A == Arch::X86_64)
    return F;
  uint32_t Out = F & ~DifferingX86;
  if (F & LX_O_DIRECTORY) Out |= Arm64Directory;
  if (F & LX_O_NOFOLLOW) Out |= Arm64NoFollow;
  if (F & LX_O_DIRECT) Out |= Arm64Direct;
  if (F & LX_O_LARGEFILE) Out |= Arm64LargeFile;
  return Out;
}

std::vector<uint8_t> encodeStat(Arch A, const fs::FileStat &S) {
  std::vector<uint8_t> Out;
  auto put = [&](const auto &V) {
    Out.resize(sizeof V);
    std::memcpy(Out.data(), &V, sizeof V);
  };
  if (A == Arch::X86_64) {
    stat_x86_64 K{};
    K.st_dev = S.Dev; K.st_ino = S.Ino; K.st_nlink = S.Nlink;
    K.st_mode = S.Mode; K.st_uid = S.Uid; K.st_gid = S.Gid;
    K.st_rdev = S.Rdev; K.st_size = S.Size; K.st_blksize = S.Blksize;
    K.st_blocks = S.Blocks;
    K.st_atime_ = uint64_t(S.Atime.Sec); K.st_atime_nsec = uint64_t(S.Atime.Nsec);
    K.st_mtime_ = uint64_t(S.Mtime.Sec); K.st_mtime_nsec = uint64_t(S.Mtime.Nsec);
    K.st_ctime_ = uint64_t(S.Ctime.Sec); K.st_ctime_nsec = uint64_t(S.Ctime.Nsec);
    put(K);
  } else {
    stat_arm64 K{};
    K.st_dev = S.Dev; K.st_ino = S.Ino; K.st_nlink = S.Nlink;
    K.st_mode = S.Mode; K.st_uid = S.Uid; K.st_gid = S.Gid;
    K.st_rdev = S.Rdev; K.st_size = S.Size; K.st_blksize = int32_t(S.Blksize);
    K.st_blocks = S.Blocks;
    K.st_atime_ = S.Atime.Sec; K.st_atime_nsec = uint64_t(S.Atime.Nsec);
    K.st_mtime_ = S.Mtime.Sec; K.st_mtime_nsec = uint64_t(S.Mtime.Nsec);
    K.st_ctime_ = S.Ctime.Sec; K.st_ctime_nsec = uint64_t(S.Ctime.Nsec);
    put(K);
  }
  return Out;
}

} // namespace reprise
