//===- kernel/syscalls/Socket.cpp - AF_UNIX sockets -----------------------===//
//
// The socket system calls over reprise's AF_UNIX sockets (kernel/Socket.h).
// Other families fail as on a kernel built without them: socket(2) says
// EAFNOSUPPORT after Linux's own argument checks, which every C library
// reads as "no such service".
//
//===----------------------------------------------------------------------===//
#include "kernel/Socket.h"

#include "kernel/AnonInode.h"
#include "kernel/Kernel.h"
#include "kernel/abi/Constants.h"
#include "kernel/abi/Structs.h"
#include "kernel/syscalls/Abi.h"

#include <algorithm>
#include <cstring>

namespace reprise {

using namespace linux_abi;

namespace {

constexpr size_t SunPathOffset = 2;       // offsetof(sockaddr_un, sun_path)
constexpr size_t SockaddrUnSize = 110;    // sizeof(struct sockaddr_un)
constexpr size_t MaxFdsPerMessage = 253;  // SCM_MAX_FD
constexpr uint64_t MaxRw = 0x7ffff000;    // MAX_RW_COUNT
constexpr size_t CmsgHeader = 16;         // sizeof(struct cmsghdr)
constexpr size_t DatagramOverhead = 32;   // what a datagram may not use of SO_SNDBUF

size_t cmsgAlign(size_t N) { return (N + 7) & ~size_t(7); }

/// struct msghdr (both arches).
struct MsgHdr {
  uint64_t Name;
  uint32_t NameLen, Pad0;
  uint64_t Iov, IovLen, Control, ControlLen;
  uint32_t Flags, Pad1;
};
static_assert(sizeof(MsgHdr) == 56);

struct UCred {
  int32_t Pid;
  uint32_t Uid, Gid;
};
static_assert(sizeof(UCred) == 12);

SocketCreds credsOf(Task &T, bool Effective) {
  SocketCreds C;
  C.Pid = T.vnr(T.group().Id);
  C.Uid = Effective ? T.Ids.Euid : T.Ids.Ruid;
  C.Gid = Effective ? T.Ids.Egid : T.Ids.Rgid;
  return C;
}

UnixSocketRef newSocket(Kernel &K, uint32_t Type) {
  auto S = std::make_shared<UnixSocket>(Type, K.nextAnonIno());
  K.unixNames().track(S);
  return S;
}

PeerIdentity identityOf(Task &T) {
  return PeerIdentity{credsOf(T, true), T.Ids.Groups};
}

/// Throws away what \p S has received (a datagram socket that changes
/// peers).
void dropQueue(Kernel &K, UnixSocket &S) {
  S.dropQueue(K.unixNames());
  K.unixNames().drain();
}

Result<SocketFile *> socketOf(Task &T, int32_t Fd, fs::FileRef &Hold) {
  Hold = REPRISE_TRY(T.fds().get(Fd));
  auto *S = dynamic_cast<SocketFile *>(Hold.get());
  if (!S)
    return Errno::LX_ENOTSOCK;
  return S;
}

void wakeAll(UnixSocket &S) {
  S.Readable.wakeAll();
  S.Writable.wakeAll();
  S.Room.wakeAll();
}

/// Parks \p T on \p Queues for a call that cannot go on yet, or says it
/// must not wait: EAGAIN for a non-blocking call or a timeout (SO_RCVTIMEO,
/// SO_SNDTIMEO) that passed.
SysResult waitFor(Task &T, bool NonBlock, uint64_t Timeout,
                  std::vector<WaitQueue *> Queues, const char *What) {
  if (NonBlock || Timeout == UnixSocket::NoWait || (T.Wait.Restarted && T.Wait.TimedOut))
    return Errno::LX_EAGAIN;
  uint64_t Deadline = T.Wait.Restarted ? T.Wait.Deadline : 0;
  if (!T.Wait.Restarted && Timeout)
    Deadline = T.kernel().monotonicNs() + Timeout;
  // A wait with a timeout ends with EINTR when a handler runs, SA_RESTART
  // or not, as Linux's sock_intr_errno says.
  if (Timeout)
    T.Wait.Restart = RestartKind::NoHand;
  return T.kernel().block(T, Queues, Deadline, What);
}

/// A sockaddr_un from the guest: EINVAL for a bad length or family. An
/// address of the family alone is unnamed (autobind for bind(2)).
Result<UnixAddress> readAddress(Task &T, uint64_t Addr, uint64_t Len) {
  if (Len < SunPathOffset || Len > SockaddrUnSize)
    return Errno::LX_EINVAL;
  uint8_t Buf[SockaddrUnSize + 1] = {};
  REPRISE_TRY(T.copyIn(Addr, {Buf, size_t(Len)}));
  uint16_t Family;
  std::memcpy(&Family, Buf, 2);
  if (Family != LX_AF_UNIX)
    return Errno::LX_EINVAL;
  UnixAddress A;
  if (Len == SunPathOffset)
    return A;
  const char *Path = reinterpret_cast<const char *>(Buf + SunPathOffset);
  if (Path[0] == 0) {
    A.K = UnixAddress::Abstract;
    A.Name.assign(Path + 1, Len - SunPathOffset - 1);
  } else {
    A.K = UnixAddress::Path;
    A.Name.assign(Path, strnlen(Path, Len - SunPathOffset));
  }
  return A;
}

/// Writes \p Bytes where a call returns an address: at most *\p LenAddr
/// bytes of it, and its whole length back into *\p LenAddr.
Result<void> writeAddress(Task &T, uint64_t Addr, uint64_t LenAddr,
                          llvm::ArrayRef<uint8_t> Bytes) {
  if (!Addr)
    return {};
  int32_t Len = REPRISE_TRY(T.copyInObj<int32_t>(LenAddr));
  if (Len < 0)
    return Errno::LX_EINVAL;
  size_t N = std::min<size_t>(size_t(Len), Bytes.size());
  if (N)
    REPRISE_TRY(T.copyOut(Addr, Bytes.take_front(N)));
  return T.copyOutObj(LenAddr, int32_t(Bytes.size()));
}

/// Names an unnamed socket with a fresh abstract name (autobind); ENOSPC
/// once every name of the five digits is taken.
Result<void> autobind(Kernel &K, const UnixSocketRef &S) {
  if (S->Addr.K != UnixAddress::None)
    return {};
  for (uint32_t Tries = 0; Tries <= 0xfffff; ++Tries) {
    std::string Name = K.unixNames().autobindName();
    if (K.unixNames().bindAbstract(Name, S)) {
      S->Addr.K = UnixAddress::Abstract;
      S->Addr.Name = Name;
      return {};
    }
  }
  return Errno::LX_ENOSPC;
}

/// The socket bound to \p A, for a socket of type \p Type: ENOENT for a
/// missing path, ECONNREFUSED for a name nothing is bound to, EACCES for a
/// node the caller may not write.
Result<UnixSocketRef> lookupAddress(Task &T, const UnixAddress &A, uint32_t Type) {
  UnixNames &Names = T.kernel().unixNames();
  UnixSocketRef S;
  if (A.K == UnixAddress::Abstract) {
    S = Names.findAbstract(Type, A.Name);
  } else {
    auto Loc = REPRISE_TRY(T.resolveAt(LX_AT_FDCWD, A.Name, true));
    auto St = REPRISE_TRY(Loc.node()->access());
    REPRISE_TRY(fs::checkPermission(St, T.Creds, LX_W_OK));
    if ((St.Mode & LX_S_IFMT) != LX_S_IFSOCK)
      return Errno::LX_ECONNREFUSED;
    auto Full = REPRISE_TRY(Loc.node()->stat());
    S = Names.findPath({Full.Dev, Full.Ino});
  }
  if (!S || S->Released)
    return Errno::LX_ECONNREFUSED;
  return S;
}

Result<int> installSocket(Task &T, UnixSocketRef S, uint32_t Flags) {
  auto F = std::make_shared<SocketFile>(T.kernel().unixNamesRef(), std::move(S),
                                        LX_O_RDWR | (Flags & LX_O_NONBLOCK));
  return T.fds().install(F, Flags & LX_O_CLOEXEC, 0, T.kernel().limit(T, LX_RLIMIT_NOFILE));
}

/// socket(2) and socketpair(2)'s checks: the type without its flags.
Result<uint32_t> checkSocketArgs(int32_t Domain, uint32_t Type, int32_t Protocol) {
  // SOCK_CLOEXEC and SOCK_NONBLOCK are O_CLOEXEC and O_NONBLOCK.
  if (Type & ~(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_SOCK_TYPE_MASK))
    return Errno::LX_EINVAL;
  uint32_t Kind = Type & LX_SOCK_TYPE_MASK;
  if (Kind > 10) // SOCK_MAX is 11
    return Errno::LX_EINVAL;
  if (Domain < 0 || Domain >= LX_AF_MAX)
    return Errno::LX_EAFNOSUPPORT;
  if (Domain != LX_AF_UNIX)
    return Errno::LX_EAFNOSUPPORT;
  if (Protocol != 0 && Protocol != LX_AF_UNIX)
    return Errno::LX_EPROTONOSUPPORT;
  switch (Kind) {
  case LX_SOCK_STREAM:
  case LX_SOCK_DGRAM:
  case LX_SOCK_SEQPACKET:
    return Kind;
  case LX_SOCK_RAW: // AF_UNIX takes it for a datagram socket
    return LX_SOCK_DGRAM;
  default:
    return Errno::LX_ESOCKTNOSUPPORT;
  }
}

/// What a sendmsg carries besides its bytes.
struct Ancillary {
  std::vector<fs::FileRef> Files;
  std::optional<SocketCreds> Creds;
};

Result<Ancillary> readControl(Task &T, uint64_t Addr, uint64_t Len) {
  Ancillary Out;
  if (!Len)
    return Out;
  if (Len > (1u << 16)) // Linux's INT_MAX limit, well short of it
    return Errno::LX_ENOBUFS;
  std::vector<uint8_t> Buf(Len);
  REPRISE_TRY(T.copyIn(Addr, Buf));
  size_t At = 0;
  while (At + CmsgHeader <= Buf.size()) {
    uint64_t CLen;
    int32_t Level, Kind;
    std::memcpy(&CLen, &Buf[At], 8);
    std::memcpy(&Level, &Buf[At + 8], 4);
    std::memcpy(&Kind, &Buf[At + 12], 4);
    if (CLen < CmsgHeader || CLen > Buf.size() - At)
      return Errno::LX_EINVAL;
    const uint8_t *Data = &Buf[At + CmsgHeader];
    size_t DataLen = CLen - CmsgHeader;
    At += cmsgAlign(CLen);
    if (Level != LX_SOL_SOCKET)
      continue; // another protocol's: AF_UNIX passes over it, as Linux does
    if (Kind == LX_SCM_RIGHTS) {
      // Several may come in one call; an empty one is nothing.
      size_t N = DataLen / 4;
      if (Out.Files.size() + N > MaxFdsPerMessage)
        return Errno::LX_EINVAL;
      for (size_t I = 0; I < N; ++I) {
        int32_t Fd;
        std::memcpy(&Fd, Data + 4 * I, 4);
        Out.Files.push_back(REPRISE_TRY(T.fds().get(Fd)));
      }
    } else if (Kind == LX_SCM_CREDENTIALS) {
      if (DataLen != sizeof(UCred))
        return Errno::LX_EINVAL;
      UCred C;
      std::memcpy(&C, Data, sizeof C);
      // The sender may claim only ids it holds, unless privileged.
      bool Priv = T.Ids.Euid == 0;
      const TaskIds &I = T.Ids;
      if ((C.Pid != T.vnr(T.group().Id) && !Priv) ||
          (C.Uid != I.Ruid && C.Uid != I.Euid && C.Uid != I.Suid && !Priv) ||
          (C.Gid != I.Rgid && C.Gid != I.Egid && C.Gid != I.Sgid && !Priv))
        return Errno::LX_EPERM;
      Out.Creds = SocketCreds{C.Pid, C.Uid, C.Gid};
    } else {
      return Errno::LX_EINVAL;
    }
  }
  UnixNames &Names = T.kernel().unixNames();
  if (Names.InFlightFiles + Out.Files.size() > UnixNames::MaxInFlightFiles)
    return Errno::LX_ETOOMANYREFS;
  return Out;
}

uint64_t iovTotal(llvm::ArrayRef<iovec> V) {
  uint64_t N = 0;
  for (const auto &I : V)
    N += I.iov_len;
  return std::min(N, MaxRw);
}

/// \p Count bytes of the guest's buffers \p V from byte \p Skip on.
Result<std::vector<uint8_t>> gather(Task &T, llvm::ArrayRef<iovec> V, uint64_t Skip,
                                    uint64_t Count) {
  std::vector<uint8_t> Out(Count);
  uint64_t At = 0;
  for (const auto &I : V) {
    if (At == Count)
      break;
    if (Skip >= I.iov_len) {
      Skip -= I.iov_len;
      continue;
    }
    uint64_t N = std::min<uint64_t>(I.iov_len - Skip, Count - At);
    REPRISE_TRY(T.copyIn(I.iov_base + Skip, {Out.data() + At, size_t(N)}));
    At += N;
    Skip = 0;
  }
  return Out;
}

Result<void> scatter(Task &T, llvm::ArrayRef<iovec> V, uint64_t Skip,
                     llvm::ArrayRef<uint8_t> Bytes) {
  for (const auto &I : V) {
    if (Bytes.empty())
      break;
    if (Skip >= I.iov_len) {
      Skip -= I.iov_len;
      continue;
    }
    size_t N = size_t(std::min<uint64_t>(I.iov_len - Skip, Bytes.size()));
    REPRISE_TRY(T.copyOut(I.iov_base + Skip, Bytes.take_front(N)));
    Bytes = Bytes.drop_front(N);
    Skip = 0;
  }
  return {};
}

void raiseSigpipe(Task &T) {
  T.kernel().sendSignal(T.group(), &T, Kernel::userSignal(T, LX_SIGPIPE, LX_SI_USER, T.group()));
}

/// Puts \p M in \p To's queue, charged to \p From.
void enqueue(Kernel &K, UnixSocket &From, UnixSocket &To, UnixMessage M) {
  From.InFlight += M.Data.size() + UnixSocket::MessageOverhead;
  To.QueuedBytes += M.Data.size();
  K.unixNames().InFlightFiles += M.Files.size();
  M.Sender = From.weak_from_this();
  To.Queue.push_back(std::move(M));
  To.Readable.wakeAll();
}

/// A message's credentials, when either end asked for them or the sender
/// gave its own.
std::optional<SocketCreds> messageCreds(Task &T, const UnixSocket &From,
                                        const UnixSocket &To, const Ancillary &Anc) {
  if (Anc.Creds)
    return Anc.Creds;
  if (From.PassCred || To.PassCred)
    return credsOf(T, false);
  return std::nullopt;
}

/// A stream send: as much as there is room for, parking for the rest
/// unless non-blocking. T.Wait.Progress carries what went before a wait;
/// each pass copies in only the piece it sends.
SysResult streamSend(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V, Ancillary &Anc,
                     uint32_t Flags) {
  UnixSocket &S = F.socket();
  uint64_t Total = iovTotal(V);
  bool NonBlock = (Flags & LX_MSG_DONTWAIT) || (F.flags() & LX_O_NONBLOCK);
  auto Pipe = [&]() -> SysResult {
    if (uint64_t Done = T.Wait.Progress)
      return int64_t(Done);
    if (!(Flags & LX_MSG_NOSIGNAL))
      raiseSigpipe(T);
    return Errno::LX_EPIPE;
  };
  if (S.St != UnixSocket::State::Connected)
    return Errno::LX_ENOTCONN;
  if (S.Shutdown & UnixSocket::SendShutdown)
    return Pipe();
  if (Total == 0)
    return 0; // a stream carries no empty messages (nor their descriptors)
  while (T.Wait.Progress < Total) {
    UnixSocketRef P = S.peer();
    if (!P || P->Released || (P->Shutdown & UnixSocket::RcvShutdown))
      return Pipe();
    uint64_t Used = S.InFlight + UnixSocket::MessageOverhead;
    uint64_t Room = Used < S.SndBuf ? S.SndBuf - Used : 0;
    if (!Room) {
      auto R = waitFor(T, NonBlock, S.SndTimeo, {&S.Writable}, "sendmsg(unix)");
      if (!R && R.error() == Errno::REPRISE_BLOCKED)
        return R;
      uint64_t Done = T.Wait.Progress;
      return Done ? SysResult(int64_t(Done)) : R;
    }
    uint64_t Done = T.Wait.Progress;
    uint64_t N = std::min<uint64_t>(Room, Total - Done);
    UnixMessage M;
    M.Data = REPRISE_TRY(gather(T, V, Done, N));
    if (Done == 0) {
      M.Files = std::move(Anc.Files);
      Anc.Files.clear();
    }
    M.Creds = messageCreds(T, S, *P, Anc);
    M.From = S.Addr;
    enqueue(T.kernel(), S, *P, std::move(M));
    T.Wait.Progress += N;
  }
  return int64_t(T.Wait.Progress);
}

/// A datagram or seqpacket send: one message, all or nothing.
SysResult datagramSend(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V,
                       const UnixAddress *To, Ancillary &Anc, uint32_t Flags) {
  UnixSocket &S = F.socket();
  bool NonBlock = (Flags & LX_MSG_DONTWAIT) || (F.flags() & LX_O_NONBLOCK);
  if (S.Type == LX_SOCK_SEQPACKET) {
    if (S.St != UnixSocket::State::Connected)
      return Errno::LX_ENOTCONN;
    To = nullptr;
    if (S.Error) { // the peer left data unread: reported once
      Errno E = Errno(S.Error);
      S.Error = 0;
      return E;
    }
  }
  uint64_t Size = iovTotal(V);
  if (Size + DatagramOverhead > S.SndBuf)
    return Errno::LX_EMSGSIZE;
  if (S.Shutdown & UnixSocket::SendShutdown)
    return Errno::LX_EPIPE;
  UnixSocketRef Dest;
  if (To) {
    Dest = REPRISE_TRY(lookupAddress(T, *To, S.Type));
  } else {
    Dest = S.peer();
    if (S.Type == LX_SOCK_SEQPACKET && (!Dest || Dest->Released))
      return Errno::LX_EPIPE;
    if (!Dest && !S.PeerSet)
      return Errno::LX_ENOTCONN;
  }
  if (!Dest || Dest->Released) {
    // The first send to a peer that is gone says so; the socket is then
    // unconnected, as Linux leaves it.
    if (!To) {
      S.Peer.reset();
      S.PeerSet = false;
    }
    return Errno::LX_ECONNREFUSED;
  }
  if (Dest->Type != S.Type)
    return Errno::LX_EPROTOTYPE;
  // A datagram socket connected to another takes nothing from others.
  if (UnixSocketRef DP = Dest->peer(); DP && DP.get() != &S && S.Type == LX_SOCK_DGRAM)
    return Errno::LX_EPERM;
  if (Dest->Shutdown & UnixSocket::RcvShutdown)
    return Errno::LX_EPIPE;
  if (S.PassCred && S.Type == LX_SOCK_DGRAM)
    REPRISE_TRY(autobind(T.kernel(), F.ref()));
  // A receiver takes only so many datagrams from senders that are not its
  // peer (nor itself); the sender's buffer bounds the rest.
  bool QueueFull = Dest.get() != &S && Dest->peer().get() != &S &&
                   Dest->Queue.size() > UnixSocket::MaxDatagrams;
  if (QueueFull || S.InFlight + Size + UnixSocket::MessageOverhead > S.SndBuf)
    return waitFor(T, NonBlock, S.SndTimeo, {&S.Writable, &Dest->Room}, "sendmsg(unix)");
  UnixMessage M;
  M.Data = REPRISE_TRY(gather(T, V, 0, Size));
  M.Files = std::move(Anc.Files);
  Anc.Files.clear();
  M.Creds = messageCreds(T, S, *Dest, Anc);
  M.From = S.Addr;
  enqueue(T.kernel(), S, *Dest, std::move(M));
  return int64_t(Size);
}

SysResult doSend(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V, const UnixAddress *To,
                 Ancillary &Anc, uint32_t Flags) {
  if (Flags & LX_MSG_OOB)
    return Errno::LX_EOPNOTSUPP;
  UnixSocket &S = F.socket();
  if (!T.Wait.Restarted)
    T.Wait.Progress = 0;
  SysResult R = Errno::LX_EINVAL;
  if (S.Type != LX_SOCK_STREAM)
    R = datagramSend(T, F, V, To, Anc, Flags);
  else if (To)
    R = S.St == UnixSocket::State::Connected ? Errno::LX_EISCONN : Errno::LX_EOPNOTSUPP;
  else
    R = streamSend(T, F, V, Anc, Flags);
  // Progress speaks only for a call parked midway.
  if (R || R.error() != Errno::REPRISE_BLOCKED)
    T.Wait.Progress = 0;
  return R;
}

/// What a receive hands back besides the bytes.
struct Received {
  int64_t Result = 0;
  uint32_t MsgFlags = 0;
  UnixAddress From;
  bool HasFrom = false;
  std::vector<fs::FileRef> Files;
  std::optional<SocketCreds> Creds;
};

/// Takes or peeks at \p M's descriptors for a reader.
void takeFiles(Kernel &K, UnixMessage &M, bool Peek, Received &Out) {
  if (M.Files.empty())
    return;
  if (Peek) {
    Out.Files = M.Files;
    return;
  }
  K.unixNames().InFlightFiles -= M.Files.size();
  Out.Files = std::move(M.Files);
  M.Files.clear();
}

SysResult streamRecv(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V, uint32_t Flags,
                     Received &Out) {
  UnixSocket &S = F.socket();
  if (S.St != UnixSocket::State::Connected)
    return Errno::LX_EINVAL;
  bool Peek = Flags & LX_MSG_PEEK;
  bool NonBlock = (Flags & LX_MSG_DONTWAIT) || (F.flags() & LX_O_NONBLOCK);
  uint64_t Size = iovTotal(V);
  // Like Linux, even a zero-length recv waits for data (or an end).
  uint64_t Target = std::max<uint64_t>((Flags & LX_MSG_WAITALL) && !Peek ? Size : 1, 1);
  uint64_t Copied = T.Wait.Progress;
  bool CheckCreds = false;
  size_t Index = 0; // for peeks, which leave the queue as it is
  for (;;) {
    if (Index >= S.Queue.size()) {
      if (Copied >= Target)
        break;
      if (S.Error) {
        if (Copied)
          break;
        Errno E = Errno(S.Error);
        S.Error = 0;
        return E;
      }
      if (S.Shutdown & UnixSocket::RcvShutdown)
        break;
      auto R = waitFor(T, NonBlock, S.RcvTimeo, {&S.Readable}, "recvmsg(unix)");
      if (!R && R.error() == Errno::REPRISE_BLOCKED) {
        T.Wait.Progress = Copied;
        return R;
      }
      if (Copied)
        break;
      return R;
    }
    if (Size == 0)
      break;
    UnixMessage &M = S.Queue[Index];
    if (CheckCreds) {
      // Never glue bytes of different writers together.
      SocketCreds C = M.Creds.value_or(SocketCreds{});
      if (C.Pid != Out.Creds->Pid || C.Uid != Out.Creds->Uid || C.Gid != Out.Creds->Gid)
        break;
    } else if (S.PassCred) {
      Out.Creds = M.Creds.value_or(SocketCreds{});
      CheckCreds = true;
    }
    if (!Out.HasFrom) {
      Out.From = M.From;
      Out.HasFrom = true;
    }
    size_t N = size_t(std::min<uint64_t>(M.left(), Size - Copied));
    REPRISE_TRY(scatter(T, V, Copied, {M.Data.data() + M.Taken, N}));
    Copied += N;
    bool HadFiles = !M.Files.empty();
    takeFiles(T.kernel(), M, Peek, Out);
    if (Peek) {
      ++Index;
    } else {
      S.consumed(M, N);
      if (M.left())
        break;
      S.Queue.pop_front();
    }
    if (HadFiles || Copied >= Size)
      break;
  }
  Out.Result = int64_t(Copied);
  return Out.Result;
}

SysResult datagramRecv(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V, uint32_t Flags,
                       Received &Out) {
  UnixSocket &S = F.socket();
  if (S.Type == LX_SOCK_SEQPACKET && S.St != UnixSocket::State::Connected)
    return Errno::LX_ENOTCONN;
  bool Peek = Flags & LX_MSG_PEEK;
  bool NonBlock = (Flags & LX_MSG_DONTWAIT) || (F.flags() & LX_O_NONBLOCK);
  if (S.Queue.empty()) {
    if (S.Error) {
      Errno E = Errno(S.Error);
      S.Error = 0;
      return E;
    }
    if (S.Shutdown & UnixSocket::RcvShutdown)
      return 0;
    return waitFor(T, NonBlock, S.RcvTimeo, {&S.Readable}, "recvmsg(unix)");
  }
  UnixMessage &M = S.Queue.front();
  uint64_t Size = iovTotal(V);
  size_t N = size_t(std::min<uint64_t>(M.Data.size(), Size));
  REPRISE_TRY(scatter(T, V, 0, {M.Data.data(), N}));
  if (N < M.Data.size())
    Out.MsgFlags |= LX_MSG_TRUNC;
  Out.Result = (Flags & LX_MSG_TRUNC) ? int64_t(M.Data.size()) : int64_t(N);
  Out.From = M.From;
  Out.HasFrom = true;
  if (S.PassCred)
    Out.Creds = M.Creds.value_or(SocketCreds{});
  takeFiles(T.kernel(), M, Peek, Out);
  if (!Peek) {
    S.consumed(M, M.left());
    S.Queue.pop_front();
  }
  return Out.Result;
}

SysResult doRecv(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V, uint32_t Flags,
                 Received &Out) {
  if (Flags & LX_MSG_OOB)
    return Errno::LX_EOPNOTSUPP;
  if (Flags & LX_MSG_ERRQUEUE)
    return Errno::LX_EAGAIN; // AF_UNIX has no error queue
  if (!T.Wait.Restarted)
    T.Wait.Progress = 0;
  SysResult R = F.socket().Type == LX_SOCK_STREAM ? streamRecv(T, F, V, Flags, Out)
                                                  : datagramRecv(T, F, V, Flags, Out);
  if (R || R.error() != Errno::REPRISE_BLOCKED)
    T.Wait.Progress = 0;
  return R;
}

/// Writes the control messages of \p R into the guest's buffer: the
/// credentials first, then the descriptors, installed in the caller's
/// table. What does not fit is cut (its cmsg_len says how much is there)
/// or dropped, and MSG_CTRUNC says so.
Result<uint64_t> writeControl(Task &T, uint64_t Addr, uint64_t Len, uint32_t Flags,
                              Received &R) {
  std::vector<uint8_t> Buf;
  auto Put = [&](int32_t Kind, llvm::ArrayRef<uint8_t> Data) {
    size_t Avail = Len - Buf.size();
    if (Avail < CmsgHeader) {
      R.MsgFlags |= LX_MSG_CTRUNC;
      return;
    }
    uint64_t CLen = CmsgHeader + Data.size();
    if (CLen > Avail) {
      R.MsgFlags |= LX_MSG_CTRUNC;
      CLen = Avail;
    }
    size_t At = Buf.size();
    Buf.resize(At + std::min<size_t>(cmsgAlign(CmsgHeader + Data.size()), Avail));
    std::memcpy(&Buf[At], &CLen, 8);
    int32_t Level = LX_SOL_SOCKET;
    std::memcpy(&Buf[At + 8], &Level, 4);
    std::memcpy(&Buf[At + 12], &Kind, 4);
    std::memcpy(&Buf[At + CmsgHeader], Data.data(), size_t(CLen) - CmsgHeader);
  };
  if (R.Creds) {
    UCred C{R.Creds->Pid, R.Creds->Uid, R.Creds->Gid};
    Put(LX_SCM_CREDENTIALS, {reinterpret_cast<const uint8_t *>(&C), sizeof C});
  }
  if (!R.Files.empty()) {
    size_t Room = Len > Buf.size() + CmsgHeader ? (Len - Buf.size() - CmsgHeader) / 4 : 0;
    size_t N = std::min(Room, R.Files.size());
    if (N < R.Files.size())
      R.MsgFlags |= LX_MSG_CTRUNC;
    std::vector<int32_t> Fds;
    uint64_t Limit = T.kernel().limit(T, LX_RLIMIT_NOFILE);
    for (size_t I = 0; I < N; ++I) {
      auto Fd = T.fds().install(R.Files[I], Flags & LX_MSG_CMSG_CLOEXEC, 0, Limit);
      if (!Fd) {
        R.MsgFlags |= LX_MSG_CTRUNC;
        break;
      }
      Fds.push_back(*Fd);
    }
    if (!Fds.empty())
      Put(LX_SCM_RIGHTS, {reinterpret_cast<const uint8_t *>(Fds.data()), Fds.size() * 4});
  }
  R.Files.clear(); // the ones not installed are closed
  if (!Buf.empty())
    REPRISE_TRY(T.copyOut(Addr, Buf));
  return uint64_t(Buf.size());
}

SysResult sendMsgAt(Task &T, SocketFile &F, uint64_t HdrAddr, uint32_t Flags) {
  MsgHdr H = REPRISE_TRY(T.copyInObj<MsgHdr>(HdrAddr));
  auto V = REPRISE_TRY(readIovecs(T, H.Iov, int64_t(std::min<uint64_t>(H.IovLen, INT64_MAX)),
                                      Errno::LX_EMSGSIZE));
  std::optional<UnixAddress> To;
  if (H.Name && H.NameLen)
    To = REPRISE_TRY(readAddress(T, H.Name, H.NameLen));
  if (To && To->K == UnixAddress::None)
    return Errno::LX_EINVAL;
  auto Anc = REPRISE_TRY(readControl(T, H.Control, H.ControlLen));
  return doSend(T, F, V, To ? &*To : nullptr, Anc, Flags);
}

SysResult recvMsgAt(Task &T, SocketFile &F, uint64_t HdrAddr, uint32_t Flags) {
  MsgHdr H = REPRISE_TRY(T.copyInObj<MsgHdr>(HdrAddr));
  auto V = REPRISE_TRY(readIovecs(T, H.Iov, int64_t(std::min<uint64_t>(H.IovLen, INT64_MAX)),
                                      Errno::LX_EMSGSIZE));
  Received R;
  R.MsgFlags = Flags & LX_MSG_CMSG_CLOEXEC;
  int64_t N = REPRISE_TRY(doRecv(T, F, V, Flags, R));
  uint32_t NameLen = 0;
  if (R.HasFrom && R.From.K != UnixAddress::None && H.Name) {
    auto Bytes = R.From.encode();
    NameLen = uint32_t(Bytes.size());
    size_t Copy = std::min<size_t>(Bytes.size(), H.NameLen);
    if (Copy)
      REPRISE_TRY(T.copyOut(H.Name, llvm::ArrayRef<uint8_t>(Bytes).take_front(Copy)));
  }
  uint64_t ControlLen = 0;
  if (H.Control && H.ControlLen)
    ControlLen = REPRISE_TRY(writeControl(T, H.Control, H.ControlLen, Flags, R));
  else if (!R.Files.empty() || R.Creds)
    R.MsgFlags |= LX_MSG_CTRUNC;
  REPRISE_TRY(T.copyOutObj(HdrAddr + offsetof(MsgHdr, NameLen), NameLen));
  REPRISE_TRY(T.copyOutObj(HdrAddr + offsetof(MsgHdr, ControlLen), ControlLen));
  REPRISE_TRY(T.copyOutObj(HdrAddr + offsetof(MsgHdr, Flags), R.MsgFlags));
  return N;
}

} // namespace

std::vector<uint8_t> UnixAddress::encode() const {
  // A path ends in its NUL; an abstract name starts with one.
  size_t Len = SunPathOffset + (K == None ? 0 : Name.size() + 1);
  std::vector<uint8_t> B(Len, 0);
  uint16_t Family = LX_AF_UNIX;
  std::memcpy(B.data(), &Family, 2);
  if (K != None)
    std::memcpy(B.data() + SunPathOffset + (K == Abstract ? 1 : 0), Name.data(),
                Name.size());
  return B;
}

void UnixSocket::consumed(UnixMessage &M, size_t N) {
  M.Taken += N;
  QueuedBytes -= std::min(QueuedBytes, N);
  uint64_t Freed = N;
  if (!M.left() && M.Charged) {
    Freed += MessageOverhead;
    M.Charged = false;
  }
  if (auto From = M.Sender.lock()) {
    From->InFlight -= std::min<uint64_t>(From->InFlight, Freed);
    From->Writable.wakeAll();
  }
  Room.wakeAll();
}

void UnixSocket::dropQueue(UnixNames &Names) {
  // Queued descriptors go to the table's list, to be let go by drain():
  // each may be the last of another socket.
  auto Messages = std::move(Queue);
  Queue.clear();
  for (auto &M : Messages) {
    consumed(M, M.left());
    Names.InFlightFiles -= M.Files.size();
    for (auto &F : M.Files)
      Names.Dropped.push_back(std::move(F));
  }
}

void UnixSocket::release(UnixNames &Names, bool Reset) {
  if (Released)
    return;
  Released = true;
  Names.unbind(*this);
  if (UnixSocketRef P = peer(); P && connectionOriented()) {
    P->Shutdown = RcvShutdown | SendShutdown;
    // Data left unread, or a connection never accepted, resets the peer.
    if (!Queue.empty() || Reset)
      P->Error = int32_t(Errno::LX_ECONNRESET);
    wakeAll(*P);
  }
  Peer.reset();
  dropQueue(Names);
  auto Waiting = std::move(Pending);
  Pending.clear();
  for (auto &E : Waiting)
    E->release(Names, true);
  wakeAll(*this);
}

UnixSocketRef UnixNames::findAbstract(uint32_t Type, const std::string &Name) const {
  auto It = Abstract.find({Type, Name});
  return It == Abstract.end() ? nullptr : It->second.lock();
}

UnixSocketRef UnixNames::findPath(std::pair<uint64_t, uint64_t> Key) const {
  auto It = Paths.find(Key);
  return It == Paths.end() ? nullptr : It->second.lock();
}

bool UnixNames::bindAbstract(const std::string &Name, const UnixSocketRef &S) {
  auto &Slot = Abstract[{S->Type, Name}];
  if (auto Old = Slot.lock(); Old && !Old->Released)
    return false;
  Slot = S;
  return true;
}

void UnixNames::bindPath(std::pair<uint64_t, uint64_t> Key, const UnixSocketRef &S) {
  Paths[Key] = S;
  S->PathKey = Key;
}

void UnixNames::unbind(const UnixSocket &S) {
  if (S.Addr.K == UnixAddress::Abstract) {
    auto It = Abstract.find({S.Type, S.Addr.Name});
    if (It != Abstract.end() && It->second.lock().get() == &S)
      Abstract.erase(It);
  } else if (S.PathKey) {
    auto It = Paths.find(*S.PathKey);
    if (It != Paths.end() && It->second.lock().get() == &S)
      Paths.erase(It);
  }
}

void UnixNames::drain() {
  if (Draining)
    return; // the outer call lets these go too
  Draining = true;
  while (!Dropped.empty()) {
    fs::FileRef F = std::move(Dropped.back());
    Dropped.pop_back();
    F.reset(); // may add more to Dropped
  }
  Draining = false;
}

void UnixNames::track(const UnixSocketRef &S) {
  // Forget the sockets that are gone now and then, so that the list stays
  // within twice the live ones.
  if (All.size() >= 64 && All.size() == All.capacity())
    All.erase(std::remove_if(All.begin(), All.end(),
                             [](const std::weak_ptr<UnixSocket> &W) { return W.expired(); }),
              All.end());
  All.push_back(S);
}

void UnixNames::releaseAll() {
  for (auto &W : All)
    if (auto S = W.lock())
      S->dropQueue(*this);
  All.clear();
  drain();
}

std::string UnixNames::autobindName() {
  char Buf[8];
  snprintf(Buf, sizeof Buf, "%05x", NextAuto++ & 0xfffff);
  return Buf;
}

SocketFile::SocketFile(std::shared_ptr<UnixNames> Names, UnixSocketRef Sock, uint32_t Flags)
    : OpenFile(std::make_shared<AnonInode>(Sock->Ino, LX_S_IFSOCK | 0777, AnonInode::SockDev),
               Flags),
      Names(std::move(Names)), S(std::move(Sock)) {
  Path = "socket:[" + std::to_string(S->Ino) + "]";
}

SocketFile::~SocketFile() {
  S->release(*Names);
  Names->drain();
}

Result<int64_t> SocketFile::ioctl(uint32_t Request, llvm::MutableArrayRef<uint8_t> Arg) {
  int32_t N = 0;
  if (Request == LX_FIONREAD) { // SIOCINQ
    if (S->St == UnixSocket::State::Listening)
      return Errno::LX_EINVAL;
    if (S->Type == LX_SOCK_DGRAM)
      N = S->Queue.empty() ? 0 : int32_t(S->Queue.front().Data.size());
    else
      N = int32_t(S->QueuedBytes);
  } else if (Request == LX_SIOCOUTQ) {
    N = int32_t(S->InFlight);
  } else {
    return Errno::LX_ENOTTY;
  }
  if (Arg.size() < 4)
    return Errno::LX_EFAULT;
  std::memcpy(Arg.data(), &N, 4);
  return 0;
}

uint16_t socketPollReady(UnixSocket &S) {
  uint16_t Mask = 0;
  if (S.Error)
    Mask |= LX_POLLERR;
  if (S.Shutdown == (UnixSocket::RcvShutdown | UnixSocket::SendShutdown))
    Mask |= LX_POLLHUP;
  if (S.Shutdown & UnixSocket::RcvShutdown)
    Mask |= LX_POLLRDHUP | LX_POLLIN | LX_POLLRDNORM;
  if (!S.Queue.empty() || !S.Pending.empty())
    Mask |= LX_POLLIN | LX_POLLRDNORM;
  if (S.connectionOriented() && S.St == UnixSocket::State::Unconnected)
    Mask |= LX_POLLHUP;
  if (S.St == UnixSocket::State::Listening)
    return Mask;
  bool Writable = S.InFlight * 4 <= S.SndBuf;
  // A datagram cannot go to a peer whose queue is full (datagramSend's
  // rule).
  if (UnixSocketRef P = S.peer(); P && !S.connectionOriented() && P.get() != &S &&
                                  P->peer().get() != &S &&
                                  P->Queue.size() > UnixSocket::MaxDatagrams)
    Writable = false;
  if (Writable)
    Mask |= LX_POLLOUT | LX_POLLWRNORM | LX_POLLWRBAND;
  return Mask;
}

void socketPollQueues(UnixSocket &S, std::vector<WaitQueue *> &Queues) {
  auto Add = [&](WaitQueue *Q) {
    if (std::find(Queues.begin(), Queues.end(), Q) == Queues.end())
      Queues.push_back(Q);
  };
  Add(&S.Readable);
  Add(&S.Writable);
  if (UnixSocketRef P = S.peer(); P && !S.connectionOriented())
    Add(&P->Room);
}

SysResult socketReadv(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V) {
  if (iovTotal(V) == 0)
    return 0; // read(2) of nothing returns at once (recv(2) would wait)
  Received R;
  int64_t N = REPRISE_TRY(doRecv(T, F, V, 0, R));
  // read(2) has nowhere to put descriptors: they are closed.
  return N;
}

SysResult socketWritev(Task &T, SocketFile &F, llvm::ArrayRef<iovec> V) {
  Ancillary None;
  return doSend(T, F, V, nullptr, None, 0);
}

// Implements socket(2).
SysResult sysSocket(Task &T, const SyscallArgs &A) {
  uint32_t Kind = REPRISE_TRY(checkSocketArgs(A.i32(0), A.u32(1), A.i32(2)));
  auto S = newSocket(T.kernel(), Kind);
  return REPRISE_TRY(installSocket(T, S, A.u32(1)));
}

// Implements socketpair(2): two connected sockets, each the other's peer,
// each with the caller's credentials as SO_PEERCRED.
SysResult sysSocketpair(Task &T, const SyscallArgs &A) {
  uint32_t Kind = REPRISE_TRY(checkSocketArgs(A.i32(0), A.u32(1), A.i32(2)));
  Kernel &K = T.kernel();
  auto S1 = newSocket(K, Kind);
  auto S2 = newSocket(K, Kind);
  S1->Peer = S2;
  S2->Peer = S1;
  S1->PeerSet = S2->PeerSet = true;
  S1->St = S2->St = UnixSocket::State::Connected;
  S1->PeerCred = S2->PeerCred = identityOf(T);
  int Fd1 = REPRISE_TRY(installSocket(T, S1, A.u32(1)));
  auto Fd2 = installSocket(T, S2, A.u32(1));
  if (!Fd2) {
    (void)T.fds().close(Fd1);
    return Fd2.error();
  }
  std::array<int32_t, 2> Fds{Fd1, *Fd2};
  if (auto E = T.copyOutObj(A.arg(3), Fds); !E) {
    (void)T.fds().close(Fd1);
    (void)T.fds().close(*Fd2);
    return E.error();
  }
  return 0;
}

// Implements bind(2): a path becomes a socket node in the file system
// (EADDRINUSE where the name exists), an abstract name an entry of the
// kernel's table; the family alone asks for an autobind name. A named
// socket cannot be named again (EINVAL).
SysResult sysBind(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  auto Addr = REPRISE_TRY(readAddress(T, A.arg(1), A.arg(2)));
  UnixSocket &S = F->socket();
  Kernel &K = T.kernel();
  switch (Addr.K) {
  case UnixAddress::None:
    REPRISE_TRY(autobind(K, F->ref())); // nothing to do for a named socket
    return 0;
  case UnixAddress::Abstract:
    if (S.Addr.K != UnixAddress::None)
      return Errno::LX_EINVAL;
    if (!K.unixNames().bindAbstract(Addr.Name, F->ref()))
      return Errno::LX_EADDRINUSE;
    S.Addr = Addr;
    return 0;
  case UnixAddress::Path:
    break;
  }
  auto [Parent, Name] = REPRISE_TRY(T.resolveParentAt(LX_AT_FDCWD, Addr.Name));
  if (Name.empty() || Name == "." || Name == "..")
    return Errno::LX_EADDRINUSE;
  auto DirStat = REPRISE_TRY(Parent.node()->access());
  REPRISE_TRY(fs::checkPermission(DirStat, T.Creds, LX_W_OK | LX_X_OK));
  uint32_t Mode = LX_S_IFSOCK | (0777 & ~T.fsContext().Umask);
  if (auto R = Parent.node()->mknod(Name, Mode, T.Creds); !R)
    return R.error() == Errno::LX_EEXIST ? Errno::LX_EADDRINUSE : R.error();
  // Linux makes the node first and only then finds the socket named: the
  // node goes again.
  if (S.Addr.K != UnixAddress::None) {
    (void)Parent.node()->unlink(Name);
    return Errno::LX_EINVAL;
  }
  auto Node = REPRISE_TRY(Parent.node()->lookup(Name));
  auto St = REPRISE_TRY(Node->stat());
  K.unixNames().bindPath({St.Dev, St.Ino}, F->ref());
  S.Addr = Addr;
  return 0;
}

// Implements listen(2).
SysResult sysListen(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  UnixSocket &S = F->socket();
  if (!S.connectionOriented())
    return Errno::LX_EOPNOTSUPP;
  if (S.Addr.K == UnixAddress::None || S.St == UnixSocket::State::Connected)
    return Errno::LX_EINVAL;
  constexpr uint32_t SoMaxConn = 4096;
  uint32_t Backlog = A.u32(1);
  S.Backlog = std::min(Backlog, SoMaxConn);
  if (S.St != UnixSocket::State::Listening)
    S.PeerCred = identityOf(T); // what connecting clients see of it
  S.St = UnixSocket::State::Listening;
  S.Readable.wakeAll();
  return 0;
}

// Implements connect(2). A stream or seqpacket connection completes at
// once: the server's end waits in the listener's queue for accept(2). A
// datagram socket only gets a default destination (AF_UNSPEC drops it).
SysResult sysConnect(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  UnixSocket &S = F->socket();
  Kernel &K = T.kernel();
  if (!S.connectionOriented() && A.arg(2) >= 2) {
    uint16_t Family = REPRISE_TRY(T.copyInObj<uint16_t>(A.arg(1)));
    if (Family == LX_AF_UNSPEC) {
      if (S.PeerSet)
        dropQueue(K, S);
      S.Peer.reset();
      S.PeerSet = false;
      return 0;
    }
  }
  auto Addr = REPRISE_TRY(readAddress(T, A.arg(1), A.arg(2)));
  if (Addr.K == UnixAddress::None)
    return Errno::LX_EINVAL;
  if (S.connectionOriented()) {
    if (S.St == UnixSocket::State::Connected)
      return Errno::LX_EISCONN;
    if (S.St == UnixSocket::State::Listening)
      return Errno::LX_EINVAL;
  }
  auto Dest = REPRISE_TRY(lookupAddress(T, Addr, S.Type));
  if (Dest->Type != S.Type)
    return Errno::LX_EPROTOTYPE;
  if (S.PassCred)
    REPRISE_TRY(autobind(K, F->ref()));
  if (!S.connectionOriented()) {
    if (UnixSocketRef DP = Dest->peer(); DP && DP.get() != &S && Dest.get() != &S)
      return Errno::LX_EPERM;
    if (S.PeerSet && S.peer() != Dest)
      dropQueue(K, S); // what the old peer sent is thrown away
    S.Peer = Dest;
    S.PeerSet = true;
    S.PeerAddr = Dest->Addr;
    return 0;
  }
  if (Dest->St != UnixSocket::State::Listening || (Dest->Shutdown & UnixSocket::RcvShutdown))
    return Errno::LX_ECONNREFUSED;
  if (Dest->Pending.size() > Dest->Backlog) {
    bool NonBlock = F->flags() & LX_O_NONBLOCK;
    return waitFor(T, NonBlock, S.SndTimeo, {&Dest->Room}, "connect(unix)");
  }
  // The server's end of the new connection: the listener's name, the
  // client's credentials.
  auto E = newSocket(K, S.Type);
  E->St = UnixSocket::State::Connected;
  E->Addr = Dest->Addr;
  E->Peer = F->ref();
  E->PeerSet = true;
  E->PeerAddr = S.Addr;
  E->PeerCred = identityOf(T);
  E->PassCred = Dest->PassCred;
  E->SndBuf = Dest->SndBuf;
  S.Peer = E;
  S.PeerSet = true;
  S.PeerAddr = Dest->Addr;
  S.St = UnixSocket::State::Connected;
  S.PeerCred = Dest->PeerCred;
  Dest->Pending.push_back(E);
  Dest->Readable.wakeAll();
  return 0;
}

namespace {

SysResult acceptImpl(Task &T, int32_t Fd, uint64_t Addr, uint64_t LenAddr, uint32_t Flags) {
  if (Flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK))
    return Errno::LX_EINVAL;
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, Fd, Hold));
  UnixSocket &S = F->socket();
  if (!S.connectionOriented())
    return Errno::LX_EOPNOTSUPP;
  if (S.St != UnixSocket::State::Listening)
    return Errno::LX_EINVAL;
  if (S.Pending.empty())
    return waitFor(T, F->flags() & LX_O_NONBLOCK, S.RcvTimeo, {&S.Readable}, "accept(unix)");
  UnixSocketRef E = S.Pending.front();
  S.Pending.pop_front();
  S.Room.wakeAll();
  std::vector<uint8_t> PeerName;
  if (UnixSocketRef C = E->peer())
    PeerName = C->Addr.encode();
  else
    PeerName = UnixAddress{}.encode();
  auto NewFd = installSocket(T, E, Flags);
  if (!NewFd) {
    S.Pending.push_front(E);
    return NewFd.error();
  }
  if (auto W = writeAddress(T, Addr, LenAddr, PeerName); !W) {
    // As Linux: the new connection is dropped with its descriptor.
    (void)T.fds().close(*NewFd);
    return W.error();
  }
  return *NewFd;
}

} // namespace

