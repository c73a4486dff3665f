// Copyright ptser authors.
//
// The TorchScript parser on the code PyTorch 1.13 writes (verbatim, as
// docs/formats/torchscript.md describes it), on every statement
// and expression form, on errors (their exact text and location) and on
// hostile input (deep nesting, huge records, mutations).

#include "jit/script/parser.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jit/script/ast.h"

namespace ptser {
namespace jit {
namespace script {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------- dumping ---
// A tree as compact text that reads like the source: `f(a, k=b)`,
// `add(a, b)`, `tuple(a, b)`, `slice(a, _, c)`, one statement a line.

const char* BinaryName(BinaryOp op) {
  static const char* const kNames[] = {
      "add", "sub", "mul", "div", "floordiv", "mod", "pow", "matmul", "lshift",
      "rshift", "bitand", "bitor", "bitxor", "eq", "ne", "lt", "le", "gt",
      "ge", "is", "isnot", "in", "notin", "and", "or"};
  return kNames[static_cast<int>(op)];
}

const char* UnaryName(UnaryOp op) {
  static const char* const kNames[] = {"neg", "pos", "not", "invert"};
  return kNames[static_cast<int>(op)];
}

std::string Dump(const Expr* e);

std::string DumpAll(const std::vector<ExprPtr>& v) {
  std::vector<std::string> parts;
  for (const ExprPtr& e : v) parts.push_back(Dump(e.get()));
  return absl::StrJoin(parts, ", ");
}

std::string Dump(const Expr* e) {
  if (e == nullptr) return "_";
  switch (e->kind) {
    case Expr::Kind::kName: return e->name;
    case Expr::Kind::kInt: return absl::StrCat(e->int_value);
    case Expr::Kind::kFloat: return absl::StrFormat("float(%.17g)", e->float_value);
    case Expr::Kind::kString: return absl::StrCat("\"", absl::CEscape(e->string_value), "\"");
    case Expr::Kind::kTrue: return "True";
    case Expr::Kind::kFalse: return "False";
    case Expr::Kind::kNone: return "None";
    case Expr::Kind::kEllipsis: return "...";
    case Expr::Kind::kList: return absl::StrCat("[", DumpAll(e->elements), "]");
    case Expr::Kind::kTuple: return absl::StrCat("tuple(", DumpAll(e->elements), ")");
    case Expr::Kind::kDict: {
      std::vector<std::string> parts;
      for (size_t i = 0; i < e->keys.size(); ++i) {
        parts.push_back(absl::StrCat(Dump(e->keys[i].get()), ": ", Dump(e->elements[i].get())));
      }
      return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
    }
    case Expr::Kind::kAttribute: return absl::StrCat(Dump(e->object.get()), ".", e->name);
    case Expr::Kind::kSubscript:
      return absl::StrCat(Dump(e->object.get()), "[", DumpAll(e->elements), "]");
    case Expr::Kind::kSlice:
      return absl::StrCat("slice(", Dump(e->slice_start.get()), ", ", Dump(e->slice_stop.get()),
                          ", ", Dump(e->slice_step.get()), ")");
    case Expr::Kind::kCall: {
      std::vector<std::string> parts;
      for (const ExprPtr& a : e->elements) parts.push_back(Dump(a.get()));
      for (const Expr::Keyword& k : e->keywords) {
        parts.push_back(absl::StrCat(k.name, "=", Dump(k.value.get())));
      }
      return absl::StrCat(Dump(e->object.get()), "(", absl::StrJoin(parts, ", "), ")");
    }
    case Expr::Kind::kUnary:
      return absl::StrCat(UnaryName(e->unary_op), "(", Dump(e->elements[0].get()), ")");
    case Expr::Kind::kBinary:
      return absl::StrCat(BinaryName(e->binary_op), "(", DumpAll(e->elements), ")");
    case Expr::Kind::kTernary: return absl::StrCat("ifexp(", DumpAll(e->elements), ")");
    case Expr::Kind::kStarred: return absl::StrCat("*", Dump(e->elements[0].get()));
  }
  return "?";
}

void DumpBlock(const Block& block, int indent, std::string* out);

void DumpDef(const FunctionDef& f, int indent, std::string* out) {
  std::vector<std::string> params;
  bool star = false;
  for (const Param& p : f.params) {
    if (p.keyword_only && !star) {
      params.push_back("*");
      star = true;
    }
    std::string s = p.name;
    if (p.type) absl::StrAppend(&s, ": ", Dump(p.type.get()));
    if (p.default_value) absl::StrAppend(&s, " = ", Dump(p.default_value.get()));
    params.push_back(s);
  }
  absl::StrAppend(out, std::string(indent * 2, ' '), "def ", f.name, "(",
                  absl::StrJoin(params, ", "), ")",
                  f.return_type ? absl::StrCat(" -> ", Dump(f.return_type.get())) : "", ":\n");
  DumpBlock(f.body, indent + 1, out);
}

void DumpClass(const ClassDef& c, int indent, std::string* out) {
  absl::StrAppend(out, std::string(indent * 2, ' '), "class ", c.name, "(", DumpAll(c.bases),
                  "):\n");
  DumpBlock(c.body, indent + 1, out);
}

void DumpStmt(const Stmt& s, int indent, std::string* out) {
  const std::string pad(indent * 2, ' ');
  switch (s.kind) {
    case Stmt::Kind::kExpr: absl::StrAppend(out, pad, Dump(s.value.get()), "\n"); return;
    case Stmt::Kind::kAssign:
      if (s.annotation) {
        absl::StrAppend(out, pad, Dump(s.targets[0].get()), " : ", Dump(s.annotation.get()),
                        s.value ? absl::StrCat(" = ", Dump(s.value.get())) : "", "\n");
      } else {
        std::vector<std::string> parts;
        for (const ExprPtr& t : s.targets) parts.push_back(Dump(t.get()));
        parts.push_back(Dump(s.value.get()));
        absl::StrAppend(out, pad, absl::StrJoin(parts, " = "), "\n");
      }
      return;
    case Stmt::Kind::kAugAssign:
      absl::StrAppend(out, pad, Dump(s.targets[0].get()), " ", BinaryName(s.aug_op), "= ",
                      Dump(s.value.get()), "\n");
      return;
    case Stmt::Kind::kIf:
      absl::StrAppend(out, pad, "if ", Dump(s.condition.get()), ":\n");
      DumpBlock(s.body, indent + 1, out);
      if (!s.orelse.empty()) {
        absl::StrAppend(out, pad, "else:\n");
        DumpBlock(s.orelse, indent + 1, out);
      }
      return;
    case Stmt::Kind::kWhile:
      absl::StrAppend(out, pad, "while ", Dump(s.condition.get()), ":\n");
      DumpBlock(s.body, indent + 1, out);
      return;
    case Stmt::Kind::kFor:
      absl::StrAppend(out, pad, "for ", Dump(s.targets[0].get()), " in ", Dump(s.value.get()),
                      ":\n");
      DumpBlock(s.body, indent + 1, out);
      return;
    case Stmt::Kind::kWith: {
      std::vector<std::string> items;
      for (size_t i = 0; i < s.with_items.size(); ++i) {
        items.push_back(absl::StrCat(Dump(s.with_items[i].get()),
                                     s.with_targets[i] ? absl::StrCat(" as ", Dump(s.with_targets[i].get())) : ""));
      }
      absl::StrAppend(out, pad, "with ", absl::StrJoin(items, ", "), ":\n");
      DumpBlock(s.body, indent + 1, out);
      return;
    }
    case Stmt::Kind::kReturn:
      absl::StrAppend(out, pad, "return", s.value ? absl::StrCat(" ", Dump(s.value.get())) : "", "\n");
      return;
    case Stmt::Kind::kRaise:
      absl::StrAppend(out, pad, "raise", s.value ? absl::StrCat(" ", Dump(s.value.get())) : "", "\n");
      return;
    case Stmt::Kind::kAssert:
      absl::StrAppend(out, pad, "assert ", Dump(s.condition.get()),
                      s.value ? absl::StrCat(", ", Dump(s.value.get())) : "", "\n");
      return;
    case Stmt::Kind::kPass: absl::StrAppend(out, pad, "pass\n"); return;
    case Stmt::Kind::kBreak: absl::StrAppend(out, pad, "break\n"); return;
    case Stmt::Kind::kContinue: absl::StrAppend(out, pad, "continue\n"); return;
    case Stmt::Kind::kDef: DumpDef(*s.def_, indent, out); return;
    case Stmt::Kind::kClass: DumpClass(*s.class_, indent, out); return;
    case Stmt::Kind::kDelete: absl::StrAppend(out, pad, "del ", DumpAll(s.targets), "\n"); return;
  }
}

void DumpBlock(const Block& block, int indent, std::string* out) {
  for (const StmtPtr& s : block) DumpStmt(*s, indent, out);
}

std::string Dump(const ParsedRecord& r) {
  std::string out;
  for (const auto& c : r.classes) DumpClass(*c, 0, &out);
  for (const auto& f : r.functions) DumpDef(*f, 0, &out);
  return out;
}

// The dump of a record, or its error.
std::string ParseAndDump(absl::string_view text) {
  absl::StatusOr<ParsedRecord> r = ParseRecord("t.py", text);
  if (!r.ok()) return std::string(r.status().message());
  return Dump(*r);
}

// The dump of an expression, or its error.
std::string E(absl::string_view text) {
  absl::StatusOr<ExprPtr> e = ParseExpression("e", text);
  if (!e.ok()) return std::string(e.status().message());
  return Dump(e->get());
}

// The dump of the body of `def f():` holding `body` (indented by two).
std::string Body(absl::string_view body) {
  std::string text = "def f():\n";
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (!line.empty()) absl::StrAppend(&text, "  ", line, "\n");
  }
  absl::StatusOr<ParsedRecord> r = ParseRecord("t.py", text);
  if (!r.ok()) return std::string(r.status().message());
  std::string out;
  DumpBlock(r->functions.at(0)->body, 0, &out);
  return out;
}

// The error message of parsing `text` as a record (named t.py).
std::string Error(absl::string_view text) {
  absl::StatusOr<ParsedRecord> r = ParseRecord("t.py", text);
  if (r.ok()) return "OK";
  return std::string(r.status().message());
}

// ----------------------------------------------------- Appendix A, verbatim ---
// PyTorch 1.13's output, verbatim (docs/formats/torchscript.md).

constexpr char kA1MyModule[] = R"PY(class MyModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.MyModule,
    input: Tensor) -> Tensor:
    l0 = self.l0
    out0 = (l0).forward(input, )
    out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
    l1 = self.l1
    return (l1).forward(out0_relu, )
)PY";

constexpr char kA1Linear[] = R"PY(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  out_features : Final[int] = 2
  in_features : Final[int] = 4
  def forward(self: __torch__.torch.nn.modules.linear.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    return torch.linear(input, weight, bias)
)PY";

constexpr char kA1LinearMangle0[] = R"PY(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : NoneType
  out_features : Final[int] = 1
  in_features : Final[int] = 2
  def forward(self: __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear,
    input: Tensor) -> Tensor:
    weight = self.weight
    bias = self.bias
    return torch.linear(input, weight, bias)
)PY";

