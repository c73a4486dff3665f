// Copyright ptser authors.
#include "tools/cli/json_stream.h"

#include <cassert>
#include <string>

namespace ptser {
namespace cli {
namespace {

constexpr auto kReplace = Json::error_handler_t::replace;

}  // namespace

std::string JsonQuote(absl::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, kReplace);
}

void JsonStream::NewLine() {
  Frame& f = open_.back();
  out_ << (f.empty ? "\n" : ",\n");
  f.empty = false;
  for (size_t i = 0; i < open_.size(); ++i) out_ << "  ";
}

void JsonStream::BeginValue() {
  if (open_.empty()) return;
  if (open_.back().object) {
    assert(after_key_ && "a value in an object needs a Key first");
    after_key_ = false;
    return;
  }
  NewLine();
}

void JsonStream::BeginObject() {
  BeginValue();
  out_ << '{';
  open_.push_back({true, true});
}

void JsonStream::BeginArray() {
  BeginValue();
  out_ << '[';
  open_.push_back({false, true});
}

void JsonStream::End() {
  assert(!open_.empty() && !after_key_);
  const Frame f = open_.back();
  open_.pop_back();
  if (!f.empty) {
    out_ << '\n';
    for (size_t i = 0; i < open_.size(); ++i) out_ << "  ";
  }
  out_ << (f.object ? '}' : ']');
}

void JsonStream::Key(absl::string_view name) {
  assert(!open_.empty() && open_.back().object && !after_key_);
  NewLine();
  out_ << JsonQuote(name) << ": ";
  after_key_ = true;
}

void JsonStream::Write(const Json& value) {
  BeginValue();
  const std::string text = value.dump(2, ' ', false, kReplace);
  if (open_.empty()) {
    out_ << text;
    return;
  }
  // dump(2) indents from column 0; each of its line breaks moves to this
  // value's depth.  (A JSON string never holds a raw line break.)
  const std::string indent(2 * open_.size(), ' ');
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out_.write(text.data() + start, static_cast<std::streamsize>(nl + 1 - start));
    out_ << indent;
    start = nl + 1;
  }
  out_.write(text.data() + start, static_cast<std::streamsize>(text.size() - start));
}

void JsonStream::WriteRaw(absl::string_view json_text) {
  BeginValue();
  out_.write(json_text.data(), static_cast<std::streamsize>(json_text.size()));
}

}  // namespace cli
}  // namespace ptser
