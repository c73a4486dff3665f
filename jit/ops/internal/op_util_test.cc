// Copyright ptser authors.
//
// TorchScript's str() of values and libtorch's tensor text, against
// PyTorch 1.13: each expected string is what `str(x)` returned in a
// scripted function.

#include "jit/ops/internal/op_util.h"

#include <cmath>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/internal/tensor_text.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace jit {
namespace ops_internal {
namespace {

Tensor Floats(std::vector<float> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return *MakeTensor<float>(absl::Span<const float>(v), sizes);
}
Tensor Longs(std::vector<int64_t> v, std::vector<int64_t> sizes = {}) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(v.size())};
  return *MakeTensor<int64_t>(absl::Span<const int64_t>(v), sizes);
}

TEST(LibtorchTensorStrTest, MatchesPyTorch113) {
  EXPECT_EQ(LibtorchTensorStr(Floats({1.5, 2, 3, 4}, {2, 2})),
            " 1.5000  2.0000\n 3.0000  4.0000\n[ CPUFloatType{2,2} ]");
  EXPECT_EQ(LibtorchTensorStr(Longs({1, 2})), " 1\n 2\n[ CPULongType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(*Full({}, Scalar(2.5), ScalarType::kFloat)), "2.5\n[ CPUFloatType{} ]");
  EXPECT_EQ(LibtorchTensorStr(*Cast(Longs({1, 0}), ScalarType::kBool)), " 1\n 0\n[ CPUBoolType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(*Zeros({0})), "[ CPUFloatType{0} ]");
  EXPECT_EQ(LibtorchTensorStr(*Ones({2, 2, 2})),
            "(1,.,.) = \n  1  1\n  1  1\n\n(2,.,.) = \n  1  1\n  1  1\n[ CPUFloatType{2,2,2} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({0.1f, 100.25f, -3})),
            "   0.1000\n 100.2500\n  -3.0000\n[ CPUFloatType{3} ]");
  EXPECT_EQ(LibtorchTensorStr(*Cast(Floats({1, 2}), ScalarType::kDouble)),
            " 1\n 2\n[ CPUDoubleType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({123456.5f, 2.25f})),
            " 1.2346e+05\n 2.2500e+00\n[ CPUFloatType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(Longs({-1, 20, 300})), "  -1\n  20\n 300\n[ CPULongType{3} ]");
  EXPECT_EQ(LibtorchTensorStr(Longs({12345678901, 1})),
            " 1.2346e+10\n 1.0000e+00\n[ CPULongType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({NAN, 1.5f, INFINITY, -INFINITY})),
            "    nan\n 1.5000\n    inf\n   -inf\n[ CPUFloatType{4} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({NAN})), "nan\n[ CPUFloatType{1} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({0.001f, 0.002f})),
            "0.001 *\n 1.0000\n 2.0000\n[ CPUFloatType{2} ]");
  std::vector<float> wide;
  for (int i = 0; i < 30; ++i) wide.push_back(1.5f * static_cast<float>(i));
  EXPECT_EQ(LibtorchTensorStr(Floats(wide, {2, 15})),
            "Columns 1 to 8  0.0000   1.5000   3.0000   4.5000   6.0000   7.5000   9.0000  10.5000\n"
            " 22.5000  24.0000  25.5000  27.0000  28.5000  30.0000  31.5000  33.0000\n\n"
            "Columns 9 to 15 12.0000  13.5000  15.0000  16.5000  18.0000  19.5000  21.0000\n"
            " 34.5000  36.0000  37.5000  39.0000  40.5000  42.0000  43.5000\n"
            "[ CPUFloatType{2,15} ]");
  std::vector<int64_t> sixteen;
  for (int64_t i = 0; i < 16; ++i) sixteen.push_back(i);
  EXPECT_EQ(LibtorchTensorStr(Longs(sixteen, {2, 2, 2, 2})),
            "(1,1,.,.) = \n  0  1\n  2  3\n\n(2,1,.,.) = \n   8   9\n  10  11\n\n"
            "(1,2,.,.) = \n  4  5\n  6  7\n\n(2,2,.,.) = \n  12  13\n  14  15\n"
            "[ CPULongType{2,2,2,2} ]");
  EXPECT_EQ(LibtorchTensorStr(*Cast(Floats({1.5, 2}), ScalarType::kHalf)),
            " 1.5000\n 2.0000\n[ CPUHalfType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(*Cast(Longs({1, -2}), ScalarType::kChar)), " 1\n-2\n[ CPUCharType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(*Full({}, Scalar(int64_t{-3}), ScalarType::kLong)),
            "-3\n[ CPULongType{} ]");
  EXPECT_EQ(LibtorchTensorStr(*Full({}, Scalar(1234567.0), ScalarType::kFloat)),
            "1.23457e+06\n[ CPUFloatType{} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({1e-3f, 1e3f})),
            " 1.0000e-03\n 1.0000e+03\n[ CPUFloatType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({0, 0})), " 0\n 0\n[ CPUFloatType{2} ]");
  EXPECT_EQ(LibtorchTensorStr(Floats({1e6f, 2.5f, 3, 4}, {2, 2})),
            " 1.0000e+06  2.5000e+00\n 3.0000e+00  4.0000e+00\n[ CPUFloatType{2,2} ]");
  // A strided view prints its logical elements.
  EXPECT_EQ(LibtorchTensorStr(*Transpose(Longs({1, 2, 3, 4}, {2, 2}), 0, 1)),
            " 1  3\n 2  4\n[ CPULongType{2,2} ]");
}

TEST(ScriptStrTest, ValuesPrintAsC10Does) {
  EXPECT_EQ(ScriptStr(Value::Float(3.0)), "3.");
  EXPECT_EQ(ScriptStr(Value::Float(0.1)), "0.10000000000000001");
  EXPECT_EQ(ScriptStr(Value::Float(1e20)), "1e+20");
  EXPECT_EQ(ScriptStr(Value::Float(1e16)), "10000000000000000.");
  EXPECT_EQ(ScriptStr(Value::Float(-0.0)), "0.");
  EXPECT_EQ(ScriptStr(Value::Float(1e17)), "100000000000000000.");
  EXPECT_EQ(ScriptStr(Value::Float(1e19)), "1e+19");
  EXPECT_EQ(ScriptStr(Value::Float(-9223372036854775808.0)), "-9223372036854775808.");
  EXPECT_EQ(ScriptStr(Value::Float(9223372036854775808.0)), "9.2233720368547758e+18");
  EXPECT_EQ(ScriptStr(Value::Float(-INFINITY)), "-inf");
  EXPECT_EQ(ScriptStr(Value::Complex({1, 2})), "1.+2.j");
  EXPECT_EQ(ScriptStr(Value::NewList({Value::Str("q'"), Value::Str("a\"")})), "[q', a\"]");
  EXPECT_EQ(ScriptStr(Value::NewTuple({Value::Int(5)})), "(5,)");
  EXPECT_EQ(ScriptStr(Value::NewTuple({Value::NewTuple({Value::Int(1), Value::Str("a")}),
                                       Value::NewList({Value::Float(1.5)})})),
            "((1, a), [1.5])");
  EXPECT_EQ(ScriptStr(Value::FromDevice(Device("cuda", 1))), "cuda:1");
  EXPECT_EQ(ScriptStr(Value::Dtype(ScalarType::kFloat)), "6");
  EXPECT_EQ(ScriptStr(Value::NewList({Value::FromTensor(Floats({1e-5f, 1e5f}))})),
            "[ 1.0000e-05\n 1.0000e+05\n[ CPUFloatType{2} ]]");
}

}  // namespace
}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser
