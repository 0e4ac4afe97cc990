//===- fs/Synthetic.cpp ---------------------------------------------------===//
#include "fs/Synthetic.h"
#include "fs/Directory.h"

#include <cstring>

namespace reprise::fs {

using namespace linux_abi;

namespace {

uint64_t stableIno(std::string_view Key) {
  uint64_t H = 1469598103934665603ull; // FNV-1a
  for (unsigned char C : Key) {
    H ^= C;
    H *= 1099511628211ull;
  }
  return (H & 0xffffffffffull) | (1ull << 40); // away from host-fs numbers
}

class StringFile : public OpenFile {
public:
  StringFile(VnodeRef N, uint32_t Flags, std::string Data,
             SyntheticFile::Writer W)
      : OpenFile(std::move(N), Flags), Data(std::move(Data)), W(std::move(W)) {}
  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    int64_t At = Offset ? *Offset : Pos;
    if (At >= int64_t(Data.size()))
      return size_t(0);
    size_t N = std::min(Buf.size(), Data.size() - size_t(At));
    std::memcpy(Buf.data(), Data.data() + At, N);
    if (!Offset)
      Pos += int64_t(N);
    return N;
  }
  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf, const int64_t *) override {
    if (!W)
      return Errno::LX_EACCES;
    // Each write is one complete value, as with Linux's proc files that
    // take input (comm, oom_score_adj); the position does not matter.
    REPRISE_TRY(W(Buf));
    return Buf.size();
  }
  Result<int64_t> seek(int64_t Off, uint32_t Whence) override {
    int64_t Base = Whence == LX_SEEK_SET   ? 0
                   : Whence == LX_SEEK_CUR ? Pos
                   : Whence == LX_SEEK_END ? int64_t(Data.size())
                                        : -1;
    if (Base < 0 || Base + Off < 0)
      return Errno::LX_EINVAL;
    Pos = Base + Off;
    return Pos;
  }

private:
  std::string Data;
  SyntheticFile::Writer W;
};

class DeviceNode : public SyntheticNode {
public:
  DeviceNode(SyntheticFsRef FS, std::string Key, DeviceKind K, uint64_t Rdev,
             std::function<void(llvm::MutableArrayRef<uint8_t>)> Random)
      : SyntheticNode(std::move(FS), std::move(Key), LX_S_IFCHR | 0666), K(K),
        Dev(Rdev), Random(std::move(Random)) {}
  Result<FileRef> open(uint32_t Flags) override;
  DeviceKind K;

protected:
  uint64_t rdev() const override { return Dev; }

public:
  uint64_t Dev;
  std::function<void(llvm::MutableArrayRef<uint8_t>)> Random;
};

class DeviceFile : public OpenFile {
public:
  DeviceFile(std::shared_ptr<DeviceNode> N, uint32_t Flags)
      : OpenFile(N, Flags), Dev(std::move(N)) {}
  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *) override {
    switch (Dev->K) {
    case DeviceKind::Null:
      return size_t(0);
    case DeviceKind::Zero:
    case DeviceKind::Full:
      std::memset(Buf.data(), 0, Buf.size());
      return Buf.size();
    case DeviceKind::Random:
      Dev->Random(Buf);
      return Buf.size();
    }
    return Errno::LX_EIO;
  }
  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf, const int64_t *) override {
    if (Dev->K == DeviceKind::Full)
      return Errno::LX_ENOSPC;
    return Buf.size();
  }
  Result<int64_t> seek(int64_t, uint32_t) override { return int64_t(0); }

private:
  std::shared_ptr<DeviceNode> Dev;
};

Result<FileRef> DeviceNode::open(uint32_t Flags) {
  if (Flags & LX_O_DIRECTORY)
    return Errno::LX_ENOTDIR;
  return FileRef(std::make_shared<DeviceFile>(
      std::static_pointer_cast<DeviceNode>(shared_from_this()), Flags));
}

} // namespace

