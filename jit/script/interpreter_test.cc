// Copyright ptser authors.
//
// The interpreter on small archives built from code text: language
// features, errors with locations, limits.  Real PyTorch's archives and
// outputs are checked in tests/interop/script_run_test.
#include "jit/script/interpreter.h"

#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/ops/registry.h"
#include "jit/script_archive.h"
#include "jit/script_module.h"
#include "tensor/factories.h"

namespace ptser {
namespace jit {
namespace {

using ::testing::HasSubstr;

// A module of class `__torch__.M` whose code record is `code` (its class
// header and attributes are added here), with int attribute `n` = 3.
struct Built {
  ScriptArchive archive;
  std::shared_ptr<Interpreter> interp;
};

absl::StatusOr<Built> Build(const std::string& methods, uint64_t version = 3,
                            const InterpreterOptions& options = {},
                            const std::string& extra_code = "") {
  const std::string code = "class M(Module):\n"
                           "  __parameters__ = []\n"
                           "  __buffers__ = []\n"
                           "  training : bool\n"
                           "  n : int\n" +
                           methods + extra_code;
  Built b;
  b.archive.prefix = "m";
  b.archive.version = version;
  b.archive.constants = Value::NewTuple({Value::Str("é")});
  PTSER_ASSIGN_OR_RETURN(std::vector<ScriptClass> classes,
                         ParseCodeRecord("code/__torch__.py", code));
  for (ScriptClass& c : classes) {
    b.archive.classes.push_back(std::make_shared<const ScriptClass>(std::move(c)));
  }
  b.archive.code_records.push_back({"code/__torch__.py", code});
  auto m = std::make_shared<ScriptModule>(b.archive.classes[0]);
  m->AddTraining(false);
  m->AddAttribute("n", Value::Int(3));
  b.archive.module = m;
  PTSER_ASSIGN_OR_RETURN(b.interp, AttachInterpreter(b.archive, DefaultOperators(), options));
  return b;
}

absl::StatusOr<Value> RunForward(const std::string& methods, std::vector<Value> args,
                                 const InterpreterOptions& options = {}, uint64_t version = 3) {
  PTSER_ASSIGN_OR_RETURN(Built b, Build(methods, version, options));
  return b.archive.module->Forward(std::move(args));
}

TEST(InterpreterTest, IntArithmeticAndControlFlow) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    total = 0\n"
      "    for i in range(x):\n"
      "      if torch.eq(torch.remainder(i, 2), 0):\n"
      "        total = torch.add(total, i)\n"
      "      else:\n"
      "        total = torch.sub(total, 1)\n"
      "    n = self.n\n"
      "    return torch.add(total, torch.floordiv(-7, n))\n";
  // 0+2+4 - 2 (i=1,3) + (-7 // 3 == -3)
  absl::StatusOr<Value> v = RunForward(code, {Value::Int(5)});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->as_int(), 0 + 2 + 4 - 2 - 3);
}

TEST(InterpreterTest, WhileLoopsTuplesAndLists) {
  const std::string code =
      "  def forward(self: __torch__.M) -> Tuple[List[int], int]:\n"
      "    xs = annotate(List[int], [])\n"
      "    i = 0\n"
      "    _0 = True\n"
      "    while _0:\n"
      "      _1 = torch.append(xs, torch.mul(i, i))\n"
      "      i = torch.add(i, 1)\n"
      "      _0 = torch.lt(i, 4)\n"
      "    a, b, = (xs[-1], torch.len(xs))\n"
      "    return (xs, torch.add(a, b))\n";
  absl::StatusOr<Value> v = RunForward(code, {});
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_TRUE(v->is_tuple());
  EXPECT_EQ(v->tuple()[0].Repr(), "[0, 1, 4, 9]");
  EXPECT_EQ(v->tuple()[1].as_int(), 13);
}

TEST(InterpreterTest, StringsDictsAndConstants) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    s: str) -> str:\n"
      "    d = {\"a\": 1, \"b\": 2}\n"
      "    _0 = torch.__contains__(d, \"a\")\n"
      "    if _0:\n"
      "      t = torch.add(s, CONSTANTS.c0)\n"
      "    else:\n"
      "      t = s\n"
      "    return torch.add(t, str(d[\"b\"]))\n";
  absl::StatusOr<Value> v = RunForward(code, {Value::Str("x")});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->as_string(), "xé2");
}

TEST(InterpreterTest, TensorOpsAndModuleAttributes) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: Tensor) -> Tensor:\n"
      "    n = self.n\n"
      "    return torch.add(torch.mul(x, n), 1)\n";
  absl::StatusOr<Tensor> x = MakeTensor<float>({1.f, 2.f});
  ASSERT_TRUE(x.ok());
  absl::StatusOr<Value> v = RunForward(code, {Value::FromTensor(*x)});
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_TRUE(v->is_tensor());
  EXPECT_EQ((*v->tensor().data<const float>())[0], 4.f);
  EXPECT_EQ((*v->tensor().data<const float>())[1], 7.f);
}

