//===- fs/HostFs.cpp ------------------------------------------------------===//
#include "fs/HostFs.h"
#include "fs/Directory.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace reprise::fs {

using namespace linux_abi;
using replay::InputKind;

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

/// A HostStat that a gated call reported as successful. Only a corrupt or
/// foreign trace can give a success without one; the guest then sees EIO.
Result<HostStat> validStat(const uint8_t *In) {
  HostStat S = HostStat::decode(In);
  if (!S.Valid)
    return Errno::LX_EIO;
  return S;
}

// A directory listing crosses the gate as one record per entry, in the order
// the host listed them: name length u32 | name | guest ino u64 | guest type
// u32 (all little-endian).
void encodeEntry(std::string &Out, std::string_view Name, uint64_t Ino,
                 uint32_t Type) {
  auto Append = [&Out](uint64_t V, unsigned Bytes) {
    for (unsigned I = 0; I < Bytes; ++I)
      Out.push_back(char(uint8_t(V >> (8 * I))));
  };
  Append(Name.size(), 4);
  Out.append(Name);
  Append(Ino, 8);
  Append(Type, 4);
}

uint8_t direntType(uint32_t T) {
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

class HostVnode;

/// A regular file opened on the host. Fd is the host descriptor a gated
/// open made, used only inside gated calls; in replay, where nothing was
/// opened, it is -1.
class HostFile : public OpenFile {
public:
  HostFile(VnodeRef N, uint32_t Flags, HostFs &FS, int Fd, uint64_t Ino)
      : OpenFile(std::move(N), Flags), FS(FS), Fd(Fd), Ino(Ino) {}
  ~HostFile() override { FS.release(Fd); }

  std::optional<std::pair<uint64_t, uint64_t>> identity() const override {
    return std::make_pair(HostFs::Device, Ino);
  }

  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    int64_t At = Offset ? *Offset : Pos;
    // Straight into the caller's buffer: the gate keeps its own copy only
    // when recording.
    int64_t N = FS.gate().call(InputKind::HostRead, Buf, [&]() -> int64_t {
      ssize_t R = ::pread(Fd, Buf.data(), Buf.size(), At);
      return R < 0 ? hostFailure() : int64_t(R);
    });
    if (N < 0)
      return gateErrno(N);
    if (!Offset)
      Pos += N;
    return size_t(N);
  }

  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                       const int64_t *Offset) override {
    bool Append = (Flags & LX_O_APPEND) && !Offset;
    // An append also hands back where the write ended: the new position.
    uint8_t End[8] = {};
    llvm::MutableArrayRef<uint8_t> Out;
    if (Append)
      Out = End;
    int64_t N = FS.gate().call(InputKind::HostWrite, Out, [&]() -> int64_t {
      // O_APPEND may have been set with F_SETFL after the host open, so
      // appending is done here: at the file's current end.
      off_t At = Offset ? *Offset : Pos;
      if (Append) {
        struct stat St;
        if (::fstat(Fd, &St) != 0)
          return hostFailure();
        At = St.st_size;
      }
      ssize_t R = ::pwrite(Fd, Buf.data(), Buf.size(), At);
      if (R < 0)
        return hostFailure();
      if (Append)
        put64(End, uint64_t(At + R));
      return int64_t(R);
    });
    if (N < 0)
      return gateErrno(N);
    FS.touched(Ino);
    if (Append)
      Pos = int64_t(get64(End));
    else if (!Offset)
      Pos += N;
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
    int64_t R = FS.gate().call(InputKind::HostEffect, {}, [&]() -> int64_t {
      return ::ftruncate(Fd, Size) == 0 ? 0 : hostFailure();
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Ino);
    return {};
  }

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
///
/// Every host call below sits inside a gated callable, and so does every use
/// of a descriptor: in replay DirFd is -1 (see HostFs.h). Whether an object
/// is a directory of its own is told by Parent, never by DirFd.
class HostVnode : public Vnode {
public:
  /// A directory, taking ownership of \p DirFd; \p Ino is its guest inode
  /// number (0 for the root, which no lookup reaches).
  HostVnode(HostFs &FS, int DirFd, uint64_t Ino)
      : FS(FS), DirFd(DirFd), Type(LX_S_IFDIR), DirIno(Ino) {}
  /// Anything else: \p Name in directory \p Parent.
  HostVnode(HostFs &FS, std::shared_ptr<HostVnode> Parent, std::string Name,
            uint32_t Type)
      : FS(FS), Parent(std::move(Parent)), Name(std::move(Name)), Type(Type) {}
  ~HostVnode() override { FS.release(DirFd); }

  uint32_t fileType() const override { return Type; }

  Result<FileStat> stat() override { return statAs(StatPart::Whole); }
  /// A directory's guest inode number (0 for the root).
  uint64_t dirIno() const { return DirIno; }

  Result<FileStat> access() override {
    if (Type != LX_S_IFDIR)
      return statAs(StatPart::Identity);
    if (const FileStat *Known = FS.cachedAccess(DirIno))
      return *Known;
    FileStat S = REPRISE_TRY(statAs(StatPart::Identity));
    FS.cacheAccess(DirIno, S);
    return S;
  }

  Result<VnodeRef> lookup(std::string_view Child) override {
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    if (VnodeRef Known = FS.cachedDir(DirIno, C))
      return Known;
    // The child's HostStat; a directory is also opened, and the call fails
    // if that fails. The descriptor stays out of the output: its number
    // depends on the host process, not on the guest.
    HostStatBytes Out = {};
    int Opened = -1;
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      if (int64_t E = hostStatAt(DirFd, C.c_str(), FS.hostIds(), Out,
                                 StatPart::Identity))
        return E;
      if (HostStat::decode(Out).type() != LX_S_IFDIR)
        return 0;
      Opened = ::openat(DirFd, C.c_str(), DirOpenFlags);
      return Opened < 0 ? hostFailure() : 0;
    });
    if (R < 0)
      return gateErrno(R);
    HostStat S = REPRISE_TRY(validStat(Out));
    if (S.type() == LX_S_IFDIR) {
      auto Dir = VnodeRef(std::make_shared<HostVnode>(FS, Opened, S.Ino));
      FS.cacheDir(DirIno, C, Dir);
      return Dir;
    }
    return VnodeRef(
        std::make_shared<HostVnode>(FS, self(), std::move(C), S.type()));
  }

  Result<std::vector<DirEntry>> list() override {
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    std::string Bytes;
    int64_t R =
        FS.gate().callVar(InputKind::HostMetadata, Bytes, [&]() -> int64_t {
          int Fd = ::openat(DirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (Fd < 0)
            return hostFailure();
          DIR *D = ::fdopendir(Fd);
          if (!D) {
            int64_t E = hostFailure();
            ::close(Fd);
            return E;
          }
          while (struct dirent *E = ::readdir(D)) {
            std::string_view N = E->d_name;
            if (N == "." || N == "..")
              continue;
            struct stat St;
            if (::fstatat(::dirfd(D), E->d_name, &St, AT_SYMLINK_NOFOLLOW) != 0)
              continue; // vanished meanwhile
            encodeEntry(Bytes, N, FS.guestIno(uint64_t(St.st_dev), uint64_t(St.st_ino)),
                        guestType(St.st_mode));
          }
          ::closedir(D);
          return 0;
        });
    if (R < 0)
      return gateErrno(R);
    // Inode numbers were handed out in the host's listing order, inside the
    // call; only now is the listing sorted.
    std::vector<DirEntry> Out;
    const auto *P = reinterpret_cast<const uint8_t *>(Bytes.data());
    size_t At = 0, Size = Bytes.size();
    while (At < Size) {
      if (Size - At < 4)
        return Errno::LX_EIO;
      size_t Len = get32(P + At);
      At += 4;
      if (Size - At < Len + 12)
        return Errno::LX_EIO;
      std::string N(Bytes, At, Len);
      At += Len;
      uint64_t Ino = get64(P + At);
      uint32_t T = get32(P + At + 8);
      At += 12;
      Out.push_back({std::move(N), Ino, direntType(T)});
    }
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
    if (!(Flags & LX_O_PATH) &&
        ((Flags & LX_O_ACCMODE) != LX_O_RDONLY || (Flags & LX_O_TRUNC)))
      REPRISE_TRY(writable());
    int HostFlags = hostOpenFlags(Flags);
    if (Flags & LX_O_PATH)
      HostFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
    if (Type != LX_S_IFREG)
      return Errno::LX_ENXIO; // host devices, FIFOs and sockets stay out of reach
    // The HostStat of what was opened; the descriptor stays out of the
    // output, as in lookup().
    HostStatBytes Out = {};
    int Opened = -1;
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      int Fd = ::openat(Parent->DirFd, Name.c_str(), HostFlags);
      if (Fd < 0)
        return hostFailure();
      int64_t E = hostStatFd(Fd, FS.hostIds(), Out);
      if (E == 0 && HostStat::decode(Out).type() != LX_S_IFREG)
        E = hostFailure(ENXIO);
      if (E != 0) {
        ::close(Fd);
        return E;
      }
      Opened = Fd;
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    HostStat S = REPRISE_TRY(validStat(Out));
    uint64_t Ino = S.Ino;
    if (Flags & LX_O_TRUNC)
      FS.touched(Ino);
    return FileRef(std::make_shared<HostFile>(shared_from_this(), Flags, FS,
                                              Opened, Ino));
  }

  Result<VnodeRef> createFile(std::string_view Child, uint32_t Mode,
                              const Creds &Who) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    // The new file's HostStat, then this directory's (either left empty when
    // its stat fails: it then keeps its host mtime).
    uint8_t Out[2 * HostStat::Bytes] = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      int Fd = ::openat(DirFd, C.c_str(),
                        O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                        Mode & 07777);
      if (Fd < 0)
        return hostFailure();
      (void)hostStatFd(Fd, FS.hostIds(), Out, StatPart::Identity);
      ::close(Fd);
      (void)statSelf(Out + HostStat::Bytes, StatPart::Identity);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Out);
    FS.created(Out, Who);
    return VnodeRef(std::make_shared<HostVnode>(FS, self(), std::move(C), LX_S_IFREG));
  }

  Result<void> mkdir(std::string_view Child, uint32_t Mode,
                     const Creds &Who) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    return makeEntry(C, &Who, [&] { return ::mkdirat(DirFd, C.c_str(), Mode & 07777); });
  }

  Result<void> unlink(std::string_view Child) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    FS.forgetDir(DirIno, C);
    return changeEntry([&] { return removeEntry(DirFd, C.c_str(), 0); });
  }

  Result<void> rmdir(std::string_view Child) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    FS.forgetDir(DirIno, C);
    return changeEntry(
        [&] { return removeEntry(DirFd, C.c_str(), AT_REMOVEDIR); });
  }

  Result<void> symlink(std::string_view Child, std::string_view Target) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    std::string C(Child), T(Target);
    return makeEntry(C, nullptr, [&] { return ::symlinkat(T.c_str(), DirFd, C.c_str()); });
  }

  Result<void> mknod(std::string_view Child, uint32_t Mode, const Creds &Who) override {
    REPRISE_TRY(writable());
    REPRISE_TRY(checkName(Child));
    if ((Mode & LX_S_IFMT) != LX_S_IFSOCK)
      return Errno::LX_EPERM;
    std::string C(Child);
    // A socket node needs no privilege on the host: it is only a name; the
    // socket behind it is reprise's.
    return makeEntry(C, &Who, [&] {
      return ::mknodat(DirFd, C.c_str(), S_IFSOCK | (Mode & 07777), 0);
    });
  }

  Result<void> rename(std::string_view From, Vnode &NewDir,
                      std::string_view To, uint32_t Flags) override {
    REPRISE_TRY(writable());
    auto *Dest = dynamic_cast<HostVnode *>(&NewDir);
    if (!Dest || &Dest->FS != &FS || Dest->Parent)
      return Errno::LX_EXDEV;
    REPRISE_TRY(checkName(From));
    REPRISE_TRY(checkName(To));
    std::string F(From), T(To);
    if (Flags & LX_RENAME_EXCHANGE)
      return Errno::LX_EINVAL; // not offered by every host; refused plainly
    bool NoReplace = Flags & LX_RENAME_NOREPLACE;
    // Both names may change what they stand for, whatever the outcome.
    FS.forgetDir(DirIno, F);
    FS.forgetDir(Dest->DirIno, T);
    // This directory's HostStat, then the destination's.
    uint8_t Out[2 * HostStat::Bytes] = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      if (NoReplace) {
        struct stat St;
        if (::fstatat(Dest->DirFd, T.c_str(), &St, AT_SYMLINK_NOFOLLOW) == 0)
          return -errnoValue(Errno::LX_EEXIST);
      }
      // A destination replaced by the rename loses its last name here.
      struct stat Old, Src;
      bool Replaces =
          ::fstatat(Dest->DirFd, T.c_str(), &Old, AT_SYMLINK_NOFOLLOW) == 0 &&
          ::fstatat(DirFd, F.c_str(), &Src, AT_SYMLINK_NOFOLLOW) == 0 &&
          (Old.st_dev != Src.st_dev || Old.st_ino != Src.st_ino);
      if (::renameat(DirFd, F.c_str(), Dest->DirFd, T.c_str()) != 0)
        return hostFailure();
      if (Replaces && (S_ISDIR(Old.st_mode) || Old.st_nlink <= 1))
        FS.forgetIno(uint64_t(Old.st_dev), uint64_t(Old.st_ino));
      (void)statSelf(Out, StatPart::Identity);
      (void)Dest->statSelf(Out + HostStat::Bytes, StatPart::Identity);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Out);
    return {};
  }

  Result<void> link(std::string_view Child, Vnode &Target) override {
    REPRISE_TRY(writable());
    auto *Src = dynamic_cast<HostVnode *>(&Target);
    if (!Src || &Src->FS != &FS)
      return Errno::LX_EXDEV;
    if (Src->Type == LX_S_IFDIR)
      return Errno::LX_EPERM; // no hard links to directories
    REPRISE_TRY(checkName(Child));
    std::string C(Child);
    return changeEntry([&] {
      return ::linkat(Src->Parent->DirFd, Src->Name.c_str(), DirFd, C.c_str(), 0);
    });
  }

  Result<void> chmod(uint32_t Mode) override {
    REPRISE_TRY(writable());
    if (Type == LX_S_IFLNK)
      return Errno::LX_EOPNOTSUPP; // as Linux for the link itself
    if (Type == LX_S_IFDIR)
      FS.forgetAccess(DirIno);
    int64_t R = FS.gate().call(InputKind::HostEffect, {}, [&]() -> int64_t {
      if (Type == LX_S_IFDIR)
        return withDirFd([&](int Fd) { return ::fchmod(Fd, mode_t(Mode & 07777)); });
      // glibc refuses the change (EOPNOTSUPP) if the name is now a symlink.
      return ::fchmodat(Parent->DirFd, Name.c_str(), mode_t(Mode & 07777),
                        AT_SYMLINK_NOFOLLOW);
    });
    return R < 0 ? Result<void>(gateErrno(R)) : Result<void>();
  }

  Result<void> chown(uint32_t Uid, uint32_t Gid) override {
    REPRISE_TRY(writable());
    if (Type == LX_S_IFDIR)
      FS.forgetAccess(DirIno);
    HostStatBytes Out = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      return statSelf(Out, StatPart::Identity);
    });
    if (R < 0)
      return gateErrno(R);
    FS.ownerSet(Out, Uid, Gid);
    return {};
  }

  Result<void> setTimes(const Timespec *Atime, const Timespec *Mtime) override {
    REPRISE_TRY(writable());
    struct timespec Ts[2];
    const Timespec *Want[2] = {Atime, Mtime};
    for (int I = 0; I < 2; ++I) {
      Ts[I].tv_sec = Want[I] ? Want[I]->Sec : 0;
      Ts[I].tv_nsec = Want[I] ? long(Want[I]->Nsec) : UTIME_OMIT;
    }
    // The object's identity, to drop the time of its last write.
    HostStatBytes Out = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      int Rc = Type == LX_S_IFDIR
                   ? withDirFd([&](int Fd) { return ::futimens(Fd, Ts); })
                   : ::utimensat(Parent->DirFd, Name.c_str(), Ts, AT_SYMLINK_NOFOLLOW);
      if (Rc != 0)
        return hostFailure();
      (void)statSelf(Out, StatPart::Identity);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    if (Mtime)
      FS.timesSet(Out);
    return {};
  }

  Result<std::string> readlink() override {
    if (Type != LX_S_IFLNK)
      return Errno::LX_EINVAL;
    std::string Out;
    int64_t R = FS.gate().callVar(InputKind::HostMetadata, Out, [&]() -> int64_t {
      Out.assign(4096, '\0');
      ssize_t N = ::readlinkat(Parent->DirFd, Name.c_str(), Out.data(), Out.size());
      if (N < 0) {
        int64_t E = hostFailure();
        Out.clear();
        return E;
      }
      Out.resize(size_t(N));
      return int64_t(N);
    });
    if (R < 0)
      return gateErrno(R);
    if (uint64_t(R) != Out.size())
      return Errno::LX_EIO; // only a corrupt trace says so
    return Out;
  }

  Result<void> truncate(int64_t Size) override {
    REPRISE_TRY(writable());
    if (Type == LX_S_IFDIR)
      return Errno::LX_EISDIR;
    if (Type != LX_S_IFREG)
      return Errno::LX_EINVAL;
    // The truncated file's identity (empty when the stat fails).
    HostStatBytes Out = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      int Fd = ::openat(Parent->DirFd, Name.c_str(),
                        O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
      if (Fd < 0)
        return hostFailure();
      if (::ftruncate(Fd, Size) != 0) {
        int64_t E = hostFailure();
        ::close(Fd);
        return E;
      }
      (void)hostStatFd(Fd, FS.hostIds(), Out, StatPart::Identity);
      ::close(Fd);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Out);
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
  /// Inside a gated callable only: this object's HostStat into \p Out.
  /// unlinkat(2) of \p Name in \p Dir, for use inside a gated callable.
  /// When that was the object's last name, the host may give its inode
  /// number to a new file: the guest's number for it is forgotten, so that
  /// the new file gets a fresh one however the host numbers it.
  int removeEntry(int Dir, const char *Name, int Flags) {
    struct stat St;
    bool Known = ::fstatat(Dir, Name, &St, AT_SYMLINK_NOFOLLOW) == 0;
    if (::unlinkat(Dir, Name, Flags) != 0)
      return -1;
    if (Known && (S_ISDIR(St.st_mode) || St.st_nlink <= 1))
      FS.forgetIno(uint64_t(St.st_dev), uint64_t(St.st_ino));
    return 0;
  }
  /// Inside a gated callable only: runs \p Op on a descriptor of this
  /// directory that allows fchmod and futimens (its own may be O_PATH,
  /// which does not).
  int withDirFd(llvm::function_ref<int(int)> Op) {
    int Fd = ::openat(DirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (Fd < 0)
      return -1;
    int Rc = Op(Fd);
    int Saved = errno;
    ::close(Fd);
    errno = Saved;
    return Rc;
  }
  int64_t statSelf(uint8_t *Out, StatPart Part = StatPart::Whole) {
    if (!Parent)
      return hostStatFd(DirFd, FS.hostIds(), Out, Part);
    return hostStatAt(Parent->DirFd, Name.c_str(), FS.hostIds(), Out, Part);
  }
  Result<FileStat> statAs(StatPart Part) {
    HostStatBytes Out = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out,
                               [&]() -> int64_t { return statSelf(Out, Part); });
    if (R < 0)
      return gateErrno(R);
    return FS.translate(REPRISE_TRY(validStat(Out)));
  }
  /// Makes the host change \p Change to an entry of this directory (0 or -1
  /// with errno, as the host's own calls return) and marks the directory as
  /// written; one gated call, which hands back the directory's HostStat.
  Result<void> changeEntry(llvm::function_ref<int()> Change) {
    HostStatBytes Out = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      if (Change() != 0)
        return hostFailure();
      (void)statSelf(Out, StatPart::Identity);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Out);
    return {};
  }
  /// Makes the host create entry \p Name with \p Make (0 or -1 with errno)
  /// in one gated call that hands back the new object's HostStat, then this
  /// directory's: both show the virtual time of the change, not the host's.
  /// \p Who, when given, owns the new object (symlink(2) has no creds).
  Result<void> makeEntry(const std::string &Name, const Creds *Who,
                         llvm::function_ref<int()> Make) {
    uint8_t Out[2 * HostStat::Bytes] = {};
    int64_t R = FS.gate().call(InputKind::HostMetadata, Out, [&]() -> int64_t {
      if (Make() != 0)
        return hostFailure();
      (void)hostStatAt(DirFd, Name.c_str(), FS.hostIds(), Out, StatPart::Identity);
      (void)statSelf(Out + HostStat::Bytes, StatPart::Identity);
      return 0;
    });
    if (R < 0)
      return gateErrno(R);
    FS.touched(Out);
    if (Who)
      FS.created(Out, *Who);
    return {};
  }
  /// The syscall layer never passes these; refusing them here keeps a host
  /// "..", which would step above the root's descriptor, out of every call.
  /// EROFS on a read-only bind.
  Result<void> writable() const {
    if (FS.readOnly())
      return Errno::LX_EROFS;
    return {};
  }
  static Result<void> checkName(std::string_view N) {
    if (N.empty() || N == "." || N == ".." ||
        N.find('/') != std::string_view::npos)
      return Errno::LX_EINVAL;
    return {};
  }

  HostFs &FS;
  std::shared_ptr<HostVnode> Parent; // null for a directory
  std::string Name;                  // empty for a directory
  int DirFd = -1;                    // a directory's own (-1 in replay)
  uint32_t Type;
  uint64_t DirIno = 0;               // a directory's guest inode number
};

} // namespace

