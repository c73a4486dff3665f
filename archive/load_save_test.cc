// Copyright ptser authors.
//
// ptser::Load and ptser::Save against files PyTorch 1.13 wrote
// (archive/testdata/make_zip_fixtures.py).  The strongest check: loading a
// torch.save file and saving it again under the same name gives the same
// bytes, which only holds when every tensor, storage, sharing and memo
// detail survived the round trip.
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/differential.h"
#include "archive/load.h"
#include "archive/save.h"
#include "archive/test_util.h"
#include "archive/zip_reader.h"
#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tensor/factories.h"
#include "tensor/views.h"

namespace ptser {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

using archive_test::ReadFixture;

absl::StatusOr<Value> LoadBytes(const std::string& bytes, const LoadOptions& options = {}) {
  return LoadFromSource(
      std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, "test.pt")), options);
}

std::vector<int64_t> Int64s(const Tensor& t) {
  std::vector<int64_t> out;
  EXPECT_EQ(t.dtype(), ScalarType::kLong);
  const int64_t* base = static_cast<const int64_t*>(t.storage().data());
  for (int64_t i = 0; i < t.numel(); ++i) {
    out.push_back(base[t.storage_offset() + i * t.strides()[0]]);
  }
  return out;
}

class TorchFile : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchFile, LoadThenSaveIsByteIdentical) {
  const std::string name = GetParam();
  std::string original = ReadFixture(name);
  ASSERT_FALSE(original.empty()) << name;
  ASSERT_OK_AND_ASSIGN(Value value, LoadBytes(original));
  ASSERT_OK_AND_ASSIGN(std::string saved,
                       SaveToString(value, name.substr(0, name.rfind('.'))));
  EXPECT_EQ(saved.size(), original.size()) << name;
  EXPECT_TRUE(saved == original) << name << ": first difference at byte "
                                 << (std::mismatch(saved.begin(), saved.end(), original.begin())
                                         .first - saved.begin());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TorchFile,
                         ::testing::Values("float_tensor.pt", "empty.pt", "dict.pt", "twelve.pt",
                                           "views.pt", "layouts.pt", "dtypes.pt", "params.pt",
                                           "state_dict.pt", "misc.pt"));

TEST(Load, ViewsShareTheirStorageAgain) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(ReadFixture("views.pt")));
  ASSERT_TRUE(v.is_list());
  const Tensor& numbers = v.list()[0].tensor();
  const Tensor& evens = v.list()[1].tensor();
  EXPECT_TRUE(numbers.storage().IsSameAs(evens.storage()));
  EXPECT_EQ(evens.storage_offset(), 1);
  EXPECT_EQ(evens.strides(), std::vector<int64_t>({2}));
  // evens *= 2 through the view shows in numbers.
  int64_t* data = static_cast<int64_t*>(evens.storage().mutable_data());
  for (int64_t i = 0; i < evens.numel(); ++i) data[1 + 2 * i] *= 2;
  EXPECT_EQ(Int64s(numbers), std::vector<int64_t>({1, 4, 3, 8, 5, 12, 7, 16, 9}));
}

// LoadOptions::on_zip_storage reports each storage with its recorded CRC-32,
// and SaveOptions::expected_crc32 checks it against the bytes written: a
// mismatch fails the save.
TEST(Save, ExpectedCrc32ChecksStoragesWhileWriting) {
  const std::string file = ReadFixture("views.pt");
  std::shared_ptr<const ByteSource> source(ByteSource::FromString(file, "views.pt"));
  std::vector<std::pair<Storage, uint32_t>> seen;
  LoadOptions options;
  options.verify_crc32 = false;
  options.on_zip_storage = [&seen](const Storage& s, uint32_t crc) { seen.emplace_back(s, crc); };
  ASSERT_OK_AND_ASSIGN(Value v, LoadFromSource(source, options));
  ASSERT_EQ(seen.size(), 1u);  // numbers and evens share one storage
  EXPECT_TRUE(seen[0].first.IsSameAs(v.list()[0].tensor().storage()));

  SaveOptions save;
  save.expected_crc32 = [&seen](const Storage& s) -> std::optional<uint32_t> {
    if (s.IsSameAs(seen[0].first)) return seen[0].second;
    return std::nullopt;
  };
  ASSERT_OK_AND_ASSIGN(std::string again, SaveToString(v, "views", save));
  EXPECT_EQ(again, file);  // the recorded CRC matched

  save.expected_crc32 = [&seen](const Storage& s) -> std::optional<uint32_t> {
    return seen[0].second ^ 1u;
  };
  EXPECT_THAT(SaveToString(v, "views", save),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("but the file it was loaded from records")));
}

TEST(Load, StateDictKeepsOrderAndMetadata) {
  ASSERT_OK_AND_ASSIGN(Value sd, LoadBytes(ReadFixture("state_dict.pt")));
  ASSERT_TRUE(sd.is_dict());
  EXPECT_TRUE(sd.dict().is_ordered_dict());
  std::vector<std::string> keys;
  for (const auto& item : sd.dict().items()) keys.push_back(item.key.as_string());
  EXPECT_THAT(keys, ::testing::ElementsAre("0.weight", "0.bias", "1.weight", "1.bias",
                                           "1.running_mean", "1.running_var",
                                           "1.num_batches_tracked"));
  ASSERT_NE(sd.dict().Attribute("_metadata"), nullptr);
}

TEST(Load, LegacyFormatGivesTheSameObjects) {
  ASSERT_OK_AND_ASSIGN(Value legacy, LoadBytes(ReadFixture("views_legacy.pt")));
  const Tensor& numbers = legacy.list()[0].tensor();
  const Tensor& evens = legacy.list()[1].tensor();
  EXPECT_TRUE(numbers.storage().IsSameAs(evens.storage()));
  EXPECT_EQ(Int64s(numbers), std::vector<int64_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(Int64s(evens), std::vector<int64_t>({2, 4, 6, 8}));
  // The legacy state dict equals the zip one: saving both as zip gives the
  // same bytes.
  ASSERT_OK_AND_ASSIGN(Value a, LoadBytes(ReadFixture("state_dict_legacy.pt")));
  ASSERT_OK_AND_ASSIGN(Value b, LoadBytes(ReadFixture("state_dict.pt")));
  ASSERT_OK_AND_ASSIGN(std::string sa, SaveToString(a, "x"));
  ASSERT_OK_AND_ASSIGN(std::string sb, SaveToString(b, "x"));
  EXPECT_TRUE(sa == sb);
}

TEST(Save, LegacyRoundTrip) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(ReadFixture("layouts.pt")));
  SaveOptions legacy;
  legacy.format = SaveOptions::Format::kLegacy;
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(v, "", legacy));
  ASSERT_OK_AND_ASSIGN(Value back, LoadBytes(bytes));
  ASSERT_OK_AND_ASSIGN(std::string again, SaveToString(back, "layouts"));
  EXPECT_TRUE(again == ReadFixture("layouts.pt"));
}

// Issue 12 §1: torch.load tries the tar format before the legacy one, and
// stops reading a legacy file after its last storage.
TEST(LoadDifferential, LegacyFileThatIsAlsoATarHeader) {
  std::string bytes = ReadFixture("state_dict_legacy.pt");
  ASSERT_GE(bytes.size(), 512u);
  ASSERT_OK(LoadBytes(bytes).status());
  // Make bytes 148..155 the checksum Python's tarfile computes for the block.
  std::memset(&bytes[148], ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += static_cast<unsigned char>(bytes[i]);
  char field[9];
  std::snprintf(field, sizeof(field), "%07o", sum);
  std::memcpy(&bytes[148], field, 8);
  absl::StatusOr<Value> v = LoadBytes(bytes);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("at offset 0: ambiguous: the file starts with the legacy "
                                    "magic number")));
  EXPECT_TRUE(IsDifferential(v.status()));
}

TEST(LoadDifferential, BytesAfterTheLastLegacyStorage) {
  const std::string bytes = ReadFixture("views_legacy.pt");
  absl::StatusOr<Value> v = LoadBytes(bytes + "PK\5\6");
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr(absl::StrCat("at offset ", bytes.size(),
                                                 ": ambiguous: 4 bytes follow the last storage"))));
  EXPECT_TRUE(IsDifferential(v.status()));
}

TEST(Load, LegacyStorageLeftOutOfTheKeyListIsRefused) {
  // Two storages of two floats; the key list then names the first twice.
  ASSERT_OK_AND_ASSIGN(Tensor a, Arange(Scalar(0.0), Scalar(2.0)));
  ASSERT_OK_AND_ASSIGN(Tensor b, Arange(Scalar(2.0), Scalar(4.0)));
  SaveOptions legacy;
  legacy.format = SaveOptions::Format::kLegacy;
  ASSERT_OK_AND_ASSIGN(std::string bytes,
                       SaveToString(Value::NewList({Value::FromTensor(a), Value::FromTensor(b)}),
                                    "", legacy));
  ASSERT_OK(LoadBytes(bytes).status());
  const std::string second_key("X\x01\x00\x00\x00" "1", 6);  // BINUNICODE '1'
  const size_t at = bytes.rfind(second_key);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] = '0';
  EXPECT_THAT(LoadBytes(bytes), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("storage '1' is named by a tensor but its "
                                                   "bytes are not in the file")));
}

