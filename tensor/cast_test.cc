// Copyright ptser authors.
//
// Expected values were produced by PyTorch 1.13 (x86-64 CPU), e.g.
// torch.tensor([...], dtype=torch.float32).to(torch.int8).tolist().

#include "tensor/cast.h"

#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/half.h"
#include "tensor/scalar.h"
#include "tensor/tensor.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

// Floats that exercise truncation, wrapping and out-of-range conversions.
const std::vector<float> kFloats = {
    1.5f,  -1.5f,  2.7f, -2.7f, 300.f, -300.f, 1e10f, -1e10f, 1e20f, kNaN,
    kInf,  -kInf,  127.9f, -128.9f, 65535.5f, 70000.f, 2147483648.f,
    -2147483649.f};

template <typename T>
std::vector<int64_t> CastFloatsTo() {
  Tensor src = *MakeTensor<float>(kFloats);
  absl::StatusOr<Tensor> out = Cast(src, kScalarTypeOf<T>);
  EXPECT_TRUE(out.ok()) << out.status();
  return *ToVector<int64_t>(*out);
}

TEST(CastTest, FloatToInt8) {
  EXPECT_THAT(CastFloatsTo<int8_t>(),
              ElementsAre(1, -1, 2, -2, 44, -44, 0, 0, 0, 0, 0, 0, 127, -128,
                          -1, 112, 0, 0));
}

TEST(CastTest, FloatToUInt8) {
  EXPECT_THAT(CastFloatsTo<uint8_t>(),
              ElementsAre(1, 255, 2, 254, 44, 212, 0, 0, 0, 0, 0, 0, 127, 128,
                          255, 112, 0, 0));
}

TEST(CastTest, FloatToInt16) {
  EXPECT_THAT(CastFloatsTo<int16_t>(),
              ElementsAre(1, -1, 2, -2, 300, -300, 0, 0, 0, 0, 0, 0, 127, -128,
                          -1, 4464, 0, 0));
}

TEST(CastTest, FloatToInt32) {
  EXPECT_THAT(CastFloatsTo<int32_t>(),
              ElementsAre(1, -1, 2, -2, 300, -300, kInt32Min, kInt32Min,
                          kInt32Min, kInt32Min, kInt32Min, kInt32Min, 127,
                          -128, 65535, 70000, kInt32Min, kInt32Min));
}

TEST(CastTest, FloatToInt64) {
  EXPECT_THAT(CastFloatsTo<int64_t>(),
              ElementsAre(1, -1, 2, -2, 300, -300, 10000000000,
                          -10000000000, kInt64Min, kInt64Min, kInt64Min,
                          kInt64Min, 127, -128, 65535, 70000, 2147483648,
                          -2147483648));
}

TEST(CastTest, DoubleToNarrowIntegers) {
  // uint8 goes through int64, int8/int16 through int32.
  Tensor d = *MakeTensor<double>({2573673607.2, -2147483649.0, 5000000007.0,
                                  -5000000007.0, 3e9 + 77});
  EXPECT_THAT(*ToVector<int64_t>(*Cast(d, ScalarType::kByte)),
              ElementsAre(135, 255, 7, 249, 77));
  EXPECT_THAT(*ToVector<int64_t>(*Cast(d, ScalarType::kChar)),
              ElementsAre(0, 0, 0, 0, 0));
  EXPECT_THAT(*ToVector<int64_t>(*Cast(d, ScalarType::kShort)),
              ElementsAre(0, 0, 0, 0, 0));
}

TEST(CastTest, FloatToBool) {
  Tensor src = *MakeTensor<float>({0.f, -0.f, 0.5f, kNaN, -kInf});
  ASSERT_OK_AND_ASSIGN(Tensor b, Cast(src, ScalarType::kBool));
  EXPECT_EQ(b.dtype(), ScalarType::kBool);
  EXPECT_THAT(*ToVector<bool>(b), ElementsAre(false, false, true, true, true));
}

TEST(CastTest, IntegerWrapping) {
  Tensor src = *MakeTensor<int64_t>({-1, 256, 300, (int64_t{1} << 40) + 5});
  EXPECT_THAT(*ToVector<int64_t>(*Cast(src, ScalarType::kByte)),
              ElementsAre(255, 0, 44, 5));
  EXPECT_THAT(*ToVector<int64_t>(*Cast(src, ScalarType::kChar)),
              ElementsAre(-1, 0, 44, 5));
  // int64 -> float32 rounds directly (not through double).
  Tensor big = *MakeTensor<int64_t>({(int64_t{1} << 60) + 1, 16777217});
  EXPECT_THAT(*ToVector<double>(*Cast(big, ScalarType::kFloat)),
              ElementsAre(1.152921504606847e+18, 16777216.0));
  EXPECT_THAT(*ToVector<float>(*Cast(big, ScalarType::kHalf)),
              ElementsAre(kInf, kInf));
}

