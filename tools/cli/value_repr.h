// Copyright ptser authors.
//
// tools/cli/value_repr.h — Python's repr of a loaded Value, with tensors
// printed as PyTorch prints them (tensor/print), not as placeholders:
//
//   {'a': tensor([1., 2.]), 'b': tensor([3., 4.])}
#ifndef PTSER_TOOLS_CLI_VALUE_REPR_H_
#define PTSER_TOOLS_CLI_VALUE_REPR_H_

#include <string>

#include "pickle/value.h"

namespace ptser {
namespace cli {

std::string ReprWithTensors(const Value& value);

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_VALUE_REPR_H_
