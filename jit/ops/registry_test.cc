// Copyright ptser authors.

#include "jit/ops/registry.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/default_registry.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

std::string ReadSchemaDump() {
  std::vector<std::string> candidates;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    const char* ws = std::getenv("TEST_WORKSPACE");
    candidates.push_back(
        absl::StrCat(srcdir, "/", ws ? ws : "ptser", "/jit/ops/testdata/schemas_1_13.txt"));
  }
  candidates.push_back("jit/ops/testdata/schemas_1_13.txt");
  for (const std::string& path : candidates) {
    std::ifstream f(path);
    if (f.good()) {
      std::ostringstream ss;
      ss << f.rdbuf();
      return ss.str();
    }
  }
  ADD_FAILURE() << "cannot open schemas_1_13.txt";
  return "";
}

std::vector<std::string> AllSchemas() {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(ReadSchemaDump(), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    out.emplace_back(line);
  }
  return out;
}

// ------------------------------------------------------------ parsing ---

TEST(ParseSchemaTest, EveryPyTorch113SchemaParsesAndRoundTrips) {
  const std::vector<std::string> schemas = AllSchemas();
  ASSERT_GT(schemas.size(), 4000u);
  int failures = 0;
  for (const std::string& text : schemas) {
    absl::StatusOr<FunctionSchema> s = ParseSchema(text);
    if (!s.ok()) {
      if (++failures < 20) ADD_FAILURE() << s.status();
      continue;
    }
    if (s->Str() != text) {
      if (++failures < 20) ADD_FAILURE() << "round trip:\n  " << text << "\n  " << s->Str();
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(ParseSchemaTest, Parts) {
  ASSERT_OK_AND_ASSIGN(FunctionSchema s,
                       ParseSchema("aten::add.Tensor(Tensor self, Tensor other, *, Scalar "
                                   "alpha=1) -> Tensor"));
  EXPECT_EQ(s.name, "aten::add");
  EXPECT_EQ(s.overload, "Tensor");
  EXPECT_EQ(s.QualifiedName(), "aten::add.Tensor");
  ASSERT_EQ(s.arguments.size(), 3u);
  EXPECT_FALSE(s.arguments[1].kwarg_only);
  EXPECT_TRUE(s.arguments[2].kwarg_only);
  EXPECT_EQ(s.arguments[2].name, "alpha");
  ASSERT_TRUE(s.arguments[2].default_value.has_value());
  EXPECT_EQ(s.arguments[2].default_value->as_int(), 1);
  ASSERT_EQ(s.returns.size(), 1u);
  EXPECT_EQ(s.returns[0].type->kind(), Type::Kind::kTensor);
}

TEST(ParseSchemaTest, Defaults) {
  ASSERT_OK_AND_ASSIGN(
      FunctionSchema s,
      ParseSchema("aten::f(int[2] stride=1, int[2] pad=[0, 1], float eps=1e-05, float m=1, "
                  "str mode=\"none\", bool b=False, Tensor? w=None, int d=-1, "
                  "MemoryFormat fmt=contiguous_format, ScalarType t=long, Layout l=strided, "
                  "float h=0.5, int[1] e=[]) -> ()"));
  const auto& a = s.arguments;
  ASSERT_EQ(a.size(), 13u);
  EXPECT_EQ(a[0].default_value->Repr(), "[1, 1]");
  EXPECT_EQ(a[0].type->fixed_size(), 2);
  EXPECT_EQ(a[1].default_value->Repr(), "[0, 1]");
  EXPECT_DOUBLE_EQ(a[2].default_value->as_float(), 1e-05);
  EXPECT_TRUE(a[3].default_value->is_float());
  EXPECT_EQ(a[4].default_value->as_string(), "none");
  EXPECT_FALSE(a[5].default_value->as_bool());
  EXPECT_TRUE(a[6].default_value->is_none());
  EXPECT_EQ(a[7].default_value->as_int(), -1);
  EXPECT_EQ(a[8].default_value->as_int(), 0);
  EXPECT_EQ(a[9].default_value->as_int(), 4);
  EXPECT_EQ(a[10].default_value->as_int(), 0);
  EXPECT_DOUBLE_EQ(a[11].default_value->as_float(), 0.5);
  EXPECT_EQ(a[12].default_value->Repr(), "[]");
  // Printed as PyTorch prints them.
  EXPECT_EQ(s.Str(),
            "aten::f(int[2] stride=1, int[2] pad=[0, 1], float eps=1.0000000000000001e-05, "
            "float m=1., str mode=\"none\", bool b=False, Tensor? w=None, int d=-1, "
            "MemoryFormat fmt=0, ScalarType t=4, Layout l=0, float h=0.5, int[1] e=[]) -> ()");
}

TEST(ParseSchemaTest, AliasesVarargsAndTupleReturns) {
  ASSERT_OK_AND_ASSIGN(FunctionSchema s, ParseSchema("aten::format(str self, ...) -> str"));
  EXPECT_TRUE(s.is_vararg);
  ASSERT_OK_AND_ASSIGN(s, ParseSchema("aten::add_.Tensor(Tensor(a!) self, Tensor other, *, "
                                      "Scalar alpha=1) -> Tensor(a!)"));
  EXPECT_TRUE(s.arguments[0].is_write);
  EXPECT_EQ(s.arguments[0].alias, "a");
  ASSERT_OK_AND_ASSIGN(s, ParseSchema("aten::divmod.int(int x, int y) -> (int, int)"));
  EXPECT_EQ(s.returns.size(), 2u);
  ASSERT_OK_AND_ASSIGN(s, ParseSchema("aten::popitem.str(Dict(str, t)(a!) self) -> ((str, t))"));
  ASSERT_EQ(s.returns.size(), 1u);
  EXPECT_EQ(s.returns[0].type->Str(), "Tuple[str, t]");
  ASSERT_OK_AND_ASSIGN(s, ParseSchema("prim::TupleUnpack(Any tup) -> ..."));
  EXPECT_TRUE(s.is_varret);
  EXPECT_TRUE(s.returns.empty());
  // `Tensor?(a!)` reads as PyTorch's canonical `Tensor(a!)?`.
  ASSERT_OK_AND_ASSIGN(s, ParseSchema("aten::g(Tensor?(a!) x) -> ()"));
  EXPECT_EQ(s.Str(), "aten::g(Tensor(a!)? x) -> ()");
}

TEST(ParseSchemaTest, ErrorsNameTheColumn) {
  EXPECT_THAT(ParseSchema("aten::f(int a"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                     HasSubstr("column")));
  EXPECT_THAT(ParseSchema("aten::f(Blah a) -> ()"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown type 'Blah'")));
  EXPECT_THAT(ParseSchema("aten::f(int a=zzz) -> ()"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("zzz")));
}

// ---------------------------------------------------------- registry ---

TEST(OperatorRegistryTest, RegisterFindOverloads) {
  OperatorRegistry r;
  OpFn fn = [](OpContext&, absl::Span<Value>) -> absl::StatusOr<Value> { return Value(); };
  ASSERT_OK(r.Register("aten::foo.a(int x) -> int", fn));
  ASSERT_OK(r.Register("aten::foo.b(str x) -> int", fn));
  EXPECT_THAT(r.Register("aten::foo.a(float x) -> int", fn),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("aten::foo.a")));
  EXPECT_THAT(r.Register("aten::foo.c(int x", fn), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(r.size(), 2u);
  ASSERT_NE(r.Overloads("aten::foo"), nullptr);
  EXPECT_EQ(r.Overloads("aten::foo")->size(), 2u);
  EXPECT_EQ(r.Overloads("aten::bar"), nullptr);
  EXPECT_TRUE(r.Has("aten::foo"));
  ASSERT_NE(r.Find("aten::foo.b"), nullptr);
  EXPECT_EQ(r.Find("aten::foo.b")->schema.arguments[0].type->kind(), Type::Kind::kStr);
  EXPECT_EQ(r.Find("aten::foo"), nullptr);
  EXPECT_EQ(r.Names(), std::vector<std::string>{"aten::foo"});
}

TEST(OpContextTest, CheckAlloc) {
  OpContext ctx;
  ctx.max_alloc_bytes = 100;
  EXPECT_OK(ctx.CheckAlloc(100, "x"));
  EXPECT_THAT(ctx.CheckAlloc(101, "aten::zeros"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "aten::zeros would allocate 101 bytes, over the memory limit of 100 bytes "
                       "for one result (InterpreterOptions::max_alloc_bytes)"));
  EXPECT_THAT(ctx.CheckAlloc(-1, "x"), StatusIs(absl::StatusCode::kResourceExhausted));
}

class ResolveTest : public ::testing::Test {
 protected:
  const Operator* Resolve(absl::string_view name, std::vector<Value> positional,
                          std::vector<std::string> kw_names = {},
                          std::vector<Value> kw_values = {}) {
    absl::StatusOr<const Operator*> op =
        DefaultOperators().Resolve(name, positional, kw_names, kw_values, &args_);
    EXPECT_OK(op.status());
    return op.ok() ? *op : nullptr;
  }
  std::string Overload(absl::string_view name, std::vector<Value> positional,
                       std::vector<std::string> kw_names = {}, std::vector<Value> kw_values = {}) {
    const Operator* op = Resolve(name, std::move(positional), std::move(kw_names),
                                 std::move(kw_values));
    return op ? op->schema.QualifiedName() : "<none>";
  }
  static Value T(std::vector<float> v) {
    return Value::FromTensor(*MakeTensor<float>(absl::Span<const float>(v)));
  }
  std::vector<Value> args_;
};

TEST_F(ResolveTest, PicksOverloadsByValueTypes) {
  EXPECT_EQ(Overload("aten::add", {Value::Int(3), Value::Int(4)}), "aten::add.int");
  EXPECT_EQ(Overload("aten::add", {Value::Float(3), Value::Int(4)}), "aten::add.float_int");
  EXPECT_EQ(Overload("aten::add", {Value::Int(3), Value::Float(4)}), "aten::add.int_float");
  EXPECT_EQ(Overload("aten::add", {Value::Str("a"), Value::Str("b")}), "aten::add.str");
  EXPECT_EQ(Overload("aten::add", {Value::NewList(), Value::NewList()}), "aten::add.t");
  EXPECT_EQ(Overload("aten::add", {T({1}), Value::Int(1)}), "aten::add.Scalar");
  EXPECT_EQ(Overload("aten::add", {T({1}), T({2})}), "aten::add.Tensor");
  EXPECT_EQ(Overload("aten::add", {Value::Bool(true), Value::Int(1)}), "aten::add");
}

TEST_F(ResolveTest, BindsKeywordsAndDefaults) {
  const Operator* op = Resolve("aten::add", {T({1}), T({2})}, {"alpha"}, {Value::Int(3)});
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->schema.QualifiedName(), "aten::add.Tensor");
  ASSERT_EQ(args_.size(), 3u);
  EXPECT_EQ(args_[2].as_int(), 3);
  op = Resolve("aten::add", {T({1}), T({2})});
  ASSERT_EQ(args_.size(), 3u);
  EXPECT_EQ(args_[2].as_int(), 1);  // the default
  // A kwarg-only argument cannot be given by position.
  std::vector<Value> args;
  EXPECT_THAT(DefaultOperators().Resolve("aten::add", {T({1}), T({2}), Value::Int(3)}, {}, {},
                                         &args)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("aten::add.Tensor: expected at most 2 positional argument(s), "
                                 "got 3")));
}

TEST_F(ResolveTest, ConversionsOnlyWhenNothingMatchesExactly) {
  // split.str(str self, str? separator=None, int max=-1): an int for `max`
  // given as a bool converts in the second pass.
  const Operator* op = Resolve("aten::split", {Value::Str("a b"), Value::None(), Value::Bool(true)});
  ASSERT_NE(op, nullptr);
  EXPECT_TRUE(args_[2].is_int());
  // int -> float: aten::floor.float has no int overload... floor.int exists,
  // so an int resolves exactly.
  EXPECT_EQ(Overload("aten::floor", {Value::Int(2)}), "aten::floor.int");
  // A 0-dim tensor converts to an int.
  Value zero_dim = Value::FromTensor(*Full({}, Scalar(int64_t{5}), ScalarType::kLong));
  op = Resolve("aten::chr", {zero_dim});
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(args_[0].as_int(), 5);
}

TEST_F(ResolveTest, DtypesEnumsAndSizesBindAsIntsAndLists) {
  // ops.prim.min(torch.Size) style: a torch.Size binds to int[] as a list.
  const Operator* op = Resolve("prim::min", {Value::Size({4, 2, 3})});
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->schema.QualifiedName(), "prim::min.self_int");
  EXPECT_TRUE(args_[0].is_list());
  op = Resolve("aten::eq", {Value::Dtype(ScalarType::kFloat), Value::Int(6)});
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->schema.QualifiedName(), "aten::eq.int");
  EXPECT_TRUE(args_[0].is_int());
  EXPECT_EQ(args_[0].as_int(), 6);
}

TEST_F(ResolveTest, FixedSizeListFromOneInt) {
  OperatorRegistry r;
  ASSERT_OK(r.Register("aten::pool(int[2] kernel, int[2] stride=1) -> int[]",
                       [](OpContext&, absl::Span<Value> a) -> absl::StatusOr<Value> {
                         return a[0];
                       }));
  std::vector<Value> args;
  ASSERT_OK(r.Resolve("aten::pool", {Value::Int(3)}, {}, {}, &args).status());
  EXPECT_EQ(args[0].Repr(), "[3, 3]");
  EXPECT_EQ(args[1].Repr(), "[1, 1]");
  // A tuple of ints converts to int[].
  ASSERT_OK(r.Resolve("aten::pool", {Value::NewTuple({Value::Int(1), Value::Int(2)})}, {}, {},
                      &args)
                .status());
  EXPECT_TRUE(args[0].is_list());
  EXPECT_EQ(args[0].Repr(), "[1, 2]");
}

TEST_F(ResolveTest, ErrorsNameOperatorOverloadAndArgument) {
  std::vector<Value> args;
  EXPECT_THAT(DefaultOperators().Resolve("aten::no_such_op", {}, {}, {}, &args).status(),
              StatusIs(absl::StatusCode::kNotFound, "unknown operator aten::no_such_op"));
  absl::Status s =
      DefaultOperators().Resolve("aten::add", {T({1}), Value::Str("x")}, {}, {}, &args).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("no overload of aten::add matches the arguments (Tensor, str)")));
  EXPECT_THAT(s.message(), HasSubstr("aten::add.Tensor: argument 'other' expects Tensor, got str"));
  EXPECT_THAT(s.message(), HasSubstr("aten::add.int: argument 'a' expects int, got Tensor"));
  // One overload: the message is that overload's.
  EXPECT_THAT(DefaultOperators().Resolve("aten::upper", {Value::Int(1)}, {}, {}, &args).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "aten::upper: argument 'self' expects str, got int"));
  EXPECT_THAT(
      DefaultOperators().Resolve("aten::upper", {Value::Str("a")}, {"bogus"}, {Value::Int(1)}, &args)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected keyword argument 'bogus'")));
  EXPECT_THAT(DefaultOperators().Resolve("aten::upper", {}, {}, {}, &args).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing argument 'self'")));
}

TEST_F(ResolveTest, BindOnACachedOverload) {
  const Operator* op = DefaultOperators().Find("aten::add.int");
  ASSERT_NE(op, nullptr);
  std::vector<Value> args;
  EXPECT_OK(OperatorRegistry::Bind(*op, {Value::Int(1), Value::Int(2)}, {}, {}, false, &args));
  EXPECT_THAT(OperatorRegistry::Bind(*op, {Value::Int(1), Value::Float(2)}, {}, {}, false, &args),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "aten::add.int: argument 'b' expects int, got float"));
}

// Every schema a family registers is PyTorch 1.13's own text, so overloads
// resolve (and print) as there.
TEST(DefaultOperatorsTest, EverySchemaIsPyTorch113s) {
  const std::vector<std::string> all = AllSchemas();
  absl::flat_hash_set<std::string> known(all.begin(), all.end());
  const OperatorRegistry& r = DefaultOperators();
  EXPECT_GT(r.size(), 500u);
  for (const std::string& name : r.Names()) {
    for (const auto& op : *r.Overloads(name)) {
      EXPECT_TRUE(known.contains(op->schema.Str())) << op->schema.Str();
    }
  }
}

// Within one name, overloads keep 1.13's relative order.
TEST(DefaultOperatorsTest, OverloadOrderFollowsPyTorch113) {
  const std::vector<std::string> all = AllSchemas();
  absl::flat_hash_map<std::string, size_t> position;
  for (size_t i = 0; i < all.size(); ++i) position[all[i]] = i;
  const OperatorRegistry& r = DefaultOperators();
  for (const std::string& name : r.Names()) {
    size_t last = 0;
    std::string last_schema;
    for (const auto& op : *r.Overloads(name)) {
      const std::string s = op->schema.Str();
      auto it = position.find(s);
      if (it == position.end()) continue;
      EXPECT_GE(it->second, last) << s << " registered after " << last_schema;
      last = it->second;
      last_schema = s;
    }
  }
}

}  // namespace
}  // namespace jit
}  // namespace ptser