// Implements accept(2).
SysResult sysAccept(Task &T, const SyscallArgs &A) {
  return acceptImpl(T, A.fd(0), A.arg(1), A.arg(2), 0);
}

// Implements accept4(2).
SysResult sysAccept4(Task &T, const SyscallArgs &A) {
  return acceptImpl(T, A.fd(0), A.arg(1), A.arg(2), A.u32(3));
}

// Implements getsockname(2).
SysResult sysGetsockname(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  REPRISE_TRY(writeAddress(T, A.arg(1), A.arg(2), F->socket().Addr.encode()));
  return 0;
}

// Implements getpeername(2).
SysResult sysGetpeername(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  UnixSocket &S = F->socket();
  // The peer's name as it was when they met: it stays after the peer goes.
  if (!S.PeerSet || (S.connectionOriented() && S.St != UnixSocket::State::Connected))
    return Errno::LX_ENOTCONN;
  REPRISE_TRY(writeAddress(T, A.arg(1), A.arg(2), S.PeerAddr.encode()));
  return 0;
}

// Implements sendto(2).
SysResult sysSendto(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  std::optional<UnixAddress> To;
  if (A.arg(4)) {
    To = REPRISE_TRY(readAddress(T, A.arg(4), A.u32(5)));
    if (To->K == UnixAddress::None)
      return Errno::LX_EINVAL;
  }
  iovec V{A.arg(1), std::min<uint64_t>(A.arg(2), MaxRw)};
  Ancillary None;
  return doSend(T, *F, {V}, To ? &*To : nullptr, None, A.u32(3));
}

