// Copyright ptser authors.
//
// tensor/ops/internal/parallel.h — how many threads a kernel may use, and a
// plain parallel loop over them.
//
// UsableCpus() is the number of CPUs this process may run on
// (sched_getaffinity), not the machine's (hardware_concurrency): a process
// pinned to one core (taskset, a container's cpuset) gets one thread, as
// OpenMP (and so libtorch and oneDNN) does.
//
// ParallelFor(n, grain, fn) calls fn(lo, hi) on disjoint ranges covering
// [0, n), on up to UsableCpus() threads (the caller runs the first range),
// each range holding at least `grain` items; below 2 * grain it is one call
// on the calling thread.  fn must not throw and must be safe to run
// concurrently on disjoint ranges.  Threads are started per call, so grain
// should stand for ~50 microseconds of work or more.
#ifndef PTSER_TENSOR_OPS_INTERNAL_PARALLEL_H_
#define PTSER_TENSOR_OPS_INTERNAL_PARALLEL_H_

#include <cstdint>
#include <functional>

namespace ptser {
namespace ops_internal {

int UsableCpus();

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_TENSOR_OPS_INTERNAL_PARALLEL_H_
