//===- fs/HostFs.cpp ------------------------------------------------------===//
#include "fs/HostFs.h"
#include "fs/Directory.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace reprise::fs {

using namespace linux_abi;

namespace {

int hostOpenFlags(uint32_t F) {
  int H = 0;
  switch (F & LX_O_ACCMODE) {
  case LX_O_WRONLY: H = O_WRONLY; break;
  case LX_O_RDWR: H = O_RDWR; break;
  default: H = O_RDONLY; break;
  }
  if (F & LX_O_TRUNC) H |= O_TRUNC;
  return H | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
}

/// The guest's file type for a host st_mode.
uint32_t guestType(mode_t M) {
  switch (M & S_IFMT) {
  case S_IFDIR: return LX_S_IFDIR;
  case S_IFREG: return LX_S_IFREG;
  case S_IFLNK: return LX_S_IFLNK;
  case S_IFCHR: return LX_S_IFCHR;
  case S_IFBLK: return LX_S_IFBLK;
  case S_IFIFO: return LX_S_IFIFO;
  default: return LX_S_IFSOCK;
  }
}

class HostVnode;

/// A regular file (or anything else that is not a directory) opened on the host.
class HostFile : public OpenFile {
public:
  HostFile(VnodeRef N, uint32_t Flags, HostFs &FS, int Fd, uint64_t Ino)
      : OpenFile(std::move(N), Flags), FS(FS), Fd(Fd), Ino(Ino) {}
  ~HostFile() override { ::close(Fd); }

  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    int64_t At = Offset ? *Offset : Pos;
    int64_t N = FS.gate().call(replay::InputKind::HostRead, Buf, [&] {
      ssize_t R = ::pread(Fd, Buf.data(), Buf.size(), At);
      return R < 0 ? -int64_t(errno) : int64_t(R);
    });
    if (N < 0)
      return fromHostErrno(int(-N));
    if (!Offset)
      Pos += N;
    return size_t(N);
  }

  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                       const int64_t *Offset) override {
    bool Append = (Flags & LX_O_APPEND) && !Offset;
    int64_t N = FS.gate().call(replay::InputKind::HostWrite, {}, [&] {
      // O_APPEND may have been set with F_SETFL after the host open, so
      // appending is done here: at the file's current end.
      off_t At = Offset ? *Offset : Pos;
      if (Append) {
        struct stat St;
        if (::fstat(Fd, &St) != 0)
          return -int64_t(errno);
        At = St.st_size;
      }
      ssize_t R = ::pwrite(Fd, Buf.data(), Buf.size(), At);
      return R < 0 ? -int64_t(errno) : int64_t(R);
    });
    if (N < 0)
      return fromHostErrno(int(-N));
    FS.touched(Ino);
    if (Append) {
      struct stat St;
      if (::fstat(Fd, &St) == 0)
        Pos = St.st_size;
    } else if (!Offset) {
      Pos += N;
    }
    return size_t(N);
  }

  Result<int64_t> seek(int64_t Off, uint32_t Whence) override {
    int64_t Base;
    switch (Whence) {
    case LX_SEEK_SET: Base = 0; break;
    case LX_SEEK_CUR: Base = Pos; break;
    case LX_SEEK_END: {
      auto S = REPRISE_TRY(Node->stat());
      Base = S.Size;
      break;
    }
    default: return Errno::LX_EINVAL;
    }
    if ((Off > 0 && Base > INT64_MAX - Off) || Base + Off < 0)
      return Errno::LX_EINVAL;
    Pos = Base + Off;
    return Pos;
  }

  Result<void> truncate(int64_t Size) override {
    if (::ftruncate(Fd, Size) != 0)
      return fromHostErrno(errno);
    FS.touched(Ino);
    return {};
  }

  int hostFd() const override { return Fd; }

private:
  HostFs &FS;
  int Fd;
  uint64_t Ino;
};