// Implements recvfrom(2).
SysResult sysRecvfrom(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  iovec V{A.arg(1), std::min<uint64_t>(A.arg(2), MaxRw)};
  Received R;
  int64_t N = REPRISE_TRY(doRecv(T, *F, {V}, A.u32(3), R));
  if (A.arg(4)) {
    // An unnamed sender (or a stream) gives an empty address.
    std::vector<uint8_t> Name;
    if (R.HasFrom && R.From.K != UnixAddress::None)
      Name = R.From.encode();
    REPRISE_TRY(writeAddress(T, A.arg(4), A.arg(5), Name));
  }
  return N;
}

// Implements sendmsg(2).
SysResult sysSendmsg(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  return sendMsgAt(T, *F, A.arg(1), A.u32(2));
}

// Implements recvmsg(2).
SysResult sysRecvmsg(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  return recvMsgAt(T, *F, A.arg(1), A.u32(2));
}

namespace {

constexpr uint64_t MmsgSize = 64; // struct mmsghdr: a msghdr and msg_len
constexpr uint64_t MaxMmsg = 1024; // UIO_MAXIOV

} // namespace

// Implements sendmmsg(2): messages one after another; the first failure
// ends the batch (and is returned only if nothing was sent).
SysResult sysSendmmsg(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  uint64_t Count = std::min<uint64_t>(A.u32(2), MaxMmsg);
  uint64_t Sent = 0;
  for (; Sent < Count; ++Sent) {
    uint64_t At = A.arg(1) + Sent * MmsgSize;
    // After the first message nothing waits: the batch ends where a
    // blocking send would park.
    auto N = sendMsgAt(T, *F, At, A.u32(3) | (Sent ? LX_MSG_DONTWAIT : 0));
    if (!N) {
      if (Sent && N.error() != Errno::REPRISE_BLOCKED)
        break;
      return N.error();
    }
    REPRISE_TRY(T.copyOutObj(At + sizeof(MsgHdr), uint32_t(*N)));
  }
  return int64_t(Sent);
}

