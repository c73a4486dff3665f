// Copyright ptser authors.
#include "tools/cli/diff_command.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tensor/cast.h"
#include "tools/cli/common.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

struct DiffState {
  double rtol = 1e-5;
  double atol = 1e-8;
  std::vector<std::string> differences;
  // Container pairs already compared: files whose containers share
  // sub-containers are walked once per pair, not once per path.
  std::set<std::pair<const void*, const void*>> seen;
  PathTree paths;
};

// One pair of values still to compare, at paths.Path(node).
struct DiffPair {
  const Value* a;
  const Value* b;
  int64_t node;
};

void DiffTensors(const Value& a, const Value& b, const std::string& where, DiffState* st) {
  const Tensor& x = a.tensor();
  const Tensor& y = b.tensor();
  if (x.dtype() != y.dtype() || x.sizes() != y.sizes()) {
    st->differences.push_back(absl::StrCat(where, ": ", DtypeName(x.dtype()), Shape(x.sizes()),
                                           " vs ", DtypeName(y.dtype()), Shape(y.sizes())));
    return;
  }
  if (IsQuantized(x.dtype())) {
    // As torch.equal on quantized tensors: same scheme, scales, zero
    // points and integer values; no tolerance applies.
    if (!ValuesEqual(a, b)) {
      st->differences.push_back(where + ": quantized " + std::string(DtypeName(x.dtype())) +
                                " tensors differ (integer values or quantizer)");
    }
    return;
  }
  absl::StatusOr<Tensor> xd = Cast(x, IsComplex(x.dtype()) ? ScalarType::kComplexDouble
                                                            : ScalarType::kDouble);
  absl::StatusOr<Tensor> yd = Cast(y, IsComplex(y.dtype()) ? ScalarType::kComplexDouble
                                                            : ScalarType::kDouble);
  if (!xd.ok() || !yd.ok()) {
    st->differences.push_back(where + ": cannot compare values of " +
                              std::string(DtypeName(x.dtype())));
    return;
  }
  const double* p = static_cast<const double*>(xd->data());
  const double* q = static_cast<const double*>(yd->data());
  const int64_t n = xd->numel() * (IsComplex(x.dtype()) ? 2 : 1);
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = std::fabs(p[i] - q[i]);
    const bool both_nan = std::isnan(p[i]) && std::isnan(q[i]);
    if (!both_nan && !(p[i] == q[i]) && !(d <= st->atol + st->rtol * std::fabs(q[i]))) {
      ++bad;
      worst = std::isnan(d) ? d : std::max(worst, d);
    }
  }
  if (bad > 0) {
    st->differences.push_back(absl::StrCat(where, ": ", bad, " of ", n,
                                           " values differ (max abs diff ", worst, ")"));
  }
}

// What diff does not walk into: Python equality, except that floats and
// complex numbers compare bit for bit (a NaN equals the same NaN, -0.0 is not
// 0.0: a file compared with its copy is equal, a sign change is a change).  Sets and objects that
// Python equality calls different (a NaN inside) are equal when their whole
// reprs are; values are never compared by a cut-off repr.
bool SameLeaf(const Value& a, const Value& b) {
  if ((a.is_float() && b.is_float()) || (a.is_complex() && b.is_complex())) {
    // Compared as the bytes the files hold: a sign change (0.0 and -0.0,
    // 1+0j and 1-0j) is a change, and a NaN equals the same NaN.
    const std::complex<double> x = a.is_float() ? a.as_float() : a.as_complex();
    const std::complex<double> y = b.is_float() ? b.as_float() : b.as_complex();
    return std::memcmp(&x, &y, sizeof(x)) == 0;
  }
  if (ValuesEqual(a, b)) return true;
  if (a.kind() != Value::Kind::kSet && a.kind() != Value::Kind::kFrozenSet &&
      a.kind() != Value::Kind::kObject) {
    return false;
  }
  constexpr size_t kWhole = size_t{1} << 20;
  const std::string ra = a.Repr(kWhole);
  return ra.size() < kWhole && ra == b.Repr(kWhole);
}

