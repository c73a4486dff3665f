// Copyright ptser authors.
//
// tools/cli/progress.h — a progress bar on the terminal for work that takes
// more than a second; silent when stderr is not a terminal (scripts, CI).
//
//   ProgressBar bar("convert");
//   options.progress = bar.Callback();
//   ... ;
//   bar.Finish();
#ifndef PTSER_TOOLS_CLI_PROGRESS_H_
#define PTSER_TOOLS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace ptser {
namespace cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar() { Finish(); }

  void Update(uint64_t done, uint64_t total);
  std::function<void(uint64_t, uint64_t)> Callback() {
    return [this](uint64_t done, uint64_t total) { Update(done, total); };
  }
  // Clears the bar's line if one was drawn.
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace cli
}  // namespace ptser

#endif  // PTSER_TOOLS_CLI_PROGRESS_H_
