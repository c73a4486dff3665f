// Copyright ptser authors.
//
// tensor/print/repr.cc — a re-implementation of torch/_tensor_str.py's rules
// (PyTorch 1.13): the _Formatter width/notation decisions, the recursive
// nesting with summarization, line wrapping and the suffix layout.

#include "tensor/print/repr.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tensor/half.h"
#include "tensor/scalar.h"
#include "tensor/quantizer.h"
#include "tensor/scalar_type.h"

namespace ptser {
namespace {

// ------------------------------------------------------- element values ---

enum class Kind { kBool, kSigned, kUnsigned, kFloating, kComplex };

struct Value {
  int64_t i = 0;   // kBool (0/1), kSigned
  uint64_t u = 0;  // kUnsigned
  double re = 0;   // kFloating, kComplex
  double im = 0;   // kComplex
};

template <typename T>
T LoadAs(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// How the printed values are obtained from the stored bytes.
class Reader {
 public:
  // False for dtypes/devices whose values cannot be read.
  bool Init(const Tensor& t) {
    dtype_ = t.dtype();
    neg_ = t.is_neg();
    conj_ = t.is_conj() && IsComplex(dtype_);
    if (!t.device().is_cpu()) return false;
    if (t.numel() > 0 && t.storage().data() == nullptr) return false;
    if (IsQuantized(dtype_)) return InitQuantized(t);
    switch (dtype_) {
      case ScalarType::kBool:
        kind_ = Kind::kBool;
        return true;
      case ScalarType::kByte:
      case ScalarType::kUInt16:
      case ScalarType::kUInt32:
      case ScalarType::kUInt64:
        kind_ = Kind::kUnsigned;
        return true;
      case ScalarType::kChar:
      case ScalarType::kShort:
      case ScalarType::kInt:
      case ScalarType::kLong:
        kind_ = Kind::kSigned;
        return true;
      case ScalarType::kHalf:
      case ScalarType::kBFloat16:
      case ScalarType::kFloat:
      case ScalarType::kDouble:
        kind_ = Kind::kFloating;
        return true;
      case ScalarType::kComplexHalf:
      case ScalarType::kComplexFloat:
      case ScalarType::kComplexDouble:
        kind_ = Kind::kComplex;
        return true;
      default:
        return false;
    }
  }

  Kind kind() const { return kind_; }
  // The quantization axis, or -1.
  int64_t channel_axis() const { return per_channel_ ? axis_ : -1; }

  // The logical value of the element at `p`; `channel` is its index along
  // channel_axis() for per-channel quantized tensors.
  Value Read(const char* p, int64_t channel) const {
    Value v;
    switch (dtype_) {
      case ScalarType::kBool:
        v.i = LoadAs<uint8_t>(p) != 0;
        return v;
      case ScalarType::kByte:
        v.u = LoadAs<uint8_t>(p);
        break;
      case ScalarType::kUInt16:
        v.u = LoadAs<uint16_t>(p);
        break;
      case ScalarType::kUInt32:
        v.u = LoadAs<uint32_t>(p);
        break;
      case ScalarType::kUInt64:
        v.u = LoadAs<uint64_t>(p);
        break;
      case ScalarType::kChar:
        v.i = LoadAs<int8_t>(p);
        break;
      case ScalarType::kShort:
        v.i = LoadAs<int16_t>(p);
        break;
      case ScalarType::kInt:
        v.i = LoadAs<int32_t>(p);
        break;
      case ScalarType::kLong:
        v.i = LoadAs<int64_t>(p);
        break;
      case ScalarType::kHalf:
        v.re = LoadHalf(p);
        break;
      case ScalarType::kBFloat16:
        v.re = LoadBFloat16(p);
        break;
      case ScalarType::kFloat:
        v.re = LoadAs<float>(p);
        break;
      case ScalarType::kDouble:
        v.re = LoadAs<double>(p);
        break;
      case ScalarType::kComplexHalf:
        v.re = LoadHalf(p);
        v.im = LoadHalf(p + 2);
        break;
      case ScalarType::kComplexFloat:
        v.re = LoadAs<float>(p);
        v.im = LoadAs<float>(p + 4);
        break;
      case ScalarType::kComplexDouble:
        v.re = LoadAs<double>(p);
        v.im = LoadAs<double>(p + 8);
        break;
      case ScalarType::kQInt8:
        return Dequantize(LoadAs<int8_t>(p), channel);
      case ScalarType::kQUInt8:
        return Dequantize(LoadAs<uint8_t>(p), channel);
      case ScalarType::kQInt32:
        return Dequantize(LoadAs<int32_t>(p), channel);
      default:
        return v;
    }
    if (conj_) v.im = -v.im;
    if (neg_) {
      v.i = static_cast<int64_t>(0u - static_cast<uint64_t>(v.i));
      v.u = 0u - v.u;
      v.re = -v.re;
      v.im = -v.im;
    }
    return v;
  }

 private:
  bool InitQuantized(const Tensor& t) {
    if (dtype_ != ScalarType::kQInt8 && dtype_ != ScalarType::kQUInt8 &&
        dtype_ != ScalarType::kQInt32) {
      return false;  // packed sub-byte types
    }
    kind_ = Kind::kFloating;
    if (!t.quantizer().has_value()) return true;  // scale 1, zero point 0
    const Quantizer& q = *t.quantizer();
    switch (q.scheme) {
      case QScheme::kPerTensorAffine:
      case QScheme::kPerTensorSymmetric:
        scales_ = {static_cast<float>(q.scale)};
        zero_points_ = {static_cast<float>(q.zero_point)};
        return true;
      default:
        break;
    }
    // Per channel: read the scales and zero points.
    if (q.scales == nullptr || q.zero_points == nullptr) return false;
    per_channel_ = true;
    axis_ = q.axis;
    if (axis_ < 0 || axis_ >= t.dim()) return false;
    const int64_t channels = t.sizes()[axis_];
    if (!ReadFloats(*q.scales, channels, &scales_) ||
        !ReadFloats(*q.zero_points, channels, &zero_points_)) {
      return false;
    }
    return true;
  }

  // A 1-D real tensor of at least `n` elements, as floats.
  static bool ReadFloats(const Tensor& t, int64_t n, std::vector<float>* out) {
    Reader r;
    if (t.dim() != 1 || t.sizes()[0] < n || !r.Init(t) ||
        r.kind() == Kind::kComplex || IsQuantized(t.dtype())) {
      return false;
    }
    const char* base = static_cast<const char*>(t.data());
    const int64_t step =
        t.sizes()[0] <= 1 ? 0 : t.strides()[0] * static_cast<int64_t>(t.itemsize());
    for (int64_t k = 0; k < n; ++k) {
      const Value v = r.Read(base + k * step, -1);
      switch (r.kind()) {
        case Kind::kFloating:
          out->push_back(static_cast<float>(v.re));
          break;
        case Kind::kUnsigned:
          out->push_back(static_cast<float>(v.u));
          break;
        default:
          out->push_back(static_cast<float>(v.i));
          break;
      }
    }
    return true;
  }

  // PyTorch's dequantize: (q - zero_point) * scale in float.
  Value Dequantize(int64_t q, int64_t channel) const {
    Value v;
    float scale = 1.0f;
    float zero_point = 0.0f;
    const size_t c = per_channel_ ? static_cast<size_t>(channel) : 0;
    if (c < scales_.size()) {
      scale = scales_[c];
      zero_point = zero_points_[c];
    }
    v.re = (static_cast<float>(q) - zero_point) * scale;
    return v;
  }

  ScalarType dtype_ = ScalarType::kFloat;
  Kind kind_ = Kind::kFloating;
  bool neg_ = false;
  bool conj_ = false;
  bool per_channel_ = false;
  int64_t axis_ = -1;
  std::vector<float> scales_;
  std::vector<float> zero_points_;
};

// ------------------------------------------------- the tensor as a tree ---

// Walks the logical elements of a tensor (byte pointers + channel index).
struct Walker {
  const Reader* reader;
  std::vector<int64_t> sizes;
  std::vector<int64_t> byte_strides;
  const char* base;

  int64_t dim() const { return static_cast<int64_t>(sizes.size()); }
};

// The indices get_summarized_data / _tensor_str_with_formatter visit along
// a dimension of `size`: all, or the first and last `edge` (with the
// position of the "..." marked by -1 when `with_gap`).
std::vector<int64_t> VisitedIndices(int64_t size, bool summarize, int64_t edge,
                                    bool with_gap) {
  std::vector<int64_t> out;
  if (summarize && size > 2 * edge) {
    for (int64_t i = 0; i < edge; ++i) out.push_back(i);
    if (with_gap) out.push_back(-1);
    for (int64_t i = size - edge; i < size; ++i) out.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) out.push_back(i);
  }
  return out;
}

// Appends every value the formatter looks at (all of them, or the
// summarized ones).
void CollectValues(const Walker& w, int64_t d, const char* p, int64_t channel,
                   bool summarize, int64_t edge, std::vector<Value>* out) {
  if (d == w.dim()) {
    out->push_back(w.reader->Read(p, channel));
    return;
  }
  for (int64_t i : VisitedIndices(w.sizes[d], summarize, edge, false)) {
    CollectValues(w, d + 1, p + i * w.byte_strides[d],
                  d == w.reader->channel_axis() ? i : channel, summarize, edge,
                  out);
  }
}

// ---------------------------------------------------------- formatting ---

bool IsIntegral(double v) { return v == std::ceil(v); }

// Python's "{:.<precision>f}" / "{:.<precision>e}" for a float, with
// Python's spelling of non-finite values.
std::string FormatDouble(double v, char conversion, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[512];
  const char format[] = {'%', '.', '*', conversion, '\0'};
  std::snprintf(buf, sizeof(buf), format, precision, v);
  return buf;
}

std::string PadLeft(const std::string& s, int64_t width) {
  const int64_t n = static_cast<int64_t>(s.size());
  return n >= width ? s : std::string(width - n, ' ') + s;
}

// torch._tensor_str._Formatter.
class Formatter {
 public:
  // `floating`: values are read from .re; otherwise integers/bools.
  Formatter(const std::vector<Value>& values, Kind kind, bool imag_part,
            const PrintOptions& options)
      : kind_(kind), precision_(options.precision) {
    if (kind != Kind::kFloating && kind != Kind::kComplex) {
      floating_ = false;
      for (const Value& v : values) {
        max_width_ = std::max<int64_t>(max_width_, FormatInt(v).size());
      }
      return;
    }
    floating_ = true;
    std::vector<double> finite;
    for (const Value& v : values) {
      const double x = imag_part ? v.im : v.re;
      if (std::isfinite(x) && x != 0) finite.push_back(x);
    }
    if (!finite.empty()) {
      double min_abs = std::fabs(finite[0]);
      double max_abs = min_abs;
      for (double x : finite) {
        min_abs = std::min(min_abs, std::fabs(x));
        max_abs = std::max(max_abs, std::fabs(x));
        if (!IsIntegral(x)) int_mode_ = false;
      }
      const bool wide = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
      if (int_mode_) {
        if (wide) {
          sci_mode_ = true;
          for (double x : finite) Widen(FormatDouble(x, 'e', precision_));
        } else {
          for (double x : finite) {
            max_width_ = std::max<int64_t>(max_width_,
                                           FormatDouble(x, 'f', 0).size() + 1);
          }
        }
      } else if (wide || min_abs < 1.0e-4) {
        sci_mode_ = true;
        for (double x : finite) Widen(FormatDouble(x, 'e', precision_));
      } else {
        for (double x : finite) Widen(FormatDouble(x, 'f', precision_));
      }
    }
    if (options.sci_mode.has_value()) sci_mode_ = *options.sci_mode;
  }

