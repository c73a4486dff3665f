// Copyright ptser authors.
//
// The checked reads of pickle/value.h: ToInt() ... ToDict(), At/AtPath,
// Get<T>, and the messages of the throwing accessors.
#include <algorithm>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "pickle/value.h"

namespace ptser {
namespace {

// Keys and reprs in messages are cut at this many characters.
constexpr size_t kKeyChars = 80;

std::string KeyRepr(absl::string_view key) {
  return Value::Str(std::string(key)).Repr(kKeyChars);
}

}  // namespace

BadValueKind::BadValueKind(absl::string_view expected, absl::string_view got) {
  const std::string text = absl::StrCat("ptser::Value: expected ", expected, ", got ", got);
  const size_t n = std::min(text.size(), sizeof(message_) - 1);
  std::memcpy(message_, text.data(), n);
  message_[n] = '\0';
}

void Value::ThrowBadKind(const char* expected) const {
  throw BadValueKind(expected, TypeName());
}

std::string ValuePathKey::ToString() const {
  return is_index_ ? absl::StrCat("[", index_, "]") : absl::StrCat("[", KeyRepr(key_), "]");
}

std::string PathToString(absl::Span<const ValuePathKey> path) {
  if (path.empty()) return "the top level";
  std::string out;
  for (const ValuePathKey& k : path) absl::StrAppend(&out, k.ToString());
  return out;
}

absl::Status Value::KindError(absl::string_view expected,
                              absl::Span<const ValuePathKey> path) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "expected ", expected, path.empty() ? "" : " at ", path.empty() ? "" : PathToString(path),
      ", got ", TypeName()));
}

absl::StatusOr<bool> Value::ToBool() const {
  if (!is_bool()) return KindError("bool");
  return rep_.b;
}

absl::StatusOr<int64_t> Value::ToInt() const {
  if (kind_ == Kind::kBigInt) {
    return absl::OutOfRangeError(absl::StrCat("expected int in 64 bits, got the int ",
                                              Repr(kMessageReprChars), " (as_bigint() has it)"));
  }
  if (!is_int()) return KindError("int");
  return rep_.i;
}

absl::StatusOr<double> Value::ToDouble() const {
  if (!is_float()) return KindError("float");
  return rep_.f;
}

absl::StatusOr<std::string> Value::ToStr() const {
  if (!is_str()) return KindError("str");
  return Held<std::string>();
}

absl::StatusOr<Tensor> Value::ToTensor() const {
  if (!is_tensor()) return KindError("Tensor");
  return Held<Tensor>();
}

absl::StatusOr<Value::List*> Value::ToList() const {
  if (!is_list()) return KindError("list");
  return &Held<List>();
}

absl::StatusOr<const Value::Tuple*> Value::ToTuple() const {
  if (!is_tuple()) return KindError("tuple");
  return rep_.tuple;
}

absl::StatusOr<Value::Dict*> Value::ToDict() const {
  if (!is_dict()) return KindError("dict");
  return &Held<Dict>();
}

absl::StatusOr<Value> Value::AtPath(absl::Span<const ValuePathKey> path) const {
  Value current = *this;
  for (size_t depth = 0; depth < path.size(); ++depth) {
    const ValuePathKey& key = path[depth];
    const absl::Span<const ValuePathKey> where = path.subspan(0, depth);
    if (current.is_dict()) {
      const Dict& d = current.dict();
      const Value* found =
          key.is_index() ? d.Find(Value::Int(key.index())) : d.Find(key.key());
      if (found == nullptr) {
        return absl::NotFoundError(absl::StrCat(
            "no key ", key.is_index() ? absl::StrCat(key.index()) : KeyRepr(key.key()),
            " in the ", current.TypeName(), " at ", PathToString(where), " (", d.size(),
            d.size() == 1 ? " key)" : " keys)"));
      }
      current = *found;
      continue;
    }
    if (key.is_index() && current.is_sequence()) {
      absl::Span<const Value> items = current.sequence_items();
      const int64_t n = static_cast<int64_t>(items.size());
      const int64_t i = key.index() < 0 ? key.index() + n : key.index();
      if (i < 0 || i >= n) {
        return absl::OutOfRangeError(absl::StrCat(
            "index ", key.index(), " is out of range for the ", current.TypeName(), " of ", n,
            n == 1 ? " item" : " items", " at ", PathToString(where)));
      }
      current = items[static_cast<size_t>(i)];
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "expected ", key.is_index() ? "list, tuple or dict" : "dict", " at ",
        PathToString(where), " to look up ", key.ToString(), ", got ", current.TypeName()));
  }
  return current;
}

Value* Value::Dict::FindMutable(absl::string_view str_key) {
  return FindMutable(Value::Str(std::string(str_key)));
}

}  // namespace ptser
