// Copyright ptser authors.
//
// pickle/internal/unpickler_impl.h — the Unpickler's machine, shared by the
// files that implement it.  Logically private to //pickle:unpickler.
//
// The pickle machine is a value stack split by marks, and a memo.  Its code is
// split by how often it runs, as pickle/value.cc is split by concern:
//
//   unpickler.cc         Step(): the opcodes a torch.save pickle repeats for
//                        every tensor, Load(), the public class
//   unpickler_rare.cc    StepRare(): every other opcode, in groups
//   unpickler_calls.cc   globals, REDUCE/NEWOBJ calls, BUILD, persistent ids,
//                        and the scalars with their own parsing (INT, LONG1)
//   unpickler_memo.cc    the memo (PUT kept or only counted, the read scan),
//                        nesting checks on mutation, releasing cycles
//   unpickler_errors.cc  error and limit messages (cold, out of line)
//
// What Step() runs per opcode (input reads, Push, Charge, the memo's common
// PUT) is defined inline here, so each file's dispatch inlines it.
#ifndef PTSER_PICKLE_INTERNAL_UNPICKLER_IMPL_H_
#define PTSER_PICKLE_INTERNAL_UNPICKLER_IMPL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/globals.h"
#include "pickle/internal/python_text.h"
#include "pickle/opcodes.h"
#include "pickle/torch_globals.h"
#include "pickle/unpickler.h"
#include "pickle/value.h"

namespace ptser {
namespace unpickler_internal {

// What max_total_bytes is charged: the real heap sizes of what a load makes,
// close enough that a file cannot hold much more than the limit says (issue
// 12: a million empty lists from 1 MB of pickle took 224 MB when only their
// slots were counted).
//
// A container slot (an item of a list, tuple or set), a memo entry.
inline constexpr uint64_t kSlotBytes = sizeof(Value) + sizeof(uint32_t);
inline constexpr uint64_t kMemoEntryBytes = sizeof(Value) + 32;
// One make_shared block: its control block and the allocator's header.
inline constexpr uint64_t kHeapBlockBytes = 32;
// A new container, before any item; a str/bytes object beside its payload.
inline constexpr uint64_t kListBytes = sizeof(Value::List) + kHeapBlockBytes;
inline constexpr uint64_t kTupleBytes = sizeof(Value::Tuple) + kHeapBlockBytes;
inline constexpr uint64_t kDictBytes = sizeof(Value::Dict) + kHeapBlockBytes;
inline constexpr uint64_t kSetBytes = sizeof(Value::Set) + kHeapBlockBytes;
inline constexpr uint64_t kStringBytes = sizeof(std::string) + kHeapBlockBytes;
// A std::vector's object and the heap block of its elements (torch.Size, a
// tensor's sizes and strides), beside the elements.
inline constexpr uint64_t kVectorBytes = sizeof(std::vector<int64_t>) + kHeapBlockBytes;
// A dict key's or set member's hash and index entry, beside its slots.
inline constexpr uint64_t kKeyIndexBytes = sizeof(size_t) + 16;

}  // namespace unpickler_internal

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

  // ---- errors (unpickler_errors.cc) -----------------------------------------
  // Out of line and cold, so the opcode loop's frame carries none of their
  // strings.  Each message starts with the opcode and its offset.
  ABSL_ATTRIBUTE_NOINLINE std::string Where() const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status Error(absl::StatusCode code, absl::string_view message) const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status Invalid(absl::string_view message) const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status Corrupt(absl::string_view message) const;
  // Prefixes a handler's or hook's error with the opcode and offset.
  ABSL_ATTRIBUTE_NOINLINE absl::Status Wrap(const absl::Status& status) const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status Truncated(uint64_t needed) const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status OverLimit() const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status StringTooLong(uint64_t n) const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status TooDeep() const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status Underflow() const;
  ABSL_ATTRIBUTE_NOINLINE absl::Status NoStop();
  // An opcode byte no protocol defines (op_).
  ABSL_ATTRIBUTE_NOINLINE absl::Status UnknownOpcode() const;

