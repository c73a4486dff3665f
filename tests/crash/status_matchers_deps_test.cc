// Copyright ptser authors.
//
// tests/crash/status_matchers_deps_test.cc — //base:status_matchers lists
// only gtest in its deps, but status_matchers.h includes gmock/gmock.h and
// its matchers need gmock's library: a test depending on status_matchers
// and gtest alone fails to link ("undefined reference to
// testing::internal::FormatMatcherDescription").  Tagged "manual"; this
// target builds once //base:status_matchers depends on
// @com_google_googletest//:gmock.
#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gtest/gtest.h"

TEST(StatusMatchersDeps, LinksWithTheLibraryDepsAlone) { EXPECT_OK(absl::OkStatus()); }
