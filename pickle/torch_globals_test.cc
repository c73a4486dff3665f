// Copyright ptser authors.
//
// The torch handlers called directly (the unpickler tests cover them through
// real pickles).

#include "pickle/torch_globals.h"

#include <cstring>
#include <cmath>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/globals.h"
#include "pickle/tensor_codec.h"
#include "pickle/value.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

Value Int(int64_t v) { return Value::Int(v); }
Value Str(std::string s) { return Value::Str(std::move(s)); }
Value Tuple(std::vector<Value> items) { return Value::NewTuple(std::move(items)); }

absl::StatusOr<Value> Call(absl::string_view module, absl::string_view name,
                           std::vector<Value> args) {
  const GlobalHandler* h = TorchGlobals().Find(module, name);
  if (h == nullptr || !h->call) {
    return absl::NotFoundError(absl::StrCat("no handler for ", module, ".", name));
  }
  const GlobalRef callee{std::string(module), std::string(name)};
  CallContext ctx(TorchGlobals(), callee, 0);
  return h->call(ctx, args);
}

Value FloatStorage(std::vector<float> data) {
  auto s = Storage::CopyFrom(data.data(), data.size() * sizeof(float));
  EXPECT_OK(s.status());
  return Value::FromStorage({*s, ScalarType::kFloat, false});
}

TEST(TorchGlobalsTest, AllowlistIsComplete) {
  const GlobalRegistry& r = TorchGlobals();
  for (const char* name :
       {"_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3",
        "_rebuild_parameter", "_rebuild_parameter_with_state",
        "_rebuild_qtensor", "_rebuild_sparse_tensor",
        "_rebuild_sparse_csr_tensor", "_rebuild_meta_tensor_no_storage",
        "_rebuild_nested_tensor", "_rebuild_wrapper_subclass",
        "_rebuild_device_tensor_from_numpy",
        "_rebuild_device_tensor_from_cpu_tensor"}) {
    EXPECT_NE(r.Find("torch._utils", name), nullptr) << name;
  }
  for (auto [module, name] : std::vector<std::pair<const char*, const char*>>{
           {"torch._tensor", "_rebuild_from_type_v2"},
           {"torch.nn.parameter", "Parameter"},
           {"torch", "Tensor"},
           {"torch", "FloatTensor"},
           {"torch.cuda", "HalfTensor"},
           {"torch", "Size"},
           {"torch", "device"},
           {"torch.serialization", "_get_layout"},
           {"torch", "float32"},
           {"torch", "bfloat16"},
           {"torch", "float8_e4m3fn"},
           {"torch", "uint64"},
           {"torch", "complex32"},
           {"torch", "per_tensor_affine"},
           {"torch", "per_channel_affine_float_qparams"},
           {"torch", "channels_last"},
           {"collections", "OrderedDict"},
           {"collections", "Counter"},
           {"_codecs", "encode"},
           {"builtins", "set"},
           {"builtins", "frozenset"},
           {"builtins", "bytearray"},
           {"builtins", "complex"},
           {"builtins", "bytes"},
           // Storage classes in any module.
           {"torch", "FloatStorage"},
           {"torch.cuda", "BFloat16Storage"},
           {"torch.storage", "UntypedStorage"},
           {"torch", "QUInt4x2Storage"},
           {"torch.storage", "TypedStorage"}}) {
    EXPECT_NE(r.Find(module, name), nullptr) << module << "." << name;
  }
  for (auto [module, name] : std::vector<std::pair<const char*, const char*>>{
           {"os", "system"},
           {"torch", "load"},
           {"builtins", "eval"},
           {"__builtin__", "set"},  // mapped by the unpickler, not here
           {"torch", "Storage"},
           {"torch", "float"},  // aliases are not pickled names
           {"collections", "defaultdict"}}) {
    EXPECT_EQ(r.Find(module, name), nullptr) << module << "." << name;
  }
  ASSERT_NE(r.Find("torch", "float16")->value, std::nullopt);
  EXPECT_EQ(r.Find("torch", "float16")->value->dtype(), ScalarType::kHalf);
}

