// Copyright ptser authors.
//
// The checked reads of Value: ToX(), At(...), Get<T>(...), and the text of
// the throwing accessors' exception.
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/value.h"
#include "tensor/factories.h"
#include "tensor/tensor.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

Value Checkpoint() {
  // {'epoch': 7, 'args': {'arch': 'resnet18'}, 'model': {'fc.weight': T},
  //  'optimizer': {'state': {0: {'step': 3}}, 'param_groups': [{'lr': 0.1}]}}
  Value ckpt = Value::NewDict();
  Value args = Value::NewDict();
  EXPECT_OK(args.dict().SetItem(Value::Str("arch"), Value::Str("resnet18")));
  Value model = Value::NewOrderedDict();
  absl::StatusOr<Tensor> w = Ones({2, 3}, ScalarType::kFloat);
  EXPECT_OK(w.status());
  EXPECT_OK(model.dict().SetItem(Value::Str("fc.weight"), Value::FromTensor(*w)));
  Value step = Value::NewDict();
  EXPECT_OK(step.dict().SetItem(Value::Str("step"), Value::Int(3)));
  Value state = Value::NewDict();
  EXPECT_OK(state.dict().SetItem(Value::Int(0), step));
  Value group = Value::NewDict();
  EXPECT_OK(group.dict().SetItem(Value::Str("lr"), Value::Float(0.1)));
  Value opt = Value::NewDict();
  EXPECT_OK(opt.dict().SetItem(Value::Str("state"), state));
  EXPECT_OK(opt.dict().SetItem(Value::Str("param_groups"), Value::NewList({group})));
  EXPECT_OK(ckpt.dict().SetItem(Value::Str("epoch"), Value::Int(7)));
  EXPECT_OK(ckpt.dict().SetItem(Value::Str("args"), args));
  EXPECT_OK(ckpt.dict().SetItem(Value::Str("model"), model));
  EXPECT_OK(ckpt.dict().SetItem(Value::Str("optimizer"), opt));
  return ckpt;
}

TEST(ValueAccessTest, GetReadsScalarsAndNestedValues) {
  Value ckpt = Checkpoint();
  ASSERT_OK_AND_ASSIGN(int64_t epoch, ckpt.Get<int64_t>("epoch"));
  EXPECT_EQ(epoch, 7);
  ASSERT_OK_AND_ASSIGN(std::string arch, ckpt.Get<std::string>("args", "arch"));
  EXPECT_EQ(arch, "resnet18");
  ASSERT_OK_AND_ASSIGN(double lr, ckpt.Get<double>("optimizer", "param_groups", 0, "lr"));
  EXPECT_EQ(lr, 0.1);
  ASSERT_OK_AND_ASSIGN(double last_lr, ckpt.Get<double>("optimizer", "param_groups", -1, "lr"));
  EXPECT_EQ(last_lr, 0.1);
  // An int key of a dict: the optimizer's per-parameter state.
  ASSERT_OK_AND_ASSIGN(int64_t step, ckpt.Get<int64_t>("optimizer", "state", 0, "step"));
  EXPECT_EQ(step, 3);
  ASSERT_OK_AND_ASSIGN(Value::Dict * model, ckpt.Get<Value::Dict*>("model"));
  EXPECT_EQ(model->size(), 1u);
  ASSERT_OK_AND_ASSIGN(Value::List * groups, ckpt.Get<Value::List*>("optimizer", "param_groups"));
  EXPECT_EQ(groups->size(), 1u);
}

TEST(ValueAccessTest, AtSharesTheObject) {
  Value ckpt = Checkpoint();
  ASSERT_OK_AND_ASSIGN(Value model, ckpt.At("model"));
  ASSERT_OK_AND_ASSIGN(Value::Dict * d, model.ToDict());
  ASSERT_OK(d->SetItem(Value::Str("fc.bias"), Value::Int(1)));
  ASSERT_OK_AND_ASSIGN(int64_t bias, ckpt.Get<int64_t>("model", "fc.bias"));
  EXPECT_EQ(bias, 1);

  ASSERT_OK_AND_ASSIGN(Tensor w, ckpt.Get<Tensor>("model", "fc.weight"));
  ASSERT_OK_AND_ASSIGN(absl::Span<float> data, w.span<float>());
  data[0] = 0.5f;  // through the handle: the tensor in the checkpoint changes
  ASSERT_OK_AND_ASSIGN(Tensor again, ckpt.Get<Tensor>("model", "fc.weight"));
  ASSERT_OK_AND_ASSIGN(const float* p, again.data<const float>());
  EXPECT_EQ(p[0], 0.5f);

  ASSERT_OK_AND_ASSIGN(Value self, ckpt.At());
  EXPECT_TRUE(self.IsSameObject(ckpt));
}

