// Copyright ptser authors.
//
// Expected layouts and messages below were checked against PyTorch 1.13.

#include "tensor/views.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/cast.h"
#include "tensor/factories.h"
#include "tensor/scalar.h"
#include "tensor/quantizer.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr auto kOutOfRange = absl::StatusCode::kOutOfRange;

// arange(n) as float32, reshaped.
Tensor Iota(std::vector<int64_t> sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  Tensor flat = *Arange(0, n, 1, ScalarType::kFloat);
  return *View(flat, sizes);
}

std::vector<double> Values(const Tensor& t) {
  absl::StatusOr<std::vector<double>> v = ToVector<double>(t);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::vector<double>{};
}

void ExpectLayout(const Tensor& t, std::vector<int64_t> sizes,
                  std::vector<int64_t> strides, int64_t offset) {
  EXPECT_EQ(t.sizes(), sizes);
  EXPECT_EQ(t.strides(), strides);
  EXPECT_EQ(t.storage_offset(), offset);
}

// ------------------------------------------------- the serialization note ---

TEST(ViewsTest, WritingThroughAViewChangesTheBase) {
  // numbers = torch.arange(1, 10); evens = numbers[1::2]; evens *= 2
  ASSERT_OK_AND_ASSIGN(Tensor numbers, Arange(1, 10));
  ASSERT_OK_AND_ASSIGN(Tensor evens, Slice(numbers, 0, 1, std::nullopt, 2));
  EXPECT_TRUE(evens.storage().IsSameAs(numbers.storage()));
  ExpectLayout(evens, {4}, {2}, 1);
  for (int64_t i = 0; i < evens.sizes()[0]; ++i) {
    ASSERT_OK_AND_ASSIGN(Scalar v, GetElement(evens, {i}));
    ASSERT_OK(SetElement(evens, {i}, v.to_int64() * 2));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got, ToVector<int64_t>(numbers));
  EXPECT_THAT(got, ElementsAre(1, 4, 3, 8, 5, 12, 7, 16, 9));
}

TEST(ViewsTest, SliceKeepsTheWholeStorageAndCloneDoesNot) {
  ASSERT_OK_AND_ASSIGN(Tensor big, Arange(1, 1000));
  ASSERT_OK_AND_ASSIGN(Tensor small, Slice(big, 0, 0, 5));
  EXPECT_EQ(small.numel(), 5);
  EXPECT_EQ(small.storage().nbytes(), 999u * 8u);  // 7992 bytes
  ASSERT_OK_AND_ASSIGN(Tensor copy, Clone(small));
  EXPECT_EQ(copy.storage().nbytes(), 5u * 8u);
  EXPECT_FALSE(copy.storage().IsSameAs(big.storage()));
  EXPECT_THAT(Values(copy), ElementsAre(1, 2, 3, 4, 5));
}

// ------------------------------------------------------------------ Slice ---

TEST(ViewsTest, SlicePythonSemantics) {
  Tensor x = Iota({10});
  ASSERT_OK_AND_ASSIGN(Tensor a, Slice(x, 0, 2, 8, 3));  // x[2:8:3]
  ExpectLayout(a, {2}, {3}, 2);
  EXPECT_THAT(Values(a), ElementsAre(2, 5));
  ASSERT_OK_AND_ASSIGN(Tensor b, Slice(x, 0, -3));  // x[-3:]
  ExpectLayout(b, {3}, {1}, 7);
  ASSERT_OK_AND_ASSIGN(Tensor c, Slice(x, 0, -100, 3));  // x[-100:3]
  ExpectLayout(c, {3}, {1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor d, Slice(x, 0, 7, -100));  // x[7:-100]
  ExpectLayout(d, {0}, {1}, 7);
  ASSERT_OK_AND_ASSIGN(Tensor e, Slice(x, 0, std::nullopt, std::nullopt, 20));
  ExpectLayout(e, {1}, {20}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor f, Slice(x, 0, 50, 100));  // clamped start
  ExpectLayout(f, {0}, {1}, 10);
}

TEST(ViewsTest, SliceAlongAnInnerDim) {
  Tensor x = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor s, Slice(x, -1, 1, 3));  // x[:, 1:3]
  ExpectLayout(s, {3, 2}, {4, 1}, 1);
  EXPECT_THAT(Values(s), ElementsAre(1, 2, 5, 6, 9, 10));
  ASSERT_OK_AND_ASSIGN(Tensor t, Slice(x, 0, 2, 1));  // end before start
  ExpectLayout(t, {0, 4}, {4, 1}, 8);
}

