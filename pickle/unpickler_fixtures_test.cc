// Copyright ptser authors.
//
// The Unpickler against pickles written by real Python 3.11 (protocols 0-5)
// and PyTorch 1.13 (`torch.save`); see pickle/testdata/make_fixtures.py.

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/test_util.h"
#include "pickle/torch_globals.h"
#include "pickle/unpickler.h"
#include "pickle/value.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::ptser::pickle_testing::ErrorFixture;
using ::ptser::pickle_testing::HexDump;
using ::ptser::pickle_testing::LoadErrorFixtures;
using ::ptser::pickle_testing::LoadPlainFixtures;
using ::ptser::pickle_testing::LoadTorchFixtures;
using ::ptser::pickle_testing::PlainFixture;
using ::ptser::pickle_testing::PlainReprs;
using ::ptser::pickle_testing::ReadTestData;
using ::ptser::pickle_testing::RecordStorageLoader;
using ::ptser::pickle_testing::TorchFixture;
using ::testing::HasSubstr;

TEST(UnpicklerFixturesTest, PlainDataMatchesPythonRepr) {
  const std::map<std::string, std::string> reprs = PlainReprs();
  int checked = 0;
  for (const PlainFixture& f : LoadPlainFixtures()) {
    if (f.keep_inert) continue;
    SCOPED_TRACE(absl::StrCat(f.name, " protocol ", f.protocol));
    std::string bytes = ReadTestData("plain/" + f.file);
    Unpickler u(bytes);
    absl::StatusOr<Value> v = u.Load();
    ASSERT_OK(v.status());
    EXPECT_EQ(u.position(), bytes.size());
    EXPECT_EQ(u.protocol(), f.protocol >= 2 ? f.protocol : 0);
    auto it = reprs.find(f.name);
    if (it != reprs.end()) {
      EXPECT_EQ(v->Repr(), it->second);
      ++checked;
    }
    ReleaseValueGraph(*v);  // the recursive_* fixtures hold cycles
  }
  EXPECT_GT(checked, 300);
}

TEST(UnpicklerFixturesTest, EveryProtocolGivesTheSameValue) {
  std::map<std::string, Value> first;
  for (const PlainFixture& f : LoadPlainFixtures()) {
    UnpicklerOptions options;
    if (f.keep_inert) {
      options.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
    }
    absl::StatusOr<Value> v = Unpickle(ReadTestData("plain/" + f.file), options);
    ASSERT_OK(v.status()) << f.file;
    if (f.keep_inert) continue;  // protocol 0/1 objects use copyreg
    auto [it, inserted] = first.emplace(f.name, *v);
    if (!inserted) {
      EXPECT_TRUE(ValuesEqual(it->second, *v))
          << f.file << ": " << v->Repr() << " vs " << it->second.Repr();
      ReleaseValueGraph(*v);
    }
  }
  for (const auto& [name, v] : first) ReleaseValueGraph(v);
}

TEST(UnpicklerFixturesTest, SharedReferencesStayShared) {
  for (int proto = 0; proto <= 5; ++proto) {
    SCOPED_TRACE(proto);
    ASSERT_OK_AND_ASSIGN(
        Value v, Unpickle(ReadTestData(absl::StrCat("plain/shared_p", proto,
                                                    ".pkl"))));
    // [inner, inner, s, s, (inner,)]
    ASSERT_TRUE(v.is_list());
    const auto& items = v.list().items();
    ASSERT_EQ(items.size(), 5u);
    EXPECT_TRUE(items[0].IsSameObject(items[1]));
    EXPECT_TRUE(items[2].IsSameObject(items[3]));
    EXPECT_TRUE(items[4].tuple()[0].IsSameObject(items[0]));
    items[0].list().Append(Value::Int(3));
    EXPECT_EQ(v.Repr(),
              "[[1, 2, 3], [1, 2, 3], 'shared string', 'shared string', "
              "([1, 2, 3],)]");
  }
}