TEST(InterpreterTest, RaisedExceptionNamesMessageAndLocation) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    if torch.gt(x, 1):\n"
      "      ops.prim.RaiseException(\"x is too big\", \"builtins.ValueError\")\n"
      "    else:\n"
      "      pass\n"
      "    return x\n";
  EXPECT_TRUE(RunForward(code, {Value::Int(1)}).ok());
  absl::StatusOr<Value> v = RunForward(code, {Value::Int(5)});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("x is too big"));
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("code/__torch__.py:9:"));
}

// `x op= y` compiles to `x = op(x, y)` located at the statement; a failing
// op names that line (fuzz finding: the node once pointed at a temporary).
TEST(InterpreterTest, AugmentedAssignmentRunsAndLocatesItsErrors) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    y = x\n"
      "    y += 2\n"
      "    y *= 3\n"
      "    if torch.gt(y, 100):\n"
      "      y @= 2\n"
      "    else:\n"
      "      pass\n"
      "    return y\n";
  absl::StatusOr<Value> ok = RunForward(code, {Value::Int(1)});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->as_int(), 9);
  absl::StatusOr<Value> v = RunForward(code, {Value::Int(50)});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("code/__torch__.py:12:"));
}

// Unpacking takes every item before assigning any (as Python does), so a
// target whose index expression empties the list cannot read freed items.
TEST(InterpreterTest, UnpackingTakesTheItemsBeforeAssigning) {
  const std::string code =
      "  def forward(self: __torch__.M) -> Tuple[List[Tensor], Tensor, int]:\n"
      "    l = [torch.ones([1]), torch.zeros([2])]\n"
      "    a = [torch.ones([3])]\n"
      "    a[(self).empty(l, )], b = l\n"
      "    return (a, b, torch.len(l))\n"
      "  def empty(self: __torch__.M,\n"
      "    l: List[Tensor]) -> int:\n"
      "    torch.clear(l)\n"
      "    return 0\n";
  absl::StatusOr<Value> v = RunForward(code, {});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->tuple()[0].list()[0].tensor().sizes(), std::vector<int64_t>{1});
  EXPECT_EQ(v->tuple()[1].tensor().sizes(), std::vector<int64_t>{2});
  EXPECT_EQ(v->tuple()[2].as_int(), 0);
}

// Slices step without overflowing: a step near INT64_MAX takes one item.
TEST(InterpreterTest, SlicesWithHugeSteps) {
  const std::string code =
      "  def forward(self: __torch__.M) -> Tuple[List[int], List[int], str, List[int]]:\n"
      "    x = [1, 2, 3]\n"
      "    return (x[1::9223372036854775807], x[-2::-9223372036854775807],\n"
      "        \"abc\"[1::9223372036854775807],\n"
      "        torch.slice(x, 1, None, 9223372036854775807))\n";
  absl::StatusOr<Value> v = RunForward(code, {});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->Repr(), "([2], [2], 'b', [2])");
}

// Sorting lists of a list that contains itself, or of lists that share
// their parts thirty levels deep (2^30 paths), ends, and quickly; so does
// str() of the latter.
TEST(InterpreterTest, ComparisonsOfSelfContainingAndSharedLists) {
  const std::string code =
      "  def forward(self: __torch__.M) -> Tuple[int, int, int]:\n"
      "    l = annotate(List[Any], [0])\n"
      "    _0 = torch.append(l, l)\n"
      "    x = annotate(List[Any], [])\n"
      "    y = annotate(List[Any], [])\n"
      "    for i in range(30):\n"
      "      x = [x, x]\n"
      "      y = [y, y]\n"
      "    a = torch.sorted([l, l])\n"
      "    b = torch.sorted([x, y, x])\n"
      "    s = torch.str(x)\n"
      "    torch.clear(l)\n"  // the cycle broken (a cyclic value is never freed)
      "    return (torch.len(a), torch.len(b), torch.len(s))\n";
  absl::StatusOr<Value> v = RunForward(code, {});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->tuple()[0].as_int(), 2);
  EXPECT_EQ(v->tuple()[1].as_int(), 3);
  // str() stops after 64 MiB instead of printing 2^30 empty lists.
  EXPECT_GE(v->tuple()[2].as_int(), int64_t{64} << 20);
  EXPECT_LT(v->tuple()[2].as_int(), (int64_t{64} << 20) + 8192);
}

TEST(InterpreterTest, UnknownOperatorIsALoadError) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: Tensor) -> Tensor:\n"
      "    return torch.no_such_op(x)\n";
  absl::StatusOr<Built> b = Build(code);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("unknown operator aten::no_such_op"));
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("code/__torch__.py:8:12"));
}

TEST(InterpreterTest, SyntaxErrorIsALoadError) {
  absl::StatusOr<Built> b = Build("  def forward(self: __torch__.M) -> int:\n    return (1\n");
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("code/__torch__.py:"));
}

