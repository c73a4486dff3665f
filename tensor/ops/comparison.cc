// Copyright ptser authors.
//
// tensor/ops/comparison.cc — comparison kernels.

#include "tensor/ops/comparison.h"

#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {
namespace {

using ops_internal::BinaryDtypeInfo;
using ops_internal::BinaryDtypes;
using ops_internal::BinaryOpSpec;
using ops_internal::DispatchDtype;
using ops_internal::kAllTypes;
using ops_internal::kBoolType;
using ops_internal::kRealTypes;
using ops_internal::Map;
using ops_internal::OpMath;

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

template <typename M>
bool Compare(Cmp cmp, const M& x, const M& y) {
  switch (cmp) {
    case Cmp::kEq:
      return x == y;
    case Cmp::kNe:
      return x != y;
    default:
      break;
  }
  if constexpr (!ops_internal::kIsComplex<M>) {
    switch (cmp) {
      case Cmp::kLt:
        return x < y;
      case Cmp::kLe:
        return x <= y;
      case Cmp::kGt:
        return x > y;
      case Cmp::kGe:
        return x >= y;
      default:
        break;
    }
  }
  return false;
}

template <uint32_t kGroups>
absl::Status CompareKernel(Cmp cmp, const char* name, const Tensor& out,
                           const Tensor& a, const Tensor& b) {
  return DispatchDtype<kGroups>(a.dtype(), name, [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using M = OpMath<T>;
    Map<bool, T, T>(out,
                    [cmp](T x, T y) {
                      return Compare<M>(cmp, static_cast<M>(x),
                                        static_cast<M>(y));
                    },
                    {a, b});
    return absl::OkStatus();
  });
}

BinaryOpSpec CompareSpec(Cmp cmp) {
  static constexpr const char* kNames[] = {"eq_cpu", "ne_cpu", "lt_cpu",
                                           "le_cpu", "gt_cpu", "ge_cpu"};
  BinaryOpSpec spec;
  spec.name = kNames[static_cast<int>(cmp)];
  spec.dtypes =
      [](const BinaryDtypeInfo& info) -> absl::StatusOr<BinaryDtypes> {
    return BinaryDtypes{info.common, ScalarType::kBool};
  };
  spec.kernel = [cmp](const Tensor& out, const Tensor& a, const Tensor& b) {
    const char* name = kNames[static_cast<int>(cmp)];
    if (cmp == Cmp::kEq || cmp == Cmp::kNe) {
      return CompareKernel<kAllTypes>(cmp, name, out, a, b);
    }
    return CompareKernel<kBoolType | kRealTypes>(cmp, name, out, a, b);
  };
  return spec;
}

}  // namespace

#define PTSER_DEFINE_COMPARISON_(Name, cmp)                              \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Tensor& other) { \
    return ops_internal::RunBinary(CompareSpec(cmp), self, other);       \
  }                                                                      \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Scalar& other) { \
    return ops_internal::RunBinary(CompareSpec(cmp), self, other);       \
  }

PTSER_DEFINE_COMPARISON_(Eq, Cmp::kEq)
PTSER_DEFINE_COMPARISON_(Ne, Cmp::kNe)
PTSER_DEFINE_COMPARISON_(Lt, Cmp::kLt)
PTSER_DEFINE_COMPARISON_(Le, Cmp::kLe)
PTSER_DEFINE_COMPARISON_(Gt, Cmp::kGt)
PTSER_DEFINE_COMPARISON_(Ge, Cmp::kGe)

#undef PTSER_DEFINE_COMPARISON_

}  // namespace ptser
