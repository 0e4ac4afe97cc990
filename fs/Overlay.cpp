//===- fs/Overlay.cpp -----------------------------------------------------===//
#include "fs/Overlay.h"
#include "fs/Directory.h"

namespace reprise::fs {

using namespace linux_abi;

namespace {

/// One object of the merged tree: its lower object, its upper one, or both
/// (a directory present in both layers). Nodes are made by lookup and not
/// kept, so two nodes may stand for one object: sync() picks up an upper
/// object that another node's copy-up made.
class OverlayNode : public Vnode {
public:
  OverlayNode(MemFsRef FS, std::shared_ptr<OverlayNode> Parent, std::string Name,
              VnodeRef Lower, std::shared_ptr<MemNode> Upper)
      : FS(std::move(FS)), Parent(std::move(Parent)), Name(std::move(Name)),
        Lower(std::move(Lower)), Upper(std::move(Upper)) {
    Type = this->Upper ? this->Upper->fileType() : this->Lower->fileType();
  }

  ~OverlayNode() override {
    // Frees the chain of parents this node alone held in a loop, not one
    // destructor call per level (a guest can nest directories without end).
    std::shared_ptr<OverlayNode> P = std::move(Parent);
    while (P && P.use_count() == 1) {
      std::shared_ptr<OverlayNode> Next = std::move(P->Parent);
      P = std::move(Next);
    }
  }

  uint32_t fileType() const override { return Type; }

  Result<FileStat> stat() override {
    sync();
    return Upper ? Upper->stat() : Lower->stat();
  }
  Result<FileStat> access() override {
    sync();
    return Upper ? Upper->stat() : Lower->access();
  }

  Result<FileRef> open(uint32_t Flags) override {
    sync();
    if (Type == LX_S_IFDIR) {
      if ((Flags & LX_O_ACCMODE) != LX_O_RDONLY)
        return Errno::LX_EISDIR;
      return FileRef(std::make_shared<DirectoryFile>(shared_from_this(), Flags));
    }
    bool Writes = !(Flags & LX_O_PATH) &&
                  ((Flags & LX_O_ACCMODE) != LX_O_RDONLY || (Flags & LX_O_TRUNC));
    if (Writes && Type == LX_S_IFREG)
      return REPRISE_TRY(copyUp())->open(Flags);
    return Upper ? Upper->open(Flags) : Lower->open(Flags);
  }

  Result<VnodeRef> lookup(std::string_view N) override {
    auto C = REPRISE_TRY(child(N));
    return VnodeRef(std::move(C));
  }

  Result<std::vector<DirEntry>> list() override {
    sync();
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    std::map<std::string, DirEntry> All;
    if (Upper)
      for (auto &E : REPRISE_TRY(Upper->list()))
        All.emplace(E.Name, E);
    if (Lower && !(Upper && Upper->Opaque))
      for (auto &E : REPRISE_TRY(Lower->list()))
        if (!(Upper && Upper->Whiteouts.count(E.Name)))
          All.emplace(E.Name, E); // an upper entry of the name stays
    std::vector<DirEntry> Out;
    Out.reserve(All.size());
    for (auto &[N, E] : All)
      Out.push_back(std::move(E));
    return Out;
  }

  Result<VnodeRef> createFile(std::string_view N, uint32_t Mode,
                              const Creds &C) override {
    auto U = REPRISE_TRY(newEntry(N));
    auto Made = REPRISE_TRY(U->createFile(N, Mode, C));
    U->Whiteouts.erase(std::string(N));
    return VnodeRef(std::make_shared<OverlayNode>(
        FS, self(), std::string(N), nullptr,
        std::static_pointer_cast<MemNode>(Made)));
  }

  Result<void> mkdir(std::string_view N, uint32_t Mode, const Creds &C) override {
    auto U = REPRISE_TRY(newEntry(N));
    REPRISE_TRY(U->mkdir(N, Mode, C));
    // Where the lower layer had this name, its directory must not show
    // through the new one.
    if (U->Whiteouts.erase(std::string(N)))
      U->child(std::string(N))->Opaque = true;
    return {};
  }

  Result<void> symlink(std::string_view N, std::string_view Target) override {
    auto U = REPRISE_TRY(newEntry(N));
    REPRISE_TRY(U->symlink(N, Target));
    U->Whiteouts.erase(std::string(N));
    return {};
  }

  Result<void> mknod(std::string_view N, uint32_t Mode, const Creds &C) override {
    auto U = REPRISE_TRY(newEntry(N));
    REPRISE_TRY(U->mknod(N, Mode, C));
    U->Whiteouts.erase(std::string(N));
    return {};
  }

  Result<void> unlink(std::string_view N) override {
    auto C = REPRISE_TRY(child(N));
    if (C->isDir())
      return Errno::LX_EISDIR;
    return remove(N, false);
  }

  Result<void> rmdir(std::string_view N) override {
    auto C = REPRISE_TRY(child(N));
    if (!C->isDir())
      return Errno::LX_ENOTDIR;
    if (!REPRISE_TRY(C->list()).empty())
      return Errno::LX_ENOTEMPTY;
    return remove(N, true);
  }