TEST(UnpicklerFixturesTest, RecursiveStructures) {
  for (int proto = 0; proto <= 5; ++proto) {
    SCOPED_TRACE(proto);
    ASSERT_OK_AND_ASSIGN(
        Value l, Unpickle(ReadTestData(absl::StrCat("plain/recursive_list_p",
                                                    proto, ".pkl"))));
    ASSERT_TRUE(l.is_list());
    EXPECT_TRUE(l.list()[1].IsSameObject(l));
    EXPECT_EQ(l.Repr(), "[1, [...]]");
    ASSERT_OK_AND_ASSIGN(
        Value t, Unpickle(ReadTestData(absl::StrCat("plain/recursive_tuple_p",
                                                    proto, ".pkl"))));
    // t = (lst, 1); lst = [t]
    ASSERT_TRUE(t.is_tuple());
    EXPECT_TRUE(t.tuple()[0].list()[0].IsSameObject(t));
    ReleaseValueGraph(l);  // cycles: free them explicitly
    ReleaseValueGraph(t);
  }
}

TEST(UnpicklerFixturesTest, OrderedDictKeepsMetadata) {
  for (int proto = 0; proto <= 5; ++proto) {
    SCOPED_TRACE(proto);
    ASSERT_OK_AND_ASSIGN(Value v,
                         Unpickle(ReadTestData(absl::StrCat(
                             "plain/ordered_dict_metadata_p", proto, ".pkl"))));
    ASSERT_TRUE(v.is_dict());
    EXPECT_TRUE(v.dict().is_ordered_dict());
    const Value* metadata = v.dict().Attribute("_metadata");
    ASSERT_NE(metadata, nullptr);
    EXPECT_EQ(metadata->Repr(), "OrderedDict([('', {'version': 1})])");
  }
}

TEST(UnpicklerFixturesTest, UnknownClassesRefusedByDefault) {
  for (const PlainFixture& f : LoadPlainFixtures()) {
    if (!f.keep_inert) continue;
    SCOPED_TRACE(f.file);
    absl::StatusOr<Value> v = Unpickle(ReadTestData("plain/" + f.file));
    EXPECT_THAT(v, StatusIs(absl::StatusCode::kPermissionDenied,
                            HasSubstr("refusing global '")));
  }
}

TEST(UnpicklerFixturesTest, UnknownClassesKeptInert) {
  UnpicklerOptions options;
  options.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  for (int proto = 2; proto <= 5; ++proto) {
    SCOPED_TRACE(proto);
    ASSERT_OK_AND_ASSIGN(
        Value p, Unpickle(ReadTestData(absl::StrCat("plain/point_p", proto,
                                                    ".pkl")),
                          options));
    ASSERT_TRUE(p.is_object());
    EXPECT_EQ(p.object().callee().FullName(), "__main__.Point");
    EXPECT_EQ(p.object().construction(), Value::Object::Construction::kNewObj);
    ASSERT_NE(p.object().Attribute("y"), nullptr);
    EXPECT_EQ(p.object().Attribute("y")->Repr(), "'two'");

    ASSERT_OK_AND_ASSIGN(
        Value t, Unpickle(ReadTestData(absl::StrCat("plain/tagged_list_p",
                                                    proto, ".pkl")),
                          options));
    ASSERT_TRUE(t.is_object());
    EXPECT_EQ(t.object().list_items().size(), 3u);
  }
  // Protocols 0 and 1 build objects with copyreg._reconstructor.
  ASSERT_OK_AND_ASSIGN(Value p0,
                       Unpickle(ReadTestData("plain/point_p0.pkl"), options));
  ASSERT_TRUE(p0.is_object());
  EXPECT_EQ(p0.object().callee().FullName(), "copyreg._reconstructor");
  EXPECT_EQ(p0.object().args().tuple()[0].global().FullName(),
            "__main__.Point");
  EXPECT_NE(p0.object().Attribute("x"), nullptr);
}

TEST(UnpicklerFixturesTest, PythonPicklesThatMustFail) {
  int n = 0;
  for (const ErrorFixture& f : LoadErrorFixtures()) {
    SCOPED_TRACE(f.file);
    std::string bytes = ReadTestData("errors/" + f.file);
    EXPECT_THAT(Unpickle(bytes), StatusIs(f.code, HasSubstr(f.message)))
        << HexDump(bytes);
    ++n;
  }
  EXPECT_EQ(n, 6);  // ints beyond int64 load since issue 17 (plain/big_ints)
}

