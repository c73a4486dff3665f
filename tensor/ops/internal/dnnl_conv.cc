// Copyright ptser authors.
#include "tensor/ops/internal/dnnl_conv.h"

#ifdef PTSER_HAVE_DNNL

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "dnnl.hpp"
#include "tensor/ops/internal/parallel.h"

// libgomp's, which oneDNN (an OpenMP build) links; declared here rather than
// through <omp.h>, which clang finds only with libomp-dev installed.
extern "C" int omp_get_max_threads(void);
extern "C" void omp_set_num_threads(int);

namespace ptser {
namespace ops_internal {
namespace {

using dnnl::memory;
using Tag = dnnl::memory::format_tag;
using Dt = dnnl::memory::data_type;

dnnl::engine& Engine() {
  static dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

// The compiled convolution of one geometry and epilogue, with the reorders
// between the caller's plain layouts and the kernel's.
struct Plan {
  dnnl::convolution_forward conv;
  memory::desc src_plain, wei_plain, dst_plain;
  memory::desc src, wei, dst, bias, channel;
  std::optional<dnnl::reorder> src_in, wei_in, dst_out;
  bool has_affine = false;
};

std::vector<int64_t> KeyOf(const ConvShape& s, bool bias, const ConvEpilogue& e, int threads) {
  std::vector<int64_t> key = {threads, s.n, s.c, s.h, s.w, s.o, s.kh, s.kw, s.oh, s.ow,
                              s.stride[0], s.stride[1], s.padding[0], s.padding[1],
                              s.padding[2], s.padding[3], s.dilation[0], s.dilation[1],
                              s.groups, bias ? 1 : 0, e.scale != nullptr ? 1 : 0,
                              e.clamp ? 1 : 0};
  if (e.clamp) {
    // The clamp bounds are part of the compiled kernel: keyed by their bits.
    int32_t lo, hi;
    static_assert(sizeof(float) == sizeof(int32_t));
    std::memcpy(&lo, &e.lo, sizeof lo);
    std::memcpy(&hi, &e.hi, sizeof hi);
    key.push_back(lo);
    key.push_back(hi);
  }
  return key;
}

std::shared_ptr<Plan> MakePlan(const ConvShape& s, bool has_bias, const ConvEpilogue& e) {
  auto plan = std::make_shared<Plan>();
  const memory::dims src_dims = {s.n, s.c, s.h, s.w};
  const memory::dims dst_dims = {s.n, s.o, s.oh, s.ow};
  memory::dims wei_dims;
  if (s.groups == 1) {
    wei_dims = {s.o, s.c, s.kh, s.kw};
    plan->wei_plain = memory::desc(wei_dims, Dt::f32, Tag::oihw);
  } else {
    wei_dims = {s.groups, s.o / s.groups, s.c / s.groups, s.kh, s.kw};
    plan->wei_plain = memory::desc(wei_dims, Dt::f32, Tag::goihw);
  }
  plan->src_plain = memory::desc(src_dims, Dt::f32, Tag::nchw);
  plan->dst_plain = memory::desc(dst_dims, Dt::f32, Tag::nchw);
  plan->bias = memory::desc({s.o}, Dt::f32, Tag::x);
  plan->channel = memory::desc({1, s.o, 1, 1}, Dt::f32, Tag::nchw);
  const memory::desc src_any(src_dims, Dt::f32, Tag::any);
  const memory::desc wei_any(wei_dims, Dt::f32, Tag::any);
  const memory::desc dst_any(dst_dims, Dt::f32, Tag::any);
  const memory::dims strides = {s.stride[0], s.stride[1]};
  // oneDNN counts dilation from 0 (no gaps), PyTorch from 1.
  const memory::dims dilates = {s.dilation[0] - 1, s.dilation[1] - 1};
  const memory::dims pad_l = {s.padding[0], s.padding[2]};
  const memory::dims pad_r = {s.padding[1], s.padding[3]};
  dnnl::post_ops ops;
  if (e.scale != nullptr) {
    ops.append_binary(dnnl::algorithm::binary_mul, plan->channel);
    ops.append_binary(dnnl::algorithm::binary_add, plan->channel);
    plan->has_affine = true;
  }
  if (e.clamp) {
    if (e.lo == 0 && std::isinf(e.hi) && e.hi > 0) {
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    } else {
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip_v2, e.lo, e.hi);
    }
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const auto desc =
      has_bias ? dnnl::convolution_forward::desc(
                     dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                     src_any, wei_any, plan->bias, dst_any, strides, dilates, pad_l, pad_r)
               : dnnl::convolution_forward::desc(
                     dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                     src_any, wei_any, dst_any, strides, dilates, pad_l, pad_r);
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, Engine());
  plan->conv = dnnl::convolution_forward(pd);
  plan->src = pd.src_desc();
  plan->wei = pd.weights_desc();
  plan->dst = pd.dst_desc();
  if (plan->src != plan->src_plain) {
    plan->src_in = dnnl::reorder(dnnl::reorder::primitive_desc(
        Engine(), plan->src_plain, Engine(), plan->src));
  }
  if (plan->wei != plan->wei_plain) {
    plan->wei_in = dnnl::reorder(dnnl::reorder::primitive_desc(
        Engine(), plan->wei_plain, Engine(), plan->wei));
  }
  if (plan->dst != plan->dst_plain) {
    plan->dst_out = dnnl::reorder(dnnl::reorder::primitive_desc(
        Engine(), plan->dst, Engine(), plan->dst_plain));
  }
  return plan;
}

absl::StatusOr<std::shared_ptr<Plan>> FindPlan(const ConvShape& s, bool has_bias,
                                               const ConvEpilogue& e, int threads) {
  static std::mutex* mu = new std::mutex;
  static auto* plans = new std::map<std::vector<int64_t>, std::shared_ptr<Plan>>;
  std::vector<int64_t> key = KeyOf(s, has_bias, e, threads);
  {
    std::lock_guard<std::mutex> lock(*mu);
    auto it = plans->find(key);
    if (it != plans->end()) return it->second;
  }
  std::shared_ptr<Plan> plan;
  try {
    plan = MakePlan(s, has_bias, e);
  } catch (const dnnl::error& err) {
    return absl::InternalError(absl::StrCat("oneDNN refused the convolution: ", err.what(),
                                            " (status ", static_cast<int>(err.status), ")"));
  }
  std::lock_guard<std::mutex> lock(*mu);
  // A bounded cache: networks have tens of geometries; a caller sweeping
  // shapes starts over rather than growing without end.
  if (plans->size() >= 512) plans->clear();
  return plans->emplace(std::move(key), std::move(plan)).first->second;
}

// A per-thread buffer that only grows (the blocked copies of the input,
// weights and output between calls).
struct Scratch {
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<void, Free> data;
  size_t size = 0;
  void* Get(size_t bytes) {
    if (bytes > size) {
      data.reset();
      const size_t rounded = (bytes + 63) / 64 * 64;
      data.reset(std::aligned_alloc(64, rounded));
      size = data ? rounded : 0;
    }
    return data.get();
  }
};

}  // namespace

bool DnnlAvailable() { return true; }

absl::Status DnnlConv2d(const float* x, const float* w, const float* b, float* y,
                        const ConvShape& shape, const ConvEpilogue& epilogue) {
  if ((epilogue.scale == nullptr) != (epilogue.shift == nullptr)) {
    return absl::InvalidArgumentError("DnnlConv2d: scale and shift go together");
  }
  // oneDNN runs on OpenMP threads, as many as omp_get_max_threads(), which
  // libgomp sized from the affinity mask when it was loaded.  A process that
  // pins itself later (to fewer CPUs) would then run two threads spinning on
  // one core: follow the mask as it is now.  A primitive partitions its work
  // for the thread count it was made with, so the count is in the plan's key.
  const int cpus = UsableCpus();
  if (omp_get_max_threads() != cpus) omp_set_num_threads(cpus);
  auto plan_or = FindPlan(shape, b != nullptr, epilogue, cpus);
  if (!plan_or.ok()) return plan_or.status();
  const Plan& plan = **plan_or;
  thread_local Scratch src_buf, wei_buf, dst_buf;
  try {
    dnnl::stream stream(Engine());
    dnnl::memory src_user(plan.src_plain, Engine(), const_cast<float*>(x));
    dnnl::memory wei_user(plan.wei_plain, Engine(), const_cast<float*>(w));
    dnnl::memory dst_user(plan.dst_plain, Engine(), y);
    dnnl::memory src = src_user, wei = wei_user, dst = dst_user;
    if (plan.src_in) {
      void* p = src_buf.Get(plan.src.get_size());
      if (p == nullptr) return absl::ResourceExhaustedError("conv2d: out of memory");
      src = dnnl::memory(plan.src, Engine(), p);
      plan.src_in->execute(stream, src_user, src);
    }
    if (plan.wei_in) {
      void* p = wei_buf.Get(plan.wei.get_size());
      if (p == nullptr) return absl::ResourceExhaustedError("conv2d: out of memory");
      wei = dnnl::memory(plan.wei, Engine(), p);
      plan.wei_in->execute(stream, wei_user, wei);
    }
    if (plan.dst_out) {
      void* p = dst_buf.Get(plan.dst.get_size());
      if (p == nullptr) return absl::ResourceExhaustedError("conv2d: out of memory");
      dst = dnnl::memory(plan.dst, Engine(), p);
    }
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
    if (b != nullptr) {
      args.emplace(DNNL_ARG_BIAS, dnnl::memory(plan.bias, Engine(), const_cast<float*>(b)));
    }
    if (plan.has_affine) {
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1,
                   dnnl::memory(plan.channel, Engine(), const_cast<float*>(epilogue.scale)));
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1,
                   dnnl::memory(plan.channel, Engine(), const_cast<float*>(epilogue.shift)));
    }
    plan.conv.execute(stream, args);
    if (plan.dst_out) plan.dst_out->execute(stream, dst, dst_user);
    stream.wait();
  } catch (const dnnl::error& err) {
    return absl::InternalError(absl::StrCat("oneDNN convolution failed: ", err.what(),
                                            " (status ", static_cast<int>(err.status), ")"));
  }
  return absl::OkStatus();
}

}  // namespace ops_internal
}  // namespace ptser

#else  // !PTSER_HAVE_DNNL: the static release build.

namespace ptser {
namespace ops_internal {

bool DnnlAvailable() { return false; }

absl::Status DnnlConv2d(const float*, const float*, const float*, float*, const ConvShape&,
                        const ConvEpilogue&) {
  return absl::UnimplementedError("this build of ptser has no oneDNN (--define=ptser_dnnl=off)");
}

}  // namespace ops_internal
}  // namespace ptser

#endif  // PTSER_HAVE_DNNL
