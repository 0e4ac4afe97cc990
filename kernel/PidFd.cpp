//===- kernel/PidFd.cpp - Process file descriptors ------------------------===//
#include "kernel/PidFd.h"

#include "kernel/AnonInode.h"

#include "kernel/abi/Constants.h"

namespace reprise {

using namespace linux_abi;

PidFdFile::PidFdFile(PidRef Ident, uint64_t Ino, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Ino, 0600, AnonInode::AnonDev),
               LX_O_RDWR | Flags),
      Id(std::move(Ident)) {
  Path = "anon_inode:[pidfd]";
}

} // namespace reprise
