// Copyright ptser authors.
//
// The opcodes Step() leaves to StepRare(): those a torch.save pickle writes a
// few times, or only older protocols and other picklers write.  StepRare()
// sends each to the function for its group; every group function reads its
// argument, checks what it acts on and pushes or mutates, with errors that
// name the opcode and offset (Python's Lib/pickletools.py documents each
// opcode).

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/internal/python_text.h"
#include "pickle/internal/unpickler_impl.h"
#include "pickle/opcodes.h"

namespace ptser {

namespace op = pickle_op;
using unpickler_internal::kDictBytes;
using unpickler_internal::kKeyIndexBytes;
using unpickler_internal::kListBytes;
using unpickler_internal::kSetBytes;
using unpickler_internal::kSlotBytes;
using unpickler_internal::kStringBytes;

absl::Status Unpickler::Impl::StepRare(bool* stop, Value* result) {
  switch (op_) {
    case op::kProto:
    case op::kFrame:
    case op::kStop:
    case op::kPop:
    case op::kPopMark:
    case op::kDup:
      return ControlOp(stop, result);
    case op::kInt:
    case op::kLong:
    case op::kBinInt2:
    case op::kLong1:
    case op::kLong4:
    case op::kFloat:
    case op::kBinFloat:
      return NumberOp();
    case op::kString:
    case op::kBinString:
    case op::kShortBinString:
    case op::kUnicode:
    case op::kShortBinBytes:
    case op::kBinBytes:
    case op::kBinBytes8:
    case op::kByteArray8:
      return StringOp();
    case op::kEmptyList:
    case op::kList:
    case op::kEmptyDict:
    case op::kDict:
    case op::kEmptySet:
    case op::kFrozenSet:
      return ContainerOp();
    case op::kAppend:
    case op::kAppends:
    case op::kSetItem:
    case op::kSetItems:
    case op::kAddItems:
      return MutateOp();
    case op::kPut:
    case op::kMemoize:
    case op::kGet:
      return MemoOp();
    case op::kGlobal:
    case op::kStackGlobal:
    case op::kNewObj:
    case op::kNewObjEx:
    case op::kInst:
    case op::kObj:
    case op::kBuild:
      return ObjectOp();
    case op::kPersId:
    case op::kExt1:
    case op::kExt2:
    case op::kExt4:
    case op::kNextBuffer:
    case op::kReadOnlyBuffer:
      return ExternalOp();
    default:
      return UnknownOpcode();
  }
}

// ---- framing and control

absl::Status Unpickler::Impl::ControlOp(bool* stop, Value* result) {
  switch (op_) {
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
    default:
      return UnknownOpcode();
  }
}

// ---- numbers

absl::Status Unpickler::Impl::NumberOp() {
  switch (op_) {
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
      const uint64_t bits = LoadBE64(p);  // a big-endian double
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      return Push(Value::Float(d));
    }
    default:
      return UnknownOpcode();
  }
}

// ---- strings

absl::Status Unpickler::Impl::StringOp() {
  switch (op_) {
    case op::kString: {
      absl::string_view line;
      PTSER_RETURN_IF_ERROR(ReadLine(&line));
      absl::StatusOr<std::string> raw =
          pickle_internal::DecodeEscapedString(line);
      if (!raw.ok()) return Corrupt(raw.status().message());
      PTSER_RETURN_IF_ERROR(Charge(raw->size() + kStringBytes));
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
      PTSER_RETURN_IF_ERROR(Charge(s->size() + kStringBytes));
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
    default:
      return UnknownOpcode();
  }
}

// ---- new containers

absl::Status Unpickler::Impl::ContainerOp() {
  switch (op_) {
    case op::kEmptyList:
      PTSER_RETURN_IF_ERROR(Charge(kListBytes));
      return PushNew(Value::NewList(), 1);
    case op::kList: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(kListBytes + items.values.size() * kSlotBytes));
      return PushNew(Value::NewList(std::move(items.values)), depth);
    }
    case op::kEmptyDict:
      PTSER_RETURN_IF_ERROR(Charge(kDictBytes));
      return PushNew(Value::NewDict(), 1);
    case op::kDict: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      if (items.values.size() % 2 != 0) {
        return Invalid("odd number of items for DICT");
      }
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(
          Charge(kDictBytes + items.values.size() * kSlotBytes + items.values.size() / 2 * kKeyIndexBytes));
      Value d = Value::NewDict();
      for (size_t i = 0; i < items.values.size(); i += 2) {
        absl::Status s = d.dict().SetItem(std::move(items.values[i]),
                                          std::move(items.values[i + 1]));
        if (!s.ok()) return Invalid(s.message());
      }
      return PushNew(std::move(d), depth);
    }
    case op::kEmptySet:
      PTSER_RETURN_IF_ERROR(Charge(kSetBytes));
      return PushNew(Value::NewSet(), 1);
    case op::kFrozenSet: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      uint32_t depth = items.max_depth + 1;
      PTSER_RETURN_IF_ERROR(CheckDepth(depth));
      PTSER_RETURN_IF_ERROR(Charge(kSetBytes + items.values.size() * (kSlotBytes + kKeyIndexBytes)));
      Value s = Value::NewFrozenSet();
      for (Value& item : items.values) {
        absl::Status st = s.set().Add(std::move(item));
        if (!st.ok()) return Invalid(st.message());
      }
      return PushNew(std::move(s), depth);
    }
    default:
      return UnknownOpcode();
  }
}

// ---- containers filled after they are made

absl::Status Unpickler::Impl::MutateOp() {
  switch (op_) {
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
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * kSlotBytes + items.values.size() / 2 * kKeyIndexBytes));
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
      PTSER_RETURN_IF_ERROR(Charge(items.values.size() * (kSlotBytes + kKeyIndexBytes)));
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
    default:
      return UnknownOpcode();
  }
}

// ---- memo

absl::Status Unpickler::Impl::MemoOp() {
  switch (op_) {
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
    default:
      return UnknownOpcode();
  }
}

// ---- globals and objects

absl::Status Unpickler::Impl::ObjectOp() {
  switch (op_) {
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
      return CallGlobal(*cls, nullptr, items.values, depth,
                        Value::Object::Construction::kCall, Value());
    }
    case op::kObj: {
      Items items;
      PTSER_RETURN_IF_ERROR(PopMark(&items));
      if (items.values.empty()) return Underflow();
      Value cls = std::move(items.values[0]);
      items.values.erase(items.values.begin());
      uint32_t depth = items.max_depth + 1;
      return CallGlobal(cls, nullptr, items.values, depth,
                        Value::Object::Construction::kCall, Value());
    }
    case op::kBuild:
      return Build();
    default:
      return UnknownOpcode();
  }
}

// ---- persistent ids, extensions, buffers

absl::Status Unpickler::Impl::ExternalOp() {
  switch (op_) {
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
      return UnknownOpcode();
  }
}

}  // namespace ptser