// ---------------------------------------------------------------------------
// torch.save archives.

const TorchFixture& FindTorch(const std::vector<TorchFixture>& all,
                              absl::string_view name) {
  for (const TorchFixture& f : all) {
    if (f.name == name) return f;
  }
  static const TorchFixture* missing = new TorchFixture();
  ADD_FAILURE() << "no torch fixture " << name;
  return *missing;
}

absl::StatusOr<Value> LoadTorch(const TorchFixture& f,
                                UnpicklerOptions options = {}) {
  options.persistent_load = RecordStorageLoader(&f.records);
  return Unpickle(f.data_pkl, options);
}

TEST(UnpicklerTorchTest, ReprMatchesPyTorch) {
  for (const TorchFixture& f : LoadTorchFixtures()) {
    if (f.name == "sparse" || f.name == "subclass") continue;  // inert
    SCOPED_TRACE(f.name);
    ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(f));
    EXPECT_EQ(v.Repr(), f.repr);
  }
}

TEST(UnpicklerTorchTest, FloatTensorData) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "float_tensor")));
  ASSERT_TRUE(v.is_tensor());
  const Tensor& t = v.tensor();
  EXPECT_EQ(t.dtype(), ScalarType::kFloat);
  EXPECT_EQ(t.sizes(), std::vector<int64_t>({3}));
  EXPECT_EQ(t.strides(), std::vector<int64_t>({1}));
  const float* data = static_cast<const float*>(t.data());
  EXPECT_EQ(data[0], 1.0f);
  EXPECT_EQ(data[1], 2.0f);
  EXPECT_EQ(data[2], 3.0f);
  EXPECT_FALSE(t.requires_grad());
  EXPECT_FALSE(t.is_parameter());
}

TEST(UnpicklerTorchTest, ViewsShareOneStorage) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "views")));
  const Tensor& a = v.list()[0].tensor();
  const Tensor& b = v.list()[1].tensor();
  EXPECT_TRUE(a.storage().IsSameAs(b.storage()));
  EXPECT_EQ(b.storage_offset(), 1);
  EXPECT_EQ(b.strides(), std::vector<int64_t>({2}));
  const int64_t* base = static_cast<const int64_t*>(a.storage().data());
  // a = arange(1, 10); b = a[1::2] = [2, 4, 6, 8]
  EXPECT_EQ(base[b.storage_offset() + 3 * b.strides()[0]], 8);
}

TEST(UnpicklerTorchTest, TransposedKeepsStrides) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "transposed")));
  EXPECT_EQ(v.tensor().sizes(), std::vector<int64_t>({3, 2}));
  EXPECT_EQ(v.tensor().strides(), std::vector<int64_t>({1, 3}));
  EXPECT_FALSE(v.tensor().is_contiguous());
}

TEST(UnpicklerTorchTest, StateDictMetadata) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "bn_state_dict")));
  ASSERT_TRUE(v.is_dict());
  EXPECT_TRUE(v.dict().is_ordered_dict());
  const Value* metadata = v.dict().Attribute("_metadata");
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(metadata->Repr(), "OrderedDict([('', {'version': 2})])");
  const Value* nbt = v.dict().Find("num_batches_tracked");
  ASSERT_NE(nbt, nullptr);
  EXPECT_EQ(nbt->tensor().dim(), 0);
  EXPECT_EQ(*static_cast<const int64_t*>(nbt->tensor().data()), 0);
  const Value* var = v.dict().Find("running_var");
  ASSERT_NE(var, nullptr);
  EXPECT_EQ(static_cast<const float*>(var->tensor().data())[2], 1.0f);
}

