// Copyright ptser authors.
//
// tensor/ops/ops.h — every op family in one include (//tensor/ops).
//
// Prefer the family headers in library code; this is for tools, tests and
// examples that use many ops.
//
// ptser has no autograd: every op behaves as under torch.no_grad() (results
// never require grad, and in-place ops on tensors that require grad are
// allowed).
#ifndef PTSER_TENSOR_OPS_OPS_H_
#define PTSER_TENSOR_OPS_OPS_H_

#include "tensor/ops/activation.h"      // IWYU pragma: export
#include "tensor/ops/arithmetic.h"      // IWYU pragma: export
#include "tensor/ops/attention.h"       // IWYU pragma: export
#include "tensor/ops/bitwise.h"         // IWYU pragma: export
#include "tensor/ops/clamp.h"           // IWYU pragma: export
#include "tensor/ops/comparison.h"      // IWYU pragma: export
#include "tensor/ops/conv.h"            // IWYU pragma: export
#include "tensor/ops/creation.h"        // IWYU pragma: export
#include "tensor/ops/dropout.h"         // IWYU pragma: export
#include "tensor/ops/embedding.h"       // IWYU pragma: export
#include "tensor/ops/indexing.h"        // IWYU pragma: export
#include "tensor/ops/linalg.h"          // IWYU pragma: export
#include "tensor/ops/neg.h"             // IWYU pragma: export
#include "tensor/ops/normalization.h"   // IWYU pragma: export
#include "tensor/ops/pointwise.h"       // IWYU pragma: export
#include "tensor/ops/pooling.h"         // IWYU pragma: export
#include "tensor/ops/reduction.h"       // IWYU pragma: export
#include "tensor/ops/rnn.h"             // IWYU pragma: export
#include "tensor/ops/scan.h"            // IWYU pragma: export
#include "tensor/ops/shape.h"           // IWYU pragma: export
#include "tensor/ops/softmax.h"         // IWYU pragma: export
#include "tensor/ops/sort.h"            // IWYU pragma: export
#include "tensor/ops/statistics.h"      // IWYU pragma: export
#include "tensor/scalar.h"          // IWYU pragma: export
#include "tensor/ops/type_promotion.h"  // IWYU pragma: export
#include "tensor/ops/unary.h"           // IWYU pragma: export
#include "tensor/ops/where.h"           // IWYU pragma: export

#endif  // PTSER_TENSOR_OPS_OPS_H_
