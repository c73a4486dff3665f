// Copyright ptser authors.
#include "archive/safetensors.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "tensor/views.h"

namespace ptser {
namespace {

struct DtypeNameEntry {
  ScalarType dtype;
  const char* name;
};

// The names of the safetensors specification.
constexpr DtypeNameEntry kDtypeNames[] = {
    {ScalarType::kBool, "BOOL"},          {ScalarType::kByte, "U8"},
    {ScalarType::kChar, "I8"},            {ScalarType::kShort, "I16"},
    {ScalarType::kUInt16, "U16"},         {ScalarType::kInt, "I32"},
    {ScalarType::kUInt32, "U32"},         {ScalarType::kLong, "I64"},
    {ScalarType::kUInt64, "U64"},         {ScalarType::kHalf, "F16"},
    {ScalarType::kBFloat16, "BF16"},      {ScalarType::kFloat, "F32"},
    {ScalarType::kDouble, "F64"},         {ScalarType::kFloat8_e4m3fn, "F8_E4M3"},
    {ScalarType::kFloat8_e5m2, "F8_E5M2"}, {ScalarType::kComplexFloat, "C64"},
};

absl::Status Bad(const ByteSource& src, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("'", src.name(), "' (safetensors): ", what));
}

}  // namespace

absl::StatusOr<std::string> SafetensorsDtypeName(ScalarType dtype) {
  for (const auto& e : kDtypeNames) {
    if (e.dtype == dtype) return std::string(e.name);
  }
  return absl::UnimplementedError(
      absl::StrCat("safetensors has no dtype for ", DtypeName(dtype)));
}

absl::StatusOr<ScalarType> ScalarTypeFromSafetensorsName(const std::string& name) {
  for (const auto& e : kDtypeNames) {
    if (name == e.name) return e.dtype;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown safetensors dtype '", name, "'"));
}

// A first pass over the header's JSON, building nothing: how deep it nests
// and how many values it holds, so that the tree built next stays
// proportional to the header (a header of 100 MiB of "1," is 50 M values).
class HeaderShape : public nlohmann::json_sax<nlohmann::json> {
 public:
  // A valid header nests three deep ({name: {"shape": [...]}}).
  static constexpr int kMaxDepth = 64;
  explicit HeaderShape(uint64_t max_values) : max_values_(max_values) {}
  const std::string& error() const { return error_; }

  bool null() override { return Count(); }
  bool boolean(bool) override { return Count(); }
  bool number_integer(number_integer_t) override { return Count(); }
  bool number_unsigned(number_unsigned_t) override { return Count(); }
  bool number_float(number_float_t, const string_t&) override { return Count(); }
  bool string(string_t&) override { return Count(); }
  bool binary(binary_t&) override { return Count(); }
  bool start_object(std::size_t) override { return Enter(); }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool key(string_t&) override { return Count(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    error_ = absl::StrCat("the header is not valid JSON (at byte ", position, ")");
    return false;
  }

 private:
  bool Count() {
    if (++values_ <= max_values_) return true;
    error_ = absl::StrCat("the header holds more than ", max_values_,
                          " JSON values (one per 4 bytes of header at most)");
    return false;
  }
  bool Enter() {
    if (!Count()) return false;
    if (++depth_ <= kMaxDepth) return true;
    error_ = absl::StrCat("the header nests deeper than ", kMaxDepth, " levels");
    return false;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  uint64_t max_values_;
  uint64_t values_ = 0;
  int depth_ = 0;
  std::string error_;
};

absl::StatusOr<Value> LoadSafetensors(std::shared_ptr<const ByteSource> source) {
  const ByteSource& src = *source;
  if (src.size() < 8) return Bad(src, "shorter than the 8-byte header length");
  unsigned char len_bytes[8];
  PTSER_RETURN_IF_ERROR(src.ReadAt(0, 8, len_bytes));
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  if (header_len > src.size() - 8 || header_len > (uint64_t{100} << 20)) {
    return Bad(src, absl::StrCat("header length ", header_len, " does not fit the file (",
                                 src.size(), " bytes) or exceeds 100 MiB"));
  }
  std::string text(header_len, '\0');
  PTSER_RETURN_IF_ERROR(src.ReadAt(8, header_len, text.data()));
  HeaderShape shape(1024 + header_len / 4);
  if (!nlohmann::json::sax_parse(text, &shape)) return Bad(src, shape.error());
  nlohmann::json header = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return Bad(src, "the header is not a JSON object");
  }
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = src.size() - data_start;
  struct Entry {
    std::string name;
    ScalarType dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const nlohmann::json& info = it.value();
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info["shape"].is_array() || !info.contains("data_offsets") ||
        !info["data_offsets"].is_array() || info["data_offsets"].size() != 2) {
      return Bad(src, absl::StrCat("tensor '", it.key(), "' lacks dtype, shape or data_offsets"));
    }
    Entry e;
    e.name = it.key();
    PTSER_ASSIGN_OR_RETURN(e.dtype, ScalarTypeFromSafetensorsName(info["dtype"].get<std::string>()));
    uint64_t numel = 1;
    for (const auto& d : info["shape"]) {
      if (!d.is_number_unsigned()) return Bad(src, absl::StrCat("tensor '", e.name, "': bad shape"));
      const uint64_t n = d.get<uint64_t>();
      if (n > (uint64_t{1} << 48) || (n != 0 && numel > (uint64_t{1} << 48) / n)) {
        return Bad(src, absl::StrCat("tensor '", e.name, "': shape too large"));
      }
      numel *= n;
      e.shape.push_back(static_cast<int64_t>(n));
    }
    if (!info["data_offsets"][0].is_number_unsigned() ||
        !info["data_offsets"][1].is_number_unsigned()) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': bad data_offsets"));
    }
    e.begin = info["data_offsets"][0].get<uint64_t>();
    e.end = info["data_offsets"][1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': data_offsets [", e.begin, ", ", e.end,
                                   ") outside the ", data_size, " data bytes"));
    }
    if (e.end - e.begin != numel * ElementSize(e.dtype)) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': ", e.end - e.begin,
                                   " bytes for a shape of ", numel, " elements"));
    }
    entries.push_back(std::move(e));
  }
  // No two tensors may overlap.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    if (by_offset[i]->begin < by_offset[i - 1]->end) {
      return Bad(src, absl::StrCat("tensors '", by_offset[i - 1]->name, "' and '",
                                   by_offset[i]->name, "' overlap"));
    }
  }
  // Tensors in file order (the JSON object's key order is not kept by nlohmann).
  Value sd = Value::NewOrderedDict();
  for (const Entry* e : by_offset) {
    PTSER_ASSIGN_OR_RETURN(Storage s, src.StorageAt(data_start + e->begin, e->end - e->begin));
    PTSER_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(s, e->dtype, 0, e->shape,
                                                  Tensor::ContiguousStrides(e->shape)));
    PTSER_RETURN_IF_ERROR(sd.dict().SetItem(Value::Str(e->name), Value::FromTensor(t)));
  }
  return sd;
}

