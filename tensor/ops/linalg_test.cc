// Copyright ptser authors.
//
// tensor/ops/linalg_test.cc — matmul/linear against PyTorch 1.13.  With
// A(*shape) = torch.arange(1., 1 + numel).reshape(shape), every expected
// value was printed by torch.matmul / torch.nn.functional.linear.

#include "tensor/ops/linalg.h"

#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/ops/internal/test_util.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing_util::Scalar0;
using testing_util::T_;
using testing_util::Values;

// torch.arange(1., 1 + numel).reshape(sizes), float32 (or `dtype`).
Tensor A(std::vector<int64_t> sizes, ScalarType dtype = ScalarType::kFloat) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  absl::StatusOr<Tensor> t = Arange(1, n + 1, 1, dtype);
  if (t.ok()) t = View(*t, sizes);
  EXPECT_OK(t);
  return t.ok() ? *t : Tensor();
}

struct MatmulCase {
  std::vector<int64_t> a, b, out;
  std::vector<float> values;
};

TEST(MatmulTest, AllShapeCases) {
  const MatmulCase kCases[] = {
      {{3}, {3}, {}, {14}},
      {{2, 3}, {3, 2}, {2, 2}, {22, 28, 49, 64}},
      {{2, 3}, {3}, {2}, {14, 32}},
      {{2}, {2, 3}, {3}, {9, 12, 15}},
      {{2, 2, 3}, {3, 2}, {2, 2, 2}, {22, 28, 49, 64, 76, 100, 103, 136}},
      {{2, 3}, {2, 3, 2}, {2, 2, 2}, {22, 28, 49, 64, 58, 64, 139, 154}},
      {{2}, {2, 2, 3}, {2, 3}, {9, 12, 15, 27, 30, 33}},
      {{2, 2, 3}, {3}, {2, 2}, {14, 32, 50, 68}},
      {{2, 1, 2, 3}, {3, 3, 2}, {2, 3, 2, 2}, {22,  28,  49,  64,  58,  64,
                                               139, 154, 94,  100, 229, 244,
                                               76,  100, 103, 136, 220, 244,
                                               301, 334, 364, 388, 499, 532}},
  };
  for (const MatmulCase& c : kCases) {
    SCOPED_TRACE(::testing::PrintToString(c.a) + " @ " +
                 ::testing::PrintToString(c.b));
    ASSERT_OK_AND_ASSIGN(Tensor r, Matmul(A(c.a), A(c.b)));
    EXPECT_EQ(r.sizes(), c.out);
    EXPECT_EQ(r.dtype(), ScalarType::kFloat);
    EXPECT_THAT(Values<float>(r), ElementsAreArray(c.values));
  }
}

