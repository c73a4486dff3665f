// Copyright ptser authors.
//
// The tar format of PyTorch <= 0.1.9 (archive/tar_load.h).  The fixtures are
// built by archive/testdata/make_tar_fixtures.py as 0.1.9 wrote them, and
// real PyTorch 1.13 loaded each and saved it again as `<name>_expected.pt`:
// ptser loading the tar file and saving the result must give exactly those
// bytes (values, dtypes, sizes, strides, offsets and storage sharing all
// survive only then).  Malformed cases come from the same script (1.13
// refuses them too) and from archives built here byte by byte.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "archive/tar_load.h"
#include "archive/tar_testutil.h"
#include "archive/test_util.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

using archive_test::ReadFixture;

absl::StatusOr<Value> LoadBytes(const std::string& bytes, const LoadOptions& options = {}) {
  return LoadFromSource(
      std::shared_ptr<const ByteSource>(ByteSource::FromString(bytes, "old.pt")), options);
}

template <typename T>
std::vector<T> Elements(const Tensor& t) {
  // Up to 2 dimensions, for the checks below.
  std::vector<T> out;
  const T* base = static_cast<const T*>(t.storage().data()) + t.storage_offset();
  if (t.dim() == 0) return {base[0]};
  const int64_t rows = t.dim() == 2 ? t.sizes()[0] : 1;
  const int64_t cols = t.sizes().back();
  const int64_t row_stride = t.dim() == 2 ? t.strides()[0] : 0;
  const int64_t col_stride = t.strides().back();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) out.push_back(base[i * row_stride + j * col_stride]);
  }
  return out;
}

class TarFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(TarFixture, SavesBackToWhatTorch113Saved) {
  const std::string name = GetParam();
  const std::string tar = ReadFixture(name + ".pt");
  const std::string expected = ReadFixture(name + "_expected.pt");
  ASSERT_FALSE(tar.empty()) << name;
  ASSERT_FALSE(expected.empty()) << name;
  LoadOptions options;
  options.map_location = MapLocation::To(Device::Cpu());
  ASSERT_OK_AND_ASSIGN(Value value, LoadBytes(tar, options));
  ASSERT_OK_AND_ASSIGN(std::string saved, SaveToString(value, name + "_expected"));
  EXPECT_EQ(saved.size(), expected.size()) << name;
  EXPECT_TRUE(saved == expected) << name;
  // The same through a file and through a memory map.
  for (bool mmap : {false, true}) {
    options.mmap = mmap;
    ASSERT_OK_AND_ASSIGN(Value v, Load("archive/testdata/" + name + ".pt", options));
    EXPECT_TRUE(ValuesEqual(v, value)) << name << " mmap=" << mmap;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TarFixture,
                         ::testing::Values("tar_state_dict", "tar_views", "tar_dtypes", "tar_py2",
                                           "tar_cuda"));

TEST(TarLoad, DetectsTheFormat) {
  auto source = ByteSource::FromString(ReadFixture("tar_state_dict.pt"));
  ASSERT_OK_AND_ASSIGN(FileFormat format, DetectFormat(*source));
  EXPECT_EQ(format, FileFormat::kTar);
}

TEST(TarLoad, StateDict) {
  ASSERT_OK_AND_ASSIGN(Value sd, LoadBytes(ReadFixture("tar_state_dict.pt")));
  ASSERT_TRUE(sd.is_dict());
  EXPECT_TRUE(sd.dict().is_ordered_dict());
  std::vector<std::string> keys;
  for (const auto& item : sd.dict().items()) keys.push_back(item.key.as_string());
  EXPECT_THAT(keys, ::testing::ElementsAre("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"));
  const Tensor& w = sd.dict().Find("fc2.weight")->tensor();
  EXPECT_EQ(w.dtype(), ScalarType::kFloat);
  EXPECT_EQ(w.sizes(), std::vector<int64_t>({2, 3}));
  EXPECT_EQ(w.strides(), std::vector<int64_t>({3, 1}));
  EXPECT_EQ(Elements<float>(w), std::vector<float>({1.0f, -1.0f, 0.5f, 2.0f, 0.0f, -3.5f}));
}

TEST(TarLoad, ViewsAndStorageViewsShareTheirBytes) {
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(ReadFixture("tar_views.pt")));
  ASSERT_TRUE(v.is_list());
  ASSERT_EQ(v.list().size(), 7u);
  const Tensor& numbers = v.list()[0].tensor();
  const Tensor& evens = v.list()[1].tensor();
  const Tensor& transposed = v.list()[2].tensor();
  const Tensor& on_view = v.list()[3].tensor();
  const TypedStorage& numbers_storage = v.list()[4].storage();
  const TypedStorage& view_storage = v.list()[5].storage();
  // One tensor named twice is one object.
  EXPECT_TRUE(v.list()[0].IsSameObject(v.list()[6]));
  // a and a[1::2] share a storage, which the pickle also names directly.
  EXPECT_TRUE(numbers.storage().IsSameAs(evens.storage()));
  EXPECT_TRUE(numbers.storage().IsSameAs(numbers_storage.storage));
  EXPECT_EQ(numbers_storage.dtype, ScalarType::kLong);
  EXPECT_EQ(evens.storage_offset(), 1);
  EXPECT_EQ(evens.strides(), std::vector<int64_t>({2}));
  EXPECT_EQ(Elements<int64_t>(evens), std::vector<int64_t>({2, 4, 6, 8}));
  // A transposed layout at an offset.
  EXPECT_EQ(transposed.sizes(), std::vector<int64_t>({2, 3}));
  EXPECT_EQ(transposed.strides(), std::vector<int64_t>({1, 2}));
  EXPECT_EQ(transposed.storage_offset(), 1);
  EXPECT_EQ(Elements<float>(transposed), std::vector<float>({1, 3, 5, 2, 4, 6}));
  // The storage view: elements 3..6 of the float storage, shared with the
  // tensor on it and with the root storage's other tensor.
  EXPECT_TRUE(on_view.storage().IsSameAs(view_storage.storage));
  EXPECT_EQ(view_storage.numel(), 4);
  EXPECT_EQ(Elements<float>(on_view), std::vector<float>({3, 4, 5, 6}));
  static_cast<float*>(on_view.storage().mutable_data())[0] = 30.0f;
  EXPECT_EQ(Elements<float>(transposed), std::vector<float>({1, 30, 5, 2, 4, 6}));
  static_cast<int64_t*>(numbers.storage().mutable_data())[3] = 40;
  EXPECT_EQ(Elements<int64_t>(evens), std::vector<int64_t>({2, 40, 6, 8}));
}