TEST(CastTest, ToHalfAndBFloat16) {
  Tensor src = *MakeTensor<float>({1.5f, 2.7f, 1e10f, 127.9f, 70000.f});
  EXPECT_THAT(*ToVector<float>(*Cast(src, ScalarType::kHalf)),
              ElementsAre(1.5f, 2.69921875f, kInf, 127.875f, kInf));
  EXPECT_THAT(*ToVector<float>(*Cast(src, ScalarType::kBFloat16)),
              ElementsAre(1.5f, 2.703125f, 9999220736.0f, 128.0f, 70144.0f));
  // double -> half goes through float: 65519.99999 -> 65520.0f -> inf.
  Tensor d = *MakeTensor<double>({1.0000001, 65504.00000001, 65519.99999});
  EXPECT_THAT(*ToVector<float>(*Cast(d, ScalarType::kHalf)),
              ElementsAre(1.0f, 65504.0f, kInf));
  // Half -> int truncates.
  Tensor h = *MakeTensor<Half>({Half(-2.5f), Half(300.0f)});
  EXPECT_THAT(*ToVector<int64_t>(*Cast(h, ScalarType::kChar)),
              ElementsAre(-2, 44));
}

TEST(CastTest, Complex) {
  using C = std::complex<float>;
  Tensor c = *MakeTensor<C>({C(1, 2), C(0, 1), C(0, 0), C(-2.5f, 0)});
  EXPECT_THAT(*ToVector<float>(*Cast(c, ScalarType::kFloat)),
              ElementsAre(1, 0, 0, -2.5f));  // real part
  EXPECT_THAT(*ToVector<int64_t>(*Cast(c, ScalarType::kLong)),
              ElementsAre(1, 0, 0, -2));
  // Nonzero in either part is true (PyTorch 1.13 checks the real part only).
  EXPECT_THAT(*ToVector<bool>(*Cast(c, ScalarType::kBool)),
              ElementsAre(true, true, false, true));
  ASSERT_OK_AND_ASSIGN(Tensor c128, Cast(c, ScalarType::kComplexDouble));
  EXPECT_THAT(*ToVector<std::complex<double>>(c128),
              ElementsAre(std::complex<double>(1, 2), std::complex<double>(0, 1),
                          std::complex<double>(0, 0),
                          std::complex<double>(-2.5, 0)));
  ASSERT_OK_AND_ASSIGN(Tensor c32, Cast(c, ScalarType::kComplexHalf));
  EXPECT_EQ(c32.itemsize(), 4u);
  EXPECT_THAT(*ToVector<C>(c32), ElementsAreArray(*ToVector<C>(c)));
  Tensor b = *MakeTensor<bool>({true, false});
  EXPECT_THAT(*ToVector<C>(*Cast(b, ScalarType::kComplexFloat)),
              ElementsAre(C(1, 0), C(0, 0)));
}

TEST(CastTest, SameDtypeIsTheTensorItself) {
  Tensor t = *Arange(0, 6);
  ASSERT_OK_AND_ASSIGN(Tensor same, Cast(t, ScalarType::kLong));
  EXPECT_TRUE(same.IsSameAs(t));
}

TEST(CastTest, PreservesLayoutAndResolvesBits) {
  Tensor x = *View(*Arange(0, 24, 1, ScalarType::kFloat), {2, 3, 4});
  Tensor t = *Transpose(x, 0, 2);
  ASSERT_OK_AND_ASSIGN(Tensor d, Cast(t, ScalarType::kDouble));
  EXPECT_THAT(d.strides(), ElementsAre(1, 4, 12));
  EXPECT_EQ(*ToVector<double>(d), *ToVector<double>(t));
  Tensor sliced = *Slice(t, 0, std::nullopt, std::nullopt, 2);
  ASSERT_OK_AND_ASSIGN(Tensor ds, Cast(sliced, ScalarType::kDouble));
  EXPECT_THAT(ds.strides(), ElementsAre(1, 2, 6));

  using C = std::complex<float>;
  Tensor c = *MakeTensor<C>({C(1, 2), C(3, -1)});
  c.set_conj(true);
  ASSERT_OK_AND_ASSIGN(Tensor cd, Cast(c, ScalarType::kComplexDouble));
  EXPECT_FALSE(cd.is_conj());
  EXPECT_THAT(*ToVector<std::complex<double>>(cd),
              ElementsAre(std::complex<double>(1, -2),
                          std::complex<double>(3, 1)));
  Tensor n = *MakeTensor<float>({-2, 1});
  n.set_neg(true);
  EXPECT_THAT(*ToVector<double>(*Cast(n, ScalarType::kDouble)),
              ElementsAre(2, -1));
}

