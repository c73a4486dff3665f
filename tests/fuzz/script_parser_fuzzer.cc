// Copyright ptser authors.
//
// Fuzzes the TorchScript parser (jit/script/parser.h) from bytes: the input
// is parsed as a code record and as a lone expression, with the default
// nesting limit and with a small one taken from the first byte.  A parse
// either fails with InvalidArgument or ResourceExhausted naming the record
// ("fuzz.py:line:column: ...") or gives a tree whose every node has a
// location in the record (checked by walking it; the walk's depth is bounded
// by the nesting limit, like any reader's).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "jit/script/ast.h"
#include "jit/script/parser.h"

namespace {

using ptser::jit::script::Block;
using ptser::jit::script::Expr;
using ptser::jit::script::ExprPtr;
using ptser::jit::script::FunctionDef;
using ptser::jit::script::SourceLocation;
using ptser::jit::script::Stmt;
using ptser::jit::script::StmtPtr;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckLoc(const SourceLocation& loc, const std::string* record) {
  Check(loc.record.get() == record && loc.line >= 1 && loc.column >= 1);
}

void Walk(const Expr* e, const std::string* record) {
  if (e == nullptr) return;
  CheckLoc(e->loc, record);
  Walk(e->object.get(), record);
  for (const ExprPtr& x : e->elements) Walk(x.get(), record);
  for (const ExprPtr& x : e->keys) Walk(x.get(), record);
  for (const Expr::Keyword& k : e->keywords) {
    CheckLoc(k.loc, record);
    Walk(k.value.get(), record);
  }
  Walk(e->slice_start.get(), record);
  Walk(e->slice_stop.get(), record);
  Walk(e->slice_step.get(), record);
}

void WalkBlock(const Block& block, const std::string* record);

void WalkDef(const FunctionDef& f, const std::string* record) {
  CheckLoc(f.loc, record);
  for (const auto& p : f.params) {
    CheckLoc(p.loc, record);
    Walk(p.type.get(), record);
    Walk(p.default_value.get(), record);
  }
  Walk(f.return_type.get(), record);
  WalkBlock(f.body, record);
}

void WalkBlock(const Block& block, const std::string* record) {
  for (const StmtPtr& s : block) {
    CheckLoc(s->loc, record);
    for (const ExprPtr& x : s->targets) Walk(x.get(), record);
    Walk(s->value.get(), record);
    Walk(s->annotation.get(), record);
    Walk(s->condition.get(), record);
    for (const ExprPtr& x : s->with_items) Walk(x.get(), record);
    for (const ExprPtr& x : s->with_targets) Walk(x.get(), record);
    WalkBlock(s->body, record);
    WalkBlock(s->orelse, record);
    if (s->def_) WalkDef(*s->def_, record);
  }
}

void CheckError(const absl::Status& status, absl::string_view name) {
  Check(status.code() == absl::StatusCode::kInvalidArgument ||
        status.code() == absl::StatusCode::kResourceExhausted);
  Check(absl::StartsWith(status.message(), name));
}

void ParseBoth(absl::string_view text, const ptser::jit::script::ParseOptions& options) {
  absl::StatusOr<ptser::jit::script::ParsedRecord> parsed =
      ptser::jit::script::ParseRecord("fuzz.py", text, options);
  if (parsed.ok()) {
    const std::string* record = parsed->record.get();
    Check(record != nullptr && *record == "fuzz.py");
    for (const auto& c : parsed->classes) {
      CheckLoc(c->loc, record);
      for (const ExprPtr& b : c->bases) Walk(b.get(), record);
      WalkBlock(c->body, record);
    }
    for (const auto& f : parsed->functions) WalkDef(*f, record);
  } else {
    CheckError(parsed.status(), "fuzz.py:");
  }
  absl::StatusOr<ExprPtr> expr = ptser::jit::script::ParseExpression("expr", text, options);
  if (expr.ok()) {
    Check(*expr != nullptr);
  } else {
    CheckError(expr.status(), "expr:");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  ParseBoth(text, {});
  if (size > 0) {
    ptser::jit::script::ParseOptions small;
    small.max_nesting = data[0] % 16;
    ParseBoth(text.substr(1), small);
  }
  return 0;
}