/// A host file system object, named without any host path: a directory
/// holds a descriptor of its own (opened with O_PATH where the host has it)
/// and everything below it is reached with *at calls relative to that
/// descriptor and with symlinks never followed by the host. Any other object
/// is its parent directory's descriptor plus its name. The host therefore
/// never resolves more than one component, and a directory the guest has
/// entered stays the same directory when it (or anything above it) is renamed
/// or replaced by a symlink: nothing the guest does moves it outside the root.
class HostVnode : public Vnode {
public:
  /// A directory, taking ownership of \p DirFd.
  HostVnode(HostFs &FS, int DirFd)
      : FS(FS), DirFd(DirFd), Type(LX_S_IFDIR) {}
  /// Anything else: \p Name in directory \p Parent.
  HostVnode(HostFs &FS, std::shared_ptr<HostVnode> Parent, std::string Name,
            uint32_t Type)
      : FS(FS), Parent(std::move(Parent)), Name(std::move(Name)), Type(Type) {}
  ~HostVnode() override {
    if (DirFd >= 0)
      ::close(DirFd);
  }

  uint32_t fileType() const override { return Type; }

  Result<FileStat> stat() override {
    struct stat St;
    int64_t R = FS.gate().call(replay::InputKind::HostMetadata, {}, [&] {
      return statSelf(St) == 0 ? 0 : -int64_t(errno);
    });
    if (R < 0)
      return fromHostErrno(int(-R));
    return FS.translate(&St);
  }

  Result<VnodeRef> lookup(std::string_view Child) override {
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    struct stat St;
    int Fd = -1;
    int64_t R = FS.gate().call(replay::InputKind::HostMetadata, {}, [&] {
      if (::fstatat(DirFd, C.c_str(), &St, AT_SYMLINK_NOFOLLOW) != 0)
        return -int64_t(errno);
      if (!S_ISDIR(St.st_mode))
        return int64_t(0);
      Fd = ::openat(DirFd, C.c_str(), DirOpenFlags);
      return Fd < 0 ? -int64_t(errno) : int64_t(0);
    });
    if (R < 0)
      return fromHostErrno(int(-R));
    if (Fd >= 0)
      return VnodeRef(std::make_shared<HostVnode>(FS, Fd));
    return VnodeRef(
        std::make_shared<HostVnode>(FS, self(), std::move(C), guestType(St.st_mode)));
  }