Result<FileStat> SyntheticNode::stat() {
  FileStat S;
  S.Dev = FS->Device;
  S.Ino = stableIno(Key);
  S.Mode = Mode;
  S.Nlink = isDir() ? 2 : 1;
  S.Rdev = rdev();
  S.Size = size();
  S.Blksize = 4096;
  S.Blocks = 0;
  S.Atime = S.Mtime = S.Ctime = FS->Time;
  return S;
}

Result<VnodeRef> SyntheticDir::lookup(std::string_view Name) {
  auto Entries = L();
  auto It = Entries.find(std::string(Name));
  if (It != Entries.end())
    return It->second;
  if (Hidden)
    if (VnodeRef N = Hidden(Name))
      return N;
  return Errno::LX_ENOENT;
}

Result<std::vector<DirEntry>> SyntheticDir::list() {
  std::vector<DirEntry> Out;
  for (auto &[Name, Node] : L()) { // std::map: already sorted by name
    auto S = Node->stat();
    uint8_t T = Node->isDir()       ? LX_DT_DIR
                : Node->isSymlink() ? LX_DT_LNK
                : Node->fileType() == LX_S_IFCHR ? LX_DT_CHR
                                              : LX_DT_REG;
    Out.push_back({Name, S ? S->Ino : 0, T});
  }
  return Out;
}

Result<FileRef> SyntheticDir::open(uint32_t Flags) {
  if ((Flags & LX_O_ACCMODE) != LX_O_RDONLY)
    return Errno::LX_EISDIR;
  return FileRef(std::make_shared<DirectoryFile>(shared_from_this(), Flags));
}

Result<FileRef> SyntheticFile::open(uint32_t Flags) {
  if (Flags & LX_O_DIRECTORY)
    return Errno::LX_ENOTDIR;
  if ((Flags & LX_O_ACCMODE) != LX_O_RDONLY && !W)
    return Errno::LX_EACCES;
  // A file opened only to write is not read: its content is not made.
  std::string Data = (Flags & LX_O_ACCMODE) == LX_O_WRONLY ? std::string() : Content();
  return FileRef(std::make_shared<StringFile>(shared_from_this(), Flags,
                                              std::move(Data), W));
}

VnodeRef makeDevFs(SyntheticFsRef FS,
                   std::function<void(llvm::MutableArrayRef<uint8_t>)> Random) {
  auto mk = [&](const char *Name, DeviceKind K, uint64_t Major, uint64_t Minor) {
    return VnodeRef(std::make_shared<DeviceNode>(
        FS, std::string("dev:") + Name, K, (Major << 8) | Minor, Random));
  };
  std::map<std::string, VnodeRef> E;
  E["null"] = mk("null", DeviceKind::Null, 1, 3);
  E["zero"] = mk("zero", DeviceKind::Zero, 1, 5);
  E["full"] = mk("full", DeviceKind::Full, 1, 7);
  E["random"] = mk("random", DeviceKind::Random, 1, 8);
  E["urandom"] = mk("urandom", DeviceKind::Random, 1, 9);
  auto link = [&](const char *Name, const char *Target) {
    std::string T = Target;
    E[Name] = std::make_shared<SyntheticSymlink>(FS, std::string("dev:") + Name,
                                                 [T] { return T; });
  };
  // Where the kernel mounts a tmpfs for POSIX shared memory and
  // semaphores (shm_open, sem_open), as every Linux system has one.
  E["shm"] = makeEmptyDir(FS, "dev:shm");
  link("fd", "/proc/self/fd");
  link("stdin", "/proc/self/fd/0");
  link("stdout", "/proc/self/fd/1");
  link("stderr", "/proc/self/fd/2");
  return std::make_shared<SyntheticDir>(FS, "dev:/", [E] { return E; });
}

VnodeRef makeEmptyDir(SyntheticFsRef FS, std::string Key) {
  return std::make_shared<SyntheticDir>(
      std::move(FS), std::move(Key),
      [] { return std::map<std::string, VnodeRef>(); });
}

} // namespace reprise::fs
