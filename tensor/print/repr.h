// Copyright ptser authors.
//
// tensor/print/repr.h — PyTorch's `repr(tensor)`, character for character.
//
// Repr follows torch/_tensor_str.py of PyTorch 1.13 with its default print
// options (precision 4, threshold 1000, edgeitems 3, linewidth 80):
//
//   tensor([ 1,  4,  3,  8,  5, 12,  7, 16,  9])
//   tensor([1.5000, 2.0000])          4 decimals when any value is fractional
//   tensor([1., 2.])                  integer-valued floats end with "."
//   tensor([1.0000e-05, 1.0000e+03])  scientific when max/min > 1000, max >
//                                     1e8, or (fractional) min < 1e-4
//   tensor([ True, False])            columns are right-aligned to one width
//   tensor([[1, 2],
//           [3, 4]])                  nested rows, indented under "tensor(["
//   tensor(1.5000)  tensor(0)         0-dim
//   tensor([])  tensor([], size=(0, 3))  tensor([], dtype=torch.int64)
//   tensor([ 0,  1,  2,  ..., 997, 998, 999])   more than 1000 elements:
//                                     the first and last 3 of every dim
//   tensor([1, 2], dtype=torch.int32) the dtype unless float32, int64, bool
//                                     or complex64 (empty: unless float32)
//   tensor([1., 2.], requires_grad=True)
//   tensor([inf, nan, -inf])          non-finite values print bare
//   tensor([1.+2.j, 3.-4.j])          complex: real and imaginary columns
//
// Lines wrap at 80 columns (a 1-D row breaks into several lines; suffixes
// move to their own line when they would pass column 80).  float16 and
// bfloat16 print as float32 would (with their dtype suffix), complex32 as
// complex64; the lazy negation/conjugation bits are applied; quantized
// tensors print their dequantized values with size, dtype,
// quantization_scheme, scale, zero_point (and axis) suffixes; an
// nn.Parameter (is_parameter()) gets PyTorch's "Parameter containing:\n"
// header.  A tensor on another device gets device='cuda:0' (PyTorch's
// rule: any device but the CPU).
//
// Where ptser cannot read the values — a device other than the CPU (its
// memory is not host memory), "meta", and dtypes without a value decoding
// (quint4x2, quint2x4, bits*, float8_*) — Repr prints PyTorch's meta-tensor
// form, `tensor(..., device='meta', size=(2, 3))` (plus dtype= when not
// float32), instead of values.  Repr never fails.
#ifndef PTSER_TENSOR_PRINT_REPR_H_
#define PTSER_TENSOR_PRINT_REPR_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "tensor/tensor.h"

namespace ptser {

// torch.set_printoptions.  The defaults are PyTorch's.
struct PrintOptions {
  int precision = 4;
  // Summarize (with "...") when numel() is above this.  PyTorch's "full"
  // profile sets it to infinity: use a huge value.
  int64_t threshold = 1000;
  int64_t edgeitems = 3;
  int64_t linewidth = 80;
  // Force scientific notation on (true) or off (false) for floating values;
  // nullopt lets the values decide (see above).
  std::optional<bool> sci_mode;
};

// Nesting printed in full.  PyTorch's repr recurses once per dimension and
// raises RecursionError past about 490 of them; ptser's formatter recurses
// too, so a tensor with more dimensions than this (a file can hold one) is
// printed in the meta form, `tensor(..., size=(1, 1, ...))`, instead of
// running out of stack.
inline constexpr int64_t kMaxPrintedDims = 1000;

// repr(t) with PyTorch's default print options.
std::string Repr(const Tensor& t);
// repr(t) under torch.set_printoptions(**options).
std::string Repr(const Tensor& t, const PrintOptions& options);

// Streams Repr(t) (so gtest and logging show tensors as PyTorch would).
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace ptser

#endif  // PTSER_TENSOR_PRINT_REPR_H_