TEST(UnpicklerTorchTest, ParameterAndRequiresGrad) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value p, LoadTorch(FindTorch(all, "parameter")));
  EXPECT_TRUE(p.tensor().is_parameter());
  EXPECT_TRUE(p.tensor().requires_grad());
  ASSERT_OK_AND_ASSIGN(Value r, LoadTorch(FindTorch(all, "requires_grad")));
  EXPECT_FALSE(r.tensor().is_parameter());
  EXPECT_TRUE(r.tensor().requires_grad());
}

TEST(UnpicklerTorchTest, QuantizedTensors) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value q, LoadTorch(FindTorch(all, "qtensor")));
  ASSERT_TRUE(q.tensor().quantizer().has_value());
  EXPECT_EQ(q.tensor().quantizer()->scheme, QScheme::kPerTensorAffine);
  EXPECT_EQ(q.tensor().quantizer()->scale, 0.5);
  EXPECT_EQ(q.tensor().quantizer()->zero_point, 2);
  // quantize(1.0) = 1.0 / 0.5 + 2 = 4
  EXPECT_EQ(static_cast<const uint8_t*>(q.tensor().data())[1], 4);

  ASSERT_OK_AND_ASSIGN(Value c, LoadTorch(FindTorch(all, "qtensor_per_channel")));
  const auto& qz = c.tensor().quantizer();
  ASSERT_TRUE(qz.has_value());
  EXPECT_EQ(qz->scheme, QScheme::kPerChannelAffine);
  ASSERT_NE(qz->scales, nullptr);
  EXPECT_EQ(qz->scales->dtype(), ScalarType::kDouble);
  EXPECT_EQ(static_cast<const double*>(qz->scales->data())[1], 0.25);
  EXPECT_EQ(qz->zero_points->dtype(), ScalarType::kLong);
  EXPECT_EQ(qz->axis, 0);
}

TEST(UnpicklerTorchTest, MiscValues) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "misc")));
  const Value::Dict& d = v.dict();
  EXPECT_EQ(d.Find("size")->size(), std::vector<int64_t>({2, 3}));
  EXPECT_EQ(d.Find("dtype")->dtype(), ScalarType::kHalf);
  EXPECT_EQ(d.Find("device")->device().ToString(), "cuda:1");
  EXPECT_EQ(d.Find("layout")->enum_value().type, TorchEnum::Type::kLayout);
  EXPECT_EQ(d.Find("qscheme")->enum_value().name, "per_tensor_affine");
  EXPECT_EQ(d.Find("bytes")->as_string(), "ab");
}

TEST(UnpicklerTorchTest, SparseIsInert) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "sparse")));
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.object().callee().FullName(),
            "torch._utils._rebuild_sparse_tensor");
  // (layout, (indices, values, size))
  const Value& args = v.object().args();
  EXPECT_EQ(args.tuple()[0].Repr(), "torch.sparse_coo");
  EXPECT_TRUE(args.tuple()[1].tuple()[0].is_tensor());
}

TEST(UnpicklerTorchTest, SubclassNeedsItsClass) {
  auto all = LoadTorchFixtures();
  const TorchFixture& f = FindTorch(all, "subclass");
  EXPECT_THAT(LoadTorch(f), StatusIs(absl::StatusCode::kPermissionDenied,
                                     HasSubstr("'__main__.MyT'")));
  UnpicklerOptions options;
  options.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(f, options));
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.object().callee().FullName(),
            "torch._tensor._rebuild_from_type_v2");
  // Registering the subclass as plain torch.Tensor-like is the user's call.
}

TEST(UnpicklerTorchTest, StorageAlone) {
  auto all = LoadTorchFixtures();
  ASSERT_OK_AND_ASSIGN(Value v, LoadTorch(FindTorch(all, "storage")));
  ASSERT_TRUE(v.is_storage());
  EXPECT_EQ(v.storage().dtype, ScalarType::kFloat);
  EXPECT_EQ(v.storage().numel(), 2);
}

TEST(UnpicklerTorchTest, MissingHookIsAnError) {
  auto all = LoadTorchFixtures();
  EXPECT_THAT(Unpickle(FindTorch(all, "float_tensor").data_pkl),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("BINPERSID at offset")));
}

}  // namespace
}  // namespace ptser
