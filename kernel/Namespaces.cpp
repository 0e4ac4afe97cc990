//===- kernel/Namespaces.cpp ----------------------------------------------===//
#include "kernel/Namespaces.h"

namespace reprise {

const char *nsKindName(NsKind K) {
  switch (K) {
  case NsKind::Cgroup: return "cgroup";
  case NsKind::Ipc: return "ipc";
  case NsKind::Mnt: return "mnt";
  case NsKind::Net: return "net";
  case NsKind::Pid: return "pid";
  case NsKind::Time: return "time";
  case NsKind::User: return "user";
  case NsKind::Uts: return "uts";
  }
  return "?";
}

std::shared_ptr<const NamespaceSet> NamespaceSet::root(uint64_t &NextId) {
  auto S = std::make_shared<NamespaceSet>();
  S->Ids[size_t(NsKind::Cgroup)] = RootCgroupNsId;
  S->Ids[size_t(NsKind::Ipc)] = RootIpcNsId;
  // Linux makes the initial mount namespace before the network one.
  S->Ids[size_t(NsKind::Mnt)] = NextId++;
  S->Ids[size_t(NsKind::Net)] = NextId++;
  S->Ids[size_t(NsKind::Pid)] = RootPidNsId;
  S->Ids[size_t(NsKind::Time)] = RootTimeNsId;
  S->Ids[size_t(NsKind::User)] = RootUserNsId;
  S->Ids[size_t(NsKind::Uts)] = RootUtsNsId;
  S->PidForChildren = RootPidNsId;
  S->TimeForChildren = RootTimeNsId;
  return S;
}

std::string nsLinkTarget(const char *Kind, uint64_t Id) {
  return std::string(Kind) + ":[" + std::to_string(Id) + "]";
}

} // namespace reprise
