// Copyright ptser authors.
#include "base/side_thread.h"

#include <system_error>
#include <utility>

namespace ptser {

SideThread::SideThread(std::function<void()> fn, bool use_thread) : fn_(std::move(fn)) {
  if (use_thread && std::thread::hardware_concurrency() > 1) {
    try {
      thread_ = std::thread([this] {
        try {
          fn_();
        } catch (...) {  // an exception must not end the process from there
          error_ = std::current_exception();
        }
      });
      return;
    } catch (const std::system_error&) {
      // No thread to be had: run it here.
    }
  }
  fn_();
}

SideThread::~SideThread() {
  if (thread_.joinable()) thread_.join();
}

void SideThread::Join() {
  if (thread_.joinable()) thread_.join();
  if (error_ != nullptr) {
    std::exception_ptr error = std::move(error_);
    error_ = nullptr;
    std::rethrow_exception(error);
  }
}

}  // namespace ptser
