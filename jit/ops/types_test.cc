// Copyright ptser authors.

#include "jit/ops/types.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/script/ast.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

std::string AnnotationStr(absl::string_view text) {
  absl::StatusOr<TypePtr> t = ParseAnnotation(text);
  if (!t.ok()) return std::string(t.status().message());
  return (*t)->Str();
}

TEST(ParseAnnotationTest, RoundTrips) {
  for (const char* text :
       {"Tensor", "int", "float", "bool", "str", "complex", "number", "NoneType", "Any", "Device",
        "Storage", "Generator", "List[int]", "Optional[Tensor]", "Dict[str, Tensor]",
        "Dict[str, List[int]]", "Tuple[int, int]", "Tuple[()]", "Union[int, str]",
        "Future[int]", "__torch__.Pt", "__torch__.torch.nn.modules.linear.Linear",
        "List[Optional[Tuple[int, __torch__.foo.Bar]]]"}) {
    EXPECT_EQ(AnnotationStr(text), text);
  }
}

TEST(ParseAnnotationTest, Kinds) {
  ASSERT_OK_AND_ASSIGN(TypePtr t, ParseAnnotation("Dict[str, List[int]]"));
  EXPECT_EQ(t->kind(), Type::Kind::kDict);
  EXPECT_EQ(t->contained()[0]->kind(), Type::Kind::kStr);
  EXPECT_EQ(t->contained()[1]->kind(), Type::Kind::kList);
  EXPECT_EQ(t->contained()[1]->contained()[0]->kind(), Type::Kind::kInt);
  ASSERT_OK_AND_ASSIGN(t, ParseAnnotation("Final[int]"));
  EXPECT_EQ(t->kind(), Type::Kind::kInt);
  ASSERT_OK_AND_ASSIGN(t, ParseAnnotation("Tuple[()]"));
  EXPECT_EQ(t->kind(), Type::Kind::kTuple);
  EXPECT_TRUE(t->contained().empty());
  ASSERT_OK_AND_ASSIGN(t, ParseAnnotation("__torch__.Pt"));
  EXPECT_EQ(t->kind(), Type::Kind::kClass);
  EXPECT_EQ(t->name(), "__torch__.Pt");
  ASSERT_OK_AND_ASSIGN(t, ParseAnnotation("Optional[__torch__.a.B]"));
  EXPECT_EQ(t->Str(), "Optional[__torch__.a.B]");
}

TEST(TypeTest, SharedInstances) {
  EXPECT_EQ(Type::Get(Type::Kind::kInt).get(), Type::Get(Type::Kind::kInt).get());
  EXPECT_EQ(Type::Get(Type::Kind::kList)->Str(), "List[Any]");
  EXPECT_EQ(Type::Get(Type::Kind::kDict)->Str(), "Dict[Any, Any]");
  EXPECT_EQ(Type::Get(Type::Kind::kTuple)->Str(), "Tuple[()]");
  EXPECT_EQ(MatchType(Value::NewList({Value::Int(1)}), *Type::Get(Type::Kind::kList)),
            TypeMatch::kExact);
  EXPECT_EQ(Type::ListOf(Type::Get(Type::Kind::kInt), 2)->Str(), "List[int]");
  EXPECT_EQ(Type::UnionOf({Type::Get(Type::Kind::kInt), Type::Get(Type::Kind::kNone)})->Str(),
            "Union[int, NoneType]");
}

TEST(ParseAnnotationTest, Errors) {
  EXPECT_THAT(ParseAnnotation("Foo"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown type name 'Foo'")));
  EXPECT_THAT(ParseAnnotation("List[int"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAnnotation("Dict[int]"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAnnotation("List"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAnnotation("int]"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// ------------------------------------------------- AnnotationFromExpr ---

script::ExprPtr Name(std::string n) {
  auto e = std::make_unique<script::Expr>(script::Expr::Kind::kName);
  e->name = std::move(n);
  return e;
}
script::ExprPtr Attr(script::ExprPtr object, std::string n) {
  auto e = std::make_unique<script::Expr>(script::Expr::Kind::kAttribute);
  e->object = std::move(object);
  e->name = std::move(n);
  return e;
}
script::ExprPtr TupleOf(std::vector<script::ExprPtr> items) {
  auto e = std::make_unique<script::Expr>(script::Expr::Kind::kTuple);
  e->elements = std::move(items);
  return e;
}
script::ExprPtr Sub(script::ExprPtr object, script::ExprPtr index) {
  auto e = std::make_unique<script::Expr>(script::Expr::Kind::kSubscript);
  e->object = std::move(object);
  e->elements.push_back(std::move(index));
  return e;
}

TEST(AnnotationFromExprTest, NamesAttributesSubscripts) {
  ASSERT_OK_AND_ASSIGN(TypePtr t, AnnotationFromExpr(*Name("Tensor")));
  EXPECT_EQ(t->kind(), Type::Kind::kTensor);
  ASSERT_OK_AND_ASSIGN(t, AnnotationFromExpr(*Attr(Attr(Name("__torch__"), "a"), "B")));
  EXPECT_EQ(t->Str(), "__torch__.a.B");
  std::vector<script::ExprPtr> kv;
  kv.push_back(Name("str"));
  kv.push_back(Name("int"));
  ASSERT_OK_AND_ASSIGN(t, AnnotationFromExpr(*Sub(Name("Dict"), TupleOf(std::move(kv)))));
  EXPECT_EQ(t->Str(), "Dict[str, int]");
  ASSERT_OK_AND_ASSIGN(t, AnnotationFromExpr(*Sub(Name("Tuple"), TupleOf({}))));
  EXPECT_EQ(t->Str(), "Tuple[()]");
  ASSERT_OK_AND_ASSIGN(t, AnnotationFromExpr(*Sub(Name("List"), Name("int"))));
  EXPECT_EQ(t->Str(), "List[int]");
  ASSERT_OK_AND_ASSIGN(t, AnnotationFromExpr(script::Expr(script::Expr::Kind::kNone)));
  EXPECT_EQ(t->kind(), Type::Kind::kNone);
}

TEST(AnnotationFromExprTest, ErrorsNameTheLocation) {
  script::ExprPtr e = Name("Foo");
  e->loc.record = std::make_shared<const std::string>("code/__torch__.py");
  e->loc.line = 12;
  e->loc.column = 5;
  EXPECT_THAT(AnnotationFromExpr(*e),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("code/__torch__.py:12:5: unknown type name 'Foo'")));
}

// ---------------------------------------------------------- schema types ---

TEST(ParseSchemaTypeTest, Forms) {
  struct Case {
    const char* text;
    const char* annotation;
  };
  for (const Case& c : std::vector<Case>{
           {"int[2]", "List[int]"},
           {"Tensor(a!)", "Tensor"},
           {"Tensor?[]", "List[Optional[Tensor]]"},
           {"Dict(str, t)", "Dict[str, t]"},
           {"t", "t"},
           {"Scalar?", "Optional[number]"},
           {"ScalarType?", "Optional[int]"},
           {"Layout?", "Optional[int]"},
           {"Device?", "Optional[Device]"},
           {"MemoryFormat?", "Optional[int]"},
           {"Generator?", "Optional[Generator]"},
           {"Dimname[]?", "Optional[List[Dimname]]"},
           {"str?", "Optional[str]"},
           {"float[]?", "Optional[List[float]]"},
           {"Any", "Any"},
           {"Storage", "Storage"},
           {"Future(t)", "Future[t]"},
           {"(int, int)", "Tuple[int, int]"},
           {"SymInt[]", "List[SymInt]"},
           {"__torch__.torch.classes.quantized.Conv2dPackedParamsBase",
            "__torch__.torch.classes.quantized.Conv2dPackedParamsBase"},
       }) {
    absl::StatusOr<TypePtr> t = ParseSchemaType(c.text);
    ASSERT_OK(t.status()) << c.text;
    EXPECT_EQ((*t)->Str(), c.annotation) << c.text;
  }
  ASSERT_OK_AND_ASSIGN(TypePtr t, ParseSchemaType("int[2]"));
  EXPECT_EQ(t->fixed_size(), 2);
  EXPECT_THAT(ParseSchemaType("Tensor garbage"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSchemaType("Blah"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// ------------------------------------------------------------ matching ---

TypePtr T(absl::string_view annotation) { return *ParseAnnotation(annotation); }
TypePtr S(absl::string_view schema_type) { return *ParseSchemaType(schema_type); }

TEST(MatchTypeTest, Scalars) {
  EXPECT_EQ(MatchType(Value::Int(1), *T("int")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Bool(true), *T("int")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(Value::Int(1), *T("float")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(Value::Float(1), *T("int")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(Value::Float(1), *T("float")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Bool(true), *S("Scalar")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Float(1), *S("Scalar")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Str("a"), *S("Scalar")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(Value::Dtype(ScalarType::kFloat), *T("int")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Dtype(ScalarType::kFloat), *S("ScalarType?")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::None(), *S("ScalarType?")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Str("cpu"), *T("Device")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(Value::FromDevice(Device::Cpu()), *T("Device")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Str("x"), *T("Any")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Str("x"), *S("t")), TypeMatch::kExact);
}

TEST(MatchTypeTest, Tensors) {
  Value zero_dim = Value::FromTensor(*Full({}, Scalar(int64_t{3}), ScalarType::kLong));
  Value vec = Value::FromTensor(*Zeros({2}));
  EXPECT_EQ(MatchType(vec, *T("Tensor")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(zero_dim, *T("int")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(zero_dim, *S("Scalar")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(vec, *T("int")), TypeMatch::kNo);
  ASSERT_OK_AND_ASSIGN(Value three, ConvertToType(zero_dim, *T("int")));
  EXPECT_EQ(three.as_int(), 3);
  ASSERT_OK_AND_ASSIGN(Value f, ConvertToType(zero_dim, *T("float")));
  EXPECT_EQ(f.as_float(), 3.0);
  Value float_zero_dim = Value::FromTensor(*Full({}, Scalar(2.5), ScalarType::kFloat));
  EXPECT_THAT(ConvertToType(float_zero_dim, *T("int")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("as an integral argument")));
}

TEST(MatchTypeTest, Containers) {
  Value ints = Value::NewList({Value::Int(1), Value::Int(2)});
  EXPECT_EQ(MatchType(ints, *T("List[int]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(ints, *T("List[float]")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(Value::NewList(), *T("List[str]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Size({2, 3}), *T("List[int]")), TypeMatch::kExact);
  Value tuple = Value::NewTuple({Value::Int(1), Value::Int(2)});
  EXPECT_EQ(MatchType(tuple, *T("List[int]")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(tuple, *T("Tuple[int, int]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(tuple, *T("Tuple[int]")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(Value::Int(3), *S("int[2]")), TypeMatch::kConvertible);
  EXPECT_EQ(MatchType(Value::Int(3), *S("int[]")), TypeMatch::kNo);
  ASSERT_OK_AND_ASSIGN(Value l, ConvertToType(Value::Int(3), *S("int[2]")));
  EXPECT_EQ(l.Repr(), "[3, 3]");
  Value d = Value::NewDict();
  ASSERT_OK(d.dict().SetItem(Value::Str("a"), Value::Int(1)));
  EXPECT_EQ(MatchType(d, *T("Dict[str, int]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(d, *T("Dict[int, int]")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(d, *S("Dict(str, t)")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::None(), *T("Optional[List[int]]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Str("a"), *T("Union[int, str]")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Float(1), *T("Union[int, str]")), TypeMatch::kNo);
  EXPECT_EQ(MatchType(Value::NewList({Value::None(), Value::FromTensor(*Zeros({1}))}),
                      *S("Tensor?[]")),
            TypeMatch::kExact);
}

TEST(MatchTypeTest, Classes) {
  auto object = std::make_shared<Value::Object>(GlobalRef{"__torch__", "Pt"},
                                                Value::Object::Construction::kNewObj,
                                                Value::NewTuple());
  Value v = Value::FromObject(object);
  EXPECT_EQ(ClassNameOf(v), "__torch__.Pt");
  EXPECT_EQ(ClassNameOf(Value::Int(1)), "");
  EXPECT_EQ(MatchType(v, *T("__torch__.Pt")), TypeMatch::kExact);
  EXPECT_EQ(MatchType(Value::Int(1), *T("__torch__.Pt")), TypeMatch::kNo);
}

}  // namespace
}  // namespace jit
}  // namespace ptser