  Result<void> rename(std::string_view N, Vnode &NewDir, std::string_view NewN,
                      uint32_t Flags) override {
    auto *Dest = dynamic_cast<OverlayNode *>(&NewDir);
    if (!Dest || Dest->FS != FS)
      return Errno::LX_EXDEV;
    if (Flags & LX_RENAME_EXCHANGE)
      return Errno::LX_EINVAL;
    auto Src = REPRISE_TRY(child(N));
    if (Src->isDir() && Src->Lower)
      return Errno::LX_EXDEV; // no redirect_dir: mv copies instead
    if (auto Old = Dest->child(NewN)) {
      auto &O = *Old;
      if (O->Upper && O->Upper == Src->Upper)
        return {}; // two names of one object
      if (Flags & LX_RENAME_NOREPLACE)
        return Errno::LX_EEXIST;
      if (Src->isDir() && !O->isDir())
        return Errno::LX_ENOTDIR;
      if (!Src->isDir() && O->isDir())
        return Errno::LX_EISDIR;
      if (O->isDir() && !REPRISE_TRY(O->list()).empty())
        return Errno::LX_ENOTEMPTY;
    } else if (Old.error() != Errno::LX_ENOENT) {
      return Old.error();
    }
    REPRISE_TRY(Src->copyUp());
    auto U = REPRISE_TRY(copyUp());
    auto DU = REPRISE_TRY(Dest->copyUp());
    bool SrcInLower = lowerHas(N), DstInLower = Dest->lowerHas(NewN);
    std::string To(NewN);
    // A lower object replaced: an upper copy of it (a directory holding
    // only whiteouts) goes, and the whiteout that would hide it is not needed.
    if (auto UO = DU->child(To); UO && UO->isDir() && !UO->Whiteouts.empty())
      UO->Whiteouts.clear();
    REPRISE_TRY(U->rename(N, *DU, NewN, Flags & ~LX_RENAME_NOREPLACE));
    DU->Whiteouts.erase(To);
    if (DstInLower && Src->isDir())
      DU->child(To)->Opaque = true;
    if (SrcInLower)
      U->Whiteouts.insert(std::string(N));
    return {};
  }

  Result<void> link(std::string_view N, Vnode &Target) override {
    auto *T = dynamic_cast<OverlayNode *>(&Target);
    if (!T || T->FS != FS)
      return Errno::LX_EXDEV;
    if (T->isDir())
      return Errno::LX_EPERM;
    auto TU = REPRISE_TRY(T->copyUp());
    auto U = REPRISE_TRY(newEntry(N));
    REPRISE_TRY(U->link(N, *TU));
    U->Whiteouts.erase(std::string(N));
    return {};
  }

  Result<void> chmod(uint32_t Mode) override {
    if (Type == LX_S_IFLNK)
      return Errno::LX_EOPNOTSUPP;
    return REPRISE_TRY(copyUp())->chmod(Mode);
  }
  Result<void> chown(uint32_t Uid, uint32_t Gid) override {
    return REPRISE_TRY(copyUp())->chown(Uid, Gid);
  }
  Result<void> setTimes(const Timespec *A, const Timespec *M) override {
    return REPRISE_TRY(copyUp())->setTimes(A, M);
  }
  Result<void> truncate(int64_t Size) override {
    if (Type == LX_S_IFDIR)
      return Errno::LX_EISDIR;
    if (Type != LX_S_IFREG)
      return Errno::LX_EINVAL;
    return REPRISE_TRY(copyUp())->truncate(Size);
  }
  Result<std::string> readlink() override {
    sync();
    return Upper ? Upper->readlink() : Lower->readlink();
  }

private:
  std::shared_ptr<OverlayNode> self() {
    return std::static_pointer_cast<OverlayNode>(shared_from_this());
  }

  /// This node and its parents up to the first with an upper object (or
  /// the root), nearest first. Walked in loops, never recursively: the
  /// chain is as deep as the guest's directories.
  std::vector<OverlayNode *> lowerOnlyChain() {
    std::vector<OverlayNode *> Chain;
    for (OverlayNode *N = this; N && !N->Upper; N = N->Parent.get())
      Chain.push_back(N);
    return Chain;
  }

  /// Takes the upper objects another node of the same names made meanwhile
  /// (for this node and its parents).
  void sync() {
    if (Upper || !Parent)
      return;
    auto Chain = lowerOnlyChain();
    for (auto It = Chain.rbegin(); It != Chain.rend(); ++It) {
      OverlayNode &N = **It;
      if (!N.Parent || !N.Parent->Upper)
        continue;
      if (auto U = N.Parent->Upper->child(N.Name); U && U->fileType() == N.Type)
        N.Upper = std::move(U);
    }
  }

  /// Whether the lower layer shows \p N in this directory.
  bool lowerHas(std::string_view N) {
    sync();
    if (!Lower || (Upper && (Upper->Opaque || Upper->Whiteouts.count(std::string(N)))))
      return false;
    return bool(Lower->lookup(N));
  }

