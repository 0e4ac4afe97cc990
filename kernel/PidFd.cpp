//===- kernel/PidFd.cpp - Process file descriptors ------------------------===//
#include "kernel/PidFd.h"

#include "kernel/abi/Constants.h"

namespace reprise {

using namespace linux_abi;

namespace {

/// What fstat shows of a pidfd: an anonymous inode, mode 0600 with no
/// file type, as Linux's anon_inode gives.
class AnonNode : public fs::Vnode {
public:
  explicit AnonNode(uint64_t Ino) : Ino(Ino) {}
  uint32_t fileType() const override { return 0; }
  Result<fs::FileStat> stat() override {
    fs::FileStat S;
    S.Dev = 0xe;
    S.Ino = Ino;
    S.Mode = 0600;
    S.Blksize = 4096;
    return S;
  }
  Result<fs::FileRef> open(uint32_t) override { return Errno::LX_ENXIO; }

private:
  uint64_t Ino;
};

} // namespace

PidFdFile::PidFdFile(PidRef Ident, uint64_t Ino, uint32_t Flags)
    : OpenFile(std::make_shared<AnonNode>(Ino), LX_O_RDWR | Flags),
      Id(std::move(Ident)) {
  Path = "anon_inode:[pidfd]";
}

} // namespace reprise
