// Copyright ptser authors.
#include "tensor/generator.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

// x in [0, 1) from the low `Digits` bits of `bits`, then x * (to - from) +
// from, in Acc (PyTorch's transformation::uniform_real).
template <typename Acc, int Digits, typename Bits>
Acc UniformReal(Bits bits, Acc from, Acc to) {
  constexpr Bits kMask = static_cast<Bits>((uint64_t{1} << Digits) - 1);
  constexpr Acc kDivisor = static_cast<Acc>(1) / static_cast<Acc>(uint64_t{1} << Digits);
  const Acc x = static_cast<Acc>(bits & kMask) * kDivisor;
  // One fused multiply-add: PyTorch's CPU kernel is compiled for AVX2 (with
  // FMA contraction) and runs that build on every x86 CPU since 2013; a
  // separate multiply and add differs from it in the last bit.
  return std::fma(x, to - from, from);
}

}  // namespace

void Generator::ManualSeed(uint64_t seed) {
  seed_ = seed;
  next_normal_.reset();
  engine_.seed(static_cast<std::mt19937::result_type>(seed & 0xffffffffu));
}

uint64_t Generator::Random64() {
  const uint64_t hi = Random();
  const uint64_t lo = Random();
  return (hi << 32) | lo;
}

absl::Status Generator::Uniform(const Tensor& t, double from, double to) {
  if (!t.device().is_cpu() || !t.is_contiguous() || t.storage().is_read_only()) {
    return absl::FailedPreconditionError(
        "uniform_: the tensor must be contiguous, writable and on the CPU");
  }
  const int64_t n = t.numel();
  void* data = t.mutable_data();
  switch (t.dtype()) {
    case ScalarType::kFloat: {
      float* p = static_cast<float*>(data);
      const float f = static_cast<float>(from), g = static_cast<float>(to);
      for (int64_t i = 0; i < n; ++i) p[i] = UniformReal<float, 24>(Random(), f, g);
      return absl::OkStatus();
    }
    case ScalarType::kDouble: {
      double* p = static_cast<double*>(data);
      for (int64_t i = 0; i < n; ++i) p[i] = UniformReal<double, 53>(Random64(), from, to);
      return absl::OkStatus();
    }
    default:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "uniform_: float32 and float64 are supported here, not ", DtypeRepr(t.dtype())));
}

template <typename T>
void Generator::NormalFill(T* data, int64_t n, T mean, T std) {
  constexpr int kDigits = std::is_same_v<T, double> ? 53 : 24;
  auto uniform = [this]() -> T {
    if constexpr (std::is_same_v<T, double>) {
      return UniformReal<double, kDigits>(Random64(), 0.0, 1.0);
    } else {
      return UniformReal<float, kDigits>(Random(), 0.0f, 1.0f);
    }
  };
  auto fill16 = [mean, std](T* d) {
    for (int j = 0; j < 8; ++j) {
      const T u1 = 1 - d[j];  // (0, 1] for the log
      const T u2 = d[j + 8];
      const T radius = std::sqrt(-2 * std::log(u1));
      const T theta = static_cast<T>(2.0 * M_PI) * u2;
      d[j] = radius * std::cos(theta) * std + mean;
      d[j + 8] = radius * std::sin(theta) * std + mean;
    }
  };
  for (int64_t i = 0; i < n; ++i) data[i] = uniform();
  for (int64_t i = 0; i + 16 <= n; i += 16) fill16(data + i);
  if (n % 16 != 0) {
    T* last = data + n - 16;
    for (int i = 0; i < 16; ++i) last[i] = uniform();
    fill16(last);
  }
}

double Generator::NextNormal() {
  if (next_normal_) {
    const double v = *next_normal_;
    next_normal_.reset();
    return v;
  }
  const double u1 = UniformReal<double, 53>(Random64(), 0.0, 1.0);
  const double u2 = UniformReal<double, 53>(Random64(), 0.0, 1.0);
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * M_PI * u1;
  next_normal_ = r * std::sin(theta);
  return r * std::cos(theta);
}

absl::Status Generator::Normal(const Tensor& t, double mean, double std) {
  if (!t.device().is_cpu() || !t.is_contiguous() || t.storage().is_read_only()) {
    return absl::FailedPreconditionError(
        "normal_: the tensor must be contiguous, writable and on the CPU");
  }
  if (std < 0) {
    return absl::InvalidArgumentError(absl::StrCat("normal expects std >= 0.0, but found std ", std));
  }
  const int64_t n = t.numel();
  if (t.dtype() != ScalarType::kFloat && t.dtype() != ScalarType::kDouble) {
    return absl::InvalidArgumentError(absl::StrCat(
        "normal_: float32 and float64 are supported here, not ", DtypeRepr(t.dtype())));
  }
  if (n >= 16) {
    if (t.dtype() == ScalarType::kFloat) {
      NormalFill<float>(static_cast<float*>(t.mutable_data()), n, static_cast<float>(mean),
                        static_cast<float>(std));
    } else {
      NormalFill<double>(static_cast<double*>(t.mutable_data()), n, mean, std);
    }
    return absl::OkStatus();
  }
  for (int64_t i = 0; i < n; ++i) {
    const double v = NextNormal() * std + mean;
    if (t.dtype() == ScalarType::kFloat) {
      static_cast<float*>(t.mutable_data())[i] = static_cast<float>(v);
    } else {
      static_cast<double*>(t.mutable_data())[i] = v;
    }
  }
  return absl::OkStatus();
}

Generator& DefaultGenerator() {
  static Generator* g = new Generator();
  return *g;
}

void ManualSeed(uint64_t seed) { DefaultGenerator().ManualSeed(seed); }

}  // namespace ptser
