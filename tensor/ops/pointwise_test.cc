// Copyright ptser authors.
//
// tensor/ops/pointwise_test.cc — pow, remainder, fmod, floor_divide,
// minimum/maximum, fmin/fmax, atan2 against PyTorch 1.13.

#include "tensor/ops/pointwise.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::IsNan;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(PowTest, IntegerTensors) {
  // i = torch.tensor([-7, 7, 3, 0])
  const Tensor i = T_<int64_t>({-7, 7, 3, 0});
  // torch.pow(i, 2) -> [49, 49, 9, 0] (int64)
  ASSERT_OK_AND_ASSIGN(Tensor p, Pow(i, Scalar(2)));
  EXPECT_EQ(p.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(p), ElementsAre(49, 49, 9, 0));
  EXPECT_THAT(Pow(i, Scalar(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Integers to negative integer powers are not allowed."));
  // torch.pow(i, 0.5) -> [nan, 2.6458, 1.7321, 0.0000] (float32)
  ASSERT_OK_AND_ASSIGN(Tensor r, Pow(i, Scalar(0.5)));
  EXPECT_EQ(r.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(r), ElementsAre(IsNan(), std::sqrt(7.0f), std::sqrt(3.0f), 0));
  // torch.pow(torch.tensor([2], dtype=torch.int32),
  //           torch.tensor([-1, 0, 3], dtype=torch.int32)) -> [0, 1, 8]
  ASSERT_OK_AND_ASSIGN(Tensor t, Pow(T_<int32_t>({2}), T_<int32_t>({-1, 0, 3})));
  EXPECT_EQ(t.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(t), ElementsAre(0, 1, 8));
  // Bases 1 and -1 to negative powers.
  EXPECT_THAT(Values<int64_t>(Pow(T_<int64_t>({1, -1, -1}), T_<int64_t>({-5, -2, -3}))),
              ElementsAre(1, 1, -1));
  // torch.pow(2, i) -> [0, 128, 8, 1]; torch.pow(2.0, i) is float32.
  EXPECT_THAT(Values<int64_t>(Pow(Scalar(2), i)), ElementsAre(0, 128, 8, 1));
  ASSERT_OK_AND_ASSIGN(Tensor f, Pow(Scalar(2.0), i));
  EXPECT_EQ(f.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(f), ElementsAre(0.0078125f, 128, 8, 1));
  // torch.pow(torch.tensor([True]), 2) -> tensor([1]) (int64)
  ASSERT_OK_AND_ASSIGN(Tensor b, Pow(T_<bool>({true}), Scalar(2)));
  EXPECT_EQ(b.dtype(), ScalarType::kLong);
}

TEST(PowTest, FloatShortcuts) {
  // torch.pow(torch.tensor([-0.0, -inf, 4]), 0.5) -> [-0., nan, 2.]
  ASSERT_OK_AND_ASSIGN(Tensor s, Pow(T_<float>({-0.0f, -kInf, 4}), Scalar(0.5)));
  std::vector<float> v = Values<float>(s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(v[0] == 0 && std::signbit(v[0]));
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_EQ(v[2], 2);
  // torch.pow(torch.tensor([-0.0, 2, 4]), -1) -> [-inf, 0.5000, 0.2500]
  EXPECT_THAT(Values<float>(Pow(T_<float>({-0.0f, 2, 4}), Scalar(-1))),
              ElementsAre(-kInf, 0.5f, 0.25f));
  // torch.pow(torch.tensor([-7.5, 7.5, 3., 0.]), 2) -> [56.25, 56.25, 9, 0]
  EXPECT_THAT(Values<float>(Pow(T_<float>({-7.5f, 7.5f, 3, 0}), Scalar(2))),
              ElementsAre(56.25f, 56.25f, 9, 0));
  EXPECT_THAT(Values<double>(Pow(T_<double>({2, 9}), T_<double>({10, 0.5}))),
              ElementsAre(1024, 3));
}

TEST(PowTest, Inplace) {
  Tensor base = T_<float>({1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(base, 0, 2));
  ASSERT_OK(PowInplace(tail, Scalar(2)));
  EXPECT_THAT(Values<float>(base), ElementsAre(1, 2, 9, 16));
  Tensor i = T_<int64_t>({2});
  EXPECT_THAT(PowInplace(i, Scalar(0.5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "result type Float can't be cast to the desired output type Long"));
  ASSERT_OK(PowInplace(i, T_<int64_t>({3})));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(8));
}

TEST(RemainderTest, PythonSigns) {
  // torch.remainder(torch.tensor([-7, 7, 3, 0]), 3) -> [2, 1, 0, 0]
  EXPECT_THAT(Values<int64_t>(Remainder(T_<int64_t>({-7, 7, 3, 0}), Scalar(3))),
              ElementsAre(2, 1, 0, 0));
  // x = [-7.5, 7.5, 3., 0.]; y = [2., -2, 0, 5]
  const Tensor x = T_<float>({-7.5f, 7.5f, 3, 0});
  const Tensor y = T_<float>({2, -2, 0, 5});
  // torch.remainder(x, y) -> [0.5, -0.5, nan, 0]; torch.fmod(x, y) -> [-1.5, 1.5, nan, 0]
  EXPECT_THAT(Values<float>(Remainder(x, y)), ElementsAre(0.5f, -0.5f, IsNan(), 0));
  EXPECT_THAT(Values<float>(Fmod(x, y)), ElementsAre(-1.5f, 1.5f, IsNan(), 0));
  // torch.fmod(torch.tensor([-7, 7, 3, 0]), -3) -> [-1, 1, 0, 0]
  EXPECT_THAT(Values<int64_t>(Fmod(T_<int64_t>({-7, 7, 3, 0}), Scalar(-3))),
              ElementsAre(-1, 1, 0, 0));
  // torch.remainder(torch.tensor([5., -5]), inf) -> [5., inf]
  EXPECT_THAT(Values<float>(Remainder(T_<float>({5, -5}), Scalar(double{kInf}))),
              ElementsAre(5, kInf));
  // torch.remainder(-7, torch.tensor([2, -2, 5])) -> [1, -1, 3]
  EXPECT_THAT(Values<int64_t>(Remainder(Scalar(-7), T_<int64_t>({2, -2, 5}))),
              ElementsAre(1, -1, 3));
  Tensor i = T_<int64_t>({-7, 7});
  EXPECT_THAT(RemainderInplace(i, T_<int64_t>({2, 0})),
              StatusIs(absl::StatusCode::kInvalidArgument, "ZeroDivisionError"));
  EXPECT_THAT(Values<int64_t>(i), ElementsAre(-7, 7));
}

TEST(FloorDivideTest, Floors) {
  // torch.floor_divide(torch.tensor([-7, 7, 3, 0]), 2) -> [-4, 3, 1, 0]
  EXPECT_THAT(Values<int64_t>(FloorDivide(T_<int64_t>({-7, 7, 3, 0}), Scalar(2))),
              ElementsAre(-4, 3, 1, 0));
  // torch.floor_divide(x, y) -> [-4., -4., inf, 0.]
  EXPECT_THAT(Values<float>(FloorDivide(T_<float>({-7.5f, 7.5f, 3, 0}), T_<float>({2, -2, 0, 5}))),
              ElementsAre(-4, -4, kInf, 0));
  // torch.floor_divide(torch.tensor([-7, 7, 3, 0]), 2.5) -> [-3., 2., 1., 0.]
  ASSERT_OK_AND_ASSIGN(Tensor f, FloorDivide(T_<int64_t>({-7, 7, 3, 0}), Scalar(2.5)));
  EXPECT_EQ(f.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(f), ElementsAre(-3, 2, 1, 0));
}

TEST(MinMaxTest, NanAndPromotion) {
  // torch.maximum(tensor([1., nan, 3]), tensor([2., 1, nan])) -> [2., nan, nan]
  // torch.fmax(...) -> [2., 1., 3.]
  const Tensor a = T_<float>({1, kNan, 3});
  const Tensor b = T_<float>({2, 1, kNan});
  EXPECT_THAT(Values<float>(Maximum(a, b)), ElementsAre(2, IsNan(), IsNan()));
  EXPECT_THAT(Values<float>(Minimum(a, b)), ElementsAre(1, IsNan(), IsNan()));
  EXPECT_THAT(Values<float>(Fmax(a, b)), ElementsAre(2, 1, 3));
  EXPECT_THAT(Values<float>(Fmin(a, b)), ElementsAre(1, 1, 3));
  // torch.maximum(tensor([-7, 7, 3, 0]), tensor(2.5)) -> [2.5, 7, 3, 2.5] (float32)
  ASSERT_OK_AND_ASSIGN(Tensor m, Maximum(T_<int64_t>({-7, 7, 3, 0}), Scalar0<float>(2.5f)));
  EXPECT_EQ(m.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(m), ElementsAre(2.5f, 7, 3, 2.5f));
  EXPECT_THAT(Values<bool>(Maximum(T_<bool>({true, false}), T_<bool>({false, false}))),
              ElementsAre(true, false));
}

TEST(Atan2Test, Quadrants) {
  // torch.atan2(torch.tensor([-7, 7, 3, 0]), torch.tensor([2, -2, 0, 5]))
  //   -> [-1.2925, 1.8491, 1.5708, 0.0000] (float32)
  ASSERT_OK_AND_ASSIGN(Tensor r, Atan2(T_<int64_t>({-7, 7, 3, 0}), T_<int64_t>({2, -2, 0, 5})));
  EXPECT_EQ(r.dtype(), ScalarType::kFloat);
  EXPECT_THAT(Values<float>(r), ElementsAre(FloatNear(-1.29249668f, 1e-6f),
                                            FloatNear(1.84909594f, 1e-6f),
                                            FloatNear(1.57079637f, 1e-6f), 0));
}

}  // namespace
}  // namespace ptser