TEST(ViewsTest, SliceErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(Slice(x, 0, 0, 2, 0),
              StatusIs(kInvalid, "slice step must be positive"));
  EXPECT_THAT(Slice(x, 0, 0, 2, -1),
              StatusIs(kInvalid, "slice step must be positive"));
  EXPECT_THAT(Slice(x, 2, 0, 1),
              StatusIs(kInvalid, "Dimension out of range (expected to be in "
                                 "range of [-2, 1], but got 2)"));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  EXPECT_THAT(Slice(scalar, 0, 0, 1),
              StatusIs(kInvalid, "slice() cannot be applied to a 0-dim tensor."));
}

// ----------------------------------------------------------------- Select ---

TEST(ViewsTest, Select) {
  Tensor x = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor row, Select(x, 0, 1));
  ExpectLayout(row, {4}, {1}, 4);
  ASSERT_OK_AND_ASSIGN(Tensor col, Select(x, -1, -2));
  ExpectLayout(col, {3}, {4}, 2);
  EXPECT_THAT(Values(col), ElementsAre(2, 6, 10));
  ASSERT_OK_AND_ASSIGN(Tensor elem, Select(row, 0, 3));
  ExpectLayout(elem, {}, {}, 7);
}

TEST(ViewsTest, SelectErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(Select(x, 0, 3),
              StatusIs(kOutOfRange, "select(): index 3 out of range for "
                                    "tensor of size [3, 4] at dimension 0"));
  EXPECT_THAT(Select(x, -1, 4),
              StatusIs(kOutOfRange, "select(): index 4 out of range for "
                                    "tensor of size [3, 4] at dimension 1"));
  EXPECT_THAT(Select(x, 0, -4), StatusIs(kOutOfRange, HasSubstr("index -4")));
  EXPECT_THAT(Select(x, 2, 0), StatusIs(kInvalid, HasSubstr("but got 2")));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  EXPECT_THAT(Select(scalar, 0, 0),
              StatusIs(kInvalid, "select() cannot be applied to a 0-dim "
                                 "tensor."));
}

// ----------------------------------------------------------------- Narrow ---

TEST(ViewsTest, Narrow) {
  Tensor x = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor a, Narrow(x, 0, -1, 1));
  ExpectLayout(a, {1, 4}, {4, 1}, 8);
  ASSERT_OK_AND_ASSIGN(Tensor b, Narrow(x, 0, 3, 0));  // start == size, empty
  ExpectLayout(b, {0, 4}, {4, 1}, 12);
  ASSERT_OK_AND_ASSIGN(Tensor c, Narrow(x, 1, 1, 2));
  EXPECT_THAT(Values(c), ElementsAre(1, 2, 5, 6, 9, 10));
}

TEST(ViewsTest, NarrowErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(Narrow(x, 0, 2, 2),
              StatusIs(kOutOfRange, "start (2) + length (2) exceeds dimension "
                                    "size (3)."));
  EXPECT_THAT(Narrow(x, 0, 5, 1),
              StatusIs(kOutOfRange, "start out of range (expected to be in "
                                    "range of [-3, 3], but got 5)"));
  EXPECT_THAT(Narrow(x, 0, -4, 1), StatusIs(kOutOfRange, HasSubstr("-4")));
  EXPECT_THAT(Narrow(x, 0, 1, -1),
              StatusIs(kInvalid, "narrow(): length must be non-negative."));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  EXPECT_THAT(Narrow(scalar, 0, 0, 1),
              StatusIs(kInvalid, "narrow() cannot be applied to a 0-dim "
                                 "tensor."));
}

// ------------------------------------------------------ Transpose/Permute ---

