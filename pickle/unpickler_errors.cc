// Copyright ptser authors.
//
// The Unpickler's error and limit messages.  Each names the opcode and its
// byte offset (in the file, given an offset base):
//
//   BINUNICODE at offset 1234: pickle data truncated: needs 80 bytes, 3 left
//
// Out of line and cold: the opcode loop only calls them on its way out.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pickle/internal/unpickler_impl.h"
#include "pickle/opcodes.h"

namespace ptser {

namespace op = pickle_op;

std::string Unpickler::Impl::Where() const {
  return absl::StrCat(op::OpcodeName(op_), " at offset ", Offset());
}

absl::Status Unpickler::Impl::Error(absl::StatusCode code, absl::string_view message) const {
  return absl::Status(code, absl::StrCat(Where(), ": ", message));
}

absl::Status Unpickler::Impl::Invalid(absl::string_view message) const {
  return Error(absl::StatusCode::kInvalidArgument, message);
}

absl::Status Unpickler::Impl::Corrupt(absl::string_view message) const {
  return Error(absl::StatusCode::kDataLoss, message);
}

absl::Status Unpickler::Impl::Wrap(const absl::Status& status) const {
  return Error(status.code(), status.message());
}

absl::Status Unpickler::Impl::Truncated(uint64_t needed) const {
  return Corrupt(absl::StrCat("pickle data truncated: needs ", needed, " bytes, ", remaining(),
                              " left"));
}

absl::Status Unpickler::Impl::OverLimit() const {
  return Error(absl::StatusCode::kResourceExhausted,
               absl::StrCat("allocation limit of ", options_.max_total_bytes,
                            " bytes exceeded (UnpicklerOptions::max_total_bytes)"));
}

absl::Status Unpickler::Impl::StringTooLong(uint64_t n) const {
  return Error(absl::StatusCode::kResourceExhausted,
               absl::StrCat("string of ", n, " bytes exceeds the limit of ",
                            options_.max_string_bytes, " (UnpicklerOptions::max_string_bytes)"));
}

absl::Status Unpickler::Impl::TooDeep() const {
  return Error(absl::StatusCode::kResourceExhausted,
               absl::StrCat("containers nested deeper than ", options_.max_nesting_depth,
                            " (UnpicklerOptions::max_nesting_depth)"));
}

absl::Status Unpickler::Impl::Underflow() const {
  return Invalid(marks_.empty() || stack_.size() > fence()
                     ? "unpickling stack underflow"
                     : "unpickling stack underflow: the value is below a MARK");
}

absl::Status Unpickler::Impl::NoStop() {
  op_ = 0;
  return absl::DataLossError(absl::StrCat("pickle data truncated at offset ",
                                          offset_base_ + pos_, ": no STOP opcode"));
}

absl::Status Unpickler::Impl::UnknownOpcode() const {
  return absl::DataLossError(absl::StrFormat("invalid opcode 0x%02x at offset %d", op_, Offset()));
}

}  // namespace ptser
