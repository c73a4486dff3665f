// Copyright ptser authors.
//
// Round trips through the tensor codec: what EncodeTensor and
// EncodeStoragePersistentId write, the decoders read back to the same tensor
// (dtype, shape, strides, offset, flags, quantizer).  The decoders' refusals
// of bad arguments.  Byte identity with PyTorch is archive:load_save_test's
// and tests/interop's.

#include "pickle/tensor_codec.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/globals.h"
#include "pickle/value.h"
#include "tensor/quantizer.h"
#include "tensor/storage.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

Value Int(int64_t v) { return Value::Int(v); }
Value Tuple(std::vector<Value> items) { return Value::NewTuple(std::move(items)); }

Tensor MakeTensor(ScalarType dtype, size_t nbytes, int64_t offset, std::vector<int64_t> sizes,
                  std::vector<int64_t> strides) {
  absl::StatusOr<Storage> s = Storage::Allocate(nbytes);
  EXPECT_OK(s.status());
  absl::StatusOr<Tensor> t = Tensor::Make(*s, dtype, offset, std::move(sizes), std::move(strides));
  EXPECT_OK(t.status());
  return *t;
}

// Calls one decoder as the unpickler would, with a context naming `name`.
absl::StatusOr<Value> CallDecoder(absl::string_view name, absl::Span<const Value> args) {
  static const GlobalRegistry* registry = new GlobalRegistry();
  const GlobalRef callee{"torch._utils", std::string(name)};
  CallContext ctx(*registry, callee, 0);
  if (name == "_rebuild_tensor") return RebuildTensor(ctx, args);
  if (name == "_rebuild_tensor_v2") return RebuildTensorV2(ctx, args);
  if (name == "_rebuild_tensor_v3") return RebuildTensorV3(ctx, args);
  if (name == "_rebuild_qtensor") return RebuildQTensor(ctx, args);
  if (name == "_rebuild_parameter") return RebuildParameter(ctx, args);
  if (name == "_rebuild_parameter_with_state") return RebuildParameterWithState(ctx, args);
  return absl::NotFoundError(absl::StrCat("no decoder ", name));
}

// Decodes an encoded call, inner calls (a Parameter's) first.
absl::StatusOr<Value> Decode(const Value& v) {
  if (!v.is_object()) return v;
  const Value::Object& o = v.object();
  EXPECT_EQ(o.callee().module, "torch._utils");
  EXPECT_EQ(o.construction(), Value::Object::Construction::kCall);
  std::vector<Value> args;
  for (const Value& a : o.args().tuple().items()) {
    absl::StatusOr<Value> d = Decode(a);
    if (!d.ok()) return d.status();
    args.push_back(*std::move(d));
  }
  return CallDecoder(o.callee().name, args);
}

const std::string& CalleeName(const Value& call) { return call.object().callee().name; }
size_t ArgCount(const Value& call) { return call.object().args().tuple().size(); }

// Encodes `t` on its own storage and decodes it back.
absl::StatusOr<Tensor> RoundTrip(const Tensor& t, const EncodeTensorOptions& options = {}) {
  absl::StatusOr<Value> call =
      EncodeTensor(t, Value::FromStorage(StorageForEncoding(t)), t.storage_offset(), options);
  if (!call.ok()) return call.status();
  absl::StatusOr<Value> v = Decode(*call);
  if (!v.ok()) return v.status();
  return v->tensor();
}

void ExpectSameLayout(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.dtype(), b.dtype());
  EXPECT_EQ(a.sizes(), b.sizes());
  EXPECT_EQ(a.strides(), b.strides());
  EXPECT_EQ(a.storage_offset(), b.storage_offset());
  EXPECT_TRUE(a.storage().IsSameAs(b.storage()));
}

TEST(TensorCodecTest, PlainTensorIsRebuildTensorV2) {
  // A transposed 2x3 view at offset 1 of 7 floats, requiring grad.
  Tensor t = MakeTensor(ScalarType::kFloat, 28, 1, {3, 2}, {1, 3});
  t.set_requires_grad(true);
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(t, Value::FromStorage(StorageForEncoding(t)), 1));
  EXPECT_EQ(CalleeName(call), "_rebuild_tensor_v2");
  EXPECT_EQ(ArgCount(call), 6u);  // no metadata when no bit is set
  const auto& args = call.object().args().tuple().items();
  EXPECT_EQ(args[1].as_int(), 1);
  EXPECT_TRUE(args[4].as_bool());
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(t));
  ExpectSameLayout(t, back);
  EXPECT_TRUE(back.requires_grad());
  EXPECT_FALSE(back.is_parameter());
}

TEST(TensorCodecTest, OffsetIsTheCallersAndStorageIsUsedAsGiven) {
  Tensor t = MakeTensor(ScalarType::kDouble, 64, 4, {2}, {1});
  Value storage = Value::FromStorage(StorageForEncoding(t));
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(t, storage, 0));  // a trimmed save
  const auto& args = call.object().args().tuple().items();
  EXPECT_EQ(args[0].identity(), storage.identity());
  EXPECT_EQ(args[1].as_int(), 0);
}

TEST(TensorCodecTest, ConjAndNegGoInMetadata) {
  Tensor t = MakeTensor(ScalarType::kComplexFloat, 16, 0, {2}, {1});
  t.set_conj(true);
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(t, Value::FromStorage(StorageForEncoding(t)), 0));
  ASSERT_EQ(ArgCount(call), 7u);
  const Value& metadata = call.object().args().tuple()[6];
  ASSERT_TRUE(metadata.is_dict());
  EXPECT_EQ(metadata.dict().size(), 1u);  // only the bits that are set
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(t));
  EXPECT_TRUE(back.is_conj());
  EXPECT_FALSE(back.is_neg());

  t.set_conj(false);
  t.set_neg(true);
  ASSERT_OK_AND_ASSIGN(back, RoundTrip(t));
  EXPECT_FALSE(back.is_conj());
  EXPECT_TRUE(back.is_neg());
}

TEST(TensorCodecTest, DtypeWithoutStorageClassIsV3OnUntypedStorage) {
  Tensor t = MakeTensor(ScalarType::kUInt16, 8, 1, {3}, {1});
  const TypedStorage storage = StorageForEncoding(t);
  EXPECT_TRUE(storage.untyped);
  EXPECT_EQ(storage.dtype, ScalarType::kUInt16);
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(t, Value::FromStorage(storage), 1));
  EXPECT_EQ(CalleeName(call), "_rebuild_tensor_v3");
  ASSERT_EQ(ArgCount(call), 7u);
  EXPECT_EQ(call.object().args().tuple()[6].dtype(), ScalarType::kUInt16);
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(t));
  ExpectSameLayout(t, back);
  EXPECT_FALSE(StorageForEncoding(MakeTensor(ScalarType::kFloat, 4, 0, {1}, {1})).untyped);
}

TEST(TensorCodecTest, ParameterIsWrappedUnlessLibtorch) {
  Tensor p = MakeTensor(ScalarType::kFloat, 8, 0, {2}, {1});
  p.set_is_parameter(true);
  p.set_requires_grad(true);
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(p, Value::FromStorage(StorageForEncoding(p)), 0));
  EXPECT_EQ(CalleeName(call), "_rebuild_parameter");
  const Value& inner = call.object().args().tuple()[0];
  EXPECT_EQ(CalleeName(inner), "_rebuild_tensor_v2");
  EXPECT_FALSE(inner.object().args().tuple()[4].as_bool());  // self.data
  EXPECT_TRUE(call.object().args().tuple()[1].as_bool());
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(p));
  ExpectSameLayout(p, back);
  EXPECT_TRUE(back.is_parameter());
  EXPECT_TRUE(back.requires_grad());

  EncodeTensorOptions libtorch;
  libtorch.wrap_parameter = false;
  ASSERT_OK_AND_ASSIGN(call, EncodeTensor(p, Value::FromStorage(StorageForEncoding(p)), 0, libtorch));
  EXPECT_EQ(CalleeName(call), "_rebuild_tensor_v2");
  EXPECT_TRUE(call.object().args().tuple()[4].as_bool());
  ASSERT_OK_AND_ASSIGN(back, RoundTrip(p, libtorch));
  EXPECT_FALSE(back.is_parameter());
  EXPECT_TRUE(back.requires_grad());
}

TEST(TensorCodecTest, PerTensorQuantizer) {
  Tensor q = MakeTensor(ScalarType::kQInt8, 6, 0, {2, 3}, {3, 1});
  Quantizer quantizer;
  quantizer.scheme = QScheme::kPerTensorAffine;
  quantizer.scale = 0.25;
  quantizer.zero_point = -3;
  q.set_quantizer(quantizer);
  ASSERT_OK_AND_ASSIGN(Value call, EncodeTensor(q, Value::FromStorage(StorageForEncoding(q)), 0));
  EXPECT_EQ(CalleeName(call), "_rebuild_qtensor");
  EXPECT_EQ(ArgCount(call), 7u);
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(q));
  ExpectSameLayout(q, back);
  ASSERT_TRUE(back.quantizer().has_value());
  EXPECT_EQ(back.quantizer()->scheme, QScheme::kPerTensorAffine);
  EXPECT_EQ(back.quantizer()->scale, 0.25);
  EXPECT_EQ(back.quantizer()->zero_point, -3);
}

