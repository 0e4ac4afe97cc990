//===- tests/unit/AddressSpaceTest.cpp - VMA bookkeeping ------------------===//
//
// mmap, munmap, mprotect and brk on an AddressSpace with no task running in
// it: how VMAs split and merge, the errors Linux gives, commit accounting,
// and kernel copies to and from guest memory.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "kernel/abi/Constants.h"
#include "kernel/mm/AddressSpace.h"
#include "kernel/mm/PhysicalMemory.h"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <numeric>
#include <sstream>

using namespace reprise;
using namespace reprise::linux_abi;
using reprise::test::errorOf;
using reprise::test::Success;

namespace {

/// No guest code runs in these tests: system calls never trap.
class NullSink : public cpu::EventSink {
public:
  void onSyscall() override {}
  uint64_t cycleCounter() override { return 0; }
};

constexpr uint64_t P = PageSize;
constexpr uint64_t X = 0x10000000; // where the tests place fixed mappings
constexpr uint64_t MmapBase = 0x7f0000000000;
constexpr uint32_t RW = LX_PROT_READ | LX_PROT_WRITE;
constexpr uint32_t Anon = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;

struct Space {
  NullSink Sink; // outlives the engine that points at it
  std::unique_ptr<mm::PhysicalMemory> Phys;
  std::shared_ptr<mm::AddressSpace> AS;

  explicit Space(mm::MemoryLimits Limits = {}) {
    auto PM = mm::PhysicalMemory::create(64 << 20);
    BOOST_TEST_REQUIRE(bool(PM), "PhysicalMemory: " << llvm::toString(PM.takeError()));
    Phys = std::move(*PM);
    auto A = mm::AddressSpace::create(Arch::X86_64, *Phys, Sink, Limits, MmapBase);
    BOOST_TEST_REQUIRE(bool(A), "AddressSpace: " << llvm::toString(A.takeError()));
    AS = std::move(*A);
  }
  ~Space() { AS.reset(); } // before the frames it refers to

  Result<uint64_t> map(uint64_t Addr, uint64_t Len, uint32_t Prot,
                       uint32_t Flags = Anon | LX_MAP_FIXED) {
    return AS->map(Addr, Len, Prot, Flags, {}, "");
  }

  /// The VMAs as "start-end prot" lines relative to X, in pages, e.g.
  /// "0-2 rw- 3-4 r--", so that a failure shows the whole layout.
  std::string layout() const {
    std::ostringstream OS;
    for (const auto &[Start, V] : AS->vmas()) {
      if (OS.tellp() > 0)
        OS << ' ';
      auto page = [](uint64_t A) { return (int64_t(A) - int64_t(X)) / int64_t(P); };
      OS << page(V.Start) << '-' << page(V.End) << ' '
         << ((V.Prot & LX_PROT_READ) ? 'r' : '-')
         << ((V.Prot & LX_PROT_WRITE) ? 'w' : '-')
         << ((V.Prot & LX_PROT_EXEC) ? 'x' : '-');
    }
    return OS.str();
  }

  std::vector<uint8_t> read(uint64_t Addr, size_t Len) {
    std::vector<uint8_t> Out(Len);
    auto R = AS->copyIn(Addr, Out);
    BOOST_TEST_REQUIRE(R.ok(), "copyIn failed at " << std::hex << Addr);
    return Out;
  }
};

std::vector<uint8_t> pattern(size_t Len, uint8_t Seed) {
  std::vector<uint8_t> V(Len);
  for (size_t I = 0; I < Len; ++I)
    V[I] = uint8_t(Seed + I * 7);
  return V;
}

} // namespace

BOOST_AUTO_TEST_SUITE(address_space)

