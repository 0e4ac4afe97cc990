//===- tests/unit/PathResolutionTest.cpp - Vfs over a host directory ------===//
//
// The guest's root is a temporary host directory; next to it lies a secret
// file that no guest path may reach. Each test resolves paths the way the
// system calls do (Vfs::resolve from the root or from a working directory)
// and checks the outcome against what Linux does for the same tree.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "fs/HostFs.h"
#include "fs/MemFs.h"
#include "fs/Overlay.h"
#include "fs/Synthetic.h"
#include "fs/Vfs.h"
#include "replay/Gate.h"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>

namespace stdfs = std::filesystem;

using namespace reprise;
using namespace reprise::linux_abi;
using reprise::test::errorOf;
using reprise::test::Success;

namespace {

const char SecretText[] = "the host's secret";

void writeFile(const std::string &Path, const std::string &Text) {
  std::ofstream Out(Path, std::ios::binary);
  Out << Text;
  BOOST_TEST_REQUIRE(Out.good(), "cannot write " << Path);
}

/// Reads a whole regular file through the guest's view of it.
std::string readGuestFile(const fs::Location &L) {
  auto F = L.node()->open(LX_O_RDONLY);
  // (BOOST_TEST evaluates its message eagerly: only name the errno on failure.)
  BOOST_TEST_REQUIRE(errorOf(F) == Success);
  std::string Out;
  uint8_t Buf[256];
  while (true) {
    auto N = (*F)->read(Buf, nullptr);
    BOOST_TEST_REQUIRE(N.ok());
    if (*N == 0)
      return Out;
    Out.append(reinterpret_cast<const char *>(Buf), *N);
  }
}

/// A guest root on the host:
///
///   BASE/secret/secret.txt          outside the root: must stay unreachable
///   BASE/root/                      the guest's "/"
///     file, outside, etc/passwd     regular files
///     secret/secret.txt             a decoy where clamped ".." paths land
///     a/b/c/                        nested directories
///     a/b/up -> ../../../../etc     climbs past the root
///     abs -> /outside               absolute: means ROOT/outside
///     hostabs -> BASE/secret/secret.txt, hostbase -> BASE
///     climb -> ../secret/secret.txt
///     loop1 <-> loop2, self -> self, l0 -> file, lN -> l(N-1) up to l40
///     dirlink -> a, filelink -> file, slashlink -> file/, dangling -> nowhere
///     longlink -> xxx...x (256 bytes)
///     proc/secret                   shadowed by a synthetic mount in one test
///     private/inner                 mode 0700, owned by guest uid 0
struct GuestTree {
  std::string Base, RootPath, SecretFile;
  replay::Gate G;
  std::unique_ptr<fs::HostFs> H;
  std::vector<std::unique_ptr<fs::HostFs>> Binds; // outlive V's mounts of them
  std::unique_ptr<fs::Vfs> V;
  fs::Location R;

  GuestTree() {
    std::string Template =
        (stdfs::temp_directory_path() / "reprise-unit-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(Template.data()) != nullptr);
    Base = Template;
    RootPath = Base + "/root";
    SecretFile = Base + "/secret/secret.txt";
    stdfs::create_directories(Base + "/secret");
    writeFile(SecretFile, SecretText);

    const std::string &Rt = RootPath;
    stdfs::create_directories(Rt + "/a/b/c");
    stdfs::create_directories(Rt + "/etc");
    stdfs::create_directories(Rt + "/secret");
    stdfs::create_directories(Rt + "/proc");
    stdfs::create_directories(Rt + "/private");
    writeFile(Rt + "/file", "root file");
    writeFile(Rt + "/outside", "inside the root");
    writeFile(Rt + "/etc/passwd", "guest passwd");
    writeFile(Rt + "/secret/secret.txt", "decoy");
    writeFile(Rt + "/proc/secret", "shadowed");
    writeFile(Rt + "/private/inner", "private");
    stdfs::permissions(Rt + "/private", stdfs::perms::owner_all);

    auto link = [&](const std::string &Target, const std::string &Name) {
      stdfs::create_symlink(Target, Rt + "/" + Name);
    };
    link("../../../../etc", "a/b/up");
    link("/outside", "abs");
    link(SecretFile, "hostabs");
    link(Base, "hostbase");
    link("../secret/secret.txt", "climb");
    link("loop2", "loop1");
    link("loop1", "loop2");
    link("self", "self");
    link("a", "dirlink");
    link("file", "filelink");
    link("file/", "slashlink");
    link("nowhere", "dangling");
    link(std::string(256, 'x'), "longlink");
    link("file", "l0");
    for (int I = 1; I <= 40; ++I)
      link("l" + std::to_string(I - 1), "l" + std::to_string(I));

    H = std::make_unique<fs::HostFs>(RootPath, G, fs::Creds{0, 0, {}},
                                     [] { return fs::Timespec{0, 0}; });
    auto Root = H->root();
    BOOST_TEST_REQUIRE(Root.ok());
    V = std::make_unique<fs::Vfs>(std::move(*Root));
    R = V->rootLocation();
  }

  ~GuestTree() {
    std::error_code EC;
    stdfs::remove_all(Base, EC);
  }

  Result<fs::Location> resolve(std::string_view Path, bool FollowLast = true,
                               fs::Creds C = {}) {
    return V->resolve(R, R, Path, FollowLast, C);
  }
  Result<fs::Location> resolveFrom(const fs::Location &Start,
                                   std::string_view Path) {
    return V->resolve(R, Start, Path, true, fs::Creds{});
  }

  /// The guest inode number the secret file would be shown with.
  uint64_t secretIno() {
    struct stat St;
    BOOST_TEST_REQUIRE(::stat(SecretFile.c_str(), &St) == 0);
    return H->guestIno(St.st_dev, St.st_ino);
  }

  /// Resolves every name of every directory reachable from \p From (to
  /// \p MaxDepth), symlinks followed and not, and checks that none is the
  /// secret; returns how many names resolved.
  size_t walkAvoidingSecret(const fs::Location &From, int MaxDepth) {
    const uint64_t Secret = secretIno();
    std::deque<std::pair<fs::Location, int>> Todo{{From, 0}};
    std::set<uint64_t> SeenDirs;
    size_t Visited = 0;
    while (!Todo.empty()) {
      auto [Dir, Depth] = Todo.front();
      Todo.pop_front();
      auto Entries = Dir.node()->list();
      BOOST_TEST_REQUIRE(Entries.ok());
      for (const auto &E : *Entries) {
        for (bool Follow : {true, false}) {
          auto L = V->resolve(R, Dir, E.Name, Follow, fs::Creds{});
          if (!L.ok())
            continue;
          ++Visited;
          auto S = L->node()->stat();
          BOOST_TEST_REQUIRE(S.ok());
          BOOST_TEST(S->Ino != Secret, "reached the secret as " << L->path());
          if (L->node()->isDir() && Depth < MaxDepth && SeenDirs.insert(S->Ino).second)
            Todo.push_back({*L, Depth + 1});
        }
      }
    }
    return Visited;
  }

  /// The guest path \p Path resolves to, or its errno's name.
  std::string where(std::string_view Path, bool FollowLast = true) {
    auto L = resolve(Path, FollowLast);
    return L.ok() ? L->path() : std::string(errnoName(L.error()));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(path_resolution, GuestTree)

BOOST_AUTO_TEST_CASE(plain_paths) {
  BOOST_TEST(where("/") == "/");
  BOOST_TEST(where("/a/b/c") == "/a/b/c");
  BOOST_TEST(where("a//b/./c/") == "/a/b/c");
  BOOST_TEST(where("/file") == "/file");
  BOOST_TEST(errorOf(resolve("")) == Errno::LX_ENOENT);
  BOOST_TEST(errorOf(resolve("/nothing")) == Errno::LX_ENOENT);
  BOOST_TEST(errorOf(resolve("/nothing/file")) == Errno::LX_ENOENT);
  auto F = resolve("/file");
  BOOST_TEST_REQUIRE(F.ok());
  BOOST_TEST(readGuestFile(*F) == "root file");
}

BOOST_AUTO_TEST_CASE(dot_dot_stops_at_the_root) {
  BOOST_TEST(where("..") == "/");
  BOOST_TEST(where("/..") == "/");
  BOOST_TEST(where("/../../..") == "/");
  BOOST_TEST(where("a/../../..") == "/");
  BOOST_TEST(where("../a") == "/a");
  BOOST_TEST(where("/a/b/../../../../a/b") == "/a/b");

  auto B = resolve("/a/b");
  BOOST_TEST_REQUIRE(B.ok());
  auto FromB = resolveFrom(*B, "../../../../a/b/c");
  BOOST_TEST_REQUIRE(FromB.ok());
  BOOST_TEST(FromB->path() == "/a/b/c");
  auto Up = resolveFrom(*B, "..");
  BOOST_TEST_REQUIRE(Up.ok());
  BOOST_TEST(Up->path() == "/a");
}

BOOST_AUTO_TEST_CASE(absolute_symlink_targets_restart_at_the_guest_root) {
  auto L = resolve("/abs");
  BOOST_TEST_REQUIRE(L.ok());
  BOOST_TEST(L->path() == "/outside");
  BOOST_TEST(readGuestFile(*L) == "inside the root");

  // Without following, the symlink itself.
  auto Link = resolve("/abs", /*FollowLast=*/false);
  BOOST_TEST_REQUIRE(Link.ok());
  BOOST_TEST(Link->node()->isSymlink());
  BOOST_TEST(Link->path() == "/abs");
}

BOOST_AUTO_TEST_CASE(relative_symlink_climbing_past_the_root_is_clamped) {
  BOOST_TEST(where("a/b/up") == "/etc");
  auto P = resolve("a/b/up/passwd");
  BOOST_TEST_REQUIRE(P.ok());
  BOOST_TEST(P->path() == "/etc/passwd");
  BOOST_TEST(readGuestFile(*P) == "guest passwd");
}

BOOST_AUTO_TEST_CASE(dot_dot_paths_land_on_the_decoy_not_the_secret) {
  for (const char *Path :
       {"../secret/secret.txt", "/../secret/secret.txt",
        "a/../../secret/secret.txt", "/a/b/c/../../../../../../secret/secret.txt",
        "climb", "a/b/up/../secret/secret.txt"}) {
    BOOST_TEST_CONTEXT("path " << Path) {
      auto L = resolve(Path);
      BOOST_TEST_REQUIRE(L.ok());
      BOOST_TEST(L->path() == "/secret/secret.txt");
      BOOST_TEST(readGuestFile(*L) == "decoy");
    }
  }
}

BOOST_AUTO_TEST_CASE(host_absolute_paths_mean_nothing_in_the_guest) {
  // A symlink holding the secret's real host path points at
  // ROOT/tmp/reprise-unit-.../secret/secret.txt, which does not exist.
  BOOST_TEST(errorOf(resolve("/hostabs")) == Errno::LX_ENOENT);
  BOOST_TEST(errorOf(resolve("/hostbase/secret/secret.txt")) == Errno::LX_ENOENT);
  BOOST_TEST(errorOf(resolve(SecretFile)) == Errno::LX_ENOENT);
}

BOOST_AUTO_TEST_CASE(no_name_in_the_tree_reaches_the_secret) {
  // Walks every directory reachable from the root, following symlinks, and
  // checks that nothing resolves to the file outside.
  size_t Visited = walkAvoidingSecret(R, 8);
  BOOST_TEST(Visited > 40u); // the walk did see the tree
}

BOOST_AUTO_TEST_CASE(symlink_loops_give_eloop) {
  BOOST_TEST(errorOf(resolve("/loop1")) == Errno::LX_ELOOP);
  BOOST_TEST(errorOf(resolve("/self")) == Errno::LX_ELOOP);
  BOOST_TEST(errorOf(resolve("/loop1/x", false)) == Errno::LX_ELOOP);
  // The last component is not followed: the link itself is the answer.
  BOOST_TEST(errorOf(resolve("/loop1", false)) == Success);
  // Linux follows at most 40 links in one resolution (MAXSYMLINKS).
  BOOST_TEST(where("/l39") == "/file");
  BOOST_TEST(errorOf(resolve("/l40")) == Errno::LX_ELOOP);
  BOOST_TEST(where("/l40", false) == "/l40");
}

BOOST_AUTO_TEST_CASE(dangling_symlinks) {
  BOOST_TEST(errorOf(resolve("/dangling")) == Errno::LX_ENOENT);
  BOOST_TEST(where("/dangling", false) == "/dangling");
  BOOST_TEST(errorOf(resolve("/dangling/x", false)) == Errno::LX_ENOENT);
}

BOOST_AUTO_TEST_CASE(trailing_slash_requires_a_directory) {
  BOOST_TEST(errorOf(resolve("/file/")) == Errno::LX_ENOTDIR);
  BOOST_TEST(errorOf(resolve("/file/.")) == Errno::LX_ENOTDIR);
  BOOST_TEST(errorOf(resolve("/file/..")) == Errno::LX_ENOTDIR);
  BOOST_TEST(errorOf(resolve("/file/x")) == Errno::LX_ENOTDIR);
  BOOST_TEST(errorOf(resolve("/filelink/", false)) == Errno::LX_ENOTDIR);
  BOOST_TEST(where("/a/") == "/a");
  // A trailing slash follows a final symlink even when the caller would not.
  BOOST_TEST(where("/dirlink/", false) == "/a");
  BOOST_TEST(where("/dirlink", false) == "/dirlink");
}

// Linux: a symlink whose target ends in '/' names a directory, so following
// it to a regular file fails ("ln -s file/ l; cat l" gives ENOTDIR).
BOOST_AUTO_TEST_CASE(symlink_target_with_trailing_slash_requires_a_directory) {
  BOOST_TEST(errorOf(resolve("/slashlink")) == Errno::LX_ENOTDIR);
}

BOOST_AUTO_TEST_CASE(names_and_paths_too_long) {
  const std::string Max(fs::NameMax, 'n'), Over(fs::NameMax + 1, 'n');
  BOOST_TEST(errorOf(resolve("/" + Max)) == Errno::LX_ENOENT);
  BOOST_TEST(errorOf(resolve("/" + Over)) == Errno::LX_ENAMETOOLONG);
  BOOST_TEST(errorOf(resolve("/a/" + Over)) == Errno::LX_ENAMETOOLONG);
  BOOST_TEST(errorOf(resolve(Over + "/file")) == Errno::LX_ENAMETOOLONG);
  BOOST_TEST(errorOf(resolve("/longlink")) == Errno::LX_ENAMETOOLONG);

  // PATH_MAX counts the terminating NUL: 4095 bytes pass, 4096 do not.
  BOOST_TEST(where(std::string(4095, '/')) == "/");
  BOOST_TEST(errorOf(resolve(std::string(4096, '/'))) == Errno::LX_ENAMETOOLONG);
  std::string Long = "/a";
  while (Long.size() + 2 <= 4095)
    Long += "/.";
  BOOST_TEST(Long.size() <= 4095u);
  BOOST_TEST(where(Long) == "/a");
}

BOOST_AUTO_TEST_CASE(search_permission_is_checked_with_guest_credentials) {
  // Files the host user owns are shown as owned by guest uid 0.
  BOOST_TEST(where("/private/inner") == "/private/inner");
  auto AsUser = resolve("/private/inner", true, fs::Creds{1000, 1000, {}});
  BOOST_TEST(errorOf(AsUser) == Errno::LX_EACCES);
  // Naming the directory itself needs no search permission in it.
  BOOST_TEST(errorOf(resolve("/private", true, fs::Creds{1000, 1000, {}})) == Success);
}

BOOST_AUTO_TEST_CASE(a_task_root_below_the_guest_root) {
  // A chroot to /a: "/" and ".." stop at /a, absolute symlinks start there.
  auto A = resolve("/a");
  BOOST_TEST_REQUIRE(A.ok());
  const fs::Location &Jail = *A;
  auto in = [&](std::string_view P) {
    auto L = V->resolve(Jail, Jail, P, true, fs::Creds{});
    return L.ok() ? L->path() : std::string(errnoName(L.error()));
  };
  BOOST_TEST(in("/") == "/a");
  BOOST_TEST(in("/..") == "/a");
  BOOST_TEST(in("../../b/c") == "/a/b/c");
  BOOST_TEST(in("/file") == "ENOENT"); // ROOT/a/file does not exist
  // b/up -> ../../../../etc climbs to the jail's root, which has no etc.
  BOOST_TEST(in("b/up") == "ENOENT");
}

BOOST_AUTO_TEST_CASE(a_mount_shadows_the_host_directory) {
  auto SynFs = std::make_shared<const fs::SyntheticFs>(
      fs::SyntheticFs{0x42, fs::Timespec{0, 0}});
  fs::VnodeRef Proc = fs::makeEmptyDir(SynFs, "proc:/");
  V->mount("/proc", Proc);
  stdfs::create_symlink("/proc", RootPath + "/proclink");

  for (const char *Path : {"/proc", "proc", "//proc/", "/a/../proc", "/proc/.",
                           "/proclink"}) {
    BOOST_TEST_CONTEXT("path " << Path) {
      auto L = resolve(Path);
      BOOST_TEST_REQUIRE(L.ok());
      BOOST_TEST((L->node() == Proc));
      BOOST_TEST(L->path() == "/proc");
    }
  }
  // The host's ROOT/proc/secret is hidden by the (empty) mount.
  BOOST_TEST(errorOf(resolve("/proc/secret")) == Errno::LX_ENOENT);
  BOOST_TEST(where("/proc/..") == "/");
  auto Entries = Proc->list();
  BOOST_TEST_REQUIRE(Entries.ok());
  BOOST_TEST(Entries->empty());
}

// A working directory (or a directory descriptor) must stay on the directory
// itself, not on the path it was resolved with: if the guest renames it and
// puts a symlink with an absolute host target in its place, a lookup below a
// stale host path would follow that symlink out of the root. Like Linux, the
// working directory stays on the renamed directory (empty here).
BOOST_AUTO_TEST_CASE(a_stale_working_directory_cannot_leave_the_root) {
  const fs::VnodeRef &Root = R.node();
  BOOST_TEST_REQUIRE(Root->mkdir("jail", 0755, fs::Creds{}).ok());
  auto Cwd = resolve("/jail"); // chdir("/jail")
  BOOST_TEST_REQUIRE(Cwd.ok());
  BOOST_TEST_REQUIRE(Root->rename("jail", *Root, "jail.old", 0).ok());
  BOOST_TEST_REQUIRE(Root->symlink("jail", Base + "/secret").ok());

  auto L = resolveFrom(*Cwd, "secret.txt"); // open("secret.txt")
  BOOST_TEST(errorOf(L) == Errno::LX_ENOENT);
  if (L.ok())
    BOOST_TEST_MESSAGE("read from outside the root: " << readGuestFile(*L));
}

// --bind: another host directory (here ROOT/a) mounted at /mnt. Its ".."
// and its symlinks resolve in the guest's tree, so its own host parent
// directories are as unreachable as the root's.
BOOST_AUTO_TEST_CASE(a_bind_cannot_be_left_through_dot_dot_or_symlinks) {
  stdfs::create_symlink("../../secret/secret.txt", RootPath + "/a/out");
  stdfs::create_symlink(SecretFile, RootPath + "/a/hostabs");
  Binds.push_back(std::make_unique<fs::HostFs>(
      RootPath + "/a", G, fs::Creds{0, 0}, [] { return fs::Timespec{0, 0}; },
      fs::HostFs::Device + 1));
  Binds.back()->shareIdentities(H->identities());
  auto Dir = Binds.back()->root();
  BOOST_TEST_REQUIRE(Dir.ok());
  V->mount("/mnt", *Dir);

  BOOST_TEST(where("/mnt/..") == "/");
  BOOST_TEST(where("/mnt/b/c/../../..") == "/");
  BOOST_TEST(where("/mnt/b/up") == "/etc"); // ../../../../etc from /mnt/b
  auto L = resolve("/mnt/out");             // host: BASE/secret/secret.txt
  BOOST_TEST_REQUIRE(L.ok());
  BOOST_TEST(L->path() == "/secret/secret.txt");
  BOOST_TEST(readGuestFile(*L) == "decoy");
  BOOST_TEST(errorOf(resolve("/mnt/hostabs")) == Errno::LX_ENOENT);

  // Nothing under /mnt, symlinks followed, reaches the secret.
  auto Mnt = resolve("/mnt");
  BOOST_TEST_REQUIRE(Mnt.ok());
  size_t Visited = walkAvoidingSecret(*Mnt, 6);
  BOOST_TEST(Visited > 3u);
}

BOOST_AUTO_TEST_CASE(a_read_only_bind_refuses_every_change) {
  fs::HostFs Bind(RootPath + "/a", G, fs::Creds{0, 0},
                  [] { return fs::Timespec{0, 0}; }, fs::HostFs::Device + 1, true);
  auto Dir = Bind.root();
  BOOST_TEST_REQUIRE(Dir.ok());
  fs::VnodeRef D = *Dir;
  BOOST_TEST(errorOf(D->createFile("new", 0644, fs::Creds{})) == Errno::LX_EROFS);
  BOOST_TEST(errorOf(D->mkdir("new", 0755, fs::Creds{})) == Errno::LX_EROFS);
  BOOST_TEST(errorOf(D->rmdir("b")) == Errno::LX_EROFS);
  BOOST_TEST(errorOf(D->symlink("s", "/")) == Errno::LX_EROFS);
  BOOST_TEST(errorOf(D->rename("b", *D, "b2", 0)) == Errno::LX_EROFS);
  BOOST_TEST(errorOf(D->chmod(0700)) == Errno::LX_EROFS);
  BOOST_TEST(stdfs::exists(RootPath + "/a/b"));
  BOOST_TEST(!stdfs::exists(RootPath + "/a/new"));
  BOOST_TEST(!stdfs::exists(RootPath + "/a/b2"));
}

// --overlay: the same escapes fail through the merged tree, and what the
// guest changes never reaches the host directory.
BOOST_AUTO_TEST_CASE(an_overlay_root_keeps_the_host_directory_unchanged) {
  auto Upper = std::make_shared<fs::MemFs>(fs::HostFs::Device, fs::Creds{0, 0},
                                           [] { return fs::Timespec{5, 0}; },
                                           uint64_t(1) << 32);
  fs::Vfs O(fs::makeOverlay(V->rootLocation().node(), Upper));
  fs::Location ORoot = O.rootLocation();
  auto at = [&](std::string_view P) { return O.resolve(ORoot, ORoot, P, true, fs::Creds{}); };

  auto Sec = at("/a/../../secret/secret.txt");
  BOOST_TEST_REQUIRE(Sec.ok());
  BOOST_TEST(readGuestFile(*Sec) == "decoy");
  BOOST_TEST(errorOf(at("/hostabs")) == Errno::LX_ENOENT);

  // Write, unlink, rename, mkdir: all in the upper layer.
  auto File = at("/file");
  BOOST_TEST_REQUIRE(File.ok());
  auto F = File->node()->open(LX_O_WRONLY | LX_O_TRUNC);
  BOOST_TEST_REQUIRE(F.ok());
  const uint8_t New[] = {'n', 'e', 'w'};
  BOOST_TEST_REQUIRE((*F)->write(New, nullptr).ok());
  BOOST_TEST(readGuestFile(*at("/file")) == "new");
  auto Etc = at("/etc");
  BOOST_TEST_REQUIRE(Etc.ok());
  BOOST_TEST_REQUIRE(Etc->node()->unlink("passwd").ok());
  BOOST_TEST(errorOf(at("/etc/passwd")) == Errno::LX_ENOENT);
  BOOST_TEST_REQUIRE(ORoot.node()->rename("outside", *ORoot.node(), "moved", 0).ok());
  BOOST_TEST_REQUIRE(ORoot.node()->mkdir("made", 0755, fs::Creds{}).ok());
  BOOST_TEST(errorOf(ORoot.node()->rename("a", *ORoot.node(), "a2", 0)) ==
             Errno::LX_EXDEV);
  auto Names = ORoot.node()->list();
  BOOST_TEST_REQUIRE(Names.ok());
  std::vector<std::string> Got;
  for (auto &E : *Names)
    Got.push_back(E.Name);
  BOOST_TEST(std::is_sorted(Got.begin(), Got.end()));
  BOOST_TEST((std::find(Got.begin(), Got.end(), "moved") != Got.end()));
  BOOST_TEST((std::find(Got.begin(), Got.end(), "outside") == Got.end()));

  // The host directory is as it was.
  std::ifstream In(RootPath + "/file");
  std::string Text((std::istreambuf_iterator<char>(In)), std::istreambuf_iterator<char>());
  BOOST_TEST(Text == "root file");
  BOOST_TEST(stdfs::exists(RootPath + "/etc/passwd"));
  BOOST_TEST(stdfs::exists(RootPath + "/outside"));
  BOOST_TEST(!stdfs::exists(RootPath + "/moved"));
  BOOST_TEST(!stdfs::exists(RootPath + "/made"));
}

BOOST_AUTO_TEST_SUITE_END()
