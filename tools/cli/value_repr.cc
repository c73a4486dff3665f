// Copyright ptser authors.
#include "tools/cli/value_repr.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tensor/print/repr.h"

namespace ptser {
namespace cli {
namespace {

std::string Repr(const Value& v, int depth) {
  if (depth > 100) return "...";
  switch (v.kind()) {
    case Value::Kind::kTensor:
      return ::ptser::Repr(v.tensor());
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      const absl::Span<const Value> items = v.sequence_items();
      std::string out = v.is_list() ? "[" : "(";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += Repr(items[i], depth + 1);
      }
      if (v.is_tuple() && items.size() == 1) out += ",";
      return out + (v.is_list() ? "]" : ")");
    }
    case Value::Kind::kDict: {
      if (v.dict().is_ordered_dict()) break;  // OrderedDict([...]) form: Value::Repr
      std::string out = "{";
      bool first = true;
      for (const auto& item : v.dict().items()) {
        if (!first) out += ", ";
        first = false;
        absl::StrAppend(&out, Repr(item.key, depth + 1), ": ", Repr(item.value, depth + 1));
      }
      return out + "}";
    }
    default:
      break;
  }
  return v.Repr();
}

}  // namespace

std::string ReprWithTensors(const Value& value) { return Repr(value, 0); }

}  // namespace cli
}  // namespace ptser
