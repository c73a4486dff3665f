// Copyright ptser authors.
//
// tensor/ops/bitwise.cc — bitwise and logical ops.

#include "tensor/ops/bitwise.h"

#include <climits>
#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

enum class Bitwise { kAnd, kOr, kXor, kLeftShift, kRightShift };

template <typename T>
T ApplyBitwise(Bitwise op, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case Bitwise::kAnd:
        return a && b;
      case Bitwise::kOr:
        return a || b;
      case Bitwise::kXor:
        return a != b;
      default:  // shifts are not defined for bool (not dispatched)
        return false;
    }
    return false;
  } else {
    using U = std::make_unsigned_t<T>;
    constexpr int64_t kBits = sizeof(T) * CHAR_BIT;
    switch (op) {
      case Bitwise::kAnd:
        return static_cast<T>(a & b);
      case Bitwise::kOr:
        return static_cast<T>(a | b);
      case Bitwise::kXor:
        return static_cast<T>(a ^ b);
      case Bitwise::kLeftShift:
        if (static_cast<int64_t>(b) < 0 || static_cast<int64_t>(b) >= kBits) return T(0);
        return static_cast<T>(static_cast<U>(static_cast<U>(a) << b));
      case Bitwise::kRightShift:
        if (static_cast<int64_t>(b) < 0 || static_cast<int64_t>(b) >= kBits) {
          if constexpr (std::is_signed_v<T>) {
            return a < 0 ? T(-1) : T(0);
          } else {
            return T(0);
          }
        }
        return static_cast<T>(a >> b);
    }
    return T(0);
  }
}

BinaryOpSpec BitwiseSpec(Bitwise op) {
  static constexpr const char* kNames[] = {"bitwise_and_cpu", "bitwise_or_cpu",
                                           "bitwise_xor_cpu", "lshift_cpu", "rshift_cpu"};
  BinaryOpSpec spec;
  spec.name = kNames[static_cast<int>(op)];
  spec.kernel = [op](const Tensor& out, const Tensor& a, const Tensor& b) {
    auto run = [&](auto tag) -> absl::Status {
      using T = typename decltype(tag)::type;
      Map<T, T, T>(out, [op](T x, T y) { return ApplyBitwise(op, x, y); }, {a, b});
      return absl::OkStatus();
    };
    const char* name = kNames[static_cast<int>(op)];
    if (op == Bitwise::kLeftShift || op == Bitwise::kRightShift) {
      return DispatchDtype<kIntegralTypes>(out.dtype(), name, run);
    }
    return DispatchDtype<kBoolType | kIntegralTypes>(out.dtype(), name, run);
  };
  return spec;
}

enum class Logical { kAnd, kOr, kXor };

BinaryOpSpec LogicalSpec(Logical op) {
  static constexpr const char* kNames[] = {"logical_and_cpu", "logical_or_cpu",
                                           "logical_xor_cpu"};
  BinaryOpSpec spec;
  spec.name = kNames[static_cast<int>(op)];
  spec.dtypes = [](const BinaryDtypeInfo& info) -> absl::StatusOr<BinaryDtypes> {
    return BinaryDtypes{info.common, ScalarType::kBool};
  };
  spec.kernel = [op](const Tensor& out, const Tensor& a, const Tensor& b) {
    return DispatchDtype<kBoolType | kRealTypes>(
        a.dtype(), kNames[static_cast<int>(op)], [&](auto tag) -> absl::Status {
          using T = typename decltype(tag)::type;
          using M = OpMath<T>;
          Map<bool, T, T>(out,
                          [op](T x, T y) {
                            const bool p = static_cast<M>(x) != M(0);
                            const bool q = static_cast<M>(y) != M(0);
                            switch (op) {
                              case Logical::kAnd:
                                return p && q;
                              case Logical::kOr:
                                return p || q;
                              case Logical::kXor:
                                return p != q;
                            }
                            return false;
                          },
                          {a, b});
          return absl::OkStatus();
        });
  };
  return spec;
}

}  // namespace

#define PTSER_DEFINE_BITWISE_(Name, op)                                         \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Tensor& other) {        \
    return RunBinary(BitwiseSpec(op), self, other);                             \
  }                                                                             \
  absl::StatusOr<Tensor> Name(const Tensor& self, const Scalar& other) {        \
    return RunBinary(BitwiseSpec(op), self, other);                             \
  }                                                                             \
  absl::Status Name##Inplace(const Tensor& self, const Tensor& other) {         \
    return RunBinaryInplace(BitwiseSpec(op), self, other);                      \
  }                                                                             \
  absl::Status Name##Inplace(const Tensor& self, const Scalar& other) {         \
    return RunBinaryInplace(BitwiseSpec(op), self, other);                      \
  }

PTSER_DEFINE_BITWISE_(BitwiseAnd, Bitwise::kAnd)
PTSER_DEFINE_BITWISE_(BitwiseOr, Bitwise::kOr)
PTSER_DEFINE_BITWISE_(BitwiseXor, Bitwise::kXor)
PTSER_DEFINE_BITWISE_(BitwiseLeftShift, Bitwise::kLeftShift)
PTSER_DEFINE_BITWISE_(BitwiseRightShift, Bitwise::kRightShift)

#undef PTSER_DEFINE_BITWISE_

absl::StatusOr<Tensor> LogicalAnd(const Tensor& self, const Tensor& other) {
  return RunBinary(LogicalSpec(Logical::kAnd), self, other);
}
absl::StatusOr<Tensor> LogicalOr(const Tensor& self, const Tensor& other) {
  return RunBinary(LogicalSpec(Logical::kOr), self, other);
}
absl::StatusOr<Tensor> LogicalXor(const Tensor& self, const Tensor& other) {
  return RunBinary(LogicalSpec(Logical::kXor), self, other);
}
absl::Status LogicalAndInplace(const Tensor& self, const Tensor& other) {
  return RunBinaryInplace(LogicalSpec(Logical::kAnd), self, other);
}
absl::Status LogicalOrInplace(const Tensor& self, const Tensor& other) {
  return RunBinaryInplace(LogicalSpec(Logical::kOr), self, other);
}
absl::Status LogicalXorInplace(const Tensor& self, const Tensor& other) {
  return RunBinaryInplace(LogicalSpec(Logical::kXor), self, other);
}

}  // namespace ptser
