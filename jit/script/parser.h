// Copyright ptser authors.
//
// jit/script/parser.h — TorchScript code records into syntax trees
// (jit/script/ast.h).
//
//   PTSER_ASSIGN_OR_RETURN(ParsedRecord parsed,
//                          ParseRecord("code/__torch__.py", text));
//
// The language is what PyTorch's printer writes (docs/formats/torchscript.md):
// Python's indentation-based syntax, a subset of its statements and
// expressions, plus the infix operators and `elif` that older or hand-edited
// archives may hold.  Anything else is InvalidArgumentError naming the
// record, line and column: "code/__torch__.py:3:9: expected ':' after the
// condition of `if`, got newline".  Never a crash: nesting (brackets,
// blocks, operators) deeper than ParseOptions::max_nesting is an error, not
// a deep recursion.
#ifndef PTSER_JIT_SCRIPT_PARSER_H_
#define PTSER_JIT_SCRIPT_PARSER_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jit/script/ast.h"

namespace ptser {
namespace jit {
namespace script {

struct ParseOptions {
  // Deepest nesting of blocks plus brackets plus operators.  Default: 256.
  size_t max_nesting = 256;
};

// Parses the code record `record` (its name inside the archive folder, used
// in locations and messages) whose text is `text` (UTF-8).
absl::StatusOr<ParsedRecord> ParseRecord(absl::string_view record, absl::string_view text,
                                         const ParseOptions& options = {});

// Parses one expression alone (a type annotation such as "Dict[str, int]",
// or a test's snippet); `what` names it in messages.
absl::StatusOr<ExprPtr> ParseExpression(absl::string_view what, absl::string_view text,
                                        const ParseOptions& options = {});

}  // namespace script
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_SCRIPT_PARSER_H_
