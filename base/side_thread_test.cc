// Copyright ptser authors.
#include "base/side_thread.h"

#include <atomic>
#include <chrono>
#include <new>
#include <stdexcept>
#include <thread>

#include "gtest/gtest.h"

namespace ptser {
namespace {

TEST(SideThread, RunsOnceOnAThreadOrHere) {
  for (bool use_thread : {true, false}) {
    std::atomic<int> runs{0};
    std::thread::id where;
    {
      SideThread side([&] {
        where = std::this_thread::get_id();
        ++runs;
      }, use_thread);
      side.Join();
      EXPECT_EQ(runs.load(), 1);
      if (!use_thread) {
        EXPECT_EQ(where, std::this_thread::get_id());
      } else if (std::thread::hardware_concurrency() > 1) {
        EXPECT_NE(where, std::this_thread::get_id());
      }
      side.Join();  // again: nothing more
    }
    EXPECT_EQ(runs.load(), 1);
  }
}

TEST(SideThread, WhatItThrowsIsRethrownByJoin) {
  SideThread side([] { throw std::bad_alloc(); }, /*use_thread=*/true);
  EXPECT_THROW(side.Join(), std::bad_alloc);
  side.Join();  // once only
  // Inline, it throws from the constructor, as a plain call would.
  EXPECT_THROW(SideThread([] { throw std::runtime_error("x"); }, false), std::runtime_error);
}

TEST(SideThread, TheDestructorJoinsAndDropsAnUnjoinedError) {
  std::atomic<bool> done{false};
  {
    SideThread side([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done = true;
      throw std::runtime_error("dropped");
    }, true);
  }
  EXPECT_TRUE(done.load());
}

}  // namespace
}  // namespace ptser