  Result<std::vector<DirEntry>> list() override {
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    std::vector<DirEntry> Out;
    int64_t R = FS.gate().call(replay::InputKind::HostMetadata, {}, [&] {
      int Fd = ::openat(DirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (Fd < 0)
        return -int64_t(errno);
      DIR *D = ::fdopendir(Fd);
      if (!D) {
        int E = errno;
        ::close(Fd);
        return -int64_t(E);
      }
      while (struct dirent *E = ::readdir(D)) {
        std::string_view N = E->d_name;
        if (N == "." || N == "..")
          continue;
        struct stat St;
        if (::fstatat(::dirfd(D), E->d_name, &St, AT_SYMLINK_NOFOLLOW) != 0)
          continue; // vanished meanwhile
        Out.push_back({std::string(N), FS.guestIno(St.st_dev, St.st_ino),
                       direntType(guestType(St.st_mode))});
      }
      ::closedir(D);
      return int64_t(0);
    });
    if (R < 0)
      return fromHostErrno(int(-R));
    std::sort(Out.begin(), Out.end(),
              [](const DirEntry &A, const DirEntry &B) { return A.Name < B.Name; });
    return Out;
  }

  Result<FileRef> open(uint32_t Flags) override {
    if (Type == LX_S_IFDIR) {
      if ((Flags & LX_O_ACCMODE) != LX_O_RDONLY)
        return Errno::LX_EISDIR;
      return FileRef(std::make_shared<DirectoryFile>(shared_from_this(), Flags));
    }
    if (Flags & LX_O_DIRECTORY)
      return Errno::LX_ENOTDIR;
    if (Type == LX_S_IFLNK)
      return Errno::LX_ELOOP;
    int HostFlags = hostOpenFlags(Flags);
    if (Flags & LX_O_PATH)
      HostFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
    if (Type != LX_S_IFREG)
      return Errno::LX_ENXIO; // host devices, FIFOs and sockets stay out of reach
    int Fd = ::openat(Parent->DirFd, Name.c_str(), HostFlags);
    if (Fd < 0)
      return fromHostErrno(errno);
    struct stat St;
    if (::fstat(Fd, &St) != 0 || !S_ISREG(St.st_mode)) {
      int E = S_ISREG(St.st_mode) ? errno : ENXIO;
      ::close(Fd);
      return fromHostErrno(E);
    }
    uint64_t Ino = FS.guestIno(St.st_dev, St.st_ino);
    if (Flags & LX_O_TRUNC)
      FS.touched(Ino);
    return FileRef(
        std::make_shared<HostFile>(shared_from_this(), Flags, FS, Fd, Ino));
  }

  Result<VnodeRef> createFile(std::string_view Child, uint32_t Mode,
                              const Creds &) override {
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    int Fd = ::openat(DirFd, C.c_str(),
                      O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                      Mode & 07777);
    if (Fd < 0)
      return fromHostErrno(errno);
    struct stat St;
    int R = ::fstat(Fd, &St);
    ::close(Fd);
    if (R == 0)
      FS.touched(FS.guestIno(St.st_dev, St.st_ino));
    touchSelf();
    return VnodeRef(std::make_shared<HostVnode>(FS, self(), std::move(C), LX_S_IFREG));
  }

  Result<void> mkdir(std::string_view Child, uint32_t Mode,
                     const Creds &) override {
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    if (::mkdirat(DirFd, C.c_str(), Mode & 07777) != 0)
      return fromHostErrno(errno);
    struct stat St;
    if (::fstatat(DirFd, C.c_str(), &St, AT_SYMLINK_NOFOLLOW) == 0)
      FS.touched(FS.guestIno(St.st_dev, St.st_ino));
    touchSelf();
    return {};
  }

  Result<void> unlink(std::string_view Child) override {
    REPRISE_TRY(checkName(Child));
    if (::unlinkat(DirFd, std::string(Child).c_str(), 0) != 0)
      return fromHostErrno(errno);
    touchSelf();
    return {};
  }

  Result<void> rmdir(std::string_view Child) override {
    REPRISE_TRY(checkName(Child));
    if (::unlinkat(DirFd, std::string(Child).c_str(), AT_REMOVEDIR) != 0)
      return fromHostErrno(errno);
    touchSelf();
    return {};
  }

  Result<void> symlink(std::string_view Child, std::string_view Target) override {
    REPRISE_TRY(checkName(Child));
    if (::symlinkat(std::string(Target).c_str(), DirFd,
                    std::string(Child).c_str()) != 0)
      return fromHostErrno(errno);
    touchSelf();
    return {};
  }

  Result<void> rename(std::string_view From, Vnode &NewDir,
                      std::string_view To, uint32_t Flags) override {
    auto *Dest = dynamic_cast<HostVnode *>(&NewDir);
    if (!Dest || &Dest->FS != &FS || Dest->DirFd < 0)
      return Errno::LX_EXDEV;
    REPRISE_TRY(checkName(From));
    REPRISE_TRY(checkName(To));
    std::string F(From), T(To);
    if (Flags & LX_RENAME_EXCHANGE)
      return Errno::LX_EINVAL; // not offered by every host; refused plainly
    if (Flags & LX_RENAME_NOREPLACE) {
      struct stat St;
      if (::fstatat(Dest->DirFd, T.c_str(), &St, AT_SYMLINK_NOFOLLOW) == 0)
        return Errno::LX_EEXIST;
    }
    if (::renameat(DirFd, F.c_str(), Dest->DirFd, T.c_str()) != 0)
      return fromHostErrno(errno);
    touchSelf();
    Dest->touchSelf();
    return {};
  }

  Result<std::string> readlink() override {
    if (Type != LX_S_IFLNK)
      return Errno::LX_EINVAL;
    std::string Out(4096, '\0');
    int64_t R = FS.gate().call(replay::InputKind::HostMetadata, {}, [&] {
      ssize_t N = ::readlinkat(Parent->DirFd, Name.c_str(), Out.data(), Out.size());
      return N < 0 ? -int64_t(errno) : int64_t(N);
    });
    if (R < 0)
      return fromHostErrno(int(-R));
    Out.resize(size_t(R));
    return Out;
  }

  Result<void> truncate(int64_t Size) override {
    if (Type == LX_S_IFDIR)
      return Errno::LX_EISDIR;
    if (Type != LX_S_IFREG)
      return Errno::LX_EINVAL;
    int Fd = ::openat(Parent->DirFd, Name.c_str(),
                      O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (Fd < 0)
      return fromHostErrno(errno);
    struct stat St;
    int R = ::ftruncate(Fd, Size) == 0 ? 0 : errno;
    if (R == 0 && ::fstat(Fd, &St) == 0)
      FS.touched(FS.guestIno(St.st_dev, St.st_ino));
    ::close(Fd);
    if (R != 0)
      return fromHostErrno(R);
    return {};
  }

#ifdef O_PATH
  static constexpr int DirOpenFlags =
      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
  static constexpr int DirOpenFlags =
      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif

private:

  std::shared_ptr<HostVnode> self() {
    return std::static_pointer_cast<HostVnode>(shared_from_this());
  }
  int statSelf(struct stat &St) const {
    if (DirFd >= 0)
      return ::fstat(DirFd, &St);
    return ::fstatat(Parent->DirFd, Name.c_str(), &St, AT_SYMLINK_NOFOLLOW);
  }
  /// The syscall layer never passes these; refusing them here keeps a host
  /// "..", which would step above the root's descriptor, out of every call.
  static Result<void> checkName(std::string_view N) {
    if (N.empty() || N == "." || N == ".." ||
        N.find('/') != std::string_view::npos)
      return Errno::LX_EINVAL;
    return {};
  }
  void touchSelf() {
    struct stat St;
    if (statSelf(St) == 0)
      FS.touched(FS.guestIno(St.st_dev, St.st_ino));
  }
  static uint8_t direntType(uint32_t T) {
    switch (T) {
    case LX_S_IFDIR: return LX_DT_DIR;
    case LX_S_IFREG: return LX_DT_REG;
    case LX_S_IFLNK: return LX_DT_LNK;
    case LX_S_IFCHR: return LX_DT_CHR;
    case LX_S_IFBLK: return LX_DT_BLK;
    case LX_S_IFIFO: return LX_DT_FIFO;
    case LX_S_IFSOCK: return LX_DT_SOCK;
    default: return LX_DT_UNKNOWN;
    }
  }

  HostFs &FS;
  std::shared_ptr<HostVnode> Parent; // null for a directory
  std::string Name;                  // empty for a directory
  int DirFd = -1;                    // a directory's own descriptor
  uint32_t Type;
};

} // namespace

HostFs::HostFs(std::string HostRoot, replay::Gate &G, Creds Owner,
               std::function<Timespec()> Now)
    : HostRoot(std::move(HostRoot)), G(G), Owner(Owner), Now(std::move(Now)),
      HostUid(::geteuid()), HostGid(::getegid()) {}

Result<VnodeRef> HostFs::root() {
  int Fd = -1;
  int64_t R = G.call(replay::InputKind::HostMetadata, {}, [&] {
    Fd = ::open(HostRoot.empty() ? "/" : HostRoot.c_str(),
                HostVnode::DirOpenFlags & ~O_NOFOLLOW);
    return Fd < 0 ? -int64_t(errno) : int64_t(0);
  });
  if (R < 0)
    return fromHostErrno(int(-R));
  return VnodeRef(std::make_shared<HostVnode>(*this, Fd));
}

uint64_t HostFs::guestIno(uint64_t HostDev, uint64_t HostIno) {
  auto [It, New] = Inodes.try_emplace({HostDev, HostIno}, NextIno);
  if (New)
    ++NextIno;
  return It->second;
}

FileStat HostFs::translate(const void *P) {
  const auto &St = *static_cast<const struct stat *>(P);
  FileStat S;
  S.Dev = Device;
  S.Ino = guestIno(St.st_dev, St.st_ino);
  S.Mode = guestType(St.st_mode) | (St.st_mode & 07777);
  S.Nlink = St.st_nlink;
  S.Uid = St.st_uid == HostUid ? Owner.Uid : 65534;
  S.Gid = St.st_gid == HostGid ? Owner.Gid : 65534;
  S.Rdev = 0;
  S.Size = S_ISDIR(St.st_mode) ? 4096 : St.st_size;
  S.Blksize = 4096;
  S.Blocks = (S.Size + 4095) / 4096 * 8;
  auto O = Overrides.find(S.Ino);
  if (O != Overrides.end()) {
    S.Mtime = O->second;
  } else {
    S.Mtime = {int64_t(St.st_mtim.tv_sec), int64_t(St.st_mtim.tv_nsec)};
  }
  S.Atime = S.Ctime = S.Mtime;
  return S;
}

} // namespace reprise::fs