TEST(TarLoad, EveryTensorTypeOf019) {
  ASSERT_OK_AND_ASSIGN(Value d, LoadBytes(ReadFixture("tar_dtypes.pt")));
  ASSERT_TRUE(d.is_dict());
  auto get = [&](const char* name) { return d.dict().Find(name)->tensor(); };
  EXPECT_EQ(get("double").dtype(), ScalarType::kDouble);
  EXPECT_EQ(Elements<double>(get("double")), std::vector<double>({1.5, -2.0}));
  EXPECT_EQ(get("float").dtype(), ScalarType::kFloat);
  EXPECT_EQ(get("half").dtype(), ScalarType::kHalf);
  EXPECT_EQ(Elements<uint16_t>(get("half")), std::vector<uint16_t>({0x3e00, 0xc000}));
  EXPECT_EQ(get("long").dtype(), ScalarType::kLong);
  EXPECT_EQ(Elements<int64_t>(get("long")), std::vector<int64_t>({int64_t{1} << 40, -2}));
  EXPECT_EQ(get("int").dtype(), ScalarType::kInt);
  EXPECT_EQ(get("short").dtype(), ScalarType::kShort);
  EXPECT_EQ(Elements<int16_t>(get("short")), std::vector<int16_t>({300, -2}));
  EXPECT_EQ(get("char").dtype(), ScalarType::kChar);
  EXPECT_EQ(get("byte").dtype(), ScalarType::kByte);
  EXPECT_EQ(Elements<uint8_t>(get("byte")), std::vector<uint8_t>({1, 254}));
}

TEST(TarLoad, Python2Pickles) {
  ASSERT_OK_AND_ASSIGN(Value sd, LoadBytes(ReadFixture("tar_py2.pt")));
  ASSERT_TRUE(sd.is_dict());
  const Tensor& w = sd.dict().Find("w")->tensor();
  const Tensor& wt = sd.dict().Find("wt")->tensor();
  EXPECT_TRUE(w.storage().IsSameAs(wt.storage()));
  EXPECT_EQ(Elements<float>(wt), std::vector<float>({1, 3, 2, 4}));
}

TEST(TarLoad, CudaTaggedStoragesNeedAMapLocation) {
  const std::string bytes = ReadFixture("tar_cuda.pt");
  EXPECT_THAT(LoadBytes(bytes),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("map_location = MapLocation::To(Device::Cpu())")));
  LoadOptions table;
  table.map_location = MapLocation::Table({{"cuda:0", "cpu"}});
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(bytes, table));
  EXPECT_TRUE(v.tensor().device().is_cpu());
  int calls = 0;
  LoadOptions fn;
  fn.map_location = MapLocation::Function(
      [&calls](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
        ++calls;
        EXPECT_EQ(tag, "cuda:0");
        return s;
      });
  EXPECT_OK(LoadBytes(bytes, fn).status());
  EXPECT_EQ(calls, 1);
}

TEST(TarLoad, MalformedFixtures) {
  EXPECT_THAT(LoadBytes(ReadFixture("tar_bad_truncated.pt")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("tar header at offset 3072: member 'storages' of 77 bytes at "
                                 "offset 3584 runs past the end of the archive (40 bytes left)")));
  EXPECT_THAT(LoadBytes(ReadFixture("tar_bad_numel.pt")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("storage 94316061342080 has 1000 elements of float32 (4000 "
                                 "bytes), the member has 18 bytes left")));
  EXPECT_THAT(LoadBytes(ReadFixture("tar_bad_view.pt")),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("member 'tensors' at offset")));
  EXPECT_THAT(LoadBytes(ReadFixture("tar_bad_missing.pt")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("has no member 'tensors'")));
  EXPECT_THAT(LoadBytes(ReadFixture("tar_bad_key.pt")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("persistent id '94316061341760' names no tensor or storage")));
}

// ---------------------------------------------------------------------------
// Archives built here: protocol-2 pickles written opcode by opcode.

std::string Pickle(const std::string& body) { return "\x80\x02" + body + "."; }
std::string Int(int v) { return std::string("K") + static_cast<char>(v); }  // 0..255
std::string Str(const std::string& s) {
  std::string out = "X";
  const uint32_t n = s.size();
  out.append(reinterpret_cast<const char*>(&n), 4);
  return out + s;
}
std::string Global(const std::string& module, const std::string& name) {
  return "c" + module + "\n" + name + "\n";
}
std::string Tuple3(const std::string& a, const std::string& b, const std::string& c) {
  return a + b + c + "\x87";
}
std::string I64s(std::vector<int64_t> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 8);
}
std::string Floats(std::vector<float> values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}
const std::string kNoViews = Pickle("]");

// One float storage (key 5) of three elements, `views`, one tensor (key 7).
std::string Storages(const std::string& views = kNoViews,
                     const std::string& type = Global("torch", "FloatStorage"),
                     const std::string& key = Int(5)) {
  return Pickle(Int(1)) + Pickle(Tuple3(key, Str("cpu"), type)) + I64s({3}) +
         Floats({1, 2, 3}) + views;
}
std::string Tensors(const std::string& storage_key = Int(5), std::vector<int64_t> layout = {1, 3, 1, 0}) {
  return Pickle(Int(1)) + Pickle(Tuple3(Int(7), storage_key, Global("torch", "FloatTensor"))) +
         I64s(layout);
}
std::string File(const std::string& storages, const std::string& tensors,
                 const std::string& pickle) {
  return MakeTar({{"sys_info", Pickle("}")},
                  {"pickle", pickle},
                  {"tensors", tensors},
                  {"storages", storages}});
}
std::string Pid(const std::string& key) { return Str(key) + "Q"; }

TEST(TarLoad, PersistentIdsAreReadAsPythonsInt) {
  // [tensor 7, storage 5, tensor 7]: " 5 " and "+7" are 5 and 7 to int().
  const std::string pickle = Pickle("](" + Pid("7") + Pid(" 5 ") + Pid("+7") + "e");
  ASSERT_OK_AND_ASSIGN(Value v, LoadBytes(File(Storages(), Tensors(), pickle)));
  ASSERT_TRUE(v.is_list());
  ASSERT_EQ(v.list().size(), 3u);
  EXPECT_TRUE(v.list()[0].IsSameObject(v.list()[2]));
  EXPECT_TRUE(v.list()[0].tensor().storage().IsSameAs(v.list()[1].storage().storage));
  EXPECT_EQ(Elements<float>(v.list()[0].tensor()), std::vector<float>({1, 2, 3}));
  for (const char* bad : {"abc", "7_", "", "1__0"}) {
    EXPECT_THAT(LoadBytes(File(Storages(), Tensors(), Pickle(Pid(bad)))),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not the decimal key of a tensor or storage")))
        << bad;
  }
}

TEST(TarLoad, ChainedStorageViews) {
  // View 6 = elements 1..2 of storage 5; view 8 = element 1 of view 6.
  const std::string views = Pickle("]((" + Int(6) + Int(5) + Int(1) + Int(2) + "t(" + Int(8) +
                                   Int(6) + Int(1) + Int(1) + "te");
  ASSERT_OK_AND_ASSIGN(Value v,
                       LoadBytes(File(Storages(views), Tensors(), Pickle(Pid("8")))));
  ASSERT_TRUE(v.is_storage());
  EXPECT_EQ(v.storage().numel(), 1);
  EXPECT_EQ(*static_cast<const float*>(v.storage().storage.data()), 3.0f);
}

TEST(TarLoad, MalformedArchivesBuiltHere) {
  const std::string pickle = Pickle(Pid("7"));
  struct Case {
    const char* what;
    std::string file;
    absl::StatusCode code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"a storage view past its root",
       File(Storages(Pickle("]((" + Int(6) + Int(5) + Int(2) + Int(5) + "te")), Tensors(), pickle),
       absl::StatusCode::kOutOfRange,
       "storage view 6 (5 elements at 2) runs past its root storage 5 of 3 elements"},
      {"a view of nothing",
       File(Storages(Pickle("]((" + Int(6) + Int(9) + Int(0) + Int(1) + "te")), Tensors(), pickle),
       absl::StatusCode::kInvalidArgument, "names storage 9, which the storages member does not hold"},
      {"a tensor without storage",
       File(Storages(), Pickle(Int(1)) + Pickle(Tuple3(Int(7), "N", Global("torch", "FloatTensor"))),
            pickle),
       absl::StatusCode::kInvalidArgument, "tensor 7 has no storage"},
      {"a tensor on a storage nobody saved", File(Storages(), Tensors(Int(9)), pickle),
       absl::StatusCode::kInvalidArgument, "tensor 7 names storage 9"},
      {"a negative rank", File(Storages(), Tensors(Int(5), {-1, 0}), pickle),
       absl::StatusCode::kInvalidArgument, "tensor 7 has -1 dimensions"},
      {"a layout cut short", File(Storages(), Tensors(Int(5), {2, 3, 1}), pickle),
       absl::StatusCode::kDataLoss, "the layout of tensor 7 (2 dimensions) needs 40 bytes"},
      {"a stride past the storage", File(Storages(), Tensors(Int(5), {1, 3, 2, 0}), pickle),
       absl::StatusCode::kOutOfRange, "tensor 7 on storage 5"},
      {"a str key", File(Storages(kNoViews, Global("torch", "FloatStorage"), Str("5")), Tensors(), pickle),
       absl::StatusCode::kInvalidArgument, "storage key '5' is not an int"},
      {"an untyped storage",
       File(Storages(kNoViews, Global("torch", "UntypedStorage")), Tensors(), pickle),
       absl::StatusCode::kInvalidArgument, "is not a typed storage class"},
      {"a negative count", File(Pickle("J\xff\xff\xff\xff"), Tensors(), pickle),
       absl::StatusCode::kInvalidArgument, "the storage count is -1, not a count"},
      {"no storage view list",
       File(Storages(""), Tensors(), pickle), absl::StatusCode::kDataLoss, "the storage view list"},
      {"a whole nn.Module",
       File(Storages(), Tensors(), Pickle("(" + Str("Net") + Str("net.py") + Str("src") + "tQ")),
       absl::StatusCode::kUnimplemented, "pickles a whole nn.Module"},
      {"a file that is a directory",
       TarHeaderBlock({"storages", 0, '5'}) + std::string(1024, '\0'),
       absl::StatusCode::kDataLoss, "member 'storages' (header at offset 0) is not a regular file"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(LoadBytes(c.file), StatusIs(c.code, HasSubstr(c.message))) << c.what;
  }
}

TEST(TarLoad, ErrorsNameTheFileMemberAndOffset) {
  // The storage count pickle starts at offset 3584 (7 blocks in).
  absl::StatusOr<Value> v =
      LoadBytes(File(Pickle("J\xff\xff\xff\xff"), Tensors(), Pickle(Pid("7"))));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("'old.pt' (tar format) member 'storages' at offset 3584: ")));
  // Offsets inside a member's pickle are file offsets too (issue 17, item 15).
  const std::string file = File(Storages(), Tensors(), Pickle("cposix\nsystem\n)R"));
  const size_t global_at = file.find("cposix\nsystem\n");
  ASSERT_NE(global_at, std::string::npos);
  EXPECT_THAT(LoadBytes(file),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr(absl::StrCat("refusing global 'posix.system' at offset ",
                                              global_at, " "))));
}

TEST(TarLoad, APersistentLoadHookIsRefused) {
  LoadOptions options;
  options.unpickler.persistent_load = [](const Value&, size_t) { return Value(); };
  EXPECT_THAT(LoadBytes(ReadFixture("tar_views.pt"), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("persistent_load")));
}

}  // namespace
}  // namespace ptser
