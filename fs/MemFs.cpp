//===- fs/MemFs.cpp -------------------------------------------------------===//
#include "fs/MemFs.h"
#include "fs/Directory.h"

#include <algorithm>
#include <cstring>

namespace reprise::fs {

using namespace linux_abi;

namespace {

uint8_t direntTypeOf(uint32_t Mode) {
  switch (Mode & LX_S_IFMT) {
  case LX_S_IFDIR: return LX_DT_DIR;
  case LX_S_IFLNK: return LX_DT_LNK;
  case LX_S_IFREG: return LX_DT_REG;
  default: return LX_DT_UNKNOWN;
  }
}

/// An open regular file of a MemFs: reads and writes go straight to the
/// node, so every descriptor (and a shared mapping) sees the same bytes.
class MemFile : public OpenFile {
public:
  MemFile(std::shared_ptr<MemNode> N, uint32_t Flags)
      : OpenFile(N, Flags), File(std::move(N)) {}

  std::optional<std::pair<uint64_t, uint64_t>> identity() const override {
    return std::make_pair(File->Meta.Dev, File->Meta.Ino);
  }

  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    size_t N = REPRISE_TRY(File->readAt(Buf, Offset ? *Offset : Pos));
    if (!Offset)
      Pos += int64_t(N);
    return N;
  }
  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                       const int64_t *Offset) override {
    int64_t At = Offset ? *Offset : Pos;
    if ((Flags & LX_O_APPEND) && !Offset)
      At = File->Meta.Size;
    size_t N = REPRISE_TRY(File->writeAt(Buf, At));
    if (!Offset)
      Pos = At + int64_t(N);
    return N;
  }
  Result<int64_t> seek(int64_t Off, uint32_t Whence) override {
    int64_t Base;
    switch (Whence) {
    case LX_SEEK_SET: Base = 0; break;
    case LX_SEEK_CUR: Base = Pos; break;
    case LX_SEEK_END: Base = File->Meta.Size; break;
    default: return Errno::LX_EINVAL;
    }
    if ((Off > 0 && Base > INT64_MAX - Off) || Base + Off < 0)
      return Errno::LX_EINVAL;
    Pos = Base + Off;
    return Pos;
  }

private:
  std::shared_ptr<MemNode> File;
};

} // namespace

std::shared_ptr<MemNode> makeMemDir(const MemFsRef &FS, uint32_t Mode) {
  return std::make_shared<MemNode>(FS, LX_S_IFDIR | (Mode & 07777), FS->Owner);
}

MemNode::MemNode(MemFsRef FS, uint32_t Mode, Creds Owner) : FS(std::move(FS)) {
  Meta.Mode = Mode;
  Meta.Uid = Owner.Uid;
  Meta.Gid = Owner.Gid;
  Meta.Nlink = (Mode & LX_S_IFMT) == LX_S_IFDIR ? 2 : 1;
  Meta.Size = 0;
  Meta.Dev = this->FS->Device;
  Meta.Ino = this->FS->NextIno++;
  Meta.Atime = Meta.Mtime = Meta.Ctime = this->FS->Now();
  ++this->FS->Nodes;
}

MemNode::~MemNode() {
  FS->Used -= std::min<uint64_t>(FS->Used, Data.size());
  --FS->Nodes;
  // A directory whose last owner this was takes its children's entries
  // before they go, so that a deep tree is freed in a loop, not by one
  // destructor call per level (a guest can nest directories without end).
  std::vector<std::shared_ptr<MemNode>> Todo;
  for (auto &E : Entries)
    Todo.push_back(std::move(E.second));
  Entries.clear();
  while (!Todo.empty()) {
    std::shared_ptr<MemNode> N = std::move(Todo.back());
    Todo.pop_back();
    if (N && N.use_count() == 1) {
      for (auto &E : N->Entries)
        Todo.push_back(std::move(E.second));
      N->Entries.clear();
    }
  }
}

Result<FileStat> MemNode::stat() {
  FileStat S = Meta;
  S.Blksize = 4096;
  if (isDir())
    S.Size = 4096;
  // tmpfs counts the pages a file holds; a symlink's target is in the inode.
  S.Blocks = fileType() == LX_S_IFREG ? (S.Size + 4095) / 4096 * 8
             : isDir()                ? 8
                                      : 0;
  return S;
}

Result<FileRef> MemNode::open(uint32_t Flags) {
  auto Self = std::static_pointer_cast<MemNode>(shared_from_this());
  if (isDir()) {
    if ((Flags & LX_O_ACCMODE) != LX_O_RDONLY)
      return Errno::LX_EISDIR;
    return FileRef(std::make_shared<DirectoryFile>(Self, Flags));
  }
  if (Flags & LX_O_DIRECTORY)
    return Errno::LX_ENOTDIR;
  if (fileType() == LX_S_IFSOCK && !(Flags & LX_O_PATH))
    return Errno::LX_ENXIO; // a socket is reached through connect(2)
  if (isSymlink() && !(Flags & LX_O_PATH))
    return Errno::LX_ELOOP;
  if ((Flags & LX_O_TRUNC) && !(Flags & LX_O_PATH) &&
      (Flags & LX_O_ACCMODE) != LX_O_RDONLY && Meta.Size != 0)
    REPRISE_TRY(truncate(0));
  return FileRef(std::make_shared<MemFile>(Self, Flags));
}

