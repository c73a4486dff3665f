// Copyright ptser authors.
//
// The pickle machine: a value stack split by marks, and a memo.  The opcode
// semantics follow Python's pickle (Lib/pickletools.py documents each
// opcode); where CPython's C unpickler and the pure-Python one differ, this
// follows the C one (what `pickle.loads` runs): POP of an empty frame pops
// the mark; APPENDS/SETITEMS/ADDITEMS need their target below the mark and
// above the previous one.

#include "pickle/unpickler.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "pickle/internal/python_text.h"
#include "pickle/opcodes.h"
#include "pickle/torch_globals.h"

namespace ptser {

namespace op = pickle_op;

namespace {

// Approximate bytes charged per container slot, memo entry, stack slot.
constexpr uint64_t kSlotBytes = sizeof(Value) + sizeof(uint32_t);

// The bytes a global's handler allocated for its result, shallowly (the
// items a new container holds are shared, not copied): a str, bytes or
// bytearray's payload, a container's item slots.
uint64_t AllocatedBytes(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kStr:
    case Value::Kind::kBytes:
      return v.as_string().size();
    case Value::Kind::kByteArray:
      return v.bytearray().size();
    case Value::Kind::kList:
      return v.list().size() * kSlotBytes;
    case Value::Kind::kTuple:
      return v.tuple().size() * kSlotBytes;
    case Value::Kind::kDict:
      return v.dict().size() * 2 * kSlotBytes;
    case Value::Kind::kSet:
    case Value::Kind::kFrozenSet:
      return v.set().size() * kSlotBytes;
    default:
      return 0;
  }
}
constexpr uint64_t kMemoEntryBytes = sizeof(Value) + 32;

// The unsigned little-endian integer of n (1, 2, 4 or 8) bytes at p.
inline uint64_t LoadLittleEndian(const uint8_t* p, int n) {
  switch (n) {
    case 1:
      return p[0];
    case 2:
      return uint64_t{p[0]} | uint64_t{p[1]} << 8;
    case 4: {
      uint32_t x;
      std::memcpy(&x, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      x = __builtin_bswap32(x);
#endif
      return x;
    }
    default: {
      uint64_t x = 0;
      for (int i = n - 1; i >= 0; --i) x = (x << 8) | p[i];
      return x;
    }
  }
}

absl::Status WithCode(absl::StatusCode code, std::string message) {
  return absl::Status(code, message);
}

}  // namespace

class Unpickler::Impl {
 public:
  Impl(absl::Span<const uint8_t> data, UnpicklerOptions options)
      : data_(data), options_(std::move(options)) {
    registry_ = options_.globals != nullptr ? options_.globals : &TorchGlobals();
  }

  absl::StatusOr<Value> Load();
  size_t position() const { return position_; }
  void set_position(size_t offset) { position_ = std::min(offset, data_.size()); }
  void set_offset_base(uint64_t base) { offset_base_ = base; }
  int protocol() const { return protocol_; }

 private:
  struct Slot {
    Slot() = default;
    Slot(Value&& v, uint32_t d, bool o) : value(std::move(v)), depth(d), owned(o) {}
    Value value;
    uint32_t depth = 0;  // container nesting as built (0 for scalars)
    // A container this load made (not one from a hook or the registry):
    // only these may be emptied by ReleaseUnreachable().
    bool owned = false;
  };

