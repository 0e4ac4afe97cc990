//===- kernel/Socket.h - AF_UNIX sockets ------------------------*- C++ -*-===//
//
// reprise's one socket family is AF_UNIX, with Linux's three types: stream
// (a byte stream between two connected ends), seqpacket (connected, with
// message boundaries) and datagram (messages, connected or addressed).
// Everything lives in the kernel: the bytes sent, the descriptors passed
// with SCM_RIGHTS and the credentials of SCM_CREDENTIALS sit in the
// receiver's queue until it reads them, so a run behaves the same on any
// host, Linux or not.
//
// Names: a path name is a socket node in the guest's file system (made by
// bind(2) through Vnode::mknod); the kernel finds the socket bound to it by
// the node's device and inode. An abstract name (a leading NUL) lives only
// in the kernel's table, one table per socket type as in Linux. Autobind
// gives an abstract name of five hex digits from a counter, so runs name
// alike.
//
// Buffering follows Linux's rules in spirit, with fixed sizes: what a
// socket has sent and its receiver has not read, with an overhead per
// message, counts against the sender's SO_SNDBUF; a datagram receiver
// holds at most MaxDatagrams from senders other than its peer.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "fs/Vnode.h"
#include "kernel/Task.h"
#include "kernel/abi/Structs.h"

#include <deque>
#include <map>
#include <optional>

namespace reprise {

class UnixNames;
class UnixSocket;
using UnixSocketRef = std::shared_ptr<UnixSocket>;

/// A socket's name: none, a path, or an abstract name (its bytes after
/// the leading NUL).
struct UnixAddress {
  enum Kind : uint8_t { None, Path, Abstract };
  Kind K = None;
  std::string Name;

  /// The sockaddr_un bytes Linux reports for it (family and name; a path
  /// with its NUL). An unnamed socket's is the family alone.
  std::vector<uint8_t> encode() const;
};

/// struct ucred: what SO_PEERCRED and SCM_CREDENTIALS tell.
struct SocketCreds {
  int32_t Pid = 0;
  uint32_t Uid = 65534, Gid = 65534; // the overflow ids: nobody known
};

/// What SO_PEERCRED and SO_PEERGROUPS tell of a connected peer.
struct PeerIdentity {
  SocketCreds Creds;
  std::vector<uint32_t> Groups;
};

struct UnixMessage {
  std::vector<uint8_t> Data;
  size_t Taken = 0; // stream: bytes already read
  std::vector<fs::FileRef> Files; // SCM_RIGHTS
  std::optional<SocketCreds> Creds; // SCM_CREDENTIALS
  UnixAddress From;                 // datagrams: the sender's name
  std::weak_ptr<UnixSocket> Sender; // charged for the bytes until read
  bool Charged = true; // the sender still pays the message's overhead
  size_t left() const { return Data.size() - Taken; }
};

class UnixSocket : public std::enable_shared_from_this<UnixSocket> {
public:
  enum class State : uint8_t { Unconnected, Listening, Connected };
  static constexpr uint32_t RcvShutdown = 1, SendShutdown = 2;
  static constexpr uint32_t DefaultBuf = 212992; // net.core.wmem_default
  static constexpr uint32_t MinSndBuf = 4608, MinRcvBuf = 2304; // SOCK_MIN_*BUF
  /// net.unix.max_dgram_qlen: a receiver holds more than this many
  /// datagrams only from its own peer.
  static constexpr size_t MaxDatagrams = 10;
  /// What a message costs its sender besides its bytes (about the size of
  /// Linux's socket buffer head), so that tiny messages cannot fill the
  /// host's memory.
  static constexpr uint64_t MessageOverhead = 768;
  /// A timeout that means "do not wait" (SO_RCVTIMEO with a negative time).
  static constexpr uint64_t NoWait = ~uint64_t(0);

  UnixSocket(uint32_t Type, uint64_t Ino) : Type(Type), Ino(Ino) {}

  bool connectionOriented() const { return Type != linux_abi::LX_SOCK_DGRAM; }
  UnixSocketRef peer() const { return Peer.lock(); }

  /// The last descriptor of the socket is gone: the peer sees the end of
  /// the connection (ECONNRESET if this end left data unread, or with
  /// \p Reset: a connection never accepted), the name is freed and queued
  /// descriptors are dropped.
  void release(UnixNames &Names, bool Reset = false);

  /// Takes \p M's bytes off the books of its sender and wakes writers.
  void consumed(UnixMessage &M, size_t N);
  /// Empties the queue; its descriptors go to \p Names.Dropped.
  void dropQueue(UnixNames &Names);

