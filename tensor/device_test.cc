// Copyright ptser authors.

#include "tensor/device.h"

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

TEST(DeviceTest, DefaultIsCpu) {
  Device d;
  EXPECT_TRUE(d.is_cpu());
  EXPECT_FALSE(d.has_index());
  EXPECT_EQ(d.ToString(), "cpu");
  EXPECT_EQ(Device::Cpu(), d);
}

TEST(DeviceTest, ParseRoundTrips) {
  for (const char* tag : {"cpu", "cuda", "cuda:0", "cuda:17", "mps", "meta",
                          "xpu:3", "privateuseone:0", "hpu"}) {
    ASSERT_OK_AND_ASSIGN(Device d, Device::Parse(tag));
    EXPECT_EQ(d.ToString(), tag);
  }
}

TEST(DeviceTest, ParseFields) {
  ASSERT_OK_AND_ASSIGN(Device d, Device::Parse("cuda:1"));
  EXPECT_EQ(d.type(), "cuda");
  EXPECT_EQ(d.index(), 1);
  EXPECT_TRUE(d.is_cuda());
  EXPECT_EQ(d, Device("cuda", 1));
  EXPECT_NE(d, Device("cuda"));
}

TEST(DeviceTest, ParseRejectsMalformedTags) {
  for (const char* tag : {"", ":0", "cuda:", "CUDA", "cuda:-1", "cuda:1x",
                          "cuda: 1", "cuda:01", "cu da", "cuda:0:1",
                          "cuda:99999999999999999999"}) {
    EXPECT_THAT(Device::Parse(tag),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(std::string("'") + tag + "'")))
        << tag;
  }
}

}  // namespace
}  // namespace ptser
