//===- tests/unit/Main.cpp - The unit test runner -------------------------===//
//
// The only file that defines the module: Boost.Test supplies main() from the
// shared library (BOOST_TEST_DYN_LINK). Every other file adds test suites.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE reprise unit tests
#include <boost/test/unit_test.hpp>
