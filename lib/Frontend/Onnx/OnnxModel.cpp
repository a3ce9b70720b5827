//===- OnnxModel.cpp - Reading ONNX files, tensors and attributes ---------===//

#include "OnnxImporterImpl.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <climits>
#include <cmath>
#include <cstring>

using llvm::Expected;
using llvm::StringRef;

namespace tpuc::onnx_import {
namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

/// Bytes per element of the types tensors can hold here; 0 for others.
size_t elementSize(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  default:
    return 0;
  }
}

template <typename T> T loadAs(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T> void appendBytes(std::vector<uint8_t> &out, T value) {
  const auto *p = reinterpret_cast<const uint8_t *>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

std::string tensorLabel(const onnx::TensorProto &proto) {
  return proto.name().empty() ? std::string("unnamed tensor")
                              : "tensor '" + proto.name() + "'";
}

/// Reads the external data of `proto` (location/offset/length entries),
/// relative to `baseDir`.
Expected<std::vector<uint8_t>> readExternalData(const onnx::TensorProto &proto,
                                                StringRef baseDir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : proto.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      char *end = nullptr;
      long long v = std::strtoll(entry.value().c_str(), &end, 10);
      if (end == entry.value().c_str() || *end != '\0' || v < 0)
        return makeError(tensorLabel(proto) + ": invalid external data " +
                         entry.key() + " '" + entry.value() + "'");
      (entry.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return makeError(tensorLabel(proto) + ": external data without a location");
  if (llvm::sys::path::is_absolute(location))
    return makeError(tensorLabel(proto) + ": external data location '" +
                     location + "' must be relative to the model");
  llvm::SmallString<256> file(baseDir);
  llvm::sys::path::append(file, location);
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(tensorLabel(proto) + ": cannot read external data '" +
                     file.str() + "': " + buffer.getError().message());
  int64_t size = (*buffer)->getBufferSize();
  if (length < 0)
    length = size - offset;
  if (offset > size || length > size - offset)
    return makeError(tensorLabel(proto) + ": external data '" + file.str() +
                     "' is too short (" + llvm::Twine(size) +
                     " bytes, the tensor needs " +
                     llvm::Twine(offset + length) + ")");
  const auto *begin =
      reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()) + offset;
  return std::vector<uint8_t>(begin, begin + length);
}

/// The tensor's elements as little-endian bytes of its own element type,
/// whichever field of the proto holds them.
Expected<std::vector<uint8_t>> tensorBytes(const onnx::TensorProto &proto,
                                           StringRef baseDir, int64_t numel) {
  int32_t type = proto.data_type();
  size_t size = elementSize(type);
  if (size == 0)
    return makeError(tensorLabel(proto) + " has unsupported element type " +
                     dataTypeName(type));
  std::vector<uint8_t> bytes;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    auto data = readExternalData(proto, baseDir);
    if (!data)
      return data.takeError();
    bytes = std::move(*data);
  } else if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    bytes.assign(raw.begin(), raw.end());
  } else {
    switch (type) {
    case onnx::TensorProto::FLOAT:
      for (float v : proto.float_data())
        appendBytes(bytes, v);
      break;
    case onnx::TensorProto::DOUBLE:
      for (double v : proto.double_data())
        appendBytes(bytes, v);
      break;
    case onnx::TensorProto::INT64:
      for (int64_t v : proto.int64_data())
        appendBytes(bytes, v);
      break;
    case onnx::TensorProto::UINT32:
      for (uint64_t v : proto.uint64_data())
        appendBytes(bytes, static_cast<uint32_t>(v));
      break;
    case onnx::TensorProto::UINT64:
      for (uint64_t v : proto.uint64_data())
        appendBytes(bytes, v);
      break;
    case onnx::TensorProto::INT32:
      for (int32_t v : proto.int32_data())
        appendBytes(bytes, v);
      break;
    case onnx::TensorProto::INT16:
      for (int32_t v : proto.int32_data())
        appendBytes(bytes, static_cast<int16_t>(v));
      break;
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      // Half types keep their bit patterns in int32_data.
      for (int32_t v : proto.int32_data())
        appendBytes(bytes, static_cast<uint16_t>(v));
      break;
    case onnx::TensorProto::INT8:
      for (int32_t v : proto.int32_data())
        appendBytes(bytes, static_cast<int8_t>(v));
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      for (int32_t v : proto.int32_data())
        appendBytes(bytes, static_cast<uint8_t>(v));
      break;
    default:
      break;
    }
  }
  // Checked against the data present, never allocated from the dims: a
  // corrupt file can claim any size.
  if (bytes.size() % size != 0 ||
      bytes.size() / size != static_cast<size_t>(numel))
    return makeError(tensorLabel(proto) + " has " +
                     llvm::Twine(bytes.size() / size) + " elements of data " +
                     "but its shape needs " + llvm::Twine(numel));
  return bytes;
}