TEST(TorchGlobalsTest, LegacyNames) {
  EXPECT_EQ(MapLegacyGlobalName({"__builtin__", "set"}).FullName(),
            "builtins.set");
  EXPECT_EQ(MapLegacyGlobalName({"__builtin__", "unicode"}).FullName(),
            "builtins.str");
  EXPECT_EQ(MapLegacyGlobalName({"copy_reg", "_reconstructor"}).FullName(),
            "copyreg._reconstructor");
  EXPECT_EQ(MapLegacyGlobalName({"torch.tensor", "_rebuild_from_type_v2"})
                .FullName(),
            "torch._tensor._rebuild_from_type_v2");
  EXPECT_EQ(MapLegacyGlobalName({"torch", "Size"}).FullName(), "torch.Size");
  EXPECT_EQ(ReverseMapToPython2({"builtins", "set"}).FullName(),
            "__builtin__.set");
  EXPECT_EQ(ReverseMapToPython2({"builtins", "str"}).FullName(),
            "__builtin__.unicode");
  EXPECT_EQ(ReverseMapToPython2({"copyreg", "_reconstructor"}).FullName(),
            "copy_reg._reconstructor");
  EXPECT_EQ(ReverseMapToPython2({"collections", "OrderedDict"}).FullName(),
            "collections.OrderedDict");
}

TEST(TorchGlobalsTest, StorageClassNames) {
  EXPECT_EQ(StorageClassFromName("FloatStorage")->dtype, ScalarType::kFloat);
  EXPECT_FALSE(StorageClassFromName("FloatStorage")->untyped);
  EXPECT_EQ(StorageClassFromName("QUInt2x4Storage")->dtype,
            ScalarType::kQUInt2x4);
  EXPECT_TRUE(StorageClassFromName("UntypedStorage")->untyped);
  EXPECT_TRUE(StorageClassFromName("_UntypedStorage")->untyped);
  EXPECT_FALSE(StorageClassFromName("TypedStorage").has_value());
  EXPECT_FALSE(StorageClassFromName("Float").has_value());
  EXPECT_FALSE(StorageClassFromName("NopeStorage").has_value());
}

// Issue 12 §6: only torch's modules have storage classes.
TEST(TorchGlobalsTest, StorageClassesOnlyFromTorchModules) {
  const GlobalRegistry& r = TorchGlobals();
  EXPECT_NE(r.Find("torch", "FloatStorage"), nullptr);
  EXPECT_NE(r.Find("torch.cuda", "HalfStorage"), nullptr);
  EXPECT_NE(r.Find("torch.storage", "TypedStorage"), nullptr);
  EXPECT_EQ(r.Find("os", "FloatStorage"), nullptr);
  EXPECT_EQ(r.Find("torchvision", "FloatStorage"), nullptr);
  EXPECT_EQ(r.Find("nottorch.cuda", "UntypedStorage"), nullptr);
  Value pid = Tuple({Str("storage"), Value::Global("os", "FloatStorage"), Str("0"),
                     Str("cpu"), Int(1)});
  EXPECT_THAT(ParseStoragePersistentId(pid),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("storage class 'os.FloatStorage' is not one of torch's")));
}