HostFs::HostFs(std::string HostRoot, replay::Gate &G, Creds Owner,
               std::function<Timespec()> Now, uint64_t Dev, bool ReadOnly)
    : HostRoot(std::move(HostRoot)), G(G), Owner(Owner), Now(std::move(Now)),
      Dev(Dev), ReadOnly(ReadOnly) {
  Known->Members.push_back(this);
}

HostFs::~HostFs() {
  auto &M = Known->Members;
  M.erase(std::remove(M.begin(), M.end(), this), M.end());
}

void HostFs::shareIdentities(std::shared_ptr<Identities> I) {
  auto &M = Known->Members;
  M.erase(std::remove(M.begin(), M.end(), this), M.end());
  Known = std::move(I);
  Known->Members.push_back(this);
}

Result<VnodeRef> HostFs::root() {
  // Only the result crosses the gate; the descriptor is kept aside (see
  // HostVnode::lookup).
  int Opened = -1;
  int64_t R = G.call(InputKind::HostMetadata, {}, [&]() -> int64_t {
    Opened = ::open(HostRoot.empty() ? "/" : HostRoot.c_str(),
                    HostVnode::DirOpenFlags & ~O_NOFOLLOW);
    return Opened < 0 ? hostFailure() : 0;
  });
  if (R < 0)
    return gateErrno(R);
  return VnodeRef(std::make_shared<HostVnode>(*this, Opened, 0));
}

