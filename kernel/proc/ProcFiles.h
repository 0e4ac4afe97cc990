//===- kernel/proc/ProcFiles.h - The text of /proc's files ------*- C++ -*-===//
//
// What each /proc file reads as, made from the kernel's state when it is
// opened. Everything here is a function of guest-visible state and the run's
// options: virtual time, the seed, the guest's own ids and addresses. No host
// value (time, pid, memory, CPU) reaches these texts. Numbers of processes
// and threads are the root PID namespace's, the one /proc is mounted for.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <optional>
#include <string>

namespace reprise {

class Kernel;
class Task;

namespace proc {

// Per task (kernel/proc/ProcTask.cpp). \p Whole: the /proc/PID view, whose
// figures (CPU time, state) are the process's; else the thread's own, as in
// /proc/PID/task/TID.

/// /proc/PID/stat: Linux's 52 fields, in its order.
std::string statText(Kernel &K, Task &T, bool Whole);
/// /proc/PID/status.
std::string statusText(Kernel &K, Task &T, bool Whole);
/// /proc/PID/statm.
std::string statmText(Task &T);
/// /proc/PID/maps, in the exact format of Linux's show_map_vma.
std::string mapsText(Task &T);
/// /proc/PID/environ: the environment strings as they are in memory.
std::string environText(Task &T);
/// /proc/PID/auxv: the auxiliary vector exec wrote.
std::string auxvText(Task &T);
/// /proc/PID/fdinfo/FD, or nothing when \p Fd is not open.
std::optional<std::string> fdinfoText(Kernel &K, Task &T, int Fd);
/// /proc/mounts and /proc/PID/mountinfo.
std::string mountsText(Kernel &K);
std::string mountinfoText(Kernel &K);

// System-wide (kernel/proc/ProcSystem.cpp).
std::string meminfoText(Kernel &K);
std::string uptimeText(Kernel &K);
std::string loadavgText(Kernel &K);
std::string filesystemsText();
std::string systemStatText(Kernel &K);
std::string versionText();
/// /proc/sys/kernel/random/boot_id: drawn from the seed, the same for a
/// whole run.
std::string bootId(Kernel &K);
/// /proc/sys/kernel/random/uuid: a new one at each read, from the seeded
/// generator.
std::string randomUuid(Kernel &K);

} // namespace proc
} // namespace reprise
