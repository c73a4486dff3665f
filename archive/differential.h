// Copyright ptser authors.
//
// archive/differential.h — files that two readers would read differently.
//
// `ptser verify` judges the file PyTorch will read, so wherever PyTorch's
// readers (miniz in caffe2's inline_container for zip archives, Python's
// tarfile and the legacy loader of torch/serialization.py) could read the
// bytes differently from ptser, ptser refuses the file instead of picking one
// reading (docs/security.md, "Where two readers could disagree").  Such a
// refusal is an InvalidArgumentError whose message says "ambiguous" and which
// carries a payload that marks it, so that `verify` reports it as a finding
// (exit 3) rather than as an unreadable file:
//
//   'x.pt' at offset 913: ambiguous: records 'archive/DATA.PKL' and
//   'archive/data.pkl' differ only in case (PyTorch's zip reader looks names
//   up ignoring case)
#ifndef PTSER_ARCHIVE_DIFFERENTIAL_H_
#define PTSER_ARCHIVE_DIFFERENTIAL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ptser {

// InvalidArgumentError("<context>ambiguous: <what>"), marked as a parser
// differential.  `context` names the file and offset ("'x.pt' at offset 9: ").
absl::Status DifferentialError(absl::string_view context, absl::string_view what);

// Whether `status` (or a status rebuilt from it with WithPrefix) is one.
bool IsDifferential(const absl::Status& status);

// `status` with `prefix` in front of its message; code and payloads kept.
absl::Status WithPrefix(const absl::Status& status, absl::string_view prefix);

}  // namespace ptser

#endif  // PTSER_ARCHIVE_DIFFERENTIAL_H_
