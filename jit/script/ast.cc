// Copyright ptser authors.
//
// jit/script/ast.h: locations as text.

#include "jit/script/ast.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace ptser {
namespace jit {
namespace script {

std::string LocationString(const SourceLocation& loc) {
  const bool named = loc.record != nullptr && !loc.record->empty();
  return absl::StrCat(named ? *loc.record : std::string("<unknown>"), ":", loc.line, ":",
                      loc.column);
}

}  // namespace script
}  // namespace jit
}  // namespace ptser
