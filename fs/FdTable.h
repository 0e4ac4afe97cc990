//===- fs/FdTable.h - File descriptor table ---------------------*- C++ -*-===//
#pragma once

#include "fs/Vnode.h"

#include <memory>
#include <vector>

namespace reprise::fs {

/// A task's descriptor table (shared between tasks with CLONE_FILES). New
/// descriptors take the lowest free number, as POSIX requires.
class FdTable {
public:
  /// Installs \p F at the lowest free descriptor >= \p MinFd below \p Limit.
  Result<int> install(FileRef F, bool CloseOnExec, int MinFd, uint64_t Limit);
  /// Installs \p F at exactly \p Fd, closing what was there (dup2/dup3).
  Result<void> installAt(int Fd, FileRef F, bool CloseOnExec, uint64_t Limit);
  Result<FileRef> get(int Fd) const;
  Result<void> close(int Fd);
  Result<bool> closeOnExec(int Fd) const;
  Result<void> setCloseOnExec(int Fd, bool On);
  /// Closes every descriptor marked close-on-exec (execve).
  void closeOnExecAll();
  /// Open descriptors in increasing order.
  std::vector<int> openFds() const;
  std::shared_ptr<FdTable> clone() const { return std::make_shared<FdTable>(*this); }

private:
  struct Slot {
    FileRef File;
    bool CloseOnExec = false;
  };
  std::vector<Slot> Slots;
};

} // namespace reprise::fs
