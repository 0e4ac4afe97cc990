//===- kernel/abi/Structs.h - Linux struct layouts per arch -----*- C++ -*-===//
//
// The structures that cross the system-call boundary, with Linux's field
// names and layouts. Where the arches differ (struct stat) each has its own.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace reprise::linux_abi {

struct timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};
static_assert(sizeof(timespec) == 16);

struct timeval {
  int64_t tv_sec;
  int64_t tv_usec;
};
static_assert(sizeof(timeval) == 16);

struct pollfd {
  int32_t fd;
  int16_t events;
  int16_t revents;
};
static_assert(sizeof(pollfd) == 8);

/// struct stat of x86-64 (arch/x86/include/uapi/asm/stat.h).
struct stat_x86_64 {
  uint64_t st_dev, st_ino, st_nlink;
  uint32_t st_mode, st_uid, st_gid, __pad0;
  uint64_t st_rdev;
  int64_t st_size, st_blksize, st_blocks;
  uint64_t st_atime_, st_atime_nsec, st_mtime_, st_mtime_nsec, st_ctime_,
      st_ctime_nsec;
  int64_t __unused[3];
};
static_assert(sizeof(stat_x86_64) == 144);

/// struct stat of arm64 (include/uapi/asm-generic/stat.h).
struct stat_arm64 {
  uint64_t st_dev, st_ino;
  uint32_t st_mode, st_nlink, st_uid, st_gid;
  uint64_t st_rdev, __pad1;
  int64_t st_size;
  int32_t st_blksize, __pad2;
  int64_t st_blocks;
  int64_t st_atime_;
  uint64_t st_atime_nsec;
  int64_t st_mtime_;
  uint64_t st_mtime_nsec;
  int64_t st_ctime_;
  uint64_t st_ctime_nsec;
  uint32_t __unused4, __unused5;
};
static_assert(sizeof(stat_arm64) == 128);

struct statx_timestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t __reserved;
};

struct statx {
  uint32_t stx_mask, stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink, stx_uid, stx_gid;
  uint16_t stx_mode, __spare0;
  uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
  uint64_t stx_mnt_id;
  uint32_t stx_dio_mem_align, stx_dio_offset_align;
  uint64_t __spare3[12];
};
static_assert(sizeof(statx) == 256);
inline constexpr uint32_t STATX_BASIC_STATS = 0x7ff, STATX_MNT_ID = 0x1000;

struct new_utsname {
  char sysname[65], nodename[65], release[65], version[65], machine[65],
      domainname[65];
};
static_assert(sizeof(new_utsname) == 390);

struct sysinfo {
  int64_t uptime;
  uint64_t loads[3];
  uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
  uint16_t procs, pad;
  uint32_t __pad1;
  uint64_t totalhigh, freehigh;
  uint32_t mem_unit;
  uint32_t __pad2;
};
static_assert(sizeof(sysinfo) == 112);

struct rlimit64 {
  uint64_t rlim_cur, rlim_max;
};
static_assert(sizeof(rlimit64) == 16);

struct iovec {
  uint64_t iov_base, iov_len;
};
static_assert(sizeof(iovec) == 16);

/// struct sigaction as rt_sigaction(2) takes it (same on both arches).
struct k_sigaction {
  uint64_t handler, flags, restorer, mask;
};
static_assert(sizeof(k_sigaction) == 32);

/// Header of one getdents64 record; the name follows.
struct linux_dirent64_header {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  uint8_t d_type;
};

/// struct statfs (64-bit words on both arches).
struct statfs {
  int64_t f_type, f_bsize;
  uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen, f_frsize, f_flags;
  int64_t f_spare[4];
};
static_assert(sizeof(statfs) == 120);

/// struct rusage: two timevals, then fourteen longs (both arches).
struct rusage {
  int64_t ru_utime[2], ru_stime[2];
  int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt,
      ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals,
      ru_nvcsw, ru_nivcsw;
};
static_assert(sizeof(rusage) == 144);

/// struct tms (times(2)), in clock ticks.
struct tms {
  int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};
static_assert(sizeof(tms) == 32);

} // namespace reprise::linux_abi