BOOST_FIXTURE_TEST_CASE(unmapping_the_middle_splits_a_mapping, Space) {
  BOOST_TEST_REQUIRE(map(X, 4 * P, RW).ok());
  BOOST_TEST(*map(X, 4 * P, RW) == X); // MAP_FIXED over itself
  BOOST_TEST(layout() == "0-4 rw-");
  BOOST_TEST(AS->committed() == 4 * P);

  BOOST_TEST(errorOf(AS->unmap(X + P, P)) == Success);
  BOOST_TEST(layout() == "0-1 rw- 2-4 rw-");
  BOOST_TEST(AS->committed() == 3 * P);

  // Unmapping a hole is not an error; bad arguments are.
  BOOST_TEST(errorOf(AS->unmap(X + P, P)) == Success);
  BOOST_TEST(errorOf(AS->unmap(X + 1, P)) == Errno::LX_EINVAL);
  BOOST_TEST(errorOf(AS->unmap(X, 0)) == Errno::LX_EINVAL);
  BOOST_TEST(layout() == "0-1 rw- 2-4 rw-");

  // A range spanning both pieces and the hole removes what is there.
  BOOST_TEST(errorOf(AS->unmap(X, 3 * P)) == Success);
  BOOST_TEST(layout() == "3-4 rw-");
  BOOST_TEST(AS->committed() == P);
}

BOOST_FIXTURE_TEST_CASE(frames_are_released_with_their_pages, Space) {
  BOOST_TEST_REQUIRE(map(X, 8 * P, RW).ok());
  for (uint64_t I = 0; I < 8; ++I)
    BOOST_TEST_REQUIRE(AS->copyOut(X + I * P, pattern(16, uint8_t(I))).ok());
  BOOST_TEST(Phys->framesInUse() == 8u);
  BOOST_TEST_REQUIRE(AS->unmap(X + 2 * P, 3 * P).ok());
  BOOST_TEST(Phys->framesInUse() == 5u);
  BOOST_TEST(read(X + 5 * P, 16) == pattern(16, 5));
  BOOST_TEST_REQUIRE(AS->unmap(X, 8 * P).ok());
  BOOST_TEST(Phys->framesInUse() == 0u);
  BOOST_TEST(AS->vmas().empty());
}

BOOST_FIXTURE_TEST_CASE(protect_splits_and_merges_back, Space) {
  BOOST_TEST_REQUIRE(map(X, 3 * P, RW).ok());
  BOOST_TEST(errorOf(AS->protect(X + P, P, LX_PROT_READ)) == Success);
  BOOST_TEST(layout() == "0-1 rw- 1-2 r-- 2-3 rw-");
  BOOST_TEST(errorOf(AS->protect(X + P, P, RW)) == Success);
  BOOST_TEST(layout() == "0-3 rw-");

  BOOST_TEST(errorOf(AS->protect(X, 3 * P, LX_PROT_READ)) == Success);
  BOOST_TEST(layout() == "0-3 r--");
  BOOST_TEST(errorOf(AS->protect(X + P, 2 * P, RW)) == Success);
  BOOST_TEST(layout() == "0-1 r-- 1-3 rw-");
  // A length that is not a page multiple covers the partial page.
  BOOST_TEST(errorOf(AS->protect(X, P + 1, RW)) == Success);
  BOOST_TEST(layout() == "0-3 rw-");

  BOOST_TEST(errorOf(AS->protect(X + 1, P, LX_PROT_READ)) == Errno::LX_EINVAL);
  BOOST_TEST(errorOf(AS->protect(X, P, 0x80)) == Errno::LX_EINVAL);
  BOOST_TEST(errorOf(AS->protect(X, 0, LX_PROT_READ)) == Success);
  BOOST_TEST(layout() == "0-3 rw-");
}

