//===- fs/FdTable.cpp -----------------------------------------------------===//
#include "fs/FdTable.h"

namespace reprise::fs {

Result<int> FdTable::install(FileRef F, bool CloseOnExec, int MinFd,
                             uint64_t Limit) {
  if (MinFd < 0 || uint64_t(MinFd) >= Limit)
    return Errno::LX_EINVAL;
  for (size_t I = size_t(MinFd); I < Slots.size(); ++I) {
    if (!Slots[I].File) {
      Slots[I] = {std::move(F), CloseOnExec};
      return int(I);
    }
  }
  size_t Fd = std::max(Slots.size(), size_t(MinFd));
  if (Fd >= Limit)
    return Errno::LX_EMFILE;
  Slots.resize(Fd + 1);
  Slots[Fd] = {std::move(F), CloseOnExec};
  return int(Fd);
}

Result<void> FdTable::installAt(int Fd, FileRef F, bool CloseOnExec,
                                uint64_t Limit) {
  if (Fd < 0 || uint64_t(Fd) >= Limit)
    return Errno::LX_EBADF;
  if (size_t(Fd) >= Slots.size())
    Slots.resize(size_t(Fd) + 1);
  Slots[size_t(Fd)] = {std::move(F), CloseOnExec};
  return {};
}

Result<FileRef> FdTable::get(int Fd) const {
  if (Fd < 0 || size_t(Fd) >= Slots.size() || !Slots[size_t(Fd)].File)
    return Errno::LX_EBADF;
  return Slots[size_t(Fd)].File;
}

Result<void> FdTable::close(int Fd) {
  if (Fd < 0 || size_t(Fd) >= Slots.size() || !Slots[size_t(Fd)].File)
    return Errno::LX_EBADF;
  Slots[size_t(Fd)] = {};
  while (!Slots.empty() && !Slots.back().File)
    Slots.pop_back();
  return {};
}

Result<bool> FdTable::closeOnExec(int Fd) const {
  if (Fd < 0 || size_t(Fd) >= Slots.size() || !Slots[size_t(Fd)].File)
    return Errno::LX_EBADF;
  return Slots[size_t(Fd)].CloseOnExec;
}

Result<void> FdTable::setCloseOnExec(int Fd, bool On) {
  if (Fd < 0 || size_t(Fd) >= Slots.size() || !Slots[size_t(Fd)].File)
    return Errno::LX_EBADF;
  Slots[size_t(Fd)].CloseOnExec = On;
  return {};
}

void FdTable::closeOnExecAll() {
  for (auto &S : Slots)
    if (S.CloseOnExec)
      S = {};
  while (!Slots.empty() && !Slots.back().File)
    Slots.pop_back();
}

std::vector<int> FdTable::openFds() const {
  std::vector<int> Out;
  for (size_t I = 0; I < Slots.size(); ++I)
    if (Slots[I].File)
      Out.push_back(int(I));
  return Out;
}

} // namespace reprise::fs
