//===- tests/unit/SyscallTableTest.cpp - The syscall table is consistent --===//
//
// The table in kernel/syscalls/Syscalls.def is the one source of both
// dispatch tables and of the names in traces, so its numbers must be unique
// per arch, match Linux's, and every entry must have a handler.
//
//===----------------------------------------------------------------------===//
#include "kernel/Syscall.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace reprise;

namespace {

const SyscallInfo *byName(std::string_view Name) {
  for (const auto &E : syscallTable())
    if (E.Name == Name)
      return &E;
  return nullptr;
}

int numberOn(Arch A, const SyscallInfo &E) {
  return A == Arch::X86_64 ? E.X86_64 : E.Arm64;
}

/// Checks that every number of \p A is used once and dispatches to its own
/// entry; each number used twice is one failed assertion naming the users.
void checkNumbersUniqueAndDispatched(Arch A) {
  std::map<int, std::vector<std::string_view>> Users;
  for (const auto &E : syscallTable())
    if (int Nr = numberOn(A, E); Nr >= 0)
      Users[Nr].push_back(E.Name);
  BOOST_TEST(Users.size() > 250u);
  for (const auto &[Nr, Names] : Users) {
    std::string List;
    for (auto N : Names)
      List += " " + std::string(N);
    BOOST_TEST(Names.size() == 1u,
               archName(A) << " number " << Nr << " is used by" << List);
  }
  for (const auto &E : syscallTable()) {
    int Nr = numberOn(A, E);
    if (Nr < 0 || Users[Nr].size() != 1)
      continue;
    BOOST_TEST(lookupSyscall(A, uint64_t(Nr)) == &E,
               archName(A) << " number " << Nr << " does not dispatch to "
                           << E.Name);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(syscall_table)

BOOST_AUTO_TEST_CASE(every_entry_is_named_and_has_a_handler) {
  std::set<std::string_view> Names;
  BOOST_TEST(syscallTable().size() > 300u);
  for (const auto &E : syscallTable()) {
    BOOST_TEST_CONTEXT("entry " << E.Name) {
      BOOST_TEST(!E.Name.empty());
      BOOST_TEST(E.Name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
                 std::string_view::npos);
      BOOST_TEST(Names.insert(E.Name).second, "duplicate name " << E.Name);
      BOOST_TEST(E.Handler != nullptr);
      BOOST_TEST((E.X86_64 >= 0 || E.Arm64 >= 0), "no number on either arch");
      BOOST_TEST(E.X86_64 >= -1);
      BOOST_TEST(E.Arm64 >= -1);
      BOOST_TEST(E.X86_64 < 1024);
      BOOST_TEST(E.Arm64 < 1024);
      // Entries without an implementation say so in their support level.
      if (E.Handler == &sysNotImplemented)
        BOOST_TEST((E.Level == Support::None));
      // A partial implementation says what is missing.
      if (E.Level == Support::Partial)
        BOOST_TEST(!E.Note.empty());
      // --strace formats use the letters Syscalls.def documents.
      BOOST_TEST(E.Args.find_first_not_of("duxopfasbBOPMS") ==
                 std::string_view::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(x86_64_numbers_are_unique) {
  checkNumbersUniqueAndDispatched(Arch::X86_64);
}

// arm64 84 is sync_file_range; sync_file_range2 (32-bit arm and powerpc)
// must not claim it too, or the later entry would win in the dispatch table.
BOOST_AUTO_TEST_CASE(arm64_numbers_are_unique) {
  checkNumbersUniqueAndDispatched(Arch::Arm64);
}

BOOST_AUTO_TEST_CASE(legacy_calls_exist_only_on_x86_64) {
  // arm64 uses the generic table, which has only the *at and clone forms.
  for (const char *Name :
       {"open", "stat", "lstat", "access", "pipe", "dup2", "fork", "vfork",
        "poll", "select", "alarm", "pause", "rename", "mkdir", "rmdir",
        "unlink", "readlink", "chmod", "getpgrp", "epoll_create", "time"}) {
    BOOST_TEST_CONTEXT("call " << Name) {
      const SyscallInfo *E = byName(Name);
      BOOST_TEST_REQUIRE(E != nullptr);
      BOOST_TEST(E->X86_64 >= 0);
      BOOST_TEST(E->Arm64 == -1);
    }
  }
  // Their replacements exist on both.
  for (const char *Name : {"openat", "newfstatat", "faccessat", "pipe2",
                           "dup3", "clone", "ppoll", "pselect6", "renameat",
                           "mkdirat", "unlinkat", "readlinkat", "fchmodat"}) {
    BOOST_TEST_CONTEXT("call " << Name) {
      const SyscallInfo *E = byName(Name);
      BOOST_TEST_REQUIRE(E != nullptr);
      BOOST_TEST(E->X86_64 >= 0);
      BOOST_TEST(E->Arm64 >= 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(lookup_of_known_numbers) {
  auto nameOf = [](Arch A, uint64_t Nr) -> std::string {
    const SyscallInfo *E = lookupSyscall(A, Nr);
    return E ? std::string(E->Name) : "(none)";
  };
  BOOST_TEST(nameOf(Arch::X86_64, 1) == "write");
  BOOST_TEST(nameOf(Arch::Arm64, 64) == "write");
  BOOST_TEST(nameOf(Arch::Arm64, 56) == "openat");
  BOOST_TEST(nameOf(Arch::X86_64, 257) == "openat");
  BOOST_TEST(nameOf(Arch::X86_64, 0) == "read");
  BOOST_TEST(nameOf(Arch::Arm64, 63) == "read");
  BOOST_TEST(nameOf(Arch::X86_64, 56) == "clone");
  BOOST_TEST(nameOf(Arch::Arm64, 220) == "clone");
  BOOST_TEST(nameOf(Arch::X86_64, 60) == "exit");
  BOOST_TEST(nameOf(Arch::Arm64, 93) == "exit");
  BOOST_TEST(nameOf(Arch::X86_64, 231) == "exit_group");
  BOOST_TEST(nameOf(Arch::Arm64, 94) == "exit_group");
  BOOST_TEST(nameOf(Arch::X86_64, 9) == "mmap");
  BOOST_TEST(nameOf(Arch::Arm64, 222) == "mmap");
  BOOST_TEST(nameOf(Arch::X86_64, 59) == "execve");
  BOOST_TEST(nameOf(Arch::Arm64, 221) == "execve");
  BOOST_TEST(nameOf(Arch::X86_64, 435) == "clone3");
  BOOST_TEST(nameOf(Arch::Arm64, 435) == "clone3");
}

BOOST_AUTO_TEST_CASE(numbers_outside_the_table_have_no_entry) {
  for (Arch A : {Arch::X86_64, Arch::Arm64}) {
    BOOST_TEST_CONTEXT("arch " << archName(A)) {
      BOOST_TEST(lookupSyscall(A, 1000) == nullptr);
      BOOST_TEST(lookupSyscall(A, 100000) == nullptr);
      BOOST_TEST(lookupSyscall(A, uint64_t(-1)) == nullptr);
      BOOST_TEST(lookupSyscall(A, uint64_t(1) << 32) == nullptr);
      BOOST_TEST(lookupSyscall(A, (uint64_t(1) << 32) + 1) == nullptr);
    }
  }
  // x86-64 numbers the x32 ABI uses (bit 30) are not x86-64 calls.
  BOOST_TEST(lookupSyscall(Arch::X86_64, 0x40000000 | 1) == nullptr);
  // Holes inside each table: x86-64 has nothing between 335 and 423, arm64
  // nothing in the arch-specific range 244..259.
  BOOST_TEST(lookupSyscall(Arch::X86_64, 340) == nullptr);
  BOOST_TEST(lookupSyscall(Arch::Arm64, 250) == nullptr);
}

// Reference numbers from Linux's arch/x86/entry/syscalls/syscall_64.tbl and
// include/uapi/asm-generic/unistd.h (what arm64 uses). name_to_handle_at and
// open_by_handle_at exist on arm64 (264, 265); the *_time64 calls (403..423)
// exist only on 32-bit ABIs and must have no arm64 number.
BOOST_AUTO_TEST_CASE(numbers_match_linux) {
  struct Ref {
    const char *Name;
    int X86_64, Arm64;
  };
  const Ref Refs[] = {
      {"read", 0, 63},           {"write", 1, 64},
      {"close", 3, 57},          {"fstat", 5, 80},
      {"lseek", 8, 62},          {"mmap", 9, 222},
      {"mprotect", 10, 226},     {"munmap", 11, 215},
      {"brk", 12, 214},          {"rt_sigaction", 13, 134},
      {"rt_sigprocmask", 14, 135}, {"rt_sigreturn", 15, 139},
      {"ioctl", 16, 29},         {"pread64", 17, 67},
      {"writev", 20, 66},        {"mremap", 25, 216},
      {"madvise", 28, 233},      {"dup", 32, 23},
      {"nanosleep", 35, 101},    {"getpid", 39, 172},
      {"clone", 56, 220},        {"execve", 59, 221},
      {"exit", 60, 93},          {"wait4", 61, 260},
      {"kill", 62, 129},         {"uname", 63, 160},
      {"fcntl", 72, 25},         {"getcwd", 79, 17},
      {"chdir", 80, 49},         {"getuid", 102, 174},
      {"gettid", 186, 178},      {"futex", 202, 98},
      {"set_tid_address", 218, 96}, {"clock_gettime", 228, 113},
      {"exit_group", 231, 94},   {"tgkill", 234, 131},
      {"openat", 257, 56},       {"newfstatat", 262, 79},
      {"set_robust_list", 273, 99}, {"sync_file_range", 277, 84},
      {"utimensat", 280, 88},    {"pipe2", 293, 59},
      {"prlimit64", 302, 261},   {"name_to_handle_at", 303, 264},
      {"open_by_handle_at", 304, 265}, {"getrandom", 318, 278},
      {"statx", 332, 291},       {"rseq", 334, 293},
      {"clone3", 435, 435},      {"faccessat2", 439, 439},
  };
  for (const Ref &R : Refs) {
    BOOST_TEST_CONTEXT("call " << R.Name) {
      const SyscallInfo *E = byName(R.Name);
      BOOST_TEST_REQUIRE(E != nullptr);
      BOOST_TEST(E->X86_64 == R.X86_64);
      BOOST_TEST(E->Arm64 == R.Arm64);
    }
  }
  size_t Time64OnArm64 = 0;
  for (uint64_t Nr = 403; Nr <= 423; ++Nr)
    if (lookupSyscall(Arch::Arm64, Nr))
      ++Time64OnArm64;
  BOOST_TEST(Time64OnArm64 == 0u, "32-bit-only *_time64 calls have arm64 numbers");
}

BOOST_AUTO_TEST_SUITE_END()
