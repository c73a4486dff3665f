// Copyright ptser authors.
//
// The C++ side of the interop tests (tests/interop/interop_test.py), which
// run it against files real PyTorch writes and then load what it writes with
// real PyTorch:
//
//   interop_tool resave IN OUT [--legacy] [--compact] [--mmap]
//       ptser::Load(IN) then ptser::Save(OUT)
//   interop_tool describe IN
//       one JSON object per tensor, in traversal order: path, dtype, sizes,
//       strides, offset, storage (index of first appearance), storage_nbytes,
//       requires_grad, is_parameter, values (flattened, as numbers)
//   interop_tool notes OUT_DIR
//       the serialization note's examples, built in C++ and saved for torch
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "tensor/factories.h"
#include "tensor/half.h"
#include "tensor/views.h"

namespace ptser {
namespace {

double ElementAsDouble(const Tensor& t, int64_t storage_index) {
  const char* base = static_cast<const char*>(t.storage().data());
  const char* p = base + storage_index * static_cast<int64_t>(t.itemsize());
  switch (t.dtype()) {
    case ScalarType::kFloat: return *reinterpret_cast<const float*>(p);
    case ScalarType::kDouble: return *reinterpret_cast<const double*>(p);
    case ScalarType::kHalf: return LoadHalf(p);
    case ScalarType::kBFloat16: return LoadBFloat16(p);
    case ScalarType::kChar: return *reinterpret_cast<const int8_t*>(p);
    case ScalarType::kByte: return *reinterpret_cast<const uint8_t*>(p);
    case ScalarType::kShort: return *reinterpret_cast<const int16_t*>(p);
    case ScalarType::kInt: return *reinterpret_cast<const int32_t*>(p);
    case ScalarType::kLong: return static_cast<double>(*reinterpret_cast<const int64_t*>(p));
    case ScalarType::kBool: return *reinterpret_cast<const uint8_t*>(p) != 0;
    case ScalarType::kComplexFloat: return *reinterpret_cast<const float*>(p);  // real part
    case ScalarType::kComplexDouble: return *reinterpret_cast<const double*>(p);
    default: return *reinterpret_cast<const uint8_t*>(p);
  }
}

void FlattenValues(const Tensor& t, int64_t dim, int64_t index, nlohmann::json* out) {
  if (dim == t.dim()) {
    out->push_back(ElementAsDouble(t, index));
    return;
  }
  for (int64_t i = 0; i < t.sizes()[dim]; ++i) {
    FlattenValues(t, dim + 1, index + i * t.strides()[dim], out);
  }
}

class Describer {
 public:
  void Walk(const Value& v, const std::string& path) {
    switch (v.kind()) {
      case Value::Kind::kTensor: {
        const Tensor& t = v.tensor();
        nlohmann::json j;
        j["path"] = path;
        j["dtype"] = std::string(DtypeName(t.dtype()));
        j["sizes"] = t.sizes();
        j["strides"] = t.strides();
        j["offset"] = t.storage_offset();
        auto [it, inserted] = storages_.emplace(t.storage().id(), storages_.size());
        j["storage"] = it->second;
        j["storage_nbytes"] = t.storage().nbytes();
        j["requires_grad"] = t.requires_grad();
        j["is_parameter"] = t.is_parameter();
        nlohmann::json values = nlohmann::json::array();
        if (t.numel() > 0) FlattenValues(t, 0, t.storage_offset(), &values);
        j["values"] = values;
        std::cout << j.dump() << "\n";
        return;
      }
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        const absl::Span<const Value> items = v.sequence_items();
        for (size_t i = 0; i < items.size(); ++i) Walk(items[i], absl::StrCat(path, "/", i));
        return;
      }
      case Value::Kind::kDict:
        for (const auto& item : v.dict().items()) {
          Walk(item.value, absl::StrCat(path, "/", item.key.is_str() ? item.key.as_string()
                                                                     : item.key.Repr()));
        }
        return;
      default:
        return;
    }
  }

 private:
  std::map<const void*, size_t> storages_;
};

absl::Status Notes(const std::string& dir) {
  // torch.save(tensor([1., 2.]), 'tensor.pt')
  PTSER_ASSIGN_OR_RETURN(Tensor t, MakeTensor<float>({1.f, 2.f}));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(t), dir + "/tensor.pt"));
  // numbers = arange(1, 10); evens = numbers[1::2]; save both; evens *= 2 on load.
  PTSER_ASSIGN_OR_RETURN(Tensor numbers, Arange(Scalar(int64_t{1}), Scalar(int64_t{10})));
  PTSER_ASSIGN_OR_RETURN(Tensor evens, Slice(numbers, 0, 1, 10, 2));
  PTSER_RETURN_IF_ERROR(Save(Value::NewList({Value::FromTensor(numbers), Value::FromTensor(evens)}),
                             dir + "/tensors.pt"));
  // small = arange(1, 1000)[0:5]: the whole storage, the clone, and compact.
  PTSER_ASSIGN_OR_RETURN(Tensor large, Arange(Scalar(int64_t{1}), Scalar(int64_t{1000})));
  PTSER_ASSIGN_OR_RETURN(Tensor small, Slice(large, 0, 0, 5, 1));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(small), dir + "/small.pt"));
  PTSER_ASSIGN_OR_RETURN(Tensor cloned, Clone(small));
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(cloned), dir + "/small_clone.pt"));
  SaveOptions compact;
  compact.compact = true;
  PTSER_RETURN_IF_ERROR(Save(Value::FromTensor(small), dir + "/small_compact.pt", compact));
  return absl::OkStatus();
}

int Run(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: interop_tool resave|describe|notes ...\n";
    return 2;
  }
  const std::string cmd = argv[1];
  absl::Status status;
  if (cmd == "resave" && argc >= 4) {
    SaveOptions save;
    LoadOptions load;
    for (int i = 4; i < argc; ++i) {
      std::string flag = argv[i];
      if (flag == "--legacy") save.format = SaveOptions::Format::kLegacy;
      if (flag == "--compact") save.compact = true;
      if (flag == "--mmap") load.mmap = true;
    }
    absl::StatusOr<Value> v = Load(argv[2], load);
    status = v.ok() ? Save(*v, argv[3], save) : v.status();
  } else if (cmd == "describe") {
    absl::StatusOr<Value> v = Load(argv[2]);
    if (v.ok()) Describer().Walk(*v, "");
    status = v.status();
  } else if (cmd == "notes") {
    status = Notes(argv[2]);
  } else {
    std::cerr << "unknown command " << cmd << "\n";
    return 2;
  }
  if (!status.ok()) {
    std::cerr << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ptser

int main(int argc, char** argv) { return ptser::Run(argc, argv); }