TEST(TorchGlobalsTest, PersistentIds) {
  Value pid = Tuple({Str("storage"), Value::Global("torch.cuda", "HalfStorage"),
                     Str("3"), Str("cuda:0"), Int(10)});
  ASSERT_OK_AND_ASSIGN(StoragePersistentId id, ParseStoragePersistentId(pid));
  EXPECT_EQ(id.storage_class, "HalfStorage");
  EXPECT_EQ(id.dtype, ScalarType::kHalf);
  EXPECT_EQ(id.key, "3");
  EXPECT_EQ(id.location, "cuda:0");
  EXPECT_EQ(id.numel, 10);
  EXPECT_EQ(id.nbytes, 20u);
  EXPECT_TRUE(id.view_metadata.is_none());
  // Legacy (pre-zip) ids carry view metadata.
  Value legacy = Tuple({Str("storage"), Value::Global("torch", "FloatStorage"),
                        Str("94"), Str("cpu"), Int(4),
                        Tuple({Str("95"), Int(1), Int(2)})});
  ASSERT_OK_AND_ASSIGN(StoragePersistentId lid,
                       ParseStoragePersistentId(legacy));
  EXPECT_EQ(lid.view_metadata.Repr(), "('95', 1, 2)");
  Value untyped = Tuple({Str("storage"),
                         Value::Global("torch.storage", "UntypedStorage"),
                         Str("0"), Str("cpu"), Int(7)});
  ASSERT_OK_AND_ASSIGN(StoragePersistentId uid,
                       ParseStoragePersistentId(untyped));
  EXPECT_TRUE(uid.untyped);
  EXPECT_EQ(uid.nbytes, 7u);
  EXPECT_THAT(ParseStoragePersistentId(Str("storage")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a 5- or 6-tuple")));
  EXPECT_THAT(ParseStoragePersistentId(
                  Tuple({Str("storage"), Str("FloatStorage"), Str("0"),
                         Str("cpu"), Int(1)})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the storage type is not a class")));
  EXPECT_THAT(ParseStoragePersistentId(
                  Tuple({Str("storage"), Value::Global("torch", "FloatStorage"),
                         Int(0), Str("cpu"), Int(1)})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the key is not a str")));
}

TEST(TorchGlobalsTest, RebuildTensorVariants) {
  Value storage = FloatStorage({1, 2, 3, 4});
  Value hooks = Value::NewOrderedDict();
  // v1: (storage, offset, size, stride)
  ASSERT_OK_AND_ASSIGN(Value v1, Call("torch._utils", "_rebuild_tensor",
                                      {storage, Int(1), Tuple({Int(3)}),
                                       Tuple({Int(1)})}));
  EXPECT_EQ(v1.tensor().storage_offset(), 1);
  EXPECT_EQ(static_cast<const float*>(v1.tensor().data())[0], 2.0f);
  // v2 with the newest metadata argument.
  Value metadata = Value::NewDict();
  ASSERT_OK(metadata.dict().SetItem(Str("conj"), Value::Bool(true)));
  ASSERT_OK(metadata.dict().SetItem(Str("neg"), Value::Bool(true)));
  ASSERT_OK_AND_ASSIGN(
      Value v2, Call("torch._utils", "_rebuild_tensor_v2",
                     {storage, Int(0), Value::Size({2, 2}), Tuple({Int(2), Int(1)}),
                      Value::Bool(true), hooks, metadata}));
  EXPECT_TRUE(v2.tensor().is_conj());
  EXPECT_TRUE(v2.tensor().is_neg());
  EXPECT_TRUE(v2.tensor().requires_grad());
  // v3: an untyped storage viewed with the dtype argument.
  auto bytes = Storage::Allocate(4);
  ASSERT_OK(bytes.status());
  Value untyped = Value::FromStorage({*bytes, ScalarType::kByte, true});
  ASSERT_OK_AND_ASSIGN(
      Value v3, Call("torch._utils", "_rebuild_tensor_v3",
                     {untyped, Int(0), Tuple({Int(2)}), Tuple({Int(1)}),
                      Value::Bool(false), hooks,
                      Value::Dtype(ScalarType::kUInt16)}));
  EXPECT_EQ(v3.tensor().dtype(), ScalarType::kUInt16);
  EXPECT_THAT(Call("torch._utils", "_rebuild_tensor_v3",
                   {untyped, Int(0), Tuple({Int(3)}), Tuple({Int(1)}),
                    Value::Bool(false), hooks,
                    Value::Dtype(ScalarType::kUInt16)}),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(Call("torch._utils", "_rebuild_tensor_v3",
                   {untyped, Int(0), Tuple({Int(2)}), Tuple({Int(1)}),
                    Value::Bool(false), hooks, Str("uint16")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("dtype must be a torch.dtype, got str")));
  EXPECT_THAT(Call("torch._utils", "_rebuild_tensor_v2",
                   {storage, Int(0), Tuple({Str("2")}), Tuple({Int(1)}),
                    Value::Bool(false), hooks}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("size must be a tuple of ints")));
}

TEST(TorchGlobalsTest, Parameters) {
  Value storage = FloatStorage({1, 2});
  ASSERT_OK_AND_ASSIGN(
      Value data, Call("torch._utils", "_rebuild_tensor_v2",
                       {storage, Int(0), Tuple({Int(2)}), Tuple({Int(1)}),
                        Value::Bool(false), Value::NewOrderedDict()}));
  ASSERT_OK_AND_ASSIGN(Value p, Call("torch._utils", "_rebuild_parameter",
                                     {data, Value::Bool(true),
                                      Value::NewOrderedDict()}));
  EXPECT_TRUE(p.tensor().is_parameter());
  EXPECT_TRUE(p.tensor().requires_grad());
  EXPECT_FALSE(data.tensor().is_parameter());  // a new tensor object
  ASSERT_OK_AND_ASSIGN(
      Value ps, Call("torch._utils", "_rebuild_parameter_with_state",
                     {data, Value::Bool(false), Value::NewOrderedDict(),
                      Value::NewDict()}));
  EXPECT_TRUE(ps.tensor().is_parameter());
  Value state = Value::NewDict();
  ASSERT_OK(state.dict().SetItem(Str("tag"), Int(1)));
  ASSERT_OK_AND_ASSIGN(
      Value with_state, Call("torch._utils", "_rebuild_parameter_with_state",
                             {data, Value::Bool(false), Value::NewOrderedDict(),
                              state}));
  ASSERT_TRUE(with_state.is_object());
  EXPECT_EQ(with_state.object().callee().name, "_rebuild_parameter_with_state");
  ASSERT_OK_AND_ASSIGN(Value np, Call("torch.nn.parameter", "Parameter", {data}));
  EXPECT_TRUE(np.tensor().requires_grad());
  // Non-tensor data (e.g. an inert sparse tensor) stays inert.
  ASSERT_OK_AND_ASSIGN(Value inert, Call("torch._utils", "_rebuild_parameter",
                                         {Str("x"), Value::Bool(true),
                                          Value::NewOrderedDict()}));
  EXPECT_TRUE(inert.is_object());
}

TEST(TorchGlobalsTest, RebuildFromTypeV2) {
  Value args = Tuple({FloatStorage({1}), Int(0), Tuple({Int(1)}),
                      Tuple({Int(1)}), Value::Bool(false),
                      Value::NewOrderedDict()});
  Value func = Value::Global("torch._utils", "_rebuild_tensor_v2");
  ASSERT_OK_AND_ASSIGN(Value plain,
                       Call("torch._tensor", "_rebuild_from_type_v2",
                            {func, Value::Global("torch", "Tensor"), args,
                             Value::NewDict()}));
  EXPECT_TRUE(plain.is_tensor());
  ASSERT_OK_AND_ASSIGN(Value sub,
                       Call("torch._tensor", "_rebuild_from_type_v2",
                            {func, Value::Global("__main__", "MyT"), args,
                             Value()}));
  ASSERT_TRUE(sub.is_object());
  EXPECT_EQ(sub.object().args().tuple()[1].global().FullName(), "__main__.MyT");
  EXPECT_THAT(Call("torch._tensor", "_rebuild_from_type_v2",
                   {Value::Global("os", "system"),
                    Value::Global("torch", "Tensor"), Tuple({Str("ls")}),
                    Value()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot call 'os.system'")));
  EXPECT_THAT(Call("torch._tensor", "_rebuild_from_type_v2",
                   {Value::Global("torch", "FloatStorage"),
                    Value::Global("torch", "Tensor"), Tuple({}), Value()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot call 'torch.FloatStorage'")));
}

// A 1-d tensor of `dtype` from `n` zero bytes.
Value ZeroTensor(ScalarType dtype, int64_t numel) {
  auto bytes = Storage::Allocate(numel * ElementSize(dtype));
  EXPECT_OK(bytes.status());
  auto t = Tensor::Make(*bytes, dtype, 0, {numel}, {1});
  EXPECT_OK(t.status());
  return Value::FromTensor(*t);
}

// Issue 12 §6: validated as strictly as PyTorch's rebuild.
TEST(TorchGlobalsTest, PerChannelQuantizerIsChecked) {
  auto bytes = Storage::Allocate(6);
  ASSERT_OK(bytes.status());
  Value qstorage = Value::FromStorage({*bytes, ScalarType::kQInt8, false});
  Value scheme = Value::Enum({TorchEnum::Type::kQScheme, "per_channel_affine"});
  auto rebuild = [&](Value scales, Value zero_points, int64_t axis) {
    return Call("torch._utils", "_rebuild_qtensor",
                {qstorage, Int(0), Tuple({Int(2), Int(3)}), Tuple({Int(3), Int(1)}),
                 Tuple({scheme, scales, zero_points, Int(axis)}), Value::Bool(false),
                 Value::NewOrderedDict()});
  };
  const Value s2 = ZeroTensor(ScalarType::kDouble, 2);
  const Value z2 = ZeroTensor(ScalarType::kLong, 2);
  ASSERT_OK(rebuild(s2, z2, 0).status());
  ASSERT_OK(rebuild(ZeroTensor(ScalarType::kDouble, 3), ZeroTensor(ScalarType::kLong, 3), 1)
                .status());
  EXPECT_THAT(rebuild(s2, z2, 2), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("axis 2 is out of range")));
  EXPECT_THAT(rebuild(s2, z2, -1), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("out of range")));
  EXPECT_THAT(rebuild(s2, z2, 1), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("2 scales and 2 zero points for 3 channels")));
  EXPECT_THAT(rebuild(ZeroTensor(ScalarType::kDouble, 2), ZeroTensor(ScalarType::kLong, 1), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("zero points")));
  EXPECT_THAT(rebuild(ZeroTensor(ScalarType::kLong, 2), z2, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scales of")));
}

TEST(TorchGlobalsTest, QuantizedDtypeNeedsAQuantizer) {
  auto bytes = Storage::Allocate(2);
  ASSERT_OK(bytes.status());
  Value qstorage = Value::FromStorage({*bytes, ScalarType::kQUInt8, false});
  EXPECT_THAT(Call("torch._utils", "_rebuild_tensor_v2",
                   {qstorage, Int(0), Tuple({Int(2)}), Tuple({Int(1)}), Value::Bool(false),
                    Value::NewOrderedDict()}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no quantizer")));
  EXPECT_THAT(Call("torch._utils", "_rebuild_tensor_v3",
                   {FloatStorage({1}), Int(0), Tuple({Int(1)}), Tuple({Int(1)}),
                    Value::Bool(false), Value::NewOrderedDict(),
                    Value::Dtype(ScalarType::kQInt8)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no quantizer")));
}

TEST(TorchGlobalsTest, QTensorSchemes) {
  auto bytes = Storage::Allocate(2);
  ASSERT_OK(bytes.status());
  Value qstorage = Value::FromStorage({*bytes, ScalarType::kQUInt8, false});
  Value affine = Value::Enum({TorchEnum::Type::kQScheme, "per_tensor_affine"});
  Value symmetric =
      Value::Enum({TorchEnum::Type::kQScheme, "per_tensor_symmetric"});
  ASSERT_OK_AND_ASSIGN(
      Value q, Call("torch._utils", "_rebuild_qtensor",
                    {qstorage, Int(0), Tuple({Int(2)}), Tuple({Int(1)}),
                     Tuple({affine, Value::Float(0.1), Int(3)}),
                     Value::Bool(false), Value::NewOrderedDict()}));
  EXPECT_EQ(q.tensor().quantizer()->zero_point, 3);
  EXPECT_THAT(Call("torch._utils", "_rebuild_qtensor",
                   {qstorage, Int(0), Tuple({Int(2)}), Tuple({Int(1)}),
                    Tuple({symmetric, Value::Float(0.1), Int(3)}),
                    Value::Bool(false), Value::NewOrderedDict()}),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("per_tensor_symmetric")));
  EXPECT_THAT(Call("torch._utils", "_rebuild_qtensor",
                   {FloatStorage({1}), Int(0), Tuple({Int(1)}), Tuple({Int(1)}),
                    Tuple({affine, Value::Float(0.1), Int(3)}),
                    Value::Bool(false), Value::NewOrderedDict()}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a quantized dtype")));
}

TEST(TorchGlobalsTest, SmallValues) {
  ASSERT_OK_AND_ASSIGN(Value d, Call("torch", "device", {Str("cuda"), Int(3)}));
  EXPECT_EQ(d.device().ToString(), "cuda:3");
  EXPECT_THAT(Call("torch", "device", {Str("cuda:1"), Int(3)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must not include an index")));
  EXPECT_THAT(Call("torch", "device", {Str("cuda"), Int(-3)}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Value s, Call("torch", "Size", {}));
  EXPECT_EQ(s.Repr(), "torch.Size([])");
  ASSERT_OK_AND_ASSIGN(Value od, Call("collections", "OrderedDict",
                                      {Value::NewList({Tuple({Str("a"), Int(1)})})}));
  EXPECT_EQ(od.Repr(), "OrderedDict([('a', 1)])");
  ASSERT_OK_AND_ASSIGN(Value c, Call("collections", "Counter",
                                     {Value::NewList({Str("x"), Str("y"), Str("x")})}));
  EXPECT_EQ(c.Repr(), "Counter({'x': 2, 'y': 1})");
  ASSERT_OK_AND_ASSIGN(Value b, Call("_codecs", "encode",
                                     {Str("\xc3\xa9"), Str("latin-1")}));
  EXPECT_EQ(b.as_string(), "\xe9");
  ASSERT_OK_AND_ASSIGN(Value u, Call("_codecs", "encode", {Str("\xc3\xa9")}));
  EXPECT_EQ(u.as_string(), "\xc3\xa9");  // utf-8 by default
  EXPECT_THAT(Call("_codecs", "encode", {Str("\xed\xa0\x80"), Str("utf-8")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("U+D800")));
  ASSERT_OK_AND_ASSIGN(Value ba, Call("builtins", "bytearray",
                                      {Str("ab"), Str("latin-1")}));
  EXPECT_EQ(ba.Repr(), "bytearray(b'ab')");
  ASSERT_OK_AND_ASSIGN(Value cx, Call("builtins", "complex",
                                      {Value::Float(1), Value::Complex({0, 1})}));
  EXPECT_EQ(cx.Repr(), "0j");  // complex(1.0, 1j) == 1 + 1j*1j
  // A zero part keeps its sign, as CPython's complex_new (issue 17, item 8).
  ASSERT_OK_AND_ASSIGN(Value negzero, Call("builtins", "complex",
                                           {Value::Float(std::nan("")), Value::Float(-0.0)}));
  EXPECT_TRUE(std::signbit(negzero.as_complex().imag()));
  EXPECT_EQ(negzero.Repr(), "(nan-0j)");
  ASSERT_OK_AND_ASSIGN(Value one, Call("builtins", "complex",
                                       {Value::Float(1), Value::Float(-0.0)}));
  EXPECT_EQ(one.Repr(), "(1-0j)");
  ASSERT_OK_AND_ASSIGN(Value both, Call("builtins", "complex",
                                        {Value::Complex({-0.0, -0.0}), Value::Float(-0.0)}));
  EXPECT_TRUE(std::signbit(both.as_complex().real()));
  EXPECT_TRUE(std::signbit(both.as_complex().imag()));  // -0.0 + -0.0
  ASSERT_OK_AND_ASSIGN(Value fs, Call("builtins", "frozenset",
                                      {Tuple({Int(1), Int(1), Int(2)})}));
  EXPECT_EQ(fs.Repr(), "frozenset({1, 2})");
  EXPECT_THAT(Call("builtins", "set", {Value::NewList({Value::NewList()})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unhashable type: 'list'")));
  EXPECT_THAT(Call("torch", "Size", {Int(1), Int(2)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "torch.Size() takes 0 to 1 arguments (2 given)"));
}

TEST(TorchGlobalsTest, KnownEnums) {
  EXPECT_TRUE(IsKnownTorchEnum(TorchEnum::Type::kLayout, "sparse_bsc"));
  EXPECT_TRUE(IsKnownTorchEnum(TorchEnum::Type::kQScheme, "per_channel_affine"));
  EXPECT_TRUE(IsKnownTorchEnum(TorchEnum::Type::kMemoryFormat, "channels_last_3d"));
  EXPECT_FALSE(IsKnownTorchEnum(TorchEnum::Type::kLayout, "per_channel_affine"));
}

}  // namespace
}  // namespace ptser