// Implements recvmmsg(2). Only the first message is waited for (as with
// MSG_WAITFORONE, whether given or not): later ones are taken if they are
// already there, and the timeout argument is not used.
SysResult sysRecvmmsg(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  uint64_t Count = std::min<uint64_t>(A.u32(2), MaxMmsg);
  uint32_t Flags = A.u32(3);
  uint64_t Got = 0;
  for (; Got < Count; ++Got) {
    uint64_t At = A.arg(1) + Got * MmsgSize;
    uint32_t Now = Flags;
    if (Got)
      Now |= LX_MSG_DONTWAIT;
    auto N = recvMsgAt(T, *F, At, Now & ~LX_MSG_WAITFORONE);
    if (!N) {
      if (Got && N.error() != Errno::REPRISE_BLOCKED)
        break;
      return N.error();
    }
    REPRISE_TRY(T.copyOutObj(At + sizeof(MsgHdr), uint32_t(*N)));
  }
  return int64_t(Got);
}

// Implements shutdown(2): SHUT_RD, SHUT_WR or both; a connected stream or
// seqpacket peer sees the other side of it.
SysResult sysShutdown(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  int32_t How = A.i32(1);
  if (How < 0 || How > 2)
    return Errno::LX_EINVAL;
  UnixSocket &S = F->socket();
  uint32_t Mode = uint32_t(How) + 1; // SHUT_RD -> RcvShutdown, SHUT_WR -> SendShutdown
  S.Shutdown |= Mode;
  wakeAll(S);
  if (UnixSocketRef P = S.peer(); P && S.connectionOriented()) {
    uint32_t Mirror = ((Mode & UnixSocket::RcvShutdown) ? UnixSocket::SendShutdown : 0) |
                      ((Mode & UnixSocket::SendShutdown) ? UnixSocket::RcvShutdown : 0);
    P->Shutdown |= Mirror;
    wakeAll(*P);
  }
  return 0;
}