const HostIds &HostFs::hostIds() {
  auto &Ids = Known->Ids;
  if (!Ids) {
    Ids = HostIds{uint32_t(::geteuid()), uint32_t(::getegid()), {}, {}};
    // The lambdas use the table itself, so that whichever file system
    // first asked, every one sharing it sees the same numbers.
    Identities *I = Known.get();
    Ids->GuestIno = [I](uint64_t Dev, uint64_t Ino) {
      auto [It, New] = I->Inodes.try_emplace({Dev, Ino}, I->NextIno);
      if (New)
        ++I->NextIno;
      return It->second;
    };
    Ids->WrittenAt = [I](uint64_t Ino) -> std::optional<Timespec> {
      auto It = I->Overrides.find(Ino);
      if (It == I->Overrides.end())
        return std::nullopt;
      return It->second;
    };
  }
  return *Ids;
}

void HostFs::release(int HostFd) {
  if (HostFd >= 0)
    ::close(HostFd);
}

VnodeRef HostFs::cachedDir(uint64_t Parent, const std::string &Name) {
  auto It = Dirs.find({Parent, Name});
  if (It == Dirs.end())
    return nullptr;
  DirUse.splice(DirUse.begin(), DirUse, It->second.Use);
  return It->second.Dir;
}

void HostFs::cacheDir(uint64_t Parent, const std::string &Name, VnodeRef Dir) {
  forgetDirHere(Parent, Name);
  DirUse.push_front({Parent, Name});
  Dirs.emplace(DirUse.front(), DirEntryRef{std::move(Dir), DirUse.begin()});
  if (Dirs.size() > DirCacheSize)
    forgetDirHere(DirUse.back().first, DirUse.back().second);
}