TEST(ViewsTest, TransposeAndPermute) {
  Tensor x = Iota({2, 5});
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(x, -1, 0));
  ExpectLayout(t, {5, 2}, {1, 5}, 0);
  EXPECT_THAT(Values(t), ElementsAre(0, 5, 1, 6, 2, 7, 3, 8, 4, 9));
  ASSERT_OK_AND_ASSIGN(Tensor p, Permute(Iota({2, 3, 4}), {2, 0, 1}));
  ExpectLayout(p, {4, 2, 3}, {1, 12, 4}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  ASSERT_OK_AND_ASSIGN(Tensor st, Transpose(scalar, 0, -1));
  ExpectLayout(st, {}, {}, 0);
  EXPECT_OK(Permute(scalar, {}));
}

TEST(ViewsTest, TransposeAndPermuteErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(Transpose(x, 0, 2), StatusIs(kInvalid, HasSubstr("[-2, 1]")));
  EXPECT_THAT(Permute(x, {1}),
              StatusIs(kInvalid, HasSubstr("input.dim() = 2 is not equal to "
                                           "len(dims) = 1")));
  EXPECT_THAT(Permute(x, {1, -1}),
              StatusIs(kInvalid, "permute(): duplicate dims are not allowed."));
  EXPECT_THAT(Permute(x, {1, 2}), StatusIs(kInvalid, HasSubstr("but got 2")));
}

// ----------------------------------------------------------------- Expand ---

