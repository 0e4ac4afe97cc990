//===- fs/HostStream.cpp --------------------------------------------------===//
#include "fs/HostStream.h"
#include "fs/HostCall.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace reprise::fs {

using namespace linux_abi;
using replay::InputKind;

namespace {

/// The guest's file type for a host stream of mode \p M: what is neither a
/// regular file, a pipe nor a socket is shown as a terminal.
uint32_t streamType(mode_t M) {
  switch (M & S_IFMT) {
  case S_IFREG: return LX_S_IFREG;
  case S_IFIFO: return LX_S_IFIFO;
  case S_IFSOCK: return LX_S_IFSOCK;
  default: return LX_S_IFCHR;
  }
}

/// How a host stream looked when reprise took it, as it crosses the gate
/// (little-endian u32 each): guest file type | guest access mode | is a
/// terminal. reprise's own descriptor for it (a dup) is not part of it: its
/// number depends on what else the host process has open.
struct StreamSetup {
  static constexpr size_t Bytes = 12;
  uint32_t Type = LX_S_IFCHR;
  uint32_t Access = LX_O_RDONLY;
  bool Tty = false;

  void encode(uint8_t *Out) const {
    put32(Out, Type);
    put32(Out + 4, Access);
    put32(Out + 8, Tty);
  }
  static StreamSetup decode(const uint8_t *In) {
    StreamSetup S;
    S.Type = get32(In);
    S.Access = get32(In + 4);
    S.Tty = get32(In + 8) != 0;
    return S;
  }
};

/// Fd is reprise's dup of the host stream, used only inside gated calls
/// (-1 in replay, which opened none); Origin is the stream it stands for.
class StreamNode : public Vnode {
public:
  StreamNode(int Fd, int Origin, uint32_t Type, replay::Gate &G, Timespec Boot)
      : Fd(Fd), Origin(Origin), Type(Type), G(G), Boot(Boot) {}
  uint32_t fileType() const override { return Type; }
  Result<FileStat> stat() override {
    FileStat S;
    S.Dev = 0x16;
    S.Ino = 3 + uint64_t(Origin);
    uint32_t T = fileType();
    S.Mode = T | (T == LX_S_IFCHR ? 0620 : T == LX_S_IFREG ? 0644 : 0600);
    if (T == LX_S_IFCHR)
      S.Rdev = (136 << 8) | 0; // a pseudo-terminal, /dev/pts/0
    if (T == LX_S_IFREG) {
      uint8_t Size[8] = {};
      int64_t R = G.call(InputKind::HostMetadata, Size, [&]() -> int64_t {
        struct stat St;
        if (::fstat(Fd, &St) != 0)
          return hostFailure();
        put64(Size, uint64_t(St.st_size));
        return 0;
      });
      if (R == 0)
        S.Size = int64_t(get64(Size));
    }
    S.Blksize = T == LX_S_IFCHR ? 1024 : 4096;
    S.Atime = S.Mtime = S.Ctime = Boot;
    return S;
  }
  Result<FileRef> open(uint32_t) override { return Errno::LX_ENXIO; }
  int Fd;
  int Origin;
  uint32_t Type;
  replay::Gate &G;
  Timespec Boot;
};

class StreamFile : public OpenFile {
public:
  StreamFile(std::shared_ptr<StreamNode> N, uint32_t Flags, int HostFd,
             int Origin, bool Tty, replay::Gate &G)
      : OpenFile(N, Flags), HostFd(HostFd), Origin(Origin), G(G), Tty(Tty) {}
  ~StreamFile() override {
    if (HostFd >= 0)
      ::close(HostFd);
  }

  Result<size_t> read(llvm::MutableArrayRef<uint8_t> Buf,
                      const int64_t *Offset) override {
    int64_t N = G.call(InputKind::HostRead, Buf, [&]() -> int64_t {
      ssize_t R = Offset ? ::pread(HostFd, Buf.data(), Buf.size(), *Offset)
                         : ::read(HostFd, Buf.data(), Buf.size());
      return R < 0 ? hostFailure() : int64_t(R);
    });
    if (N < 0)
      return gateErrno(N);
    return size_t(N);
  }

  Result<size_t> write(llvm::ArrayRef<uint8_t> Buf,
                       const int64_t *Offset) override {
    int64_t N = G.call(InputKind::HostWrite, {}, [&]() -> int64_t {
      ssize_t R = Offset ? ::pwrite(HostFd, Buf.data(), Buf.size(), *Offset)
                         : ::write(HostFd, Buf.data(), Buf.size());
      return R < 0 ? hostFailure() : int64_t(R);
    });
    if (N < 0)
      return gateErrno(N);
    if (G.replaying() && N > 0)
      showAgain(Buf.take_front(std::min(size_t(N), Buf.size())), Offset);
    return size_t(N);
  }

