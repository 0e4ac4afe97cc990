//===- kernel/Process.cpp - Task creation, exec, exit and reaping ---------===//
//
// The life of tasks and processes, after Linux: clone creates a task that
// shares or copies each resource as its flags say; exit releases what the
// thread held (robust futexes, clear_child_tid, a vfork parent); the last
// thread of a process makes it a zombie that its parent reaps, its children
// going to the nearest subreaper or to init; when init ends, every other
// task ends with it and the run is over.
//
// Nothing here frees an engine while it may be running: address spaces and
// tasks that die are parked in DeadSpaces/DeadTasks and freed by the
// scheduler between slices.
//
//===----------------------------------------------------------------------===//
#include "kernel/Kernel.h"

#include "kernel/PidFd.h"

#include "kernel/abi/Constants.h"

#include "llvm/ADT/StringExtras.h"

namespace reprise {

using namespace linux_abi;

// --- Creation ---------------------------------------------------------------

Result<int32_t> Kernel::clone(Task &Parent, const CloneRequest &R,
                              uint64_t ResumePc) {
  uint64_t F = R.Flags;
  if (LiveTasks >= Opts.MaxTasks ||
      LiveTasks >= limit(Parent, LX_RLIMIT_NPROC))
    return Errno::LX_EAGAIN;
  // The child lives in its parent's PID namespace (new namespaces come
  // with the namespaces work).
  PidRef Id = REPRISE_TRY(PidNumbers::create(Parent.Id->nsRef(), R.SetTid));
  int32_t Tid = Id->root();

  auto Owned = std::make_unique<Task>(*this, std::move(Id));
  Owned->StartNs = monotonicNs();
  Task &C = *Owned;
  if (F & LX_CLONE_VM) {
    C.MM = Parent.MM;
  } else {
    auto AS = Parent.MM->fork(*this);
    if (!AS) {
      llvm::consumeError(AS.takeError());
      return Errno::LX_ENOMEM;
    }
    C.MM = std::move(*AS);
  }
  C.Fds = (F & LX_CLONE_FILES) ? Parent.Fds : Parent.Fds->clone();
  C.Fs = (F & LX_CLONE_FS) ? Parent.Fs
                           : std::make_shared<fs::FsContext>(*Parent.Fs);
  // No CLONE_NEW* gets this far: the child is in its parent's namespaces.
  C.Namespaces = Parent.Namespaces;
  C.setIds(Parent.Ids);
  C.SigMask = Parent.SigMask;
  C.Nice = Parent.Nice;
  C.SchedPolicy = Parent.SchedPolicy;
  C.SchedPriority = Parent.SchedPriority;
  // A new thread on the same memory starts without the alternate stack
  // (it would share it); a fork child keeps it.
  if ((F & (LX_CLONE_VM | LX_CLONE_VFORK)) != LX_CLONE_VM)
    C.SigAltStack = Parent.SigAltStack;

  // CLONE_PIDFD: the parent's descriptor for the child, installed after
  // the child's copy of the table was made (it is the parent's alone unless
  // they share the table) and before the child exists, so that a failure
  // leaves nothing behind.
  if (F & LX_CLONE_PIDFD) {
    auto File = std::make_shared<PidFdFile>(C.Id, nextAnonIno(), 0);
    int Fd = REPRISE_TRY(Parent.fds().install(File, /*CloseOnExec=*/true, 0,
                                              limit(Parent, LX_RLIMIT_NOFILE)));
    if (!Parent.copyOutObj<int32_t>(R.PidFd, Fd)) {
      (void)Parent.fds().close(Fd);
      return Errno::LX_EFAULT;
    }
  }

  // Registers: the parent's, returning 0 after the system call.
  cpu::Engine &PE = Parent.cpu();
  std::unique_ptr<cpu::Context> Ctx = PE.saveContext();
  if (!Ctx)
    return Errno::LX_ENOMEM;
  std::vector<std::pair<cpu::Reg, uint64_t>> Regs = {
      {cpu::Reg::Pc, ResumePc}, {cpu::Reg::Ret, 0}};
  if (Parent.arch() == Arch::X86_64) {
    Regs.push_back({cpu::Reg::X86Rcx, ResumePc});
    Regs.push_back({cpu::Reg::X86R11, PE.reg(cpu::Reg::Flags)});
  }
  if (R.Stack)
    Regs.push_back({cpu::Reg::Sp, R.Stack});
  if (F & LX_CLONE_SETTLS)
    Regs.push_back({cpu::Reg::Tls, R.Tls});
  if (C.MM == Parent.MM) {
    for (auto [Reg, V] : Regs)
      PE.setContextReg(*Ctx, Reg, V);
    C.Saved = std::move(Ctx);
  } else {
    cpu::Engine &CE = C.cpu();
    CE.restoreContext(*Ctx);
    for (auto [Reg, V] : Regs)
      CE.setReg(Reg, V);
    C.MM->Loaded = &C;
  }

  // Process membership.
  ThreadGroup &PG = Parent.group();
  if (F & LX_CLONE_THREAD) {
    C.Group = Parent.Group;
    PG.Threads.push_back(&C);
  } else {
    auto G = std::make_shared<ThreadGroup>();
    G->Id = C.Id;
    G->Pid = Tid;
    G->Parent = (F & LX_CLONE_PARENT) && PG.Parent ? PG.Parent : &PG;
    G->Pgrp = PG.Pgrp;
    G->Session = PG.Session;
    G->ExitSignal = R.ExitSignal;
    G->Leader = &C;
    G->Threads.push_back(&C);
    if (F & LX_CLONE_SIGHAND) {
      G->Handlers = PG.Handlers;
    } else {
      G->Handlers = std::make_shared<SignalHandlers>(*PG.Handlers);
      if (F & LX_CLONE_CLEAR_SIGHAND)
        for (SigAction &A : G->Handlers->Actions)
          A = SigAction{A.Handler == LX_SIG_IGN ? LX_SIG_IGN : LX_SIG_DFL, 0, 0, 0};
    }
    G->Limits = PG.Limits;
    G->ExePath = PG.ExePath;
    G->Argv = PG.Argv;
    G->Comm = PG.Comm;
    G->Image = PG.Image;
    G->Parent->Children[Tid] = G.get();
    C.Group = G;
    Groups.emplace(Tid, std::move(G));
  }

  // Each side writes the tid as it sees it.
  if (F & LX_CLONE_CHILD_SETTID)
    (void)C.copyOutObj<int32_t>(R.ChildTid, C.vnr(C.Id));
  if (F & LX_CLONE_PARENT_SETTID)
    (void)Parent.copyOutObj<int32_t>(R.ParentTid, Parent.vnr(C.Id));
  if (F & LX_CLONE_CHILD_CLEARTID)
    C.ClearChildTid = R.ChildTid;
  if (F & LX_CLONE_VFORK)
    C.VforkParent = &Parent;

  if (Gate.logging()) {
    // The exit signal, the child's namespaces, then its tid in each PID
    // namespace level, outermost first.
    static_assert(NsKinds == replay::CloneNamespaces);
    llvm::SmallVector<uint64_t, 16> Ids{uint64_t(R.ExitSignal)};
    Ids.append(C.Namespaces->Ids.begin(), C.Namespaces->Ids.end());
    for (int32_t Id : C.Id->numbers())
      Ids.push_back(uint64_t(Id));
    event(replay::EventKind::Clone, Parent.tid(), F, Tid, Ids);
  }
  Tasks.emplace(Tid, std::move(Owned));
  ++LiveTasks;
  enqueue(C);
  return Tid;
}

// --- exec ---------------------------------------------------------------------

Result<void> Kernel::exec(Task &T, const std::string &Path,
                          std::vector<std::string> Argv,
                          std::vector<std::string> Envp) {
  auto Img = loadImage(T.Fs->Root, T.Fs->Cwd, T.Creds, T.Ids, Path, std::move(Argv), Envp);
  if (!Img) {
    Errno E = Errno::LX_ENOEXEC;
    llvm::handleAllErrors(Img.takeError(), [&](const LaunchError &L) { E = L.Err; },
                          [&](const llvm::ErrorInfoBase &) {});
    return E;
  }
  // From here on the old image is gone: nothing may fail.
  // Set-ID bits of the file are not honoured: the saved and file system
  // ids become the effective ones, as for any exec.
  TaskIds Ids = T.Ids;
  Ids.Suid = Ids.Fsuid = Ids.Euid;
  Ids.Sgid = Ids.Fsgid = Ids.Egid;
  T.setIds(std::move(Ids));
  ThreadGroup &G = T.group();
  std::vector<Task *> Others;
  for (Task *Th : G.Threads)
    if (Th != &T)
      Others.push_back(Th);
  for (Task *Th : Others)
    exitThread(*Th, 0);
  if (!T.isLeader()) {
    // The exec'ing thread takes the leader's tid, as on Linux.
    auto Mine = std::move(Tasks.at(T.tid()));
    Tasks.erase(T.tid());
    auto It = Tasks.find(G.Pid);
    if (It != Tasks.end()) {
      DeadTasks.push_back(std::move(It->second));
      Tasks.erase(It);
    }
    T.Id = G.Id;
    T.Tid = G.Pid;
    G.Leader = &T;
    Tasks.emplace(T.Tid, std::move(Mine));
  }
  releaseThread(T); // clear_child_tid, robust futexes, a vfork parent
  if (T.MM->Loaded == &T)
    T.MM->Loaded = nullptr;
  DeadSpaces.push_back(std::move(T.MM));
  T.MM = std::move(Img->AS);
  T.MM->Loaded = &T;
  T.Saved.reset();
  cpu::Engine &E = T.cpu();
  E.resetRegisters();
  E.setReg(cpu::Reg::Pc, Img->Entry);
  E.setReg(cpu::Reg::Sp, Img->Sp);
  if (T.Fds.use_count() > 1)
    T.Fds = T.Fds->clone();
  T.Fds->closeOnExecAll();
  if (G.Handlers.use_count() > 1)
    G.Handlers = std::make_shared<SignalHandlers>(*G.Handlers);
  // Handled signals go back to SIG_DFL, ignored ones stay ignored; every
  // action loses its flags, mask and restorer (Linux's flush_signal_handlers).
  for (SigAction &A : G.Handlers->Actions)
    A = SigAction{A.Handler == LX_SIG_IGN ? LX_SIG_IGN : LX_SIG_DFL, 0, 0, 0};
  G.ExePath = Img->ExePath;
  G.Argv = Img->Argv;
  G.Comm = baseName(Img->ExePath);
  G.Image = std::move(Img->Layout);
  G.DidExec = true;
  G.Dumpable = true;
  clearProcessTimers(G, /*PosixOnly=*/true); // itimers survive exec
  T.SigAltStack = AltStack{};
  T.Execed = true;
  if (Gate.logging()) {
    Gate.event(replay::EventView(replay::EventKind::Exec, T.tid(), 0, 0, {},
                                 llvm::arrayRefFromStringRef(G.ExePath)));
  }
  return {};
}

// --- Exit -----------------------------------------------------------------------

void Kernel::releaseThread(Task &T) {
  // Robust futexes held by the thread: mark each owner-died and wake one
  // waiter, as Linux's exit_robust_list does (list walk bounded).
  if (T.RobustList && T.MM) {
    uint64_t Head = T.RobustList;
    auto Next = T.copyInObj<uint64_t>(Head);
    auto Offset = T.copyInObj<int64_t>(Head + 8);
    auto PendingOp = T.copyInObj<uint64_t>(Head + 16);
    auto handle = [&](uint64_t Entry) {
      if (!Offset)
        return;
      uint64_t Word = Entry + uint64_t(*Offset);
      auto V = T.copyInObj<uint32_t>(Word);
      if (!V || (*V & LX_FUTEX_TID_MASK) != uint32_t(T.vnr(T.Id)))
        return;
      uint32_t New = (*V & LX_FUTEX_WAITERS) | LX_FUTEX_OWNER_DIED;
      if (!T.copyOutObj<uint32_t>(Word, New))
        return;
      if (*V & LX_FUTEX_WAITERS)
        if (auto K = futexKey(T, Word, false))
          futexWake(*K, 1, LX_FUTEX_BITSET_MATCH_ANY);
    };
    unsigned Limit = 2048; // Linux's ROBUST_LIST_LIMIT
    uint64_t Entry = Next ? (*Next & ~1ull) : Head;
    while (Next && Entry != Head && Limit--) {
      auto After = T.copyInObj<uint64_t>(Entry);
      if (Entry != (PendingOp ? (*PendingOp & ~1ull) : 0))
        handle(Entry);
      if (!After)
        break;
      Entry = *After & ~1ull;
    }
    if (PendingOp && *PendingOp)
      handle(*PendingOp & ~1ull);
    T.RobustList = 0;
  }
  // clear_child_tid: zero the word and wake a joiner (pthread_join).
  if (T.ClearChildTid && T.MM) {
    if (T.copyOutObj<int32_t>(T.ClearChildTid, 0))
      if (auto K = futexKey(T, T.ClearChildTid, false))
        futexWake(*K, 1, LX_FUTEX_BITSET_MATCH_ANY);
    T.ClearChildTid = 0;
  }
  if (T.VforkParent) {
    T.VforkParent = nullptr;
    T.VforkDone.wakeAll(); // the parent waits on the child's queue
  }
}

void Kernel::exitThread(Task &T, int Status) {
  if (T.State == TaskState::Dead)
    return;
  if (Gate.logging())
    event(replay::EventKind::Exit, T.tid(), 0, Status);
  releaseThread(T);
  if (T.State == TaskState::Blocked)
    unblock(T);
  T.Pending.reset();
  T.State = TaskState::Dead;
  // A task killed while runnable must not stay queued: it is freed between
  // slices, before the scheduler would skip it.
  if (T.InRunQueue) {
    std::erase(RunQueue, &T);
    T.InRunQueue = false;
  }
  --LiveTasks;
  if (T.MM) {
    if (T.MM->Loaded == &T)
      T.MM->Loaded = nullptr;
    DeadSpaces.push_back(std::move(T.MM));
  }
  T.Fds.reset(); // closing the last descriptors may wake pipe peers
  T.Fs.reset();
  ThreadGroup &G = T.group();
  G.CpuNs += T.CpuNs;
  std::erase(G.Threads, &T);
  if (!G.Exiting)
    G.ExitStatus = Status;
  if (!T.isLeader()) {
    // A thread other than the leader vanishes at once.
    auto It = Tasks.find(T.tid());
    if (It != Tasks.end() && It->second.get() == &T) {
      DeadTasks.push_back(std::move(It->second));
      Tasks.erase(It);
    }
  }
  if (G.Threads.empty())
    groupDied(G);
}

void Kernel::terminateGroup(ThreadGroup &G, int Status) {
  if (G.State != ThreadGroup::Life::Alive)
    return;
  if (!G.Exiting) {
    G.Exiting = true;
    G.ExitStatus = Status;
  }
  std::vector<Task *> Threads = G.Threads;
  for (Task *Th : Threads)
    exitThread(*Th, Status);
}

void Kernel::exitGroup(Task &T, int Status) { terminateGroup(T.group(), Status); }

void Kernel::killBySignal(Task &T, int Sig, const std::string &Detail) {
  ThreadGroup &G = T.group();
  if (&G == RootPids->Init && G.State == ThreadGroup::Life::Alive && !G.Exiting)
    Outcome.Report = "reprise: task " + std::to_string(T.tid()) + " killed by " +
                     signalName(Sig) + ": " + Detail + ", " + where(T);
  int Status = Sig;
  if (defaultAction(Sig) == DefaultAction::Core && G.Dumpable)
    Status |= 0x80; // "core dumped" (no file is written)
  terminateGroup(G, Status);
}

void Kernel::groupDied(ThreadGroup &G) {
  G.State = ThreadGroup::Life::Zombie;
  clearProcessTimers(G, /*PosixOnly=*/false);
  PidNamespace &Ns = G.Id->ns();
  if (isNamespaceInit(G)) {
    // A namespace's init is gone: every other process in the namespace
    // (nested ones included) goes with it, and no new one may start there.
    Ns.InitDied = true;
    std::vector<ThreadGroup *> Rest;
    for (auto &[Pid, Other] : Groups)
      if (Other.get() != &G && Other->State == ThreadGroup::Life::Alive &&
          Other->Id->in(Ns))
        Rest.push_back(Other.get());
    for (ThreadGroup *O : Rest)
      terminateGroup(*O, LX_SIGKILL);
    if (&G == RootPids->Init) {
      // The run is over: its status is init's.
      int Status = G.ExitStatus;
      if (Status & 0x7f) {
        Outcome.Signal = Status & 0x7f;
        Outcome.ExitCode = 128 + Outcome.Signal;
      } else {
        Outcome.ExitCode = (Status >> 8) & 0xff;
      }
      Stopping = true;
      return;
    }
  }
  // Children go to the nearest living subreaper above in the same
  // namespace, else to the namespace's init.
  ThreadGroup *Reaper = nullptr;
  for (ThreadGroup *A = G.Parent; A && A->Id->in(Ns); A = A->Parent)
    if (A->Subreaper && A->State == ThreadGroup::Life::Alive) {
      Reaper = A;
      break;
    }
  if (!Reaper && Ns.Init != &G)
    Reaper = Ns.Init;
  if (!Reaper)
    for (PidNamespace *Up = Ns.parent(); Up && !Reaper; Up = Up->parent())
      Reaper = Up->Init; // init of a namespace died: its children go up
  std::vector<ThreadGroup *> Orphans;
  for (auto &[Pid, Child] : G.Children)
    Orphans.push_back(Child);
  G.Children.clear();
  std::vector<int32_t> OrphanPids;
  for (ThreadGroup *Child : Orphans) {
    Child->Parent = Reaper;
    if (Reaper)
      Reaper->Children[Child->Pid] = Child;
    if (Child->State == ThreadGroup::Life::Zombie && Reaper)
      Reaper->ChildEvents.wakeAll();
    OrphanPids.push_back(Child->Pid);
  }
  // Process groups this exit orphans: a reparented child's (G was its link)
  // and G's own (as Linux's exit_notify, in that order). The signals may end
  // processes, so each is looked up again.
  for (int32_t Pid : OrphanPids)
    if (ThreadGroup *Child = groupByPid(Pid))
      hangUpOrphanedPgrp(*Child, &G, nullptr);
  hangUpOrphanedPgrp(G, G.Parent, &G);

  ThreadGroup *P = G.Parent;
  if (!P)
    return;
  const SigAction &Chld = P->Handlers->Actions[LX_SIGCHLD];
  // Only a child that signals SIGCHLD is reaped by SIG_IGN / SA_NOCLDWAIT.
  bool AutoReap = G.ExitSignal == LX_SIGCHLD &&
                  (Chld.Handler == LX_SIG_IGN || (Chld.Flags & LX_SA_NOCLDWAIT));
  // An exit signal past 64 (old clone takes any byte) signals nobody.
  bool Valid = G.ExitSignal > 0 && G.ExitSignal <= LX_NSIG;
  if (Valid && !(AutoReap && Chld.Handler == LX_SIG_IGN))
    sendSignal(*P, nullptr, childSignal(G, *P));
  P->ChildEvents.wakeAll();
  if (AutoReap && G.ExitSignal == LX_SIGCHLD)
    reap(G);
}

bool Kernel::orphanedPgrp(const PidRef &Pgrp, const ThreadGroup *Ignored) const {
  // Linux also passes over members whose parent is the machine's global
  // init, which is in no session's job control. The guest's first process
  // is not that: it is the init of the guest's namespace, as a container's
  // would be, and its children's groups are linked to its session like any.
  for (const auto &[Pid, G] : Groups) {
    if (G.get() == Ignored || G->State != ThreadGroup::Life::Alive || G->Pgrp != Pgrp)
      continue;
    const ThreadGroup *P = G->Parent;
    if (P && P->Pgrp != Pgrp && P->Session == G->Session)
      return false;
  }
  return true;
}

void Kernel::hangUpOrphanedPgrp(ThreadGroup &G, const ThreadGroup *Parent,
                                const ThreadGroup *Ignored) {
  if (!Parent || Parent->Pgrp == G.Pgrp || Parent->Session != G.Session)
    return;
  PidRef Pgrp = G.Pgrp;
  if (!orphanedPgrp(Pgrp, Ignored))
    return;
  std::vector<int32_t> Members;
  bool Stopped = false;
  for (const auto &[Pid, M] : Groups)
    if (M->State == ThreadGroup::Life::Alive && M->Pgrp == Pgrp) {
      Members.push_back(Pid);
      Stopped |= M->Stopped;
    }
  if (!Stopped)
    return;
  for (int Sig : {LX_SIGHUP, LX_SIGCONT})
    for (int32_t Pid : Members)
      if (ThreadGroup *M = groupByPid(Pid))
        sendSignal(*M, nullptr, SigInfo::kernel(Sig));
}

SigInfo Kernel::childSignal(ThreadGroup &Child, ThreadGroup &Parent) {
  SigInfo I{Child.ExitSignal, 0, LX_CLD_EXITED};
  int Status = Child.ExitStatus;
  int32_t Value = (Status >> 8) & 0xff;
  if (Status & 0x7f) {
    I.Code = (Status & 0x80) ? LX_CLD_DUMPED : LX_CLD_KILLED;
    Value = Status & 0x7f;
  }
  I.set<int32_t>(0, Child.Id->in(Parent.Id->ns()));
  I.set<uint32_t>(4, Child.Leader ? Child.Leader->Ids.Ruid : 0);
  I.set<int32_t>(8, Value);
  I.set<int64_t>(16, int64_t(Child.CpuNs / 10'000'000)); // clock ticks
  I.set<int64_t>(24, 0);
  return I;
}

void Kernel::reap(ThreadGroup &G) {
  if (ThreadGroup *P = G.Parent) {
    P->Children.erase(G.Pid);
    P->ChildrenCpuNs += G.CpuNs + G.ChildrenCpuNs;
  }
  auto It = Tasks.find(G.Pid);
  if (It != Tasks.end() && It->second->Group.get() == &G) {
    DeadTasks.push_back(std::move(It->second));
    Tasks.erase(It);
  }
  auto GIt = Groups.find(G.Pid);
  if (GIt != Groups.end() && GIt->second.get() == &G)
    Groups.erase(GIt); // the leader in DeadTasks keeps it alive until then
}

} // namespace reprise
