// Copyright ptser authors.
//
// libtorch's tensor printing (ATen/core/Formatting.cpp, `at::print`),
// re-derived: every element is read as a double; one format (integer,
// fixed with 4 decimals, optionally scaled, or scientific) is chosen for
// the whole tensor from the magnitudes of its finite elements; values are
// right-aligned in columns of width `sz`; matrices wrap into "Columns a to
// b" blocks past the line width; tensors of 3+ dims print one "(i,j,.,.) ="
// matrix per leading index.

#include "jit/ops/internal/tensor_text.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tensor/cast.h"
#include "tensor/scalar_type.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace ops_internal {
namespace {

enum class Style { kDefault, kFixed, kScientific };

struct Format {
  Style style = Style::kDefault;
  double scale = 1;
  int width = 0;
};

// One number in the chosen style and width (iostream's defaultfloat is %g
// with precision 6; fixed and scientific use precision 4).
std::string Num(double v, const Format& f) {
  switch (f.style) {
    case Style::kDefault:
      return absl::StrFormat("%*g", f.width, v);
    case Style::kFixed:
      return absl::StrFormat("%*.4f", f.width, v);
    case Style::kScientific:
      return absl::StrFormat("%*.4e", f.width, v);
  }
  return "";
}

Format ChooseFormat(const double* p, int64_t n) {
  Format f;
  if (n == 0) return f;
  bool int_mode = true;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isfinite(p[i]) && p[i] != std::ceil(p[i])) {
      int_mode = false;
      break;
    }
  }
  int64_t first_finite = 0;
  while (first_finite < n && !std::isfinite(p[first_finite])) ++first_finite;
  double exp_min = 1, exp_max = 1;
  if (first_finite < n) {
    exp_min = std::fabs(p[first_finite]);
    exp_max = exp_min;
    for (int64_t i = first_finite; i < n; ++i) {
      const double z = std::fabs(p[i]);
      if (std::isfinite(z)) {
        if (z < exp_min) exp_min = z;
        // libtorch compares the signed value here (a negative element never
        // raises the maximum); kept for identical output.
        if (p[i] > exp_max) exp_max = z;
      }
    }
    exp_min = exp_min != 0 ? std::floor(std::log10(exp_min)) + 1 : 1;
    exp_max = exp_max != 0 ? std::floor(std::log10(exp_max)) + 1 : 1;
  }
  if (int_mode) {
    if (exp_max > 9) {
      f.width = 11;
      f.style = Style::kScientific;
    } else {
      f.width = static_cast<int>(exp_max + 1);
      f.style = Style::kDefault;
    }
  } else if (exp_max - exp_min > 4) {
    f.width = 11;
    if (std::fabs(exp_max) > 99 || std::fabs(exp_min) > 99) f.width += 1;
    f.style = Style::kScientific;
  } else if (exp_max > 5 || exp_max < 0) {
    f.width = 7;
    f.scale = std::pow(10, exp_max - 1);
    f.style = Style::kFixed;
  } else {
    f.width = exp_max == 0 ? 7 : static_cast<int>(exp_max + 6);
    f.style = Style::kFixed;
  }
  return f;
}

void Indent(std::string* out, int64_t n) { out->append(static_cast<size_t>(n), ' '); }

void ScaleLine(std::string* out, double scale) { absl::StrAppendFormat(out, "%g *\n", scale); }

// A rows x cols block of doubles at `p`.
void PrintMatrix(std::string* out, const double* p, int64_t rows, int64_t cols, int64_t linesize,
                 int64_t indent) {
  const Format f = ChooseFormat(p, rows * cols);
  Indent(out, indent);
  int64_t per_line = (linesize - indent) / (f.width + 1);
  if (per_line < 1) per_line = 1;  // libtorch would loop forever
  int64_t first = 0;
  while (first < cols) {
    const int64_t last = first + per_line <= cols ? first + per_line - 1 : cols - 1;
    if (per_line < cols) {
      if (first != 0) out->push_back('\n');
      absl::StrAppend(out, "Columns ", first + 1, " to ", last + 1);
      Indent(out, indent);
    }
    if (f.scale != 1) {
      ScaleLine(out, f.scale);
      Indent(out, indent);
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = first; c <= last; ++c) {
        out->append(Num(p[r * cols + c] / f.scale, f));
        if (c == last) {
          out->push_back('\n');
          if (r != rows - 1) {
            Indent(out, indent);
            if (f.scale != 1) out->push_back(' ');
          }
        } else {
          out->push_back(' ');
        }
      }
    }
    first = last + 1;
  }
}