TEST(ViewsTest, Expand) {
  Tensor x = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor e, Expand(x, {2, -1, -1}));
  ExpectLayout(e, {2, 3, 4}, {0, 4, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor col, Slice(x, 1, 0, 1));  // [3, 1]
  ASSERT_OK_AND_ASSIGN(Tensor c, Expand(col, {1, 3, 4}));
  ExpectLayout(c, {1, 3, 4}, {12, 4, 0}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor d, Expand(col, {2, 1, 3, 1}));
  ExpectLayout(d, {2, 1, 3, 1}, {0, 12, 4, 1}, 0);
  EXPECT_THAT(Values(c), ElementsAre(0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  ASSERT_OK_AND_ASSIGN(Tensor s, Expand(scalar, {2, 3}));
  ExpectLayout(s, {2, 3}, {0, 0}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor s1, Expand(scalar, {1, 1}));
  ExpectLayout(s1, {1, 1}, {0, 0}, 0);
}

TEST(ViewsTest, ExpandErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(Expand(x, {2}),
              StatusIs(kInvalid, HasSubstr("the number of sizes provided (1) "
                                           "must be greater or equal to the "
                                           "number of dimensions in the "
                                           "tensor (2)")));
  EXPECT_THAT(Expand(x, {5, 4}),
              StatusIs(kInvalid,
                       "The expanded size of the tensor (5) must match the "
                       "existing size (3) at non-singleton dimension 0.  "
                       "Target sizes: [5, 4].  Tensor sizes: [3, 4]"));
  EXPECT_THAT(Expand(x, {-1, 3, 4}),
              StatusIs(kInvalid, "The expanded size of the tensor (-1) isn't "
                                 "allowed in a leading, non-existing "
                                 "dimension 0"));
  ASSERT_OK_AND_ASSIGN(Tensor col, Slice(x, 1, 0, 1));
  EXPECT_THAT(Expand(col, {3, -2}), StatusIs(kInvalid, HasSubstr("(-2)")));
  // Too many elements to count.
  EXPECT_THAT(Expand(col, {int64_t{1} << 40, int64_t{1} << 40, 3, 1}),
              StatusIs(kInvalid, HasSubstr("overflowed")));
}

// ----------------------------------------------------------- View/Reshape ---

TEST(ViewsTest, View) {
  Tensor x = Iota({12});
  ASSERT_OK_AND_ASSIGN(Tensor v, View(x, {3, -1}));
  ExpectLayout(v, {3, 4}, {4, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor w, View(v, {2, 1, 6}));
  ExpectLayout(w, {2, 1, 6}, {6, 6, 1}, 0);
  // A transposed tensor views as long as no dim spans two chunks.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(Iota({2, 3, 4}), 0, 1));  // 3,2,4
  ASSERT_OK_AND_ASSIGN(Tensor tv, View(t, {3, 2, 2, 2}));
  ExpectLayout(tv, {3, 2, 2, 2}, {4, 12, 2, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  ASSERT_OK_AND_ASSIGN(Tensor s, View(scalar, {1, 1}));
  ExpectLayout(s, {1, 1}, {1, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor s2, View(scalar, {-1}));
  ExpectLayout(s2, {1}, {1}, 0);
}

TEST(ViewsTest, ViewErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(View(x, {4, 5}),
              StatusIs(kInvalid, "shape '[4, 5]' is invalid for input of size "
                                 "12"));
  EXPECT_THAT(View(x, {5, -1}),
              StatusIs(kInvalid, "shape '[5, -1]' is invalid for input of "
                                 "size 12"));
  EXPECT_THAT(View(x, {-1, -1}),
              StatusIs(kInvalid, "only one dimension can be inferred"));
  EXPECT_THAT(View(x, {-2, 6}),
              StatusIs(kInvalid, "invalid shape dimension -2"));
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(x, 0, 1));
  EXPECT_THAT(View(t, {12}),
              StatusIs(kInvalid, HasSubstr("view size is not compatible with "
                                           "input tensor's size and stride")));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Empty({0, 3}));
  EXPECT_THAT(View(empty, {0, -1}),
              StatusIs(kInvalid, HasSubstr("cannot reshape tensor of 0 "
                                           "elements into shape [0, -1]")));
  EXPECT_THAT(View(x, {int64_t{1} << 40, int64_t{1} << 40}),
              StatusIs(kInvalid, HasSubstr("is invalid for input of size 12")));
}

TEST(ViewsTest, ReshapeViewsWhenItCan) {
  Tensor x = Iota({2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor sliced, Slice(x, 1, 1));  // [2, 2, 4]
  ASSERT_OK_AND_ASSIGN(Tensor r, Reshape(sliced, {2, 8}));
  EXPECT_TRUE(r.storage().IsSameAs(x.storage()));
  ExpectLayout(r, {2, 8}, {12, 1}, 4);
}

TEST(ViewsTest, ReshapeCopiesWhenItMust) {
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(Iota({2, 3}), 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor r, Reshape(t, {6}));
  EXPECT_FALSE(r.storage().IsSameAs(t.storage()));
  ExpectLayout(r, {6}, {1}, 0);
  EXPECT_EQ(r.storage().nbytes(), 24u);
  EXPECT_THAT(Values(r), ElementsAre(0, 3, 1, 4, 2, 5));
  ASSERT_OK_AND_ASSIGN(Tensor p, Permute(Iota({2, 3, 4}), {2, 0, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor q, Reshape(p, {4, 6}));
  ExpectLayout(q, {4, 6}, {1, 4}, 0);  // viewable: merges two dims
  EXPECT_THAT(Reshape(t, {7}), StatusIs(kInvalid, HasSubstr("size 6")));
}

// ------------------------------------------------- Squeeze/Unsqueeze/etc. ---

TEST(ViewsTest, SqueezeAndUnsqueeze) {
  Tensor x = Iota({1, 2, 1, 3});
  ASSERT_OK_AND_ASSIGN(Tensor a, Squeeze(x));
  ExpectLayout(a, {2, 3}, {3, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor b, Squeeze(x, -2));
  ExpectLayout(b, {1, 2, 3}, {6, 3, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor c, Squeeze(x, 1));  // not size 1: unchanged
  ExpectLayout(c, {1, 2, 1, 3}, {6, 3, 3, 1}, 0);
  EXPECT_THAT(Squeeze(x, 4), StatusIs(kInvalid, HasSubstr("[-4, 3]")));

  Tensor y = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor u0, Unsqueeze(y, 0));
  ExpectLayout(u0, {1, 3, 4}, {12, 4, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor u1, Unsqueeze(y, 1));
  ExpectLayout(u1, {3, 1, 4}, {4, 4, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor u2, Unsqueeze(y, -1));
  ExpectLayout(u2, {3, 4, 1}, {4, 1, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor yt, Transpose(y, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor u3, Unsqueeze(yt, 1));
  ExpectLayout(u3, {4, 1, 3}, {1, 12, 4}, 0);
  EXPECT_THAT(Unsqueeze(y, 3),
              StatusIs(kInvalid, "Dimension out of range (expected to be in "
                                 "range of [-3, 2], but got 3)"));

  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  ASSERT_OK_AND_ASSIGN(Tensor s, Squeeze(scalar, 0));
  ExpectLayout(s, {}, {}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor su, Unsqueeze(scalar, -1));
  ExpectLayout(su, {1}, {1}, 0);
}

TEST(ViewsTest, AsStrided) {
  Tensor x = Iota({10});
  ASSERT_OK_AND_ASSIGN(Tensor a, AsStrided(x, {3, 3}, {1, 1}, 2));
  EXPECT_THAT(Values(a), ElementsAre(2, 3, 4, 3, 4, 5, 4, 5, 6));
  ASSERT_OK_AND_ASSIGN(Tensor b, AsStrided(x, {0}, {1}, 100));  // empty: ok
  EXPECT_EQ(b.storage_offset(), 100);
  ASSERT_OK_AND_ASSIGN(Tensor off, Slice(x, 0, 4));
  ASSERT_OK_AND_ASSIGN(Tensor c, AsStrided(off, {2}, {2}));  // keeps offset
  EXPECT_THAT(Values(c), ElementsAre(4, 6));
}

TEST(ViewsTest, AsStridedErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(AsStrided(x, {13}, {1}),
              StatusIs(kOutOfRange, HasSubstr("requires a storage of 52 "
                                              "bytes, out of bounds for a "
                                              "storage of 48 bytes")));
  EXPECT_THAT(AsStrided(x, {3}, {1}, 12),
              StatusIs(kOutOfRange, HasSubstr("storage offset 12")));
  EXPECT_THAT(AsStrided(x, {10}, {-1}),
              StatusIs(kInvalid, "as_strided: Negative strides are not "
                                 "supported at the moment, got strides: "
                                 "[-1]"));
  EXPECT_THAT(AsStrided(x, {3}, {1}, -1),
              StatusIs(kInvalid, "Tensor: invalid storage offset -1"));
  EXPECT_THAT(AsStrided(x, {3, 3}, {1}),
              StatusIs(kInvalid, HasSubstr("mismatch in length")));
  EXPECT_THAT(AsStrided(x, {2, 2}, {int64_t{1} << 62, int64_t{1} << 62}),
              StatusIs(kInvalid, HasSubstr("overflows int64")));
}

TEST(ViewsTest, Flatten) {
  Tensor x = Iota({2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor a, Flatten(x));
  ExpectLayout(a, {24}, {1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor b, Flatten(x, -2, -1));
  ExpectLayout(b, {2, 12}, {12, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor sliced, Slice(x, 1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor c, Flatten(sliced, 1));
  ExpectLayout(c, {2, 8}, {12, 1}, 4);
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(Iota({3, 4}), 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor d, Flatten(t));  // copies
  EXPECT_THAT(Values(d), ElementsAre(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11));
  ASSERT_OK_AND_ASSIGN(Tensor e, Flatten(x, 1, 1));
  EXPECT_TRUE(e.IsSameAs(x));
  ASSERT_OK_AND_ASSIGN(Tensor scalar, Full({}, 5.0));
  ASSERT_OK_AND_ASSIGN(Tensor f, Flatten(scalar));
  ExpectLayout(f, {1}, {1}, 0);
  EXPECT_THAT(Flatten(x, 2, 1),
              StatusIs(kInvalid, "flatten() has invalid args: start_dim "
                                 "cannot come after end_dim"));
  EXPECT_THAT(Flatten(x, 0, 3), StatusIs(kInvalid, HasSubstr("but got 3")));
}

// ------------------------------------------------------------------ flags ---

TEST(ViewsTest, ViewFlags) {
  Tensor x = Iota({4});
  x.set_requires_grad(true);
  x.set_is_parameter(true);
  ASSERT_OK_AND_ASSIGN(Tensor v, Slice(x, 0, 1));
  EXPECT_TRUE(v.requires_grad());
  EXPECT_FALSE(v.is_parameter());  // a view of a Parameter is a Tensor
  ASSERT_OK_AND_ASSIGN(Tensor c, Clone(x));
  EXPECT_TRUE(c.requires_grad());
  EXPECT_FALSE(c.is_parameter());
  // contiguous() of a contiguous tensor is the tensor itself.
  ASSERT_OK_AND_ASSIGN(Tensor same, Contiguous(x));
  EXPECT_TRUE(same.IsSameAs(x));
  EXPECT_TRUE(same.is_parameter());
}

TEST(ViewsTest, ConjAndNegBits) {
  ASSERT_OK_AND_ASSIGN(
      Tensor c, MakeTensor<std::complex<float>>({{1, 2}, {3, -1}}));
  c.set_conj(true);  // c.conj(): [1-2j, 3+1j]
  ASSERT_OK_AND_ASSIGN(Tensor v, Slice(c, 0, 0, 1));
  EXPECT_TRUE(v.is_conj());
  ASSERT_OK_AND_ASSIGN(Tensor cl, Clone(c));
  EXPECT_FALSE(cl.is_conj());  // materialised, like PyTorch
  ASSERT_OK_AND_ASSIGN(auto vals, ToVector<std::complex<float>>(cl));
  EXPECT_THAT(vals, ElementsAre(std::complex<float>(1, -2),
                                std::complex<float>(3, 1)));
  ASSERT_OK_AND_ASSIGN(Tensor raw, MakeTensor<int8_t>({1, -128, 5}));
  raw.set_neg(true);
  ASSERT_OK_AND_ASSIGN(Tensor neg, Clone(raw));
  EXPECT_FALSE(neg.is_neg());
  EXPECT_THAT(*ToVector<int64_t>(neg), ElementsAre(-1, -128, -5));
}

TEST(ViewsTest, PerChannelQuantizerFollowsTheAxis) {
  ASSERT_OK_AND_ASSIGN(Tensor q, Zeros({2, 3, 4}, ScalarType::kQInt8));
  Quantizer qz;
  qz.scheme = QScheme::kPerChannelAffine;
  qz.axis = 1;
  qz.scales = std::make_shared<const Tensor>(*Arange(1.0, 4.0));
  qz.zero_points = std::make_shared<const Tensor>(*Arange(0, 3));
  q.set_quantizer(qz);
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(q, 0, 1));
  EXPECT_EQ(t.quantizer()->axis, 0);
  ASSERT_OK_AND_ASSIGN(Tensor p, Permute(q, {2, 0, 1}));
  EXPECT_EQ(p.quantizer()->axis, 2);
  ASSERT_OK_AND_ASSIGN(Tensor s, Select(q, 0, 1));
  EXPECT_EQ(s.quantizer()->axis, 0);
  ASSERT_OK_AND_ASSIGN(Tensor u, Unsqueeze(q, 0));
  EXPECT_EQ(u.quantizer()->axis, 2);
  ASSERT_OK_AND_ASSIGN(Tensor sl, Slice(q, 1, 1));
  EXPECT_EQ(sl.quantizer()->axis, 1);
  EXPECT_THAT(Values(*sl.quantizer()->scales), ElementsAre(2, 3));
  EXPECT_EQ(*q.quantizer()->scales->size(0), 3);  // the original is intact
  EXPECT_THAT(Select(q, 1, 0),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("per-channel")));
  EXPECT_THAT(View(q, {6, 4}),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("view")));
  // Per-tensor quantizers ride along unchanged.
  Quantizer pt;
  pt.scale = 0.25;
  q.set_quantizer(pt);
  ASSERT_OK_AND_ASSIGN(Tensor f, Flatten(q));
  EXPECT_EQ(f.quantizer()->scale, 0.25);
}

// ----------------------------------------------------------------- copies ---

TEST(ViewsTest, ClonePreservesDenseStrides) {
  Tensor x = Iota({2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(x, 0, 2));  // [4, 3, 2]
  ASSERT_OK_AND_ASSIGN(Tensor c, Clone(t));
  ExpectLayout(c, {4, 3, 2}, {1, 4, 12}, 0);
  EXPECT_EQ(Values(c), Values(t));
  ASSERT_OK_AND_ASSIGN(Tensor p, Permute(x, {1, 2, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor pc, Clone(p));
  ExpectLayout(pc, {3, 4, 2}, {4, 1, 12}, 0);
}

TEST(ViewsTest, CloneOfNonDenseTensorsKeepsTheDimensionOrder) {
  Tensor x = Iota({2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor a, Slice(x, 1, std::nullopt, std::nullopt, 2));
  ASSERT_OK_AND_ASSIGN(Tensor ac, Clone(a));
  ExpectLayout(ac, {2, 2, 4}, {8, 4, 1}, 0);
  EXPECT_EQ(ac.storage().nbytes(), 16u * 4u);
  // x.transpose(0, 2)[::2]: PyTorch keeps the transposed order.
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(x, 0, 2));
  ASSERT_OK_AND_ASSIGN(Tensor b, Slice(t, 0, std::nullopt, std::nullopt, 2));
  ASSERT_OK_AND_ASSIGN(Tensor bc, Clone(b));
  ExpectLayout(bc, {2, 3, 2}, {1, 2, 6}, 0);
  EXPECT_THAT(Values(bc), ElementsAre(0, 12, 4, 16, 8, 20, 2, 14, 6, 18, 10,
                                      22));
  // Expanded (overlapping): contiguous.
  ASSERT_OK_AND_ASSIGN(Tensor row, Select(Iota({3, 4}), 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor e, Expand(row, {3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor ec, Clone(e));
  ExpectLayout(ec, {3, 4}, {4, 1}, 0);
  ASSERT_OK_AND_ASSIGN(Tensor col, Unsqueeze(row, 1));
  ASSERT_OK_AND_ASSIGN(Tensor e2, Expand(col, {4, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor e2c, Clone(e2));
  ExpectLayout(e2c, {4, 3}, {3, 1}, 0);
  EXPECT_THAT(Values(e2c), ElementsAre(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3));
}

TEST(ViewsTest, CloneKeepsOddStridesOfSizeOneDims) {
  Tensor x = Iota({12});
  ASSERT_OK_AND_ASSIGN(Tensor a, AsStrided(x, {3, 1, 4}, {4, 100, 1}, 0));
  ASSERT_OK_AND_ASSIGN(Tensor c, Clone(a));
  ExpectLayout(c, {3, 1, 4}, {4, 100, 1}, 0);
  EXPECT_EQ(c.storage().nbytes(), 48u);
  // Empty tensors count as dense: strides kept, storage empty.
  ASSERT_OK_AND_ASSIGN(Tensor e, AsStrided(x, {5, 0}, {8, 0}, 0));
  ASSERT_OK_AND_ASSIGN(Tensor ec, Clone(e));
  ExpectLayout(ec, {5, 0}, {8, 0}, 0);
  EXPECT_EQ(ec.storage().nbytes(), 0u);
}

TEST(ViewsTest, Contiguous) {
  Tensor x = Iota({2, 3});
  ASSERT_OK_AND_ASSIGN(Tensor same, Contiguous(x));
  EXPECT_TRUE(same.IsSameAs(x));
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(x, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor c, Contiguous(t));
  ExpectLayout(c, {3, 2}, {2, 1}, 0);
  EXPECT_FALSE(c.storage().IsSameAs(x.storage()));
  EXPECT_THAT(Values(c), ElementsAre(0, 3, 1, 4, 2, 5));
}

TEST(ViewsTest, EmptyLike) {
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(Iota({2, 3}), 0, 1));
  t.set_requires_grad(true);
  ASSERT_OK_AND_ASSIGN(Tensor e, EmptyLike(t, ScalarType::kDouble));
  ExpectLayout(e, {3, 2}, {1, 3}, 0);
  EXPECT_EQ(e.dtype(), ScalarType::kDouble);
  EXPECT_FALSE(e.requires_grad());
  EXPECT_THAT(Values(e), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST(ViewsTest, CopyIntoAStridedDestination) {
  Tensor dst = Iota({3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor col, Select(dst, 1, 2));  // strided
  ASSERT_OK_AND_ASSIGN(Tensor src, MakeTensor<float>({-1, -2, -3}));
  ASSERT_OK(CopyInto(col, src));
  EXPECT_THAT(Values(dst),
              ElementsAre(0, 1, -1, 3, 4, 5, -2, 7, 8, 9, -3, 11));
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(dst, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor fresh, Zeros({4, 3}));
  ASSERT_OK(CopyInto(fresh, t));
  EXPECT_EQ(Values(fresh), Values(t));
}

TEST(ViewsTest, CopyIntoOverlappingSourceAndDestination) {
  // y[1:] = y[:-1] on one storage: copied through a temporary.
  Tensor y = Iota({6});
  ASSERT_OK_AND_ASSIGN(Tensor head, Slice(y, 0, 0, 5));
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(y, 0, 1));
  ASSERT_OK(CopyInto(tail, head));
  EXPECT_THAT(Values(y), ElementsAre(0, 0, 1, 2, 3, 4));
  Tensor z = Iota({6});
  ASSERT_OK_AND_ASSIGN(Tensor zh, Slice(z, 0, 0, 5));
  ASSERT_OK_AND_ASSIGN(Tensor zt, Slice(z, 0, 1));
  ASSERT_OK(CopyInto(zh, zt));
  EXPECT_THAT(Values(z), ElementsAre(1, 2, 3, 4, 5, 5));
}

TEST(ViewsTest, CopyIntoErrors) {
  Tensor x = Iota({3, 4});
  EXPECT_THAT(CopyInto(x, Iota({4, 3})),
              StatusIs(kInvalid, "CopyInto: shape mismatch: destination has "
                                 "sizes [3, 4] but source has sizes [4, 3]"));
  ASSERT_OK_AND_ASSIGN(Tensor ints, Zeros({3, 4}, ScalarType::kLong));
  EXPECT_THAT(CopyInto(ints, x),
              StatusIs(kInvalid, HasSubstr("dtype mismatch")));
  ASSERT_OK_AND_ASSIGN(Tensor one, Zeros({1}));
  ASSERT_OK_AND_ASSIGN(Tensor expanded, Expand(one, {3}));
  EXPECT_THAT(CopyInto(expanded, Iota({3})),
              StatusIs(kInvalid, HasSubstr("more than one element of the "
                                           "written-to tensor refers to a "
                                           "single memory location")));
  static float kData[3] = {1, 2, 3};
  Storage ro = Storage::Borrow(kData, sizeof(kData), nullptr, Device::Cpu(),
                               /*read_only=*/true);
  ASSERT_OK_AND_ASSIGN(Tensor readonly,
                       Tensor::Make(ro, ScalarType::kFloat, 0, {3}, {1}));
  EXPECT_THAT(CopyInto(readonly, Iota({3})),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("read-only")));
  Storage gpu = Storage::Borrow(nullptr, 12, nullptr, Device("cuda", 0));
  ASSERT_OK_AND_ASSIGN(Tensor on_gpu,
                       Tensor::Make(gpu, ScalarType::kFloat, 0, {3}, {1}));
  EXPECT_THAT(CopyInto(on_gpu, Iota({3})),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cuda:0")));
  EXPECT_THAT(Clone(on_gpu), StatusIs(absl::StatusCode::kFailedPrecondition,
                                      HasSubstr("clone")));
  // Views of a device tensor are fine: only metadata changes.
  EXPECT_OK(Slice(on_gpu, 0, 1));
}

TEST(ViewsTest, LayoutQueries) {
  Tensor x = Iota({2, 3, 4});
  EXPECT_TRUE(IsNonOverlappingAndDense(x));
  EXPECT_TRUE(IsNonOverlappingAndDense(*Permute(x, {2, 0, 1})));
  EXPECT_FALSE(IsNonOverlappingAndDense(*Slice(x, 2, 0, 2)));
  EXPECT_TRUE(HasNoInternalOverlap(*Slice(x, 2, 0, 2)));
  EXPECT_FALSE(HasNoInternalOverlap(*AsStrided(x, {3, 3}, {1, 1})));
  EXPECT_FALSE(HasNoInternalOverlap(*Expand(*Slice(x, 0, 0, 1), {2, 3, 4})));
  EXPECT_THAT(PreservedStrides(*Transpose(x, 0, 2)), ElementsAre(1, 4, 12));
}

TEST(ViewsTest, PackedQuantizedTensorsAreKeptNotComputedOn) {
  ASSERT_OK_AND_ASSIGN(Storage bytes, Storage::Allocate(8));
  ASSERT_OK_AND_ASSIGN(Tensor q4, Tensor::Make(bytes, ScalarType::kQUInt4x2, 0, {5, 3}, {3, 1}));
  EXPECT_THAT(Clone(q4), StatusIs(absl::StatusCode::kUnimplemented,
                                  HasSubstr("clone: quint4x2 packs 2 values per byte")));
  // Already contiguous: returned as it is, nothing read.
  ASSERT_OK_AND_ASSIGN(Tensor same, Contiguous(q4));
  EXPECT_TRUE(same.storage().IsSameAs(q4.storage()));
  // A view PyTorch could not make either is refused by Make.
  EXPECT_FALSE(Transpose(q4, 0, 1).ok());
}

}  // namespace
}  // namespace ptser
