// Copyright ptser authors.
//
// base/status_macros.h — propagation macros for absl::Status / absl::StatusOr.
//
// Debian's Abseil (20220623) ships Status and StatusOr but none of the macros
// Google code uses with them, so ptser keeps these two small ones:
//
//   PTSER_RETURN_IF_ERROR(ReadHeader(source));
//   PTSER_ASSIGN_OR_RETURN(Tensor t, Tensor::Empty({2, 3}, ScalarType::Float));
//
// Both evaluate their argument exactly once.  On error the enclosing function
// returns the error Status unchanged (it must return Status or StatusOr<T>).
#ifndef PTSER_BASE_STATUS_MACROS_H_
#define PTSER_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PTSER_STATUS_CONCAT_INNER_(a, b) a##b
#define PTSER_STATUS_CONCAT_(a, b) PTSER_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define PTSER_RETURN_IF_ERROR(expr)                      \
  do {                                                   \
    ::absl::Status ptser_status_ = (expr);               \
    if (!ptser_status_.ok()) return ptser_status_;       \
  } while (false)

// `lhs` is a declaration or an assignable expression; `rexpr` yields a
// StatusOr<T>.  On error returns its status; otherwise moves the value in.
#define PTSER_ASSIGN_OR_RETURN(lhs, rexpr)                                   \
  PTSER_ASSIGN_OR_RETURN_IMPL_(                                              \
      PTSER_STATUS_CONCAT_(ptser_statusor_, __LINE__), lhs, rexpr)

#define PTSER_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // PTSER_BASE_STATUS_MACROS_H_