  int64_t width() const { return max_width_; }

  // The padded text of a value (its .re, or .im when `imag_part`).
  std::string Format(const Value& v, bool imag_part = false) const {
    if (!floating_) return PadLeft(FormatInt(v), max_width_);
    const double x = imag_part ? v.im : v.re;
    std::string s;
    if (sci_mode_) {
      s = FormatDouble(x, 'e', precision_);
    } else if (int_mode_) {
      s = FormatDouble(x, 'f', 0);
      if (std::isfinite(x)) s += ".";
    } else {
      s = FormatDouble(x, 'f', precision_);
    }
    return PadLeft(s, max_width_);
  }

 private:
  void Widen(const std::string& s) {
    max_width_ = std::max<int64_t>(max_width_, s.size());
  }

  std::string FormatInt(const Value& v) const {
    switch (kind_) {
      case Kind::kBool:
        return v.i ? "True" : "False";
      case Kind::kUnsigned:
        return absl::StrCat(v.u);
      default:
        return absl::StrCat(v.i);
    }
  }

  Kind kind_;
  int precision_;
  bool floating_ = false;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int64_t max_width_ = 1;
};

struct Printer {
  Walker walker;
  const PrintOptions* options;
  bool summarize = false;
  const Formatter* real = nullptr;
  const Formatter* imag = nullptr;  // complex only