std::shared_ptr<MemNode> MemNode::child(const std::string &Name) const {
  auto It = Entries.find(Name);
  return It == Entries.end() ? nullptr : It->second;
}

Result<VnodeRef> MemNode::lookup(std::string_view Name) {
  if (!isDir())
    return Errno::LX_ENOTDIR;
  if (auto C = child(std::string(Name)))
    return VnodeRef(C);
  return Errno::LX_ENOENT;
}

Result<std::vector<DirEntry>> MemNode::list() {
  if (!isDir())
    return Errno::LX_ENOTDIR;
  std::vector<DirEntry> Out;
  for (const auto &[Name, N] : Entries) // a std::map: sorted by name
    Out.push_back({Name, N->Meta.Ino, direntTypeOf(N->Meta.Mode)});
  return Out;
}

Result<void> MemNode::checkNew(std::string_view Name) const {
  if (!isDir())
    return Errno::LX_ENOTDIR;
  if (Name.empty() || Name == "." || Name == ".." ||
      Name.find('/') != std::string_view::npos)
    return Errno::LX_EINVAL;
  if (Name.size() > 255)
    return Errno::LX_ENAMETOOLONG;
  if (Meta.Nlink == 0)
    return Errno::LX_ENOENT; // a removed directory takes no new entries
  if (Entries.count(std::string(Name)))
    return Errno::LX_EEXIST;
  if (FS->Nodes >= MemFs::MaxNodes)
    return Errno::LX_ENOSPC; // out of inodes, as tmpfs's nr_inodes
  return {};
}

void MemNode::attach(const std::string &Name, std::shared_ptr<MemNode> Child) {
  if (Child->isDir())
    ++Meta.Nlink;
  Entries[Name] = std::move(Child);
  modified();
}

void MemNode::detach(const std::string &Name) {
  auto It = Entries.find(Name);
  if (It == Entries.end())
    return;
  MemNode &C = *It->second;
  if (C.isDir()) {
    --Meta.Nlink;
    C.Meta.Nlink = 0;
  } else if (C.Meta.Nlink > 0) {
    --C.Meta.Nlink;
  }
  C.Meta.Ctime = FS->Now();
  Entries.erase(It);
  modified();
}

void MemNode::modified() {
  Meta.Mtime = Meta.Ctime = FS->Now();
}

Result<VnodeRef> MemNode::createFile(std::string_view Name, uint32_t Mode,
                                     const Creds &C) {
  REPRISE_TRY(checkNew(Name));
  auto N = std::make_shared<MemNode>(FS, LX_S_IFREG | (Mode & 07777), C);
  attach(std::string(Name), N);
  return VnodeRef(N);
}

Result<void> MemNode::mkdir(std::string_view Name, uint32_t Mode,
                            const Creds &C) {
  REPRISE_TRY(checkNew(Name));
  attach(std::string(Name),
         std::make_shared<MemNode>(FS, LX_S_IFDIR | (Mode & 07777), C));
  return {};
}

Result<void> MemNode::symlink(std::string_view Name, std::string_view To) {
  REPRISE_TRY(checkNew(Name));
  if (To.empty())
    return Errno::LX_ENOENT;
  auto N = std::make_shared<MemNode>(FS, LX_S_IFLNK | 0777, FS->Owner);
  N->setTarget(std::string(To));
  attach(std::string(Name), N);
  return {};
}

Result<void> MemNode::mknod(std::string_view Name, uint32_t Mode, const Creds &C) {
  REPRISE_TRY(checkNew(Name));
  if ((Mode & LX_S_IFMT) != LX_S_IFSOCK)
    return Errno::LX_EPERM;
  attach(std::string(Name), std::make_shared<MemNode>(FS, Mode, C));
  return {};
}

Result<std::shared_ptr<MemNode>> MemNode::removable(std::string_view Name) const {
  if (!isDir())
    return Errno::LX_ENOTDIR;
  if (Name == "." || Name == "..")
    return Errno::LX_EINVAL;
  auto C = child(std::string(Name));
  if (!C)
    return Errno::LX_ENOENT;
  return C;
}

Result<void> MemNode::unlink(std::string_view Name) {
  auto C = REPRISE_TRY(removable(Name));
  if (C->isDir())
    return Errno::LX_EISDIR;
  detach(std::string(Name));
  return {};
}

Result<void> MemNode::rmdir(std::string_view Name) {
  auto C = REPRISE_TRY(removable(Name));
  if (!C->isDir())
    return Errno::LX_ENOTDIR;
  if (!C->Entries.empty())
    return Errno::LX_ENOTEMPTY;
  detach(std::string(Name));
  return {};
}