TEST(Save, ViewSavesWholeStorageUnlessClonedOrCompact) {
  ASSERT_OK_AND_ASSIGN(Tensor big, Arange(Scalar(int64_t{1}), Scalar(int64_t{1000})));
  ASSERT_OK_AND_ASSIGN(Tensor small, Slice(big, 0, 0, 5, 1));
  ASSERT_OK_AND_ASSIGN(Tensor tail, Slice(big, 0, 2, 7, 1));
  Value both = Value::NewList({Value::FromTensor(small), Value::FromTensor(tail)});
  ASSERT_OK_AND_ASSIGN(std::string whole, SaveToString(both, "a"));
  SaveOptions compact;
  compact.compact = true;
  ASSERT_OK_AND_ASSIGN(std::string trimmed, SaveToString(both, "a", compact));
  ASSERT_OK_AND_ASSIGN(Tensor cloned, Clone(small));
  ASSERT_OK_AND_ASSIGN(std::string clone_file, SaveToString(Value::FromTensor(cloned), "a"));
  EXPECT_GT(whole.size(), 999u * 8);
  EXPECT_LT(trimmed.size(), 1000u);
  EXPECT_LT(clone_file.size(), 1000u);
  ASSERT_OK_AND_ASSIGN(Value back, LoadBytes(trimmed));
  const Tensor& s = back.list()[0].tensor();
  const Tensor& t = back.list()[1].tensor();
  EXPECT_TRUE(s.storage().IsSameAs(t.storage()));
  EXPECT_EQ(s.storage().nbytes(), 7u * 8);  // elements 1..7 of arange(1, 1000)
  EXPECT_EQ(t.storage_offset(), 2);
  EXPECT_EQ(Int64s(s), std::vector<int64_t>({1, 2, 3, 4, 5}));
  EXPECT_EQ(Int64s(t), std::vector<int64_t>({3, 4, 5, 6, 7}));
}

// torch.save checks the types of allocated storages only: an empty storage
// may be named as float and as int32 (test_save_different_dtype_unallocated),
// and loads as the first typed storage for both, as torch.load gives it.
TEST(Save, EmptyStorageUnderTwoDtypes) {
  ASSERT_OK_AND_ASSIGN(Tensor empty, Zeros({0}, ScalarType::kFloat));
  Value both = Value::NewList({Value::FromTensor(empty),
                               Value::FromStorage({empty.storage(), ScalarType::kInt, false})});
  for (SaveOptions::Format format : {SaveOptions::Format::kZip, SaveOptions::Format::kLegacy}) {
    SaveOptions options;
    options.format = format;
    ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(both, "a", options));
    EXPECT_NE(bytes.find("IntStorage"), std::string::npos);
    ASSERT_OK_AND_ASSIGN(Value back, LoadBytes(bytes));
    ASSERT_TRUE(back.list()[1].is_storage());
    EXPECT_EQ(back.list()[1].storage().dtype, ScalarType::kFloat);
    EXPECT_TRUE(back.list()[1].storage().storage.IsSameAs(back.list()[0].tensor().storage()));
  }
  ASSERT_OK_AND_ASSIGN(Tensor full, Zeros({2}, ScalarType::kFloat));
  Value clash = Value::NewList({Value::FromTensor(full),
                                Value::FromStorage({full.storage(), ScalarType::kInt, false})});
  EXPECT_THAT(SaveToString(clash, "a"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("different types")));
}