void HostFs::forgetDir(uint64_t Parent, const std::string &Name) {
  for (HostFs *FS : Known->Members)
    FS->forgetDirHere(Parent, Name);
}

void HostFs::forgetDirHere(uint64_t Parent, const std::string &Name) {
  auto It = Dirs.find({Parent, Name});
  if (It == Dirs.end())
    return;
  forgetAccess(static_cast<HostVnode &>(*It->second.Dir).dirIno());
  DirUse.erase(It->second.Use);
  Dirs.erase(It);
}

void HostFs::forgetAccess(uint64_t DirIno) {
  for (HostFs *FS : Known->Members)
    FS->DirAccess.erase(DirIno);
}

const FileStat *HostFs::cachedAccess(uint64_t DirIno) const {
  auto It = DirAccess.find(DirIno);
  return It == DirAccess.end() ? nullptr : &It->second;
}

void HostFs::forgetIno(uint64_t HostDev, uint64_t HostIno) {
  Known->Inodes.erase({HostDev, HostIno});
}

uint64_t HostFs::guestIno(uint64_t HostDev, uint64_t HostIno) {
  return hostIds().GuestIno(HostDev, HostIno);
}

void HostFs::touched(llvm::ArrayRef<uint8_t> Records) {
  for (size_t At = 0; At + HostStat::Bytes <= Records.size(); At += HostStat::Bytes) {
    HostStat S = HostStat::decode(Records.data() + At);
    if (S.Valid)
      touched(S.Ino);
  }
}