Result<void> MemNode::rename(std::string_view Name, Vnode &NewDir,
                             std::string_view NewName, uint32_t Flags) {
  auto *Dest = dynamic_cast<MemNode *>(&NewDir);
  if (!Dest || Dest->FS != FS)
    return Errno::LX_EXDEV;
  if (Flags & LX_RENAME_EXCHANGE)
    return Errno::LX_EINVAL; // as HostFs: not offered
  auto Src = REPRISE_TRY(removable(Name));
  if (NewName.empty() || NewName == "." || NewName == ".." ||
      NewName.find('/') != std::string_view::npos)
    return Errno::LX_EINVAL;
  if (NewName.size() > 255)
    return Errno::LX_ENAMETOOLONG;
  if (Dest->Meta.Nlink == 0)
    return Errno::LX_ENOENT;
  std::string From(Name), To(NewName);
  if (auto Old = Dest->child(To)) {
    if (Old == Src)
      return {}; // two names of one object: nothing happens
    if (Flags & LX_RENAME_NOREPLACE)
      return Errno::LX_EEXIST;
    if (Src->isDir() && !Old->isDir())
      return Errno::LX_ENOTDIR;
    if (!Src->isDir() && Old->isDir())
      return Errno::LX_EISDIR;
    if (Old->isDir() && !Old->Entries.empty())
      return Errno::LX_ENOTEMPTY;
    Dest->detach(To);
  }
  Entries.erase(From);
  if (Src->isDir())
    --Meta.Nlink;
  modified();
  Src->Meta.Ctime = FS->Now();
  Dest->attach(To, std::move(Src));
  return {};
}

Result<void> MemNode::link(std::string_view Name, Vnode &TargetNode) {
  auto *Src = dynamic_cast<MemNode *>(&TargetNode);
  if (!Src || Src->FS != FS)
    return Errno::LX_EXDEV;
  if (Src->isDir())
    return Errno::LX_EPERM;
  if (Src->Meta.Nlink == 0)
    return Errno::LX_ENOENT; // linkat of an unlinked file (no O_TMPFILE)
  REPRISE_TRY(checkNew(Name));
  auto Self = std::static_pointer_cast<MemNode>(Src->shared_from_this());
  ++Src->Meta.Nlink;
  Src->Meta.Ctime = FS->Now();
  Entries[std::string(Name)] = Self;
  modified();
  return {};
}

Result<void> MemNode::chmod(uint32_t Mode) {
  if (isSymlink())
    return Errno::LX_EOPNOTSUPP;
  Meta.Mode = (Meta.Mode & LX_S_IFMT) | (Mode & 07777);
  Meta.Ctime = FS->Now();
  return {};
}

Result<void> MemNode::chown(uint32_t Uid, uint32_t Gid) {
  Meta.Uid = Uid;
  Meta.Gid = Gid;
  Meta.Ctime = FS->Now();
  return {};
}

Result<void> MemNode::setTimes(const Timespec *Atime, const Timespec *Mtime) {
  if (Atime)
    Meta.Atime = *Atime;
  if (Mtime)
    Meta.Mtime = *Mtime;
  Meta.Ctime = FS->Now();
  return {};
}

Result<std::string> MemNode::readlink() {
  if (!isSymlink())
    return Errno::LX_EINVAL;
  return Target;
}

Result<void> MemNode::resize(int64_t Size) {
  if (Size < 0)
    return Errno::LX_EINVAL;
  uint64_t Old = Data.size();
  if (uint64_t(Size) > Old && uint64_t(Size) - Old > FS->Capacity - FS->Used)
    return Errno::LX_ENOSPC;
  Data.resize(size_t(Size));
  FS->Used = FS->Used - Old + uint64_t(Size);
  Meta.Size = Size;
  return {};
}

Result<void> MemNode::truncate(int64_t Size) {
  if (isDir())
    return Errno::LX_EISDIR;
  if (fileType() != LX_S_IFREG)
    return Errno::LX_EINVAL;
  REPRISE_TRY(resize(Size));
  modified();
  return {};
}

Result<size_t> MemNode::readAt(llvm::MutableArrayRef<uint8_t> Buf, int64_t At) {
  if (At < 0)
    return Errno::LX_EINVAL;
  if (At >= Meta.Size)
    return size_t(0);
  size_t N = std::min<size_t>(Buf.size(), size_t(Meta.Size - At));
  std::memcpy(Buf.data(), Data.data() + At, N);
  return N;
}

Result<size_t> MemNode::writeAt(llvm::ArrayRef<uint8_t> Buf, int64_t At) {
  if (At < 0)
    return Errno::LX_EINVAL;
  if (Buf.empty())
    return size_t(0);
  if (uint64_t(At) > uint64_t(INT64_MAX) - Buf.size())
    return Errno::LX_EFBIG;
  int64_t End = At + int64_t(Buf.size());
  if (End > Meta.Size)
    REPRISE_TRY(resize(End));
  std::memcpy(Data.data() + At, Buf.data(), Buf.size());
  modified();
  return Buf.size();
}

} // namespace reprise::fs
