// Copyright ptser authors.

#include "tensor/tensor.h"

#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/scalar_type.h"
#include "tensor/storage.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Storage Bytes(size_t n) {
  absl::StatusOr<Storage> s = Storage::Allocate(n);
  EXPECT_TRUE(s.ok());
  return *s;
}

TEST(TensorTest, DefaultTensor) {
  Tensor t;
  EXPECT_EQ(t.dtype(), ScalarType::kFloat);
  EXPECT_THAT(t.sizes(), ElementsAre(0));
  EXPECT_THAT(t.strides(), ElementsAre(1));
  EXPECT_EQ(t.numel(), 0);
  EXPECT_EQ(t.dim(), 1);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_TRUE(t.device().is_cpu());
  EXPECT_FALSE(t.requires_grad());
  EXPECT_FALSE(t.quantizer().has_value());
}

TEST(TensorTest, MakeViewsTheStorage) {
  Storage s = Bytes(48);  // 12 floats
  ASSERT_OK_AND_ASSIGN(Tensor t,
                       Tensor::Make(s, ScalarType::kFloat, 2, {2, 3}, {4, 1}));
  EXPECT_TRUE(t.storage().IsSameAs(s));
  EXPECT_EQ(t.storage_offset(), 2);
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.itemsize(), 4u);
  EXPECT_EQ(t.data(), static_cast<const char*>(s.data()) + 8);
  EXPECT_EQ(t.mutable_data(), static_cast<char*>(s.mutable_data()) + 8);
  EXPECT_FALSE(t.is_contiguous());
  // Highest element: 2 + 1*4 + 2*1 = 8 -> needs 9 floats = 36 bytes.
  EXPECT_OK(Tensor::Make(s, ScalarType::kFloat, 3, {3, 3}, {3, 1}));
}

TEST(TensorTest, MakeExactFitAndOneTooMany) {
  Storage s = Bytes(40);
  EXPECT_OK(Tensor::Make(s, ScalarType::kFloat, 0, {10}, {1}));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 1, {10}, {1}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("requires a storage of 44 bytes, out of "
                                 "bounds for a storage of 40 bytes")));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kDouble, 0, {2, 3}, {3, 1}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("48 bytes")));
}

