//===- kernel/CpuModel.h - The processor the guest sees ---------*- C++ -*-===//
//
// One place for what reprise tells a guest about its CPU: the AT_HWCAP bits
// of the auxiliary vector and the text of /proc/cpuinfo. Both describe the
// model the engine executes (Westmere for x86-64, Cortex-A72 for arm64), so
// that a program that checks CPUID or its HWCAP and one that parses
// /proc/cpuinfo reach the same answer. One CPU, whatever the host has.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Arch.h"

#include <cstdint>
#include <string>

namespace reprise {

/// AT_HWCAP for \p A.
uint64_t hwcap(Arch A);

/// The content of /proc/cpuinfo for \p A.
std::string cpuInfo(Arch A);

} // namespace reprise
