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
namespace {

// What ScanMemoReads() does with each opcode: up to kScanFixedMax, skip that
// many argument bytes; otherwise one of the kinds below.
constexpr uint8_t kScanFixedMax = 8;
constexpr uint8_t kScanStop = 20;      // STOP: every read was seen
constexpr uint8_t kScanLine = 21;      // one '\n'-ended argument
constexpr uint8_t kScanTwoLines = 22;  // GLOBAL, INST
constexpr uint8_t kScanGetText = 23;   // GET
constexpr uint8_t kScanGet1 = 24;      // BINGET
constexpr uint8_t kScanGet4 = 25;      // LONG_BINGET
constexpr uint8_t kScanBytes1 = 26;    // a 1-byte length, then that many bytes
constexpr uint8_t kScanBytes4 = 27;
constexpr uint8_t kScanBytes8 = 28;
constexpr uint8_t kScanUnknown = 255;

struct ScanKinds {
  uint8_t kind[256];
  constexpr ScanKinds() : kind() {
    for (uint8_t& k : kind) k = kScanUnknown;
    for (uint8_t c : {op::kMark, op::kPop, op::kPopMark, op::kDup, op::kNone, op::kNewTrue,
                      op::kNewFalse, op::kBinPersId, op::kReduce, op::kAppend, op::kBuild,
                      op::kDict, op::kEmptyDict, op::kAppends, op::kList, op::kEmptyList,
                      op::kObj, op::kSetItem, op::kTuple, op::kEmptyTuple, op::kSetItems,
                      op::kNewObj, op::kTuple1, op::kTuple2, op::kTuple3, op::kEmptySet,
                      op::kAddItems, op::kFrozenSet, op::kNewObjEx, op::kStackGlobal,
                      op::kMemoize, op::kNextBuffer, op::kReadOnlyBuffer}) {
      kind[c] = 0;
    }
    for (uint8_t c : {op::kBinInt1, op::kBinPut, op::kProto, op::kExt1}) kind[c] = 1;
    for (uint8_t c : {op::kBinInt2, op::kExt2}) kind[c] = 2;
    for (uint8_t c : {op::kBinInt, op::kLongBinPut, op::kExt4}) kind[c] = 4;
    for (uint8_t c : {op::kFrame, op::kBinFloat}) kind[c] = 8;
    kind[op::kStop] = kScanStop;
    for (uint8_t c : {op::kFloat, op::kInt, op::kLong, op::kPersId, op::kString, op::kUnicode,
                      op::kPut}) {
      kind[c] = kScanLine;
    }
    kind[op::kGlobal] = kScanTwoLines;
    kind[op::kInst] = kScanTwoLines;
    kind[op::kGet] = kScanGetText;
    kind[op::kBinGet] = kScanGet1;
    kind[op::kLongBinGet] = kScanGet4;
    for (uint8_t c : {op::kShortBinString, op::kShortBinUnicode, op::kShortBinBytes, op::kLong1}) {
      kind[c] = kScanBytes1;
    }
    for (uint8_t c : {op::kBinString, op::kBinUnicode, op::kBinBytes, op::kLong4}) {
      kind[c] = kScanBytes4;
    }
    for (uint8_t c : {op::kBinUnicode8, op::kBinBytes8, op::kByteArray8}) kind[c] = kScanBytes8;
  }
};
constexpr ScanKinds kScanKindTable;
constexpr const uint8_t* kScanKinds = kScanKindTable.kind;

}  // namespace

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
    const uint8_t kind = kScanKinds[code];
    // Most opcodes have a fixed argument length: one compare, no switch.
    if (ABSL_PREDICT_TRUE(kind <= kScanFixedMax)) {
      if (kind > end - p) return;
      p += kind;
      continue;
    }
    uint64_t n = 0;
    switch (kind) {
      case kScanStop:
        reads_known_ = true;
        return;
      case kScanLine:
        if (!line(nullptr)) return;
        break;
      case kScanTwoLines:
        if (!line(nullptr) || !line(nullptr)) return;
        break;
      case kScanGetText: {
        absl::string_view text;
        int64_t index = 0;
        if (!line(&text) || !absl::SimpleAtoi(text, &index) || index < 0 ||
            !read(static_cast<uint64_t>(index))) {
          return;
        }
        break;
      }
      case kScanGet1:
        if (!le(1, &n) || !read(n)) return;
        break;
      case kScanGet4:
        if (!le(4, &n) || !read(n)) return;
        break;
      case kScanBytes1:
        if (!le(1, &n) || n > end - p) return;
        p += n;
        break;
      case kScanBytes4:
        if (!le(4, &n) || n > end - p) return;
        p += n;
        break;
      case kScanBytes8:
        if (!le(8, &n) || n > end - p) return;
        p += n;
        break;
      default:  // an opcode this pass does not know
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