BOOST_FIXTURE_TEST_CASE(protect_over_a_hole_gives_enomem, Space) {
  BOOST_TEST_REQUIRE(map(X, P, RW).ok());
  BOOST_TEST_REQUIRE(map(X + 2 * P, P, RW).ok());
  BOOST_TEST(errorOf(AS->protect(X, 3 * P, LX_PROT_READ)) == Errno::LX_ENOMEM);
  BOOST_TEST(errorOf(AS->protect(X + P, P, LX_PROT_READ)) == Errno::LX_ENOMEM);
  BOOST_TEST(errorOf(AS->protect(X + 2 * P, 2 * P, LX_PROT_READ)) ==
             Errno::LX_ENOMEM);
  BOOST_TEST(errorOf(AS->protect(X + 100 * P, P, LX_PROT_READ)) ==
             Errno::LX_ENOMEM);
  BOOST_TEST(layout() == "0-1 rw- 2-3 rw-");
}

BOOST_FIXTURE_TEST_CASE(map_fixed_noreplace_refuses_to_clobber, Space) {
  BOOST_TEST_REQUIRE(map(X, 2 * P, RW).ok());
  BOOST_TEST_REQUIRE(AS->copyOut(X + P, pattern(32, 9)).ok());

  auto R = map(X + P, P, LX_PROT_READ, Anon | LX_MAP_FIXED_NOREPLACE);
  BOOST_TEST(errorOf(R) == Errno::LX_EEXIST);
  // Overlapping only the start of the new range is enough to refuse.
  R = map(X - P, 2 * P, LX_PROT_READ, Anon | LX_MAP_FIXED_NOREPLACE);
  BOOST_TEST(errorOf(R) == Errno::LX_EEXIST);
  BOOST_TEST(layout() == "0-2 rw-");
  BOOST_TEST(read(X + P, 32) == pattern(32, 9));

  R = map(X + 3 * P, P, LX_PROT_READ, Anon | LX_MAP_FIXED_NOREPLACE);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(*R == X + 3 * P);

  // Plain MAP_FIXED replaces, and the new pages read as zero.
  R = map(X + P, P, LX_PROT_READ);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(layout() == "0-1 rw- 1-2 r-- 3-4 r--");
  BOOST_TEST(read(X + P, 32) == std::vector<uint8_t>(32, 0));
}

BOOST_FIXTURE_TEST_CASE(map_argument_errors, Space) {
  BOOST_TEST(errorOf(map(X, 0, RW)) == Errno::LX_EINVAL);
  BOOST_TEST(errorOf(map(X + 1, P, RW)) == Errno::LX_EINVAL);
  BOOST_TEST(errorOf(map(X, P, RW, LX_MAP_ANONYMOUS | LX_MAP_FIXED)) ==
             Errno::LX_EINVAL); // neither shared nor private
  BOOST_TEST(errorOf(map(0x1000, P, RW)) == Errno::LX_EPERM); // mmap_min_addr
  BOOST_TEST(errorOf(map(0x7ffffffff000, P, RW)) == Errno::LX_ENOMEM);
  BOOST_TEST(errorOf(map(0, uint64_t(-1) - 100, RW, Anon)) == Errno::LX_ENOMEM);
  BOOST_TEST(AS->vmas().empty());
}

BOOST_FIXTURE_TEST_CASE(placement_without_map_fixed, Space) {
  auto A = map(0, 3 * P, RW, Anon);
  auto B = map(0, 5 * P, LX_PROT_READ, Anon);
  BOOST_TEST_REQUIRE(A.ok());
  BOOST_TEST_REQUIRE(B.ok());
  BOOST_TEST(*A % P == 0u);
  BOOST_TEST(*A + 3 * P <= MmapBase);
  BOOST_TEST(*B + 5 * P <= *A); // top-down, no overlap
  // A hint at a free address is taken; one at a busy address is not.
  auto C = map(X, P, RW, Anon);
  BOOST_TEST_REQUIRE(C.ok());
  BOOST_TEST(*C == X);
  auto D = map(X, P, RW, Anon);
  BOOST_TEST_REQUIRE(D.ok());
  BOOST_TEST(*D != X);
}

