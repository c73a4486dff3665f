// Copyright ptser authors.
//
// pickle/value_graph.cc — walks over the graph of containers a Value reaches:
// ReachableContainers, VisitReachableContainers, NestingDepth,
// ClearContainer and ReleaseValueGraph (value.h).
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "pickle/internal/value_common.h"
#include "pickle/value.h"

namespace ptser {

using value_internal::IsContainerKind;

std::vector<Value> ReachableContainers(const Value& root) {
  std::vector<Value> containers;
  VisitReachableContainers(root, [&containers](const Value& v) {
    containers.push_back(v);
    return true;
  });
  return containers;
}

namespace {

// Calls fn(child) for every value `v` holds directly (items, keys, values,
// an object's arguments and state).
template <typename Fn>
void ForEachChild(const Value& v, Fn fn) {
  switch (v.kind()) {
    case Value::Kind::kList:
      for (const Value& e : v.list().items()) fn(e);
      break;
    case Value::Kind::kTuple:
      for (const Value& e : v.tuple().items()) fn(e);
      break;
    case Value::Kind::kDict:
      for (const auto& item : v.dict().items()) {
        fn(item.key);
        fn(item.value);
      }
      fn(v.dict().state());
      break;
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
      for (const Value& e : v.set().items()) fn(e);
      break;
    case Value::Kind::kObject: {
      const Value::Object& o = v.object();
      fn(o.args());
      fn(o.kwargs());
      fn(o.state());
      for (const Value& e : o.list_items()) fn(e);
      for (const auto& item : o.dict_items()) {
        fn(item.key);
        fn(item.value);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

void VisitReachableContainers(const Value& root,
                              const std::function<bool(const Value&)>& fn) {
  std::vector<Value> containers;
  absl::flat_hash_set<const void*> seen;
  bool stopped = false;
  auto visit = [&](const Value& v) {
    if (!stopped && IsContainerKind(v.kind()) &&
        seen.insert(v.identity()).second) {
      containers.push_back(v);
      if (!fn(v)) stopped = true;
    }
  };
  visit(root);
  for (size_t i = 0; i < containers.size() && !stopped; ++i) {
    const Value v = containers[i];  // a copy: visit() grows the vector
    ForEachChild(v, visit);
  }
}

uint64_t NestingDepth(const Value& root, uint64_t limit) {
  if (!IsContainerKind(root.kind())) return 0;
  // Depth-first, iteratively; each container's height is computed once
  // (shared sub-containers cost nothing more), and an edge back to a
  // container still being walked (a cycle) counts as a leaf.
  constexpr uint64_t kInProgress = ~uint64_t{0};
  absl::flat_hash_map<const void*, uint64_t> height;
  struct Frame {
    Value v;
    std::vector<Value> children;
    size_t next = 0;
    uint64_t best = 0;  // the highest child so far
  };
  std::vector<Frame> stack;
  auto enter = [&](const Value& v) {
    height[v.identity()] = kInProgress;
    Frame f{v, {}, 0, 0};
    ForEachChild(v, [&f](const Value& c) {
      if (IsContainerKind(c.kind())) f.children.push_back(c);
    });
    stack.push_back(std::move(f));
  };
  enter(root);
  uint64_t result = 0;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (stack.size() > limit) return limit + 1;
    if (f.next < f.children.size()) {
      const Value child = f.children[f.next++];
      auto it = height.find(child.identity());
      if (it == height.end()) {
        enter(child);
      } else if (it->second != kInProgress) {
        f.best = std::max(f.best, it->second);
      }
      continue;
    }
    const uint64_t h = f.best + 1;
    height[f.v.identity()] = h;
    stack.pop_back();
    if (stack.empty()) {
      result = h;
    } else {
      stack.back().best = std::max(stack.back().best, h);
    }
  }
  return result;
}

void ClearContainer(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kList:
      v.list().items_.clear();
      break;
    case Value::Kind::kTuple:
      // An empty tuple may be shared by every load (the unpickler's ()):
      // it is never written to.
      if (!v.tuple().empty()) const_cast<Value::Tuple&>(v.tuple()).DestroyItems();
      break;
    case Value::Kind::kDict: {
      Value::Dict& d = v.dict();
      d.items_.clear();
      d.hashes_.clear();
      d.index_.Clear();
      d.state_ = Value();
      break;
    }
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet: {
      Value::Set& st = v.set();
      st.items_.clear();
      st.hashes_.clear();
      st.index_.Clear();
      break;
    }
    case Value::Kind::kObject: {
      Value::Object& o = v.object();
      o.args_ = Value();
      o.kwargs_ = Value();
      o.state_ = Value();
      o.has_state_ = false;
      o.list_items_.clear();
      o.dict_items_.clear();
      break;
    }
    default:
      break;
  }
}

void ReleaseValueGraph(const Value& root) {
  // Every container is held by `all` while the others are emptied, so
  // nothing is freed while still being walked.
  std::vector<Value> all = ReachableContainers(root);
  for (const Value& v : all) ClearContainer(v);
}

}  // namespace ptser