namespace {

/// SO_RCVTIMEO/SO_SNDTIMEO: 0 is no timeout, a negative time is "do not
/// wait", and one past what Linux can count is no timeout either.
uint64_t timeoutNs(const timeval &V) {
  if (V.tv_sec < 0)
    return UnixSocket::NoWait;
  constexpr int64_t MaxSec = int64_t(1) << 32; // far past any run's virtual time
  if (V.tv_sec >= MaxSec)
    return 0;
  return uint64_t(V.tv_sec) * 1'000'000'000 + uint64_t(V.tv_usec) * 1000;
}

timeval timevalOf(uint64_t Ns) {
  timeval V{};
  if (Ns == UnixSocket::NoWait)
    return V;
  V.tv_sec = int64_t(Ns / 1'000'000'000);
  V.tv_usec = int64_t(Ns % 1'000'000'000 / 1000);
  return V;
}

// SOL_SOCKET options reprise keeps without acting on them.
constexpr int32_t SoBroadcast = 6, SoPriority = 12, SoRcvLowat = 18, SoSndLowat = 19,
                  SoSndBufForce = 32, SoRcvBufForce = 33, SoPassSec = 34, SoPeerGroups = 59;

bool keptOption(int32_t Opt) {
  switch (Opt) {
  case LX_SO_REUSEADDR:
  case LX_SO_KEEPALIVE:
  case SoBroadcast:
  case SoPriority:
  case SoRcvLowat:
  case SoPassSec:
    return true;
  default:
    return false;
  }
}

} // namespace

// Implements setsockopt(2) at SOL_SOCKET; AF_UNIX has no other level.
SysResult sysSetsockopt(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  UnixSocket &S = F->socket();
  if (A.i32(1) != LX_SOL_SOCKET)
    return Errno::LX_EOPNOTSUPP;
  int32_t Opt = A.i32(2);
  uint32_t Len = A.u32(4);
  if (Opt == LX_SO_RCVTIMEO || Opt == LX_SO_SNDTIMEO) {
    if (Len < sizeof(timeval))
      return Errno::LX_EINVAL;
    timeval V = REPRISE_TRY(T.copyInObj<timeval>(A.arg(3)));
    if (V.tv_usec < 0 || V.tv_usec >= 1'000'000)
      return Errno::LX_EDOM;
    (Opt == LX_SO_RCVTIMEO ? S.RcvTimeo : S.SndTimeo) = timeoutNs(V);
    return 0;
  }
  if (Opt == LX_SO_LINGER) {
    if (Len < 8)
      return Errno::LX_EINVAL;
    return 0; // nothing lingers: a close hands the data over at once
  }
  if (Len < 4)
    return Errno::LX_EINVAL;
  int32_t V = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(3)));
  // Linux doubles the size asked for (room for its bookkeeping), within
  // net.core.[rw]mem_max unless forced, and not under the minimum.
  auto Buf = [&](bool Force, uint32_t Min) {
    uint64_t W = uint32_t(std::max(V, 0));
    if (!Force)
      W = std::min<uint64_t>(W, UnixSocket::DefaultBuf);
    W = std::min<uint64_t>(W, INT32_MAX / 2);
    return uint32_t(std::max<uint64_t>(W * 2, Min));
  };
  switch (Opt) {
  case LX_SO_SNDBUF:
  case SoSndBufForce:
    if (Opt == SoSndBufForce && T.Ids.Euid != 0)
      return Errno::LX_EPERM;
    S.SndBuf = Buf(Opt == SoSndBufForce, UnixSocket::MinSndBuf);
    S.Writable.wakeAll();
    return 0;
  case LX_SO_RCVBUF:
  case SoRcvBufForce:
    if (Opt == SoRcvBufForce && T.Ids.Euid != 0)
      return Errno::LX_EPERM;
    S.RcvBuf = Buf(Opt == SoRcvBufForce, UnixSocket::MinRcvBuf);
    return 0;
  case LX_SO_PASSCRED:
    S.PassCred = V != 0;
    return 0;
  default:
    if (!keptOption(Opt))
      return Errno::LX_ENOPROTOOPT;
    S.Flags[Opt] = Opt == SoPriority || Opt == SoRcvLowat ? V : (V != 0);
    if (Opt == SoRcvLowat && V <= 0)
      S.Flags[Opt] = 1;
    return 0;
  }
}

