//===- loader/Vdso.h - The vDSO image mapped into every program -*- C++ -*-===//
//
// Linux maps a small shared object, the vDSO, into every process and passes
// its address in AT_SYSINFO_EHDR; libcs look clock_gettime and friends up in
// it by name and symbol version, and arm64 handlers without SA_RESTORER
// return through its __kernel_rt_sigreturn. reprise builds its own image per
// guest arch: an ELF shared object with the symbols, versions, hash tables
// and sections Linux's has, whose functions only issue the system call they
// stand for. Time therefore stays on the virtual clock and every call is an
// ordinary syscall, recorded and replayed like any other.
//
// The bytes depend on the arch and the kernel version alone (no host
// addresses, nothing of the host), and the image is linked at address 0, so
// the same bytes serve wherever it is mapped.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kernel/abi/Arch.h"

#include <cstdint>
#include <string>
#include <vector>

namespace reprise::loader {

/// An exported function of a vDSO image.
struct VdsoSymbol {
  std::string Name;
  uint64_t Offset = 0; // from the start of the image
  uint64_t Size = 0;
  bool Weak = false;   // an unprefixed alias, as Linux's x86-64 vDSO has
};

struct VdsoImage {
  /// The ELF file, padded with zeros to whole pages: mapped as it is.
  std::vector<uint8_t> Bytes;
  std::vector<VdsoSymbol> Symbols;
  /// The version every symbol is defined under ("LINUX_2.6"...).
  std::string Version;
  /// arm64: the offset of __kernel_rt_sigreturn, where a handler without
  /// SA_RESTORER returns; 0 on x86-64, whose vDSO has no such trampoline.
  uint64_t SigReturn = 0;
  /// The size of the data area Linux maps right below the image ("[vvar]").
  uint64_t VvarSize = 0;

  /// The symbol named \p Name, or null.
  const VdsoSymbol *find(const std::string &Name) const;
};

/// Builds the vDSO of \p A. \p LinuxVersionCode (KERNEL_VERSION(a, b, c))
/// goes into its "Linux" note, where old glibcs read the kernel version.
VdsoImage buildVdso(Arch A, uint32_t LinuxVersionCode);

/// The System V ELF hash of \p Name (the .hash table's and vd_hash's).
uint32_t elfHash(const std::string &Name);
/// The GNU hash of \p Name (the .gnu.hash table's).
uint32_t gnuHash(const std::string &Name);

} // namespace reprise::loader
