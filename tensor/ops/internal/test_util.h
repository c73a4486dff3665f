// Copyright ptser authors.
//
// tensor/ops/internal/test_util.h — terse tensor construction for tests
// (testonly).
//
//   Tensor a = T<float>({1, 2, 3, 4}, {2, 2});
//   EXPECT_THAT(Values<float>(a), ElementsAre(1, 2, 3, 4));
//
// Failures are reported as gtest failures (ADD_FAILURE) and give an empty
// tensor / vector, so a test keeps going and shows every problem.
#ifndef PTSER_TENSOR_OPS_INTERNAL_TEST_UTIL_H_
#define PTSER_TENSOR_OPS_INTERNAL_TEST_UTIL_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/tensor.h"

namespace ptser {
namespace testing_util {

// A contiguous tensor holding `values` with shape `shape` (1-D when
// omitted; for a 0-dim tensor pass std::vector<int64_t>{}).  Two overloads,
// not an optional shape: GCC 12's -Wmaybe-uninitialized misreads an
// optional<vector> temporary once the callee is inlined (under UBSan).
template <typename T>
Tensor T_(const std::vector<T>& values, const std::vector<int64_t>& shape) {
  absl::StatusOr<Tensor> t;
  if constexpr (std::is_same_v<T, bool>) {
    std::unique_ptr<bool[]> copy(new bool[values.size() + 1]);
    for (size_t i = 0; i < values.size(); ++i) copy[i] = values[i];
    t = MakeTensor<bool>(absl::Span<const bool>(copy.get(), values.size()),
                         shape);
  } else {
    t = MakeTensor<T>(absl::Span<const T>(values), shape);
  }
  if (!t.ok()) {
    ADD_FAILURE() << "MakeTensor: " << t.status();
    return Tensor();
  }
  return *std::move(t);
}
template <typename T>
Tensor T_(const std::vector<T>& values) {
  return T_<T>(values, std::vector<int64_t>{static_cast<int64_t>(values.size())});
}

// A 1-D bool tensor whose storage holds `bytes` as they are, as
// torch.frombuffer(bytes, dtype=torch.bool) gives: a file may store any
// byte for a bool, and every nonzero byte is True.
inline Tensor BoolBytes(const std::vector<uint8_t>& bytes) {
  Tensor t = T_<bool>(std::vector<bool>(bytes.size(), false));
  if (!bytes.empty()) std::memcpy(t.mutable_data(), bytes.data(), bytes.size());
  return t;
}

// A 0-dim tensor.
template <typename T>
Tensor Scalar0(T value) {
  return T_<T>(std::vector<T>{value}, std::vector<int64_t>{});
}

// t's elements in row-major order, converted to T.
template <typename T>
std::vector<T> Values(const absl::StatusOr<Tensor>& t) {
  if (!t.ok()) {
    ADD_FAILURE() << "tensor is an error: " << t.status();
    return {};
  }
  absl::StatusOr<std::vector<T>> v = ToVector<T>(*t);
  if (!v.ok()) {
    ADD_FAILURE() << "ToVector: " << v.status();
    return {};
  }
  return *std::move(v);
}
template <typename T>
std::vector<T> Values(const Tensor& t) {
  return Values<T>(absl::StatusOr<Tensor>(t));
}

// Matches an OK StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "") {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace testing_util
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_TEST_UTIL_H_