// Implements getsockopt(2) at SOL_SOCKET.
SysResult sysGetsockopt(Task &T, const SyscallArgs &A) {
  fs::FileRef Hold;
  SocketFile *F = REPRISE_TRY(socketOf(T, A.fd(0), Hold));
  UnixSocket &S = F->socket();
  if (A.i32(1) != LX_SOL_SOCKET)
    return Errno::LX_EOPNOTSUPP;
  int32_t Len = REPRISE_TRY(T.copyInObj<int32_t>(A.arg(4)));
  if (Len < 0)
    return Errno::LX_EINVAL;
  std::vector<uint8_t> Out;
  auto Int = [&](int32_t V) {
    Out.resize(4);
    std::memcpy(Out.data(), &V, 4);
  };
  int32_t Opt = A.i32(2);
  switch (Opt) {
  case LX_SO_TYPE:
    Int(int32_t(S.Type));
    break;
  case LX_SO_ERROR:
    Int(S.Error);
    S.Error = 0;
    break;
  case LX_SO_SNDBUF:
    Int(int32_t(S.SndBuf));
    break;
  case LX_SO_RCVBUF:
    Int(int32_t(S.RcvBuf));
    break;
  case LX_SO_PASSCRED:
    Int(S.PassCred);
    break;
  case LX_SO_ACCEPTCONN:
    Int(S.St == UnixSocket::State::Listening);
    break;
  case LX_SO_DOMAIN:
    Int(LX_AF_UNIX);
    break;
  case LX_SO_PROTOCOL:
    Int(0);
    break;
  case SoSndLowat:
    Int(1);
    break;
  case LX_SO_LINGER:
    Out.assign(8, 0);
    break;
  case LX_SO_PEERCRED: {
    // No peer yet: no pid, and ids of -1.
    UCred U{0, ~0u, ~0u};
    if (S.PeerCred)
      U = UCred{S.PeerCred->Creds.Pid, S.PeerCred->Creds.Uid, S.PeerCred->Creds.Gid};
    Out.resize(sizeof U);
    std::memcpy(Out.data(), &U, sizeof U);
    break;
  }
  case SoPeerGroups: {
    if (!S.PeerCred)
      return Errno::LX_ENODATA;
    const auto &G = S.PeerCred->Groups;
    int32_t Need = int32_t(G.size() * 4);
    if (Len < Need) { // the size it takes, and ERANGE
      REPRISE_TRY(T.copyOutObj(A.arg(4), Need));
      return Errno::LX_ERANGE;
    }
    Out.resize(G.size() * 4);
    if (!G.empty())
      std::memcpy(Out.data(), G.data(), Out.size());
    break;
  }
  case LX_SO_RCVTIMEO:
  case LX_SO_SNDTIMEO: {
    timeval V = timevalOf(Opt == LX_SO_RCVTIMEO ? S.RcvTimeo : S.SndTimeo);
    Out.resize(sizeof V);
    std::memcpy(Out.data(), &V, sizeof V);
    break;
  }
  default:
    if (!keptOption(Opt))
      return Errno::LX_ENOPROTOOPT;
    if (auto It = S.Flags.find(Opt); It != S.Flags.end())
      Int(It->second);
    else
      Int(Opt == SoRcvLowat ? 1 : 0);
    break;
  }
  size_t N = std::min<size_t>(size_t(Len), Out.size());
  if (N)
    REPRISE_TRY(T.copyOut(A.arg(3), llvm::ArrayRef<uint8_t>(Out).take_front(N)));
  REPRISE_TRY(T.copyOutObj(A.arg(4), int32_t(N)));
  return 0;
}

} // namespace reprise