constexpr char kA1Functional[] = R"PY(def relu(input: Tensor,
    inplace: bool=False) -> Tensor:
  if inplace:
    result = torch.relu_(input)
  else:
    result = torch.relu(input)
  return result
)PY";

constexpr char kA2MyModule[] = R"PY(class MyModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.MyModule,
    input: Tensor) -> Tensor:
    l1 = self.l1
    l0 = self.l0
    input0 = torch.relu((l0).forward(input, ))
    return (l1).forward(input0, )
)PY";

constexpr char kA2Linear[] = R"PY(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.linear.Linear,
    input: Tensor) -> Tensor:
    bias = self.bias
    weight = self.weight
    return torch.linear(input, weight, bias)
)PY";

constexpr char kA2LinearMangle0[] = R"PY(class Linear(Module):
  __parameters__ = ["weight", "bias", ]
  __buffers__ = []
  weight : Tensor
  bias : Tensor
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear,
    input: Tensor) -> Tensor:
    bias = self.bias
    weight = self.weight
    return torch.linear(input, weight, bias)
)PY";

constexpr char kA3ControlFlow[] = R"PY(class ControlFlowModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.ControlFlowModule,
    input: Tensor) -> Tensor:
    if torch.gt(torch.dim(input), 1):
      _0 = torch.tensor(0)
    else:
      l0 = self.l0
      out0 = (l0).forward(input, )
      out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
      l1 = self.l1
      _0 = (l1).forward(out0_relu, )
    return _0
)PY";

constexpr char kA4ControlFlow[] = R"PY(class ControlFlowModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.ControlFlowModule,
    input: Tensor) -> Tensor:
    l1 = self.l1
    l0 = self.l0
    input0 = torch.relu((l0).forward(input, ))
    return (l1).forward(input0, )
)PY";

constexpr char kA5DivFull[] = R"PY(class DivFull(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.DivFull,
    a: Tensor,
    b: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    x = torch.div(a, b)
    y = torch.full([3], 1)
    z = torch.floor_divide(a, b)
    w = torch.div(a, b, rounding_mode="floor")
    return (x, y, z, w)
)PY";

constexpr char kA6TraceConst[] = R"PY(class TraceConst(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.TraceConst,
    x: Tensor) -> Tensor:
    _0 = torch.to(CONSTANTS.c0, torch.device("cpu"), 6)
    _1 = torch.detach(_0)
    _2 = ops.prim.NumToTensor(torch.size(x, 0))
    return torch.add(x, torch.mul(_1, _2))
)PY";

constexpr char kA7Body[] = R"PY(    _0 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)
    _1 = (_0).__init__()
    with _0:
      y = torch.mul(x, 2)
    d = {"a": 1, "b": 2}
    if torch.eq(c, __torch__.Color.RED):
      y0 = torch.add(y, 1)
    else:
      y0 = y
    z = torch.add(torch.add(1, l[-1]), torch.len(s))
    z0 = torch.add(z, 1)
    print("hello\n\"q\"", z0)
    msg = torch.percentFormat("%d items", z0)
    _2 = torch.add(torch.upper(s), CONSTANTS.c0)
    s2 = torch.add(_2, msg)
    if torch.__contains__(d, "a"):
      z1 = torch.floordiv(z0, 2)
    else:
      z1 = z0
    w = torch.add(6.2831853071795862, torch.pow(float(z1), 2))
    if torch.startswith(s2, "x"):
      ops.prim.RaiseException("bad", "builtins.RuntimeError")
    else:
      pass
    v = torch.item(torch.sum(x))
    n = torch.neg(z1)
    if torch.gt(z1, 3):
      _3 = torch.lt(z1, 100)
    else:
      _3 = False
    if torch.__not__(_3):
      b = True
    else:
      b = torch.eq(z1, 5)
    m = ops.prim.max(z1, 3)
    q = torch.to(y0, 7, False, False, 0)
    r = torch.zeros([2, 3], dtype=11)
    k = torch.size(x)
    xs = annotate(List[int], [])
    for i in range(3):
      _4 = torch.append(xs, torch.mul(i, 2))
    _5 = ops.prim.min([torch.len(xs), torch.len(xs)])
    z2 = z1
    for _6 in range(_5):
      a = xs[_6]
      bb = xs[_6]
      z2 = torch.add(torch.add(z2, a), bb)
    _7 = torch.keys(d)
    z3 = z2
    for _8 in range(torch.len(_7)):
      key = _7[_8]
      z3 = torch.add(z3, d[key])
    e = torch.empty([2], dtype=None, layout=None, device=torch.device("cpu"))
    _9 = torch.add(torch.add(y0, torch.to(q, 6)), torch.sum(torch.to(r, 6)))
    _10 = torch.add(_9, torch.sum(e))
    _11 = torch.add(w, v)
    _12 = torch.add(torch.add(torch.add(z3, n), int(b)), m)
    _13 = torch.add(torch.add(torch.add(_12, k[0]), 1), 8)
    return (_10, s2, d, float(_11), _13)
class Color(Enum):
  RED = 1
  GREEN = 2
)PY";

// A.7 is the body of a `forward` (indented by 4) followed by a top-level
// class: this header puts it in a module class.
constexpr char kA7Header[] =
    "class JitLang(Module):\n"
    "  __parameters__ = []\n"
    "  def forward(self: __torch__.JitLang,\n"
    "    x: Tensor,\n"
    "    c: __torch__.Color,\n"
    "    l: List[int],\n"
    "    s: str) -> Tuple[Tensor, str, Dict[str, int], float, int]:\n";

// The forms the notes list after A.7 ("Other forms seen"), in a function.
constexpr char kOtherForms[] = R"PY(class Pt(NamedTuple):
  x : int
  y : Tensor
class Counter:
  n : int
  def __init__(self: __torch__.Counter) -> NoneType:
    self.n = 0
class WithList(Module):
  __parameters__ = []
  __buffers__ = []
  __annotations__["0"] = __torch__.torch.nn.modules.linear.Linear
def forms(y: Union[int, str], ml: __torch__.WithList, z2: Tensor, c: str, f: str,
    i0: int, y5: Tensor, out: Dict[str, Tensor], y6: Tensor, x: Tensor) -> Tensor:
  _0 = isinstance(y, int)
  _1 = unchecked_cast(int, y)
  _2 = {"a": 1}
  k, v, = _1[_2]
  def __forked_function() -> Tensor:
    return torch.relu(x)
  fut = fork(__forked_function)
  w = torch.wait(fut)
  a = (torch.size(z2))[0]
  b = torch.clamp(z2, -inf)
  _3 = torch.add(_3, nan)
  s = torch.format("{}-{}", c, f)
  l0 = getattr(ml, "0")
  u = uninitialized(Tensor)
  y : Optional[Tensor] = x
  _2, y4, i = torch.lt(i0, 3), y5, i0
  t = torch.tensor([1.5, 2.5], dtype=7)
  _4 = torch._set_item(out, "a", y6)
  return t
)PY";

TEST(ParserTest, ParsesEveryAppendixASample) {
  const std::vector<std::pair<const char*, std::string>> samples = {
      {"code/__torch__.py", kA1MyModule},
      {"code/__torch__/torch/nn/modules/linear.py", kA1Linear},
      {"code/__torch__/torch/nn/modules/linear/___torch_mangle_0.py", kA1LinearMangle0},
      {"code/__torch__/torch/nn/functional.py", kA1Functional},
      {"code/__torch__.py", kA2MyModule},
      {"code/__torch__/torch/nn/modules/linear.py", kA2Linear},
      {"code/__torch__/torch/nn/modules/linear/___torch_mangle_0.py", kA2LinearMangle0},
      {"code/__torch__.py", kA3ControlFlow},
      {"code/__torch__.py", kA4ControlFlow},
      {"code/__torch__.py", kA5DivFull},
      {"code/__torch__.py", kA6TraceConst},
      {"code/__torch__.py", absl::StrCat(kA7Header, kA7Body)},
      {"code/__torch__.py", kOtherForms},
  };
  for (const auto& [name, text] : samples) {
    absl::StatusOr<ParsedRecord> r = ParseRecord(name, text);
    ASSERT_OK(r) << text;
    EXPECT_EQ(*r->record, name);
    EXPECT_FALSE(r->classes.empty() && r->functions.empty());
  }
}

TEST(ParserTest, ScriptedMyModuleTree) {
  EXPECT_EQ(ParseAndDump(kA1MyModule),
            "class MyModule(Module):\n"
            "  __parameters__ = []\n"
            "  __buffers__ = []\n"
            "  training : bool\n"
            "  _is_full_backward_hook : Optional[bool]\n"
            "  l0 : __torch__.torch.nn.modules.linear.Linear\n"
            "  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear\n"
            "  def forward(self: __torch__.MyModule, input: Tensor) -> Tensor:\n"
            "    l0 = self.l0\n"
            "    out0 = l0.forward(input)\n"
            "    out0_relu = __torch__.torch.nn.functional.relu(out0, False)\n"
            "    l1 = self.l1\n"
            "    return l1.forward(out0_relu)\n");
}

TEST(ParserTest, LinearAndFunctionalTrees) {
  EXPECT_EQ(ParseAndDump(kA1Linear),
            "class Linear(Module):\n"
            "  __parameters__ = [\"weight\", \"bias\"]\n"
            "  __buffers__ = []\n"
            "  weight : Tensor\n"
            "  bias : Tensor\n"
            "  training : bool\n"
            "  _is_full_backward_hook : NoneType\n"
            "  out_features : Final[int] = 2\n"
            "  in_features : Final[int] = 4\n"
            "  def forward(self: __torch__.torch.nn.modules.linear.Linear, input: Tensor) -> "
            "Tensor:\n"
            "    weight = self.weight\n"
            "    bias = self.bias\n"
            "    return torch.linear(input, weight, bias)\n");
  EXPECT_EQ(ParseAndDump(kA1Functional),
            "def relu(input: Tensor, inplace: bool = False) -> Tensor:\n"
            "  if inplace:\n"
            "    result = torch.relu_(input)\n"
            "  else:\n"
            "    result = torch.relu(input)\n"
            "  return result\n");
}