  // ---- errors -------------------------------------------------------------
  // Out of line, so the opcode loop's frame carries none of their strings.
  ABSL_ATTRIBUTE_NOINLINE std::string Where() const {
    return absl::StrCat(op::OpcodeName(op_), " at offset ", Offset());
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status Error(absl::StatusCode code, absl::string_view message) const {
    return WithCode(code, absl::StrCat(Where(), ": ", message));
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status Invalid(absl::string_view message) const {
    return Error(absl::StatusCode::kInvalidArgument, message);
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status Corrupt(absl::string_view message) const {
    return Error(absl::StatusCode::kDataLoss, message);
  }
  // Prefixes a handler's or hook's error with the opcode and offset.
  ABSL_ATTRIBUTE_NOINLINE absl::Status Wrap(const absl::Status& status) const {
    return WithCode(status.code(),
                    absl::StrCat(Where(), ": ", status.message()));
  }

  // ---- input --------------------------------------------------------------
  size_t remaining() const { return data_.size() - pos_; }
  ABSL_ATTRIBUTE_NOINLINE absl::Status Truncated(uint64_t needed) const {
    return Corrupt(absl::StrCat("pickle data truncated: needs ", needed,
                                " bytes, ", remaining(), " left"));
  }
  absl::Status Read(uint64_t n, const uint8_t** out) {
    if (n > remaining()) return Truncated(n);
    *out = data_.data() + pos_;
    pos_ += n;
    return absl::OkStatus();
  }
  absl::Status ReadU8(uint8_t* v) {
    const uint8_t* p = nullptr;
    PTSER_RETURN_IF_ERROR(Read(1, &p));
    *v = p[0];
    return absl::OkStatus();
  }
  absl::Status ReadLE(int n, uint64_t* v) {
    if (ABSL_PREDICT_FALSE(static_cast<size_t>(n) > remaining())) return Truncated(n);
    const uint8_t* p = data_.data() + pos_;
    pos_ += n;
    *v = LoadLittleEndian(p, n);
    return absl::OkStatus();
  }
  // A line without its '\n'.
  absl::Status ReadLine(absl::string_view* line) {
    const uint8_t* start = data_.data() + pos_;
    const void* nl = std::memchr(start, '\n', remaining());
    if (nl == nullptr) {
      return Corrupt("pickle data truncated: no newline ends the argument");
    }
    size_t len = static_cast<const uint8_t*>(nl) - start;
    *line = absl::string_view(reinterpret_cast<const char*>(start), len);
    pos_ += len + 1;
    return absl::OkStatus();
  }

  // ---- limits -------------------------------------------------------------
  absl::Status Charge(uint64_t bytes) {
    charged_ += bytes;
    if (ABSL_PREDICT_FALSE(charged_ > options_.max_total_bytes)) return OverLimit();
    return absl::OkStatus();
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status OverLimit() const {
    return Error(absl::StatusCode::kResourceExhausted,
                 absl::StrCat("allocation limit of ", options_.max_total_bytes,
                              " bytes exceeded (UnpicklerOptions::max_total_bytes)"));
  }
  absl::Status CheckStringLength(uint64_t n) {
    if (n > options_.max_string_bytes) {
      return Error(absl::StatusCode::kResourceExhausted,
                   absl::StrCat("string of ", n, " bytes exceeds the limit of ",
                                options_.max_string_bytes,
                                " (UnpicklerOptions::max_string_bytes)"));
    }
    if (n > remaining()) return Truncated(n);
    return Charge(n);
  }
  absl::Status CheckDepth(uint32_t depth) {
    if (ABSL_PREDICT_FALSE(depth > options_.max_nesting_depth)) return TooDeep();
    return absl::OkStatus();
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status TooDeep() const {
    return Error(absl::StatusCode::kResourceExhausted,
                 absl::StrCat("containers nested deeper than ", options_.max_nesting_depth,
                              " (UnpicklerOptions::max_nesting_depth)"));
  }

  // ---- stack --------------------------------------------------------------
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  size_t frame_size() const { return stack_.size() - fence(); }

  absl::Status Push(Value&& v, uint32_t depth = 0, bool owned = false) {
    if (ABSL_PREDICT_FALSE(stack_.size() >= stack_high_water_)) return PushHigher(std::move(v), depth, owned);
    stack_.emplace_back(std::move(v), depth, owned);
    return absl::OkStatus();
  }
  absl::Status Push(const Value& v, uint32_t depth = 0, bool owned = false) {
    return Push(Value(v), depth, owned);
  }
  // Push past the highest the stack has been: charged.
  ABSL_ATTRIBUTE_NOINLINE absl::Status PushHigher(Value&& v, uint32_t depth, bool owned) {
    stack_high_water_ = stack_.size() + 1;
    PTSER_RETURN_IF_ERROR(Charge(kSlotBytes));
    stack_.emplace_back(std::move(v), depth, owned);
    return absl::OkStatus();
  }
  // Pushes a container this load just made.
  absl::Status PushNew(Value&& v, uint32_t depth) {
    return Push(std::move(v), depth, /*owned=*/true);
  }
  // Records that an owned container got items or state after it was made:
  // only such containers can close a reference cycle.
  absl::Status NoteMutated(const Slot& target) {
    if (!target.owned) return absl::OkStatus();
    const void* id = target.value.identity();
    if (id == nullptr || !mutated_ids_.insert(id).second) {
      return absl::OkStatus();
    }
    mutated_.push_back(target.value);  // held: its address stays unique
    return Charge(kSlotBytes);
  }
  void ReleaseUnreachable(const Value* result);
  Slot* FindMemo(uint64_t index) {
    if (index < memo_dense_set_.size() && memo_dense_set_[index] == 1) {
      return &memo_dense_[index];
    }
    if (memo_sparse_.empty()) return nullptr;  // what picklers write
    auto it = memo_sparse_.find(index);
    return it == memo_sparse_.end() ? nullptr : &it->second;
  }
  void ClearMemo() {
    memo_dense_.clear();
    memo_dense_set_.clear();
    memo_sparse_.clear();
    memo_count_ = 0;
    handler_cache_.clear();
    recent_handlers_[0] = recent_handlers_[1] = RecentHandler{};
  }

  ABSL_ATTRIBUTE_NOINLINE absl::Status Underflow() const {
    return Invalid(marks_.empty() || stack_.size() > fence()
                       ? "unpickling stack underflow"
                       : "unpickling stack underflow: the value is "
                         "below a MARK");
  }
  absl::Status Pop(Slot* out) {
    if (frame_size() == 0) return Underflow();
    *out = std::move(stack_.back());
    stack_.pop_back();
    return absl::OkStatus();
  }
  absl::Status Top(Slot** out) {
    if (frame_size() == 0) return Underflow();
    *out = &stack_.back();
    return absl::OkStatus();
  }
  // Values taken off the stack, with the deepest nesting among them.
  struct Items {
    std::vector<Value> values;
    uint32_t max_depth = 0;
    void Add(Slot&& slot) {
      max_depth = std::max(max_depth, slot.depth);
      values.push_back(std::move(slot.value));
    }
  };
  // Pops everything above the last mark, and the mark.
  absl::Status PopMark(Items* items) {
    if (marks_.empty()) return Invalid("could not find MARK");
    const size_t start = marks_.back();
    marks_.pop_back();
    PopFrom(start, items);
    return absl::OkStatus();
  }
  // Moves stack_[start...] into `items`.
  void PopFrom(size_t start, Items* items) {
    items->values.reserve(items->values.size() + (stack_.size() - start));
    for (size_t i = start; i < stack_.size(); ++i) {
      items->Add(std::move(stack_[i]));
    }
    stack_.resize(start);
  }

  // ---- values -------------------------------------------------------------
  // Replaces stack_[start...] by a tuple of those values.
  absl::Status PushTupleFrom(size_t start) {
    uint32_t max_depth = 0;
    for (size_t i = start; i < stack_.size(); ++i) max_depth = std::max(max_depth, stack_[i].depth);
    const uint32_t depth = max_depth + 1;
    PTSER_RETURN_IF_ERROR(CheckDepth(depth));
    const size_t n = stack_.size() - start;
    PTSER_RETURN_IF_ERROR(Charge(n * kSlotBytes));
    Slot* first = stack_.data() + start;
    Value tuple = Value::MakeTuple(n, [first](size_t i) -> Value&& { return std::move(first[i].value); });
    stack_.resize(start);
    return PushNew(std::move(tuple), depth);
  }
  absl::Status PushStr(absl::string_view utf8) {
    if (!pickle_internal::IsValidUtf8(utf8)) {
      return Corrupt("string is not valid UTF-8");
    }
    return Push(Value::Str(std::string(utf8)));
  }
  absl::Status PushPython2String(absl::string_view raw);
  absl::Status PushInt(absl::string_view text, bool allow_bool, int base);
  absl::Status PushLongBytes(const uint8_t* p, uint64_t n);

  // ---- globals and calls ---------------------------------------------------
  absl::StatusOr<Value> ResolveGlobal(std::string module, std::string name);
  // `args` is the argument tuple (REDUCE, NEWOBJ) or null with `items`
  // holding the arguments (INST, OBJ); only an inert Object keeps them.
  absl::Status CallGlobal(const Value& callable, const Value* args,
                          std::vector<Value> items,
                          uint32_t depth, Value::Object::Construction how,
                          Value kwargs);
  absl::Status Build();
  absl::Status PersistentLoad(const Value& pid);
  // The registry's handler for a Value::Global (null when unknown), cached
  // per global object: a torch.save pickle calls one memoized
  // `_rebuild_tensor_v2` once per tensor.
  absl::StatusOr<const GlobalHandler*> FindHandler(const Value& callable) {
    const GlobalRef* key = &callable.global();
    // The two globals called last (torch.save alternates OrderedDict and
    // _rebuild_tensor_v2), then the cache of all.
    if (recent_handlers_[0].key == key) return recent_handlers_[0].handler;
    if (recent_handlers_[1].key == key) {
      std::swap(recent_handlers_[0], recent_handlers_[1]);
      return recent_handlers_[0].handler;
    }
    const GlobalHandler* h = nullptr;
    auto it = handler_cache_.find(key);
    if (it != handler_cache_.end()) {
      h = it->second.handler;
    } else {
      PTSER_RETURN_IF_ERROR(Charge(kMemoEntryBytes));
      h = registry_->Find(key->module, key->name);
      // The cached Value keeps the GlobalRef alive, so its address cannot be
      // reused by another global while the entry exists (nor while it is in
      // recent_handlers_, which ClearMemo() empties with the cache).
      handler_cache_.emplace(key, CachedHandler{callable, h});
    }
    recent_handlers_[1] = recent_handlers_[0];
    recent_handlers_[0] = RecentHandler{key, h};
    return h;
  }

  // PUT / BINPUT: the common case inline (a torch.save pickle puts eight
  // entries a tensor, and reads back one or two of them).
  absl::Status Memoize(uint64_t index) {
    if (ABSL_PREDICT_TRUE(reads_known_ && index < memo_dense_set_.size() &&
                          index < memo_reads_limit_ &&
                          (index >= memo_reads_.size() || memo_reads_[index] == 0) &&
                          memo_dense_set_[index] == 0 && memo_sparse_.empty() &&
                          memo_count_ < options_.max_memo_entries && frame_size() != 0)) {
      // A new entry no GET reads: counted, not kept.
      PTSER_RETURN_IF_ERROR(Charge(kMemoEntryBytes));
      ++memo_count_;
      memo_dense_set_[index] = 2;
      return absl::OkStatus();
    }
    return MemoizeSlow(index);
  }
  absl::Status MemoizeSlow(uint64_t index);
  void ScanMemoReads();
  absl::Status MemoGet(uint64_t index);

  absl::Status Step(bool* stop, Value* result);
  absl::Status StepRare(bool* stop, Value* result);
  // BINPUT / LONG_BINPUT (op_ read, pos_ after it).
  absl::Status Put() {
    uint64_t index = 0;
    PTSER_RETURN_IF_ERROR(ReadLE(op_ == op::kBinPut ? 1 : 4, &index));
    return Memoize(index);
  }
  // The PUT that picklers write after most values, run straight after the
  // opcode that made the value: one dispatch fewer through Step()'s switch,
  // whose indirect jump mispredicts often on a torch.save pickle.
  absl::Status FollowingPut() {
    if (pos_ < data_.size() && (data_[pos_] == op::kLongBinPut || data_[pos_] == op::kBinPut)) {
      op_offset_ = pos_;
      op_ = data_[pos_++];
      return Put();
    }
    return absl::OkStatus();
  }
  ABSL_ATTRIBUTE_NOINLINE absl::Status NoStop() {
    op_ = 0;
    return WithCode(absl::StatusCode::kDataLoss,
                    absl::StrCat("pickle data truncated at offset ", offset_base_ + pos_,
                                 ": no STOP opcode"));
  }
  absl::Status CallFromStack(Value::Object::Construction how);
  absl::Status BinPersId();

  const absl::Span<const uint8_t> data_;
  UnpicklerOptions options_;
  const GlobalRegistry* registry_;

  size_t pos_ = 0;
  size_t position_ = 0;
  int protocol_ = 0;
  bool failed_ = false;

  uint8_t op_ = 0;
  size_t op_offset_ = 0;
  uint64_t offset_base_ = 0;  // added to every offset reported
  // The current opcode's offset as reported: in the file, given its base.
  uint64_t Offset() const { return offset_base_ + op_offset_; }

  std::vector<Slot> stack_;
  std::vector<size_t> marks_;
  struct CachedHandler {
    Value global;
    const GlobalHandler* handler;
  };
  absl::flat_hash_map<const GlobalRef*, CachedHandler> handler_cache_;
  struct RecentHandler {
    const GlobalRef* key = nullptr;
    const GlobalHandler* handler = nullptr;
  };
  RecentHandler recent_handlers_[2];
  // The memo: indices near 0..size (what picklers write) in a vector,
  // sparse ones (LONG_BINPUT 0xffffffff) in a map.
  std::vector<Slot> memo_dense_;
  std::vector<uint8_t> memo_dense_set_;
  absl::flat_hash_map<uint64_t, Slot> memo_sparse_;
  size_t memo_count_ = 0;
  // From ScanMemoReads(): memo_reads_[i] != 0 when some GET reads entry i.
  bool reads_known_ = false;
  std::vector<uint8_t> memo_reads_;
  uint64_t memo_reads_limit_ = 0;
  static constexpr uint64_t kMaxTrackedMemoIndex = uint64_t{1} << 24;
  size_t stack_high_water_ = 0;
  uint64_t charged_ = 0;
  size_t next_buffer_ = 0;

  // Containers this load made and later mutated (APPEND, SETITEM,
  // ADDITEMS, BUILD): the only ones that can close a reference cycle.
  // ReleaseUnreachable() empties those the result does not reach, so
  // cycles built by a failed or hostile pickle are freed.  Containers from
  // outside (hook results, registry constants) are never touched.
  std::vector<Value> mutated_;
  absl::flat_hash_set<const void*> mutated_ids_;

  // Nesting of the mutable containers that mutations (APPEND, SETITEM,
  // ADDITEMS) touched, by identity: `height` is the container's depth as
  // built (a stack slot's depth goes stale in the memo once the container
  // deepens: a chain appended from the bottom up), `above` the most
  // containers seen above it when it was placed (a chain appended from the
  // top down leaves its ancestors' depths stale).  A target's `above` plus
  // its height is a path in the structure, so either chain is refused as it
  // passes the limit (issue 12 §4: a million-deep chain was built whole,
  // 211 MB from 18 MB, before STOP's walk refused it).  STOP's walk stays
  // the final check.  Entries hold their container, so an address is never
  // reused for another while this load runs.
  struct Nesting {
    uint32_t above = 0;
    uint32_t height = 0;
  };
  absl::flat_hash_map<const void*, Nesting> nesting_;
  std::vector<Value> nesting_held_;
  static bool Mutable(const Value& v) {
    return v.is_list() || v.is_dict() || v.is_set() || v.is_object();
  }
  absl::StatusOr<Nesting*> NestingOf(const Value& v) {
    auto [it, inserted] = nesting_.try_emplace(v.identity());
    if (inserted) {
      nesting_held_.push_back(v);
      PTSER_RETURN_IF_ERROR(Charge(kSlotBytes + sizeof(Nesting) + sizeof(void*)));
    }
    return &it->second;
  }
  // `target` (now `depth` deep) receives `items`: checks the path through
  // it and records the items' place.
  absl::Status Place(const Slot& target, uint32_t depth, absl::Span<const Value> items) {
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
};

// ---------------------------------------------------------------------------

absl::Status Unpickler::Impl::PushPython2String(absl::string_view raw) {
  using P = UnpicklerOptions::Python2Strings;
  switch (options_.python2_strings) {
    case P::kBytes:
      return Push(Value::Bytes(std::string(raw)));
    case P::kLatin1: {
      std::string utf8 = pickle_internal::Latin1ToUtf8(raw);
      PTSER_RETURN_IF_ERROR(Charge(utf8.size()));
      return Push(Value::Str(std::move(utf8)));
    }
    case P::kAscii:
      for (char c : raw) {
        if (static_cast<uint8_t>(c) >= 0x80) {
          return Corrupt(
              "Python 2 string is not ASCII (set UnpicklerOptions::"
              "python2_strings to kLatin1 or kBytes)");
        }
      }
      return Push(Value::Str(std::string(raw)));
    case P::kUtf8:
      if (!pickle_internal::IsValidUtf8(raw)) {
        return Corrupt(
            "Python 2 string is not valid UTF-8 (set UnpicklerOptions::"
            "python2_strings to kLatin1 or kBytes)");
      }
      return Push(Value::Str(std::string(raw)));
  }
  return absl::OkStatus();
}

// INT (base 0 as C's strtol: 0x.., 0.. octal, decimal) and LONG (base 10,
// optional trailing 'L').  Values beyond int64 are exact big ints.
absl::Status Unpickler::Impl::PushInt(absl::string_view text, bool allow_bool,
                                      int base) {
  if (allow_bool && text == "00") return Push(Value::Bool(false));
  if (allow_bool && text == "01") return Push(Value::Bool(true));
  absl::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (base == 0) {
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
      base = 8;
      s.remove_prefix(1);
    } else {
      base = 10;
    }
  }
  if (s.empty()) {
    return Corrupt(absl::StrCat("invalid integer literal '",
                                absl::CEscape(text), "'"));
  }
  // Accumulate the magnitude in unsigned 64 bits.
  uint64_t magnitude = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  bool overflow = false;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      d = 99;
    }
    if (d >= base) {
      return Corrupt(absl::StrCat("invalid integer literal '",
                                  absl::CEscape(text), "'"));
    }
    if (!overflow) {
      if (magnitude > (limit - d) / base) {
        overflow = true;
      } else {
        magnitude = magnitude * base + d;
      }
    }
  }
  if (overflow) {
    // Beyond int64: an exact big int, its text limited as Python's int()
    // limits it (4300 digits), so that converting it cannot take long.
    PTSER_RETURN_IF_ERROR(Charge(s.size()));
    absl::StatusOr<BigInt> big = BigInt::FromText(negative ? absl::StrCat("-", s) : std::string(s),
                                                  base);
    if (!big.ok()) return Error(big.status().code(), big.status().message());
    return Push(Value::Integer(*std::move(big)));
  }
  int64_t v = negative ? static_cast<int64_t>(0 - magnitude)
                       : static_cast<int64_t>(magnitude);
  return Push(Value::Int(v));
}

// LONG1/LONG4 payload: little-endian two's complement.
absl::Status Unpickler::Impl::PushLongBytes(const uint8_t* p, uint64_t n) {
  if (n == 0) return Push(Value::Int(0));
  const bool negative = (p[n - 1] & 0x80) != 0;
  // Bytes beyond the eighth must only sign-extend for an int64; otherwise
  // the value is an exact big int (its bytes are charged as a payload).
  bool fits = n <= 8 || ((p[7] & 0x80) != 0) == negative;
  for (uint64_t i = 8; fits && i < n; ++i) fits = p[i] == (negative ? 0xff : 0x00);
  if (!fits) {
    PTSER_RETURN_IF_ERROR(Charge(n));
    return Push(Value::Integer(BigInt::FromTwosComplement(
        absl::string_view(reinterpret_cast<const char*>(p), n))));
  }
  uint64_t x = negative ? ~uint64_t{0} : 0;
  const uint64_t m = std::min<uint64_t>(n, 8);
  for (uint64_t i = 0; i < m; ++i) {
    x &= ~(uint64_t{0xff} << (8 * i));
    x |= uint64_t{p[i]} << (8 * i);
  }
  return Push(Value::Int(static_cast<int64_t>(x)));
}

absl::StatusOr<Value> Unpickler::Impl::ResolveGlobal(std::string module,
                                                     std::string name) {
  if (!pickle_internal::IsValidUtf8(module) ||
      !pickle_internal::IsValidUtf8(name)) {
    return Corrupt("global name is not valid UTF-8");
  }
  GlobalRef ref = MapLegacyGlobalName(GlobalRef{module, name});
  const GlobalHandler* handler = registry_->Find(ref.module, ref.name);
  if (handler != nullptr) {
    if (handler->value.has_value()) return *handler->value;
    return Value::Global(ref.module, ref.name);
  }
  if (options_.unknown_globals == UnpicklerOptions::UnknownGlobals::kKeepInert) {
    return Value::Global(ref.module, ref.name);
  }
  std::string shown = absl::StrCat(module, ".", name);
  std::string mapped = ref.FullName();
  return absl::PermissionDeniedError(absl::StrCat(
      "refusing global '", shown, "' at offset ", Offset(), " (",
      op::OpcodeName(op_), ")",
      mapped != shown ? absl::StrCat(" (read as '", mapped, "')") : "",
      ": not an allowed global", kRefusedGlobalHint));
}

absl::Status Unpickler::Impl::CallGlobal(const Value& callable,
                                         const Value* args,
                                         std::vector<Value> items,
                                         uint32_t depth,
                                         Value::Object::Construction how,
                                         Value kwargs) {
  const char* verb = how == Value::Object::Construction::kCall
                         ? "call"
                         : "create an instance of";
  if (!callable.is_global()) {
    return Invalid(absl::StrCat("cannot ", verb, " a ", callable.TypeName(),
                                " (only globals can be called)"));
  }
  const GlobalRef& ref = callable.global();
  PTSER_ASSIGN_OR_RETURN(const GlobalHandler* handler, FindHandler(callable));
  Value result;
  if (handler == nullptr) {
    // Only reachable with UnknownGlobals::kKeepInert.
    result = Value::FromObject(std::make_shared<Value::Object>(
        ref, how, args != nullptr ? *args : Value::NewTuple(std::move(items)),
        std::move(kwargs)));
  } else {
    const GlobalCallFn* fn = &handler->call;
    if (how != Value::Object::Construction::kCall && handler->new_object) {
      fn = &handler->new_object;
    }
    if (!*fn) {
      return Invalid(absl::StrCat("cannot ", verb, " '", ref.FullName(),
                                  "': it is registered as a name only"));
    }
    CallContext ctx(*registry_, ref, Offset(), std::move(kwargs));
    absl::StatusOr<Value> r =
        (*fn)(ctx, args != nullptr ? absl::Span<const Value>(args->tuple().items())
                                   : absl::Span<const Value>(items));
    if (!r.ok()) return Wrap(r.status());
    result = *std::move(r);
  }
  // What the handler allocated counts against max_total_bytes like any
  // opcode's allocation: bytes(big), OrderedDict(huge dict) or
  // _codecs.encode, called a thousand times on one memoized argument, copy
  // it a thousand times.
  PTSER_RETURN_IF_ERROR(Charge(AllocatedBytes(result)));
  const bool container = result.is_list() || result.is_tuple() ||
                         result.is_dict() || result.is_set() ||
                         result.is_frozenset() || result.is_object();
  uint32_t d = container ? depth + 1 : 0;
  PTSER_RETURN_IF_ERROR(CheckDepth(d));
  return Push(std::move(result), d, /*owned=*/container);
}

absl::Status Unpickler::Impl::Build() {
  Slot state;
  PTSER_RETURN_IF_ERROR(Pop(&state));
  Slot* target = nullptr;
  PTSER_RETURN_IF_ERROR(Top(&target));
  PTSER_RETURN_IF_ERROR(CheckDepth(std::max(target->depth, state.depth + 1)));
  target->depth = std::max(target->depth, state.depth + 1);
  PTSER_RETURN_IF_ERROR(NoteMutated(*target));
  Value& obj = target->value;
  // Python's BUILD without __setstate__: a dict state updates __dict__.
  auto merge = [](const Value& old_state, Value new_state) -> Value {
    if (old_state.is_dict() && new_state.is_dict()) {
      for (const Value::Dict::Item& item : new_state.dict().items()) {
        // Keys of an existing dict state were hashable; ignore failures.
        old_state.dict().SetItem(item.key, item.value).IgnoreError();
      }
      return old_state;
    }
    return new_state;
  };
  if (obj.is_object()) {
    Value::Object& o = obj.object();
    const GlobalHandler* handler =
        registry_->Find(o.callee().module, o.callee().name);
    if (handler != nullptr && handler->build) {
      // A copy: the hook may replace `obj`, freeing the Object and its name.
      const GlobalRef callee = o.callee();
      CallContext ctx(*registry_, callee, Offset());
      absl::Status s = handler->build(ctx, obj, state.value);
      return s.ok() ? s : Wrap(s);
    }
    o.set_state(o.has_state() ? merge(o.state(), std::move(state.value))
                              : std::move(state.value));
    return absl::OkStatus();
  }
  if (obj.is_dict() && obj.dict().flavor() != Value::Dict::Flavor::kDict) {
    // OrderedDict/Counter instances have a __dict__ (state_dict()._metadata).
    const Value& s = state.value;
    const bool dict_state = s.is_dict();
    const bool slots_state = s.is_tuple() && s.tuple().size() == 2 &&
                             (s.tuple()[0].is_dict() || s.tuple()[0].is_none()) &&
                             (s.tuple()[1].is_dict() || s.tuple()[1].is_none());
    if (!dict_state && !slots_state) {
      return Invalid(absl::StrCat("BUILD state for an ", obj.TypeName(),
                                  " must be a dict or a (dict, dict) tuple, "
                                  "got ",
                                  s.TypeName()));
    }
    Value::Dict& d = obj.dict();
    d.set_state(d.state().is_none() ? std::move(state.value)
                                    : merge(d.state(), std::move(state.value)));
    return absl::OkStatus();
  }
  if (obj.is_tensor()) {
    // A plain tensor made by REDUCE on torch.Tensor: the registry's build
    // hook for torch.Tensor (set_ with the state), if it has one.
    const GlobalRef tensor_class{"torch", "Tensor"};
    const GlobalHandler* handler = registry_->Find(tensor_class.module, tensor_class.name);
    if (handler != nullptr && handler->build && !obj.tensor().is_parameter()) {
      CallContext ctx(*registry_, tensor_class, Offset());
      absl::Status s = handler->build(ctx, obj, state.value);
      return s.ok() ? s : Wrap(s);
    }
    return Error(absl::StatusCode::kUnimplemented,
                 "BUILD on a Parameter (legacy Parameter.__setstate__), or on a "
                 "tensor without a torch.Tensor build handler, is not supported");
  }
  return Invalid(absl::StrCat("cannot BUILD a ", obj.TypeName(),
                              ": only objects, OrderedDicts and registered "
                              "classes take BUILD state"));
}

absl::Status Unpickler::Impl::PersistentLoad(const Value& pid) {
  if (!options_.persistent_load) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 absl::StrCat("the pickle has a persistent id (", pid.Repr(Value::kMessageReprChars),
                              ") but no persistent_load hook was given"));
  }
  absl::StatusOr<Value> v = options_.persistent_load(pid, Offset());
  if (!v.ok()) return Wrap(v.status());
  return Push(*std::move(v), 1);
}

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
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; --i) x = (x << 8) | begin[p + i];
    p += n;
    *v = x;
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

// ---------------------------------------------------------------------------

absl::Status Unpickler::Impl::Step(bool* stop, Value* result) {
  op_offset_ = pos_;
  if (ABSL_PREDICT_FALSE(pos_ >= data_.size())) return NoStop();
  op_ = data_[pos_++];
  // The opcodes a torch.save pickle repeats for every tensor are handled
  // here, in a small function; the others in StepRare().
  switch (op_) {
    case op::kMark:
      PTSER_RETURN_IF_ERROR(Charge(sizeof(size_t)));
      marks_.push_back(stack_.size());
      return absl::OkStatus();
    case op::kNone:
      return Push(Value());
    case op::kNewTrue:
      return Push(Value::Bool(true));
    case op::kNewFalse:
      return Push(Value::Bool(false));
    case op::kBinInt: {
      uint64_t v = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(4, &v));
      return Push(Value::Int(static_cast<int32_t>(static_cast<uint32_t>(v))));
    }
    case op::kBinInt1: {
      uint64_t v = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(1, &v));
      return Push(Value::Int(static_cast<int64_t>(v)));
    }
    case op::kShortBinUnicode:
    case op::kBinUnicode:
    case op::kBinUnicode8: {
      uint64_t n = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(
          op_ == op::kShortBinUnicode ? 1 : op_ == op::kBinUnicode ? 4 : 8,
          &n));
      PTSER_RETURN_IF_ERROR(CheckStringLength(n));
      const uint8_t* p = nullptr;
      PTSER_RETURN_IF_ERROR(Read(n, &p));
      return PushStr(absl::string_view(reinterpret_cast<const char*>(p), n));
    }
    case op::kEmptyTuple: {
      // Python has one empty tuple, and so does every load: torch.save
      // writes one per tensor (the backward hooks' OrderedDict()).  It is
      // pushed as not owned, so ReleaseUnreachable() never touches it.
      static const Value* const kEmptyTuple = new Value(Value::NewTuple());
      return Push(*kEmptyTuple, 1);
    }
    case op::kTuple1:
    case op::kTuple2:
    case op::kTuple3: {
      const size_t n = op_ - op::kTuple1 + 1;
      if (frame_size() < n) return Underflow();
      return PushTupleFrom(stack_.size() - n);
    }
    case op::kTuple: {
      if (marks_.empty()) return Invalid("could not find MARK");
      const size_t start = marks_.back();
      marks_.pop_back();
      return PushTupleFrom(start);
    }
    case op::kBinPut:
    case op::kLongBinPut:
      return Put();
    case op::kBinGet:
    case op::kLongBinGet: {
      uint64_t index = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(op_ == op::kBinGet ? 1 : 4, &index));
      return MemoGet(index);
    }
    case op::kReduce:
      return CallFromStack(Value::Object::Construction::kCall);
    case op::kBinPersId:
      return BinPersId();
    default:
      return StepRare(stop, result);
  }
}