  // ---- input --------------------------------------------------------------
  size_t remaining() const { return data_.size() - pos_; }
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
    // n is a constant where this is inlined: one load.
    *v = n == 4 ? LoadLE32(p) : n == 8 ? LoadLE64(p) : LoadLE(p, static_cast<size_t>(n));
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
  absl::Status CheckStringLength(uint64_t n) {
    if (n > options_.max_string_bytes) return StringTooLong(n);
    if (n > remaining()) return Truncated(n);
    return Charge(n + unpickler_internal::kStringBytes);
  }
  absl::Status CheckDepth(uint32_t depth) {
    if (ABSL_PREDICT_FALSE(depth > options_.max_nesting_depth)) return TooDeep();
    return absl::OkStatus();
  }

  // ---- stack --------------------------------------------------------------
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  size_t frame_size() const { return stack_.size() - fence(); }

  absl::Status Push(Value&& v, uint32_t depth = 0, bool owned = false) {
    if (ABSL_PREDICT_FALSE(stack_.size() >= stack_high_water_)) return PushHigher(std::move(v), depth, owned);
    PrefetchStackTop();
    stack_.emplace_back(std::move(v), depth, owned);
    return absl::OkStatus();
  }
  absl::Status Push(const Value& v, uint32_t depth = 0, bool owned = false) {
    return Push(Value(v), depth, owned);
  }
  // A SETITEMS batch of 1,000 pairs fills 80 KB of stack, and by the time
  // the next batch comes the 1,000 tensors between have pushed those lines
  // out of the near caches: ask for the slots a few pushes ahead.
  void PrefetchStackTop() const {
    const uintptr_t ahead =
        reinterpret_cast<uintptr_t>(stack_.data() + stack_.size()) + 4 * sizeof(Slot);
    __builtin_prefetch(reinterpret_cast<const void*>(ahead), 1, 3);
  }
  // Push past the highest the stack has been: charged.
  ABSL_ATTRIBUTE_NOINLINE absl::Status PushHigher(Value&& v, uint32_t depth, bool owned) {
    stack_high_water_ = stack_.size() + 1;
    PTSER_RETURN_IF_ERROR(Charge(sizeof(Slot)));
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
    return Charge(unpickler_internal::kSlotBytes);
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
  // TUPLE's accounting for a tuple of stack_[start...], made or not: its
  // nesting depth, checked and returned, and its bytes, charged.
  absl::StatusOr<uint32_t> AccountTupleFrom(size_t start) {
    uint32_t max_depth = 0;
    for (size_t i = start; i < stack_.size(); ++i) max_depth = std::max(max_depth, stack_[i].depth);
    const uint32_t depth = max_depth + 1;
    PTSER_RETURN_IF_ERROR(CheckDepth(depth));
    const size_t n = stack_.size() - start;
    PTSER_RETURN_IF_ERROR(
        Charge(unpickler_internal::kTupleBytes + n * unpickler_internal::kSlotBytes));
    return depth;
  }
  // Replaces stack_[start...] by a tuple of those values.
  absl::Status PushTupleFrom(size_t start) {
    PTSER_ASSIGN_OR_RETURN(const uint32_t depth, AccountTupleFrom(start));
    const size_t n = stack_.size() - start;
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
                          absl::Span<const Value> items,
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
      PTSER_RETURN_IF_ERROR(Charge(unpickler_internal::kMemoEntryBytes));
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
    if (ABSL_PREDICT_TRUE(PutIsCountedOnly(index) && frame_size() != 0)) {
      return CountPut(index);
    }
    return MemoizeSlow(index);
  }
  // A PUT of a new entry no GET reads: the entry is counted, not kept.
  bool PutIsCountedOnly(uint64_t index) const {
    return reads_known_ && index < memo_dense_set_.size() && index < memo_reads_limit_ &&
           (index >= memo_reads_.size() || memo_reads_[index] == 0) &&
           memo_dense_set_[index] == 0 && memo_sparse_.empty() &&
           memo_count_ < options_.max_memo_entries;
  }
  absl::Status CountPut(uint64_t index) {
    PTSER_RETURN_IF_ERROR(Charge(unpickler_internal::kMemoEntryBytes));
    ++memo_count_;
    memo_dense_set_[index] = 2;
    return absl::OkStatus();
  }
  // TUPLE whose tuple would only be a call's arguments: "callable MARK ...
  // TUPLE [PUT i] REDUCE" with entry i never read (torch.save's
  // `_rebuild_tensor_v2(...)`, once a tensor).  The global's handler is then
  // called on the stack's values without making the tuple; everything else
  // the three opcodes do happens as it would have: the tuple's charge and
  // depth check, the PUT's count, and errors reported at each opcode's
  // offset.  Sets *done to false, having changed nothing, when the pickle
  // does not read that way.
  absl::Status CallWithoutTuple(size_t start, bool* done);
  // The argument values CallWithoutTuple moves off the stack (kept for
  // their capacity).
  std::vector<Value> call_args_;
  absl::Status MemoizeSlow(uint64_t index);
  void ScanMemoReads();
  absl::Status MemoGet(uint64_t index);

  absl::Status Step(bool* stop, Value* result);
  // The opcodes a torch.save pickle seldom or never repeats, by group
  // (unpickler_rare.cc; the error formatting of an unknown opcode there too).
  absl::Status StepRare(bool* stop, Value* result);
  absl::Status ControlOp(bool* stop, Value* result);  // PROTO FRAME STOP POP POP_MARK DUP
  absl::Status NumberOp();                            // INT LONG BININT2 LONG1/4 FLOAT BINFLOAT
  absl::Status StringOp();                            // STRING BINSTRING UNICODE *BYTES* BYTEARRAY8
  absl::Status ContainerOp();                         // LIST DICT FROZENSET EMPTY_LIST/DICT/SET
  absl::Status MutateOp();                            // APPEND(S) SETITEM(S) ADDITEMS
  absl::Status MemoOp();                              // PUT MEMOIZE GET
  absl::Status ObjectOp();                            // GLOBAL STACK_GLOBAL NEWOBJ(_EX) INST OBJ BUILD
  absl::Status ExternalOp();                          // PERSID EXT1/2/4 NEXT_BUFFER READONLY_BUFFER
  // BINPUT / LONG_BINPUT (op_ read, pos_ after it).
  absl::Status Put() {
    uint64_t index = 0;
    if (op_ == pickle_op::kBinPut) {
      PTSER_RETURN_IF_ERROR(ReadLE(1, &index));  // each width a constant: one load
    } else {
      PTSER_RETURN_IF_ERROR(ReadLE(4, &index));
    }
    return Memoize(index);
  }
  // The PUT that picklers write after most values, run straight after the
  // opcode that made the value: one dispatch fewer through Step()'s switch,
  // whose indirect jump mispredicts often on a torch.save pickle.
  absl::Status FollowingPut() {
    if (pos_ < data_.size() && (data_[pos_] == pickle_op::kLongBinPut || data_[pos_] == pickle_op::kBinPut)) {
      op_offset_ = pos_;
      op_ = data_[pos_++];
      return Put();
    }
    return absl::OkStatus();
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
  absl::StatusOr<Nesting*> NestingOf(const Value& v);
  // `target` (now `depth` deep) receives `items`: checks the path through
  // it and records the items' place.
  absl::Status Place(const Slot& target, uint32_t depth, absl::Span<const Value> items);
};

}  // namespace ptser

#endif  // PTSER_PICKLE_INTERNAL_UNPICKLER_IMPL_H_
