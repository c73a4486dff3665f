// Copyright ptser authors.
//
// base/side_thread.h — runs one function beside the caller, on a second
// thread when that helps and one can be had, and otherwise right away on the
// caller's; either way the caller then waits for it with Join().
//
//   uint32_t crc = 0;
//   SideThread crc_pass([&] { crc = Crc32(0, data, n); }, /*use_thread=*/n >= kBig);
//   ... write the bytes ...
//   crc_pass.Join();  // crc is ready
//
// Contract:
// - The function runs exactly once: on a new thread when `use_thread`, the
//   machine has more than one hardware thread and the thread starts;
//   otherwise inside the constructor.
// - Join() waits for it and rethrows here whatever it threw there (so an
//   allocation failure on the side reaches the caller as if it had run
//   inline); Join() again returns at once.
// - The destructor joins too, so nothing the function uses may go before the
//   SideThread does: declare it after what it uses.  An exception nobody
//   joined for is dropped there.
#ifndef PTSER_BASE_SIDE_THREAD_H_
#define PTSER_BASE_SIDE_THREAD_H_

#include <exception>
#include <functional>
#include <thread>

namespace ptser {

class SideThread {
 public:
  SideThread(std::function<void()> fn, bool use_thread);
  ~SideThread();
  SideThread(const SideThread&) = delete;
  SideThread& operator=(const SideThread&) = delete;

  void Join();

 private:
  std::function<void()> fn_;
  std::thread thread_;
  std::exception_ptr error_;
};

}  // namespace ptser

#endif  // PTSER_BASE_SIDE_THREAD_H_