absl::string_view DtypeWord(ScalarType t) {
  switch (t) {
    case ScalarType::kByte: return "Byte";
    case ScalarType::kChar: return "Char";
    case ScalarType::kShort: return "Short";
    case ScalarType::kInt: return "Int";
    case ScalarType::kLong: return "Long";
    case ScalarType::kHalf: return "Half";
    case ScalarType::kFloat: return "Float";
    case ScalarType::kDouble: return "Double";
    case ScalarType::kComplexHalf: return "ComplexHalf";
    case ScalarType::kComplexFloat: return "ComplexFloat";
    case ScalarType::kComplexDouble: return "ComplexDouble";
    case ScalarType::kBool: return "Bool";
    case ScalarType::kQInt8: return "QInt8";
    case ScalarType::kQUInt8: return "QUInt8";
    case ScalarType::kQInt32: return "QInt32";
    case ScalarType::kBFloat16: return "BFloat16";
    case ScalarType::kQUInt4x2: return "QUInt4x2";
    case ScalarType::kQUInt2x4: return "QUInt2x4";
    default: return DtypeName(t);
  }
}

}  // namespace

std::string LibtorchTypeName(const Tensor& t) {
  std::string backend = t.device().is_cpu() ? "CPU" : absl::AsciiStrToUpper(t.device().type());
  if (IsQuantized(t.dtype())) backend = "Quantized" + backend;
  return absl::StrCat(backend, DtypeWord(t.dtype()), "Type");
}

std::string LibtorchTensorStr(const Tensor& t, int64_t linesize) {
  const std::string type = LibtorchTypeName(t);
  std::vector<double> values;
  absl::StatusOr<std::vector<double>> v = ToVector<double>(t);
  if (v.ok()) {
    values = *std::move(v);
  } else if (t.numel() > 0) {
    return absl::StrCat("[ ", type, " (", v.status().message(), ") ]");
  }
  std::string out;
  const std::vector<int64_t>& sizes = t.sizes();
  if (sizes.empty()) {
    absl::StrAppendFormat(&out, "%g\n", values.empty() ? 0.0 : values[0]);
    absl::StrAppend(&out, "[ ", type, "{}");
  } else if (sizes.size() == 1) {
    if (!values.empty()) {
      const Format f = ChooseFormat(values.data(), static_cast<int64_t>(values.size()));
      if (f.scale != 1) ScaleLine(&out, f.scale);
      for (double x : values) {
        out.append(Num(x / f.scale, f));
        out.push_back('\n');
      }
    }
    absl::StrAppend(&out, "[ ", type, "{", sizes[0], "}");
  } else if (sizes.size() == 2) {
    if (!values.empty()) PrintMatrix(&out, values.data(), sizes[0], sizes[1], linesize, 0);
    absl::StrAppend(&out, "[ ", type, "{", sizes[0], ",", sizes[1], "}");
  } else {
    if (!values.empty()) {
      const size_t lead = sizes.size() - 2;
      const int64_t rows = sizes[lead], cols = sizes[lead + 1];
      std::vector<int64_t> counter(lead, 0);
      const int64_t blocks = static_cast<int64_t>(values.size()) / (rows * cols);
      for (int64_t b = 0; b < blocks; ++b) {
        if (b) out.push_back('\n');
        out.push_back('(');
        for (int64_t c : counter) absl::StrAppend(&out, c + 1, ",");
        out.append(".,.) = \n");
        int64_t block = 0;  // row-major index of the block `counter` names
        for (size_t i = 0; i < lead; ++i) block = block * sizes[i] + counter[i];
        PrintMatrix(&out, values.data() + block * rows * cols, rows, cols, linesize, 1);
        // Advance the leading index, first dimension fastest (libtorch's
        // counter runs that way).
        for (size_t i = 0; i < lead; ++i) {
          if (++counter[i] < sizes[i]) break;
          counter[i] = 0;
        }
      }
    }
    absl::StrAppend(&out, "[ ", type, "{", sizes[0]);
    for (size_t i = 1; i < sizes.size(); ++i) absl::StrAppend(&out, ",", sizes[i]);
    out.push_back('}');
  }
  out.append(" ]");
  return out;
}

}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser
