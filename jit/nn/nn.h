// Copyright ptser authors.
//
// jit/nn/nn.h — every layer of jit/nn/ in one include (@ptser//jit/nn).
#ifndef PTSER_JIT_NN_NN_H_
#define PTSER_JIT_NN_NN_H_

#include "jit/nn/activation.h"     // IWYU pragma: export
#include "jit/nn/attention.h"      // IWYU pragma: export
#include "jit/nn/basic.h"          // IWYU pragma: export
#include "jit/nn/batchnorm.h"      // IWYU pragma: export
#include "jit/nn/containers.h"     // IWYU pragma: export
#include "jit/nn/conv.h"           // IWYU pragma: export
#include "jit/nn/embedding.h"      // IWYU pragma: export
#include "jit/nn/fused.h"          // IWYU pragma: export
#include "jit/nn/init.h"           // IWYU pragma: export
#include "jit/nn/linear.h"         // IWYU pragma: export
#include "jit/nn/normalization.h"  // IWYU pragma: export
#include "jit/nn/pooling.h"        // IWYU pragma: export
#include "jit/nn/transformer.h"    // IWYU pragma: export

#endif  // PTSER_JIT_NN_NN_H_
