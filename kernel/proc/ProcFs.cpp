//===- kernel/proc/ProcFs.cpp - The tree of /proc -------------------------===//
//
// The directories and links of /proc; what the files say is in ProcTask.cpp
// and ProcSystem.cpp. Nodes hold ids, never tasks: a task is looked up when
// a file is opened or a directory listed, so a node outlives its task
// harmlessly (it reads as empty, its directory lists nothing).
//
//===----------------------------------------------------------------------===//
#include "kernel/proc/ProcFs.h"

#include "kernel/CpuModel.h"
#include "kernel/Kernel.h"
#include "kernel/proc/ProcFiles.h"

namespace reprise {

using fs::SyntheticDir;
using fs::SyntheticFile;
using fs::SyntheticSymlink;
using fs::VnodeRef;
using Entries = std::map<std::string, VnodeRef>;

namespace {

/// The live thread \p Tid of process \p Pid, or, for \p Tid 0, the thread
/// that stands for the process: its leader while it lives, else the first
/// live thread. Null when there is none.
Task *findTask(Kernel &K, int32_t Pid, int32_t Tid) {
  ThreadGroup *G = K.groupByPid(Pid);
  if (!G || G->State != ThreadGroup::Life::Alive || G->Threads.empty())
    return nullptr;
  for (Task *T : G->Threads)
    if (Tid ? T->tid() == Tid : T == G->Leader)
      return T;
  return Tid ? nullptr : G->Threads.front();
}

/// A decimal name as an id; 0 when it is not one.
int32_t parseId(std::string_view Name) {
  if (Name.empty() || Name.size() > 9 || Name[0] == '0')
    return 0;
  int32_t V = 0;
  for (char C : Name) {
    if (C < '0' || C > '9')
      return 0;
    V = V * 10 + (C - '0');
  }
  return V;
}

/// The files of one task: the process \p Pid as a whole (\p Tid 0, as in
/// /proc/PID) or its thread \p Tid (as in /proc/PID/task/TID).
class TaskFiles {
public:
  TaskFiles(Kernel &K, fs::SyntheticFsRef FS, int32_t Pid, int32_t Tid, std::string Key)
      : K(K), FS(std::move(FS)), Pid(Pid), Tid(Tid), Key(std::move(Key)) {}

  Entries entries() const {
    Entries E;
    bool Whole = Tid == 0;
    text(E, "stat", [Whole](Kernel &K, Task &T) { return proc::statText(K, T, Whole); });
    text(E, "status",
         [Whole](Kernel &K, Task &T) { return proc::statusText(K, T, Whole); });
    text(E, "statm", [](Kernel &, Task &T) { return proc::statmText(T); });
    text(E, "maps", [](Kernel &, Task &T) { return proc::mapsText(T); });
    text(E, "environ", [](Kernel &, Task &T) { return proc::environText(T); }, 0400);
    text(E, "auxv", [](Kernel &, Task &T) { return proc::auxvText(T); }, 0400);
    text(E, "mounts", [](Kernel &K, Task &) { return proc::mountsText(K); });
    text(E, "mountinfo", [](Kernel &K, Task &) { return proc::mountinfoText(K); });
    text(E, "cmdline", [](Kernel &, Task &T) {
      std::string S;
      for (const auto &A : T.group().Argv) {
        S += A;
        S += '\0';
      }
      return S;
    });
    E["comm"] = comm();
    link(E, "exe", [](Task &T) { return T.group().ExePath; });
    link(E, "cwd", [](Task &T) { return T.fsContext().Cwd.path(); });
    link(E, "root", [](Task &T) { return T.fsContext().Root.path(); });
    E["fd"] = fdDir();
    E["fdinfo"] = fdinfoDir();
    E["ns"] = nsDir();
    if (Whole)
      E["task"] = taskDir();
    return E;
  }

private:
  using Text = std::function<std::string(Kernel &, Task &)>;

  /// A read-only file made by \p F from the task at open; empty once the
  /// task is gone.
  void text(Entries &E, const std::string &Name, Text F, uint32_t Perm = 0) const {
    E[Name] = std::make_shared<SyntheticFile>(
        FS, Key + "/" + Name,
        [&K = K, Pid = Pid, Tid = Tid, F = std::move(F)] {
          Task *T = findTask(K, Pid, Tid);
          return T ? F(K, *T) : std::string();
        },
        SyntheticFile::Writer(), Perm);
  }

  void link(Entries &E, const std::string &Name,
            std::function<std::string(Task &)> F) const {
    E[Name] = std::make_shared<SyntheticSymlink>(
        FS, Key + "/" + Name, [&K = K, Pid = Pid, Tid = Tid, F = std::move(F)] {
          Task *T = findTask(K, Pid, Tid);
          return T ? F(*T) : std::string();
        });
  }