Expected<int64_t> checkedNumel(const onnx::TensorProto &proto) {
  int64_t numel = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0 || (d > 0 && numel > INT64_MAX / d))
      return makeError(tensorLabel(proto) + " has an invalid dim " +
                       llvm::Twine(d));
    numel *= d;
  }
  return numel;
}

} // namespace

//===----------------------------------------------------------------------===//
// ConstTensor
//===----------------------------------------------------------------------===//

bool isFloatDataType(int32_t dataType) {
  return dataType == onnx::TensorProto::FLOAT ||
         dataType == onnx::TensorProto::DOUBLE ||
         dataType == onnx::TensorProto::FLOAT16 ||
         dataType == onnx::TensorProto::BFLOAT16;
}

bool isIntegerDataType(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return true;
  default:
    return false;
  }
}

std::string dataTypeName(int32_t dataType) {
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "type " + std::to_string(dataType);
}

int64_t ConstTensor::numel() const {
  return isFloat() ? static_cast<int64_t>(floats.size())
                   : static_cast<int64_t>(ints.size());
}

double ConstTensor::getDouble(int64_t index) const {
  return isFloat() ? static_cast<double>(floats[index])
                   : static_cast<double>(ints[index]);
}

int64_t ConstTensor::getInt(int64_t index) const {
  if (!isFloat())
    return ints[index];
  float v = floats[index];
  if (!(std::fabs(v) < 9.2e18f))
    return v < 0 ? INT64_MIN : INT64_MAX;
  return static_cast<int64_t>(v);
}

std::vector<float> ConstTensor::toFloats() const {
  if (isFloat())
    return floats;
  return std::vector<float>(ints.begin(), ints.end());
}

std::vector<int64_t> ConstTensor::toInts() const {
  if (!isFloat())
    return ints;
  std::vector<int64_t> result;
  result.reserve(floats.size());
  for (size_t i = 0; i < floats.size(); ++i)
    result.push_back(getInt(i));
  return result;
}

ConstTensor ConstTensor::fromInts(std::vector<int64_t> shape,
                                  std::vector<int64_t> values,
                                  int32_t dataType) {
  ConstTensor t;
  t.dataType = dataType;
  t.shape = std::move(shape);
  t.ints = std::move(values);
  return t;
}

ConstTensor ConstTensor::fromFloats(std::vector<int64_t> shape,
                                    std::vector<float> values,
                                    int32_t dataType) {
  ConstTensor t;
  t.dataType = dataType;
  t.shape = std::move(shape);
  t.floats = std::move(values);
  return t;
}