// Items of two dicts, matched by key.  Keys Python hashes by identity
// (tensors, objects) never find each other across two files: such a key is
// matched with the key at the same position when the two are equal.
void DiffDicts(const Value& a, const Value& b, int64_t node, DiffState* st,
               std::vector<DiffPair>* children) {
  const auto& xs = a.dict().items();
  const auto& ys = b.dict().items();
  std::set<const Value*> matched;  // values of b
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::string key = KeyName(xs[i].key);
    const Value* other = b.dict().Find(xs[i].key);
    if (other == nullptr && i < ys.size() && !xs[i].key.is_str() &&
        xs[i].key.kind() == ys[i].key.kind() && !matched.count(&ys[i].value) &&
        ValuesEqual(xs[i].key, ys[i].key)) {
      other = &ys[i].value;
    }
    if (other == nullptr) {
      st->differences.push_back(
          absl::StrCat(st->paths.Path(st->paths.Add(node, key)), ": only in the first file"));
      continue;
    }
    matched.insert(other);
    children->push_back({&xs[i].value, other, st->paths.Add(node, key)});
  }
  for (const auto& item : ys) {
    if (matched.count(&item.value)) continue;
    st->differences.push_back(absl::StrCat(
        st->paths.Path(st->paths.Add(node, KeyName(item.key))), ": only in the second file"));
  }
}

// Compares a and b at any depth (an explicit stack, not recursion), up to
// 1000 differences.
void DiffValues(const Value& root_a, const Value& root_b, DiffState* st) {
  std::vector<DiffPair> stack = {{&root_a, &root_b, PathTree::kRoot}};
  std::vector<DiffPair> children;
  while (!stack.empty() && st->differences.size() < 1000) {
    const DiffPair p = stack.back();
    stack.pop_back();
    const Value& a = *p.a;
    const Value& b = *p.b;
    if (a.kind() != b.kind()) {
      st->differences.push_back(st->paths.Path(p.node) + ": " + a.TypeName() + " vs " +
                                b.TypeName());
      continue;
    }
    if (a.identity() != nullptr && b.identity() != nullptr &&
        !st->seen.emplace(a.identity(), b.identity()).second) {
      continue;
    }
    children.clear();
    switch (a.kind()) {
      case Value::Kind::kTensor:
        DiffTensors(a, b, st->paths.Path(p.node), st);
        break;
      case Value::Kind::kList:
      case Value::Kind::kTuple: {
        const absl::Span<const Value> xs = a.sequence_items();
        const absl::Span<const Value> ys = b.sequence_items();
        if (xs.size() != ys.size()) {
          st->differences.push_back(
              absl::StrCat(st->paths.Path(p.node), ": length ", xs.size(), " vs ", ys.size()));
        }
        for (size_t i = 0; i < std::min(xs.size(), ys.size()); ++i) {
          children.push_back({&xs[i], &ys[i], st->paths.Add(p.node, absl::StrCat(i))});
        }
        break;
      }
      case Value::Kind::kDict:
        DiffDicts(a, b, p.node, st, &children);
        break;
      default:
        if (!SameLeaf(a, b)) {
          st->differences.push_back(st->paths.Path(p.node) + ": " +
                                    a.Repr(Value::kMessageReprChars) + " vs " +
                                    b.Repr(Value::kMessageReprChars));
        }
        break;
    }
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
}

}  // namespace

int Diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  DiffState st;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--rtol" || args[i] == "--atol") && i + 1 < args.size()) {
      double v;
      if (!absl::SimpleAtod(args[i + 1], &v) || v < 0) {
        err << "ptser diff: " << args[i] << " takes a non-negative number\n";
        return kUsage;
      }
      (args[i] == "--rtol" ? st.rtol : st.atol) = v;
      ++i;
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: ptser diff A B [--rtol R] [--atol A]\n\n"
             "Compares two checkpoints object by object and tensor by tensor\n"
             "(|a - b| <= atol + rtol * |b|, defaults 1e-5 and 1e-8 as torch.allclose).\n"
             "Quantized tensors compare exactly (integer values, scales, zero points),\n"
             "as torch.equal does.  Exit 0 when equal within tolerance, 3 when they differ.\n";
      return kOk;
    } else {
      paths.push_back(args[i]);
    }
  }
  if (paths.size() != 2) { err << "usage: ptser diff A B [--rtol R] [--atol A]\n"; return kUsage; }
  absl::StatusOr<Value> a =
      IsTorchScriptFile(paths[0]) ? ScriptStateDict(paths[0]) : LoadForTools(paths[0]);
  if (!a.ok()) return Fail(err, a.status());
  absl::StatusOr<Value> b =
      IsTorchScriptFile(paths[1]) ? ScriptStateDict(paths[1]) : LoadForTools(paths[1]);
  if (!b.ok()) return Fail(err, b.status());
  DiffValues(*a, *b, &st);
  if (st.differences.empty()) {
    out << "equal (rtol " << st.rtol << ", atol " << st.atol << ")\n";
    return kOk;
  }
  for (const std::string& d : st.differences) out << d << "\n";
  out << (st.differences.size() >= 1000 ? "at least " : "") << st.differences.size()
      << (st.differences.size() == 1 ? " difference" : " differences") << "\n";
  return kFinding;
}

}  // namespace cli
}  // namespace ptser