  // _val_formatter / _scalar_str.
  std::string FormatValue(const Value& v) const {
    if (imag == nullptr) return real->Format(v);
    const std::string re = real->Format(v);
    std::string im = imag->Format(v, /*imag_part=*/true) + "j";
    im.erase(0, im.find_first_not_of(' '));
    if (im[0] == '+' || im[0] == '-') return re + im;
    return re + "+" + im;
  }

  Value ReadAt(const char* p, int64_t channel) const {
    return walker.reader->Read(p, channel);
  }

  // _tensor_str_with_formatter for the sub-tensor at dimension `d`.
  std::string Str(int64_t d, const char* p, int64_t channel,
                  int64_t indent) const {
    const int64_t remaining = walker.dim() - d;
    if (remaining == 0) return FormatValue(ReadAt(p, channel));
    const bool is_axis = d == walker.reader->channel_axis();
    if (remaining == 1) {
      int64_t element_length = real->width() + 2;
      if (imag != nullptr) element_length += imag->width() + 1;
      const int64_t per_line = std::max<int64_t>(
          1, static_cast<int64_t>(
                 std::floor(static_cast<double>(options->linewidth - indent) /
                            static_cast<double>(element_length))));
      std::vector<std::string> data;
      for (int64_t i : VisitedIndices(walker.sizes[d], summarize,
                                      options->edgeitems, true)) {
        if (i < 0) {
          data.push_back(" ...");
          continue;
        }
        data.push_back(FormatValue(
            ReadAt(p + i * walker.byte_strides[d], is_axis ? i : channel)));
      }
      std::vector<std::string> lines;
      for (size_t i = 0; i < data.size(); i += per_line) {
        const size_t end = std::min(data.size(), i + per_line);
        lines.push_back(
            absl::StrJoin(data.begin() + i, data.begin() + end, ", "));
      }
      return absl::StrCat(
          "[",
          absl::StrJoin(lines,
                        absl::StrCat(",\n", std::string(indent + 1, ' '))),
          "]");
    }
    std::vector<std::string> slices;
    for (int64_t i :
         VisitedIndices(walker.sizes[d], summarize, options->edgeitems, true)) {
      if (i < 0) {
        slices.push_back("...");
        continue;
      }
      slices.push_back(Str(d + 1, p + i * walker.byte_strides[d],
                           is_axis ? i : channel, indent + 1));
    }
    const std::string separator = absl::StrCat(
        ",", std::string(remaining - 1, '\n'), std::string(indent + 1, ' '));
    return absl::StrCat("[", absl::StrJoin(slices, separator), "]");
  }
};

// ------------------------------------------------------------- suffixes ---

// str(tuple(t.shape)): "(2, 3)", "(3,)".
std::string SizeTuple(const std::vector<int64_t>& sizes) {
  if (sizes.size() == 1) return absl::StrCat("(", sizes[0], ",)");
  return absl::StrCat("(", absl::StrJoin(sizes, ", "), ")");
}

// torch._tensor_str._add_suffixes.
std::string AddSuffixes(const std::string& tensor_str,
                        const std::vector<std::string>& suffixes,
                        int64_t indent, int64_t linewidth) {
  std::string out = tensor_str;
  // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 for none.
  const size_t nl = tensor_str.rfind('\n');
  int64_t last_line_len =
      static_cast<int64_t>(tensor_str.size()) -
      (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const std::string& suffix : suffixes) {
    const int64_t len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > linewidth) {
      absl::StrAppend(&out, ",\n", std::string(indent, ' '), suffix);
      last_line_len = indent + len;
    } else {
      absl::StrAppend(&out, ", ", suffix);
      last_line_len += len + 2;
    }
  }
  out += ")";
  return out;
}

bool HasDefaultDtype(ScalarType dtype) {
  return dtype == ScalarType::kFloat || dtype == ScalarType::kComplexFloat ||
         dtype == ScalarType::kLong || dtype == ScalarType::kBool;
}

// _tensor_str: the bracketed values of a non-empty, readable tensor.
std::string ValuesStr(const Tensor& t, const Reader& reader, int64_t indent,
                      const PrintOptions& options) {
  Walker walker{&reader, t.sizes(), t.strides(),
                static_cast<const char*>(t.data())};
  for (size_t d = 0; d < walker.byte_strides.size(); ++d) {
    // A dimension of size 0 or 1 never steps, and its stride may be any
    // value (Tensor::Make cannot bound it): keep it out of the arithmetic.
    int64_t& s = walker.byte_strides[d];
    s = t.sizes()[d] <= 1 ? 0 : s * static_cast<int64_t>(t.itemsize());
  }
  const bool summarize = t.numel() > options.threshold;
  std::vector<Value> values;
  CollectValues(walker, 0, walker.base, 0, summarize, options.edgeitems,
                &values);
  const Kind kind = reader.kind();
  Formatter real(values, kind, /*imag_part=*/false, options);
  Printer printer{walker, &options, summarize, &real, nullptr};
  if (kind == Kind::kComplex) {
    Formatter imag(values, kind, /*imag_part=*/true, options);
    printer.imag = &imag;
    return printer.Str(0, walker.base, 0, indent);
  }
  return printer.Str(0, walker.base, 0, indent);
}

absl::string_view QSchemeRepr(QScheme scheme) { return QSchemeName(scheme); }

}  // namespace