TEST(ValueAccessTest, MissingKeyNamesKeyAndContainer) {
  Value ckpt = Checkpoint();
  EXPECT_THAT(ckpt.At("model", "fc.bias").status(),
              StatusIs(absl::StatusCode::kNotFound,
                       "no key 'fc.bias' in the OrderedDict at ['model'] (1 key)"));
  EXPECT_THAT(ckpt.Get<int64_t>("epochs").status(),
              StatusIs(absl::StatusCode::kNotFound,
                       "no key 'epochs' in the dict at the top level (4 keys)"));
  EXPECT_THAT(ckpt.At("optimizer", "state", 5).status(),
              StatusIs(absl::StatusCode::kNotFound,
                       "no key 5 in the dict at ['optimizer']['state'] (1 key)"));
  EXPECT_THAT(ckpt.At("optimizer", "param_groups", 1).status(),
              StatusIs(absl::StatusCode::kOutOfRange,
                       "index 1 is out of range for the list of 1 item at "
                       "['optimizer']['param_groups']"));
}

TEST(ValueAccessTest, WrongKindNamesExpectedFoundAndWhere) {
  Value ckpt = Checkpoint();
  EXPECT_THAT(ckpt.At("epoch", "x").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expected dict at ['epoch'] to look up ['x'], got int"));
  EXPECT_THAT(ckpt.At("args", "arch", 0).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expected list, tuple or dict at ['args']['arch'] to look up [0], got str"));
  EXPECT_THAT(ckpt.Get<std::string>("epoch").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected str at ['epoch'], got int"));
  EXPECT_THAT(ckpt.Get<Tensor>("args").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected Tensor at ['args'], got dict"));
  EXPECT_THAT(ckpt.Get<Value::List*>("model").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expected list at ['model'], got OrderedDict"));
  EXPECT_THAT(ckpt.ToInt().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected int, got dict"));
  EXPECT_THAT(Value::Bool(true).ToInt().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected int, got bool"));
  EXPECT_THAT(Value::Int(1).ToDouble().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected float, got int"));
  EXPECT_THAT(Value::Bytes("x").ToStr().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected str, got bytes"));
  EXPECT_THAT(Value::Int(1).ToTuple().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "expected tuple, got int"));
}

TEST(ValueAccessTest, LongKeysAreCutInMessages) {
  Value d = Value::NewDict();
  const std::string key(100000, 'k');
  absl::Status s = d.At(key).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_LT(s.message().size(), 300u);
}

TEST(ValueAccessTest, FindMutableByStr) {
  Value ckpt = Checkpoint();
  Value* epoch = ckpt.dict().FindMutable("epoch");
  ASSERT_NE(epoch, nullptr);
  *epoch = Value::Int(8);
  EXPECT_EQ(ckpt.dict().Find("epoch")->as_int(), 8);
  EXPECT_EQ(ckpt.dict().FindMutable("nope"), nullptr);
}

TEST(ValueAccessTest, ThrowingAccessorNamesBothKinds) {
  Value ckpt = Checkpoint();
  try {
    (void)ckpt.dict().Find("epoch")->dict();
    FAIL() << "no exception";
  } catch (const std::bad_variant_access& e) {
    EXPECT_STREQ(e.what(), "ptser::Value: expected dict, got int");
  }
  try {
    (void)Value::Str("x").as_int();
    FAIL() << "no exception";
  } catch (const BadValueKind& e) {
    EXPECT_THAT(e.what(), HasSubstr("expected int, got str"));
  }
}

}  // namespace
}  // namespace ptser
