// Copyright ptser authors.
#include "archive/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/endian.h"
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

// The reference reader's MAX_HEADER_SIZE.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Strict UTF-8 (Rust's str): no overlong forms, surrogates or values past
// U+10FFFF.
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

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
    error_ = absl::StrCat("the header is not valid JSON (at byte ", position,
                          ") (InvalidHeaderDeserialization)");
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

absl::StatusOr<Value> LoadSafetensors(std::shared_ptr<const ByteSource> source,
                                      SafetensorsMetadata* metadata) {
  const ByteSource& src = *source;
  if (metadata != nullptr) metadata->clear();
  // The checks of the reference reader (safetensors' tensor.rs,
  // SafeTensors::read_metadata and Metadata::validate), in its order; each
  // message ends with the name of the reference's error.
  if (src.size() < 8) return Bad(src, "shorter than the 8-byte header length (HeaderTooSmall)");
  unsigned char len_bytes[8];
  PTSER_RETURN_IF_ERROR(src.ReadAt(0, 8, len_bytes));
  const uint64_t header_len = LoadLE64(len_bytes);
  if (header_len > kMaxHeaderBytes) {
    return Bad(src, absl::StrCat("header length ", header_len, " exceeds ", kMaxHeaderBytes,
                                 " bytes (HeaderTooLarge)"));
  }
  if (header_len > src.size() - 8) {
    return Bad(src, absl::StrCat("header length ", header_len, " runs past the end of the ",
                                 src.size(), "-byte file (InvalidHeaderLength)"));
  }
  std::string text(header_len, '\0');
  PTSER_RETURN_IF_ERROR(src.ReadAt(8, header_len, text.data()));
  if (!IsUtf8(text)) return Bad(src, "the header is not UTF-8 (InvalidHeader)");
  HeaderShape shape(1024 + header_len / 4);
  if (!nlohmann::json::sax_parse(text, &shape)) return Bad(src, shape.error());
  nlohmann::json header = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return Bad(src, "the header is not a JSON object (InvalidHeaderDeserialization)");
  }
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_size = src.size() - data_start;
  struct Entry {
    std::string name;
    ScalarType dtype;
    std::vector<uint64_t> dims;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  auto malformed = [&src](const std::string& what) {
    return Bad(src, absl::StrCat(what, " (InvalidHeaderDeserialization)"));
  };
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      // The reference's Option<HashMap<String, String>>: null, or str -> str.
      const nlohmann::json& m = it.value();
      if (m.is_null()) continue;
      if (!m.is_object()) return malformed("__metadata__ is not an object");
      for (auto kv = m.begin(); kv != m.end(); ++kv) {
        if (!kv.value().is_string()) {
          return malformed(absl::StrCat("__metadata__ value of '", kv.key(), "' is a ",
                                        kv.value().type_name(), ", not a str"));
        }
        if (metadata != nullptr) (*metadata)[kv.key()] = kv.value().get<std::string>();
      }
      continue;
    }
    const nlohmann::json& info = it.value();
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info["shape"].is_array() || !info.contains("data_offsets") ||
        !info["data_offsets"].is_array() || info["data_offsets"].size() != 2) {
      return malformed(absl::StrCat("tensor '", it.key(), "' lacks dtype, shape or data_offsets"));
    }
    Entry e;
    e.name = it.key();
    absl::StatusOr<ScalarType> dtype =
        ScalarTypeFromSafetensorsName(info["dtype"].get<std::string>());
    if (!dtype.ok()) {
      return malformed(absl::StrCat("tensor '", e.name, "': ", dtype.status().message()));
    }
    e.dtype = *dtype;
    for (const auto& d : info["shape"]) {
      if (!d.is_number_unsigned()) {
        return malformed(absl::StrCat("tensor '", e.name, "': a dimension is not a non-negative "
                                      "integer"));
      }
      e.dims.push_back(d.get<uint64_t>());
    }
    if (!info["data_offsets"][0].is_number_unsigned() ||
        !info["data_offsets"][1].is_number_unsigned()) {
      return malformed(absl::StrCat("tensor '", e.name,
                                    "': data_offsets are not non-negative integers"));
    }
    e.begin = info["data_offsets"][0].get<uint64_t>();
    e.end = info["data_offsets"][1].get<uint64_t>();
    entries.push_back(std::move(e));
  }
  // Metadata::validate: in offset order, the tensors tile the data exactly,
  // from 0, without gaps or overlaps, each exactly its shape's bytes...
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected_begin = 0;
  for (const Entry& e : entries) {
    if (e.begin != expected_begin || e.end < e.begin) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': data_offsets [", e.begin, ", ", e.end,
                                   ") do not start where the previous tensor ends (",
                                   expected_begin, ") (InvalidOffset)"));
    }
    expected_begin = e.end;
    uint64_t numel = 1;
    for (uint64_t d : e.dims) {
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / d) {
        return Bad(src, absl::StrCat("tensor '", e.name, "': its shape's element count "
                                     "overflows (ValidationOverflow)"));
      }
      numel *= d;
    }
    const uint64_t itemsize = ElementSize(e.dtype);
    if (numel > std::numeric_limits<uint64_t>::max() / itemsize) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': its byte size overflows "
                                   "(ValidationOverflow)"));
    }
    if (e.end - e.begin != numel * itemsize) {
      return Bad(src, absl::StrCat("tensor '", e.name, "': ", e.end - e.begin,
                                   " bytes for a shape of ", numel, " ", DtypeName(e.dtype),
                                   " elements (TensorInvalidInfo)"));
    }
  }
  // ... and the last one ends where the file does.
  if (expected_begin != data_size) {
    return Bad(src, absl::StrCat("the tensors cover ", expected_begin, " of the ", data_size,
                                 " data bytes (at file offset ", data_start,
                                 "); the data must end with the last tensor "
                                 "(MetadataIncompleteBuffer)"));
  }
  // Tensors in file order (nlohmann does not keep the JSON object's order).
  Value sd = Value::NewOrderedDict();
  for (const Entry& e : entries) {
    std::vector<int64_t> shape;
    for (uint64_t d : e.dims) {
      if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Bad(src, absl::StrCat("tensor '", e.name, "': dimension ", d, " is too large"));
      }
      shape.push_back(static_cast<int64_t>(d));
    }
    PTSER_ASSIGN_OR_RETURN(Storage s, src.StorageAt(data_start + e.begin, e.end - e.begin));
    PTSER_ASSIGN_OR_RETURN(Tensor t, Tensor::Make(s, e.dtype, 0, shape,
                                                  Tensor::ContiguousStrides(shape)));
    PTSER_RETURN_IF_ERROR(sd.dict().SetItem(Value::Str(e.name), Value::FromTensor(t)));
  }
  return sd;
}

absl::Status SaveSafetensors(const Value& state_dict, ByteSink* sink,
                             SafetensorsSaveReport* report,
                             const SafetensorsMetadata& metadata) {
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
  if (!metadata.empty()) {
    // `__metadata__` first, as the reference writer puts it.
    const std::string meta =
        absl::StrCat("{\"__metadata__\":", nlohmann::json(metadata).dump());
    text = header.empty() ? meta + "}" : meta + "," + text.substr(1);
  }
  // Pad the header with spaces so the data starts 8-byte aligned.
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');
  unsigned char len[8];
  StoreLE64(len, text.size());
  PTSER_RETURN_IF_ERROR(sink->Write(len, 8));
  PTSER_RETURN_IF_ERROR(sink->Write(text.data(), text.size()));
  for (const Tensor& c : contiguous) {
    const uint64_t nbytes = static_cast<uint64_t>(c.numel()) * c.itemsize();
    if (nbytes > 0) PTSER_RETURN_IF_ERROR(sink->Write(c.data(), nbytes));
  }
  return absl::OkStatus();
}

}  // namespace ptser