absl::Status SaveSafetensors(const Value& state_dict, ByteSink* sink,
                             SafetensorsSaveReport* report) {
  if (!state_dict.is_dict()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "safetensors holds a dict of tensors, not a ", state_dict.TypeName()));
  }
  nlohmann::json header = nlohmann::json::object();
  std::vector<Tensor> contiguous;
  std::vector<std::string> names;
  absl::flat_hash_map<const void*, int> storage_uses;
  for (const auto& item : state_dict.dict().items()) {
    if (item.value.is_tensor()) ++storage_uses[item.value.tensor().storage().id()];
  }
  uint64_t offset = 0;
  for (const auto& item : state_dict.dict().items()) {
    if (!item.key.is_str()) {
      return absl::InvalidArgumentError(
          absl::StrCat("safetensors keys are str; ", item.key.Repr(Value::kMessageReprChars), " is not"));
    }
    const std::string& name = item.key.as_string();
    // The header is JSON text: a name that is not UTF-8 (a str holding a lone
    // surrogate, which torch.load accepts) cannot be written into it.
    try {
      (void)nlohmann::json(name).dump();
    } catch (const nlohmann::json::exception&) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor name '", absl::CHexEscape(name),
          "' is not valid UTF-8 (a lone surrogate?); safetensors names are JSON text"));
    }
    if (name == "__metadata__") {
      return absl::InvalidArgumentError("'__metadata__' is reserved in safetensors");
    }
    if (!item.value.is_tensor()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", name, "' is a ", item.value.TypeName(), "; safetensors holds only tensors"));
    }
    const Tensor& t = item.value.tensor();
    if (!t.device().is_cpu()) {
      return absl::UnimplementedError(absl::StrCat("'", name, "' is not on the CPU"));
    }
    PTSER_ASSIGN_OR_RETURN(std::string dtype, SafetensorsDtypeName(t.dtype()));
    const bool dense = t.is_contiguous() && t.storage_offset() == 0 &&
                       t.storage().nbytes() == static_cast<size_t>(t.numel()) * t.itemsize();
    if (storage_uses[t.storage().id()] > 1 && report != nullptr) report->unshared.push_back(name);
    if (!dense && report != nullptr) report->made_contiguous.push_back(name);
    Tensor c = t;
    if (!t.is_contiguous()) {
      PTSER_ASSIGN_OR_RETURN(c, Contiguous(t));
    }
    const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.itemsize();
    header[name] = {{"dtype", dtype}, {"shape", c.sizes()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    contiguous.push_back(c);
    names.push_back(name);
  }
  std::string text = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned.
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((text.size() >> (8 * i)) & 0xff);
  PTSER_RETURN_IF_ERROR(sink->Write(len, 8));
  PTSER_RETURN_IF_ERROR(sink->Write(text.data(), text.size()));
  for (const Tensor& c : contiguous) {
    const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.itemsize();
    if (nbytes > 0) PTSER_RETURN_IF_ERROR(sink->Write(c.data(), nbytes));
  }
  return absl::OkStatus();
}

}  // namespace ptser
