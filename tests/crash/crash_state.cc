// Copyright ptser authors.
#include "tests/crash/crash_state.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "base/status_macros.h"
#include "tensor/factories.h"
#include "tensor/scalar_type.h"
#include "tensor/tensor.h"

namespace ptser {
namespace crash {
namespace {

// Seeds for the generators of each tensor, far apart for nearby seeds.
uint64_t TensorSeed(uint64_t seed, uint64_t index) {
  return seed * 0x9E3779B97F4A7C15ull + index * 0xBF58476D1CE4E5B9ull + 1;
}

absl::Status Add(Value& dict, const std::string& key, Tensor tensor) {
  return dict.dict().SetItem(Value::Str(key), Value::FromTensor(std::move(tensor)));
}

// A float32 tensor of values k / 2^24 in [0, 1) from a splitmix64 stream:
// Rand's Mersenne Twister costs ~25 ns an element, and the weights are most
// of the bytes the victim process builds before every save.
absl::StatusOr<Tensor> FastRandFloat(absl::Span<const int64_t> sizes, uint64_t seed) {
  PTSER_ASSIGN_OR_RETURN(Tensor tensor, Empty(sizes, ScalarType::kFloat));
  float* values = static_cast<float*>(tensor.mutable_data());
  uint64_t state = seed;
  for (int64_t i = 0, n = tensor.numel(); i < n; ++i) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    values[i] = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
  }
  return tensor;
}

std::string Shape(const std::vector<int64_t>& sizes) {
  return absl::StrCat("[", absl::StrJoin(sizes, ", "), "]");
}

}  // namespace

absl::StatusOr<Value> MakeStateDict(uint64_t seed, int64_t target_bytes) {
  Value dict = Value::NewOrderedDict();
  const int64_t seed_value[] = {static_cast<int64_t>(seed)};
  PTSER_ASSIGN_OR_RETURN(Tensor seed_tensor,
                         MakeTensor<int64_t>(absl::MakeConstSpan(seed_value)));
  PTSER_RETURN_IF_ERROR(Add(dict, "meta.seed", seed_tensor));

  std::mt19937_64 shapes(seed ^ 0x5DEECE66Dull);
  int64_t total = 0;
  uint64_t index = 0;
  Tensor first_weight;
  for (int layer = 0; total < target_bytes; ++layer) {
    const std::string prefix = absl::StrCat("layers.", layer, ".");
    const int64_t rows = 64 + static_cast<int64_t>(shapes() % 448);
    const int64_t cols = 64 + static_cast<int64_t>(shapes() % 448);
    const int64_t weight_sizes[] = {rows, cols};
    PTSER_ASSIGN_OR_RETURN(Tensor weight,
                           FastRandFloat(weight_sizes, TensorSeed(seed, index++)));
    if (layer == 0) first_weight = weight;
    PTSER_RETURN_IF_ERROR(Add(dict, prefix + "weight", weight));
    const int64_t bias_sizes[] = {rows};
    PTSER_ASSIGN_OR_RETURN(Tensor bias, Rand(bias_sizes, TensorSeed(seed, index++)));
    PTSER_RETURN_IF_ERROR(Add(dict, prefix + "bias", bias));
    const int64_t mean_sizes[] = {rows * 4};
    PTSER_ASSIGN_OR_RETURN(
        Tensor mean, Rand(mean_sizes, TensorSeed(seed, index++),
                          layer % 2 ? ScalarType::kHalf : ScalarType::kBFloat16));
    PTSER_RETURN_IF_ERROR(Add(dict, prefix + "running_mean", mean));
    const int64_t tracked[] = {static_cast<int64_t>(seed) * 1000 + layer};
    PTSER_ASSIGN_OR_RETURN(
        Tensor count,
        MakeTensor<int64_t>(absl::MakeConstSpan(tracked), absl::Span<const int64_t>()));
    PTSER_RETURN_IF_ERROR(Add(dict, prefix + "num_batches_tracked", count));
    total += rows * cols * 4 + rows * 4 + rows * 4 * 2 + 8;
  }
  PTSER_RETURN_IF_ERROR(Add(dict, "tied.weight", first_weight));
  return dict;
}

absl::StatusOr<uint64_t> SeedOf(const Value& state_dict) {
  if (!state_dict.is_dict()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a state dict, got ", state_dict.TypeName()));
  }
  const Value* seed = state_dict.dict().Find("meta.seed");
  if (seed == nullptr || !seed->is_tensor() ||
      seed->tensor().dtype() != ScalarType::kLong || seed->tensor().numel() != 1) {
    return absl::InvalidArgumentError("no int64 'meta.seed' of one element");
  }
  int64_t value;
  std::memcpy(&value, seed->tensor().data(), sizeof(value));
  return static_cast<uint64_t>(value);
}

absl::Status CheckStateDict(const Value& loaded, uint64_t seed,
                            int64_t target_bytes) {
  PTSER_ASSIGN_OR_RETURN(Value expected, MakeStateDict(seed, target_bytes));
  return CheckStateDict(loaded, expected);
}

absl::Status CheckStateDict(const Value& loaded, const Value& expected) {
  PTSER_ASSIGN_OR_RETURN(const uint64_t seed, SeedOf(expected));
  if (!loaded.is_dict() || !loaded.dict().is_ordered_dict()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an OrderedDict, got ", loaded.TypeName()));
  }
  const auto& want = expected.dict().items();
  const auto& got = loaded.dict().items();
  if (want.size() != got.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seed ", seed, ": ", got.size(), " entries, expected ", want.size()));
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& key = want[i].key.as_string();
    if (!got[i].key.is_str() || got[i].key.as_string() != key) {
      return absl::InvalidArgumentError(absl::StrCat(
          "seed ", seed, ": entry ", i, " is ", got[i].key.Repr(), ", expected '",
          key, "'"));
    }
    if (!got[i].value.is_tensor()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "seed ", seed, ": '", key, "' is a ", got[i].value.TypeName()));
    }
    const Tensor& a = got[i].value.tensor();
    const Tensor& b = want[i].value.tensor();
    if (a.dtype() != b.dtype() || a.sizes() != b.sizes() ||
        a.strides() != b.strides() || a.storage_offset() != b.storage_offset()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "seed ", seed, ": '", key, "' is ", DtypeName(a.dtype()), Shape(a.sizes()),
          " strides ", Shape(a.strides()), " offset ", a.storage_offset(),
          ", expected ", DtypeName(b.dtype()), Shape(b.sizes()), " strides ",
          Shape(b.strides()), " offset ", b.storage_offset()));
    }
    const size_t nbytes = static_cast<size_t>(b.numel()) * b.itemsize();
    if (std::memcmp(a.data(), b.data(), nbytes) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("seed ", seed, ": the bytes of '", key, "' differ"));
    }
  }
  const Value* tied = loaded.dict().Find("tied.weight");
  const Value* first = loaded.dict().Find("layers.0.weight");
  if (!tied->tensor().storage().IsSameAs(first->tensor().storage())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "seed ", seed, ": 'tied.weight' no longer shares 'layers.0.weight''s storage"));
  }
  return absl::OkStatus();
}

}  // namespace crash
}  // namespace ptser
