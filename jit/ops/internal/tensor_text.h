// Copyright ptser authors.
//
// jit/ops/internal/tensor_text.h — a tensor as libtorch's C++ prints it
// (`at::print`, what TorchScript's str(), format() and print() write),
// which is not Python's repr:
//
//   str(torch.tensor([1., 2.5]))  in TorchScript:  " 1.0000\n 2.5000\n[ CPUFloatType{2} ]"
//   str(torch.tensor(2.5))                         "2.5\n[ CPUFloatType{} ]"
//
// Logically private to jit/ops.
#ifndef PTSER_JIT_OPS_INTERNAL_TENSOR_TEXT_H_
#define PTSER_JIT_OPS_INTERNAL_TENSOR_TEXT_H_

#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace ptser {
namespace jit {
namespace ops_internal {

// `linesize` is at::print's line width (80 for operator<<).
std::string LibtorchTensorStr(const Tensor& t, int64_t linesize = 80);

// "CPUFloatType": the backend and dtype name libtorch prints.
std::string LibtorchTypeName(const Tensor& t);

}  // namespace ops_internal
}  // namespace jit
}  // namespace ptser

#endif  // PTSER_JIT_OPS_INTERNAL_TENSOR_TEXT_H_