TEST(MatmulTest, StridedOperands) {
  // A(3, 2).T @ A(3, 2) -> [[35., 44.], [44., 56.]]
  ASSERT_OK_AND_ASSIGN(Tensor t, Transpose(A({3, 2}), 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor r, Matmul(t, A({3, 2})));
  EXPECT_THAT(Values<float>(r), ElementsAre(35, 44, 44, 56));
}

TEST(MatmulTest, Integers) {
  ASSERT_OK_AND_ASSIGN(Tensor r, Matmul(A({2, 3}, ScalarType::kLong),
                                        A({3, 2}, ScalarType::kLong)));
  EXPECT_EQ(r.dtype(), ScalarType::kLong);
  EXPECT_THAT(Values<int64_t>(r), ElementsAre(22, 28, 49, 64));
  // int32 products wrap: full((2,), 2**30, int32) @ full((2,), 4) -> 0
  Tensor x = T_<int32_t>({1 << 30, 1 << 30});
  Tensor y = T_<int32_t>({4, 4});
  ASSERT_OK_AND_ASSIGN(Tensor d, Matmul(x, y));
  EXPECT_EQ(d.dtype(), ScalarType::kInt);
  EXPECT_THAT(Values<int32_t>(d), ElementsAre(0));
  ASSERT_OK_AND_ASSIGN(Tensor u, Matmul(T_<uint8_t>({1, 1, 1, 1}, {{2, 2}}),
                                        T_<uint8_t>({1, 1, 1, 1}, {{2, 2}})));
  EXPECT_THAT(Values<int64_t>(u), ElementsAre(2, 2, 2, 2));
}

TEST(MatmulTest, ComplexAndEmpty) {
  using C = std::complex<float>;
  ASSERT_OK_AND_ASSIGN(
      Tensor c, Matmul(T_<C>({C(1, 1), C(2, 0)}), T_<C>({C(0, 1), C(1, 0)})));
  EXPECT_THAT(Values<C>(c), ElementsAre(C(1, 1)));
  ASSERT_OK_AND_ASSIGN(Tensor a, Zeros({2, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor b, Zeros({0, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor e, Matmul(a, b));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_THAT(Values<float>(e), ElementsAre(0, 0, 0, 0, 0, 0));
}

TEST(MatmulTest, ShapeErrors) {
  auto Err = [](absl::string_view message) {
    return StatusIs(absl::StatusCode::kInvalidArgument, std::string(message));
  };
  EXPECT_THAT(Matmul(Scalar0<float>(1), A({2, 3})),
              Err("both arguments to matmul need to be at least 1D, but they "
                  "are 0D and 2D"));
  EXPECT_THAT(Matmul(A({3}), A({4})),
              Err("inconsistent tensor size, expected tensor [3] and src [4] "
                  "to have the same number of elements, but got 3 and 4 "
                  "elements respectively"));
  EXPECT_THAT(Matmul(A({2, 3}), A({2, 3})),
              Err("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"));
  EXPECT_THAT(Matmul(A({2, 3}), A({2})), Err("size mismatch, got 2, 2x3,2"));
  EXPECT_THAT(Matmul(A({3}), A({2, 3})),
              Err("mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)"));
  EXPECT_THAT(Matmul(A({4, 2, 3}), A({4})), Err("size mismatch, got 8, 8x3,4"));
  EXPECT_THAT(Matmul(A({4, 2, 3}), A({4, 5})),
              Err("mat1 and mat2 shapes cannot be multiplied (8x3 and 4x5)"));
  EXPECT_THAT(Matmul(A({3}), A({4, 2, 2})), Err("size mismatch, got 8, 8x2,3"));
  EXPECT_THAT(Matmul(A({2, 3}), A({4, 2, 5})),
              Err("mat1 and mat2 shapes cannot be multiplied (20x2 and 3x2)"));
  EXPECT_THAT(Matmul(A({2, 2, 3}), A({5, 3, 4})),
              Err("The size of tensor a (2) must match the size of tensor b "
                  "(5) at non-singleton dimension 0"));
  EXPECT_THAT(Matmul(A({2, 2, 3}), A({2, 4, 4})),
              Err("Expected size for first two dimensions of batch2 tensor to "
                  "be: [2, 3] but got: [2, 4]."));
}

TEST(MatmulTest, DtypeErrors) {
  auto Err = [](absl::string_view message) {
    return StatusIs(absl::StatusCode::kInvalidArgument, std::string(message));
  };
  const ScalarType kD = ScalarType::kDouble;
  EXPECT_THAT(Matmul(A({3}), A({3}, kD)),
              Err("dot : expected both vectors to have same dtype, but found "
                  "Float and Double"));
  EXPECT_THAT(Matmul(A({2, 3}), A({3, 2}, kD)),
              Err("expected scalar type Float but found Double"));
  EXPECT_THAT(Matmul(A({2, 3}, ScalarType::kLong), A({3, 2})),
              Err("expected scalar type Long but found Float"));
  EXPECT_THAT(Matmul(A({2, 3}), A({3}, kD)),
              Err("expected scalar type Float but found Double"));
  EXPECT_THAT(Matmul(A({2, 2, 3}), A({2, 3, 4}, kD)),
              Err("expected scalar type Float but found Double"));
  // PyTorch computes these as b^T @ a^T.
  EXPECT_THAT(Matmul(A({2, 3}), A({4, 3, 5}, kD)),
              Err("expected scalar type Double but found Float"));
  EXPECT_THAT(Matmul(A({3}), A({4, 3, 5}, kD)),
              Err("expected scalar type Double but found Float"));

  auto Unimpl = [](absl::string_view message) {
    return StatusIs(absl::StatusCode::kUnimplemented, std::string(message));
  };
  Tensor b2 = T_<bool>({true, false, true, true}, {{2, 2}});
  Tensor b1 = T_<bool>({true, false});
  EXPECT_THAT(Matmul(b2, b2),
              Unimpl("\"addmm_impl_cpu_\" not implemented for 'Bool'"));
  EXPECT_THAT(Matmul(b1, b1), Unimpl("\"dot\" not implemented for 'Bool'"));
  EXPECT_THAT(Matmul(b2, b1),
              Unimpl("\"addmv_impl_cpu\" not implemented for 'Bool'"));
  ASSERT_OK_AND_ASSIGN(Tensor h, Ones({2, 2, 2}, ScalarType::kHalf));
  EXPECT_THAT(Matmul(h, h), Unimpl("\"bmm\" not implemented for 'Half'"));
}

TEST(LinearTest, Values) {
  // F.linear(A(2,3), A(4,3), A(4))
  ASSERT_OK_AND_ASSIGN(Tensor a, Linear(A({2, 3}), A({4, 3}), A({4})));
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_THAT(Values<float>(a), ElementsAre(15, 34, 53, 72, 33, 79, 125, 171));
  ASSERT_OK_AND_ASSIGN(Tensor b, Linear(A({2, 2, 3}), A({4, 3}), A({4})));
  EXPECT_EQ(b.sizes(), (std::vector<int64_t>{2, 2, 4}));
  EXPECT_THAT(Values<float>(b),
              ElementsAre(15, 34, 53, 72, 33, 79, 125, 171, 51, 124, 197, 270,
                          69, 169, 269, 369));
  ASSERT_OK_AND_ASSIGN(Tensor c, Linear(A({3}), A({4, 3}), A({4})));
  EXPECT_EQ(c.sizes(), (std::vector<int64_t>{4}));
  EXPECT_THAT(Values<float>(c), ElementsAre(15, 34, 53, 72));
  ASSERT_OK_AND_ASSIGN(Tensor d, Linear(A({2, 3}), A({4, 3})));
  EXPECT_THAT(Values<float>(d), ElementsAre(14, 32, 50, 68, 32, 77, 122, 167));
  // 1-D weight without bias: x @ w.
  ASSERT_OK_AND_ASSIGN(Tensor e, Linear(A({2, 3}), A({3})));
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2}));
  // A 1-D input with a float64 bias: output.add_(bias) keeps float32.
  ASSERT_OK_AND_ASSIGN(Tensor f,
                       Linear(A({3}), A({4, 3}), A({4}, ScalarType::kDouble)));
  EXPECT_EQ(f.dtype(), ScalarType::kFloat);
  // A 2-D bias of the output's shape and a 0-dim bias.
  EXPECT_OK(Linear(A({2, 3}), A({4, 3}), A({2, 4})));
  EXPECT_OK(Linear(A({2, 3}), A({4, 3}), Scalar0<float>(1)));
}

TEST(LinearTest, Errors) {
  auto Err = [](absl::string_view message) {
    return StatusIs(absl::StatusCode::kInvalidArgument, std::string(message));
  };
  const ScalarType kD = ScalarType::kDouble;
  EXPECT_THAT(Linear(A({2, 3}), A({4, 2})),
              Err("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x4)"));
  EXPECT_THAT(Linear(A({2, 3}), A({4, 3}), A({3})),
              Err("The expanded size of the tensor (4) must match the "
                  "existing size (3) at non-singleton dimension 1.  Target "
                  "sizes: [2, 4].  Tensor sizes: [3]"));
  EXPECT_THAT(Linear(A({5, 2, 3}), A({4, 3}), A({3})),
              Err("The expanded size of the tensor (4) must match the "
                  "existing size (3) at non-singleton dimension 1.  Target "
                  "sizes: [10, 4].  Tensor sizes: [3]"));
  EXPECT_THAT(Linear(A({3}), A({4, 3}), A({3})),
              Err("The size of tensor a (4) must match the size of tensor b "
                  "(3) at non-singleton dimension 0"));
  EXPECT_THAT(Linear(A({1, 5, 2, 3}), A({4, 3}), A({3})),
              Err("The size of tensor a (4) must match the size of tensor b "
                  "(3) at non-singleton dimension 3"));
  EXPECT_THAT(Linear(A({2, 3}), A({3}), A({2})),
              Err("mat2 must be a matrix, got 1-D tensor"));
  EXPECT_THAT(Linear(A({2, 3}), A({2, 4, 3})),
              Err("t() expects a tensor with <= 2 dimensions, but self is 3D"));
  EXPECT_THAT(Linear(A({2, 3}), A({4, 3}, kD)),
              Err("expected scalar type Float but found Double"));
  EXPECT_THAT(Linear(A({2, 3}), A({4, 3}), A({4}, kD)),
              Err("self and mat2 must have the same dtype"));
  EXPECT_THAT(Linear(A({2, 3}, kD), A({4, 3}), A({4})),
              Err("mat1 and mat2 must have the same dtype"));
  EXPECT_THAT(Linear(A({2, 3}), A({4, 2}), A({4}, ScalarType::kLong)),
              Err("self and mat2 must have the same dtype"));
  EXPECT_THAT(
      Linear(A({3}, ScalarType::kLong), A({2, 3}, ScalarType::kLong), A({2})),
      Err("result type Float can't be cast to the desired output "
          "type Long"));
  EXPECT_THAT(Linear(A({3}), Scalar0<float>(3)),
              Err("both arguments to matmul need to be at least 1D, but they "
                  "are 1D and 0D"));
}


void ExpectClose(const absl::StatusOr<Tensor>& got, const std::vector<double>& want,
                 const char* what) {
  ASSERT_OK(got.status()) << what;
  std::vector<double> v = Values<double>(*got);
  ASSERT_EQ(v.size(), want.size()) << what;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_NEAR(v[i], want[i], 2e-6 * std::max(1.0, std::fabs(want[i]))) << what << "[" << i << "]";
  }
}

// torch.manual_seed(0); a = torch.randn(2, 3, 4); b = torch.randn(2, 4, 2);
// s = torch.randn(3, 2)
Tensor BA() {
  return T_<float>({-1.12583983f, -1.1523602f, -0.250578582f, -0.433878809f, 0.848710358f,
                    0.692009151f, -0.31601277f, -2.11521935f, 0.468096405f, -0.157712445f,
                    1.44366014f, 0.266049415f, 0.166455343f, 0.87438184f, -0.143473849f,
                    -0.111609332f, 0.931826591f, 1.25900924f, 2.00498056f, 0.0537369028f,
                    0.618056655f, -0.412802219f, -0.841064811f, -2.31604195f},
                   {{2, 3, 4}});
}
Tensor BB() {
  return T_<float>({-0.215863258f, -0.742548168f, 0.562721372f, 0.259627402f, -0.173960999f,
                    -0.678746223f, 0.938260734f, 0.488869816f, 1.20322371f, 0.0845346972f,
                    -1.2001394f, -0.00478573795f, -0.518074811f, -0.306704193f, -1.58099389f,
                    1.70664334f},
                   {{2, 4, 2}});
}
Tensor BS() {
  return T_<float>({-0.0208794735f, -0.718480051f, 0.518636763f, -1.31252193f, 0.191995069f,
                    0.542771339f},
                   {{3, 2}});
}

TEST(BmmTest, AgainstPyTorch) {
  ExpectClose(Bmm(BA(), BB()),
              {-0.768930793, 0.494774967, -1.72345042, -1.27011824, -0.19130981, -1.23834586,
               -0.598313093, -0.136586607, -1.5134784, -0.450479805, 5.33646345, -3.64047647},
              "bmm");
  // torch.bmm(a, a.transpose(1, 2)): the transposed operand is read in place.
  ASSERT_OK_AND_ASSIGN(Tensor at, Transpose(BA(), 1, 2));
  ExpectClose(Bmm(BA(), at),
              {2.84648991, -0.756020725, -0.822443545, -0.756020725, 5.7732029, -0.730828047,
               -0.822443545, -0.730828047, 2.39892435, 0.825292408, 0.962302566, 0.121094763,
               0.962302566, 6.47623968, -1.75457573, 0.121094763, -1.75457573, 6.62384033},
              "bmm transposed");
  // torch.baddbmm(s, a, b, beta=0.5, alpha=2)
  ExpectClose(Baddbmm(BS(), BA(), BB(), Scalar(0.5), Scalar(2)),
              {-1.54830134, 0.630309999, -3.18758249, -3.19649744, -0.286622107, -2.20530605,
               -1.20706606, -0.632413268, -2.76763844, -1.55722058, 10.7689247, -7.00956726},
              "baddbmm");
  EXPECT_THAT(Bmm(T_<float>({1, 1, 1, 1, 1, 1}, {{2, 3}}), BB()),
              StatusIs(absl::StatusCode::kInvalidArgument, "batch1 must be a 3D tensor"));
  ASSERT_OK_AND_ASSIGN(Tensor three, Empty({3, 3, 2}));
  EXPECT_THAT(Bmm(BA(), three),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but "
                       "got: [3, 3]."));
}