// REDUCE (callable, args) and NEWOBJ (cls, args).  Out of Step(), whose
// frame stays small without their Slot locals.
absl::Status Unpickler::Impl::CallFromStack(Value::Object::Construction how) {
  Slot args, callable;
  PTSER_RETURN_IF_ERROR(Pop(&args));
  PTSER_RETURN_IF_ERROR(Pop(&callable));
  if (!args.value.is_tuple()) {
    return Invalid(absl::StrCat(op::OpcodeName(op_), " arguments must be a tuple, got ",
                                args.value.TypeName()));
  }
  return CallGlobal(callable.value, &args.value, {}, args.depth, how, Value());
}

absl::Status Unpickler::Impl::BinPersId() {
  Slot pid;
  PTSER_RETURN_IF_ERROR(Pop(&pid));
  return PersistentLoad(pid.value);
}

absl::Status Unpickler::Impl::StepRare(bool* stop, Value* result) {
  switch (op_) {
    // ---- framing and control ---------------------------------------------
    case op::kProto: {
      uint8_t proto = 0;
      PTSER_RETURN_IF_ERROR(ReadU8(&proto));
      if (proto > op::kHighestProtocol) {
        return Error(absl::StatusCode::kFailedPrecondition,
                     absl::StrCat("unsupported pickle protocol ", proto,
                                  " (ptser reads 0 to ", op::kHighestProtocol,
                                  ")"));
      }
      protocol_ = proto;
      return absl::OkStatus();
    }
    case op::kFrame: {
      uint64_t n = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(8, &n));
      if (n > remaining()) {
        return Corrupt(absl::StrCat("frame of ", n, " bytes but only ",
                                    remaining(), " left"));
      }
      return absl::OkStatus();
    }
    case op::kStop: {
      Slot top;
      PTSER_RETURN_IF_ERROR(Pop(&top));
      // The depths tracked per stack slot miss a container that deepened
      // after it was put into another (APPEND to a memoized list): the
      // structure actually built is measured once more here.
      if (NestingDepth(top.value, options_.max_nesting_depth) > options_.max_nesting_depth) {
        return TooDeep();
      }
      *result = std::move(top.value);
      *stop = true;
      return absl::OkStatus();
    }
    case op::kPop:
      if (!marks_.empty() && marks_.back() == stack_.size()) {
        marks_.pop_back();
        return absl::OkStatus();
      }
      if (frame_size() == 0) return Underflow();
      stack_.pop_back();
      return absl::OkStatus();
    case op::kPopMark: {
      Items items;
      return PopMark(&items);
    }
    case op::kDup: {
      Slot* top = nullptr;
      PTSER_RETURN_IF_ERROR(Top(&top));
      Slot copy = *top;
      return Push(std::move(copy.value), copy.depth, copy.owned);
    }

    // ---- numbers -----------------------------------------------------------
    case op::kInt: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      return PushInt(line, /*allow_bool=*/true, /*base=*/0);
    }
    case op::kLong: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      if (!line.empty() && line.back() == 'L') line.remove_suffix(1);
      return PushInt(line, /*allow_bool=*/false, /*base=*/10);
    }
    case op::kBinInt2: {
      uint64_t v = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(2, &v));
      return Push(Value::Int(static_cast<int64_t>(v)));
    }
    case op::kLong1:
    case op::kLong4: {
      uint64_t n = 0;
      if (op_ == op::kLong1) {
        PTSER_RETURN_IF_ERROR(ReadLE(1, &n));
      } else {
        PTSER_RETURN_IF_ERROR(ReadLE(4, &n));
        if (static_cast<int32_t>(static_cast<uint32_t>(n)) < 0) {
          return Corrupt("LONG pickle has negative byte count");
        }
      }
      const uint8_t* p = nullptr;
      PTSER_RETURN_IF_ERROR(Read(n, &p));
      return PushLongBytes(p, n);
    }
    case op::kFloat: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      double d;
      if (!absl::SimpleAtod(line, &d)) {
        return Corrupt(absl::StrCat("invalid float literal '",
                                    absl::CEscape(line), "'"));
      }
      return Push(Value::Float(d));
    }
    case op::kBinFloat: {
      const uint8_t* p = nullptr;
      PTSER_RETURN_IF_ERROR(Read(8, &p));
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      return Push(Value::Float(d));
    }

    // ---- strings -----------------------------------------------------------
    case op::kString: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      absl::StatusOr<std::string> raw =
          pickle_internal::DecodeEscapedString(line);
      if (!raw.ok()) return Corrupt(raw.status().message());
      PTSER_RETURN_IF_ERROR(Charge(raw->size()));
      return PushPython2String(*raw);
    }
    case op::kBinString:
    case op::kShortBinString: {
      uint64_t n = 0;
      if (op_ == op::kShortBinString) {
        PTSER_RETURN_IF_ERROR(ReadLE(1, &n));
      } else {
        PTSER_RETURN_IF_ERROR(ReadLE(4, &n));
        if (static_cast<int32_t>(static_cast<uint32_t>(n)) < 0) {
          return Corrupt("BINSTRING pickle has negative byte count");
        }
      }
      PTSER_RETURN_IF_ERROR(CheckStringLength(n));
      const uint8_t* p = nullptr;
      PTSER_RETURN_IF_ERROR(Read(n, &p));
      return PushPython2String(
          absl::string_view(reinterpret_cast<const char*>(p), n));
    }
    case op::kUnicode: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      absl::StatusOr<std::string> s =
          pickle_internal::DecodeRawUnicodeEscape(line);
      if (!s.ok()) return Corrupt(s.status().message());
      PTSER_RETURN_IF_ERROR(Charge(s->size()));
      return Push(Value::Str(*std::move(s)));
    }
    case op::kShortBinBytes:
    case op::kBinBytes:
    case op::kBinBytes8:
    case op::kByteArray8: {
      uint64_t n = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(
          op_ == op::kShortBinBytes ? 1 : op_ == op::kBinBytes ? 4 : 8, &n));
      PTSER_RETURN_IF_ERROR(CheckStringLength(n));
      const uint8_t* p = nullptr;
      PTSER_RETURN_IF_ERROR(Read(n, &p));
      std::string bytes(reinterpret_cast<const char*>(p), n);
      return Push(op_ == op::kByteArray8 ? Value::ByteArray(std::move(bytes))
                                         : Value::Bytes(std::move(bytes)));
    }

    // ---- containers ----------------------------------------------------------
    case op::kEmptyList:
      return PushNew(Value::NewList(), 1);
    case op::kList: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      return PushNew(Value::NewList(std::move(items.values)), depth);
    }
    case op::kEmptyDict:
      return PushNew(Value::NewDict(), 1);
    case op::kDict: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      if (items.values.size() % 2 != 0) {
        return Invalid("odd number of items for DICT");
      }
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      Value d = Value::NewDict();
      for (size_t i = 0; i < items.values.size(); i += 2) {
        absl::Status s = d.dict().SetItem(std::move(items.values[i]),
                                          std::move(items.values[i + 1]));
        if (!s.ok()) return Invalid(s.message());
      }
      return PushNew(std::move(d), depth);
    }
    case op::kEmptySet:
      return PushNew(Value::NewSet(), 1);
    case op::kFrozenSet: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      Value s = Value::NewFrozenSet();
      for (Value& item : items.values) {
        absl::Status st = s.set().Add(std::move(item));
        if (!st.ok()) return Invalid(st.message());
      }
      return PushNew(std::move(s), depth);
    }
    case op::kAppend:
    case op::kAppends: {
      Items items;
      if (op_ == op::kAppend) {
        Slot v;
        PTSER_RETURN_IF_ERROR(Pop(&v));
        items.Add(std::move(v));
      } else {
        PTSER_RETURN_IF_ERROR(PopMark(&items));
      }
      Slot* target = nullptr;
      PTSER_RETURN_IF_ERROR(Top(&target));
      uint32_t depth = std::max(target->depth, items.max_depth + 1);
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      const Value& t = target->value;
      std::vector<Value>* dest = nullptr;
      if (t.is_list()) {
        dest = &t.list().items();
      } else if (t.is_object() &&
                 registry_->Find(t.object().callee().module,
                                 t.object().callee().name) == nullptr) {
        dest = &t.object().list_items();  // an inert unknown list subclass
      } else {
        return Invalid(absl::StrCat("cannot append to a ", t.TypeName(),
                                    ": the target must be a list"));
      }
      target->depth = depth;
      PTSER_RETURN_IF_ERROR(Place(*target, depth, items.values));
      PTSER_RETURN_IF_ERROR(NoteMutated(*target));
      for (Value& v : items.values) dest->push_back(std::move(v));
      return absl::OkStatus();
    }
    case op::kSetItem:
    case op::kSetItems: {
      Items items;
      if (op_ == op::kSetItem) {
        Slot value, key;
        PTSER_RETURN_IF_ERROR(Pop(&value));
        PTSER_RETURN_IF_ERROR(Pop(&key));
        items.Add(std::move(key));
        items.Add(std::move(value));
      } else {
        PTSER_RETURN_IF_ERROR(PopMark(&items));
        if (items.values.size() % 2 != 0) {
          return Invalid("odd number of items for SETITEMS");
        }
      }
      Slot* target = nullptr;
      PTSER_RETURN_IF_ERROR(Top(&target));
      uint32_t depth = std::max(target->depth, items.max_depth + 1);
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      const Value& t = target->value;
      if (t.is_dict()) {
        target->depth = depth;
        PTSER_RETURN_IF_ERROR(Place(*target, depth, items.values));
        PTSER_RETURN_IF_ERROR(NoteMutated(*target));
        absl::Status s = t.dict().SetItems(absl::MakeSpan(items.values));
        if (!s.ok()) return Invalid(s.message());
        return absl::OkStatus();
      }
      if (t.is_object() && registry_->Find(t.object().callee().module,
                                            t.object().callee().name) ==
                               nullptr) {
        target->depth = depth;
        PTSER_RETURN_IF_ERROR(Place(*target, depth, items.values));
        PTSER_RETURN_IF_ERROR(NoteMutated(*target));
        auto& dest = t.object().dict_items();
        for (size_t i = 0; i < items.values.size(); i += 2) {
          dest.push_back(Value::Dict::Item{std::move(items.values[i]),
                                           std::move(items.values[i + 1])});
        }
        return absl::OkStatus();
      }
      return Invalid(absl::StrCat("cannot set items on a ", t.TypeName(),
                                  ": the target must be a dict"));
    }
    case op::kAddItems: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      Slot* target = nullptr;
      PTSER_RETURN_IF_ERROR(Top(&target));
      uint32_t depth = std::max(target->depth, items.max_depth + 1);
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes));
      if (!target->value.is_set()) {
        return Invalid(absl::StrCat("cannot add items to a ",
                                    target->value.TypeName(),
                                    ": the target must be a set"));
      }
      target->depth = depth;
      PTSER_RETURN_IF_ERROR(Place(*target, depth, items.values));
      PTSER_RETURN_IF_ERROR(NoteMutated(*target));
      Value::Set& s = target->value.set();
      for (Value& item : items.values) {
        absl::Status st = s.Add(std::move(item));
        if (!st.ok()) return Invalid(st.message());
      }
      return absl::OkStatus();
    }

    // ---- memo ------------------------------------------------------------------
    case op::kPut: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      int64_t index;
      if (!absl::SimpleAtoi(line, &index)) {
        return Corrupt(absl::StrCat("invalid PUT index '",
                                    absl::CEscape(line), "'"));
      }
      if (index < 0) return Invalid("negative PUT argument");
      return Memoize(static_cast<uint64_t>(index));
    }
    case op::kMemoize:
      return Memoize(memo_count_);
    case op::kGet: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      int64_t index;
      if (!absl::SimpleAtoi(line, &index) || index < 0) {
        return Corrupt(absl::StrCat("invalid GET index '",
                                    absl::CEscape(line), "'"));
      }
      return MemoGet(static_cast<uint64_t>(index));
    }

    // ---- globals and objects -----------------------------------------------------
    case op::kGlobal: {
      absl::string_view module, name;
      PTSER_RETURN_IF_ERROR(ReadLine(&module));
      PTSER_RETURN_IF_ERROR(ReadLine(&name));
      absl::StatusOr<Value> g =
          ResolveGlobal(std::string(module), std::string(name));
      if (!g.ok()) return g.status();
      return Push(*std::move(g));
    }
    case op::kStackGlobal: {
      Slot name, module;
      PTSER_RETURN_IF_ERROR(Pop(&name));
      PTSER_RETURN_IF_ERROR(Pop(&module));
      if (!name.value.is_str() || !module.value.is_str()) {
        return Invalid(absl::StrCat("STACK_GLOBAL requires str module and "
                                    "name, got ",
                                    module.value.TypeName(), " and ",
                                    name.value.TypeName()));
      }
      absl::StatusOr<Value> g =
          ResolveGlobal(module.value.as_string(), name.value.as_string());
      if (!g.ok()) return g.status();
      return Push(*std::move(g));
    }
    case op::kNewObj:
      return CallFromStack(Value::Object::Construction::kNewObj);
    case op::kNewObjEx: {
      Slot kwargs, args, cls;
      PTSER_RETURN_IF_ERROR(Pop(&kwargs));
      PTSER_RETURN_IF_ERROR(Pop(&args));
      PTSER_RETURN_IF_ERROR(Pop(&cls));
      if (!args.value.is_tuple() || !kwargs.value.is_dict()) {
        return Invalid(absl::StrCat(
            "NEWOBJ_EX takes a tuple and a dict, got ", args.value.TypeName(),
            " and ", kwargs.value.TypeName()));
      }
      return CallGlobal(cls.value, &args.value, {},
                        std::max(args.depth, kwargs.depth),
                        Value::Object::Construction::kNewObjEx,
                        std::move(kwargs.value));
    }
    case op::kInst: {
      absl::string_view module, name;
      PTSER_RETURN_IF_ERROR(ReadLine(&module));
      PTSER_RETURN_IF_ERROR(ReadLine(&name));
      absl::StatusOr<Value> cls =
          ResolveGlobal(std::string(module), std::string(name));
      if (!cls.ok()) return cls.status();
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      uint32_t depth = items.max_depth + 1;
      return CallGlobal(*cls, nullptr, std::move(items.values), depth,
                        Value::Object::Construction::kCall, Value());
    }
    case op::kObj: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      if (items.values.empty()) return Underflow();
      Value cls = std::move(items.values[0]);
      items.values.erase(items.values.begin());
      uint32_t depth = items.max_depth + 1;
      return CallGlobal(cls, nullptr, std::move(items.values), depth,
                        Value::Object::Construction::kCall, Value());
    }
    case op::kBuild:
      return Build();

    // ---- persistent ids, extensions, buffers ---------------------------------------
    case op::kPersId: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      for (char c : line) {
        if (static_cast<uint8_t>(c) >= 0x80) {
          return Corrupt("persistent IDs in protocol 0 must be ASCII strings");
        }
      }
      return PersistentLoad(Value::Str(std::string(line)));
    }
    case op::kExt1:
    case op::kExt2:
    case op::kExt4: {
      uint64_t code = 0;
      PTSER_RETURN_IF_ERROR(
          ReadLE(op_ == op::kExt1 ? 1 : op_ == op::kExt2 ? 2 : 4, &code));
      return Error(absl::StatusCode::kUnimplemented,
                   absl::StrCat("extension code ", code,
                                ": the copyreg extension registry is not "
                                "supported"));
    }
    case op::kNextBuffer: {
      if (next_buffer_ >= options_.buffers.size()) {
        return Error(absl::StatusCode::kFailedPrecondition,
                     options_.buffers.empty()
                         ? "the pickle uses out-of-band buffers but none were "
                           "given (UnpicklerOptions::buffers)"
                         : "not enough out-of-band buffers");
      }
      const Value& buf = options_.buffers[next_buffer_++];
      if (!buf.is_bytes() && !buf.is_bytearray()) {
        return Invalid(absl::StrCat("out-of-band buffer must be bytes or "
                                    "bytearray, got ",
                                    buf.TypeName()));
      }
      return Push(buf);
    }
    case op::kReadOnlyBuffer: {
      Slot* top = nullptr;
      PTSER_RETURN_IF_ERROR(Top(&top));
      if (top->value.is_bytearray()) {
        top->value = Value::Bytes(top->value.bytearray());
      } else if (!top->value.is_bytes()) {
        return Invalid(absl::StrCat("READONLY_BUFFER needs a buffer, got ",
                                    top->value.TypeName()));
      }
      return absl::OkStatus();
    }
    default:
      return WithCode(absl::StatusCode::kDataLoss,
                      absl::StrFormat("invalid opcode 0x%02x at offset %d",
                                      op_, Offset()));
  }
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

