// Copyright ptser authors.
//
// base/status_matchers.h — GoogleTest helpers for absl::Status (testonly).
//
// Debian's Abseil has no status matchers, so tests use these:
//
//   EXPECT_OK(Foo());
//   ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Empty({2}, ScalarType::Float));
//   EXPECT_THAT(Bar(), StatusIs(absl::StatusCode::kInvalidArgument,
//                               HasSubstr("offset 12")));
#ifndef PTSER_BASE_STATUS_MATCHERS_H_
#define PTSER_BASE_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace testing_internal {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace testing_internal

// Matches a Status or StatusOr whose code is `code` and whose message
// matches `message_matcher` (any gMock string matcher, or a plain string for
// equality).
MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") +
               absl::StatusCodeToString(code)) {
  const absl::Status& status = ::ptser::testing_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(
             ::testing::MatcherCast<const std::string&>(message_matcher),
             std::string(status.message()), result_listener);
}

// Matches a Status or StatusOr whose code is `code`, whatever its message.
MATCHER_P(StatusIs, code,
          std::string("has status code ") + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::ptser::testing_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code;
}

// Matches an OK Status or StatusOr.
MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::ptser::testing_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.ok();
}

}  // namespace ptser

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::ptser::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::ptser::IsOk())

#define PTSER_MATCHERS_CONCAT_INNER_(a, b) a##b
#define PTSER_MATCHERS_CONCAT_(a, b) PTSER_MATCHERS_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                  \
  ASSERT_OK_AND_ASSIGN_IMPL_(                                             \
      PTSER_MATCHERS_CONCAT_(ptser_status_or_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();       \
  lhs = std::move(statusor).value()

#endif  // PTSER_BASE_STATUS_MATCHERS_H_