TEST(TensorTest, MakeRejectsBadLayouts) {
  Storage s = Bytes(64);
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 0, {2, 2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("different lengths")));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, -1, {2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid storage offset -1")));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 0, {-2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("negative dimension -2")));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 4, {2}, {-1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("negative strides")));
  EXPECT_THAT(Tensor::Make(s, static_cast<ScalarType>(77), 0, {2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid dtype code 77")));
}

TEST(TensorTest, PackedQuantizedDtypesNeedCeilBytesAndContiguity) {
  // quint4x2: 15 values in 8 bytes; quint2x4: 7 values in 2 bytes.
  ASSERT_OK_AND_ASSIGN(Tensor q4, Tensor::Make(Bytes(8), ScalarType::kQUInt4x2, 0, {5, 3}, {3, 1}));
  EXPECT_EQ(q4.numel(), 15);
  EXPECT_OK(Tensor::Make(Bytes(2), ScalarType::kQUInt2x4, 0, {7}, {1}).status());
  EXPECT_THAT(Tensor::Make(Bytes(7), ScalarType::kQUInt4x2, 0, {5, 3}, {3, 1}),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("15 quint4x2 values need 8 bytes, out of bounds for a "
                                 "storage of 7 bytes")));
  // What PyTorch cannot view either: an offset, or a non-contiguous layout.
  EXPECT_THAT(Tensor::Make(Bytes(8), ScalarType::kQUInt4x2, 3, {4, 3}, {3, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("quint4x2 packs 2 values per byte: only a contiguous tensor at "
                                 "offset 0")));
  EXPECT_THAT(Tensor::Make(Bytes(8), ScalarType::kQUInt4x2, 0, {3, 5}, {1, 3}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("contiguous")));
  EXPECT_OK(Tensor::Make(Bytes(0), ScalarType::kQUInt4x2, 0, {0, 3}, {3, 1}).status());
}

TEST(TensorTest, MakeRejectsOverflowingArithmetic) {
  Storage s = Bytes(64);
  // (size-1)*stride overflows.
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 0, {3}, {kMax / 2 + 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows int64")));
  // offset + extent overflows.
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, kMax, {2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows int64")));
  // extent * itemsize overflows.
  EXPECT_THAT(Tensor::Make(s, ScalarType::kDouble, kMax / 4, {1}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows int64")));
  // numel overflows even though an expanded layout addresses 1 element.
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 0, {int64_t{1} << 40,
                                                      int64_t{1} << 40},
                           {0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflowed")));
  // Huge but finite: past the storage.
  EXPECT_THAT(Tensor::Make(s, ScalarType::kFloat, 0, {2}, {kMax / 8}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("64 bytes")));
}

TEST(TensorTest, ZeroElementTensorsAreAlwaysInRange) {
  Storage empty;
  EXPECT_OK(Tensor::Make(empty, ScalarType::kFloat, 0, {0}, {1}));
  ASSERT_OK_AND_ASSIGN(
      Tensor t, Tensor::Make(empty, ScalarType::kFloat, 1000, {3, 0}, {kMax, 1}));
  EXPECT_EQ(t.numel(), 0);
  EXPECT_TRUE(t.is_contiguous());
  // The data pointer never leaves the (empty) buffer.
  EXPECT_EQ(t.data(), empty.data());
}

TEST(TensorTest, ZeroDim) {
  Storage s = Bytes(8);
  ASSERT_OK_AND_ASSIGN(Tensor t,
                       Tensor::Make(s, ScalarType::kLong, 0, {}, {}));
  EXPECT_EQ(t.dim(), 0);
  EXPECT_EQ(t.numel(), 1);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_THAT(t.size(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                  "Dimension specified as 0 but tensor has no "
                                  "dimensions"));
  EXPECT_THAT(Tensor::Make(s, ScalarType::kLong, 1, {}, {}),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("16 bytes")));
}

TEST(TensorTest, SizeAndStrideWrapNegativeDims) {
  Storage s = Bytes(96);
  ASSERT_OK_AND_ASSIGN(
      Tensor t, Tensor::Make(s, ScalarType::kFloat, 0, {2, 3, 4}, {12, 4, 1}));
  EXPECT_EQ(*t.size(-1), 4);
  EXPECT_EQ(*t.size(0), 2);
  EXPECT_EQ(*t.stride(-3), 12);
  EXPECT_THAT(t.size(3), StatusIs(absl::StatusCode::kInvalidArgument,
                                  "Dimension out of range (expected to be in "
                                  "range of [-3, 2], but got 3)"));
  EXPECT_THAT(t.stride(-4), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("but got -4")));
}

TEST(TensorTest, ContiguousStrides) {
  EXPECT_THAT(Tensor::ContiguousStrides({2, 3, 4}), ElementsAre(12, 4, 1));
  EXPECT_THAT(Tensor::ContiguousStrides({}), ElementsAre());
  // Size 0 and 1 count as 1 (PyTorch).
  EXPECT_THAT(Tensor::ContiguousStrides({2, 0, 5}), ElementsAre(5, 5, 1));
  EXPECT_THAT(Tensor::ContiguousStrides({3, 1, 1}), ElementsAre(1, 1, 1));
}

TEST(TensorTest, IsContiguous) {
  Storage s = Bytes(400);
  auto make = [&](std::vector<int64_t> sizes, std::vector<int64_t> strides) {
    return *Tensor::Make(s, ScalarType::kFloat, 0, sizes, strides);
  };
  EXPECT_TRUE(make({2, 3}, {3, 1}).is_contiguous());
  EXPECT_FALSE(make({2, 3}, {1, 2}).is_contiguous());
  // Size-1 dims may have any stride.
  EXPECT_TRUE(make({2, 1, 3}, {3, 99, 1}).is_contiguous());
  EXPECT_FALSE(make({2, 3}, {6, 2}).is_contiguous());
  EXPECT_TRUE(make({2, 0}, {7, 7}).is_contiguous());
  EXPECT_FALSE(make({3}, {0}).is_contiguous());
}

TEST(TensorTest, IsSameAs) {
  Storage s = Bytes(48);
  Tensor a = *Tensor::Make(s, ScalarType::kFloat, 0, {12}, {1});
  Tensor b = a;
  EXPECT_TRUE(a.IsSameAs(b));
  EXPECT_FALSE(a.IsSameAs(*Tensor::Make(s, ScalarType::kFloat, 0, {6}, {1})));
  EXPECT_FALSE(a.IsSameAs(*Tensor::Make(s, ScalarType::kInt, 0, {12}, {1})));
  EXPECT_FALSE(a.IsSameAs(*Tensor::Make(Bytes(48), ScalarType::kFloat, 0, {12},
                                        {1})));
}

TEST(TensorTest, Flags) {
  Tensor t;
  t.set_requires_grad(true);
  t.set_is_parameter(true);
  t.set_conj(true);
  t.set_neg(true);
  Quantizer q;
  q.scale = 0.5;
  t.set_quantizer(q);
  EXPECT_TRUE(t.requires_grad());
  EXPECT_TRUE(t.is_parameter());
  EXPECT_TRUE(t.is_conj());
  EXPECT_TRUE(t.is_neg());
  ASSERT_TRUE(t.quantizer().has_value());
  EXPECT_EQ(t.quantizer()->scale, 0.5);
}

TEST(TensorTest, WrapDim) {
  EXPECT_EQ(*WrapDim(-1, 3), 2);
  EXPECT_EQ(*WrapDim(0, 0), 0);
  EXPECT_EQ(*WrapDim(-1, 0), 0);
  EXPECT_THAT(WrapDim(1, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                      "Dimension out of range (expected to be "
                                      "in range of [-1, 0], but got 1)"));
  EXPECT_THAT(WrapDim(0, 0, /*wrap_scalar=*/false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no dimensions")));
}

TEST(TensorTest, CheckedNumel) {
  EXPECT_EQ(*CheckedNumel({}), 1);
  EXPECT_EQ(*CheckedNumel({2, 3}), 6);
  EXPECT_EQ(*CheckedNumel({2, 0}), 0);
  EXPECT_THAT(CheckedNumel({-1, 2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Trying to create tensor with negative dimension -1: "
                       "[-1, 2]"));
  // Overflow is an error even with a 0 size (PyTorch checks the product).
  EXPECT_THAT(CheckedNumel({int64_t{1} << 40, int64_t{1} << 40, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Storage size calculation overflowed with "
                       "sizes=[1099511627776, 1099511627776, 0]"));
  EXPECT_EQ(ShapeToString({1, -2, 3}), "[1, -2, 3]");
}

// ---- typed access: data<T>() and span<T>() --------------------------------

Tensor FloatMatrix() {
  absl::StatusOr<Storage> s = Storage::Allocate(6 * sizeof(float));
  EXPECT_OK(s.status());
  float* p = static_cast<float*>(s->mutable_data());
  for (int i = 0; i < 6; ++i) p[i] = static_cast<float>(i);
  absl::StatusOr<Tensor> t = Tensor::Make(*s, ScalarType::kFloat, 0, {2, 3}, {3, 1});
  EXPECT_OK(t.status());
  return *t;
}

TEST(TensorTypedAccessTest, RightTypeGivesTheElements) {
  Tensor t = FloatMatrix();
  ASSERT_OK_AND_ASSIGN(float* p, t.data<float>());
  EXPECT_EQ(p[4], 4.0f);
  ASSERT_OK_AND_ASSIGN(absl::Span<const float> all, t.span<const float>());
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[5], 5.0f);
  // Writing through a copy of the handle shows in the original.
  Tensor copy = t;
  ASSERT_OK_AND_ASSIGN(absl::Span<float> w, copy.span<float>());
  w[0] = 42.0f;
  EXPECT_EQ(all[0], 42.0f);
}

TEST(TensorTypedAccessTest, WrongTypeIsRefusedNamingBoth) {
  Tensor t = FloatMatrix();
  EXPECT_THAT(t.data<int64_t>().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "data<int64_t>(): the tensor's dtype is torch.float32, whose elements are "
                       "float, not int64_t"));
  EXPECT_THAT(t.span<double>().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("not double")));
  absl::StatusOr<Storage> q = Storage::Allocate(4);
  ASSERT_OK(q.status());
  ASSERT_OK_AND_ASSIGN(Tensor qt, Tensor::Make(*q, ScalarType::kQInt8, 0, {4}, {1}));
  EXPECT_THAT(qt.data<int8_t>().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("torch.qint8, which has no C++ element type")));
}

TEST(TensorTypedAccessTest, StridedViewHasNoSpan) {
  Tensor t = FloatMatrix();
  // The transpose: sizes [3, 2], strides [1, 3].
  ASSERT_OK_AND_ASSIGN(Tensor tt, Tensor::Make(t.storage(), ScalarType::kFloat, 0, {3, 2}, {1, 3}));
  EXPECT_OK(tt.data<float>().status());
  EXPECT_THAT(tt.span<float>().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "span(): the tensor is not contiguous (sizes [3, 2], strides [1, 3]); call "
                       "Contiguous(t) first (tensor/views.h)"));
}

TEST(TensorTypedAccessTest, ReadOnlyStorageNeedsConst) {
  static float values[2] = {1, 2};
  Storage ro = Storage::Borrow(values, sizeof(values), nullptr, Device::Cpu(), /*read_only=*/true);
  ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Make(ro, ScalarType::kFloat, 0, {2}, {1}));
  EXPECT_THAT(t.data<float>().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("read-only")));
  ASSERT_OK_AND_ASSIGN(const float* p, t.data<const float>());
  EXPECT_EQ(p[1], 2.0f);
}

TEST(TensorTypedAccessTest, DeviceTensorsAreNotReadHere) {
  static float values[2] = {1, 2};
  Storage dev = Storage::Borrow(values, sizeof(values), nullptr, Device("cuda", 0));
  ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Make(dev, ScalarType::kFloat, 0, {2}, {1}));
  EXPECT_THAT(t.data<const float>().status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "data<float>(): the tensor is on cuda:0; its elements can be read only on "
                       "the CPU"));
}

TEST(TensorPrintTest, DtypeAndDeviceStream) {
  std::ostringstream os;
  os << ScalarType::kBFloat16 << " " << Device("cuda", 1) << " " << Device::Cpu();
  EXPECT_EQ(os.str(), "torch.bfloat16 cuda:1 cpu");
}

}  // namespace
}  // namespace ptser