absl::StatusOr<Value> Unpickler::Impl::Load() {
  if (failed_) {
    return absl::FailedPreconditionError(
        "Unpickler::Load called after an error");
  }
  stack_.clear();
  marks_.clear();
  ClearMemo();
  stack_high_water_ = 0;
  charged_ = 0;
  pos_ = position_;
  ScanMemoReads();
  bool stop = false;
  Value result;
  while (!stop) {
    absl::Status s = Step(&stop, &result);
    if (s.ok() && !stop) s = FollowingPut();
    if (!s.ok()) {
      failed_ = true;
      stack_.clear();
      marks_.clear();
      ClearMemo();
      ReleaseUnreachable(nullptr);
      return s;
    }
  }
  position_ = pos_;
  stack_.clear();
  marks_.clear();
  ClearMemo();
  ReleaseUnreachable(&result);
  return result;
}

// ---------------------------------------------------------------------------

Unpickler::Unpickler(absl::Span<const uint8_t> data, UnpicklerOptions options)
    : impl_(std::make_unique<Impl>(data, std::move(options))) {}

Unpickler::Unpickler(absl::string_view data, UnpicklerOptions options)
    : Unpickler(absl::Span<const uint8_t>(
                    reinterpret_cast<const uint8_t*>(data.data()), data.size()),
                std::move(options)) {}

Unpickler::~Unpickler() = default;

absl::StatusOr<Value> Unpickler::Load() { return impl_->Load(); }
size_t Unpickler::position() const { return impl_->position(); }
void Unpickler::set_position(size_t offset) { impl_->set_position(offset); }
void Unpickler::set_offset_base(uint64_t base) { impl_->set_offset_base(base); }
int Unpickler::protocol() const { return impl_->protocol(); }

absl::StatusOr<Value> Unpickle(absl::Span<const uint8_t> data,
                               const UnpicklerOptions& options) {
  Unpickler u(data, options);
  return u.Load();
}

absl::StatusOr<Value> Unpickle(absl::string_view data,
                               const UnpicklerOptions& options) {
  Unpickler u(data, options);
  return u.Load();
}

}  // namespace ptser
