// Copyright ptser authors.
//
// ptser::Save and ptser::Load on the real CUDA device: a state dict of device
// tensors saved, then loaded staged through pinned buffers (views sharing
// one storage), mapped to the CPU, and mapped to a device that does not
// exist.  It skips, saying why, where no GPU is usable; the same cases run
// everywhere on FakeDevice (archive/device_stage_test.cc,
// archive/device_load_test.cc).
#include <cstdlib>
#include <string>
#include <vector>

#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gpu/cuda_test_util.h"
#include "gtest/gtest.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace gpu {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST_F(CudaDeviceTest, SaveThenLoadStagedThroughPinnedBuffers) {
  ASSERT_OK_AND_ASSIGN(Tensor base, Arange(Scalar(0.0), Scalar(3 << 20)));  // 12 MiB: chunks
  ASSERT_OK_AND_ASSIGN(Tensor w, View(base, {3 << 10, 1 << 10}));
  ASSERT_OK_AND_ASSIGN(Tensor w_t, Transpose(w, 0, 1));
  ASSERT_OK_AND_ASSIGN(Tensor ids, Arange(Scalar(int64_t{0}), Scalar(int64_t{1000})));
  Tensor::StorageMoves moves;
  Value sd = Value::NewOrderedDict();
  for (const auto& [name, t] : std::vector<std::pair<std::string, Tensor>>{
           {"w", w}, {"w_t", w_t}, {"ids", ids}}) {
    ASSERT_OK_AND_ASSIGN(Tensor d, t.To(Device("cuda", 0), &moves));
    ASSERT_OK(sd.dict().SetItem(Value::Str(name), Value::FromTensor(d)));
  }
  const std::string path = TempPath("cuda_sd.pt");
  ASSERT_OK(Save(sd, path));
  sd = Value();
  moves = Tensor::StorageMoves();
  LoadOptions options;
  options.device_staging.chunk_bytes = 1 << 20;
  {
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, options));
    ASSERT_OK_AND_ASSIGN(Tensor lw, back.Get<Tensor>("w"));
    ASSERT_OK_AND_ASSIGN(Tensor lw_t, back.Get<Tensor>("w_t"));
    ASSERT_OK_AND_ASSIGN(Tensor lids, back.Get<Tensor>("ids"));
    EXPECT_EQ(lw.device(), Device("cuda", 0));
    EXPECT_TRUE(lw.storage().IsSameAs(lw_t.storage()));
    EXPECT_EQ(Elements(lw_t), Elements(w_t));
    EXPECT_EQ(Elements(lids), Elements(ids));
  }
  {
    LoadOptions to_cpu;
    to_cpu.map_location = MapLocation::To("cpu");
    ASSERT_OK_AND_ASSIGN(Value back, Load(path, to_cpu));
    ASSERT_OK_AND_ASSIGN(Tensor lw, back.Get<Tensor>("w"));
    EXPECT_TRUE(lw.device().is_cpu());
    EXPECT_EQ(Elements(lw), Elements(w));
  }
  {
    LoadOptions missing = options;
    missing.map_location = MapLocation::Table({{"cuda:0", absl::StrCat("cuda:", count_)}});
    EXPECT_THAT(Load(path, missing).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not exist")));
  }
}

}  // namespace
}  // namespace gpu
}  // namespace ptser