TEST(CastTest, RequiresGradOnlyForFloatingResults) {
  Tensor x = *MakeTensor<float>({1, 2});
  x.set_requires_grad(true);
  x.set_is_parameter(true);
  ASSERT_OK_AND_ASSIGN(Tensor d, Cast(x, ScalarType::kDouble));
  EXPECT_TRUE(d.requires_grad());
  EXPECT_FALSE(d.is_parameter());
  ASSERT_OK_AND_ASSIGN(Tensor i, Cast(x, ScalarType::kLong));
  EXPECT_FALSE(i.requires_grad());
}

TEST(CastTest, UnsupportedDtypes) {
  Tensor x = *MakeTensor<float>({1, 2});
  EXPECT_THAT(Cast(x, ScalarType::kQInt8),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("qint8")));
  EXPECT_THAT(Cast(*Zeros({2}, ScalarType::kFloat8_e4m3fn), ScalarType::kFloat),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("float8_e4m3fn")));
  EXPECT_TRUE(IsCastSupported(ScalarType::kUInt64));
  EXPECT_FALSE(IsCastSupported(ScalarType::kBits8));
  Storage gpu = Storage::Borrow(nullptr, 8, nullptr, Device("cuda", 0));
  Tensor on_gpu = *Tensor::Make(gpu, ScalarType::kFloat, 0, {2}, {1});
  EXPECT_THAT(Cast(on_gpu, ScalarType::kDouble),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(CastTest, ZeroAndEmptyTensors) {
  Tensor e = *Empty({0, 3});
  ASSERT_OK_AND_ASSIGN(Tensor c, Cast(e, ScalarType::kHalf));
  EXPECT_THAT(c.sizes(), ElementsAre(0, 3));
  EXPECT_TRUE(ToVector<float>(c)->empty());
  Tensor s = *Full({}, 2.5);
  ASSERT_OK_AND_ASSIGN(Tensor si, Cast(s, ScalarType::kInt));
  EXPECT_EQ(si.dim(), 0);
  EXPECT_THAT(*ToVector<int32_t>(si), ElementsAre(2));
}

TEST(CastTest, CopyToBufferChecksTheSize) {
  Tensor x = *MakeTensor<float>({1, 2, 3});
  double out[3];
  EXPECT_OK(CopyToBuffer(x, ScalarType::kDouble, out, sizeof(out)));
  EXPECT_EQ(out[2], 3.0);
  EXPECT_THAT(CopyToBuffer(x, ScalarType::kDouble, out, 16),
              StatusIs(kInvalid, HasSubstr("too small")));
}

// ------------------------------------------------------- element access ---

TEST(ElementTest, LoadAndStoreScalars) {
  unsigned char buf[16] = {};
  ASSERT_OK(StoreScalar(buf + 1, ScalarType::kHalf, 1.5));
  EXPECT_EQ(LoadHalf(buf + 1), 1.5f);
  ASSERT_OK_AND_ASSIGN(Scalar h, LoadScalar(buf + 1, ScalarType::kHalf));
  EXPECT_TRUE(h.is_floating_point());
  EXPECT_EQ(h.to_double(), 1.5);
  ASSERT_OK(StoreScalar(buf, ScalarType::kBool, 7));
  EXPECT_EQ(buf[0], 1);
  ASSERT_OK_AND_ASSIGN(Scalar b, LoadScalar(buf, ScalarType::kBool));
  EXPECT_TRUE(b.is_bool());
  ASSERT_OK(StoreScalar(buf, ScalarType::kLong, 3.7));  // truncates
  EXPECT_EQ(LoadScalar(buf, ScalarType::kLong)->to_int64(), 3);
  ASSERT_OK(StoreScalar(buf, ScalarType::kByte, -255));  // wraps, allowed
  EXPECT_EQ(buf[0], 1);
  ASSERT_OK(StoreScalar(buf, ScalarType::kComplexFloat,
                        std::complex<double>(1, -2)));
  ASSERT_OK_AND_ASSIGN(Scalar c, LoadScalar(buf, ScalarType::kComplexFloat));
  EXPECT_EQ(c.to_complex(), std::complex<double>(1, -2));
  ASSERT_OK(StoreScalar(buf, ScalarType::kFloat, std::complex<double>(4, 0)));
  EXPECT_EQ(LoadScalar(buf, ScalarType::kFloat)->to_double(), 4.0);
  ASSERT_OK(StoreScalar(buf, ScalarType::kFloat, kInf));  // inf is allowed
  EXPECT_THAT(LoadScalar(buf, ScalarType::kQInt8),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(ElementTest, StoreScalarOverflowMatchesPyTorch) {
  unsigned char buf[16];
  EXPECT_THAT(StoreScalar(buf, ScalarType::kByte, 300),
              StatusIs(kInvalid, "value 300 cannot be converted to type "
                                 "uint8_t without overflow"));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kByte, -256),
              StatusIs(kInvalid, HasSubstr("uint8_t")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kByte, 255.9),
              StatusIs(kInvalid, HasSubstr("uint8_t")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kByte, -1.0),
              StatusIs(kInvalid, HasSubstr("uint8_t")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kHalf, int64_t{1} << 62),
              StatusIs(kInvalid, HasSubstr("at::Half")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kLong, 9223372036854775808.0),
              StatusIs(kInvalid, HasSubstr("int64_t")));
  EXPECT_OK(StoreScalar(buf, ScalarType::kByte, 255.5 - 0.5));
  EXPECT_OK(StoreScalar(buf, ScalarType::kHalf, static_cast<double>(kNaN)));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kChar, 128),
              StatusIs(kInvalid, HasSubstr("int8_t")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kLong, 1e20),
              StatusIs(kInvalid, HasSubstr("int64_t")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kInt, static_cast<double>(kNaN)),
              StatusIs(kInvalid, HasSubstr("type int without")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kFloat, 1e300),
              StatusIs(kInvalid, HasSubstr("type float without")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kHalf, 65504.5),
              StatusIs(kInvalid, HasSubstr("at::Half")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kHalf, 70000),
              StatusIs(kInvalid, HasSubstr("at::Half")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kBFloat16, 1e39),
              StatusIs(kInvalid, HasSubstr("at::BFloat16")));
  EXPECT_THAT(StoreScalar(buf, ScalarType::kFloat, std::complex<double>(1, 2)),
              StatusIs(kInvalid, HasSubstr("type float without")));
  EXPECT_THAT(
      StoreScalar(buf, ScalarType::kComplexFloat, std::complex<double>(1e300, 0)),
      StatusIs(kInvalid, HasSubstr("c10::complex<float>")));
  // bool never overflows.
  EXPECT_OK(StoreScalar(buf, ScalarType::kBool, std::complex<double>(0, 2)));
  EXPECT_EQ(buf[0], 1);
}