BOOST_AUTO_TEST_CASE(the_commit_limit_gives_enomem) {
  mm::MemoryLimits L;
  L.MaxCommit = 8 * P;
  Space S(L);
  BOOST_TEST_REQUIRE(S.map(X, 8 * P, RW).ok());
  BOOST_TEST(errorOf(S.map(X + 10 * P, P, RW)) == Errno::LX_ENOMEM);
  BOOST_TEST(errorOf(S.map(0, P, LX_PROT_READ, Anon)) == Errno::LX_ENOMEM);
  // PROT_NONE reservations are not charged...
  BOOST_TEST_REQUIRE(S.map(X + 10 * P, 100 * P, LX_PROT_NONE).ok());
  BOOST_TEST(S.AS->committed() == 8 * P);
  // ...until they become accessible.
  BOOST_TEST(errorOf(S.AS->protect(X + 10 * P, P, LX_PROT_READ)) ==
             Errno::LX_ENOMEM);
  // Replacing charged pages with MAP_FIXED charges only the difference.
  BOOST_TEST(errorOf(S.map(X + 2 * P, 2 * P, LX_PROT_READ)) == Success);
  BOOST_TEST(S.AS->committed() == 8 * P);
  // Freeing makes room again.
  BOOST_TEST_REQUIRE(S.AS->unmap(X, P).ok());
  BOOST_TEST(S.AS->committed() == 7 * P);
  BOOST_TEST(errorOf(S.AS->protect(X + 10 * P, P, LX_PROT_READ)) == Success);
  BOOST_TEST(S.AS->committed() == 8 * P);
  BOOST_TEST(errorOf(S.map(X + 200 * P, P, RW)) == Errno::LX_ENOMEM);
  // Making pages inaccessible keeps their charge (their frames stay held, as
  // Linux keeps VM_ACCOUNT); only unmapping them gives it back.
  BOOST_TEST(errorOf(S.AS->protect(X + P, P, LX_PROT_NONE)) == Success);
  BOOST_TEST(S.AS->committed() == 8 * P);
  BOOST_TEST(errorOf(S.AS->protect(X + P, P, LX_PROT_READ)) == Success);
  BOOST_TEST(S.AS->committed() == 8 * P);
  BOOST_TEST_REQUIRE(S.AS->unmap(X + P, P).ok());
  BOOST_TEST(S.AS->committed() == 7 * P);
}

BOOST_AUTO_TEST_CASE(the_map_count_limit_gives_enomem) {
  mm::MemoryLimits L;
  L.MaxMapCount = 64;
  Space S(L);
  BOOST_TEST_REQUIRE(S.map(X, 200 * P, RW).ok());
  unsigned Refused = 0;
  for (uint64_t I = 0; I < 100; ++I)
    if (!S.AS->protect(X + 2 * I * P, P, LX_PROT_READ).ok())
      ++Refused;
  BOOST_TEST(Refused > 0u);
  BOOST_TEST(S.AS->vmas().size() <= 64u);
}

