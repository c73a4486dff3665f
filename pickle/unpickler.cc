// Copyright ptser authors.
//
// The pickle machine: a value stack split by marks, and a memo.  The opcode
// semantics follow Python's pickle (Lib/pickletools.py documents each
// opcode); where CPython's C unpickler and the pure-Python one differ, this
// follows the C one (what `pickle.loads` runs): POP of an empty frame pops
// the mark; APPENDS/SETITEMS/ADDITEMS need their target below the mark and
// above the previous one.
//
// This file holds the hot loop: Step() for the opcodes a torch.save pickle
// repeats for every tensor, and Load().  The rest of the machine is split as
// pickle/internal/unpickler_impl.h lists.

#include "pickle/unpickler.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "pickle/internal/unpickler_impl.h"
#include "pickle/opcodes.h"

namespace ptser {

namespace op = pickle_op;

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
      // "global EMPTY_TUPLE REDUCE" (the hooks' OrderedDict()): the call is
      // made at once, as REDUCE would make it, without the push and pop of
      // the shared tuple (whose count every thread touches).  Only where
      // that push would not have been charged.
      if (pos_ < data_.size() && data_[pos_] == op::kReduce && frame_size() != 0 &&
          stack_.back().value.is_global() && stack_.size() < stack_high_water_) {
        op_offset_ = pos_++;
        op_ = op::kReduce;
        Slot callable = std::move(stack_.back());
        stack_.pop_back();
        return CallGlobal(callable.value, kEmptyTuple, {}, 1,
                          Value::Object::Construction::kCall, Value());
      }
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
      // A global just below the mark, in this frame: maybe a call's arguments.
      if (start > fence() && start < stack_.size() && stack_[start - 1].value.is_global()) {
        bool done = false;
        const absl::Status s = CallWithoutTuple(start, &done);
        if (done) return s;
      }
      return PushTupleFrom(start);
    }
    case op::kBinPut:
    case op::kLongBinPut:
      return Put();
    case op::kBinGet: {
      uint64_t index = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(1, &index));
      return MemoGet(index);
    }
    case op::kLongBinGet: {
      uint64_t index = 0;
      PTSER_RETURN_IF_ERROR(ReadLE(4, &index));
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

absl::Status Unpickler::Impl::CallWithoutTuple(size_t start, bool* done) {
  // Read ahead: [BINPUT i | LONG_BINPUT i] REDUCE, with i counted only.
  size_t p = pos_;
  size_t put_at = 0;
  uint8_t put_op = 0;
  uint64_t put_index = 0;
  if (p < data_.size() && (data_[p] == op::kBinPut || data_[p] == op::kLongBinPut)) {
    put_at = p;
    put_op = data_[p];
    const size_t width = put_op == op::kBinPut ? 1 : 4;
    if (data_.size() - p - 1 < width) return absl::OkStatus();
    for (size_t k = 0; k < width; ++k) put_index |= uint64_t{data_[p + 1 + k]} << (8 * k);
    if (!PutIsCountedOnly(put_index)) return absl::OkStatus();
    p += 1 + width;
  }
  if (p >= data_.size() || data_[p] != op::kReduce) return absl::OkStatus();
  *done = true;
  // TUPLE: the depth and charge of the tuple it would have made.
  PTSER_ASSIGN_OR_RETURN(const uint32_t depth, AccountTupleFrom(start));
  // PUT: counted.
  if (put_op != 0) {
    op_offset_ = put_at;
    op_ = put_op;
    pos_ = put_at + (put_op == op::kBinPut ? 2 : 5);
    PTSER_RETURN_IF_ERROR(CountPut(put_index));
  }
  // REDUCE: the callable and its arguments off the stack, then the call.
  op_offset_ = p;
  op_ = op::kReduce;
  pos_ = p + 1;
  call_args_.clear();
  for (size_t i = start; i < stack_.size(); ++i) call_args_.push_back(std::move(stack_[i].value));
  stack_.resize(start);
  Slot callable = std::move(stack_.back());
  stack_.pop_back();
  absl::Status s = CallGlobal(callable.value, nullptr, call_args_, depth,
                              Value::Object::Construction::kCall, Value());
  call_args_.clear();
  return s;
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