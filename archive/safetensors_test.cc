// Copyright ptser authors.
//
// LoadSafetensors against the reference reader: the byte strings of the
// tests in safetensors' tensor.rs (test_deserialization, ..._incomplete_buffer,
// ..._validation_overflow, ...), each accepted or refused as the reference
// does, with its error name in the message; and metadata both ways.
#include "archive/safetensors.h"

#include <memory>
#include <string>

#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/load.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

// 8-byte little-endian `len`, then `header`, then `data`.
std::string File(uint64_t len, const std::string& header, const std::string& data = "") {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  return out + header + data;
}
std::string File(const std::string& header, const std::string& data = "") {
  return File(header.size(), header, data);
}

absl::StatusOr<Value> Load(const std::string& bytes, SafetensorsMetadata* metadata = nullptr) {
  return LoadSafetensors(
      std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, "t.safetensors")), metadata);
}

const std::string kTest =
    R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})";  // 60 bytes

TEST(SafetensorsTest, ReferenceFilesThatLoad) {
  // test_deserialization
  ASSERT_OK_AND_ASSIGN(Value v, Load(File(kTest, std::string(16, '\0'))));
  ASSERT_EQ(v.dict().size(), 1u);
  const Tensor& t = v.dict().items()[0].value.tensor();
  EXPECT_EQ(t.sizes(), std::vector<int64_t>({2, 2}));
  EXPECT_EQ(t.dtype(), ScalarType::kInt);
  // test_empty_shapes_allowed
  ASSERT_OK_AND_ASSIGN(
      v, Load(File(R"({"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}})",
                   std::string(4, '\0'))));
  EXPECT_EQ(v.dict().items()[0].value.tensor().dim(), 0);
  // test_whitespace_padded_header
  ASSERT_OK_AND_ASSIGN(v, Load(File("{}\x0d\x20\x09\x0a")));
  EXPECT_EQ(v.dict().size(), 0u);
  // test_zero_sized_tensor
  ASSERT_OK_AND_ASSIGN(
      v, Load(File(R"({"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}})")));
  EXPECT_EQ(v.dict().items()[0].value.tensor().sizes(), std::vector<int64_t>({2, 0}));
}

TEST(SafetensorsTest, ReferenceFilesThatAreRefused) {
  auto refused = [](const std::string& bytes, const char* error) {
    EXPECT_THAT(Load(bytes), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(error)))
        << error;
  };
  // test_metadata_incomplete_buffer: trailing bytes, and 2 bytes missing.
  refused(File(kTest, std::string(16, '\0') + "extra_bogus_data_for_polyglot_file"),
          "(MetadataIncompleteBuffer)");
  refused(File(kTest, std::string(14, '\0')), "(MetadataIncompleteBuffer)");
  // test_header_too_large: "<\0\0\0\0\xff\xff\xff"
  refused(File(0xffffff000000003cull, kTest, std::string(16, '\0')), "(HeaderTooLarge)");
  refused("", "(HeaderTooSmall)");                                  // test_header_too_small
  refused(File(60, ""), "(InvalidHeaderLength)");                   // test_invalid_header_length
  refused(File("\xff"), "(InvalidHeader)");                         // ..._non_utf8
  refused(File("{"), "(InvalidHeaderDeserialization)");             // ..._not_json
  refused(File(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0, 4]}})"),
          "(TensorInvalidInfo)");                                   // test_invalid_info
  // test_validation_overflow: the element count, then the byte size.
  refused(File(R"({"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}})",
               std::string(16, '\0')),
          "(ValidationOverflow)");
  refused(File(R"({"test":{"dtype":"I32","shape":[2,9223372036854775807],"data_offsets":[0,16]}})",
               std::string(16, '\0')),
          "(ValidationOverflow)");
  // test_json_attack: ten tensors all at [0, 16].
  std::string attack = "{";
  for (int i = 0; i < 10; ++i) {
    attack += (i ? "," : "") + std::string("\"weight_") + std::to_string(i) +
              R"(":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})";
  }
  refused(File(attack + "}", std::string(16, '\0')), "(InvalidOffset)");
  // A gap between two tensors; a first tensor that does not start at 0.
  refused(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
               R"("b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}})",
               std::string(10, '\0')),
          "(InvalidOffset)");
  refused(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})", std::string(6, '\0')),
          "(InvalidOffset)");
  // __metadata__ is str -> str.
  refused(File(R"({"__metadata__":{"format":"pt","step":3}})"), "(InvalidHeaderDeserialization)");
  refused(File(R"({"__metadata__":["pt"]})"), "(InvalidHeaderDeserialization)");
  refused(File(R"({"a":{"dtype":"X9","shape":[1],"data_offsets":[0,1]}})", std::string(1, '\0')),
          "(InvalidHeaderDeserialization)");
}