  Result<std::shared_ptr<OverlayNode>> child(std::string_view N) {
    sync();
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    std::string Key(N);
    std::shared_ptr<MemNode> U = Upper ? Upper->child(Key) : nullptr;
    bool Hidden = Upper && (Upper->Opaque || Upper->Whiteouts.count(Key));
    VnodeRef L;
    if (Lower && !Hidden && (!U || (U->isDir() && !U->Opaque))) {
      auto R = Lower->lookup(N);
      if (R)
        L = std::move(*R);
      else if (!U || R.error() != Errno::LX_ENOENT)
        return R.error();
      if (U && L && !L->isDir())
        L = nullptr; // an upper directory over a lower file: not merged
    }
    if (!U && !L)
      return Errno::LX_ENOENT; // whited out
    return std::make_shared<OverlayNode>(FS, self(), std::move(Key), std::move(L),
                                         std::move(U));
  }

  /// This directory's upper object, ready to take the new entry \p N.
  Result<std::shared_ptr<MemNode>> newEntry(std::string_view N) {
    if (Type != LX_S_IFDIR)
      return Errno::LX_ENOTDIR;
    if (child(N))
      return Errno::LX_EEXIST;
    return copyUp();
  }

  /// Removes the entry \p N (checked by the caller), hiding the lower one.
  Result<void> remove(std::string_view N, bool Dir) {
    bool InLower = lowerHas(N);
    auto U = REPRISE_TRY(copyUp());
    if (auto C = U->child(std::string(N))) {
      if (Dir)
        C->Whiteouts.clear(); // they hid what the whiteout below will hide
      REPRISE_TRY(Dir ? U->rmdir(N) : U->unlink(N));
    }
    if (InLower) {
      U->Whiteouts.insert(std::string(N));
      U->modified();
    }
    return {};
  }

  /// The upper object of this node, copied up from the lower one (with its
  /// directories, from the top down) if it has none yet.
  Result<std::shared_ptr<MemNode>> copyUp() {
    sync();
    if (Upper)
      return Upper;
    auto Chain = lowerOnlyChain();
    for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
      REPRISE_TRY((*It)->copyUpOne());
    return Upper;
  }

  /// Copies this node up; its parent (if any) has its upper object.
  Result<void> copyUpOne() {
    // A directory is copied up as the parent of what the guest changes,
    // which did not ask for its times: only its identity is read (a busy
    // host directory's times, /tmp's, would make equal runs' traces differ).
    bool Dir = Type == LX_S_IFDIR;
    auto S = REPRISE_TRY(Dir ? Lower->access() : Lower->stat());
    auto N = std::make_shared<MemNode>(FS, S.Mode, Creds{S.Uid, S.Gid});
    if (Type == LX_S_IFLNK) {
      N->setTarget(REPRISE_TRY(Lower->readlink()));
    } else if (Type == LX_S_IFREG) {
      auto F = REPRISE_TRY(Lower->open(LX_O_RDONLY | LX_O_LARGEFILE));
      std::vector<uint8_t> Buf(1 << 16);
      for (int64_t At = 0;;) {
        size_t Got = REPRISE_TRY(F->read(Buf, &At));
        if (Got == 0)
          break;
        REPRISE_TRY(N->writeAt(llvm::ArrayRef<uint8_t>(Buf.data(), Got), At));
        At += int64_t(Got);
      }
    } else if (Type != LX_S_IFDIR) {
      return Errno::LX_EOPNOTSUPP;
    }
    // The copy is the same object to the guest (a directory's times become
    // those of its copy-up, and its link count 2 plus the subdirectories
    // made in the upper layer).
    N->Meta.Ino = S.Ino;
    if (!Dir) {
      N->Meta.Atime = S.Atime;
      N->Meta.Mtime = S.Mtime;
      N->Meta.Ctime = S.Ctime;
    }
    if (Parent) {
      std::shared_ptr<MemNode> PU = Parent->Upper;
      if (!PU)
        return Errno::LX_EIO; // copyUp goes from the top down: never
      if (PU->Whiteouts.count(Name) || PU->child(Name))
        return Errno::LX_ESTALE; // its name went meanwhile
      // Copy-up changes nothing the guest sees of the parent.
      FileStat Keep = PU->Meta;
      PU->attach(Name, N);
      PU->Meta = Keep;
    }
    Upper = std::move(N);
    return {};
  }

  MemFsRef FS;
  std::shared_ptr<OverlayNode> Parent; // null for the root
  std::string Name;
  VnodeRef Lower;                // null when only the upper layer has it
  std::shared_ptr<MemNode> Upper; // null until copied up
  uint32_t Type;
};

} // namespace

VnodeRef makeOverlay(VnodeRef Lower, MemFsRef Upper) {
  return std::make_shared<OverlayNode>(std::move(Upper), nullptr, "",
                                       std::move(Lower), nullptr);
}

} // namespace reprise::fs
