//===- NpyFile.cpp - reading and writing .npy files -----------------------===//
//
// .npy files on disk, and the write-to-a-temporary-then-rename helpers that
// make both the .npy and the .npz writers atomic.
//
//===----------------------------------------------------------------------===//

#include "NpzInternal.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace tpuc::npz_detail;

namespace tpuc {

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

Expected<NpyArray> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path, buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  return parseNpy(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()),
                        data.size()),
      path);
}

Expected<sys::fs::TempFile> npz_detail::createTempNextTo(StringRef path) {
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + ".tmp-%%%%%%%%");
  if (!temp)
    return makeError(path, "cannot create temporary file: " +
                               toString(temp.takeError()));
  return temp;
}

Error npz_detail::keepTemp(sys::fs::TempFile &temp, StringRef path) {
  if (Error err = temp.keep(path))
    return makeError(path, "cannot write: " + toString(std::move(err)));
  return Error::success();
}

Error writeNpy(StringRef path, const NpyArray &array) {
  if (Error err = checkWritable(array, path))
    return err;
  Expected<sys::fs::TempFile> temp = createTempNextTo(path);
  if (!temp)
    return temp.takeError();
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << serializeHeader(array);
    os.write(reinterpret_cast<const char *>(array.bytes.data()),
             array.bytes.size());
    os.flush();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      consumeError(temp->discard());
      return makeError(path, "cannot write: " + message);
    }
  }
  return keepTemp(*temp, path);
}

} // namespace tpuc