Expected<ConstTensor> tensorFromProto(const onnx::TensorProto &proto,
                                      StringRef baseDir) {
  auto numel = checkedNumel(proto);
  if (!numel)
    return numel.takeError();
  auto bytes = tensorBytes(proto, baseDir, *numel);
  if (!bytes)
    return bytes.takeError();
  ConstTensor t;
  t.dataType = proto.data_type();
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  const uint8_t *p = bytes->data();
  auto decodeFloats = [&](auto convert, size_t size) {
    t.floats.resize(*numel);
    for (int64_t i = 0; i < *numel; ++i)
      t.floats[i] = convert(p + i * size);
  };
  auto decodeInts = [&](auto convert, size_t size) {
    t.ints.resize(*numel);
    for (int64_t i = 0; i < *numel; ++i)
      t.ints[i] = convert(p + i * size);
  };
  switch (t.dataType) {
  case onnx::TensorProto::FLOAT:
    t.floats.resize(*numel);
    if (*numel)
      std::memcpy(t.floats.data(), p, *numel * sizeof(float));
    break;
  case onnx::TensorProto::DOUBLE:
    decodeFloats(
        [](const uint8_t *q) { return static_cast<float>(loadAs<double>(q)); },
        8);
    break;
  case onnx::TensorProto::FLOAT16:
    decodeFloats(
        [](const uint8_t *q) { return halfToFloat(loadAs<uint16_t>(q)); }, 2);
    break;
  case onnx::TensorProto::BFLOAT16:
    decodeFloats(
        [](const uint8_t *q) { return bf16ToFloat(loadAs<uint16_t>(q)); }, 2);
    break;
  case onnx::TensorProto::INT64:
    decodeInts([](const uint8_t *q) { return loadAs<int64_t>(q); }, 8);
    break;
  case onnx::TensorProto::UINT64:
    decodeInts(
        [](const uint8_t *q) {
          return static_cast<int64_t>(
              std::min<uint64_t>(loadAs<uint64_t>(q), INT64_MAX));
        },
        8);
    break;
  case onnx::TensorProto::INT32:
    decodeInts([](const uint8_t *q) { return int64_t(loadAs<int32_t>(q)); }, 4);
    break;
  case onnx::TensorProto::UINT32:
    decodeInts([](const uint8_t *q) { return int64_t(loadAs<uint32_t>(q)); },
               4);
    break;
  case onnx::TensorProto::INT16:
    decodeInts([](const uint8_t *q) { return int64_t(loadAs<int16_t>(q)); }, 2);
    break;
  case onnx::TensorProto::UINT16:
    decodeInts([](const uint8_t *q) { return int64_t(loadAs<uint16_t>(q)); },
               2);
    break;
  case onnx::TensorProto::INT8:
    decodeInts([](const uint8_t *q) { return int64_t(loadAs<int8_t>(q)); }, 1);
    break;
  case onnx::TensorProto::UINT8:
    decodeInts([](const uint8_t *q) { return int64_t(*q); }, 1);
    break;
  case onnx::TensorProto::BOOL:
    decodeInts([](const uint8_t *q) { return int64_t(*q != 0); }, 1);
    break;
  default:
    return makeError(tensorLabel(proto) + " has unsupported element type " +
                     dataTypeName(t.dataType));
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Model loading
//===----------------------------------------------------------------------===//

Expected<std::unique_ptr<OnnxModel>> loadOnnxModel(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  auto model = std::make_unique<OnnxModel>();
  model->path = path.str();
  model->baseDir = llvm::sys::path::parent_path(path).str();
  StringRef data = (*buffer)->getBuffer();
  if (data.size() > static_cast<size_t>(INT_MAX))
    return makeError(path + ": larger than 2 GB; store the weights as "
                            "external data");
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(data.data()),
      static_cast<int>(data.size()));
  stream.SetTotalBytesLimit(INT_MAX);
  if (!model->proto.ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage())
    return makeError(path + ": not a valid ONNX model (the file is truncated "
                            "or not in ONNX protobuf format)");
  const onnx::ModelProto &proto = model->proto;
  if (proto.ir_version() <= 0 || !proto.has_graph())
    return makeError(path + ": not a valid ONNX model (no IR version or "
                            "graph)");
  if (proto.ir_version() < 3 || proto.ir_version() > 10)
    return makeError(path + ": ONNX IR version " +
                     llvm::Twine(proto.ir_version()) +
                     " is not supported (3 to 10 are)");
  for (const auto &opset : proto.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      model->opset = opset.version();
  if (model->opset == 0)
    return makeError(path + ": the model imports no ai.onnx opset");
  if (model->opset < 7 || model->opset > 21)
    return makeError(path + ": ai.onnx opset " + llvm::Twine(model->opset) +
                     " is not supported (7 to 21 are)");
  return model;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeAttributes::find(StringRef name) const {
  for (const auto &attr : node_.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeAttributes::getInt(StringRef name, int64_t defaultValue) const {
  const auto *attr = find(name);
  return attr ? attr->i() : defaultValue;
}

float NodeAttributes::getFloat(StringRef name, float defaultValue) const {
  const auto *attr = find(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeAttributes::getString(StringRef name,
                                      StringRef defaultValue) const {
  const auto *attr = find(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<std::vector<int64_t>>
NodeAttributes::getInts(StringRef name) const {
  const auto *attr = find(name);
  if (!attr)
    return std::nullopt;
  return std::vector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<std::vector<float>>
NodeAttributes::getFloats(StringRef name) const {
  const auto *attr = find(name);
  if (!attr)
    return std::nullopt;
  return std::vector<float>(attr->floats().begin(), attr->floats().end());
}

const onnx::TensorProto *NodeAttributes::getTensor(StringRef name) const {
  const auto *attr = find(name);
  return attr && attr->has_t() ? &attr->t() : nullptr;
}

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

std::optional<int64_t> normalizeAxisValue(int64_t axis, int64_t rank) {
  int64_t norm = axis < 0 ? axis + rank : axis;
  if (norm < 0 || norm >= rank)
    return std::nullopt;
  return norm;
}

bool completeSliceArgs(const std::vector<int64_t> &starts,
                       const std::vector<int64_t> &ends,
                       std::vector<int64_t> &axes,
                       std::vector<int64_t> &steps) {
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  return ends.size() == starts.size() && axes.size() == starts.size() &&
         steps.size() == starts.size();
}

std::optional<std::vector<int64_t>> broadcastStatic(llvm::ArrayRef<int64_t> a,
                                                    llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x == y || y == 1)
      out[i] = x;
    else if (x == 1)
      out[i] = y;
    else
      return std::nullopt;
  }
  return out;
}

int64_t productOf(llvm::ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

} // namespace tpuc::onnx_import

//===----------------------------------------------------------------------===//
// Public: TensorProto files
//===----------------------------------------------------------------------===//

namespace tpuc {

Expected<NpyArray> readTensorProtoFile(StringRef path, std::string &name) {
  using namespace onnx_import;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  onnx::TensorProto proto;
  if (data.size() > static_cast<size_t>(INT_MAX) ||
      !proto.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return makeError(path + ": not a serialized ONNX TensorProto");
  name = proto.name();
  auto numel = checkedNumel(proto);
  if (!numel)
    return makeError(path + ": " + llvm::toString(numel.takeError()));
  NpyArray array;
  array.shape.assign(proto.dims().begin(), proto.dims().end());
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    array.dtype = DType::F32;
    break;
  case onnx::TensorProto::DOUBLE:
    array.dtype = DType::F64;
    break;
  case onnx::TensorProto::FLOAT16:
    array.dtype = DType::F16;
    break;
  case onnx::TensorProto::INT8:
    array.dtype = DType::I8;
    break;
  case onnx::TensorProto::UINT8:
    array.dtype = DType::U8;
    break;
  case onnx::TensorProto::INT16:
    array.dtype = DType::I16;
    break;
  case onnx::TensorProto::UINT16:
    array.dtype = DType::U16;
    break;
  case onnx::TensorProto::INT32:
    array.dtype = DType::I32;
    break;
  case onnx::TensorProto::INT64:
    array.dtype = DType::I64;
    break;
  case onnx::TensorProto::BOOL:
    array.dtype = DType::Bool;
    break;
  default: {
    // Types numpy files cannot hold (bfloat16, unsigned 32/64-bit) are
    // converted by value to float32.
    auto tensor = tensorFromProto(proto, llvm::sys::path::parent_path(path));
    if (!tensor)
      return makeError(path + ": " + llvm::toString(tensor.takeError()));
    return NpyArray::fromFloat(tensor->toFloats(), tensor->shape);
  }
  }
  auto bytes = tensorBytes(proto, llvm::sys::path::parent_path(path), *numel);
  if (!bytes)
    return makeError(path + ": " + llvm::toString(bytes.takeError()));
  array.bytes = std::move(*bytes);
  return array;
}

} // namespace tpuc
