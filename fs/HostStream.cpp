//===- fs/HostStream.cpp --------------------------------------------------===//
#include "fs/HostStream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace reprise::fs {

using namespace linux_abi;

namespace {

class StreamNode : public Vnode {
public:
  StreamNode(int Fd, replay::Gate &G, Timespec Boot) : Fd(Fd), G(G), Boot(Boot) {}
  uint32_t fileType() const override {
    struct stat St;
    if (::fstat(Fd, &St) != 0)
      return LX_S_IFCHR;
    switch (St.st_mode & S_IFMT) {
    case S_IFREG: return LX_S_IFREG;
    case S_IFIFO: return LX_S_IFIFO;
    case S_IFSOCK: return LX_S_IFSOCK;
    default: return LX_S_IFCHR;
    }
  }
  Result<FileStat> stat() override {
    FileStat S;
    S.Dev = 0x16;
    S.Ino = 3 + uint64_t(Fd);
    uint32_t T = fileType();
    S.Mode = T | (T == LX_S_IFCHR ? 0620 : T == LX_S_IFREG ? 0644 : 0600);
    if (T == LX_S_IFCHR)
      S.Rdev = (136 << 8) | 0; // a pseudo-terminal, /dev/pts/0
    if (T == LX_S_IFREG) {
      struct stat St;
      int64_t R = G.call(replay::InputKind::HostMetadata, {}, [&] {
        return ::fstat(Fd, &St) == 0 ? 0 : -int64_t(errno);
      });
      if (R == 0)
        S.Size = St.st_size;
    }
    S.Blksize = T == LX_S_IFCHR ? 1024 : 4096;
    S.Atime = S.Mtime = S.Ctime = Boot;
    return S;
  }
  Result<FileRef> open(uint32_t) override { return Errno::LX_ENXIO; }
  int Fd;
  replay::Gate &G;
  Timespec Boot;
};

class StreamFile : public OpenFile {
public:
  StreamFile(std::shared_ptr<StreamNode> N, uint32_t Flags, int HostFd,
             replay::Gate &G)
      : OpenFile(N, Flags), HostFd(HostFd), G(G),
        Tty(::isatty(HostFd) == 1) {}
  ~StreamFile() override { ::close(HostFd); }

  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    int64_t N = G.call(replay::InputKind::HostRead, Buf, [&] {
      ssize_t R = Offset ? ::pread(HostFd, Buf.data(), Buf.size(), *Offset)
                         : ::read(HostFd, Buf.data(), Buf.size());
      return R < 0 ? -int64_t(errno) : int64_t(R);
    });
    if (N < 0)
      return fromHostErrno(int(-N));
    return size_t(N);
  }

  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                       const int64_t *Offset) override {
    int64_t N = G.call(replay::InputKind::HostWrite, {}, [&] {
      ssize_t R = Offset ? ::pwrite(HostFd, Buf.data(), Buf.size(), *Offset)
                         : ::write(HostFd, Buf.data(), Buf.size());
      return R < 0 ? -int64_t(errno) : int64_t(R);
    });
    if (N < 0)
      return fromHostErrno(int(-N));
    return size_t(N);
  }

  Result<int64_t> seek(int64_t Off, uint32_t Whence) override {
    int W = Whence == LX_SEEK_SET ? SEEK_SET
            : Whence == LX_SEEK_CUR ? SEEK_CUR
            : Whence == LX_SEEK_END ? SEEK_END
                                    : -1;
    if (W < 0)
      return Errno::LX_EINVAL;
    int64_t R = G.call(replay::InputKind::HostOther, {}, [&] {
      off_t P = ::lseek(HostFd, Off, W);
      return P < 0 ? -int64_t(errno) : int64_t(P);
    });
    if (R < 0)
      return fromHostErrno(int(-R));
    return R;
  }

  Result<int64_t> ioctl(uint32_t Request,
                        llvm::MutableArrayRef<uint8_t> Arg) override {
    if (!Tty)
      return Errno::LX_ENOTTY;
    switch (Request) {
    case LX_TCGETS:
      // A fixed cooked-mode terminal: what the guest set with TCSETS* is
      // remembered and shown back, but not applied to the host terminal.
      if (Arg.size() < sizeof(Termios))
        return Errno::LX_EFAULT;
      std::memcpy(Arg.data(), Termios, sizeof(Termios));
      return int64_t(0);
    case LX_TCSETS:
    case LX_TCSETSW:
    case LX_TCSETSF:
      if (Arg.size() < sizeof(Termios))
        return Errno::LX_EFAULT;
      std::memcpy(Termios, Arg.data(), sizeof(Termios));
      return int64_t(0);
    case LX_TIOCGWINSZ: {
      if (Arg.size() < 8)
        return Errno::LX_EFAULT;
      uint8_t Out[8] = {};
      int64_t R = G.call(replay::InputKind::HostOther, Out, [&] {
        struct winsize W;
        if (::ioctl(HostFd, TIOCGWINSZ, &W) != 0)
          return -int64_t(errno);
        uint16_t V[4] = {W.ws_row, W.ws_col, W.ws_xpixel, W.ws_ypixel};
        std::memcpy(Out, V, 8);
        return int64_t(0);
      });
      if (R < 0)
        return fromHostErrno(int(-R));
      std::memcpy(Arg.data(), Out, 8);
      return int64_t(0);
    }
    case LX_TIOCGPGRP:
      return Errno::LX_ENOTTY;
    default:
      return Errno::LX_ENOTTY;
    }
  }

  bool isTerminal() const override { return Tty; }

private:
  int HostFd;
  replay::Gate &G;
  bool Tty;
  // struct termios of the kernel (36 bytes): iflag, oflag, cflag, lflag,
  // line, cc[19]. ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|
  // ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN, and the usual control characters.
  uint8_t Termios[36] = {
      0x00, 0x05, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x00,
      0x3b, 0x8a, 0x00, 0x00, 0x00, 0x03, 0x1c, 0x7f, 0x15, 0x04, 0x00, 0x01,
      0x00, 0x11, 0x13, 0x1a, 0x00, 0x12, 0x0f, 0x17, 0x16, 0x00, 0x00, 0x00};
};

} // namespace

FileRef openHostStream(int HostFd, replay::Gate &G, Timespec Boot) {
  int Dup = ::fcntl(HostFd, F_DUPFD_CLOEXEC, 3);
  if (Dup < 0)
    return nullptr;
  auto Node = std::make_shared<StreamNode>(Dup, G, Boot);
  uint32_t Flags = HostFd == 0 ? LX_O_RDONLY : LX_O_WRONLY;
  int HF = ::fcntl(Dup, F_GETFL);
  if (HF >= 0 && (HF & O_ACCMODE) == O_RDWR)
    Flags = LX_O_RDWR;
  auto F = std::make_shared<StreamFile>(Node, Flags, Dup, G);
  F->Path = "/dev/pts/0";
  return F;
}

} // namespace reprise::fs
