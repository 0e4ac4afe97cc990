//===- kernel/Namespaces.h - The namespaces a task is in -------*- C++ -*-===//
//
// Linux gives every task one namespace of each kind; clone and unshare with
// CLONE_NEW* make new ones, setns enters others. reprise has the root ones
// only (CLONE_NEW* is refused until namespaces are implemented), but every
// task already carries the set it is in, so that /proc/PID/ns and the clone
// events of a trace name them, and so that new namespaces need no change of
// either.
//
// A namespace is known by its id: the inode number of its /proc/PID/ns link
// target ("pid:[4026531836]"), which is what ls -l and lsns show and what
// programs compare to tell namespaces apart. The root namespaces of the
// kinds Linux creates statically have Linux's fixed numbers; the others get
// theirs from a counter that starts where Linux's dynamic proc inode numbers
// start, so ids are the same on every run.
//
//===----------------------------------------------------------------------===//
#ifndef REPRISE_KERNEL_NAMESPACES_H
#define REPRISE_KERNEL_NAMESPACES_H

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace reprise {

/// The kinds, in the order /proc/PID/ns lists them and traces record them.
enum class NsKind : uint8_t { Cgroup, Ipc, Mnt, Net, Pid, Time, User, Uts };
constexpr size_t NsKinds = 8;

/// The name of \p K in /proc/PID/ns and in its links ("pid").
const char *nsKindName(NsKind K);

/// Linux's ids of its statically created root namespaces (PROC_*_INIT_INO).
constexpr uint64_t RootIpcNsId = 0xEFFFFFFF;
constexpr uint64_t RootUtsNsId = 0xEFFFFFFE;
constexpr uint64_t RootUserNsId = 0xEFFFFFFD;
constexpr uint64_t RootPidNsId = 0xEFFFFFFC;
constexpr uint64_t RootCgroupNsId = 0xEFFFFFFB;
constexpr uint64_t RootTimeNsId = 0xEFFFFFFA;
/// The first id the counter hands out (Linux's PROC_DYNAMIC_FIRST).
constexpr uint64_t FirstDynamicNsId = 0xF0000000;

/// The namespaces of one task. Shared (tasks in the same namespaces point
/// at the same set) and never changed in place: a task that moves gets a
/// new set.
struct NamespaceSet {
  std::array<uint64_t, NsKinds> Ids{};
  /// For pid and time, the namespaces the task's children will be in
  /// (pid_for_children, time_for_children): its own until unshare says
  /// otherwise.
  uint64_t PidForChildren = 0;
  uint64_t TimeForChildren = 0;

  uint64_t id(NsKind K) const { return Ids[size_t(K)]; }
  /// The set of a run's first task: the root namespaces, mnt and net taking
  /// the next ids from \p NextId.
  static std::shared_ptr<const NamespaceSet> root(uint64_t &NextId);
};

/// The target of a /proc/PID/ns link: "pid:[4026531836]".
std::string nsLinkTarget(const char *Kind, uint64_t Id);

} // namespace reprise

#endif
