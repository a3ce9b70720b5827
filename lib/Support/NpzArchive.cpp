//===- NpzArchive.cpp - .npz archives through libzip ----------------------===//
//
// The zip container of .npz files: the lazy NpzReader, readNpz and writeNpz.
// The only file that uses libzip; each member's .npy image goes through
// NpyFormat.cpp.
//
//===----------------------------------------------------------------------===//

#include "NpzInternal.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mutex>

using namespace llvm;
using namespace tpuc::npz_detail;

namespace tpuc {

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

namespace {
struct ZipCloser {
  void operator()(zip_t *zip) const { zip_discard(zip); }
};
struct ZipFileCloser {
  void operator()(zip_file_t *file) const { zip_fclose(file); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;
} // namespace

struct NpzReader::Impl {
  ZipPtr zip;
  StringMap<zip_uint64_t> indices;
  // libzip archives are not safe for concurrent reads.
  mutable std::mutex mutex;
};

NpzReader::~NpzReader() = default;

static std::string zipOpenMessage(int code) {
  switch (code) {
  case ZIP_ER_NOENT:
    return "no such file";
  case ZIP_ER_OPEN:
  case ZIP_ER_READ:
    return "cannot read file";
  case ZIP_ER_NOZIP:
    return "not a zip archive (corrupt or truncated .npz)";
  case ZIP_ER_INCONS:
    return "corrupt zip archive";
  default:
    break;
  }
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return "cannot open archive: " + message;
}

Expected<std::unique_ptr<NpzReader>> NpzReader::open(StringRef path) {
  std::unique_ptr<NpzReader> reader(new NpzReader());
  reader->path_ = path.str();
  reader->impl_ = std::make_unique<Impl>();
  int code = 0;
  ZipPtr zip(zip_open(reader->path_.c_str(), ZIP_RDONLY, &code));
  if (!zip) {
    if (code == ZIP_ER_OPEN || code == ZIP_ER_NOENT)
      if (std::error_code statEc =
              sys::fs::access(path, sys::fs::AccessMode::Exist))
        return makeError(path, statEc.message());
    return makeError(path, zipOpenMessage(code));
  }
  zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *raw = zip_get_name(zip.get(), i, 0);
    if (!raw)
      return makeError(path, "corrupt zip archive: unreadable member name");
    // numpy stores each array as "<name>.npy"; other members (directories,
    // stray files) are not arrays.
    StringRef member(raw);
    if (!member.consume_back(".npy"))
      continue;
    if (!reader->impl_->indices.try_emplace(member, i).second)
      return makeError(path, "corrupt zip archive: duplicate member '" +
                                 member + ".npy'");
    reader->names_.push_back(member.str());
  }
  reader->impl_->zip = std::move(zip);
  return std::move(reader);
}

bool NpzReader::contains(StringRef name) const {
  return impl_->indices.count(name);
}

/// Reads exactly `size` bytes; fewer means the member is shorter than its
/// directory entry claims.
static Error readExact(zip_file_t *file, uint8_t *out, uint64_t size,
                       StringRef what) {
  while (size > 0) {
    zip_int64_t got = zip_fread(file, out, size);
    if (got < 0)
      return makeError(what, Twine("corrupt zip member: ") +
                                 zip_error_strerror(zip_file_get_error(file)));
    if (got == 0)
      return makeError(what, "truncated data");
    out += got;
    size -= got;
  }
  return Error::success();
}

Expected<NpyArray> NpzReader::read(StringRef name) const {
  std::string what = path_ + ": tensor '" + name.str() + "'";
  auto it = impl_->indices.find(name);
  if (it == impl_->indices.end())
    return makeError(what, "no such tensor in archive");
  std::lock_guard<std::mutex> lock(impl_->mutex);
  zip_t *zip = impl_->zip.get();
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(zip, it->second, 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    return makeError(what, Twine("corrupt zip member: ") +
                               zip_error_strerror(zip_get_error(zip)));
  // The sizes come from the archive's directory; check them against each
  // other before trusting one with an allocation. Deflate expands at most
  // 1032:1.
  if ((stat.valid & ZIP_STAT_COMP_SIZE) &&
      (stat.valid & ZIP_STAT_COMP_METHOD)) {
    bool stored = stat.comp_method == ZIP_CM_STORE;
    if ((stored && stat.comp_size != stat.size) ||
        (!stored && stat.size / 1032 > stat.comp_size))
      return makeError(what, "corrupt zip member: inconsistent sizes");
  }
  ZipFilePtr file(zip_fopen_index(zip, it->second, 0));
  if (!file)
    return makeError(what, Twine("corrupt zip member: ") +
                               zip_error_strerror(zip_get_error(zip)));

  // Stream the member: header first, then the data straight into the array,
  // so a large tensor is not held twice.
  uint64_t total = stat.size;
  std::vector<uint8_t> head(std::min<uint64_t>(total, kPreludeLen + 4));
  if (Error err = readExact(file.get(), head.data(), head.size(), what))
    return std::move(err);
  size_t fixedLen = 0;
  uint64_t dictLen = 0;
  if (Error err = parsePrelude(head, what, fixedLen, dictLen))
    return std::move(err);
  if (total < fixedLen + dictLen)
    return makeError(what, "truncated header");
  // The prelude read may already hold the whole header and even some data.
  size_t have = head.size();
  if (have < fixedLen + dictLen) {
    head.resize(fixedLen + dictLen);
    if (Error err =
            readExact(file.get(), head.data() + have, head.size() - have, what))
      return std::move(err);
  }
  Expected<NpyHeader> header = parseHeader(head, what);
  if (!header)
    return header.takeError();
  if (Error err = checkDataSize(*header, total - header->dataOffset, what))
    return std::move(err);

  NpyArray array;
  array.dtype = header->dtype;
  array.shape = std::move(header->shape);
  array.bytes.resize(header->dataBytes);
  // head.size() <= total, so checkDataSize bounds the carried-over bytes.
  size_t carried = head.size() - header->dataOffset;
  if (carried)
    std::memcpy(array.bytes.data(), head.data() + header->dataOffset, carried);
  if (Error err = readExact(file.get(), array.bytes.data() + carried,
                            array.bytes.size() - carried, what))
    return std::move(err);
  // libzip verifies the CRC once it reaches the end of the member.
  uint8_t extra;
  zip_int64_t tail = zip_fread(file.get(), &extra, 1);
  if (tail < 0)
    return makeError(what,
                     Twine("corrupt zip member: ") +
                         zip_error_strerror(zip_file_get_error(file.get())));
  if (tail > 0)
    return makeError(what, "corrupt zip member: longer than its directory "
                           "entry");
  return array;
}

Expected<NpzMap> readNpz(StringRef path) {
  Expected<std::unique_ptr<NpzReader>> reader = NpzReader::open(path);
  if (!reader)
    return reader.takeError();
  NpzMap arrays;
  for (const std::string &name : (*reader)->names()) {
    Expected<NpyArray> array = (*reader)->read(name);
    if (!array)
      return array.takeError();
    arrays.emplace(name, std::move(*array));
  }
  return arrays;
}

/// The end-of-central-directory record of an archive with no members.
/// libzip deletes rather than writes an empty archive, but np.savez() with no
/// arrays produces exactly this.
static const uint8_t kEmptyZip[22] = {'P', 'K', 5, 6};

/// DOS timestamps are local time, so a fixed time_t would give different
/// bytes in different time zones; a fixed local calendar time does not.
static time_t fixedTimestamp() {
  std::tm tm = {};
  tm.tm_year = 80; // 1980-01-01 00:00:00, the DOS epoch
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

static Error writeZip(StringRef tempPath, StringRef path, const NpzMap &arrays,
                      bool compress) {
  int code = 0;
  SmallString<256> tempName(tempPath);
  ZipPtr zip(zip_open(tempName.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!zip)
    return makeError(path, "cannot write: " + zipOpenMessage(code));
  auto zipError = [&](StringRef name) {
    std::string what = path.str();
    if (!name.empty())
      what += ": tensor '" + name.str() + "'";
    return makeError(what, Twine("cannot write: ") +
                               zip_error_strerror(zip_get_error(zip.get())));
  };

  // libzip reads the sources only in zip_close(), so the headers must outlive
  // the loop; the data is referenced in place, not copied.
  std::vector<std::string> headers;
  headers.reserve(arrays.size());
  time_t mtime = fixedTimestamp();
  for (const auto &[name, array] : arrays) {
    headers.push_back(serializeHeader(array));
    zip_buffer_fragment_t fragments[2] = {
        {reinterpret_cast<zip_uint8_t *>(headers.back().data()),
         headers.back().size()},
        {const_cast<zip_uint8_t *>(array.bytes.data()), array.bytes.size()}};
    zip_source_t *source = zip_source_buffer_fragment(
        zip.get(), fragments, array.bytes.empty() ? 1 : 2, /*freep=*/0);
    if (!source)
      return zipError(name);
    std::string member = name + ".npy";
    zip_int64_t index =
        zip_file_add(zip.get(), member.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return zipError(name);
    }
    if (zip_set_file_compression(zip.get(), index,
                                 compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 0) != 0 ||
        zip_file_set_mtime(zip.get(), index, mtime, 0) != 0)
      return zipError(name);
  }
  if (zip_close(zip.get()) != 0)
    return zipError("");
  zip.release(); // zip_close() freed it
  return Error::success();
}

Error writeNpz(StringRef path, const NpzMap &arrays, bool compress) {
  for (const auto &[name, array] : arrays)
    if (Error err =
            checkWritable(array, path.str() + ": tensor '" + name + "'"))
      return err;
  Expected<sys::fs::TempFile> temp = createTempNextTo(path);
  if (!temp)
    return temp.takeError();

  Error err = Error::success();
  if (arrays.empty()) {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os.write(reinterpret_cast<const char *>(kEmptyZip), sizeof(kEmptyZip));
    os.flush();
    if (os.has_error()) {
      err = makeError(path, "cannot write: " + os.error().message());
      os.clear_error();
    }
  } else {
    // libzip writes its own temporary and renames it over ours on success.
    err = writeZip(temp->TmpName, path, arrays, compress);
  }
  if (err) {
    consumeError(temp->discard());
    return err;
  }
  return keepTemp(*temp, path);
}

} // namespace tpuc