  Result<int64_t> seek(int64_t Off, uint32_t Whence) override {
    int W = Whence == LX_SEEK_SET ? SEEK_SET
            : Whence == LX_SEEK_CUR ? SEEK_CUR
            : Whence == LX_SEEK_END ? SEEK_END
                                    : -1;
    if (W < 0)
      return Errno::LX_EINVAL;
    int64_t R = G.call(InputKind::HostOther, {}, [&]() -> int64_t {
      off_t P = ::lseek(HostFd, Off, W);
      return P < 0 ? hostFailure() : int64_t(P);
    });
    if (R < 0)
      return gateErrno(R);
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
      // struct winsize: rows, columns, x and y pixels, u16 each; the guest
      // arches are little-endian, and so is the gate's copy.
      uint8_t Out[8] = {};
      int64_t R = G.call(InputKind::HostOther, Out, [&]() -> int64_t {
        struct winsize W;
        if (::ioctl(HostFd, TIOCGWINSZ, &W) != 0)
          return hostFailure();
        uint16_t V[4] = {W.ws_row, W.ws_col, W.ws_xpixel, W.ws_ypixel};
        for (int I = 0; I < 4; ++I)
          llvm::support::endian::write16le(Out + 2 * I, V[I]);
        return 0;
      });
      if (R < 0)
        return gateErrno(R);
      std::memcpy(Arg.data(), Out, 8);
      return int64_t(0);
    }
    case LX_FIONREAD: {
      // What the host has ready to read is outside input, as the bytes are.
      if (Arg.size() < 4)
        return Errno::LX_EFAULT;
      uint8_t Out[4] = {};
      int64_t R = G.call(InputKind::HostOther, Out, [&]() -> int64_t {
        int N = 0;
        if (::ioctl(HostFd, FIONREAD, &N) != 0)
          return hostFailure();
        llvm::support::endian::write32le(Out, uint32_t(N));
        return 0;
      });
      if (R < 0)
        return gateErrno(R);
      std::memcpy(Arg.data(), Out, 4);
      return int64_t(0);
    }
    default:
      return Errno::LX_ENOTTY;
    }
  }

  bool isTerminal() const override { return Tty; }

private:
  /// Replay: writes what the guest wrote, as far as the recording did, to
  /// the replaying host's own stdout or stderr, so that the replay shows the
  /// run's output. What happens there changes nothing in the run (the guest
  /// already has its recorded result), so failures are ignored. Writes to
  /// stdin are not shown: they could reach a file this host opened for
  /// something else.
  void showAgain(llvm::ArrayRef<uint8_t> Bytes, const int64_t *Offset) {
    if (Origin != 1 && Origin != 2)
      return;
    size_t Done = 0;
    while (Done < Bytes.size()) {
      ssize_t R = Offset
                      ? ::pwrite(Origin, Bytes.data() + Done,
                                 Bytes.size() - Done, *Offset + int64_t(Done))
                      : ::write(Origin, Bytes.data() + Done, Bytes.size() - Done);
      if (R < 0 && errno == EINTR)
        continue;
      if (R <= 0)
        return;
      Done += size_t(R);
    }
  }

  int HostFd;  // reprise's dup of the stream; -1 in replay
  int Origin;  // the host stream it stands for: 0, 1 or 2
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
  // One gated call takes the stream and says what it is; replay gets the
  // recording's answer whatever its own fd 0, 1 and 2 are (or closed).
  uint8_t Out[StreamSetup::Bytes] = {};
  int Dup = -1;
  int64_t R = G.call(InputKind::HostOther, Out, [&]() -> int64_t {
    Dup = ::fcntl(HostFd, F_DUPFD_CLOEXEC, 3);
    if (Dup < 0)
      return hostFailure();
    StreamSetup S;
    S.Access = HostFd == 0 ? LX_O_RDONLY : LX_O_WRONLY;
    int HF = ::fcntl(Dup, F_GETFL);
    if (HF >= 0 && (HF & O_ACCMODE) == O_RDWR)
      S.Access = LX_O_RDWR;
    struct stat St;
    S.Type = ::fstat(Dup, &St) == 0 ? streamType(St.st_mode) : LX_S_IFCHR;
    S.Tty = ::isatty(Dup) == 1;
    S.encode(Out);
    return 0;
  });
  if (R < 0)
    return nullptr;
  StreamSetup S = StreamSetup::decode(Out);
  auto Node = std::make_shared<StreamNode>(Dup, HostFd, S.Type, G, Boot);
  auto F = std::make_shared<StreamFile>(Node, S.Access, Dup, HostFd, S.Tty, G);
  F->Path = "/dev/pts/0";
  return F;
}

} // namespace reprise::fs