TEST(Load, CudaTaggedStorageNeedsAMapLocation) {
  std::string bytes = ReadFixture("cuda_tagged.pt");
  EXPECT_THAT(LoadBytes(bytes),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("map_location = MapLocation::To(Device::Cpu())")));
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To(Device::Cpu());
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(bytes, to_cpu));
  EXPECT_TRUE(v.tensor().device().is_cpu());
  // A device string, as torch.load(map_location='cpu') takes one.
  LoadOptions to_cpu_str;
  to_cpu_str.map_location = MapLocation::To("cpu");
  ASSERT_OK_AND_ASSIGN(Value from_str, LoadBytes(bytes, to_cpu_str));
  EXPECT_TRUE(from_str.tensor().device().is_cpu());
  // A bad string fails when a storage needs it, naming the string.
  LoadOptions bad_str;
  bad_str.map_location = MapLocation::To(std::string("cpu:x"));
  EXPECT_THAT(LoadBytes(bytes, bad_str), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 HasSubstr("cpu:x")));
  LoadOptions table;
  table.map_location = MapLocation::Table({{"cuda:0", "cpu"}});
  EXPECT_OK(LoadBytes(bytes, table).status());
  int calls = 0;
  LoadOptions fn;
  fn.map_location = MapLocation::Function(
      [&calls](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        ++calls;
        EXPECT_EQ(tag, "cuda:0");
        return std::optional<Storage>(s);
      });
  EXPECT_OK(LoadBytes(bytes, fn).status());
  EXPECT_EQ(calls, 1);
}

// One map_location policy for both formats (issue 17, item 10): a legacy
// file's CUDA storage is refused without a mapping to the CPU, and a
// map_location function sees it, as in a zip file.
TEST(Load, CudaTaggedLegacyStorageFollowsTheZipPolicy) {
  std::string bytes = ReadFixture("cuda_tagged_legacy.pt");
  ASSERT_FALSE(bytes.empty());
  EXPECT_THAT(LoadBytes(bytes),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("map_location = MapLocation::To(Device::Cpu())")));
  LoadOptions to_cpu;
  to_cpu.map_location = MapLocation::To(Device::Cpu());
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(bytes, to_cpu));
  EXPECT_TRUE(v.tensor().device().is_cpu());
  LoadOptions table;
  table.map_location = MapLocation::Table({{"cuda:0", "cpu"}});
  EXPECT_OK(LoadBytes(bytes, table).status());
  // A function that returns a changed copy: the tensor is built on it.
  int calls = 0;
  LoadOptions fn;
  fn.map_location = MapLocation::Function(
      [&calls](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        ++calls;
        EXPECT_EQ(tag, "cuda:0");
        PTSER_ASSIGN_OR_RETURN(Storage copy, Storage::CopyFrom(s.data(), s.nbytes()));
        static_cast<float*>(copy.mutable_data())[0] = 42.0f;
        return std::optional<Storage>(copy);
      });
  ASSERT_OK_AND_ASSIGN(Value mapped, LoadBytes(bytes, fn));
  EXPECT_EQ(calls, 1);
  const Tensor& t = mapped.tensor();
  EXPECT_EQ(static_cast<const float*>(t.storage().data())[0], 42.0f);
  EXPECT_EQ(static_cast<const float*>(t.storage().data())[1], 2.0f);
}

// A checkpoint of many small tensors: its storage records are checked ahead
// of the pickle, on a second thread (load_file.cc), and a corrupt one is
// still reported when the pickle names it, as before.
TEST(Load, ManySmallRecordsAreCheckedAheadWithTheSameErrors) {
  constexpr int kTensors = 5000;  // above the second-thread threshold
  Value dict = Value::NewDict();
  for (int i = 0; i < kTensors; ++i) {
    ASSERT_OK_AND_ASSIGN(Tensor t, MakeTensor<int64_t>({i, 2 * i, 3 * i}));
    ASSERT_OK(dict.dict().SetItem(Value::Str(absl::StrCat("layers.", i, ".weight")),
                                  Value::FromTensor(t)));
  }
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(dict, "many"));
  ASSERT_OK_AND_ASSIGN(Value loaded, LoadBytes(bytes));
  ASSERT_EQ(loaded.dict().size(), static_cast<size_t>(kTensors));
  for (int i : {0, 1, 9, 10, 4095, 4096, kTensors - 1}) {
    const Value* v = loaded.dict().Find(absl::StrCat("layers.", i, ".weight"));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(Int64s(v->tensor()), (std::vector<int64_t>{i, 2 * i, 3 * i})) << i;
  }
  // One payload byte of record data/4321 flipped: the load fails naming it.
  const std::string name = "many/data/4321";
  const size_t header = bytes.find(name);  // its local header's name
  ASSERT_NE(header, std::string::npos);
  std::string bad = bytes;
  const size_t payload = (header + name.size() + 63) / 64 * 64;  // 64-byte aligned
  bad[payload + 8] ^= 1;
  EXPECT_THAT(LoadBytes(bad), StatusIs(absl::StatusCode::kDataLoss,
                                       HasSubstr("CRC-32 mismatch in record 'many/data/4321'")));
  LoadOptions no_crc;
  no_crc.verify_crc32 = false;
  EXPECT_OK(LoadBytes(bad, no_crc).status());
  // Checking ahead fails nothing by itself: the corrupt record is reported
  // when it is read, and the others read as usual.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ZipReader> zip,
                       ZipReader::Open(std::shared_ptr<const ByteSource>(
                           ByteSource::FromString(bad, "bad.pt"))));
  zip->CheckAhead("many/data/", 1 << 16);
  ASSERT_OK_AND_ASSIGN(const ZipEntry* good, zip->Find("many/data/4320"));
  EXPECT_OK(zip->Read(*good).status());
  ASSERT_OK_AND_ASSIGN(const ZipEntry* corrupt, zip->Find(name));
  EXPECT_THAT(zip->Read(*corrupt).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("CRC-32 mismatch")));
}