void HostFs::timesSet(llvm::ArrayRef<uint8_t> Record) {
  if (Record.size() < HostStat::Bytes)
    return;
  HostStat S = HostStat::decode(Record.data());
  if (S.Valid)
    Known->Overrides.erase(S.Ino);
}

void HostFs::created(llvm::ArrayRef<uint8_t> Record, const Creds &Who) {
  if (Who.Uid != Owner.Uid || Who.Gid != Owner.Gid)
    ownerSet(Record, Who.Uid, Who.Gid);
}

void HostFs::ownerSet(llvm::ArrayRef<uint8_t> Record, uint32_t Uid, uint32_t Gid) {
  if (Record.size() < HostStat::Bytes)
    return;
  HostStat S = HostStat::decode(Record.data());
  if (S.Valid)
    Known->Owners[S.Ino] = {Uid, Gid};
}

FileStat HostFs::translate(const HostStat &St) {
  assert(St.Valid && "translating a failed stat");
  FileStat S;
  S.Dev = Dev;
  S.Ino = St.Ino;
  S.Mode = St.Mode;
  S.Nlink = uint32_t(St.Nlink);
  S.Uid = St.OwnerIsUs ? Owner.Uid : 65534;
  S.Gid = St.GroupIsUs ? Owner.Gid : 65534;
  if (auto O = Known->Owners.find(S.Ino); O != Known->Owners.end())
    std::tie(S.Uid, S.Gid) = O->second;
  S.Rdev = 0;
  S.Size = St.type() == LX_S_IFDIR ? 4096 : St.Size;
  S.Blksize = 4096;
  S.Blocks = (S.Size + 4095) / 4096 * 8;
  // A symlink shorter than 60 bytes takes no block: ext4 keeps its target
  // in the inode ("fast symlink"), and `ls -s` or ls -l's total count it so.
  if (St.type() == LX_S_IFLNK && S.Size < 60)
    S.Blocks = 0;
  auto O = Known->Overrides.find(S.Ino);
  if (O != Known->Overrides.end()) {
    S.Mtime = O->second;
  } else {
    S.Mtime = St.Mtime;
  }
  S.Atime = S.Ctime = S.Mtime;
  return S;
}

} // namespace reprise::fs