TEST(ParserTest, DeclarationsAreAssignsWithAnnotations) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("code/linear.py", kA1Linear));
  ASSERT_EQ(r.classes.size(), 1u);
  const ClassDef& c = *r.classes[0];
  EXPECT_EQ(c.name, "Linear");
  ASSERT_EQ(c.body.size(), 9u);
  // weight : Tensor
  const Stmt& weight = *c.body[2];
  EXPECT_EQ(weight.kind, Stmt::Kind::kAssign);
  ASSERT_EQ(weight.targets.size(), 1u);
  EXPECT_EQ(weight.targets[0]->kind, Expr::Kind::kName);
  EXPECT_EQ(weight.targets[0]->name, "weight");
  EXPECT_EQ(Dump(weight.annotation.get()), "Tensor");
  EXPECT_EQ(weight.value, nullptr);
  // out_features : Final[int] = 2
  const Stmt& out_features = *c.body[6];
  EXPECT_EQ(out_features.kind, Stmt::Kind::kAssign);
  ASSERT_NE(out_features.annotation, nullptr);
  EXPECT_EQ(out_features.annotation->kind, Expr::Kind::kSubscript);
  EXPECT_EQ(Dump(out_features.annotation.get()), "Final[int]");
  ASSERT_NE(out_features.value, nullptr);
  EXPECT_EQ(out_features.value->kind, Expr::Kind::kInt);
  EXPECT_EQ(out_features.value->int_value, 2);
  // The method.
  const Stmt& forward = *c.body[8];
  ASSERT_EQ(forward.kind, Stmt::Kind::kDef);
  const FunctionDef& f = *forward.def_;
  EXPECT_EQ(f.name, "forward");
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[0].name, "self");
  EXPECT_EQ(Dump(f.params[0].type.get()), "__torch__.torch.nn.modules.linear.Linear");
  EXPECT_EQ(f.params[1].name, "input");
  EXPECT_EQ(f.params[1].loc.line, 11);
  EXPECT_EQ(f.params[1].loc.column, 5);
  EXPECT_FALSE(f.params[1].keyword_only);
  EXPECT_EQ(Dump(f.return_type.get()), "Tensor");
  EXPECT_EQ(LocationString(f.loc), "code/linear.py:10:3");
  EXPECT_EQ(LocationString(f.body[2]->loc), "code/linear.py:14:5");
}

TEST(ParserTest, MethodCallOnParenthesizedReceiverWithTrailingComma) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("code/__torch__.py", kA1MyModule));
  const FunctionDef& f = *r.classes.at(0)->body.at(6)->def_;
  // out0 = (l0).forward(input, )
  const Stmt& s = *f.body.at(1);
  ASSERT_EQ(s.kind, Stmt::Kind::kAssign);
  ASSERT_EQ(s.targets.size(), 1u);
  EXPECT_EQ(s.targets[0]->name, "out0");
  const Expr& call = *s.value;
  ASSERT_EQ(call.kind, Expr::Kind::kCall);
  ASSERT_EQ(call.object->kind, Expr::Kind::kAttribute);
  EXPECT_EQ(call.object->name, "forward");
  ASSERT_EQ(call.object->object->kind, Expr::Kind::kName);
  EXPECT_EQ(call.object->object->name, "l0");
  ASSERT_EQ(call.elements.size(), 1u);
  EXPECT_EQ(call.elements[0]->kind, Expr::Kind::kName);
  EXPECT_EQ(call.elements[0]->name, "input");
  EXPECT_TRUE(call.keywords.empty());
  // Locations: the statement and the target at the `o`, the call at `l0`
  // (inside the parentheses).
  EXPECT_EQ(s.loc.line, 11);
  EXPECT_EQ(s.loc.column, 5);
  EXPECT_EQ(call.loc.line, 11);
  EXPECT_EQ(call.loc.column, 13);
  EXPECT_EQ(call.elements[0]->loc.column, 25);
}

TEST(ParserTest, CallWithKeywords) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("code/__torch__.py", kA5DivFull));
  const FunctionDef& f = *r.classes.at(0)->body.at(4)->def_;
  EXPECT_EQ(Dump(f.return_type.get()), "Tuple[tuple(Tensor, Tensor, Tensor, Tensor)]");
  // w = torch.div(a, b, rounding_mode="floor")
  const Expr& call = *f.body.at(3)->value;
  ASSERT_EQ(call.kind, Expr::Kind::kCall);
  EXPECT_EQ(Dump(call.object.get()), "torch.div");
  ASSERT_EQ(call.elements.size(), 2u);
  ASSERT_EQ(call.keywords.size(), 1u);
  EXPECT_EQ(call.keywords[0].name, "rounding_mode");
  ASSERT_EQ(call.keywords[0].value->kind, Expr::Kind::kString);
  EXPECT_EQ(call.keywords[0].value->string_value, "floor");
  EXPECT_EQ(call.keywords[0].loc.line, 12);
  EXPECT_EQ(call.keywords[0].loc.column, 25);
  // return (x, y, z, w)
  const Stmt& ret = *f.body.at(4);
  ASSERT_EQ(ret.kind, Stmt::Kind::kReturn);
  EXPECT_EQ(Dump(ret.value.get()), "tuple(x, y, z, w)");
  // y = torch.full([3], 1)
  EXPECT_EQ(Dump(f.body.at(1)->value.get()), "torch.full([3], 1)");
}

TEST(ParserTest, ControlFlowModuleTree) {
  EXPECT_EQ(ParseAndDump(kA3ControlFlow),
            "class ControlFlowModule(Module):\n"
            "  __parameters__ = []\n"
            "  __buffers__ = []\n"
            "  training : bool\n"
            "  _is_full_backward_hook : Optional[bool]\n"
            "  l0 : __torch__.torch.nn.modules.linear.Linear\n"
            "  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear\n"
            "  def forward(self: __torch__.ControlFlowModule, input: Tensor) -> Tensor:\n"
            "    if torch.gt(torch.dim(input), 1):\n"
            "      _0 = torch.tensor(0)\n"
            "    else:\n"
            "      l0 = self.l0\n"
            "      out0 = l0.forward(input)\n"
            "      out0_relu = __torch__.torch.nn.functional.relu(out0, False)\n"
            "      l1 = self.l1\n"
            "      _0 = l1.forward(out0_relu)\n"
            "    return _0\n");
}

TEST(ParserTest, TraceConstTree) {
  EXPECT_EQ(ParseAndDump(kA6TraceConst),
            "class TraceConst(Module):\n"
            "  __parameters__ = []\n"
            "  __buffers__ = []\n"
            "  training : bool\n"
            "  _is_full_backward_hook : Optional[bool]\n"
            "  def forward(self: __torch__.TraceConst, x: Tensor) -> Tensor:\n"
            "    _0 = torch.to(CONSTANTS.c0, torch.device(\"cpu\"), 6)\n"
            "    _1 = torch.detach(_0)\n"
            "    _2 = ops.prim.NumToTensor(torch.size(x, 0))\n"
            "    return torch.add(x, torch.mul(_1, _2))\n");
}

TEST(ParserTest, BroadLanguageSampleTree) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r,
                       ParseRecord("code/__torch__.py", absl::StrCat(kA7Header, kA7Body)));
  ASSERT_EQ(r.classes.size(), 2u);
  EXPECT_EQ(r.classes[1]->name, "Color");
  std::string color;
  DumpClass(*r.classes[1], 0, &color);
  EXPECT_EQ(color, "class Color(Enum):\n  RED = 1\n  GREEN = 2\n");
  const FunctionDef& f = *r.classes[0]->body.at(1)->def_;
  std::string body;
  DumpBlock(f.body, 0, &body);
  EXPECT_EQ(
      body,
      "_0 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)\n"
      "_1 = _0.__init__()\n"
      "with _0:\n"
      "  y = torch.mul(x, 2)\n"
      "d = {\"a\": 1, \"b\": 2}\n"
      "if torch.eq(c, __torch__.Color.RED):\n"
      "  y0 = torch.add(y, 1)\n"
      "else:\n"
      "  y0 = y\n"
      "z = torch.add(torch.add(1, l[-1]), torch.len(s))\n"
      "z0 = torch.add(z, 1)\n"
      "print(\"hello\\n\\\"q\\\"\", z0)\n"
      "msg = torch.percentFormat(\"%d items\", z0)\n"
      "_2 = torch.add(torch.upper(s), CONSTANTS.c0)\n"
      "s2 = torch.add(_2, msg)\n"
      "if torch.__contains__(d, \"a\"):\n"
      "  z1 = torch.floordiv(z0, 2)\n"
      "else:\n"
      "  z1 = z0\n"
      "w = torch.add(float(6.2831853071795862), torch.pow(float(z1), 2))\n"
      "if torch.startswith(s2, \"x\"):\n"
      "  ops.prim.RaiseException(\"bad\", \"builtins.RuntimeError\")\n"
      "else:\n"
      "  pass\n"
      "v = torch.item(torch.sum(x))\n"
      "n = torch.neg(z1)\n"
      "if torch.gt(z1, 3):\n"
      "  _3 = torch.lt(z1, 100)\n"
      "else:\n"
      "  _3 = False\n"
      "if torch.__not__(_3):\n"
      "  b = True\n"
      "else:\n"
      "  b = torch.eq(z1, 5)\n"
      "m = ops.prim.max(z1, 3)\n"
      "q = torch.to(y0, 7, False, False, 0)\n"
      "r = torch.zeros([2, 3], dtype=11)\n"
      "k = torch.size(x)\n"
      "xs = annotate(List[int], [])\n"
      "for i in range(3):\n"
      "  _4 = torch.append(xs, torch.mul(i, 2))\n"
      "_5 = ops.prim.min([torch.len(xs), torch.len(xs)])\n"
      "z2 = z1\n"
      "for _6 in range(_5):\n"
      "  a = xs[_6]\n"
      "  bb = xs[_6]\n"
      "  z2 = torch.add(torch.add(z2, a), bb)\n"
      "_7 = torch.keys(d)\n"
      "z3 = z2\n"
      "for _8 in range(torch.len(_7)):\n"
      "  key = _7[_8]\n"
      "  z3 = torch.add(z3, d[key])\n"
      "e = torch.empty([2], dtype=None, layout=None, device=torch.device(\"cpu\"))\n"
      "_9 = torch.add(torch.add(y0, torch.to(q, 6)), torch.sum(torch.to(r, 6)))\n"
      "_10 = torch.add(_9, torch.sum(e))\n"
      "_11 = torch.add(w, v)\n"
      "_12 = torch.add(torch.add(torch.add(z3, n), int(b)), m)\n"
      "_13 = torch.add(torch.add(torch.add(_12, k[0]), 1), 8)\n"
      "return tuple(_10, s2, d, float(_11), _13)\n");

  // with _0:
  const Stmt& with = *f.body.at(2);
  ASSERT_EQ(with.kind, Stmt::Kind::kWith);
  ASSERT_EQ(with.with_items.size(), 1u);
  EXPECT_EQ(with.with_items[0]->name, "_0");
  ASSERT_EQ(with.with_targets.size(), 1u);
  EXPECT_EQ(with.with_targets[0], nullptr);
  ASSERT_EQ(with.body.size(), 1u);
  // for i in range(3):
  const Stmt& loop = *f.body.at(23);
  ASSERT_EQ(loop.kind, Stmt::Kind::kFor);
  ASSERT_EQ(loop.targets.size(), 1u);
  EXPECT_EQ(loop.targets[0]->kind, Expr::Kind::kName);
  EXPECT_EQ(loop.targets[0]->name, "i");
  ASSERT_EQ(loop.value->kind, Expr::Kind::kCall);
  EXPECT_EQ(loop.value->object->name, "range");
  ASSERT_EQ(loop.value->elements.size(), 1u);
  EXPECT_EQ(loop.value->elements[0]->int_value, 3);
  EXPECT_EQ(loop.loc.line, 47);
  EXPECT_EQ(loop.loc.column, 5);
  // ops.prim.RaiseException("bad", "builtins.RuntimeError"): an expression
  // statement.
  const Stmt& raise = *f.body.at(13)->body.at(0);
  ASSERT_EQ(raise.kind, Stmt::Kind::kExpr);
  const Expr& call = *raise.value;
  ASSERT_EQ(call.kind, Expr::Kind::kCall);
  EXPECT_EQ(Dump(call.object.get()), "ops.prim.RaiseException");
  ASSERT_EQ(call.elements.size(), 2u);
  EXPECT_EQ(call.elements[0]->string_value, "bad");
  EXPECT_EQ(call.elements[1]->string_value, "builtins.RuntimeError");
  // print("hello\n\"q\"", z0): escapes decoded.
  const Expr& print = *f.body.at(7)->value;
  EXPECT_EQ(print.elements.at(0)->kind, Expr::Kind::kString);
  EXPECT_EQ(print.elements.at(0)->string_value, "hello\n\"q\"");
  // l[-1]: a negative literal.
  const Expr& index = *f.body.at(5)->value->elements.at(0)->elements.at(1)->elements.at(0);
  EXPECT_EQ(index.kind, Expr::Kind::kInt);
  EXPECT_EQ(index.int_value, -1);
  // 6.2831853071795862 keeps its double.
  EXPECT_EQ(f.body.at(12)->value->elements.at(0)->float_value, 6.2831853071795862);
}

TEST(ParserTest, OtherFormsTrees) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("code/__torch__.py", kOtherForms));
  ASSERT_EQ(r.classes.size(), 3u);
  ASSERT_EQ(r.functions.size(), 1u);
  std::string classes;
  for (const auto& c : r.classes) DumpClass(*c, 0, &classes);
  EXPECT_EQ(classes,
            "class Pt(NamedTuple):\n"
            "  x : int\n"
            "  y : Tensor\n"
            "class Counter():\n"
            "  n : int\n"
            "  def __init__(self: __torch__.Counter) -> NoneType:\n"
            "    self.n = 0\n"
            "class WithList(Module):\n"
            "  __parameters__ = []\n"
            "  __buffers__ = []\n"
            "  __annotations__[\"0\"] = __torch__.torch.nn.modules.linear.Linear\n");
  // __annotations__["0"] = __torch__.torch.nn.modules.linear.Linear
  const Stmt& annotations = *r.classes[2]->body.at(2);
  ASSERT_EQ(annotations.kind, Stmt::Kind::kAssign);
  EXPECT_EQ(annotations.annotation, nullptr);
  ASSERT_EQ(annotations.targets.size(), 1u);
  const Expr& target = *annotations.targets[0];
  ASSERT_EQ(target.kind, Expr::Kind::kSubscript);
  EXPECT_EQ(target.object->name, "__annotations__");
  ASSERT_EQ(target.elements.size(), 1u);
  EXPECT_EQ(target.elements[0]->kind, Expr::Kind::kString);
  EXPECT_EQ(target.elements[0]->string_value, "0");
  EXPECT_EQ(annotations.value->kind, Expr::Kind::kAttribute);
  EXPECT_EQ(annotations.value->name, "Linear");

  const FunctionDef& f = *r.functions[0];
  std::string body;
  DumpBlock(f.body, 0, &body);
  EXPECT_EQ(body,
            "_0 = isinstance(y, int)\n"
            "_1 = unchecked_cast(int, y)\n"
            "_2 = {\"a\": 1}\n"
            "tuple(k, v) = _1[_2]\n"
            "def __forked_function() -> Tensor:\n"
            "  return torch.relu(x)\n"
            "fut = fork(__forked_function)\n"
            "w = torch.wait(fut)\n"
            "a = torch.size(z2)[0]\n"
            "b = torch.clamp(z2, neg(inf))\n"
            "_3 = torch.add(_3, nan)\n"
            "s = torch.format(\"{}-{}\", c, f)\n"
            "l0 = getattr(ml, \"0\")\n"
            "u = uninitialized(Tensor)\n"
            "y : Optional[Tensor] = x\n"
            "tuple(_2, y4, i) = tuple(torch.lt(i0, 3), y5, i0)\n"
            "t = torch.tensor([float(1.5), float(2.5)], dtype=7)\n"
            "_4 = torch._set_item(out, \"a\", y6)\n"
            "return t\n");
  // k, v, = _1[_2]: one target, a Tuple of two Names.
  const Stmt& unpack = *f.body.at(3);
  ASSERT_EQ(unpack.kind, Stmt::Kind::kAssign);
  ASSERT_EQ(unpack.targets.size(), 1u);
  ASSERT_EQ(unpack.targets[0]->kind, Expr::Kind::kTuple);
  ASSERT_EQ(unpack.targets[0]->elements.size(), 2u);
  EXPECT_EQ(unpack.targets[0]->elements[0]->name, "k");
  EXPECT_EQ(unpack.targets[0]->elements[1]->name, "v");
  EXPECT_EQ(unpack.value->kind, Expr::Kind::kSubscript);
  // -inf: a Unary minus of the Name inf.
  const Expr& minus_inf = *f.body.at(8)->value->elements.at(1);
  ASSERT_EQ(minus_inf.kind, Expr::Kind::kUnary);
  EXPECT_EQ(minus_inf.unary_op, UnaryOp::kNeg);
  EXPECT_EQ(minus_inf.elements.at(0)->kind, Expr::Kind::kName);
  EXPECT_EQ(minus_inf.elements.at(0)->name, "inf");
  EXPECT_EQ(minus_inf.loc.column, 23);
  // The nested def.
  ASSERT_EQ(f.body.at(4)->kind, Stmt::Kind::kDef);
  EXPECT_EQ(f.body.at(4)->def_->name, "__forked_function");
}

// ---------------------------------------------------------- expressions ---

TEST(ParserTest, Literals) {
  EXPECT_EQ(E("[-1, 1]"), "[-1, 1]");
  ASSERT_OK_AND_ASSIGN(ExprPtr list, ParseExpression("e", "[-1, 1]"));
  ASSERT_EQ(list->kind, Expr::Kind::kList);
  EXPECT_EQ(list->elements[0]->kind, Expr::Kind::kInt);
  EXPECT_EQ(list->elements[0]->int_value, -1);
  EXPECT_EQ(list->elements[0]->loc.column, 2);  // at the minus
  EXPECT_EQ(E("-inf"), "neg(inf)");
  EXPECT_EQ(E("0"), "0");
  EXPECT_EQ(E("000"), "0");
  EXPECT_EQ(E("0x1F"), "31");
  EXPECT_EQ(E("0XfF"), "255");
  EXPECT_EQ(E("0o17"), "15");
  EXPECT_EQ(E("0b101"), "5");
  EXPECT_EQ(E("1_000_000"), "1000000");
  EXPECT_EQ(E("0x_ff"), "255");
  EXPECT_EQ(E("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(E("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(E("0x7fffffffffffffff"), "9223372036854775807");
  EXPECT_EQ(E("-0x8000000000000000"), "-9223372036854775808");
  EXPECT_EQ(E("1."), "float(1)");
  EXPECT_EQ(E("1.5"), "float(1.5)");
  EXPECT_EQ(E(".5"), "float(0.5)");
  EXPECT_EQ(E("1e-5"), "float(1.0000000000000001e-05)");
  EXPECT_EQ(E("1E+3"), "float(1000)");
  EXPECT_EQ(E("1.e2"), "float(100)");
  EXPECT_EQ(E("-2.5"), "float(-2.5)");
  EXPECT_EQ(E("1_0.2_5"), "float(10.25)");
  EXPECT_EQ(E("6.2831853071795862"), "float(6.2831853071795862)");
  EXPECT_EQ(E("1e999"), "float(inf)");
  EXPECT_EQ(E("-1e999"), "float(-inf)");
  EXPECT_EQ(E("1e-999"), "float(0)");
  EXPECT_EQ(E("0.0000000000000000000001e-400"), "float(0)");
  EXPECT_EQ(E("123456789e99999999999999999999"), "float(inf)");
  EXPECT_EQ(E("True"), "True");
  EXPECT_EQ(E("False"), "False");
  EXPECT_EQ(E("None"), "None");
  EXPECT_EQ(E("..."), "...");
  ASSERT_OK_AND_ASSIGN(ExprPtr ellipsis, ParseExpression("e", "..."));
  EXPECT_EQ(ellipsis->kind, Expr::Kind::kEllipsis);
}

TEST(ParserTest, Strings) {
  auto str = [](absl::string_view text) -> std::string {
    absl::StatusOr<ExprPtr> e = ParseExpression("e", text);
    if (!e.ok()) return std::string(e.status().message());
    if ((*e)->kind != Expr::Kind::kString) return "not a string";
    return (*e)->string_value;
  };
  EXPECT_EQ(str(R"("hello\n\"q\"")"), "hello\n\"q\"");
  EXPECT_EQ(str(R"('it\'s')"), "it's");
  EXPECT_EQ(str(R"("a\tb\\c")"), "a\tb\\c");
  EXPECT_EQ(str(R"("\x41\x7a")"), "Az");
  EXPECT_EQ(str(R"("\xe9")"), "\xC3\xA9");  // U+00E9 in UTF-8
  EXPECT_EQ(str(R"("\u00e9\u20AC")"), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(str(R"("\U0001F600")"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(str(R"("\0")"), std::string(1, '\0'));
  EXPECT_EQ(str(R"("\101\1010")"), "AA0");
  EXPECT_EQ(str(R"("\777")"), "\xC7\xBF");  // U+01FF
  EXPECT_EQ(str(R"("\a\b\f\v\r")"), "\a\b\f\v\r");
  EXPECT_EQ(str(R"("\d\q")"), "\\d\\q");  // unknown escapes stay
  EXPECT_EQ(str("'caf\xC3\xA9 \xE2\x82\xAC'"), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(str(R"(r"\n\"")"), "\\n\\\"");
  EXPECT_EQ(str(R"(R'\\')"), "\\\\");
  EXPECT_EQ(str(R"(u"x")"), "x");
  EXPECT_EQ(str("'''one\n'two'\r\n\"three\"'''"), "one\n'two'\n\"three\"");
  EXPECT_EQ(str("\"\"\"a \"b\" \"\"\""), "a \"b\" ");
  EXPECT_EQ(str("'''a''b'''"), "a''b");
  EXPECT_EQ(str("\"a\" 'b'\n \"c\""), "abc");
  EXPECT_EQ(str("\"line \\\ncontinued\""), "line continued");
  EXPECT_EQ(str("\"\""), "");
  // Errors.
  EXPECT_EQ(str(R"("\x4")"), "e:1:2: invalid `\\x` escape in a string literal (expected 2 hex digits)");
  EXPECT_EQ(str(R"("\U00110000")"), "e:1:2: escape `\\U00110000` is beyond U+10FFFF");
  EXPECT_EQ(str(R"("\ud800")"), "e:1:2: escape `\\ud800` is a surrogate, which UTF-8 cannot hold");
  EXPECT_EQ(str(R"("\N{DASH}")"), "e:1:2: `\\N{...}` escapes are not supported");
  EXPECT_EQ(str("'a\xFFz'"), "e:1:3: invalid UTF-8 (byte 0xFF) in a string literal");
  EXPECT_EQ(str("'\xC3'"), "e:1:2: invalid UTF-8 (byte 0xC3) in a string literal");
  EXPECT_EQ(str("'\xED\xA0\x80'"), "e:1:2: invalid UTF-8 (byte 0xED) in a string literal");
  EXPECT_EQ(str(std::string("'a\0'", 4)), "e:1:3: NUL byte in a string literal (write it as \\0)");
  EXPECT_EQ(str("b'x'"), "e:1:1: bytes literals are not supported");
  EXPECT_EQ(str("f'{x}'"),
            "e:1:1: f-strings are not supported (PyTorch prints them as torch.format calls)");
}

TEST(ParserTest, OperatorPrecedence) {
  EXPECT_EQ(E("a + b * c"), "add(a, mul(b, c))");
  EXPECT_EQ(E("a * b + c"), "add(mul(a, b), c)");
  EXPECT_EQ(E("a - b - c"), "sub(sub(a, b), c)");
  EXPECT_EQ(E("a / b // c % d @ e"), "matmul(mod(floordiv(div(a, b), c), d), e)");
  EXPECT_EQ(E("a ** b ** c"), "pow(a, pow(b, c))");
  EXPECT_EQ(E("-a ** b"), "neg(pow(a, b))");
  EXPECT_EQ(E("-2 ** 2"), "neg(pow(2, 2))");
  EXPECT_EQ(E("a ** -b"), "pow(a, neg(b))");
  EXPECT_EQ(E("2 ** -1"), "pow(2, -1)");
  EXPECT_EQ(E("--1"), "1");
  EXPECT_EQ(E("-(1)"), "-1");
  EXPECT_EQ(E("- -x"), "neg(neg(x))");
  EXPECT_EQ(E("+a"), "pos(a)");
  EXPECT_EQ(E("+1"), "pos(1)");
  EXPECT_EQ(E("~a & b"), "bitand(invert(a), b)");
  EXPECT_EQ(E("a | b ^ c & d << e + f"), "bitor(a, bitxor(b, bitand(c, lshift(d, add(e, f)))))");
  EXPECT_EQ(E("a >> 1 << 2"), "lshift(rshift(a, 1), 2)");
  EXPECT_EQ(E("a < b"), "lt(a, b)");
  EXPECT_EQ(E("a <= b + 1"), "le(a, add(b, 1))");
  EXPECT_EQ(E("a == b"), "eq(a, b)");
  EXPECT_EQ(E("a != b"), "ne(a, b)");
  EXPECT_EQ(E("a >= b"), "ge(a, b)");
  EXPECT_EQ(E("a > b"), "gt(a, b)");
  EXPECT_EQ(E("a is b"), "is(a, b)");
  EXPECT_EQ(E("a is not None"), "isnot(a, None)");
  EXPECT_EQ(E("a in b"), "in(a, b)");
  EXPECT_EQ(E("a not in b"), "notin(a, b)");
  EXPECT_EQ(E("not a"), "not(a)");
  EXPECT_EQ(E("not not a"), "not(not(a))");
  EXPECT_EQ(E("not a == b"), "not(eq(a, b))");
  EXPECT_EQ(E("not a and b or c"), "or(and(not(a), b), c)");
  EXPECT_EQ(E("a or b and not c"), "or(a, and(b, not(c)))");
  EXPECT_EQ(E("a and b and c"), "and(and(a, b), c)");
  EXPECT_EQ(E("a < b and b < c"), "and(lt(a, b), lt(b, c))");
  EXPECT_EQ(E("(a < b) < c"), "lt(lt(a, b), c)");
  EXPECT_EQ(E("a if c else b"), "ifexp(a, c, b)");
  EXPECT_EQ(E("a if c else b if d else e"), "ifexp(a, c, ifexp(b, d, e))");
  EXPECT_EQ(E("a or b if c or d else e"), "ifexp(or(a, b), or(c, d), e)");
  EXPECT_EQ(E("-x.y[0](1)"), "neg(x.y[0](1))");
}

TEST(ParserTest, CollectionsAndTrailers) {
  EXPECT_EQ(E("()"), "tuple()");
  EXPECT_EQ(E("(a,)"), "tuple(a)");
  EXPECT_EQ(E("(a)"), "a");
  EXPECT_EQ(E("((a))"), "a");
  EXPECT_EQ(E("(a, b, )"), "tuple(a, b)");
  EXPECT_EQ(E("[]"), "[]");
  EXPECT_EQ(E("[a, ]"), "[a]");
  EXPECT_EQ(E("[[1, 2], [3]]"), "[[1, 2], [3]]");
  EXPECT_EQ(E("{}"), "{}");
  EXPECT_EQ(E("{\"a\": 1, \"b\": [2], }"), "{\"a\": 1, \"b\": [2]}");
  EXPECT_EQ(E("Tuple[()]"), "Tuple[tuple()]");
  EXPECT_EQ(E("Dict[str, List[Tuple[int, Optional[Tensor]]]]"),
            "Dict[tuple(str, List[Tuple[tuple(int, Optional[Tensor])]])]");
  EXPECT_EQ(E("a[1:2]"), "a[slice(1, 2, _)]");
  EXPECT_EQ(E("a[::2]"), "a[slice(_, _, 2)]");
  EXPECT_EQ(E("a[:]"), "a[slice(_, _, _)]");
  EXPECT_EQ(E("a[1:]"), "a[slice(1, _, _)]");
  EXPECT_EQ(E("a[:-1]"), "a[slice(_, -1, _)]");
  EXPECT_EQ(E("a[1:2:]"), "a[slice(1, 2, _)]");
  EXPECT_EQ(E("a[:, 0]"), "a[tuple(slice(_, _, _), 0)]");
  EXPECT_EQ(E("a[0, 1:2:3]"), "a[tuple(0, slice(1, 2, 3))]");
  EXPECT_EQ(E("a[1,]"), "a[tuple(1)]");
  EXPECT_EQ(E("(t)[0]"), "t[0]");
  EXPECT_EQ(E("(t)[a:b]"), "t[slice(a, b, _)]");
  EXPECT_EQ(E("f()"), "f()");
  EXPECT_EQ(E("f(a, )"), "f(a)");
  EXPECT_EQ(E("f(a, *b, k=1, *c, j=2,)"), "f(a, *b, *c, k=1, j=2)");
  EXPECT_EQ(E("f(a)(b)[c].d"), "f(a)(b)[c].d");
  EXPECT_EQ(E("Cls.__new__(Cls)"), "Cls.__new__(Cls)");
  EXPECT_EQ(E("isinstance(e, (int, str))"), "isinstance(e, tuple(int, str))");
  EXPECT_EQ(E("f(x == 1)"), "f(eq(x, 1))");

  ASSERT_OK_AND_ASSIGN(ExprPtr slice, ParseExpression("e", "a[:, 0]"));
  ASSERT_EQ(slice->kind, Expr::Kind::kSubscript);
  ASSERT_EQ(slice->elements.size(), 1u);
  const Expr& index = *slice->elements[0];
  ASSERT_EQ(index.kind, Expr::Kind::kTuple);
  ASSERT_EQ(index.elements.size(), 2u);
  EXPECT_EQ(index.elements[0]->kind, Expr::Kind::kSlice);
  EXPECT_EQ(index.elements[0]->slice_start, nullptr);
  EXPECT_EQ(index.elements[0]->slice_stop, nullptr);
  EXPECT_EQ(index.elements[0]->slice_step, nullptr);
  EXPECT_EQ(index.elements[0]->loc.column, 3);
  EXPECT_EQ(index.elements[1]->int_value, 0);

  ASSERT_OK_AND_ASSIGN(ExprPtr empty, ParseExpression("type", "Tuple[()]"));
  ASSERT_EQ(empty->kind, Expr::Kind::kSubscript);
  EXPECT_EQ(empty->object->name, "Tuple");
  ASSERT_EQ(empty->elements.size(), 1u);
  EXPECT_EQ(empty->elements[0]->kind, Expr::Kind::kTuple);
  EXPECT_TRUE(empty->elements[0]->elements.empty());

  ASSERT_OK_AND_ASSIGN(ExprPtr dict, ParseExpression("e", "{\"a\": 1, \"b\": 2}"));
  ASSERT_EQ(dict->kind, Expr::Kind::kDict);
  ASSERT_EQ(dict->keys.size(), 2u);
  ASSERT_EQ(dict->elements.size(), 2u);
  EXPECT_EQ(dict->keys[1]->string_value, "b");
  EXPECT_EQ(dict->elements[1]->int_value, 2);

  ASSERT_OK_AND_ASSIGN(ExprPtr starred, ParseExpression("e", "f(*args)"));
  ASSERT_EQ(starred->elements.at(0)->kind, Expr::Kind::kStarred);
  EXPECT_EQ(starred->elements[0]->elements.at(0)->name, "args");
}

TEST(ParserTest, ExpressionsSpanLinesAndIgnoreComments) {
  EXPECT_EQ(E("  Dict[str,\n      int]  # a comment\n"), "Dict[tuple(str, int)]");
  EXPECT_EQ(E("a +\n b"), "add(a, b)");
  ASSERT_OK_AND_ASSIGN(ExprPtr e, ParseExpression("restore_type_tag", "\nList[int]"));
  EXPECT_EQ(LocationString(e->loc), "restore_type_tag:2:1");
}

TEST(ParserTest, ExpressionErrors) {
  EXPECT_EQ(E(""), "e:1:1: expected an expression, got end of input");
  EXPECT_EQ(E("a b"), "e:1:3: expected the end of the expression, got name `b`");
  EXPECT_EQ(E("a, b"), "e:1:2: expected the end of the expression, got ','");
  EXPECT_EQ(E("a < b < c"),
            "e:1:7: chained comparisons are not supported (write `a < b and b < c` for `a < b < "
            "c`), got a second comparison '<'");
  EXPECT_EQ(E("a == b is not c"),
            "e:1:8: chained comparisons are not supported (write `a < b and b < c` for `a < b < "
            "c`), got a second comparison `is`");
  EXPECT_EQ(E("lambda x: x"), "e:1:1: lambda expressions are not supported in TorchScript code");
  EXPECT_EQ(E("f(lambda: 0)"), "e:1:3: lambda expressions are not supported in TorchScript code");
  EXPECT_EQ(E("[x for x in y]"), "e:1:4: list comprehensions are not supported");
  EXPECT_EQ(E("f(x for x in y)"), "e:1:5: generator expressions are not supported");
  EXPECT_EQ(E("{a, b}"), "e:1:2: set displays are not supported");
  EXPECT_EQ(E("f(**k)"), "e:1:3: '**' arguments are not supported");
  EXPECT_EQ(E("f(a=1, b)"), "e:1:8: positional argument follows keyword argument");
  EXPECT_EQ(E("f(a=1, a=2)"), "e:1:8: keyword argument `a` repeated");
  EXPECT_EQ(E("a if b"), "e:1:7: expected `else` in the conditional expression, got end of input");
  EXPECT_EQ(E("a[]"), "e:1:3: expected a subscript, got ']'");
  EXPECT_EQ(E("a."), "e:1:3: expected an attribute name after '.', got end of input");
  EXPECT_EQ(E("a.if"), "e:1:3: expected an attribute name after '.', got `if`");
  EXPECT_EQ(E("f(a b)"), "e:1:5: expected ',' or ')' after an argument, got name `b`");
  EXPECT_EQ(E("(a b)"), "e:1:4: expected ',' or ')', got name `b`");
  EXPECT_EQ(E("[a b]"), "e:1:4: expected ',' or ']' in the list, got name `b`");
  EXPECT_EQ(E("{1: 2 3}"), "e:1:7: expected ',' or '}' in the dict, got number `3`");
  EXPECT_EQ(E("{1 2}"), "e:1:4: expected ':' after a dict key, got number `2`");
  EXPECT_EQ(E("a[1:2:3:4]"), "e:1:8: expected ',' or ']' in the subscript, got ':'");
  EXPECT_EQ(E("a == not b"), "e:1:6: expected an expression, got `not`");
  EXPECT_EQ(E("*a"), "e:1:1: starred expressions are only supported in call arguments");
  EXPECT_EQ(E("(a, *b)"), "e:1:5: starred expressions are only supported in call arguments");
  EXPECT_EQ(E("yield"), "e:1:1: `yield` is not supported");
  EXPECT_EQ(E("1j"), "e:1:1: complex literals are not supported: `1j`");
  EXPECT_EQ(E("1abc"), "e:1:1: invalid decimal literal `1abc`");
  EXPECT_EQ(E("0x"), "e:1:1: invalid hexadecimal literal `0x`");
  EXPECT_EQ(E("0b102"), "e:1:1: invalid binary literal `0b102`");
  EXPECT_EQ(E("1__0"), "e:1:1: invalid decimal literal `1__0`");
  EXPECT_EQ(E("1_"), "e:1:1: invalid decimal literal `1_`");
  EXPECT_EQ(E("1e"), "e:1:1: invalid decimal literal `1e`");
  EXPECT_EQ(E("1._5"), "e:1:1: invalid decimal literal `1._5`");
  EXPECT_EQ(E("1e_5"), "e:1:1: invalid decimal literal `1e_5`");
  EXPECT_EQ(E("0123"),
            "e:1:1: leading zeros in decimal integer literals are not permitted (0o is octal): "
            "`0123`");
  EXPECT_EQ(E("a $ b"), "e:1:3: unexpected character '$'");
  EXPECT_EQ(E("a ! b"), "e:1:3: unexpected character '!' (expected '!=')");
  EXPECT_EQ(E("caf\xC3\xA9"),
            "e:1:4: unexpected byte 0xC3 (non-ASCII names are not supported)");
  EXPECT_EQ(E(std::string("a\0", 2)), "e:1:2: unexpected byte 0x00");
  EXPECT_EQ(E("f(a]"), "e:1:4: expected ')' to close the '(' at 1:2, got ']'");
  EXPECT_EQ(E("a)"), "e:1:2: unmatched ')'");
  EXPECT_EQ(E("f(a,\n  b"), "e:1:2: '(' is never closed (expected ')' before the end of input at 2:4)");
  EXPECT_EQ(E("a \\ b"), "e:1:3: unexpected character after a line continuation '\\' (expected a line break)");
  EXPECT_EQ(E("a + \\\n"), "e:2:1: unexpected end of input after a line continuation '\\'");
  EXPECT_EQ(Error("def f():\n  return 1 \\\n"),
            "t.py:3:1: unexpected end of input after a line continuation '\\'");
  EXPECT_EQ(E("a + \\\n b"), "add(a, b)");
  for (absl::string_view bad : {"", "a b", "a < b < c", "f(a]", "\"x"}) {
    EXPECT_THAT(ParseExpression("e", bad), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(ParserTest, IntegerOverflow) {
  EXPECT_EQ(E("9223372036854775808"),
            "e:1:1: integer literal `9223372036854775808` is beyond the int64 range");
  EXPECT_EQ(E("-9223372036854775809"),
            "e:1:2: integer literal beyond the int64 range `9223372036854775809`");
  EXPECT_EQ(E("99999999999999999999"),
            "e:1:1: integer literal beyond the int64 range `99999999999999999999`");
  EXPECT_EQ(E("0x10000000000000000"),
            "e:1:1: integer literal beyond the int64 range `0x10000000000000000`");
  // 2^63 only right after a minus, and not as the base of `**` or a call.
  EXPECT_EQ(E("-9223372036854775808 ** 2"),
            "e:1:2: integer literal `9223372036854775808` is beyond the int64 range");
  EXPECT_EQ(E("--9223372036854775808"), "neg(-9223372036854775808)");
  EXPECT_EQ(Error("def f():\n  x = 9223372036854775808\n"),
            "t.py:2:7: integer literal `9223372036854775808` is beyond the int64 range");
}

// ----------------------------------------------------------- statements ---

TEST(ParserTest, Statements) {
  EXPECT_EQ(Body("x = 1\n"
                 "a = b = c\n"
                 "a, b = b, a\n"
                 "(a, b) = t\n"
                 "[a, (b, c)] = t\n"
                 "(a) = 1\n"
                 "k, v, = t\n"
                 "self.n = 0\n"
                 "x[0] = 1\n"
                 "x[1:2] = y\n"
                 "y : Optional[Tensor] = x\n"
                 "z : int\n"
                 "t : Tuple[int, int] = 1, 2\n"
                 "x += 1\n"
                 "x.y -= 1\n"
                 "x[0] *= 2\n"
                 "x /= 2; x //= 2; x %= 2; x **= 2; x @= m\n"
                 "x <<= 1; x >>= 1; x &= 1; x |= 1; x ^= 1;\n"
                 "f(x)\n"
                 "a, b\n"
                 "\"docstring\"\n"
                 "del x, y[0]\n"
                 "del (a, b),\n"
                 "assert x\n"
                 "assert x, \"message\"\n"
                 "raise\n"
                 "raise Exception(\"x\")\n"
                 "pass\n"
                 "return\n"
                 "return a\n"
                 "return a, b\n"
                 "return a,\n"
                 "return (a, b)\n"),
            "x = 1\n"
            "a = b = c\n"
            "tuple(a, b) = tuple(b, a)\n"
            "tuple(a, b) = t\n"
            "[a, tuple(b, c)] = t\n"
            "a = 1\n"
            "tuple(k, v) = t\n"
            "self.n = 0\n"
            "x[0] = 1\n"
            "x[slice(1, 2, _)] = y\n"
            "y : Optional[Tensor] = x\n"
            "z : int\n"
            "t : Tuple[tuple(int, int)] = tuple(1, 2)\n"
            "x add= 1\n"
            "x.y sub= 1\n"
            "x[0] mul= 2\n"
            "x div= 2\n"
            "x floordiv= 2\n"
            "x mod= 2\n"
            "x pow= 2\n"
            "x matmul= m\n"
            "x lshift= 1\n"
            "x rshift= 1\n"
            "x bitand= 1\n"
            "x bitor= 1\n"
            "x bitxor= 1\n"
            "f(x)\n"
            "tuple(a, b)\n"
            "\"docstring\"\n"
            "del x, y[0]\n"
            "del tuple(a, b)\n"
            "assert x\n"
            "assert x, \"message\"\n"
            "raise\n"
            "raise Exception(\"x\")\n"
            "pass\n"
            "return\n"
            "return a\n"
            "return tuple(a, b)\n"
            "return tuple(a)\n"
            "return tuple(a, b)\n");
}

TEST(ParserTest, MultipleTargetsKeepTheirOrder) {
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("t.py", "def f():\n  a = b, c = d\n"));
  const Stmt& s = *r.functions.at(0)->body.at(0);
  ASSERT_EQ(s.kind, Stmt::Kind::kAssign);
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(Dump(s.targets[0].get()), "a");
  EXPECT_EQ(Dump(s.targets[1].get()), "tuple(b, c)");
  EXPECT_EQ(Dump(s.value.get()), "d");
}

TEST(ParserTest, CompoundStatements) {
  EXPECT_EQ(Body("if a:\n"
                 "  x = 1\n"
                 "elif b:\n"
                 "  x = 2\n"
                 "elif c:\n"
                 "  pass\n"
                 "else:\n"
                 "  x = 3\n"
                 "if a: x = 1\n"
                 "else: x = 2\n"
                 "while torch.lt(i, 3):\n"
                 "  i = torch.add(i, 1)\n"
                 "  if i:\n"
                 "    break\n"
                 "  else:\n"
                 "    continue\n"
                 "for i in range(3):\n"
                 "  pass\n"
                 "for i, (j, k) in zip(a, b):\n"
                 "  pass\n"
                 "for x.y in a, b:\n"
                 "  pass\n"
                 "with a as b, c, d as (e, f):\n"
                 "  pass\n"
                 "with torch.no_grad(): y = 1\n"
                 "def g(a, b: int, c: float = 1.5, *, d: str = \"x\", e: List[int],) -> None:\n"
                 "  def h(): return a\n"
                 "  return h()\n"),
            "if a:\n"
            "  x = 1\n"
            "else:\n"
            "  if b:\n"
            "    x = 2\n"
            "  else:\n"
            "    if c:\n"
            "      pass\n"
            "    else:\n"
            "      x = 3\n"
            "if a:\n"
            "  x = 1\n"
            "else:\n"
            "  x = 2\n"
            "while torch.lt(i, 3):\n"
            "  i = torch.add(i, 1)\n"
            "  if i:\n"
            "    break\n"
            "  else:\n"
            "    continue\n"
            "for i in range(3):\n"
            "  pass\n"
            "for tuple(i, tuple(j, k)) in zip(a, b):\n"
            "  pass\n"
            "for x.y in tuple(a, b):\n"
            "  pass\n"
            "with a as b, c, d as tuple(e, f):\n"
            "  pass\n"
            "with torch.no_grad():\n"
            "  y = 1\n"
            "def g(a, b: int, c: float = float(1.5), *, d: str = \"x\", e: List[int]) -> None:\n"
            "  def h():\n"
            "    return a\n"
            "  return h()\n");
  // elif: an If alone in orelse, located at the `elif`.
  ASSERT_OK_AND_ASSIGN(ParsedRecord r,
                       ParseRecord("t.py", "def f():\n  if a:\n    pass\n  elif b:\n    pass\n"));
  const Stmt& s = *r.functions.at(0)->body.at(0);
  ASSERT_EQ(s.orelse.size(), 1u);
  EXPECT_EQ(s.orelse[0]->kind, Stmt::Kind::kIf);
  EXPECT_EQ(LocationString(s.orelse[0]->loc), "t.py:4:3");
  EXPECT_TRUE(s.orelse[0]->orelse.empty());
  // Keyword-only parameters.
  ASSERT_OK_AND_ASSIGN(ParsedRecord g,
                       ParseRecord("t.py", "def g(a, *, b: int=1, c):\n  pass\n"));
  const FunctionDef& fn = *g.functions.at(0);
  ASSERT_EQ(fn.params.size(), 3u);
  EXPECT_FALSE(fn.params[0].keyword_only);
  EXPECT_TRUE(fn.params[1].keyword_only);
  EXPECT_TRUE(fn.params[2].keyword_only);
  EXPECT_EQ(fn.params[2].default_value, nullptr);
  EXPECT_EQ(fn.params[1].default_value->int_value, 1);
}

TEST(ParserTest, LexicalLayout) {
  // Comments, blank lines at any indentation, CRLF, no final newline.
  EXPECT_EQ(ParseAndDump("# header\r\n"
                         "\r\n"
                         "class A(Module):  # trailing\r\n"
                         "        # deeper comment\r\n"
                         "  x : int\r\n"
                         "\r\n"
                         "     \r\n"
                         "  def f(self):\r\n"
                         "# at column 1\r\n"
                         "    return 1\r\n"
                         "def g():\r\n"
                         "  return 2"),
            "class A(Module):\n  x : int\n  def f(self):\n    return 1\ndef g():\n  return 2\n");
  // Implicit joining inside brackets, backslash continuation.
  EXPECT_EQ(Body("x = f(a,\n"
                 "b,\n"
                 "        c)\n"
                 "y = a + \\\n"
                 "      b\n"
                 "z = [\n"
                 "]\n"),
            "x = f(a, b, c)\n"
            "y = add(a, b)\n"
            "z = []\n");
  // Tabs: consistent use is fine (a tab is 8 columns).
  EXPECT_EQ(ParseAndDump("def f():\n\tif x:\n\t\ty = 1\n\telse:\n\t\ty = 2\n\treturn y\n"),
            "def f():\n  if x:\n    y = 1\n  else:\n    y = 2\n  return y\n");
  EXPECT_EQ(ParseAndDump("def f():\n\tif x:\n\t    y = 1\n\treturn y\n"),
            "def f():\n  if x:\n    y = 1\n  return y\n");
  // A form feed resets the indentation; a byte order mark is skipped.
  EXPECT_EQ(ParseAndDump("\xEF\xBB\xBF" "def f():\n  \f  return 1\n"), "def f():\n  return 1\n");
  // Semicolons.
  EXPECT_EQ(Body("a = 1; b = 2;\n"), "a = 1\nb = 2\n");
  // An empty record.
  EXPECT_EQ(ParseAndDump(""), "");
  EXPECT_EQ(ParseAndDump("\n\n# only a comment\n   \n"), "");
}

TEST(ParserTest, TopLevel) {
  // op_version_set and imports are dropped.
  EXPECT_EQ(ParseAndDump("op_version_set = 1\n"
                         "import __torch__.torch.nn.modules.linear\n"
                         "import a.b as c, d\n"
                         "from torch import Tensor\n"
                         "from . import (x,\n  y)\n"
                         "from ..a.b import c as d, e\n"
                         "from ... import *\n"
                         "def f():\n"
                         "  pass\n"
                         "class A:\n"
                         "  pass\n"
                         "def g():\n"
                         "  pass\n"),
            "class A():\n  pass\ndef f():\n  pass\ndef g():\n  pass\n");
  ASSERT_OK_AND_ASSIGN(ParsedRecord r, ParseRecord("t.py", "def f():\n  pass\nclass A:\n  pass\n"));
  EXPECT_EQ(r.functions.size(), 1u);
  EXPECT_EQ(r.classes.size(), 1u);
  EXPECT_EQ(*r.record, "t.py");
  EXPECT_EQ(r.functions[0]->loc.record, r.record);
  // Anything else is an error naming the location.
  EXPECT_EQ(Error("def f():\n  pass\nx = 1\n"),
            "t.py:3:1: expected `class` or `def` at the top level of a code record, got name `x`");
  EXPECT_EQ(Error("if x:\n  pass\n"),
            "t.py:1:1: expected `class` or `def` at the top level of a code record, got `if`");
  EXPECT_EQ(Error("op_version_set = x\n"),
            "t.py:1:18: expected an integer after `op_version_set =`, got name `x`");
  EXPECT_EQ(Error("  def f():\n    pass\n"),
            "t.py:1:3: unexpected indent (expected `class` or `def` at the top level)");
  EXPECT_EQ(Error("from a\n"), "t.py:1:7: expected `import` in the `from` line, got newline");
  EXPECT_EQ(Error("import\n"), "t.py:1:7: expected a module name after `import`, got newline");
  EXPECT_EQ(Error("import a.\n"), "t.py:1:10: expected a name after '.', got newline");
  EXPECT_EQ(Error("import a:b\n"), "t.py:1:9: expected newline after the import, got ':'");
  EXPECT_EQ(Error("import a as\n"), "t.py:1:12: expected a name after `as`, got newline");
  EXPECT_EQ(Error("from a import b,\n"), "t.py:1:17: expected a name to import, got newline");
  EXPECT_EQ(Error("from a import (b c)\n"),
            "t.py:1:18: expected ',' or ')' in the import list, got name `c`");
  EXPECT_EQ(Error("from import a\n"), "t.py:1:6: expected a module name after `from`, got `import`");
  EXPECT_EQ(Error("@torch.jit.script\ndef f():\n  pass\n"),
            "t.py:1:1: decorators are not supported");
}

TEST(ParserTest, ClassBodies) {
  EXPECT_EQ(ParseAndDump("class Color(Enum):\n  RED = 1\n  GREEN = \"g\"\n"
                         "class I(Interface):\n  def f(self, x: Tensor) -> Tensor:\n    pass\n"
                         "class E(): pass\n"
                         "class M(Module):\n"
                         "  __parameters__ = [\"weight\", \"bias\", ]\n"
                         "  __forward_pre_hooks__ = [\"hook\", ]\n"
                         "  x : Final[int] = 3\n"
                         "  __annotations__[\"0\"] = __torch__.A\n"),
            "class Color(Enum):\n  RED = 1\n  GREEN = \"g\"\n"
            "class I(Interface):\n  def f(self, x: Tensor) -> Tensor:\n    pass\n"
            "class E():\n  pass\n"
            "class M(Module):\n"
            "  __parameters__ = [\"weight\", \"bias\"]\n"
            "  __forward_pre_hooks__ = [\"hook\"]\n"
            "  x : Final[int] = 3\n"
            "  __annotations__[\"0\"] = __torch__.A\n");
  EXPECT_EQ(Error("class A:\n  if x:\n    pass\n"),
            "t.py:2:3: expected an assignment, a declaration, `def` or `pass` in a class body, got "
            "`if`");
  EXPECT_EQ(Error("class A:\n  f(x)\n"),
            "t.py:2:3: a class body holds assignments, declarations, `def` and `pass` only");
  EXPECT_EQ(Error("class A:\n  x += 1\n"),
            "t.py:2:3: a class body holds assignments, declarations, `def` and `pass` only");
  EXPECT_EQ(Error("def f():\n  class A:\n    pass\n"),
            "t.py:2:3: `class` is only allowed at the top level of a code record");
  EXPECT_EQ(Error("class A(Module:\n  pass\n"),
            "t.py:1:15: expected ',' or ')' after a base class, got ':'");
}

TEST(ParserTest, StatementErrors) {
  // Missing colon.
  EXPECT_EQ(Error("def f():\n  if x\n    pass\n"),
            "t.py:2:7: expected ':' after the condition of `if`, got newline");
  EXPECT_EQ(Error("def f()\n  pass\n"),
            "t.py:1:8: expected ':' after the signature of `def f`, got newline");
  EXPECT_EQ(Error("def f():\n  for i in range(3)\n    pass\n"),
            "t.py:2:20: expected ':' after the iterable of `for`, got newline");
  EXPECT_EQ(Error("def f():\n  while x\n    pass\n"),
            "t.py:2:10: expected ':' after the condition of `while`, got newline");
  EXPECT_EQ(Error("def f():\n  if x:\n    pass\n  else\n    pass\n"),
            "t.py:4:7: expected ':' after `else`, got newline");
  EXPECT_EQ(Error("class A\n  pass\n"),
            "t.py:1:8: expected ':' after the header of `class A`, got newline");
  EXPECT_EQ(Error("def f():\n  with a\n    pass\n"),
            "t.py:2:9: expected ':' after the items of `with`, got newline");
  // Unexpected tokens.
  EXPECT_EQ(Error("def f():\n  x = = 1\n"), "t.py:2:7: expected an expression, got '='");
  EXPECT_EQ(Error("def f():\n  x = 1 2\n"),
            "t.py:2:9: expected the end of the statement (newline or ';'), got number `2`");
  EXPECT_EQ(Error("def f():\n  return )\n"), "t.py:2:10: unmatched ')'");
  EXPECT_EQ(Error("def f():\n  else:\n    pass\n"), "t.py:2:3: expected a statement, got `else`");
  EXPECT_EQ(Error("def f(:\n  pass\n"), "t.py:1:7: expected a parameter name, got ':'");
  EXPECT_EQ(Error("def (x):\n  pass\n"), "t.py:1:5: expected a function name after `def`, got '('");
  EXPECT_EQ(Error("def f:\n  pass\n"), "t.py:1:6: expected '(' after `def f`, got ':'");
  EXPECT_EQ(Error("def f():\n  for i = 1:\n    pass\n"),
            "t.py:2:9: expected `in` after the target of `for`, got '='");
  // Indentation.
  EXPECT_EQ(Error("def f():\nx = 1\n"),
            "t.py:2:1: expected an indented block after `def f` at 1:1, got name `x`");
  EXPECT_EQ(Error("def f():\n  if x:\n  pass\n"),
            "t.py:3:3: expected an indented block after `if` at 2:3, got `pass`");
  EXPECT_EQ(Error("def f():\n  x = 1\n    y = 2\n"), "t.py:3:5: unexpected indent");
  EXPECT_EQ(Error("def f():\n    x = 1\n  y = 2\n"),
            "t.py:3:3: unindent does not match any outer indentation level (expected an "
            "indentation of 0, 4 columns, got 2)");
  EXPECT_EQ(Error("def f():\n  if x:\n      y = 1\n    z = 2\n"),
            "t.py:4:5: unindent does not match any outer indentation level (expected an "
            "indentation of 0, 2, 6 columns, got 4)");
  EXPECT_EQ(Error("def f():\n"), "t.py:2:1: expected an indented block after `def f` at 1:1, got end of input");
  // Tabs and spaces that compare differently with tabs as 1 or 8 columns.
  EXPECT_EQ(Error("def f():\n\tx = 1\n        y = 2\n"),
            "t.py:3:9: inconsistent use of tabs and spaces in indentation");
  EXPECT_EQ(Error("def f():\n        x = 1\n\ty = 2\n"),
            "t.py:3:2: inconsistent use of tabs and spaces in indentation");
  EXPECT_EQ(Error("def f():\n        if x:\n\t y = 1\n"),
            "t.py:3:3: inconsistent use of tabs and spaces in indentation");
  // Strings.
  EXPECT_EQ(Error("def f():\n  x = \"abc\n  return x\n"),
            "t.py:2:7: unterminated string literal (no closing \" before the end of the line)");
  EXPECT_EQ(Error("def f():\n  x = 'abc"),
            "t.py:2:7: unterminated string literal (no closing ' before the end of input)");
  EXPECT_EQ(Error("def f():\n  x = \"\"\"abc\n\n  return x\n"),
            "t.py:2:7: unterminated triple-quoted string literal (no closing \"\"\" before the end "
            "of input)");
  // Brackets.
  EXPECT_EQ(Error("def f():\n  x = f(a,\n  return x\n"),
            "t.py:3:3: expected an expression, got `return`");
  EXPECT_EQ(Error("def f():\n  x = [1, 2\n"),
            "t.py:2:7: '[' is never closed (expected ']' before the end of input at 3:1)");
  // Targets.
  EXPECT_EQ(Error("def f():\n  f() = 1\n"), "t.py:2:3: cannot assign to a function call");
  EXPECT_EQ(Error("def f():\n  a, 1 = t\n"), "t.py:2:6: cannot assign to a literal");
  EXPECT_EQ(Error("def f():\n  a + b += 1\n"), "t.py:2:3: cannot assign to an operator expression");
  EXPECT_EQ(Error("def f():\n  a, b += 1\n"),
            "t.py:2:3: only a name, an attribute or a subscript can be annotated or augmented, not "
            "a tuple");
  EXPECT_EQ(Error("def f():\n  a, b : int = 1\n"),
            "t.py:2:3: only a name, an attribute or a subscript can be annotated or augmented, not "
            "a tuple");
  EXPECT_EQ(Error("def f():\n  for f() in x:\n    pass\n"), "t.py:2:7: cannot assign to a function call");
  EXPECT_EQ(Error("def f():\n  del 1\n"), "t.py:2:7: cannot assign to a literal");
  // Parameters.
  EXPECT_EQ(Error("def f(*args):\n  pass\n"), "t.py:1:7: `*args` parameters are not supported");
  EXPECT_EQ(Error("def f(**kw):\n  pass\n"), "t.py:1:7: `**kwargs` parameters are not supported");
  EXPECT_EQ(Error("def f(a, *):\n  pass\n"),
            "t.py:1:11: expected ',' and keyword-only parameters after a bare '*', got ')'");
  EXPECT_EQ(Error("def f(a, *,):\n  pass\n"),
            "t.py:1:10: a bare '*' must be followed by keyword-only parameters");
  EXPECT_EQ(Error("def f(*, a, *, b):\n  pass\n"), "t.py:1:13: a second '*' in the parameter list");
  EXPECT_EQ(Error("def f(a, a):\n  pass\n"), "t.py:1:10: duplicate parameter `a` in `def f`");
  EXPECT_EQ(Error("def f(a=1, b):\n  pass\n"),
            "t.py:1:12: parameter `b` without a default follows one with a default");
  EXPECT_EQ(Error("def f(a, /):\n  pass\n"),
            "t.py:1:10: positional-only parameters ('/') are not supported");
  // Unsupported statements.
  EXPECT_EQ(Error("def f():\n  try:\n    pass\n"), "t.py:2:3: `try` statements are not supported");
  EXPECT_EQ(Error("def f():\n  global x\n"), "t.py:2:3: `global` is not supported");
  EXPECT_EQ(Error("def f():\n  raise A from b\n"), "t.py:2:11: `raise ... from` is not supported");
  EXPECT_EQ(Error("def f():\n  for i in x:\n    pass\n  else:\n    pass\n"),
            "t.py:4:3: `for ... else` is not supported");
  EXPECT_EQ(Error("def f():\n  while x:\n    pass\n  else:\n    pass\n"),
            "t.py:4:3: `while ... else` is not supported");
  EXPECT_EQ(Error("def f():\n  import x\n"),
            "t.py:2:3: `import` is only allowed at the top level of a code record");
  EXPECT_EQ(Error("def f():\n  x = lambda: 1\n"),
            "t.py:2:7: lambda expressions are not supported in TorchScript code");
  EXPECT_EQ(Error("def f():\n  return a < b < c\n"),
            "t.py:2:16: chained comparisons are not supported (write `a < b and b < c` for `a < b "
            "< c`), got a second comparison '<'");
  // Every one of these is InvalidArgument.
  for (absl::string_view bad : {"def f():\n  x = = 1\n", "x = 1\n", "def f():\n    x\n  y\n",
                                "def f():\n  x = \"\n"}) {
    EXPECT_THAT(ParseRecord("t.py", bad), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

// -------------------------------------------------------------- limits ---

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  const size_t kDepth = 100000;
  const std::vector<std::string> deep = {
      std::string(kDepth, '(') + "x",
      std::string(kDepth, '[') + "x",
      std::string(kDepth, '{'),
      std::string(kDepth, '-') + "x",
      std::string(kDepth, '~') + "x",
      [&] {
        std::string s;
        for (size_t i = 0; i < kDepth; ++i) s += "not ";
        return s + "x";
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += "+x";
        return s;
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += "**x";
        return s;
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += ".y";
        return s;
      }(),
      [&] {
        std::string s = "f";
        for (size_t i = 0; i < kDepth; ++i) s += "()";
        return s;
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += "[0]";
        return s;
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += " if c else x";
        return s;
      }(),
      [&] {
        std::string s = "x";
        for (size_t i = 0; i < kDepth; ++i) s += " or x";
        return s;
      }(),
  };
  for (const std::string& text : deep) {
    EXPECT_THAT(ParseExpression("deep", text),
                StatusIs(absl::StatusCode::kResourceExhausted,
                         HasSubstr("levels of blocks, brackets and operators")))
        << text.substr(0, 20);
    EXPECT_THAT(ParseRecord("deep", absl::StrCat("def f():\n  return ", text, "\n")),
                StatusIs(absl::StatusCode::kResourceExhausted))
        << text.substr(0, 20);
  }
  // The exact text: the 257th bracket is one too many.
  EXPECT_EQ(ParseExpression("deep", std::string(kDepth, '(')).status().message(),
            "deep:1:257: nesting deeper than 256 levels of blocks, brackets and operators "
            "(ParseOptions::max_nesting)");
  // Blocks count too: 300 nested ifs, and a long elif chain.
  std::string blocks = "def f():\n";
  for (int i = 0; i < 300; ++i) absl::StrAppend(&blocks, std::string(i + 1, ' '), "if x:\n");
  absl::StrAppend(&blocks, std::string(301, ' '), "pass\n");
  EXPECT_THAT(ParseRecord("t.py", blocks), StatusIs(absl::StatusCode::kResourceExhausted));
  std::string elifs = "def f():\n  if x:\n    pass\n";
  for (int i = 0; i < kDepth; ++i) elifs += "  elif x:\n    pass\n";
  EXPECT_THAT(ParseRecord("t.py", elifs), StatusIs(absl::StatusCode::kResourceExhausted));
  // A smaller limit, and nesting just within it.
  ParseOptions options;
  options.max_nesting = 3;
  EXPECT_OK(ParseExpression("e", "((x))", options));
  EXPECT_OK(ParseExpression("e", "(((x)))", options));
  EXPECT_THAT(ParseExpression("e", "((((x))))", options),
              StatusIs(absl::StatusCode::kResourceExhausted, StartsWith("e:1:4: nesting deeper than 3")));
  EXPECT_OK(ParseExpression("e", std::string(200, '(') + "x" + std::string(200, ')')));
}

// Wide input parses in linear time: long statement lists, lines, lists,
// argument and parameter lists, strings and many records' worth of code.
TEST(ParserTest, HugeInputsParseInLinearTime) {
  const int kWide = 200000;
  std::vector<std::pair<std::string, std::string>> inputs;
  {
    std::string s = "def f():\n";
    for (int i = 0; i < kWide; ++i) absl::StrAppend(&s, "  x", i, " = torch.add(x, ", i, ")\n");
    inputs.push_back({"statements", s});
  }
  {
    std::string s = "def f():\n  x = [";
    for (int i = 0; i < kWide; ++i) absl::StrAppend(&s, i, ", ");
    inputs.push_back({"list", s + "]\n"});
  }
  {
    std::string s = "def f():\n  x = g(";
    for (int i = 0; i < kWide; ++i) absl::StrAppend(&s, "k", i, "=", i, ", ");
    inputs.push_back({"keywords", s + ")\n"});
  }
  {
    std::string s = "def f(";
    for (int i = 0; i < kWide; ++i) absl::StrAppend(&s, "p", i, ": int, ");
    inputs.push_back({"params", s + "):\n  pass\n"});
  }
  {
    std::string s = "def f():\n  x = ";
    for (int i = 0; i < kWide; ++i) absl::StrAppend(&s, "a, ");
    inputs.push_back({"tuple", s + "\n"});
  }
  inputs.push_back({"string", absl::StrCat("def f():\n  x = \"", std::string(4 << 20, 'a'), "\\n\"\n")});
  inputs.push_back({"comment", absl::StrCat("# ", std::string(4 << 20, 'c'), "\ndef f():\n  pass\n")});
  {
    std::string s;
    for (int i = 0; i < 2000; ++i) {
      absl::StrAppend(&s, absl::StrReplaceAll(kA1Linear, {{"class Linear", absl::StrCat("class L", i)}}));
    }
    inputs.push_back({"classes", s});
  }
  for (const auto& [name, text] : inputs) {
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<ParsedRecord> r = ParseRecord("big.py", text);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_OK(r) << name;
    std::printf("%-10s %8.1f KB  %6.3f s  %6.1f MB/s\n", name.c_str(), text.size() / 1024.0,
                seconds, text.size() / 1e6 / seconds);
    EXPECT_LT(seconds, 10.0) << name;
  }
}

// Mutations of the samples (byte flips, deletions, duplications, cut
// points): a status or a tree, never a crash.
TEST(ParserTest, MutationsNeverCrash) {
  const std::vector<std::string> seeds = {kA1MyModule, kA1Functional, kA3ControlFlow, kA5DivFull,
                                          absl::StrCat(kA7Header, kA7Body), kOtherForms};
  const std::string alphabet = "()[]{}:,.;=-+*/%<>!~\"'\\#\n\t \r0123456789xe_ifdnotr\xC3\xA9\x00";
  std::mt19937 rng(12345);
  int ok = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 8); break;
        case 2: text.insert(at, text.substr(rng() % text.size(), 1 + rng() % 16)); break;
        case 3: text.resize(at); break;
      }
    }
    ParseOptions options;
    options.max_nesting = 1 + rng() % 40;
    absl::StatusOr<ParsedRecord> r = ParseRecord("m.py", text, options);
    if (r.ok()) {
      ++ok;
    } else {
      EXPECT_THAT(std::string(r.status().message()), StartsWith("m.py:")) << text;
    }
    (void)ParseExpression("m", text, options);
  }
  EXPECT_GT(ok, 0);
}

TEST(AstTest, LocationString) {
  SourceLocation loc;
  loc.line = 12;
  loc.column = 5;
  EXPECT_EQ(LocationString(loc), "<unknown>:12:5");
  loc.record = std::make_shared<const std::string>("code/__torch__.py");
  EXPECT_EQ(LocationString(loc), "code/__torch__.py:12:5");
}

}  // namespace
}  // namespace script
}  // namespace jit
}  // namespace ptser
