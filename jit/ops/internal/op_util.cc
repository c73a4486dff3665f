// Copyright ptser authors.

#include "jit/ops/internal/op_util.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "jit/ops/internal/schema_type.h"
#include "jit/ops/internal/tensor_text.h"

namespace ptser {
namespace jit {
namespace ops_internal {

absl::Status RegisterAll(OperatorRegistry& registry, std::vector<OpDef> defs) {
  for (OpDef& def : defs) {
    absl::Status s = registry.Register(def.schema, std::move(def.fn));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

Scalar ToScalar(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return Scalar(v.as_bool());
    case Value::Kind::kInt:
      return Scalar(v.as_int());
    case Value::Kind::kFloat:
      return Scalar(v.as_float());
    case Value::Kind::kComplex:
      return Scalar(v.as_complex());
    default:
      return Scalar(int64_t{0});
  }
}

Value FromScalar(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::kBool:
      return Value::Bool(s.to_bool());
    case Scalar::Kind::kInt:
      return Value::Int(s.to_int64());
    case Scalar::Kind::kDouble:
      return Value::Float(s.to_double());
    case Scalar::Kind::kComplex:
      return Value::Complex(s.to_complex());
  }
  return Value();
}

double ToDouble(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return v.as_bool() ? 1.0 : 0.0;
    case Value::Kind::kInt:
      return static_cast<double>(v.as_int());
    case Value::Kind::kFloat:
      return v.as_float();
    default:
      return 0.0;
  }
}

std::vector<int64_t> IntList(const Value& v) {
  std::vector<int64_t> out;
  if (v.is_size()) return v.size();
  for (const Value& item : v.sequence_items()) {
    out.push_back(item.is_int() ? item.as_int() : static_cast<int64_t>(ToDouble(item)));
  }
  return out;
}

std::optional<std::vector<int64_t>> OptionalIntList(const Value& v) {
  if (v.is_none()) return std::nullopt;
  return IntList(v);
}

absl::StatusOr<std::optional<ScalarType>> OptionalDtype(const Value& v) {
  if (v.is_none()) return std::optional<ScalarType>();
  if (v.is_dtype()) return std::optional<ScalarType>(v.dtype());
  absl::StatusOr<ScalarType> t = ScalarTypeFromCode(v.as_int());
  if (!t.ok()) return t.status();
  return std::optional<ScalarType>(*t);
}

namespace {

void AppendScriptStr(const Value& v, std::string* out, int depth) {
  if (depth > 1000) {
    out->append("...");
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNone:
      out->append("None");
      return;
    case Value::Kind::kBool:
      out->append(v.as_bool() ? "True" : "False");
      return;
    case Value::Kind::kInt:
      absl::StrAppend(out, v.as_int());
      return;
    case Value::Kind::kFloat:
      out->append(ScriptFloatStr(v.as_float()));
      return;
    case Value::Kind::kComplex: {
      // c10's printComplex: "1.+2.j", "1.-2.j".
      const std::complex<double> c = v.as_complex();
      out->append(ScriptFloatStr(c.real()));
      if (c.imag() >= 0 || std::isnan(c.imag())) out->push_back('+');
      absl::StrAppend(out, ScriptFloatStr(c.imag()), "j");
      return;
    }
    case Value::Kind::kStr:
      out->append(v.as_string());
      return;
    case Value::Kind::kTensor:
      out->append(LibtorchTensorStr(v.tensor()));
      return;
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      const bool tuple = v.is_tuple();
      absl::Span<const Value> items = v.sequence_items();
      out->push_back(tuple ? '(' : '[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out->append(", ");
        if (out->size() >= kMaxScriptStrBytes) {  // the rest is left out
          out->append("...");
          break;
        }
        AppendScriptStr(items[i], out, depth + 1);
      }
      if (tuple && items.size() == 1) out->push_back(',');
      out->push_back(tuple ? ')' : ']');
      return;
    }
    case Value::Kind::kDict: {
      out->push_back('{');
      bool first = true;
      for (const Value::Dict::Item& item : v.dict().items()) {
        if (!first) out->append(", ");
        first = false;
        if (out->size() >= kMaxScriptStrBytes) {  // the rest is left out
          out->append("...");
          break;
        }
        AppendScriptStr(item.key, out, depth + 1);
        out->append(": ");
        AppendScriptStr(item.value, out, depth + 1);
      }
      out->push_back('}');
      return;
    }
    case Value::Kind::kDevice:
      out->append(v.device().ToString());
      return;
    case Value::Kind::kDtype:
      absl::StrAppend(out, static_cast<int>(v.dtype()));
      return;
    case Value::Kind::kSize: {
      out->push_back('[');
      const std::vector<int64_t>& s = v.size();
      for (size_t i = 0; i < s.size(); ++i) {
        if (i) out->append(", ");
        absl::StrAppend(out, s[i]);
      }
      out->push_back(']');
      return;
    }
    default:
      out->append(v.Repr(Value::kMessageReprChars));
      return;
  }
}

}  // namespace

std::string ScriptStr(const Value& v) {
  std::string out;
  AppendScriptStr(v, &out, 0);
  return out;
}

}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser
