// Copyright ptser authors.
#include "archive/differential.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace ptser {
namespace {

// The payload's type URL (absl::Status payloads are keyed by one).
constexpr absl::string_view kDifferentialUrl = "ptser/differential";

}  // namespace

absl::Status DifferentialError(absl::string_view context, absl::string_view what) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat(context, "ambiguous: ", what));
  s.SetPayload(kDifferentialUrl, absl::Cord("1"));
  return s;
}

bool IsDifferential(const absl::Status& status) {
  return status.GetPayload(kDifferentialUrl).has_value();
}

absl::Status WithPrefix(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace ptser