  /// comm: the name, and writing renames the process as PR_SET_NAME does:
  /// the first 15 bytes up to a NUL, a newline kept, as Linux's comm_write.
  VnodeRef comm() const {
    return std::make_shared<SyntheticFile>(
        FS, Key + "/comm",
        [&K = K, Pid = Pid, Tid = Tid] {
          Task *T = findTask(K, Pid, Tid);
          return T ? T->group().Comm + "\n" : std::string();
        },
        [&K = K, Pid = Pid, Tid = Tid](llvm::ArrayRef<uint8_t> Data) -> Result<void> {
          Task *T = findTask(K, Pid, Tid);
          if (!T)
            return Errno::LX_ESRCH;
          std::string Name(Data.begin(), Data.end());
          Name = Name.substr(0, std::min(Name.find('\0'), size_t(15)));
          T->group().Comm = Name;
          return {};
        });
  }

  /// fd: a link per open descriptor to the file's path.
  VnodeRef fdDir() const {
    return linkDir("fd", [](Task &T) {
      Links L;
      for (int Fd : T.fds().openFds()) {
        auto F = T.fds().get(Fd);
        L.emplace_back(std::to_string(Fd), F ? (*F)->Path : std::string());
      }
      return L;
    });
  }

  VnodeRef fdinfoDir() const {
    return std::make_shared<SyntheticDir>(
        FS, Key + "/fdinfo", [&K = K, FS = FS, Pid = Pid, Tid = Tid, Key = Key] {
          Entries Fds;
          Task *T = findTask(K, Pid, Tid);
          if (!T)
            return Fds;
          for (int Fd : T->fds().openFds()) {
            std::string N = std::to_string(Fd);
            Fds[N] = std::make_shared<SyntheticFile>(
                FS, Key + "/fdinfo/" + N, [&K, Pid, Tid, Fd] {
                  Task *T = findTask(K, Pid, Tid);
                  auto S = T ? proc::fdinfoText(K, *T, Fd) : std::nullopt;
                  return S ? *S : std::string();
                });
          }
          return Fds;
        });
  }

  /// ns: a link per namespace kind to "kind:[id]", and pid_for_children
  /// and time_for_children.
  VnodeRef nsDir() const {
    return linkDir("ns", [](Task &T) {
      Links L;
      const NamespaceSet &S = *T.Namespaces;
      for (size_t I = 0; I < NsKinds; ++I) {
        const char *Kind = nsKindName(NsKind(I));
        L.emplace_back(Kind, nsLinkTarget(Kind, S.Ids[I]));
      }
      L.emplace_back("pid_for_children", nsLinkTarget("pid", S.PidForChildren));
      L.emplace_back("time_for_children", nsLinkTarget("time", S.TimeForChildren));
      return L;
    });
  }

  using Links = std::vector<std::pair<std::string, std::string>>;
  /// The directory \p Sub of symlinks whose (name, target) pairs \p Of
  /// gives for the live task at each listing; empty once the task is gone.
  VnodeRef linkDir(const std::string &Sub, std::function<Links(Task &)> Of) const {
    std::string Dir = Key + "/" + Sub;
    return std::make_shared<SyntheticDir>(
        FS, Dir, [&K = K, FS = FS, Pid = Pid, Tid = Tid, Dir, Of = std::move(Of)] {
          Entries E;
          if (Task *T = findTask(K, Pid, Tid))
            for (auto &[Name, Target] : Of(*T))
              E[Name] = std::make_shared<SyntheticSymlink>(
                  FS, Dir + "/" + Name, [Target = Target] { return Target; });
          return E;
        });
  }