TEST(SafetensorsTest, MetadataBothWays) {
  SafetensorsMetadata metadata;
  ASSERT_OK_AND_ASSIGN(Value v, Load(File(R"({"__metadata__":{"format":"pt","b":"x"}})"),
                                     &metadata));
  EXPECT_EQ(metadata, (SafetensorsMetadata{{"b", "x"}, {"format", "pt"}}));
  ASSERT_OK(Load(File(R"({"__metadata__":null})"), &metadata).status());
  EXPECT_TRUE(metadata.empty());
  ASSERT_OK_AND_ASSIGN(v, Load(File(kTest, std::string(16, '\1'))));
  StringSink sink;
  ASSERT_OK(SaveSafetensors(v, &sink, nullptr, {{"format", "pt"}}));
  const std::string bytes = sink.Release();
  EXPECT_EQ(bytes.substr(8, 32), R"({"__metadata__":{"format":"pt"},)");
  ASSERT_OK_AND_ASSIGN(Value back, Load(bytes, &metadata));
  EXPECT_EQ(metadata, (SafetensorsMetadata{{"format", "pt"}}));
  EXPECT_TRUE(ValuesEqual(back, v));
  StringSink empty_sink;
  ASSERT_OK(SaveSafetensors(Value::NewDict(), &empty_sink, nullptr, {{"format", "pt"}}));
  EXPECT_EQ(empty_sink.Release().substr(8, 32), R"({"__metadata__":{"format":"pt"}})");
}

// ptser::Load takes .safetensors as the CLI does: detected by its header (a
// length that fits the file, then "{"), whatever the file is called.
TEST(SafetensorsTest, PtserLoadDetectsIt) {
  const std::string bytes = File(kTest, std::string(16, '\0'));
  for (const char* name : {"model.safetensors", "model.bin"}) {
    auto source = std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, name));
    ASSERT_OK_AND_ASSIGN(FileFormat format, DetectFormat(*source));
    EXPECT_EQ(format, FileFormat::kSafetensors);
    ASSERT_OK_AND_ASSIGN(Value v, LoadFromSource(source));
    ASSERT_TRUE(v.is_dict());
    EXPECT_EQ(v.dict().size(), 1u);
  }
  // map_location applies as to storages saved on "cpu": to a device this
  // program has no support for, refused as for any checkpoint (a registered
  // device: archive/device_load_test.cc), and to the CPU a no-op.
  LoadOptions to_cuda;
  to_cuda.map_location = MapLocation::To("cuda:0");
  EXPECT_THAT(LoadFromSource(std::shared_ptr<const ByteSource>(
                                 ByteSource::FromString(bytes, "model.safetensors")),
                             to_cuda)
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no 'cuda' device support")));
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To("cpu");
  ASSERT_OK_AND_ASSIGN(Value on_cpu, LoadFromSource(std::shared_ptr<const ByteSource>(
                                                        ByteSource::FromString(bytes, "m")),
                                                    to_cpu));
  EXPECT_TRUE(on_cpu.dict().items()[0].value.tensor().device().is_cpu());
  // Not JSON after a length that fits: unknown, as before.
  auto junk = std::shared_ptr<const ByteSource>(
      ByteSource::FromString(std::string("\x02\0\0\0\0\0\0\0xx"), "x"));
  ASSERT_OK_AND_ASSIGN(FileFormat f, DetectFormat(*junk));
  EXPECT_EQ(f, FileFormat::kUnknown);
}

}  // namespace
}  // namespace ptser
