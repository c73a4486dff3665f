// Copyright ptser authors.
#include "tensor/generator.h"

#include <cmath>
#include <limits>

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

Generator& DefaultGenerator() {
  static Generator* g = new Generator();
  return *g;
}

void ManualSeed(uint64_t seed) { DefaultGenerator().ManualSeed(seed); }

}  // namespace ptser
