//===- kernel/proc/ProcFs.cpp ---------------------------------------------===//
#include "kernel/proc/ProcFs.h"

#include "kernel/Kernel.h"

namespace reprise {

using fs::SyntheticDir;
using fs::SyntheticFile;
using fs::SyntheticSymlink;
using fs::VnodeRef;

namespace {

VnodeRef processDir(Kernel &K, fs::SyntheticFsRef FS, int32_t Pid) {
  std::string P = std::to_string(Pid);
  return std::make_shared<SyntheticDir>(FS, "proc:/" + P, [&K, FS, Pid, P] {
    std::map<std::string, VnodeRef> E;
    Task *T = K.taskByTid(Pid);
    if (!T)
      return E;
    E["exe"] = std::make_shared<SyntheticSymlink>(
        FS, "proc:/" + P + "/exe", [&K, Pid] {
          Task *T = K.taskByTid(Pid);
          return T ? T->group().ExePath : std::string();
        });
    E["cwd"] = std::make_shared<SyntheticSymlink>(
        FS, "proc:/" + P + "/cwd", [&K, Pid] {
          Task *T = K.taskByTid(Pid);
          return T ? T->fsContext().Cwd.path() : std::string();
        });
    E["cmdline"] = std::make_shared<SyntheticFile>(
        FS, "proc:/" + P + "/cmdline", [&K, Pid] {
          Task *T = K.taskByTid(Pid);
          std::string S;
          if (T)
            for (const auto &A : T->group().Argv) {
              S += A;
              S += '\0';
            }
          return S;
        });
    E["fd"] = std::make_shared<SyntheticDir>(
        FS, "proc:/" + P + "/fd", [&K, FS, Pid, P] {
          std::map<std::string, VnodeRef> Fds;
          Task *T = K.taskByTid(Pid);
          if (!T)
            return Fds;
          for (int Fd : T->fds().openFds()) {
            auto F = T->fds().get(Fd);
            std::string Target = F ? (*F)->Path : std::string();
            Fds[std::to_string(Fd)] = std::make_shared<SyntheticSymlink>(
                FS, "proc:/" + P + "/fd/" + std::to_string(Fd),
                [Target] { return Target; });
          }
          return Fds;
        });
    return E;
  });
}

} // namespace

VnodeRef makeProcFs(Kernel &K, fs::SyntheticFsRef FS) {
  return std::make_shared<SyntheticDir>(FS, "proc:/", [&K, FS] {
    std::map<std::string, VnodeRef> E;
    for (int32_t Pid : K.processIds())
      E[std::to_string(Pid)] = processDir(K, FS, Pid);
    E["self"] = std::make_shared<SyntheticSymlink>(FS, "proc:/self", [&K] {
      Task *T = K.current();
      return T ? std::to_string(T->group().Pid) : std::string("1");
    });
    E["thread-self"] = std::make_shared<SyntheticSymlink>(
        FS, "proc:/thread-self", [&K] {
          Task *T = K.current();
          return T ? std::to_string(T->group().Pid) + "/task/" +
                         std::to_string(T->tid())
                   : std::string("1/task/1");
        });
    return E;
  });
}

} // namespace reprise