BOOST_FIXTURE_TEST_CASE(copy_in_and_out, Space) {
  BOOST_TEST_REQUIRE(map(X, 2 * P, RW).ok());
  BOOST_TEST_REQUIRE(map(X + 2 * P, P, LX_PROT_READ).ok());
  BOOST_TEST_REQUIRE(map(X + 3 * P, P, LX_PROT_NONE).ok());

  // Across the page boundary.
  auto Data = pattern(6000, 3);
  BOOST_TEST(errorOf(AS->copyOut(X + 100, Data)) == Success);
  BOOST_TEST(read(X + 100, Data.size()) == Data);
  // Untouched bytes of a demand-zero page read as zero.
  BOOST_TEST(read(X, 100) == std::vector<uint8_t>(100, 0));

  std::vector<uint8_t> Buf(16);
  BOOST_TEST(errorOf(AS->copyOut(X + 2 * P, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(X + 2 * P, Buf)) == Success);
  BOOST_TEST(errorOf(AS->copyOut(X + 2 * P - 8, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(X + 3 * P, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(X + 4 * P, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(X - 8, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(0, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyIn(uint64_t(-8), Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyOut(X + 4 * P, {})) == Success); // nothing to copy

  BOOST_TEST(AS->accessible(X, 2 * P, true));
  BOOST_TEST(AS->accessible(X, 3 * P, false));
  BOOST_TEST(!AS->accessible(X, 3 * P, true));
  BOOST_TEST(!AS->accessible(X, 4 * P, false));
  BOOST_TEST(!AS->accessible(uint64_t(-8), 16, false));

  // A string across a page boundary; Max counts the terminating NUL.
  const char Hello[] = "hello";
  BOOST_TEST_REQUIRE(
      AS->copyOut(X + P - 3, llvm::ArrayRef<uint8_t>(
                                 reinterpret_cast<const uint8_t *>(Hello), 6))
          .ok());
  auto S = AS->copyInString(X + P - 3, 64);
  BOOST_TEST_REQUIRE(S.ok());
  BOOST_TEST(*S == "hello");
  BOOST_TEST(errorOf(AS->copyInString(X + P - 3, 6)) == Success);
  BOOST_TEST(errorOf(AS->copyInString(X + P - 3, 5)) == Errno::LX_ENAMETOOLONG);
  BOOST_TEST(errorOf(AS->copyInString(X + 3 * P, 64)) == Errno::LX_EFAULT);
}

BOOST_FIXTURE_TEST_CASE(translate_reports_mappings_and_permissions, Space) {
  uint64_t PA = 0;
  uint8_t Perms = 0;
  BOOST_TEST(!AS->translate(X, cpu::Access::Read, PA, Perms));

  BOOST_TEST_REQUIRE(map(X, P, LX_PROT_READ).ok());
  BOOST_TEST_REQUIRE(map(X + P, P, RW).ok());
  BOOST_TEST_REQUIRE(map(X + 2 * P, P, LX_PROT_READ | LX_PROT_EXEC).ok());

  BOOST_TEST(AS->translate(X + 5, cpu::Access::Read, PA, Perms));
  BOOST_TEST((Perms & cpu::PermRead) != 0);
  BOOST_TEST((Perms & cpu::PermWrite) == 0);
  BOOST_TEST((Perms & cpu::PermExec) == 0);
  // Mapped but not writable: true, with perms that lack write, so the
  // engine raises a protection fault rather than an unmapped one.
  BOOST_TEST(AS->translate(X, cpu::Access::Write, PA, Perms));
  BOOST_TEST((Perms & cpu::PermWrite) == 0);

  BOOST_TEST_REQUIRE(AS->copyOut(X + P + 0x123, pattern(4, 1)).ok());
  BOOST_TEST(AS->translate(X + P + 0x123, cpu::Access::Write, PA, Perms));
  BOOST_TEST((Perms & (cpu::PermRead | cpu::PermWrite)) ==
             (cpu::PermRead | cpu::PermWrite));
  BOOST_TEST((PA & PageMask) == 0x123u);
  BOOST_TEST_REQUIRE(PA + 4 <= Phys->arenaSize());
  const uint8_t *Host = static_cast<const uint8_t *>(Phys->arena()) + PA;
  BOOST_TEST(std::vector<uint8_t>(Host, Host + 4) == pattern(4, 1));

  BOOST_TEST(AS->translate(X + 2 * P, cpu::Access::Execute, PA, Perms));
  BOOST_TEST((Perms & cpu::PermExec) != 0);
  BOOST_TEST(!AS->translate(X + 3 * P, cpu::Access::Read, PA, Perms));
}

BOOST_FIXTURE_TEST_CASE(brk_grows_and_shrinks, Space) {
  AS->setBrkStart(X);
  BOOST_TEST(AS->brk(0) == X); // the query glibc starts with
  BOOST_TEST(AS->vmas().empty());

  BOOST_TEST(AS->brk(X + 3 * P + 5) == X + 3 * P + 5);
  BOOST_TEST(layout() == "0-4 rw-");
  BOOST_TEST(AS->vmas().begin()->second.Name == "[heap]");
  BOOST_TEST_REQUIRE(AS->copyOut(X, pattern(8, 1)).ok());
  BOOST_TEST_REQUIRE(AS->copyOut(X + 2 * P, pattern(8, 2)).ok());
  BOOST_TEST(errorOf(AS->copyOut(X + 4 * P, pattern(8, 3))) == Errno::LX_EFAULT);

  // Growing step by step keeps one heap VMA.
  for (uint64_t I = 5; I <= 12; ++I)
    BOOST_TEST(AS->brk(X + I * P) == X + I * P);
  BOOST_TEST(layout() == "0-12 rw-");

  BOOST_TEST(AS->brk(X + P) == X + P);
  BOOST_TEST(layout() == "0-1 rw-");
  BOOST_TEST(read(X, 8) == pattern(8, 1));
  std::vector<uint8_t> Buf(8);
  BOOST_TEST(errorOf(AS->copyIn(X + 2 * P, Buf)) == Errno::LX_EFAULT);

  // Below the start: refused, the break stays.
  BOOST_TEST(AS->brk(X - 1) == X + P);
  // Pages given back and taken again are fresh zero pages.
  BOOST_TEST(AS->brk(X + 3 * P) == X + 3 * P);
  BOOST_TEST(read(X + 2 * P, 8) == std::vector<uint8_t>(8, 0));

  // The heap does not grow over another mapping.
  BOOST_TEST_REQUIRE(map(X + 20 * P, P, RW).ok());
  BOOST_TEST(AS->brk(X + 25 * P) == X + 3 * P);
  BOOST_TEST(AS->brk(X + 20 * P) == X + 20 * P);
  BOOST_TEST(layout() == "0-20 rw- 20-21 rw-");
}

BOOST_FIXTURE_TEST_CASE(ten_thousand_alternating_protect_splits, Space) {
  constexpr uint64_t Pages = 20000;
  BOOST_TEST_REQUIRE(map(X, Pages * P, RW).ok());
  for (uint64_t I = 0; I < Pages; I += 997)
    BOOST_TEST_REQUIRE(AS->copyOut(X + I * P + 8, pattern(8, uint8_t(I))).ok());

  unsigned Failed = 0;
  for (uint64_t I = 0; I < Pages / 2; ++I)
    if (!AS->protect(X + 2 * I * P, P, LX_PROT_READ).ok())
      ++Failed;
  BOOST_TEST(Failed == 0u);
  BOOST_TEST(AS->vmas().size() == Pages);
  BOOST_TEST(AS->committed() == Pages * P);
  BOOST_TEST(errorOf(AS->copyOut(X, pattern(1, 0))) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyOut(X + P, pattern(1, 0))) == Success);

  // Protecting everything alike merges it back into one VMA.
  BOOST_TEST(errorOf(AS->protect(X, Pages * P, RW)) == Success);
  BOOST_TEST(layout() == "0-20000 rw-");
  BOOST_TEST(AS->vmas().begin()->second.Frames.size() == Pages);
  for (uint64_t I = 0; I < Pages; I += 997)
    BOOST_TEST(read(X + I * P + 8, 8) == pattern(8, uint8_t(I)));
}

BOOST_FIXTURE_TEST_CASE(remap_shrinks_grows_and_moves, Space) {
  BOOST_TEST_REQUIRE(map(X, 4 * P, RW).ok());
  BOOST_TEST_REQUIRE(AS->copyOut(X, pattern(64, 4)).ok());
  // Shrink in place.
  auto R = AS->remap(X, 4 * P, 2 * P, 0, 0);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(*R == X);
  BOOST_TEST(layout() == "0-2 rw-");
  BOOST_TEST(AS->committed() == 2 * P);
  // Grow in place into free pages.
  R = AS->remap(X, 2 * P, 3 * P, 0, 0);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(*R == X);
  BOOST_TEST(layout() == "0-3 rw-");
  // Blocked: ENOMEM without MREMAP_MAYMOVE, a move with it.
  BOOST_TEST_REQUIRE(map(X + 3 * P, P, LX_PROT_READ).ok());
  BOOST_TEST(errorOf(AS->remap(X, 3 * P, 5 * P, 0, 0)) == Errno::LX_ENOMEM);
  R = AS->remap(X, 3 * P, 5 * P, LX_MREMAP_MAYMOVE, 0);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(*R != X);
  BOOST_TEST(read(*R, 64) == pattern(64, 4));
  BOOST_TEST(layout().find("0-3") == std::string::npos); // the old range is gone
  BOOST_TEST(AS->committed() == 6 * P);
  // To a fixed place, replacing what was there.
  uint64_t Moved = *R;
  R = AS->remap(Moved, 5 * P, P, LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, X + 3 * P);
  BOOST_TEST_REQUIRE(R.ok());
  BOOST_TEST(*R == X + 3 * P);
  BOOST_TEST(layout() == "3-4 rw-");
  BOOST_TEST(read(X + 3 * P, 64) == pattern(64, 4));
  BOOST_TEST(AS->committed() == P);
  // Errors Linux gives.
  BOOST_TEST(errorOf(AS->remap(X + 10 * P, P, 2 * P, LX_MREMAP_MAYMOVE, 0)) ==
             Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->remap(X + 3 * P, 2 * P, 3 * P, LX_MREMAP_MAYMOVE, 0)) ==
             Errno::LX_EFAULT); // beyond the mapping
  BOOST_TEST(errorOf(AS->remap(X + 3 * P, P, 0, LX_MREMAP_MAYMOVE, 0)) ==
             Errno::LX_EINVAL);
  BOOST_TEST(errorOf(AS->remap(X + 3 * P, P, P, LX_MREMAP_FIXED, X)) ==
             Errno::LX_EINVAL); // FIXED needs MAYMOVE
  BOOST_TEST(errorOf(AS->remap(X + 3 * P + 1, P, P, 0, 0)) == Errno::LX_EINVAL);
}

// Linux's do_mmap treats MAP_FIXED_NOREPLACE as implying MAP_FIXED and still
// refuses with EEXIST when both bits are set (checked natively on the build
// host) instead of clobbering the existing mapping.
BOOST_FIXTURE_TEST_CASE(map_fixed_noreplace_wins_over_map_fixed, Space) {
  BOOST_TEST_REQUIRE(map(X, 2 * P, RW).ok());
  auto R = map(X, P, LX_PROT_READ, Anon | LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE);
  BOOST_TEST(errorOf(R) == Errno::LX_EEXIST);
}

// A VMA made PROT_NONE keeps its frames. If that dropped its commit charge,
// touching memory and protecting it PROT_NONE in a loop would hold ever more
// frames while committed() stays under the limit, until PhysicalMemory runs
// out and a successful RW mapping cannot be written (copyOut EFAULT; a guest
// would take SIGSEGV on a mapped page). Like Linux, the charge stays until the
// mapping is unmapped, so the loop gets ENOMEM from map() instead.
BOOST_AUTO_TEST_CASE(frames_held_by_prot_none_vmas_stay_charged) {
  mm::MemoryLimits L;
  L.MaxCommit = 8 << 20; // PhysicalMemory holds 64 MiB
  Space S(L);
  const uint64_t Chunk = 8 << 20;
  unsigned Unwritable = 0, Mapped = 0;
  for (uint64_t Round = 0; Round < 12; ++Round) {
    uint64_t At = X + Round * (Chunk + P);
    if (!S.map(At, Chunk, RW).ok())
      break; // refusing the map would be a correct answer
    ++Mapped;
    for (uint64_t Off = 0; Off < Chunk; Off += P)
      if (!S.AS->copyOut(At + Off, pattern(1, 1)).ok()) {
        ++Unwritable;
        break;
      }
    BOOST_TEST_REQUIRE(S.AS->protect(At, Chunk, LX_PROT_NONE).ok());
  }
  BOOST_TEST_MESSAGE(Mapped << " chunks mapped, " << S.Phys->framesInUse()
                            << " frames in use");
  BOOST_TEST(Unwritable == 0u);
}

// Linux merges a new anonymous mapping with an identical neighbour on either
// side (vma_merge): filling a hole or mapping just below an existing mapping
// leaves one VMA in /proc/self/maps, not two.
BOOST_FIXTURE_TEST_CASE(maps_merge_with_the_following_neighbour, Space) {
  BOOST_TEST_REQUIRE(map(X + 2 * P, 2 * P, RW).ok());
  BOOST_TEST_REQUIRE(map(X, 2 * P, RW).ok());
  BOOST_TEST(layout() == "0-4 rw-");

  BOOST_TEST_REQUIRE(AS->unmap(X, 4 * P).ok());
  BOOST_TEST_REQUIRE(map(X, 4 * P, RW).ok());
  BOOST_TEST_REQUIRE(map(X + P, 2 * P, RW).ok()); // MAP_FIXED in the middle
  BOOST_TEST(layout() == "0-4 rw-");
}

// A file mapping reaches past the end of its file: pages wholly past it (the
// size rounded up to a page) have no frame; the engine's lookup fails there
// (the kernel makes it SIGBUS) and kernel copies give EFAULT. A split keeps
// the file offset, so each piece knows where its file ends.
BOOST_FIXTURE_TEST_CASE(pages_past_the_end_of_a_mapped_file_are_not_there, Space) {
  const uint8_t Byte[1] = {'x'};
  BOOST_TEST_REQUIRE(
      AS->map(X, 3 * P, RW, LX_MAP_PRIVATE | LX_MAP_FIXED, Byte, "/file").ok());
  AS->setFile(X, nullptr, P, P + 1); // file offset P of a file of P+1 bytes
  uint64_t PAddr = 0;
  uint8_t Perms = 0;
  BOOST_TEST(AS->translate(X + 10, cpu::Access::Read, PAddr, Perms));
  BOOST_TEST(!AS->translate(X + P + 10, cpu::Access::Read, PAddr, Perms));
  BOOST_TEST(!AS->translate(X + 2 * P, cpu::Access::Write, PAddr, Perms));
  BOOST_TEST(!AS->pastEndOfFile(X + P - 1));
  BOOST_TEST(AS->pastEndOfFile(X + P));
  BOOST_TEST(!AS->pastEndOfFile(X + 3 * P)); // not mapped at all
  std::vector<uint8_t> Buf(8);
  BOOST_TEST(errorOf(AS->copyIn(X, Buf)) == Success);
  BOOST_TEST(Buf[0] == 'x');
  BOOST_TEST(errorOf(AS->copyIn(X + P - 4, Buf)) == Errno::LX_EFAULT);
  BOOST_TEST(errorOf(AS->copyOut(X + P, Buf)) == Errno::LX_EFAULT);

  BOOST_TEST_REQUIRE(AS->protect(X + 2 * P, P, LX_PROT_READ).ok()); // splits
  BOOST_TEST(layout() == "0-2 rw- 2-3 r--");
  BOOST_TEST(AS->pastEndOfFile(X + 2 * P));
  BOOST_TEST(!AS->pastEndOfFile(X));
}

BOOST_AUTO_TEST_SUITE_END()
