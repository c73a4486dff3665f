#include "base/status_macros.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ptser {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd value 3 at offset 7");
  return x / 2;
}

absl::Status Check(int x, int* out) {
  PTSER_ASSIGN_OR_RETURN(int h, Half(x));
  PTSER_ASSIGN_OR_RETURN(*out, Half(h));
  return absl::OkStatus();
}

int evaluations = 0;
absl::Status Counted(absl::Status s) {
  ++evaluations;
  return s;
}

absl::Status Forward(absl::Status s) {
  PTSER_RETURN_IF_ERROR(Counted(s));
  return absl::OkStatus();
}

TEST(StatusMacros, AssignOrReturnPassesValuesAndErrors) {
  int out = 0;
  EXPECT_OK(Check(8, &out));
  EXPECT_EQ(out, 2);
  EXPECT_THAT(Check(6, &out), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("offset 7")));
}

TEST(StatusMacros, ReturnIfErrorEvaluatesOnce) {
  evaluations = 0;
  EXPECT_OK(Forward(absl::OkStatus()));
  EXPECT_THAT(Forward(absl::DataLossError("bad crc")),
              StatusIs(absl::StatusCode::kDataLoss, "bad crc"));
  EXPECT_EQ(evaluations, 2);
}

}  // namespace
}  // namespace ptser