TEST(TensorCodecTest, PerChannelQuantizer) {
  Tensor q = MakeTensor(ScalarType::kQUInt8, 6, 0, {2, 3}, {3, 1});
  Quantizer quantizer;
  quantizer.scheme = QScheme::kPerChannelAffine;
  quantizer.scales =
      std::make_shared<const Tensor>(MakeTensor(ScalarType::kDouble, 24, 0, {3}, {1}));
  quantizer.zero_points =
      std::make_shared<const Tensor>(MakeTensor(ScalarType::kLong, 24, 0, {3}, {1}));
  quantizer.axis = 1;
  q.set_quantizer(quantizer);
  q.set_requires_grad(true);
  ASSERT_OK_AND_ASSIGN(Tensor back, RoundTrip(q));
  ExpectSameLayout(q, back);
  EXPECT_TRUE(back.requires_grad());
  ASSERT_TRUE(back.quantizer().has_value());
  EXPECT_EQ(back.quantizer()->scheme, QScheme::kPerChannelAffine);
  EXPECT_EQ(back.quantizer()->axis, 1);
  ASSERT_NE(back.quantizer()->scales, nullptr);
  ExpectSameLayout(*quantizer.scales, *back.quantizer()->scales);
  ExpectSameLayout(*quantizer.zero_points, *back.quantizer()->zero_points);

  Quantizer missing = quantizer;
  missing.scales = nullptr;
  q.set_quantizer(missing);
  EXPECT_THAT(EncodeTensor(q, Value::FromStorage(StorageForEncoding(q)), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without scales")));
}

TEST(TensorCodecTest, StoragePersistentIdRoundTrip) {
  PersistentIdLiterals literals;
  StoragePersistentIdFields fields;
  fields.dtype = ScalarType::kHalf;
  fields.key = Value::Str("3");
  fields.location = "cpu";
  fields.numel = 12;
  ASSERT_OK_AND_ASSIGN(Value pid, EncodeStoragePersistentId(fields, literals));
  ASSERT_EQ(pid.tuple().size(), 5u);
  // One 'storage', one 'cpu' and one key object, so the pickle memoizes them.
  EXPECT_EQ(pid.tuple()[0].identity(), literals.storage.identity());
  EXPECT_EQ(pid.tuple()[2].identity(), fields.key.identity());
  EXPECT_EQ(pid.tuple()[3].identity(), literals.cpu.identity());
  ASSERT_OK_AND_ASSIGN(StoragePersistentId id, ParseStoragePersistentId(pid));
  EXPECT_EQ(id.storage_class, "HalfStorage");
  EXPECT_EQ(id.dtype, ScalarType::kHalf);
  EXPECT_FALSE(id.untyped);
  EXPECT_EQ(id.key, "3");
  EXPECT_EQ(id.location, "cpu");
  EXPECT_EQ(id.numel, 12);
  EXPECT_EQ(id.nbytes, 24u);
  EXPECT_TRUE(id.view_metadata.is_none());

  // Legacy: a 6-tuple, a new key str each time; an untyped storage on a device.
  fields.untyped = true;
  fields.location = "cuda:1";
  fields.legacy = true;
  ASSERT_OK_AND_ASSIGN(pid, EncodeStoragePersistentId(fields, literals));
  ASSERT_EQ(pid.tuple().size(), 6u);
  EXPECT_NE(pid.tuple()[2].identity(), fields.key.identity());
  EXPECT_EQ(pid.tuple()[1].global().FullName(), "torch.storage.UntypedStorage");
  ASSERT_OK_AND_ASSIGN(id, ParseStoragePersistentId(pid));
  EXPECT_TRUE(id.untyped);
  EXPECT_EQ(id.location, "cuda:1");
  EXPECT_EQ(id.nbytes, 12u);
  EXPECT_TRUE(id.view_metadata.is_none());
}

TEST(TensorCodecTest, StoragePersistentIdEncoderRefuses) {
  PersistentIdLiterals literals;
  StoragePersistentIdFields fields;
  fields.dtype = ScalarType::kUInt16;  // no legacy storage class: save it untyped
  fields.key = Value::Str("0");
  fields.location = "cpu";
  EXPECT_THAT(EncodeStoragePersistentId(fields, literals),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UntypedStorage")));
  fields.dtype = ScalarType::kFloat;
  fields.key = Value::Int(0);
  EXPECT_THAT(EncodeStoragePersistentId(fields, literals),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be a str")));
}

TEST(TensorCodecTest, ParseStoragePersistentIdRefuses) {
  const Value cls = Value::Global("torch", "FloatStorage");
  const Value storage = Value::Str("storage");
  auto parse = [](std::vector<Value> items) {
    return ParseStoragePersistentId(Tuple(std::move(items))).status();
  };
  EXPECT_THAT(parse({storage, cls, Value::Str("0"), Value::Str("cpu")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a 5- or 6-tuple")));
  EXPECT_THAT(parse({Value::Str("store"), cls, Value::Str("0"), Value::Str("cpu"), Int(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'storage'")));
  EXPECT_THAT(parse({storage, Value::Global("os", "FloatStorage"), Value::Str("0"),
                     Value::Str("cpu"), Int(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not one of torch's")));
  EXPECT_THAT(parse({storage, Value::Global("torch", "TypedStorage"), Value::Str("0"),
                     Value::Str("cpu"), Int(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown storage class")));
  EXPECT_THAT(parse({storage, cls, Int(0), Value::Str("cpu"), Int(1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key is not a str")));
  EXPECT_THAT(parse({storage, cls, Value::Str("0"), Value::Str("cpu"), Int(-1)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-negative")));
  EXPECT_THAT(parse({storage, cls, Value::Str("0"), Value::Str("cpu"),
                     Int(int64_t{1} << 62)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflows")));
}

TEST(TensorCodecTest, DecodersRefuseBadArguments) {
  Tensor t = MakeTensor(ScalarType::kFloat, 16, 0, {4}, {1});
  const Value storage = Value::FromStorage(StorageForEncoding(t));
  const Value hooks = Value::NewOrderedDict();
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v2",
                          {storage, Int(0), Tuple({Int(4)}), Tuple({Int(1)}), Value::Bool(false)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("_rebuild_tensor_v2")));
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v2", {Int(0), Int(0), Tuple({Int(4)}), Tuple({Int(1)}),
                                                 Value::Bool(false), hooks}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("storage must be")));
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v2", {storage, Int(0), Tuple({Int(5)}),
                                                 Tuple({Int(1)}), Value::Bool(false), hooks}),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v2", {storage, Value::Str("0"), Tuple({Int(4)}),
                                                 Tuple({Int(1)}), Value::Bool(false), hooks}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("storage_offset")));
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v2", {storage, Int(0), Tuple({Int(4)}), Tuple({Int(1)}),
                                                 Value::Bool(false), hooks, Int(3)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metadata")));
  EXPECT_THAT(CallDecoder("_rebuild_tensor_v3", {storage, Int(0), Tuple({Int(4)}), Tuple({Int(1)}),
                                                 Value::Bool(false), hooks, Value::Str("f")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dtype")));
  const Value affine = Value::Enum({TorchEnum::Type::kQScheme, "per_tensor_affine"});
  EXPECT_THAT(CallDecoder("_rebuild_qtensor",
                          {storage, Int(0), Tuple({Int(4)}), Tuple({Int(1)}),
                           Tuple({affine, Value::Float(0.5), Int(0)}), Value::Bool(false), hooks}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a quantized dtype")));
  EXPECT_THAT(CallDecoder("_rebuild_parameter", {Value::Bool(true), hooks}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A parameter of something not a tensor stays an inert call.
  ASSERT_OK_AND_ASSIGN(Value inert,
                       CallDecoder("_rebuild_parameter", {Int(1), Value::Bool(true), hooks}));
  EXPECT_TRUE(inert.is_object());
}

TEST(TensorCodecTest, StorageClassNames) {
  EXPECT_TRUE(IsTorchModule("torch"));
  EXPECT_TRUE(IsTorchModule("torch.cuda"));
  EXPECT_FALSE(IsTorchModule("torchvision"));
  ASSERT_TRUE(StorageClassFromName("LongStorage").has_value());
  EXPECT_EQ(StorageClassFromName("LongStorage")->dtype, ScalarType::kLong);
  EXPECT_TRUE(StorageClassFromName("UntypedStorage")->untyped);
  EXPECT_FALSE(StorageClassFromName("TypedStorage").has_value());
}

}  // namespace
}  // namespace ptser