  uint32_t Type;
  uint64_t Ino;
  State St = State::Unconnected;
  bool Released = false;
  std::weak_ptr<UnixSocket> Peer;
  bool PeerSet = false; // a peer was given (it may be gone since)
  UnixAddress PeerAddr; // its name then (getpeername after it is gone)
  std::deque<UnixMessage> Queue; // received, not read
  size_t QueuedBytes = 0;
  std::deque<UnixSocketRef> Pending; // listening: connected, not accepted
  uint32_t Backlog = 0;
  UnixAddress Addr;
  std::optional<std::pair<uint64_t, uint64_t>> PathKey; // bound node (dev, ino)
  uint32_t Shutdown = 0;
  int32_t Error = 0; // pending error (SO_ERROR), as a positive errno
  std::optional<PeerIdentity> PeerCred;
  bool PassCred = false;
  uint32_t SndBuf = DefaultBuf, RcvBuf = DefaultBuf;
  uint64_t InFlight = 0;               // bytes (and overheads) sent, not yet read
  uint64_t RcvTimeo = 0, SndTimeo = 0; // ns; 0 = wait without end, or NoWait
  /// Options kept and read back that change nothing here (SO_REUSEADDR,
  /// SO_KEEPALIVE, SO_BROADCAST, SO_PRIORITY, SO_RCVLOWAT, SO_PASSSEC...).
  std::map<int32_t, int32_t> Flags;
  WaitQueue Readable; // data, a connection, or an end arrived
  WaitQueue Writable; // room freed for what this socket sends
  WaitQueue Room;     // a datagram left this socket's full queue
};

/// The kernel's table of bound AF_UNIX names.
class UnixNames {
public:
  /// Abstract names are per socket type, as Linux hashes them.
  UnixSocketRef findAbstract(uint32_t Type, const std::string &Name) const;
  UnixSocketRef findPath(std::pair<uint64_t, uint64_t> Key) const;
  bool bindAbstract(const std::string &Name, const UnixSocketRef &S);
  void bindPath(std::pair<uint64_t, uint64_t> Key, const UnixSocketRef &S);
  void unbind(const UnixSocket &S);
  /// A free abstract name for autobind: five hex digits.
  std::string autobindName();

  /// Descriptors dropped with the messages of released sockets. Each may
  /// be the last of another socket with queued descriptors of its own:
  /// they are let go one at a time by drain(), not by nested destructors
  /// (a guest can chain sockets inside sockets without end).
  std::vector<fs::FileRef> Dropped;
  void drain();
  /// Every socket made, to empty their queues when the kernel ends (a
  /// socket passed inside its own queue is otherwise never freed).
  void track(const UnixSocketRef &S);
  void releaseAll();
  /// Descriptors inside queues, all sockets together (ETOOMANYREFS past
  /// MaxInFlightFiles).
  uint64_t InFlightFiles = 0;
  static constexpr uint64_t MaxInFlightFiles = 1u << 16;

private:
  bool Draining = false;
  std::vector<std::weak_ptr<UnixSocket>> All;
  std::map<std::pair<uint32_t, std::string>, std::weak_ptr<UnixSocket>> Abstract;
  std::map<std::pair<uint64_t, uint64_t>, std::weak_ptr<UnixSocket>> Paths;
  uint32_t NextAuto = 0;
};

/// An open socket.
class SocketFile : public fs::OpenFile {
public:
  SocketFile(std::shared_ptr<UnixNames> Names, UnixSocketRef S, uint32_t Flags);
  ~SocketFile() override;

  Result<int64_t> seek(int64_t, uint32_t) override { return Errno::LX_ESPIPE; }
  Result<int64_t> ioctl(uint32_t Request, llvm::MutableArrayRef<uint8_t> Arg) override;

  UnixSocket &socket() { return *S; }
  const UnixSocketRef &ref() const { return S; }

private:
  std::shared_ptr<UnixNames> Names; // outlives the kernel's tables, if need be
  UnixSocketRef S;
};

/// read(2)/readv(2) and write(2)/writev(2) of a socket: recvmsg and sendmsg
/// with no flags, name or control data.
SysResult socketReadv(Task &T, SocketFile &F, llvm::ArrayRef<linux_abi::iovec> V);
SysResult socketWritev(Task &T, SocketFile &F, llvm::ArrayRef<linux_abi::iovec> V);

/// poll(2)'s view of a socket, and where its waiters park.
uint16_t socketPollReady(UnixSocket &S);
void socketPollQueues(UnixSocket &S, std::vector<WaitQueue *> &Queues);

} // namespace reprise
