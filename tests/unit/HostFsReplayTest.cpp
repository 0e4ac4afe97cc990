//===- tests/unit/HostFsReplayTest.cpp - HostFs needs only the trace ------===//
//
// The story: a fixed script of file system operations runs over a host
// directory with a gate that records, and its results are written down. Then
// the host directory is changed behind reprise's back, and the same script
// runs again with a gate that replays the trace, over a HostFs whose root is
// an empty directory (and then one that does not exist). The replay must see
// exactly what the recording saw, and must leave every host file as it was:
// no read of a host file, no write, no create, no unlink; nor may it close
// any host descriptor (the numbers in the trace are the recording's).
//
// The host's stdin gets the same treatment with a pipe standing in for it,
// and stdout shows that replay still writes the guest's output to the
// replaying host's own stdout, while the guest sees the recording's stream.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "fs/HostFs.h"
#include "fs/HostStream.h"
#include "fs/Vfs.h"
#include "replay/Gate.h"
#include "replay/Trace.h"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace stdfs = std::filesystem;

using namespace reprise;
using namespace reprise::linux_abi;

namespace {

void writeFile(const std::string &Path, const std::string &Text) {
  std::ofstream Out(Path, std::ios::binary);
  Out << Text;
  BOOST_TEST_REQUIRE(Out.good(), "cannot write " << Path);
}

std::string readHostFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

/// Everything below \p Dir that a file system change could touch: for each
/// path, its type, mode, size, mtime and contents (or symlink target).
std::map<std::string, std::string> snapshot(const std::string &Dir) {
  std::map<std::string, std::string> Out;
  std::error_code EC;
  if (!stdfs::exists(Dir, EC))
    return Out;
  for (auto It = stdfs::recursive_directory_iterator(Dir, EC);
       It != stdfs::recursive_directory_iterator(); It.increment(EC)) {
    std::string P = It->path().string();
    struct stat St;
    BOOST_TEST_REQUIRE(::lstat(P.c_str(), &St) == 0);
    std::ostringstream S;
    S << std::oct << St.st_mode << std::dec << ' ' << St.st_size << ' '
      << St.st_mtim.tv_sec << '.' << St.st_mtim.tv_nsec;
    if (S_ISREG(St.st_mode))
      S << " [" << readHostFile(P) << ']';
    if (S_ISLNK(St.st_mode))
      S << " -> " << stdfs::read_symlink(P).string();
    Out[P.substr(Dir.size())] = S.str();
  }
  return Out;
}

/// Writes down what the guest would see, one line per step.
class Log {
public:
  template <typename T> void result(const std::string &What, const Result<T> &R) {
    if (!R.ok())
      Lines.push_back(What + ": " + std::string(errnoName(R.error())));
    else
      Lines.push_back(What + ": ok");
  }
  void line(std::string L) { Lines.push_back(std::move(L)); }
  void stat(const std::string &What, Result<fs::FileStat> S) {
    if (!S.ok())
      return result(What, S);
    std::ostringstream O;
    O << What << ": dev " << S->Dev << " ino " << S->Ino << " mode " << std::oct
      << S->Mode << std::dec << " nlink " << S->Nlink << " uid " << S->Uid
      << " gid " << S->Gid << " size " << S->Size << " blocks " << S->Blocks
      << " mtime " << S->Mtime.Sec << '.' << S->Mtime.Nsec;
    Lines.push_back(O.str());
  }
  void list(const std::string &What, Result<std::vector<fs::DirEntry>> L) {
    if (!L.ok())
      return result(What, L);
    std::ostringstream O;
    O << What << ':';
    for (const auto &E : *L)
      O << ' ' << E.Name << '/' << E.Ino << '/' << int(E.Type);
    Lines.push_back(O.str());
  }
  std::vector<std::string> Lines;
};

/// The host tree the recording runs over:
///   hello, data, old, doomed   regular files
///   sub/inner                  a file in a subdirectory
///   link -> hello              a symlink
struct Tree {
  std::string Base, RootPath, TracePath;

