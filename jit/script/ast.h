// Copyright ptser authors.
//
// jit/script/ast.h — the syntax tree of the TorchScript that PyTorch's
// printer writes into an archive's `code/` records
// (docs/formats/torchscript.md, "The language of code records").
//
// The parser (jit/script/parser.h) builds it; the interpreter
// (jit/script/interpreter.h) runs it.  Every node carries the location of
// its first character, so an error names the record, line and column:
//
//   code/__torch__.py:12:5: ...
//
// The tree is plain data: nodes own their children through unique_ptr and
// are never shared.  Type annotations are kept as expressions (`List[int]`
// is a Subscript of the Name `List`); jit/script/types.h reads them.
#ifndef PTSER_JIT_SCRIPT_AST_H_
#define PTSER_JIT_SCRIPT_AST_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptser {
namespace jit {
namespace script {

// Where a node starts.  `record` is the code record's name inside the
// archive folder ("code/__torch__.py"); lines and columns count from 1.
struct SourceLocation {
  std::shared_ptr<const std::string> record;
  int line = 0;
  int column = 0;
};

// "code/__torch__.py:12:5" (or "<unknown>:12:5" without a record).
std::string LocationString(const SourceLocation& loc);

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

enum class BinaryOp : uint8_t {
  // Not printed by PyTorch 1.13 (it calls torch.add, ...), parsed for
  // older and hand-edited archives.
  kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow, kMatMul,
  kLShift, kRShift, kBitAnd, kBitOr, kBitXor,
  kEq, kNe, kLt, kLe, kGt, kGe, kIs, kIsNot, kIn, kNotIn,
  kAnd, kOr,  // short-circuit
};

enum class UnaryOp : uint8_t { kNeg, kPos, kNot, kInvert };

struct Expr {
  enum class Kind : uint8_t {
    kName,       // name
    kInt,        // int_value (a literal beyond int64 is a parse error)
    kFloat,      // float_value (`inf` and `nan` are Names)
    kString,     // string_value (escapes decoded; UTF-8)
    kTrue,
    kFalse,
    kNone,
    kEllipsis,   // `...`
    kList,       // [elements]
    kTuple,      // (a,) / (a, b) / () : elements
    kDict,       // {keys[i]: values[i]} : keys, elements (values)
    kAttribute,  // value.name : object, name
    kSubscript,  // value[index] : object, elements[0] (a Slice, or a Tuple for a[i, j])
    kSlice,      // a:b:c inside a subscript : slice_start/stop/step (each may be null)
    kCall,       // callee(args..., name=kw...) : object (callee), elements (positional), keywords
    kUnary,      // unary_op elements[0]
    kBinary,     // elements[0] binary_op elements[1]
    kTernary,    // elements[0] if elements[1] else elements[2]
    kStarred,    // *elements[0] (in a call's arguments)
  };

  struct Keyword {
    std::string name;
    ExprPtr value;
    SourceLocation loc;
  };

  Kind kind;
  SourceLocation loc;

  std::string name;           // kName: the identifier; kAttribute: the attribute
  int64_t int_value = 0;      // kInt
  double float_value = 0;     // kFloat
  std::string string_value;   // kString
  ExprPtr object;             // kAttribute, kSubscript: the value; kCall: the callee
  std::vector<ExprPtr> elements;  // see Kind
  std::vector<ExprPtr> keys;      // kDict
  std::vector<Keyword> keywords;  // kCall
  ExprPtr slice_start, slice_stop, slice_step;  // kSlice
  BinaryOp binary_op = BinaryOp::kAdd;
  UnaryOp unary_op = UnaryOp::kNeg;

  explicit Expr(Kind k) : kind(k) {}
};

struct Param {
  std::string name;
  ExprPtr type;     // may be null (`self` in old archives, untyped args)
  ExprPtr default_value;  // may be null
  bool keyword_only = false;  // after a bare `*`
  SourceLocation loc;
};

struct FunctionDef {
  std::string name;
  std::vector<Param> params;
  ExprPtr return_type;  // may be null
  Block body;
  SourceLocation loc;
};

struct ClassDef {
  std::string name;
  std::vector<ExprPtr> bases;  // `Module`, `NamedTuple`, `Enum`, `Interface`, ...
  // The body: Assign statements (`__parameters__ = [...]`, `RED = 1`),
  // annotated declarations (`weight : Tensor`, `x : Final[int] = 3`,
  // `__annotations__["0"] = T`), FunctionDefs (kDef), `pass`.
  Block body;
  SourceLocation loc;
};

struct Stmt {
  enum class Kind : uint8_t {
    kExpr,      // value
    kAssign,    // targets[0] = targets[1] = ... = value; `annotation` set for `x : T = e`
                // and for a declaration `x : T` (value null).  A target is a
                // Name, Attribute, Subscript, or a Tuple/List of targets
                // (`a, b, = t` is a Tuple of two).
    kAugAssign, // targets[0] aug_op= value
    kIf,        // if condition: body else: orelse (elif = an If alone in orelse)
    kWhile,     // while condition: body
    kFor,       // for targets[0] in value: body
    kWith,      // with items[i] as with_targets[i] (null when no `as`): body
    kReturn,    // return value (may be null)
    kRaise,     // raise value (may be null)
    kAssert,    // assert condition, value (message, may be null)
    kPass,
    kBreak,
    kContinue,
    kDef,       // def_ (a nested def, or a method inside a class)
    kClass,     // class_ (top level only)
    kDelete,    // del targets...
  };

  Kind kind;
  SourceLocation loc;

  std::vector<ExprPtr> targets;
  ExprPtr value;
  ExprPtr annotation;
  BinaryOp aug_op = BinaryOp::kAdd;
  ExprPtr condition;
  Block body;
  Block orelse;
  std::vector<ExprPtr> with_items;
  std::vector<ExprPtr> with_targets;
  std::unique_ptr<FunctionDef> def_;
  std::unique_ptr<ClassDef> class_;

  explicit Stmt(Kind k) : kind(k) {}
};

// One parsed code record: its top-level classes and functions in order
// (`op_version_set = N` and `import` lines of old archives are dropped).
struct ParsedRecord {
  std::shared_ptr<const std::string> record;
  std::vector<std::unique_ptr<ClassDef>> classes;
  std::vector<std::unique_ptr<FunctionDef>> functions;
};

}  // namespace script
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_AST_H_
