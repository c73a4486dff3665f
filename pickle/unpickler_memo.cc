// Copyright ptser authors.
//
// The Unpickler's memo and the bookkeeping that keeps a load bounded: PUT
// entries kept only when a GET of the pickle reads them (ScanMemoReads, a
// quick pass before the real one), the nesting of containers checked as
// mutations link them, and the containers a failed or hostile load left in
// reference cycles released.

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/internal/unpickler_impl.h"
#include "pickle/opcodes.h"

namespace ptser {

namespace op = pickle_op;
using unpickler_internal::kMemoEntryBytes;

absl::Status Unpickler::Impl::MemoizeSlow(uint64_t index) {
  if (frame_size() == 0) return Underflow();
  // An entry no GET of this pickle reads is counted but not kept: the
  // object lives only as long as the stack and containers hold it.
  const bool keep = !reads_known_ || index >= memo_reads_limit_ ||
                    (index < memo_reads_.size() && memo_reads_[index] != 0);
  if (index < memo_dense_set_.size()) {
    uint8_t& flag = memo_dense_set_[index];
    if (flag != 0) {
      // Put before; `keep` depends only on the index, so a kept entry was
      // stored then (flag 1) and is replaced now.
      if (keep) memo_dense_[index] = stack_.back();
      return absl::OkStatus();
    }
  }
  if (Slot* existing = FindMemo(index)) {
    *existing = stack_.back();
    return absl::OkStatus();
  }
  if (memo_count_ >= options_.max_memo_entries) {
    return Error(absl::StatusCode::kResourceExhausted,
                 absl::StrCat("more than ", options_.max_memo_entries,
                              " memo entries (UnpicklerOptions::"
                              "max_memo_entries)"));
  }
  PTSER_RETURN_IF_ERROR(Charge(kMemoEntryBytes));
  ++memo_count_;
  // Grow the vector only while it stays within twice the entry count, so
  // large or scattered indices cannot make it allocate.
  if (index < 2 * memo_count_ + 64) {
    // Grow geometrically (picklers number entries 0, 1, 2, ...); the bound
    // above keeps the vectors within a few times the entry count.  Slots
    // are only made up to the highest kept index (in a torch.save pickle,
    // the few globals and strings read back), flags for every index.
    if (index >= memo_dense_set_.size()) {
      memo_dense_set_.resize(std::max<size_t>(index + 1, 2 * memo_dense_set_.size()), 0);
    }
    if (keep) {
      if (index >= memo_dense_.size()) {
        memo_dense_.resize(std::max<size_t>(index + 1, 2 * memo_dense_.size()));
      }
      memo_dense_[index] = stack_.back();
      memo_dense_set_[index] = 1;
    } else {
      memo_dense_set_[index] = 2;  // put, not kept
    }
  } else {
    memo_sparse_.emplace(index, stack_.back());
  }
  return absl::OkStatus();
}

// Which memo entries does the pickle starting at pos_ read back (GET,
// BINGET, LONG_BINGET before its STOP)?  A quick pass over the opcodes
// that only decodes argument lengths.  Anything it cannot follow (unknown
// opcodes, truncation, huge indices) leaves reads_known_ false, and every
// entry is kept; the real pass then reports the error.
void Unpickler::Impl::ScanMemoReads() {
  reads_known_ = false;
  memo_reads_.clear();
  const uint8_t* const begin = data_.data();
  const size_t end = data_.size();
  // Reads of indices at or past memo_reads_limit_ are not tracked; entries
  // there are always kept (Memoize).  The flags cost at most one byte per
  // two bytes of pickle, and never more than kMaxTrackedMemoIndex.
  memo_reads_limit_ = std::min<uint64_t>(2 * (end - pos_) + 64, kMaxTrackedMemoIndex);
  size_t p = pos_;
  auto line = [&](absl::string_view* out) {
    const void* nl = std::memchr(begin + p, '\n', end - p);
    if (nl == nullptr) return false;
    const size_t len = static_cast<const uint8_t*>(nl) - (begin + p);
    if (out != nullptr) *out = absl::string_view(reinterpret_cast<const char*>(begin + p), len);
    p += len + 1;
    return true;
  };
  auto le = [&](int n, uint64_t* v) {
    if (static_cast<size_t>(n) > end - p) return false;
    *v = LoadLE(begin + p, static_cast<size_t>(n));
    p += n;
    return true;
  };
  auto read = [&](uint64_t index) {
    if (index >= memo_reads_limit_) return true;  // kept anyway
    if (index >= memo_reads_.size()) {
      memo_reads_.resize(
          std::min<uint64_t>(memo_reads_limit_, std::max<size_t>(index + 1, 2 * memo_reads_.size())),
          0);
    }
    memo_reads_[index] = 1;
    return true;
  };
  while (p < end) {
    const uint8_t code = begin[p++];
    uint64_t n = 0;
    switch (code) {
      case op::kStop:
        reads_known_ = true;
        return;
      case op::kMark: case op::kPop: case op::kPopMark: case op::kDup:
      case op::kNone: case op::kNewTrue: case op::kNewFalse:
      case op::kBinPersId: case op::kReduce: case op::kAppend: case op::kBuild:
      case op::kDict: case op::kEmptyDict: case op::kAppends: case op::kList:
      case op::kEmptyList: case op::kObj: case op::kSetItem: case op::kTuple:
      case op::kEmptyTuple: case op::kSetItems: case op::kNewObj:
      case op::kTuple1: case op::kTuple2: case op::kTuple3: case op::kEmptySet:
      case op::kAddItems: case op::kFrozenSet: case op::kNewObjEx:
      case op::kStackGlobal: case op::kMemoize: case op::kNextBuffer:
      case op::kReadOnlyBuffer:
        break;
      case op::kFloat: case op::kInt: case op::kLong: case op::kPersId:
      case op::kString: case op::kUnicode: case op::kPut:
        if (!line(nullptr)) return;
        break;
      case op::kGet: {
        absl::string_view text;
        int64_t index = 0;
        if (!line(&text) || !absl::SimpleAtoi(text, &index) || index < 0 ||
            !read(static_cast<uint64_t>(index))) {
          return;
        }
        break;
      }
      case op::kGlobal: case op::kInst:
        if (!line(nullptr) || !line(nullptr)) return;
        break;
      case op::kBinInt1: case op::kBinPut: case op::kProto: case op::kExt1:
        if (!le(1, &n)) return;
        break;
      case op::kBinGet:
        if (!le(1, &n) || !read(n)) return;
        break;
      case op::kBinInt2: case op::kExt2:
        if (!le(2, &n)) return;
        break;
      case op::kBinInt: case op::kLongBinPut: case op::kExt4:
        if (!le(4, &n)) return;
        break;
      case op::kLongBinGet:
        if (!le(4, &n) || !read(n)) return;
        break;
      case op::kFrame: case op::kBinFloat:
        if (!le(8, &n)) return;
        break;
      case op::kShortBinString: case op::kShortBinUnicode:
      case op::kShortBinBytes: case op::kLong1:
        if (!le(1, &n) || n > end - p) return;
        p += n;
        break;
      case op::kBinString: case op::kBinUnicode: case op::kBinBytes:
      case op::kLong4:
        if (!le(4, &n) || n > end - p) return;
        p += n;
        break;
      case op::kBinUnicode8: case op::kBinBytes8: case op::kByteArray8:
        if (!le(8, &n) || n > end - p) return;
        p += n;
        break;
      default:
        return;
    }
  }
}

absl::Status Unpickler::Impl::MemoGet(uint64_t index) {
  const Slot* slot = FindMemo(index);
  if (slot == nullptr) {
    return Invalid(absl::StrCat("memo key ", index, " not found"));
  }
  uint32_t depth = slot->depth;
  if (!nesting_.empty() && Mutable(slot->value)) {
    auto it = nesting_.find(slot->value.identity());
    if (it != nesting_.end()) depth = std::max(depth, it->second.height);
  }
  return Push(slot->value, depth, slot->owned);
}

absl::StatusOr<Unpickler::Impl::Nesting*> Unpickler::Impl::NestingOf(const Value& v) {
  auto [it, inserted] = nesting_.try_emplace(v.identity());
  if (inserted) {
    nesting_held_.push_back(v);
    PTSER_RETURN_IF_ERROR(Charge(unpickler_internal::kSlotBytes + sizeof(Nesting) + sizeof(void*)));
  }
  return &it->second;
}
// `target` (now `depth` deep) receives `items`: checks the path through
// it and records the items' place.
absl::Status Unpickler::Impl::Place(const Slot& target, uint32_t depth, absl::Span<const Value> items) {
  if (!Mutable(target.value)) return absl::OkStatus();
  PTSER_ASSIGN_OR_RETURN(Nesting* t, NestingOf(target.value));
  t->height = std::max(t->height, depth);
  PTSER_RETURN_IF_ERROR(CheckDepth(t->above + t->height));
  const uint32_t above = t->above + 1;  // t may move: copied first
  const void* self = target.value.identity();
  for (const Value& v : items) {
    // A container placed in itself closes a cycle; it adds no depth.
    if (!Mutable(v) || v.identity() == self) continue;
    PTSER_ASSIGN_OR_RETURN(Nesting* n, NestingOf(v));
    n->above = std::max(n->above, above);
    PTSER_RETURN_IF_ERROR(CheckDepth(n->above + n->height));
  }
  return absl::OkStatus();
}

void Unpickler::Impl::ReleaseUnreachable(const Value* result) {
  if (!mutated_.empty()) {
    // Which mutated containers does the result reach?  Usually all of them,
    // found near the root, so the walk stops early.
    absl::flat_hash_set<const void*> reached;
    if (result != nullptr) {
      VisitReachableContainers(*result, [this, &reached](const Value& c) {
        if (mutated_ids_.contains(c.identity())) reached.insert(c.identity());
        return reached.size() < mutated_ids_.size();
      });
    }
    for (const Value& c : mutated_) {
      if (!reached.contains(c.identity())) ClearContainer(c);
    }
  }
  mutated_.clear();
  mutated_ids_.clear();
  nesting_.clear();
  nesting_held_.clear();
}

}  // namespace ptser