  Tree() {
    std::string Template =
        (stdfs::temp_directory_path() / "reprise-replay-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(Template.data()) != nullptr);
    Base = Template;
    RootPath = Base + "/root";
    TracePath = Base + "/trace";
    stdfs::create_directories(RootPath + "/sub");
    writeFile(RootPath + "/hello", "hello, world\n");
    writeFile(RootPath + "/data", "0123456789");
    writeFile(RootPath + "/old", "old file");
    writeFile(RootPath + "/doomed", "to be unlinked");
    writeFile(RootPath + "/sub/inner", "inner file");
    stdfs::create_symlink("hello", RootPath + "/link");
  }
  ~Tree() {
    std::error_code EC;
    stdfs::remove_all(Base, EC);
  }
};

/// Reads \p F to its end in small pieces.
std::string readAll(fs::OpenFile &F) {
  std::string Out;
  uint8_t Buf[5];
  while (true) {
    auto N = F.read(Buf, nullptr);
    if (!N.ok())
      return Out + "<" + std::string(errnoName(N.error())) + ">";
    if (*N == 0)
      return Out;
    Out.append(reinterpret_cast<const char *>(Buf), *N);
  }
}

/// The script: every kind of HostFs call, results written to a log. Runs
/// over \p HostRoot through \p G, whatever mode the gate is in.
std::vector<std::string> runScript(const std::string &HostRoot,
                                   replay::Gate &G) {
  int64_t Clock = 1000;
  fs::HostFs H(HostRoot, G, fs::Creds{1000, 100, {}},
               [&Clock] { return fs::Timespec{Clock++, 0}; });
  Log L;
  auto RootDir = H.root();
  L.result("root", RootDir);
  BOOST_TEST_REQUIRE(RootDir.ok());
  fs::Vfs V(*RootDir);
  fs::Location R = V.rootLocation();
  auto at = [&](const std::string &Path, bool Follow = false) {
    return V.resolve(R, R, Path, Follow, fs::Creds{});
  };
  // The node at Path, or null (logged) when it cannot be reached.
  auto node = [&](const std::string &Path) -> fs::VnodeRef {
    auto P = at(Path);
    if (P.ok())
      return P->node();
    L.result("lookup " + Path, P);
    return nullptr;
  };
  auto statOf = [&](const std::string &Path, bool Follow = false) {
    auto P = at(Path, Follow);
    if (!P.ok())
      return L.result("stat " + Path, P);
    L.stat("stat " + Path, P->node()->stat());
  };
  auto listOf = [&](const std::string &Path) {
    auto P = at(Path);
    if (!P.ok())
      return L.result("list " + Path, P);
    L.list("list " + Path, P->node()->list());
  };
  auto readOf = [&](const std::string &Path, bool Follow = false) {
    auto P = at(Path, Follow);
    if (!P.ok())
      return L.result("read " + Path, P);
    auto F = P->node()->open(LX_O_RDONLY);
    if (!F.ok())
      return L.result("open " + Path, F);
    L.line("read " + Path + ": " + readAll(**F));
  };

  // Metadata and contents of what was there.
  statOf("/");
  listOf("/");
  listOf("/sub");
  statOf("/hello");
  statOf("/sub");
  statOf("/sub/inner");
  statOf("/link");
  statOf("/link", /*Follow=*/true);
  readOf("/hello");
  readOf("/link", /*Follow=*/true);
  readOf("/sub/inner");
  L.result("lookup /missing", at("/missing"));
  if (auto N = node("/sub"))
    L.result("open /sub for writing", N->open(LX_O_WRONLY));
  if (auto N = node("/link")) {
    auto T = N->readlink();
    L.line("readlink /link: " + (T.ok() ? *T : std::string(errnoName(T.error()))));
  }
  if (auto N = node("/data")) {
    auto F = N->open(LX_O_RDONLY);
    BOOST_TEST_REQUIRE(F.ok());
    uint8_t Buf[4];
    int64_t Off = 3;
    auto Got = (*F)->read(Buf, &Off);
    L.line("pread /data at 3: " +
           (Got.ok() ? std::string(reinterpret_cast<char *>(Buf), *Got) : "error"));
    L.result("seek /data to its end", (*F)->seek(0, LX_SEEK_END));
    L.line("position " + std::to_string((*F)->Pos));
  }

  // Changes.
  auto RootNode = R.node();
  L.result("create /new", RootNode->createFile("new", 0640, fs::Creds{}));
  L.result("create /new again", RootNode->createFile("new", 0640, fs::Creds{}));
  if (auto N = node("/new")) {
    auto F = N->open(LX_O_WRONLY | LX_O_APPEND);
    BOOST_TEST_REQUIRE(F.ok());
    const uint8_t Text[] = {'a', 'b', 'c'};
    L.result("append to /new", (*F)->write(Text, nullptr));
    L.result("append to /new", (*F)->write(Text, nullptr));
    L.line("position " + std::to_string((*F)->Pos));
    int64_t Off = 1;
    L.result("pwrite /new at 1", (*F)->write(llvm::ArrayRef<uint8_t>(Text, 1), &Off));
  }
  statOf("/new");
  readOf("/new");
  L.result("mkdir /dir", RootNode->mkdir("dir", 0755, fs::Creds{}));
  L.result("mkdir /dir again", RootNode->mkdir("dir", 0755, fs::Creds{}));
  statOf("/dir");
  listOf("/dir");
  L.result("unlink /doomed", RootNode->unlink("doomed"));
  L.result("unlink /doomed again", RootNode->unlink("doomed"));
  L.result("lookup /doomed", at("/doomed"));
  if (auto Sub = node("/sub")) {
    L.result("rename /old to /sub/moved", RootNode->rename("old", *Sub, "moved", 0));
    L.result("rename /hello onto /sub/moved, no replace",
             RootNode->rename("hello", *Sub, "moved", LX_RENAME_NOREPLACE));
  }
  statOf("/sub/moved");
  readOf("/sub/moved");
  if (auto N = node("/data"))
    L.result("truncate /data to 3", N->truncate(3));
  readOf("/data");
  if (auto N = node("/data")) {
    auto F = N->open(LX_O_RDWR);
    BOOST_TEST_REQUIRE(F.ok());
    L.result("ftruncate /data to 1", (*F)->truncate(1));
    L.stat("fstat /data", (*F)->stat());
  }
  if (auto N = node("/sub/inner")) {
    auto F = N->open(LX_O_WRONLY | LX_O_TRUNC);
    BOOST_TEST_REQUIRE(F.ok());
    L.stat("fstat /sub/inner after O_TRUNC", (*F)->stat());
  }
  L.result("symlink /ln2", RootNode->symlink("ln2", "sub/inner"));
  if (auto N = node("/ln2")) {
    auto T = N->readlink();
    L.line("readlink /ln2: " + (T.ok() ? *T : std::string(errnoName(T.error()))));
  }
  L.result("rmdir /sub", RootNode->rmdir("sub"));
  L.result("rmdir /dir", RootNode->rmdir("dir"));
  listOf("/");
  listOf("/sub");
  statOf("/");
  return L.Lines;
}

replay::TraceHeader testHeader() {
  replay::TraceHeader H;
  H.Arch = "x86_64";
  H.Program = "HostFsReplayTest";
  return H;
}

/// Ends a recording the way a run does: the End event, then the file.
void finishRecording(replay::Gate &G, replay::TraceWriter &W) {
  replay::Event End;
  End.Kind = replay::EventKind::End;
  G.event(End);
  auto E = W.finish();
  BOOST_TEST_REQUIRE(!E, "cannot finish the trace: " << llvm::toString(std::move(E)));
}

std::unique_ptr<replay::TraceWriter> createTrace(const std::string &Path) {
  auto W = replay::TraceWriter::create(Path);
  BOOST_TEST_REQUIRE(!!W, "cannot create the trace: " << llvm::toString(W.takeError()));
  (*W)->setHeader(testHeader());
  return std::move(*W);
}

std::unique_ptr<replay::TraceReader> openTrace(const std::string &Path) {
  auto R = replay::TraceReader::open(Path);
  BOOST_TEST_REQUIRE(!!R, "cannot open the trace: " << llvm::toString(R.takeError()));
  return std::move(*R);
}

/// Replay must never close a host descriptor: the numbers it meets are the
/// recording's and may name anything here. This fills every free descriptor
/// number below 64 (where the recording's numbers lie) with a descriptor of
/// the test's own, to check afterwards that each is still open.
class Sentinels {
public:
  Sentinels() {
    int Null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    BOOST_TEST_REQUIRE(Null >= 0);
    Fds.push_back(Null);
    for (int Fd = 3; Fd < 64; ++Fd)
      if (::fcntl(Fd, F_GETFD) < 0 && ::dup2(Null, Fd) == Fd)
        Fds.push_back(Fd);
  }
  ~Sentinels() {
    for (int Fd : Fds)
      ::close(Fd);
  }
  /// The sentinels that something closed.
  std::vector<int> closed() const {
    std::vector<int> Out;
    for (int Fd : Fds)
      if (::fcntl(Fd, F_GETFD) < 0)
        Out.push_back(Fd);
    return Out;
  }

private:
  std::vector<int> Fds;
};

/// Points the test's own stdout (fd 1) at \p Fd for as long as it lives.
class StdoutTo {
public:
  explicit StdoutTo(int Fd) {
    std::cout.flush();
    std::fflush(stdout);
    Saved = ::dup(1);
    BOOST_TEST_REQUIRE(Saved >= 0);
    BOOST_TEST_REQUIRE(::dup2(Fd, 1) == 1);
  }
  ~StdoutTo() {
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(Saved, 1);
    ::close(Saved);
  }

private:
  int Saved = -1;
};

/// Checks that replay through \p G met the End event and nothing else is left.
void expectReplayComplete(replay::Gate &G) {
  replay::Event End;
  End.Kind = replay::EventKind::End;
  G.event(End);
  BOOST_TEST(!G.stopped(), "replay stopped: " << G.stopMessage());
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostfs_replay)

BOOST_AUTO_TEST_CASE(replay_needs_only_the_trace) {
  Tree T;
  std::vector<std::string> Recorded;
  {
    auto W = createTrace(T.TracePath);
    replay::Gate G;
    G.record(*W);
    Recorded = runScript(T.RootPath, G);
    finishRecording(G, *W);
  }
  for (const auto &Step : Recorded)
    BOOST_TEST_MESSAGE(Step);
  // The recording changed the host as the script says.
  BOOST_TEST(readHostFile(T.RootPath + "/new") == "aacabc");
  BOOST_TEST(readHostFile(T.RootPath + "/data") == "0");
  BOOST_TEST(stdfs::exists(T.RootPath + "/sub/moved"));
  BOOST_TEST(!stdfs::exists(T.RootPath + "/doomed"));
  BOOST_TEST(!stdfs::exists(T.RootPath + "/dir"));

  // Change the host tree behind reprise's back: none of this may show.
  stdfs::remove(T.RootPath + "/hello");
  writeFile(T.RootPath + "/sub/inner", "changed after the recording");
  writeFile(T.RootPath + "/doomed", "back again");
  stdfs::create_directories(T.RootPath + "/dir");
  std::string Empty = T.Base + "/empty";
  stdfs::create_directories(Empty);
  auto Before = snapshot(T.Base + "/root");

  for (const std::string &ReplayRoot : {Empty, T.Base + "/nonexistent"}) {
    BOOST_TEST_CONTEXT("replay rooted at " << ReplayRoot) {
      auto R = openTrace(T.TracePath);
      replay::Gate G;
      G.replay(*R);
      Sentinels Mine;
      std::vector<std::string> Replayed = runScript(ReplayRoot, G);
      BOOST_TEST(Mine.closed().empty(), "replay closed a descriptor it did not own");
      BOOST_TEST(!G.stopped(), "replay stopped: " << G.stopMessage());
      BOOST_TEST(Replayed == Recorded, boost::test_tools::per_element());
      expectReplayComplete(G);
    }
  }
  BOOST_TEST(snapshot(T.Base + "/root") == Before);
  BOOST_TEST(stdfs::is_empty(Empty));
  BOOST_TEST(!stdfs::exists(T.Base + "/nonexistent"));
}

BOOST_AUTO_TEST_CASE(host_stream_replays_without_the_host_stream) {
  Tree T;
  int Pipe[2];
  BOOST_TEST_REQUIRE(::pipe(Pipe) == 0);
  const char Input[] = "typed on stdin";
  BOOST_TEST_REQUIRE(::write(Pipe[1], Input, sizeof(Input) - 1) ==
                     ssize_t(sizeof(Input) - 1));
  ::close(Pipe[1]);
  // A number well above what the trace files will get once it is closed.
  const int Stdin = 900;
  BOOST_TEST_REQUIRE(::dup2(Pipe[0], Stdin) == Stdin);
  ::close(Pipe[0]);

  // A stream is what it looks like, then what a reader gets from it.
  auto script = [](int HostFd, replay::Gate &G) {
    std::vector<std::string> Out;
    fs::FileRef F = fs::openHostStream(HostFd, G, fs::Timespec{7, 0});
    if (!F) {
      Out.push_back("no stream");
      return Out;
    }
    auto S = F->stat();
    Out.push_back("type " + std::to_string(F->node()->fileType()) + " mode " +
                  std::to_string(S.ok() ? S->Mode : 0) + " flags " +
                  std::to_string(F->flags()) + " tty " +
                  std::to_string(F->isTerminal()));
    Out.push_back("read: " + readAll(*F));
    return Out;
  };

  std::vector<std::string> Recorded;
  {
    auto W = createTrace(T.TracePath);
    replay::Gate G;
    G.record(*W);
    Recorded = script(Stdin, G);
    finishRecording(G, *W);
  }
  BOOST_TEST_REQUIRE(Recorded.size() == 2u);
  BOOST_TEST(Recorded[1] == "read: typed on stdin");
  ::close(Stdin);

  // The descriptor is closed now; replay must not care.
  auto R = openTrace(T.TracePath);
  replay::Gate G;
  G.replay(*R);
  Sentinels Mine;
  BOOST_TEST(script(Stdin, G) == Recorded, boost::test_tools::per_element());
  BOOST_TEST(Mine.closed().empty(), "replay closed a descriptor it did not own");
  expectReplayComplete(G);
}

BOOST_AUTO_TEST_CASE(replay_writes_the_guests_output_to_its_own_stdout) {
  Tree T;
  const std::string Text = "shown by the recording and by the replay\n";
  auto script = [&](replay::Gate &G) {
    fs::FileRef F = fs::openHostStream(1, G, fs::Timespec{7, 0});
    BOOST_TEST_REQUIRE(F != nullptr);
    auto N = F->write(llvm::ArrayRef<uint8_t>(
                          reinterpret_cast<const uint8_t *>(Text.data()),
                          Text.size()),
                      nullptr);
    return std::to_string(F->node()->fileType()) + " " +
           (N.ok() ? std::to_string(*N) : std::string(errnoName(N.error())));
  };

  // Recording: stdout is a pipe.
  int Pipe[2];
  BOOST_TEST_REQUIRE(::pipe(Pipe) == 0);
  std::string Recorded;
  {
    auto W = createTrace(T.TracePath);
    replay::Gate G;
    G.record(*W);
    {
      StdoutTo Redirect(Pipe[1]);
      Recorded = script(G);
    }
    finishRecording(G, *W);
  }
  ::close(Pipe[1]);
  char Buf[256];
  ssize_t Got = ::read(Pipe[0], Buf, sizeof(Buf));
  ::close(Pipe[0]);
  BOOST_TEST(std::string(Buf, size_t(std::max<ssize_t>(Got, 0))) == Text);
  BOOST_TEST(Recorded == std::to_string(LX_S_IFIFO) + " " +
                            std::to_string(Text.size()));

  // Replay: stdout is a regular file now. The guest still sees the pipe and
  // the recorded result; the file gets the output.
  std::string OutPath = T.Base + "/replayed-stdout";
  int Out = ::open(OutPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  BOOST_TEST_REQUIRE(Out >= 0);
  auto R = openTrace(T.TracePath);
  replay::Gate G;
  G.replay(*R);
  std::string Replayed;
  {
    StdoutTo Redirect(Out);
    Replayed = script(G);
  }
  ::close(Out);
  BOOST_TEST(Replayed == Recorded);
  BOOST_TEST(readHostFile(OutPath) == Text);
  expectReplayComplete(G);
}

BOOST_AUTO_TEST_SUITE_END()