TEST(AddmmTest, AgainstPyTorch) {
  ASSERT_OK_AND_ASSIGN(Tensor a0, Select(BA(), 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor b0, Select(BB(), 0, 0));
  // torch.addmm(s, a[0], b[0], beta=-1, alpha=0.5)
  ExpectClose(Addmm(BS(), a0, b0, Scalar(-1), Scalar(0.5)),
              {-0.363585919, 0.965867519, -1.38036191, 0.677462935, -0.287649959, -1.16194427},
              "addmm");
  // beta=0 ignores NaN in self: torch.addmm(tensor([nan, 1]), ones(2, 4), ones(4, 2), beta=0)
  ASSERT_OK_AND_ASSIGN(Tensor ones24, Ones({2, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor ones42, Ones({4, 2}));
  EXPECT_THAT(Values<float>(Addmm(T_<float>({std::numeric_limits<float>::quiet_NaN(), 1}), ones24,
                                  ones42, Scalar(0))),
              ElementsAre(4, 4, 4, 4));
  // torch.mv(a[0], b[0][:, 0]); torch.dot(a[0][0], b[0][:, 1])
  ASSERT_OK_AND_ASSIGN(Tensor col0, Select(b0, 1, 0));
  ExpectClose(Mv(a0, col0), {-0.768930793, -1.72345042, -0.19130981}, "mv");
  ASSERT_OK_AND_ASSIGN(Tensor row0, Select(a0, 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor col1, Select(b0, 1, 1));
  ExpectClose(Dot(row0, col1), {0.494774967}, "dot");
  EXPECT_THAT(Mm(row0, b0), StatusIs(absl::StatusCode::kInvalidArgument, "self must be a matrix"));
  EXPECT_THAT(Mv(a0, b0), StatusIs(absl::StatusCode::kInvalidArgument,
                                   "vector + matrix @ vector expected, got 1, 2, 2"));
  EXPECT_THAT(Dot(a0, row0), StatusIs(absl::StatusCode::kInvalidArgument,
                                      "1D tensors expected, but got 2D and 1D tensors"));
}

}  // namespace
}  // namespace ptser