TEST(ElementTest, GetAndSetElement) {
  Tensor x = *View(*Arange(0, 6), {2, 3});
  ASSERT_OK_AND_ASSIGN(Scalar v, GetElement(x, {1, -1}));
  EXPECT_TRUE(v.is_integral());
  EXPECT_EQ(v.to_int64(), 5);
  ASSERT_OK(SetElement(x, {0, 1}, 42));
  EXPECT_THAT(*ToVector<int64_t>(x), ElementsAre(0, 42, 2, 3, 4, 5));
  Tensor s = *Full({}, 2.5);
  EXPECT_EQ(GetElement(s, {})->to_double(), 2.5);
  EXPECT_THAT(GetElement(x, {2, 0}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "index 2 is out of bounds for dimension 0 with size 2"));
  EXPECT_THAT(GetElement(x, {0}),
              StatusIs(kInvalid, HasSubstr("expected 2 indices")));
  Tensor u8 = *Zeros({2}, ScalarType::kByte);
  EXPECT_THAT(SetElement(u8, {0}, 300),
              StatusIs(kInvalid, HasSubstr("uint8_t without overflow")));
}

TEST(ElementTest, ElementsThroughNegAndConjBits) {
  using C = std::complex<float>;
  Tensor c = *MakeTensor<C>({C(1, 2)});
  c.set_conj(true);
  EXPECT_EQ(GetElement(c, {0})->to_complex(), std::complex<double>(1, -2));
  ASSERT_OK(SetElement(c, {0}, std::complex<double>(5, 6)));
  c.set_conj(false);
  EXPECT_EQ(GetElement(c, {0})->to_complex(), std::complex<double>(5, -6));
  Tensor n = *MakeTensor<int8_t>({-128, 3});
  n.set_neg(true);
  EXPECT_EQ(GetElement(n, {0})->to_int64(), -128);  // wraps in int8
  EXPECT_EQ(GetElement(n, {1})->to_int64(), -3);
}

TEST(ElementTest, ReadOnlyStorage) {
  static int64_t kData[2] = {7, 8};
  Storage ro = Storage::Borrow(kData, sizeof(kData), nullptr, Device::Cpu(),
                               /*read_only=*/true);
  Tensor t = *Tensor::Make(ro, ScalarType::kLong, 0, {2}, {1});
  EXPECT_EQ(GetElement(t, {1})->to_int64(), 8);
  EXPECT_THAT(SetElement(t, {1}, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(*ToVector<int64_t>(t), ElementsAre(7, 8));
}

}  // namespace
}  // namespace ptser