  /// task/: one directory per live thread, by tid.
  VnodeRef taskDir() const {
    return std::make_shared<SyntheticDir>(
        FS, Key + "/task", [&K = K, FS = FS, Pid = Pid, Key = Key] {
          Entries E;
          ThreadGroup *G = K.groupByPid(Pid);
          if (!G || G->State != ThreadGroup::Life::Alive)
            return E;
          for (Task *T : G->Threads) {
            std::string N = std::to_string(T->tid());
            E[N] = dir(K, FS, Pid, T->tid(), Key + "/task/" + N);
          }
          return E;
        });
  }

public:
  static VnodeRef dir(Kernel &K, fs::SyntheticFsRef FS, int32_t Pid, int32_t Tid,
                      const std::string &Key) {
    TaskFiles Files(K, FS, Pid, Tid, Key);
    return std::make_shared<SyntheticDir>(FS, Key, [Files] {
      if (!findTask(Files.K, Files.Pid, Files.Tid))
        return Entries();
      return Files.entries();
    });
  }

private:
  Kernel &K;
  fs::SyntheticFsRef FS;
  int32_t Pid, Tid;
  std::string Key;
};

VnodeRef constant(fs::SyntheticFsRef FS, const std::string &Key, std::string Text) {
  return std::make_shared<SyntheticFile>(std::move(FS), Key,
                                         [Text = std::move(Text)] { return Text; });
}

/// /proc/sys: the kernel's identity and limits, read-only.
VnodeRef sysDir(Kernel &K, fs::SyntheticFsRef FS) {
  Entries Random;
  Random["boot_id"] = std::make_shared<SyntheticFile>(
      FS, "proc:/sys/kernel/random/boot_id", [&K] { return proc::bootId(K); });
  Random["uuid"] = std::make_shared<SyntheticFile>(
      FS, "proc:/sys/kernel/random/uuid", [&K] { return proc::randomUuid(K); });
  Random["poolsize"] = constant(FS, "proc:/sys/kernel/random/poolsize", "256\n");
  Random["entropy_avail"] =
      constant(FS, "proc:/sys/kernel/random/entropy_avail", "256\n");

  Entries Kern;
  Kern["hostname"] = std::make_shared<SyntheticFile>(
      FS, "proc:/sys/kernel/hostname",
      [&K] { return K.options().Hostname + "\n"; });
  Kern["domainname"] = constant(FS, "proc:/sys/kernel/domainname", "(none)\n");
  Kern["osrelease"] =
      constant(FS, "proc:/sys/kernel/osrelease", std::string(KernelRelease) + "\n");
  Kern["ostype"] = constant(FS, "proc:/sys/kernel/ostype", "Linux\n");
  Kern["version"] =
      constant(FS, "proc:/sys/kernel/version", std::string(KernelVersion) + "\n");
  Kern["pid_max"] = constant(FS, "proc:/sys/kernel/pid_max",
                             std::to_string(PidNamespace::PidMax) + "\n");
  Kern["random"] = std::make_shared<SyntheticDir>(FS, "proc:/sys/kernel/random",
                                                  [Random] { return Random; });
  Entries Sys;
  Sys["kernel"] =
      std::make_shared<SyntheticDir>(FS, "proc:/sys/kernel", [Kern] { return Kern; });
  return std::make_shared<SyntheticDir>(FS, "proc:/sys", [Sys] { return Sys; });
}

} // namespace

VnodeRef makeProcFs(Kernel &K, fs::SyntheticFsRef FS) {
  Entries Fixed;
  auto file = [&](const char *Name, std::function<std::string()> F) {
    Fixed[Name] =
        std::make_shared<SyntheticFile>(FS, std::string("proc:/") + Name, std::move(F));
  };
  file("cpuinfo", [&K] { return cpuInfo(K.arch()); });
  file("meminfo", [&K] { return proc::meminfoText(K); });
  file("uptime", [&K] { return proc::uptimeText(K); });
  file("loadavg", [&K] { return proc::loadavgText(K); });
  file("stat", [&K] { return proc::systemStatText(K); });
  file("filesystems", [] { return proc::filesystemsText(); });
  file("version", [] { return proc::versionText(); });
  Fixed["sys"] = sysDir(K, FS);
  Fixed["mounts"] =
      std::make_shared<SyntheticSymlink>(FS, "proc:/mounts", [] { return "self/mounts"; });
  Fixed["self"] = std::make_shared<SyntheticSymlink>(FS, "proc:/self", [&K] {
    Task *T = K.current();
    return T ? std::to_string(T->group().Pid) : std::string("1");
  });
  Fixed["thread-self"] = std::make_shared<SyntheticSymlink>(
      FS, "proc:/thread-self", [&K] {
        Task *T = K.current();
        return T ? std::to_string(T->group().Pid) + "/task/" + std::to_string(T->tid())
                 : std::string("1/task/1");
      });

  // Processes are listed by pid; a thread that leads no process is not
  // listed but can be looked up by its tid, as on Linux.
  return std::make_shared<SyntheticDir>(
      FS, "proc:/",
      [&K, FS, Fixed] {
        Entries E = Fixed;
        for (int32_t Pid : K.processIds()) {
          std::string N = std::to_string(Pid);
          E[N] = TaskFiles::dir(K, FS, Pid, 0, "proc:/" + N);
        }
        return E;
      },
      [&K, FS](std::string_view Name) -> VnodeRef {
        int32_t Tid = parseId(Name);
        Task *T = Tid ? K.taskByTid(Tid) : nullptr;
        if (!T)
          return nullptr;
        return TaskFiles::dir(K, FS, T->group().Pid, Tid, "proc:/" + std::string(Name));
      });
}

} // namespace reprise
