//===- tests/unit/PidNamespaceTest.cpp - Ids in nested PID namespaces -----===//
//
// A task's ids: one per namespace level, allocated in order, wanted ones
// (clone3's set_tid) honoured or refused as Linux does, released when the
// last holder lets go, and visible only from the namespaces that hold them.
//
//===----------------------------------------------------------------------===//
#include "kernel/PidNamespace.h"

#include "TestSupport.h"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace reprise;

namespace {

PidRef make(const std::shared_ptr<PidNamespace> &Ns,
            std::vector<int32_t> Wanted = {}) {
  auto P = PidNumbers::create(Ns, Wanted);
  BOOST_REQUIRE(P.ok());
  return *P;
}

Errno failure(const std::shared_ptr<PidNamespace> &Ns,
              std::vector<int32_t> Wanted) {
  auto P = PidNumbers::create(Ns, Wanted);
  BOOST_REQUIRE(!P.ok());
  return P.error();
}

} // namespace

BOOST_AUTO_TEST_SUITE(pid_namespaces)

BOOST_AUTO_TEST_CASE(ids_are_handed_out_in_order_and_not_reused_at_once) {
  auto Root = std::make_shared<PidNamespace>();
  PidRef A = make(Root), B = make(Root);
  BOOST_TEST(A->root() == 1);
  BOOST_TEST(B->root() == 2);
  B.reset();
  // Allocation is cyclic: a freed id comes back only after a wrap.
  PidRef C = make(Root);
  BOOST_TEST(C->root() == 3);
  BOOST_TEST(Root->find(2) == nullptr);
  BOOST_TEST(Root->find(3) == C.get());
}

BOOST_AUTO_TEST_CASE(wanted_ids) {
  auto Root = std::make_shared<PidNamespace>();
  PidRef A = make(Root, {500});
  BOOST_TEST(A->root() == 500);
  BOOST_TEST(failure(Root, {500}) == Errno::LX_EEXIST);
  BOOST_TEST(failure(Root, {0}) == Errno::LX_EINVAL);
  BOOST_TEST(failure(Root, {PidNamespace::PidMax}) == Errno::LX_EINVAL);
  // More entries than levels.
  BOOST_TEST(failure(Root, {7, 8}) == Errno::LX_EINVAL);
  // A wanted id does not move the allocation cursor (Linux's idr_alloc for
  // set_tid leaves the cyclic cursor alone).
  PidRef B = make(Root);
  BOOST_TEST(B->root() == 1);
}

BOOST_AUTO_TEST_CASE(allocation_steps_over_wanted_ids) {
  auto Root = std::make_shared<PidNamespace>();
  PidRef Wanted = make(Root, {3});
  PidRef A = make(Root), B = make(Root), C = make(Root);
  BOOST_TEST(A->root() == 1);
  BOOST_TEST(B->root() == 2);
  BOOST_TEST(C->root() == 4);
}

BOOST_AUTO_TEST_CASE(nested_namespace_ids_and_visibility) {
  auto Root = std::make_shared<PidNamespace>();
  PidRef Outer = make(Root); // 1 in the root
  auto Child = std::make_shared<PidNamespace>(Root);
  BOOST_TEST(Child->level() == 1u);
  PidRef Init = make(Child);
  BOOST_TEST(Init->in(*Child) == 1);
  BOOST_TEST(Init->in(*Root) == 2);
  BOOST_TEST(Init->root() == 2);
  BOOST_TEST(Outer->in(*Child) == 0); // the root's ids are not seen inside
  // set_tid, innermost first.
  PidRef Chosen = make(Child, {40, 900});
  BOOST_TEST(Chosen->in(*Child) == 40);
  BOOST_TEST(Chosen->in(*Root) == 900);
  BOOST_TEST(failure(Child, {41, 900}) == Errno::LX_EEXIST);
  // A failed creation gives back what it took at inner levels.
  BOOST_TEST(Child->find(41) == nullptr);
  // A sibling namespace does not see the child's ids.
  auto Sibling = std::make_shared<PidNamespace>(Root);
  BOOST_TEST(Chosen->in(*Sibling) == 0);
  Chosen.reset();
  BOOST_TEST(Child->find(40) == nullptr);
  BOOST_TEST(Root->find(900) == nullptr);
}

BOOST_AUTO_TEST_CASE(dead_namespace_refuses_new_ids) {
  auto Root = std::make_shared<PidNamespace>();
  auto Child = std::make_shared<PidNamespace>(Root);
  Child->InitDied = true;
  BOOST_TEST(failure(Child, {}) == Errno::LX_ENOMEM);
  PidRef Fine = make(Root);
  BOOST_TEST(Fine->root() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