TEST(InterpreterTest, EndlessLoopStopsAtTheStepLimit) {
  const std::string code =
      "  def forward(self: __torch__.M) -> int:\n"
      "    i = 0\n"
      "    while True:\n"
      "      i = torch.add(i, 1)\n"
      "    return i\n";
  InterpreterOptions options;
  options.max_steps = 100000;
  absl::StatusOr<Value> v = RunForward(code, {}, options);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(v.status())) << v.status();
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("max_steps"));
}

TEST(InterpreterTest, EndlessRecursionStopsAtTheDepthLimit) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    return (self).forward(torch.add(x, 1), )\n";
  absl::StatusOr<Value> v = RunForward(code, {Value::Int(0)});
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(v.status())) << v.status();
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("recursion"));
}

// Calls nested inside deeply nested expressions: the native recursion is
// bounded (an error, not a stack overflow), under the sanitizers too.
TEST(InterpreterTest, DeepExpressionsAcrossCallsStopCleanly) {
  std::string expr = "(self).forward(torch.sub(x, 1), )";
  for (int i = 0; i < 100; ++i) expr = "torch.add(" + expr + ", 1)";
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    if torch.eq(x, 0):\n"
      "      _0 = 0\n"
      "    else:\n"
      "      _0 = " + expr + "\n"
      "    return _0\n";
  absl::StatusOr<Value> shallow = RunForward(code, {Value::Int(3)});
  ASSERT_TRUE(shallow.ok()) << shallow.status();
  EXPECT_EQ(shallow->as_int(), 300);
  absl::StatusOr<Value> deep = RunForward(code, {Value::Int(150)});
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(deep.status())) << deep.status();
}

TEST(InterpreterTest, HugeAllocationIsRefused) {
  const std::string code =
      "  def forward(self: __torch__.M) -> Tensor:\n"
      "    return torch.zeros([1099511627776])\n";
  absl::StatusOr<Value> v = RunForward(code, {});
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(v.status())) << v.status();
}

TEST(InterpreterTest, NestedDefAndFork) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    def __forked_function(y: int) -> int:\n"
      "      return torch.mul(y, x)\n"
      "    fut = fork(__forked_function, 4)\n"
      "    return torch.wait(fut)\n";
  absl::StatusOr<Value> v = RunForward(code, {Value::Int(5)});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->as_int(), 20);
}

TEST(InterpreterTest, NamedTuplesAndEnums) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    x: int) -> int:\n"
      "    p = __torch__.Pt(x, 2)\n"
      "    c = __torch__.Color.GREEN\n"
      "    if torch.eq(c, __torch__.Color.GREEN):\n"
      "      _0 = torch.add(p.a, (c).value)\n"
      "    else:\n"
      "      _0 = 0\n"
      "    return torch.add(_0, p[1])\n";
  const std::string extra =
      "class Pt(NamedTuple):\n"
      "  a : int\n"
      "  b : int\n"
      "class Color(Enum):\n"
      "  RED = 1\n"
      "  GREEN = 2\n";
  absl::StatusOr<Built> b = Build(code, 3, {}, extra);
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<Value> v = b->archive.module->Forward({Value::Int(10)});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->as_int(), 10 + 2 + 2);
}

TEST(InterpreterTest, DivUpgraderTruncatesIntegersBeforeVersion4) {
  const std::string code =
      "  def forward(self: __torch__.M,\n"
      "    a: Tensor,\n"
      "    b: Tensor) -> Tensor:\n"
      "    return torch.div(a, b)\n";
  absl::StatusOr<Tensor> a = MakeTensor<int64_t>({-7, 7});
  absl::StatusOr<Tensor> b = MakeTensor<int64_t>({2, 2});
  ASSERT_TRUE(a.ok() && b.ok());
  absl::StatusOr<Value> v3 =
      RunForward(code, {Value::FromTensor(*a), Value::FromTensor(*b)}, {}, 3);
  ASSERT_TRUE(v3.ok()) << v3.status();
  EXPECT_EQ(v3->tensor().dtype(), ScalarType::kLong);
  EXPECT_EQ((*v3->tensor().data<const int64_t>())[0], -3);
  absl::StatusOr<Value> v4 =
      RunForward(code, {Value::FromTensor(*a), Value::FromTensor(*b)}, {}, 4);
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->tensor().dtype(), ScalarType::kFloat);
  EXPECT_EQ((*v4->tensor().data<const float>())[0], -3.5f);
}

TEST(InterpreterTest, PrintWritesToTheOptionsStream) {
  const std::string code =
      "  def forward(self: __torch__.M) -> NoneType:\n"
      "    print(\"hello\", 1, 2.5, [1, 2])\n"
      "    return None\n";
  std::ostringstream out;
  InterpreterOptions options;
  options.out = &out;
  absl::StatusOr<Value> v = RunForward(code, {}, options);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(out.str(), "hello 1 2.5 [1, 2]\n");
}

}  // namespace
}  // namespace jit
}  // namespace ptser