TEST(Load, TorchScriptIsRecognisedAndRefused) {
  EXPECT_THAT(LoadBytes(ReadFixture("jit_add_one.pt")),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("TorchScript")));
}

TEST(Load, MalformedFiles) {
  EXPECT_THAT(LoadBytes("not a checkpoint at all"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a PyTorch file")));
  // A storage record shorter than its tensor needs: data/0 claims 3 floats.
  std::string bytes = ReadFixture("float_tensor.pt");
  size_t numel = bytes.find(std::string("K\x03t", 3));  // BININT1 3, TUPLE in the pid
  ASSERT_NE(numel, std::string::npos);
  bytes[numel + 1] = 9;
  EXPECT_THAT(LoadBytes(bytes), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("CRC-32 mismatch")));
  LoadOptions no_crc;  // past the CRC check, the storage size check answers
  no_crc.verify_crc32 = false;
  EXPECT_THAT(LoadBytes(bytes, no_crc),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("holds 12 bytes but its storage")));
  // A missing storage record: key '0' renamed to '7'.
  std::string missing = ReadFixture("float_tensor.pt");
  size_t key = missing.find(std::string("X\x01\0\0\0" "0", 6));
  ASSERT_NE(key, std::string::npos);
  missing[key + 5] = '7';
  EXPECT_THAT(LoadBytes(missing, no_crc),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("missing storage record 'data/7'")));
  // The legacy file cut short inside its storage bytes.
  std::string legacy = ReadFixture("views_legacy.pt");
  EXPECT_THAT(LoadBytes(legacy.substr(0, legacy.size() - 3)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("needs 72 bytes")));
}

TEST(Save, AtomicSaveToPath) {
  std::string path = ::testing::TempDir() + "/atomic_save.pt";
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(ReadFixture("float_tensor.pt")));
  ASSERT_OK(Save(v, ::testing::TempDir() + "/float_tensor.pt"));
  ASSERT_OK_AND_ASSIGN(Value back, Load(::testing::TempDir() + "/float_tensor.pt"));
  ASSERT_OK_AND_ASSIGN(std::string bytes, SaveToString(back, "float_tensor"));
  EXPECT_TRUE(bytes == ReadFixture("float_tensor.pt"));
  LoadOptions mapped;
  mapped.mmap = true;
  ASSERT_OK_AND_ASSIGN(Value via_map, Load(::testing::TempDir() + "/float_tensor.pt", mapped));
  EXPECT_EQ(via_map.tensor().numel(), 3);
  // A save that fails (a tensor and storage disagreeing on dtype) leaves the old file.
  std::ofstream(path) << "precious";
  ASSERT_OK_AND_ASSIGN(Tensor f, Arange(Scalar(int64_t{4})));
  ASSERT_OK_AND_ASSIGN(Tensor as_double,
                       Tensor::Make(f.storage(), ScalarType::kDouble, 0, {4}, {1}));
  Value clash = Value::NewList({Value::FromTensor(f), Value::FromTensor(as_double)});
  EXPECT_THAT(Save(clash, path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("different types")));
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "precious");
}

}  // namespace
}  // namespace ptser

