// Copyright ptser authors.
//
// tensor/generator.h — PyTorch's CPU random number generator, stream for
// stream: after `ManualSeed(0)`, `Uniform(t, -1, 1)` fills `t` with the
// values `torch.manual_seed(0); t.uniform_(-1, 1)` gives in PyTorch, so that
// a C++ module initialised here has the weights Python gives for the same
// seed (tests/interop checks it against real PyTorch).
//
// The engine is the 32-bit Mersenne Twister (mt19937) seeded with the low 32
// bits of the seed, as PyTorch's CPUGeneratorImpl.  uniform_ draws one
// 32-bit output per element for float32 and two (high word first) for
// float64, keeps the mantissa's worth of low bits (24 / 53), scales them
// into [0, 1) and maps x to `x * (to - from) + from` as one fused
// multiply-add (as PyTorch's AVX2 build of the kernel, the one x86 CPUs since
// 2013 run), in the tensor's dtype with the bounds rounded to it.  (float16/bfloat16 are not done yet.)
#ifndef PTSER_TENSOR_GENERATOR_H_
#define PTSER_TENSOR_GENERATOR_H_

#include <cstdint>
#include <optional>
#include <random>

#include "absl/status/status.h"
#include "tensor/tensor.h"

namespace ptser {

class Generator {
 public:
  // PyTorch's default seed (c10::default_rng_seed_val).
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;

  explicit Generator(uint64_t seed = kDefaultSeed) { ManualSeed(seed); }

  // torch.manual_seed(seed) for this generator.
  void ManualSeed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }

  // One 32-bit output of the engine; Random64 takes two (the first is the
  // high word).
  uint32_t Random() { return static_cast<uint32_t>(engine_()); }
  uint64_t Random64();

  // t.uniform_(from, to) on a contiguous CPU tensor of float32 or float64,
  // in element order (InvalidArgumentError for other
  // dtypes, FailedPreconditionError for a strided, read-only or device
  // tensor).
  absl::Status Uniform(const Tensor& t, double from, double to);

  // t.normal_(mean, std) on a contiguous CPU float32/float64 tensor, with
  // PyTorch's two paths: 16 elements or more are filled with uniforms and
  // turned into normals by Box-Muller on pairs 8 apart in blocks of 16 (the
  // last block recomputed from fresh uniforms when the size is not a
  // multiple of 16); fewer are drawn one by one (two uniforms each, the sine
  // sample cached for the next draw).  float64 equals PyTorch stream for
  // stream; float32 tensors of 16+ elements run PyTorch's AVX2 kernel there,
  // whose approximate log/sin/cos can differ in the last bits.
  absl::Status Normal(const Tensor& t, double mean, double std);

 private:
  template <typename T>
  void NormalFill(T* data, int64_t n, T mean, T std);
  double NextNormal();

  uint64_t seed_ = kDefaultSeed;
  std::mt19937 engine_;
  std::optional<double> next_normal_;  // the cached second Box-Muller sample
};

// torch's default CPU generator (one per process, not thread-safe: guard it
// yourself when threads initialise modules).
Generator& DefaultGenerator();

// torch.manual_seed(seed): reseeds DefaultGenerator().
void ManualSeed(uint64_t seed);

}  // namespace ptser

#endif  // PTSER_TENSOR_GENERATOR_H_
