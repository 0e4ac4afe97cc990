//===- kernel/AnonInode.h - Inodes of files with no file system -*- C++ -*-===//
//
// Pipes, sockets, pidfds and signalfds are files that live in no directory: what
// fstat shows of them is a mode, an inode number from the kernel's counter
// and a device, and they cannot be opened by name.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/abi/Constants.h"

namespace reprise {

class AnonInode : public fs::Vnode {
public:
  /// Linux's devices for them: sockfs, pipefs and anon_inodefs (the
  /// order they are mounted in at boot numbers them).
  static constexpr uint64_t SockDev = 0x8, PipeDev = 0xc, AnonDev = 0xe;

  AnonInode(uint64_t Ino, uint32_t Mode, uint64_t Dev)
      : Ino(Ino), Mode(Mode), Dev(Dev) {}
  uint32_t fileType() const override { return Mode & linux_abi::LX_S_IFMT; }
  Result<fs::FileStat> stat() override {
    fs::FileStat S;
    S.Dev = Dev;
    S.Ino = Ino;
    S.Mode = Mode;
    S.Blksize = 4096;
    return S;
  }
  Result<fs::FileRef> open(uint32_t) override { return Errno::LX_ENXIO; }

private:
  uint64_t Ino;
  uint32_t Mode;
  uint64_t Dev;
};

} // namespace reprise
