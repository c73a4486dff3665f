// Copyright ptser authors.
//
// tensor/ops/creation.cc — linspace, logspace, eye, *_like and random
// factories.

#include "tensor/ops/creation.h"

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/ops/internal/binary_op.h"
#include "tensor/ops/internal/dispatch.h"
#include "tensor/ops/internal/elementwise.h"

namespace ptser {
namespace {

using namespace ops_internal;  // NOLINT: kernel helpers

// PyTorch's linspace_kernel for floating T: two vectors of kLanes per
// vectorised step (arange from start + step * idx), scalar for the rest.
template <typename T>
void LinspaceFloat(T* out, int64_t steps, T start, T end) {
  constexpr int64_t kLanes = 32 / sizeof(T);  // AVX2: 8 floats, 4 doubles
  const T step = (end - start) / static_cast<T>(steps - 1);
  const int64_t halfway = steps / 2;
  int64_t idx = 0;
  auto scalar = [&](int64_t i) -> T {
    return i < halfway ? start + step * static_cast<T>(i)
                       : end - step * static_cast<T>(steps - i - 1);
  };
  const int64_t vector_end = steps - steps % (2 * kLanes);
  while (idx < vector_end) {
    const T base = idx < halfway ? start + step * static_cast<T>(idx)
                                 : end - step * static_cast<T>(steps - idx - 1);
    for (int64_t j = 0; j < kLanes; ++j) out[idx + j] = base + static_cast<T>(j) * step;
    idx += kLanes;
  }
  for (; idx < steps; ++idx) out[idx] = scalar(idx);
}

absl::StatusOr<Tensor> Like(const Tensor& t, std::optional<ScalarType> dtype) {
  return AllocateTensor(t.sizes(), dtype.value_or(t.dtype()));
}

// Fills `t` (any layout) through a contiguous buffer filled by `fill`.
template <typename Fill>
absl::Status FillThroughBuffer(const Tensor& t, Fill fill) {
  PTSER_RETURN_IF_ERROR(CheckWritable(t, "random"));
  if (t.is_contiguous()) return fill(t);
  PTSER_ASSIGN_OR_RETURN(Tensor buffer, AllocateTensor(t.sizes(), t.dtype()));
  PTSER_RETURN_IF_ERROR(fill(buffer));
  return CopyConvertInto(t, buffer);
}

}  // namespace

absl::StatusOr<Tensor> Linspace(const Scalar& start, const Scalar& end, int64_t steps,
                                std::optional<ScalarType> dtype) {
  if (steps < 0) return absl::InvalidArgumentError("number of steps must be non-negative");
  const ScalarType t = dtype.value_or(kDefaultFloatDtype);
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({steps}, t));
  if (steps == 0) return out;
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(t, "linspace_cpu", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    T* p = static_cast<T*>(out.mutable_data());
    if (steps == 1) {
      p[0] = ScalarTo<T>(start);
      return absl::OkStatus();
    }
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      LinspaceFloat<T>(p, steps, ScalarTo<T>(start), ScalarTo<T>(end));
    } else {
      using Step = std::conditional_t<std::is_integral_v<T>, double, float>;
      const Step s = static_cast<Step>(ScalarTo<T>(start));
      const Step e = static_cast<Step>(ScalarTo<T>(end));
      const Step step = (e - s) / static_cast<Step>(steps - 1);
      const int64_t halfway = steps / 2;
      for (int64_t i = 0; i < steps; ++i) {
        const Step v = i < halfway ? s + step * static_cast<Step>(i)
                                   : e - step * static_cast<Step>(steps - i - 1);
        p[i] = Convert<T>(v);
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> Logspace(const Scalar& start, const Scalar& end, int64_t steps,
                                double base, std::optional<ScalarType> dtype) {
  if (steps < 0) return absl::InvalidArgumentError("number of steps must be non-negative");
  const ScalarType t = dtype.value_or(kDefaultFloatDtype);
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({steps}, t));
  if (steps == 0) return out;
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(t, "logspace_cpu", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    using Step = std::conditional_t<std::is_integral_v<T>, double, OpMath<T>>;
    T* p = static_cast<T*>(out.mutable_data());
    const Step s = static_cast<Step>(ScalarTo<T>(start));
    const Step e = static_cast<Step>(ScalarTo<T>(end));
    const Step b = static_cast<Step>(base);
    if (steps == 1) {
      p[0] = Convert<T>(std::pow(b, s));
      return absl::OkStatus();
    }
    const Step step = (e - s) / static_cast<Step>(steps - 1);
    const int64_t halfway = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      const Step x = i < halfway ? s + step * static_cast<Step>(i)
                                 : e - step * static_cast<Step>(steps - i - 1);
      p[i] = Convert<T>(std::pow(b, x));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> Eye(int64_t n, std::optional<int64_t> m, ScalarType dtype) {
  const int64_t cols = m.value_or(n);
  if (n < 0) {
    return absl::InvalidArgumentError(absl::StrCat("n must be greater or equal to 0, got ", n));
  }
  if (cols < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("m must be greater or equal to 0, got ", cols));
  }
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor({n, cols}, dtype));
  PTSER_RETURN_IF_ERROR(DispatchDtype<kAllTypes>(dtype, "eye", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    T* p = static_cast<T*>(out.mutable_data());
    for (int64_t i = 0; i < std::min(n, cols); ++i) p[i * cols + i] = Convert<T>(int64_t{1});
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tensor> ZerosLike(const Tensor& t, std::optional<ScalarType> dtype) {
  return Like(t, dtype);
}

absl::StatusOr<Tensor> OnesLike(const Tensor& t, std::optional<ScalarType> dtype) {
  return Ones(t.sizes(), dtype.value_or(t.dtype()));
}

absl::StatusOr<Tensor> FullLike(const Tensor& t, const Scalar& value,
                                std::optional<ScalarType> dtype) {
  return Full(t.sizes(), value, dtype.value_or(t.dtype()));
}

absl::Status UniformInplace(const Tensor& t, double from, double to, Generator* generator) {
  Generator& g = generator != nullptr ? *generator : DefaultGenerator();
  return FillThroughBuffer(t, [&](const Tensor& dst) { return g.Uniform(dst, from, to); });
}

absl::Status NormalInplace(const Tensor& t, double mean, double std, Generator* generator) {
  Generator& g = generator != nullptr ? *generator : DefaultGenerator();
  return FillThroughBuffer(t, [&](const Tensor& dst) { return g.Normal(dst, mean, std); });
}

absl::StatusOr<Tensor> Rand(absl::Span<const int64_t> sizes, ScalarType dtype,
                            Generator* generator) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, Empty(sizes, dtype));
  PTSER_RETURN_IF_ERROR(UniformInplace(out, 0, 1, generator));
  return out;
}

absl::StatusOr<Tensor> Randn(absl::Span<const int64_t> sizes, ScalarType dtype,
                             Generator* generator) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, Empty(sizes, dtype));
  PTSER_RETURN_IF_ERROR(NormalInplace(out, 0, 1, generator));
  return out;
}

absl::StatusOr<Tensor> Normal(double mean, double std, absl::Span<const int64_t> sizes,
                              ScalarType dtype, Generator* generator) {
  PTSER_ASSIGN_OR_RETURN(Tensor out, Empty(sizes, dtype));
  PTSER_RETURN_IF_ERROR(NormalInplace(out, mean, std, generator));
  return out;
}

absl::StatusOr<Tensor> Randint(int64_t low, int64_t high, absl::Span<const int64_t> sizes,
                               ScalarType dtype, Generator* generator) {
  if (low >= high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high));
  }
  Generator& g = generator != nullptr ? *generator : DefaultGenerator();
  PTSER_ASSIGN_OR_RETURN(Tensor out, AllocateTensor(sizes, dtype));
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  PTSER_RETURN_IF_ERROR(DispatchDtype<kRealTypes>(dtype, "random_from_to", [&](auto tag) -> absl::Status {
    using T = typename decltype(tag)::type;
    T* p = static_cast<T*>(out.mutable_data());
    for (int64_t i = 0; i < out.numel(); ++i) {
      const uint64_t r = range >= (uint64_t{1} << 32) ? g.Random64() : uint64_t{g.Random()};
      p[i] = Convert<T>(static_cast<int64_t>(r % range + static_cast<uint64_t>(low)));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace ptser