std::string Repr(const Tensor& t, const PrintOptions& options) {
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  const Device& device = t.device();
  if (!device.is_cpu()) {
    suffixes.push_back(absl::StrCat("device='", device.ToString(), "'"));
  }
  const ScalarType dtype = t.dtype();
  const std::string dtype_suffix = absl::StrCat("dtype=", DtypeRepr(dtype));
  Reader reader;
  const bool readable = reader.Init(t);
  std::string tensor_str;
  if (t.numel() == 0 && !IsQuantized(dtype)) {
    if (t.dim() != 1) suffixes.push_back("size=" + SizeTuple(t.sizes()));
    if (dtype != ScalarType::kFloat) suffixes.push_back(dtype_suffix);
    tensor_str = "[]";
  } else if (!readable || t.dim() > kMaxPrintedDims) {
    // PyTorch's meta-tensor form (kMaxPrintedDims: where PyTorch's own
    // repr fails with RecursionError).
    suffixes.push_back("size=" + SizeTuple(t.sizes()));
    if (dtype != ScalarType::kFloat) suffixes.push_back(dtype_suffix);
    tensor_str = "...";
  } else if (IsQuantized(dtype)) {
    suffixes.push_back("size=" + SizeTuple(t.sizes()));
    suffixes.push_back(dtype_suffix);
    const Quantizer q = t.quantizer().value_or(Quantizer());
    suffixes.push_back(
        absl::StrCat("quantization_scheme=torch.", QSchemeRepr(q.scheme)));
    if (q.scheme == QScheme::kPerTensorAffine ||
        q.scheme == QScheme::kPerTensorSymmetric) {
      suffixes.push_back(absl::StrCat("scale=", Scalar(q.scale).ToString()));
      suffixes.push_back(absl::StrCat("zero_point=", q.zero_point));
    } else {
      suffixes.push_back(
          absl::StrCat("scale=", q.scales ? Repr(*q.scales, options) : "None"));
      suffixes.push_back(
          absl::StrCat("zero_point=",
                       q.zero_points ? Repr(*q.zero_points, options) : "None"));
      suffixes.push_back(absl::StrCat("axis=", q.axis));
    }
    tensor_str = t.numel() == 0 ? "[]" : ValuesStr(t, reader, indent, options);
  } else {
    if (!HasDefaultDtype(dtype)) suffixes.push_back(dtype_suffix);
    tensor_str = ValuesStr(t, reader, indent, options);
  }
  if (t.requires_grad()) suffixes.push_back("requires_grad=True");
  std::string out =
      AddSuffixes(prefix + tensor_str, suffixes, indent, options.linewidth);
  if (t.is_parameter()) out = "Parameter containing:\n" + out;
  return out;
}

std::string Repr(const Tensor& t) { return Repr(t, PrintOptions()); }

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << Repr(t);
}

}  // namespace ptser