namespace ptser {
namespace {

// Dtypes PyTorch 1.13 lacks (no oracle here): newer PyTorch saves them on an
// UntypedStorage and rebuilds them with _rebuild_tensor_v3(..., dtype)
// (docs/formats/pickle.md).  The pickle ptser writes must have exactly that
// shape, and load back bit for bit.
TEST(Save, NewDtypesUseRebuildTensorV3) {
  for (ScalarType dtype : {ScalarType::kFloat8_e4m3fn, ScalarType::kFloat8_e5m2,
                           ScalarType::kFloat8_e4m3fnuz, ScalarType::kFloat8_e5m2fnuz,
                           ScalarType::kUInt16, ScalarType::kUInt32, ScalarType::kUInt64,
                           ScalarType::kComplexHalf}) {
    const size_t itemsize = ElementSize(dtype);
    std::string bytes(6 * itemsize, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 37 + 1);
    ASSERT_OK_AND_ASSIGN(Storage storage, Storage::CopyFrom(bytes.data(), bytes.size()));
    ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Make(storage, dtype, 1, {2, 2}, {1, 2}));
    ASSERT_OK_AND_ASSIGN(std::string file, SaveToString(Value::FromTensor(t), "v3"));
    // The pickle names the v3 rebuild, the untyped storage and the dtype.
    EXPECT_NE(file.find("torch._utils\n_rebuild_tensor_v3\n"), std::string::npos) << DtypeName(dtype);
    EXPECT_NE(file.find("torch.storage\nUntypedStorage\n"), std::string::npos) << DtypeName(dtype);
    EXPECT_NE(file.find("ctorch\n" + std::string(DtypeName(dtype)) + "\n"), std::string::npos)
        << DtypeName(dtype);
    ASSERT_OK_AND_ASSIGN(Value back, LoadBytes(file));
    const Tensor& r = back.tensor();
    EXPECT_EQ(r.dtype(), dtype);
    EXPECT_EQ(r.sizes(), std::vector<int64_t>({2, 2}));
    EXPECT_EQ(r.strides(), std::vector<int64_t>({1, 2}));
    EXPECT_EQ(r.storage_offset(), 1);
    ASSERT_EQ(r.storage().nbytes(), bytes.size());
    EXPECT_EQ(std::memcmp(r.storage().data(), bytes.data(), bytes.size()), 0);
  }
}

TEST(Load, ByteOrderBigSwapsEachElement) {
  // A file declaring big-endian storages (a `byteorder` record, PyTorch 2.1+).
  ASSERT_OK_AND_ASSIGN(Tensor t, MakeTensor<int32_t>({0x01020304, 0x0a0b0c0d}));
  ASSERT_OK_AND_ASSIGN(std::string little, SaveToString(Value::FromTensor(t), "be"));
  ASSERT_OK_AND_ASSIGN(std::string big, archive_test::BigEndianArchive(little, "be", 4));
  ASSERT_OK_AND_ASSIGN(Value back, LoadBytes(big));
  const int32_t* v = static_cast<const int32_t*>(back.tensor().storage().data());
  EXPECT_EQ(v[0], 0x01020304);
  EXPECT_EQ(v[1], 0x0a0b0c0d);
}

// Issue 12: what a file's pickle allocates is bounded by max_pickle_growth
// times the file (at least 64 MiB).  A 1 MB data.pkl of a million empty lists
// (valid: torch.load loads it) is refused with the way to allow it.
TEST(Load, PickleValuesAreBoundedByTheFileSize) {
  StringSink sink;
  ZipWriter zip(&sink, "lists");
  const std::string pickle = "\x80\x02(" + std::string(1000000, ']') + "l.";
  ASSERT_OK(zip.WriteRecord("data.pkl", pickle.data(), pickle.size()));
  ASSERT_OK(zip.WriteRecord("version", "3\n", 2));
  ASSERT_OK(zip.Finish());
  EXPECT_THAT(LoadBytes(sink.data()),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("UnpicklerOptions::max_total_bytes"),
                             HasSubstr("raise LoadOptions::max_pickle_growth"))));
  LoadOptions lax;
  lax.max_pickle_growth = 1000;
  ASSERT_OK_AND_ASSIGN(Value lists, LoadBytes(sink.data(), lax));
  EXPECT_EQ(lists.list().size(), 1000000u);
  // The unpickler's own limit still applies, and then no hint is added.
  lax.unpickler.max_total_bytes = 1 << 20;
  absl::StatusOr<Value> own = LoadBytes(sink.data(), lax);
  EXPECT_THAT(own, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(own.status().message(), Not(HasSubstr("max_pickle_growth")));
  EXPECT_EQ(UnpicklerBudget(LoadOptions(), 1 << 20), uint64_t{64} << 20);
  EXPECT_EQ(UnpicklerBudget(LoadOptions(), uint64_t{1} << 30), uint64_t{1} << 32);
}

}  // namespace
}  // namespace ptser
