// Copyright ptser authors.
#include "pickle/pickler.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/globals.h"
#include "pickle/opcodes.h"

namespace ptser {
namespace {

namespace op = pickle_op;

// Python's framer: a frame is closed at an object boundary once it holds at
// least this many bytes (pickle._Framer._FRAME_SIZE_TARGET).
constexpr size_t kFrameSizeTarget = 64 * 1024;
// Frames shorter than this get no FRAME header (_FRAME_SIZE_MIN).
constexpr size_t kFrameSizeMin = 4;
// Items per APPENDS / SETITEMS / ADDITEMS (pickle._BATCHSIZE).
constexpr size_t kBatchSize = 1000;

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

// Python's pickle.encode_long: little-endian two's complement, minimal.
std::string EncodeLong(int64_t x) {
  if (x == 0) return "";
  std::string bytes;
  uint64_t u = static_cast<uint64_t>(x);
  AppendLE64(&bytes, u);
  // Drop redundant sign bytes from the top.
  while (bytes.size() > 1) {
    uint8_t top = static_cast<uint8_t>(bytes.back());
    uint8_t next = static_cast<uint8_t>(bytes[bytes.size() - 2]);
    if ((x >= 0 && top == 0x00 && (next & 0x80) == 0) ||
        (x < 0 && top == 0xff && (next & 0x80) != 0)) {
      bytes.pop_back();
    } else {
      break;
    }
  }
  return bytes;
}

const GlobalRef kOrderedDict{"collections", "OrderedDict"};
const GlobalRef kCounter{"collections", "Counter"};

}  // namespace

void Pickler::FrameBoundary() {
  if (options_.protocol < 4) return;
  size_t frame_len = out_.size() - frame_start_;
  if (frame_len < kFrameSizeTarget) return;
  if (frame_len >= kFrameSizeMin) {
    PutU8(&committed_, op::kFrame);
    AppendLE(&committed_, frame_len, 8);
  }
  committed_.append(out_, frame_start_, frame_len);
  out_.clear();
  frame_start_ = 0;
}

void Pickler::Memoize(const void* key) {
  const uint32_t index = memo_size_++;
  if (options_.protocol >= 4) {
    Op(op::kMemoize);
  } else if (index < 256) {
    Op(op::kBinPut);
    PutU8(&out_, static_cast<uint8_t>(index));
  } else {
    Op(op::kLongBinPut);
    AppendLE(&out_, index, 4);
  }
  if (key != nullptr) memo_[key] = index;
}

void Pickler::MemoizeName(const std::string& key) {
  const uint32_t index = memo_size_;
  Memoize(nullptr);
  named_memo_[key] = index;
}

void Pickler::EmitGetIndex(uint32_t index) {
  if (index < 256) {
    Op(op::kBinGet);
    PutU8(&out_, static_cast<uint8_t>(index));
  } else {
    Op(op::kLongBinGet);
    AppendLE(&out_, index, 4);
  }
}

bool Pickler::EmitGet(const void* key) {
  if (key == nullptr) return false;
  auto it = memo_.find(key);
  if (it == memo_.end()) return false;
  EmitGetIndex(it->second);
  return true;
}

bool Pickler::EmitGetName(const std::string& key) {
  auto it = named_memo_.find(key);
  if (it == named_memo_.end()) return false;
  EmitGetIndex(it->second);
  return true;
}

void Pickler::WritePayload(const std::string& header, const std::string& payload) {
  if (options_.protocol >= 4 && payload.size() >= kFrameSizeTarget) {
    // Python's _write_large_bytes: end the current frame, then write header
    // and payload outside any frame.
    size_t frame_len = out_.size() - frame_start_;
    if (frame_len > 0) {
      if (frame_len >= kFrameSizeMin) {
        PutU8(&committed_, op::kFrame);
        AppendLE(&committed_, frame_len, 8);
      }
      committed_.append(out_, frame_start_, frame_len);
    }
    committed_ += header;
    committed_ += payload;
    out_.clear();
    frame_start_ = 0;
    return;
  }
  out_ += header;
  out_ += payload;
}

const Value& Pickler::Keep(Value v) {
  temporaries_.push_back(std::move(v));
  return temporaries_.back();
}

absl::Status Pickler::SaveGlobal(const GlobalRef& ref) {
  const std::string key = absl::StrCat("global:", ref.module, ".", ref.name);
  if (EmitGetName(key)) return absl::OkStatus();
  if (options_.protocol >= 4) {
    // Module and name are str objects: memoized (by content here).
    PTSER_RETURN_IF_ERROR(SaveStr(ref.module, nullptr));
    PTSER_RETURN_IF_ERROR(SaveStr(ref.name, nullptr));
    Op(op::kStackGlobal);
  } else {
    GlobalRef written = options_.protocol < 3 ? ReverseMapToPython2(ref) : ref;
    if (written.module.find('\n') != std::string::npos ||
        written.name.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot pickle global '", ref.FullName(), "': newline in its name"));
    }
    Op(op::kGlobal);
    out_ += written.module;
    out_ += '\n';
    out_ += written.name;
    out_ += '\n';
  }
  MemoizeName(key);
  return absl::OkStatus();
}

absl::Status Pickler::SaveStr(const std::string& s, const void* identity) {
  if (identity != nullptr && EmitGet(identity)) return absl::OkStatus();
  if (identity == nullptr && options_.protocol >= 4) {
    // Global names at protocol 4: Python reuses the module's name object.
    if (EmitGetName("str:" + s)) return absl::OkStatus();
  }
  std::string header;
  if (options_.protocol >= 4 && s.size() < 256) {
    PutU8(&header, op::kShortBinUnicode);
    PutU8(&header, static_cast<uint8_t>(s.size()));
  } else if (s.size() <= 0xFFFFFFFFu) {
    PutU8(&header, op::kBinUnicode);
    AppendLE(&header, s.size(), 4);
  } else if (options_.protocol >= 4) {
    PutU8(&header, op::kBinUnicode8);
    AppendLE(&header, s.size(), 8);
  } else {
    return absl::InvalidArgumentError("str longer than 4 GiB needs protocol 4");
  }
  WritePayload(header, s);
  if (identity == nullptr && options_.protocol >= 4) {
    MemoizeName("str:" + s);
  } else {
    Memoize(identity);
  }
  return absl::OkStatus();
}

absl::Status Pickler::SaveReduceCall(const GlobalRef& callee, const std::vector<Value>& args,
                                     int depth) {
  PTSER_RETURN_IF_ERROR(SaveGlobal(callee));
  PTSER_RETURN_IF_ERROR(SaveTuple(args, nullptr, depth + 1));
  Op(op::kReduce);
  return absl::OkStatus();
}

absl::Status Pickler::SaveBytes(const Value& v, const std::string& s, const void* identity) {
  if (EmitGet(identity)) return absl::OkStatus();
  if (options_.protocol < 3) {
    // bytes at protocol 2: `_codecs.encode(s.decode('latin1'), 'latin1')`,
    // or `bytes()` when empty.
    if (s.empty()) {
      PTSER_RETURN_IF_ERROR(SaveGlobal(GlobalRef{"builtins", "bytes"}));
      Op(op::kEmptyTuple);
      Op(op::kReduce);
    } else {
      std::string latin1;  // the bytes as UTF-8 code points U+0000..U+00FF
      for (unsigned char c : s) {
        if (c < 0x80) {
          latin1.push_back(static_cast<char>(c));
        } else {
          latin1.push_back(static_cast<char>(0xC0 | (c >> 6)));
          latin1.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
      }
      PTSER_RETURN_IF_ERROR(SaveGlobal(GlobalRef{"_codecs", "encode"}));
      OpenSmallTuple();
      PTSER_RETURN_IF_ERROR(SaveStr(latin1, nullptr));
      // 'latin1' is one literal object in Python's pickler: memoized once.
      if (!EmitGetName("str-literal:latin1")) {
        Op(op::kBinUnicode);
        AppendLE(&out_, 6, 4);
        out_ += "latin1";
        MemoizeName("str-literal:latin1");
      }
      CloseSmallTuple(2);
      Memoize(nullptr);
      Op(op::kReduce);
    }
    Memoize(identity);
    return absl::OkStatus();
  }
  std::string header;
  if (s.size() < 256) {
    PutU8(&header, op::kShortBinBytes);
    PutU8(&header, static_cast<uint8_t>(s.size()));
  } else if (s.size() <= 0xFFFFFFFFu) {
    PutU8(&header, op::kBinBytes);
    AppendLE(&header, s.size(), 4);
  } else if (options_.protocol >= 4) {
    PutU8(&header, op::kBinBytes8);
    AppendLE(&header, s.size(), 8);
  } else {
    return absl::InvalidArgumentError("bytes longer than 4 GiB need protocol 4");
  }
  WritePayload(header, s);
  Memoize(identity);
  (void)v;
  return absl::OkStatus();
}

absl::Status Pickler::SaveTuple(absl::Span<const Value> items, const void* identity,
                                int depth) {
  if (items.empty()) {
    Op(op::kEmptyTuple);  // never memoized
    return absl::OkStatus();
  }
  if (EmitGet(identity)) return absl::OkStatus();
  // CPython's save_tuple: if saving the items memoized the tuple (it
  // contains itself through a list or dict), what was pushed is popped and
  // the memoized tuple fetched, so the copy loaded is the one object.
  const bool sized = items.size() <= 3 && options_.protocol >= 2;
  if (!sized) Op(op::kMark);
  for (const Value& item : items) PTSER_RETURN_IF_ERROR(Save(item, depth + 1));
  if (identity != nullptr && memo_.contains(identity)) {
    if (sized) {
      for (size_t i = 0; i < items.size(); ++i) Op(op::kPop);
    } else {
      Op(op::kPopMark);
    }
    EmitGet(identity);
    return absl::OkStatus();
  }
  if (sized) {
    CloseSmallTuple(items.size());
  } else {
    Op(op::kTuple);
  }
  Memoize(identity);
  return absl::OkStatus();
}

void Pickler::OpenSmallTuple() {
  if (options_.protocol < 2) Op(op::kMark);
}

void Pickler::CloseSmallTuple(size_t n) {
  static constexpr uint8_t kSized[] = {0, op::kTuple1, op::kTuple2, op::kTuple3};
  Op(options_.protocol < 2 ? op::kTuple : kSized[n]);
}

// CPython's C pickler (batch_list_exact / batch_dict_exact / batch_list /
// batch_dict): an exact list or dict with one item uses APPEND / SETITEM;
// otherwise an exact list writes MARK ... APPENDS batches (a one-item tail is
// still MARK x APPENDS), and an exact dict keeps writing batches while the
// last one was full (1000 items end with an empty MARK SETITEMS).  Items from
// an iterator (OrderedDict, __reduce__ list/dict items) write a one-item tail
// as a bare APPEND / SETITEM.
absl::Status Pickler::BatchAppends(const std::vector<Value>& items, int depth, bool exact) {
  if (items.empty()) return absl::OkStatus();
  if (items.size() == 1) {
    PTSER_RETURN_IF_ERROR(Save(items[0], depth + 1));
    Op(op::kAppend);
    return absl::OkStatus();
  }
  for (size_t start = 0; start < items.size(); start += kBatchSize) {
    size_t n = std::min(kBatchSize, items.size() - start);
    if (!exact && n == 1) {
      PTSER_RETURN_IF_ERROR(Save(items[start], depth + 1));
      Op(op::kAppend);
      continue;
    }
    Op(op::kMark);
    for (size_t i = start; i < start + n; ++i) PTSER_RETURN_IF_ERROR(Save(items[i], depth + 1));
    Op(op::kAppends);
  }
  return absl::OkStatus();
}

absl::Status Pickler::BatchSetItems(const std::vector<Value::Dict::Item>& items, int depth,
                                    bool exact) {
  if (items.empty()) return absl::OkStatus();
  if (items.size() == 1) {
    PTSER_RETURN_IF_ERROR(Save(items[0].key, depth + 1));
    PTSER_RETURN_IF_ERROR(Save(items[0].value, depth + 1));
    Op(op::kSetItem);
    return absl::OkStatus();
  }
  size_t start = 0;
  while (true) {
    size_t n = std::min(kBatchSize, items.size() - start);
    if (!exact && n == 0) break;
    if (!exact && n == 1) {
      PTSER_RETURN_IF_ERROR(Save(items[start].key, depth + 1));
      PTSER_RETURN_IF_ERROR(Save(items[start].value, depth + 1));
      Op(op::kSetItem);
      break;
    }
    Op(op::kMark);
    for (size_t i = start; i < start + n; ++i) {
      PTSER_RETURN_IF_ERROR(Save(items[i].key, depth + 1));
      PTSER_RETURN_IF_ERROR(Save(items[i].value, depth + 1));
    }
    Op(op::kSetItems);
    start += n;
    if (n < kBatchSize) break;  // exact dicts go on while the batch was full
  }
  return absl::OkStatus();
}

absl::Status Pickler::SaveDict(const Value& v, int depth) {
  const Value::Dict& d = v.dict();
  switch (d.flavor()) {
    case Value::Dict::Flavor::kDict:
      Op(op::kEmptyDict);
      Memoize(v.identity());
      PTSER_RETURN_IF_ERROR(BatchSetItems(d.items(), depth, /*exact=*/true));
      break;
    case Value::Dict::Flavor::kOrderedDict:
      // OrderedDict.__reduce__: (OrderedDict, (), state, None, items).
      PTSER_RETURN_IF_ERROR(SaveGlobal(kOrderedDict));
      Op(op::kEmptyTuple);
      Op(op::kReduce);
      Memoize(v.identity());
      PTSER_RETURN_IF_ERROR(BatchSetItems(d.items(), depth, /*exact=*/false));
      break;
    case Value::Dict::Flavor::kCounter: {
      // Counter.__reduce__: (Counter, (dict(self),)) — a fresh plain dict.
      PTSER_RETURN_IF_ERROR(SaveGlobal(kCounter));
      OpenSmallTuple();
      Op(op::kEmptyDict);
      Memoize(nullptr);
      PTSER_RETURN_IF_ERROR(BatchSetItems(d.items(), depth, /*exact=*/true));
      CloseSmallTuple(1);
      Memoize(nullptr);
      Op(op::kReduce);
      Memoize(v.identity());
      break;
    }
  }
  if (!d.state().is_none()) {
    PTSER_RETURN_IF_ERROR(Save(d.state(), depth + 1));
    Op(op::kBuild);
  }
  return absl::OkStatus();
}

absl::Status Pickler::SaveSet(const Value& v, int depth) {
  const Value::Set& s = v.set();
  if (options_.protocol < 4) {
    // set/frozenset.__reduce__: (cls, (list(self),)).
    PTSER_RETURN_IF_ERROR(
        SaveGlobal(GlobalRef{"builtins", s.frozen() ? "frozenset" : "set"}));
    OpenSmallTuple();
    Op(op::kEmptyList);
    Memoize(nullptr);
    PTSER_RETURN_IF_ERROR(BatchAppends(s.items(), depth, /*exact=*/true));
    CloseSmallTuple(1);
    Memoize(nullptr);
    Op(op::kReduce);
    Memoize(v.identity());
    return absl::OkStatus();
  }
  if (s.frozen()) {
    Op(op::kMark);
    for (const Value& item : s.items()) PTSER_RETURN_IF_ERROR(Save(item, depth + 1));
    Op(op::kFrozenSet);
    Memoize(v.identity());
    return absl::OkStatus();
  }
  Op(op::kEmptySet);
  Memoize(v.identity());
  const auto& items = s.items();
  if (items.empty()) return absl::OkStatus();
  size_t start = 0;
  while (true) {  // batches go on while the last one was full, as for dicts
    size_t n = std::min(kBatchSize, items.size() - start);
    Op(op::kMark);
    for (size_t i = start; i < start + n; ++i) PTSER_RETURN_IF_ERROR(Save(items[i], depth + 1));
    Op(op::kAddItems);
    start += n;
    if (n < kBatchSize) break;
  }
  return absl::OkStatus();
}

absl::Status Pickler::SaveObject(const Value& v, int depth) {
  const Value::Object& o = v.object();
  switch (o.construction()) {
    case Value::Object::Construction::kCall:
      PTSER_RETURN_IF_ERROR(SaveGlobal(o.callee()));
      PTSER_RETURN_IF_ERROR(Save(o.args(), depth + 1));
      Op(op::kReduce);
      break;
    case Value::Object::Construction::kNewObj:
      if (options_.protocol < 2) {
        return absl::UnimplementedError(absl::StrCat(
            "object of class '", o.callee().FullName(),
            "' was made with NEWOBJ, which needs protocol 2 or higher"));
      }
      PTSER_RETURN_IF_ERROR(SaveGlobal(o.callee()));
      PTSER_RETURN_IF_ERROR(Save(o.args(), depth + 1));
      Op(op::kNewObj);
      break;
    case Value::Object::Construction::kNewObjEx:
      if (options_.protocol < 4) {
        return absl::UnimplementedError(absl::StrCat(
            "object of class '", o.callee().FullName(),
            "' was made with NEWOBJ_EX, which needs protocol 4 or higher"));
      }
      PTSER_RETURN_IF_ERROR(SaveGlobal(o.callee()));
      PTSER_RETURN_IF_ERROR(Save(o.args(), depth + 1));
      PTSER_RETURN_IF_ERROR(Save(o.kwargs(), depth + 1));
      Op(op::kNewObjEx);
      break;
  }
  Memoize(v.identity());
  PTSER_RETURN_IF_ERROR(BatchAppends(o.list_items(), depth, /*exact=*/false));
  PTSER_RETURN_IF_ERROR(BatchSetItems(o.dict_items(), depth, /*exact=*/false));
  if (o.has_state()) {
    PTSER_RETURN_IF_ERROR(Save(o.state(), depth + 1));
    Op(op::kBuild);
  }
  return absl::OkStatus();
}

absl::Status Pickler::Save(const Value& v, int depth) {
  if (depth > options_.max_depth) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "value nested deeper than ", options_.max_depth, " levels"));
  }
  FrameBoundary();
  using Kind = Value::Kind;
  const Kind kind = v.kind();
  const bool maybe_persistent = kind != Kind::kNone && kind != Kind::kBool &&
                                kind != Kind::kInt && kind != Kind::kFloat &&
                                kind != Kind::kStr && kind != Kind::kBigInt;
  if (persistent_id_ && maybe_persistent) {
    PTSER_ASSIGN_OR_RETURN(std::optional<Value> pid, persistent_id_(v));
    if (pid.has_value()) {
      PTSER_RETURN_IF_ERROR(Save(Keep(std::move(*pid)), depth + 1));
      Op(op::kBinPersId);
      return absl::OkStatus();
    }
  }
  switch (kind) {
    case Kind::kNone:
      Op(op::kNone);
      return absl::OkStatus();
    case Kind::kBool:
      if (options_.protocol < 2) {
        out_ += v.as_bool() ? "I01\n" : "I00\n";  // protocol 1's bool
      } else {
        Op(v.as_bool() ? op::kNewTrue : op::kNewFalse);
      }
      return absl::OkStatus();
    case Kind::kInt: {
      const int64_t x = v.as_int();
      if (x >= 0 && x <= 0xff) {
        Op(op::kBinInt1);
        PutU8(&out_, static_cast<uint8_t>(x));
      } else if (x >= 0 && x <= 0xffff) {
        Op(op::kBinInt2);
        AppendLE(&out_, static_cast<uint64_t>(x), 2);
      } else if (x >= -0x80000000LL && x <= 0x7fffffffLL) {
        Op(op::kBinInt);
        AppendLE(&out_, static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int32_t>(x))), 4);
      } else if (options_.protocol < 2) {
        Op(op::kLong);  // repr(x) + 'L\n', as Python 3 writes it below protocol 2
        out_ += std::to_string(x);
        out_ += "L\n";
      } else {
        std::string bytes = EncodeLong(x);
        Op(op::kLong1);
        PutU8(&out_, static_cast<uint8_t>(bytes.size()));
        out_ += bytes;
      }
      return absl::OkStatus();
    }
    case Kind::kBigInt: {
      // Python's save_long beyond 32 bits: LONG text below protocol 2
      // (repr, so at most 4300 digits as in Python), else LONG1 / LONG4.
      const BigInt& big = v.as_bigint();
      if (options_.protocol < 2) {
        const std::optional<std::string> text = big.ToDecimal();
        if (!text.has_value()) {
          return absl::OutOfRangeError(absl::StrCat(
              "an int of ", big.BitLength(), " bits has more than ", BigInt::kMaxDecimalDigits,
              " decimal digits, which protocol 1 cannot write (Python's int max_str_digits)"));
        }
        Op(op::kLong);
        out_ += *text;
        out_ += "L\n";
      } else if (big.bytes().size() < 256) {
        Op(op::kLong1);
        PutU8(&out_, static_cast<uint8_t>(big.bytes().size()));
        out_ += big.bytes();
      } else {
        std::string header;
        PutU8(&header, op::kLong4);
        AppendLE(&header, big.bytes().size(), 4);
        out_ += header;
        out_ += big.bytes();
      }
      return absl::OkStatus();
    }
    case Kind::kFloat: {
      double d = v.as_float();
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      Op(op::kBinFloat);
      AppendBE64(&out_, bits);
      return absl::OkStatus();
    }
    case Kind::kComplex: {
      // complex.__reduce__: (complex, (real, imag)); a fresh object each time.
      std::complex<double> c = v.as_complex();
      PTSER_RETURN_IF_ERROR(SaveReduceCall(GlobalRef{"builtins", "complex"},
                                           {Value::Float(c.real()), Value::Float(c.imag())},
                                           depth));
      Memoize(nullptr);
      return absl::OkStatus();
    }
    case Kind::kStr:
      return SaveStr(v.as_string(), v.identity());
    case Kind::kBytes:
      return SaveBytes(v, v.as_string(), v.identity());
    case Kind::kByteArray: {
      if (EmitGet(v.identity())) return absl::OkStatus();
      const std::string& data = v.bytearray();
      if (options_.protocol >= 5) {
        std::string header;
        PutU8(&header, op::kByteArray8);
        AppendLE(&header, data.size(), 8);
        WritePayload(header, data);
      } else {
        PTSER_RETURN_IF_ERROR(SaveGlobal(GlobalRef{"builtins", "bytearray"}));
        if (data.empty()) {
          Op(op::kEmptyTuple);
        } else {
          PTSER_RETURN_IF_ERROR(SaveTuple({Keep(Value::Bytes(data))}, nullptr, depth + 1));
        }
        Op(op::kReduce);
      }
      Memoize(v.identity());
      return absl::OkStatus();
    }
    case Kind::kTensor: {
      if (EmitGet(v.identity())) return absl::OkStatus();
      if (!reduce_tensor_) {
        return absl::FailedPreconditionError(
            "cannot pickle a tensor without a tensor reducer (use the archive layer's Save)");
      }
      PTSER_ASSIGN_OR_RETURN(Value made, reduce_tensor_(v));
      const Value& reduced = Keep(std::move(made));
      PTSER_RETURN_IF_ERROR(Save(reduced, depth + 1));
      auto it = memo_.find(reduced.identity());
      if (it != memo_.end()) memo_[v.identity()] = it->second;
      return absl::OkStatus();
    }
    case Kind::kStorage:
      return absl::FailedPreconditionError(
          "cannot pickle a storage without a persistent_id hook (use the archive layer's Save)");
    case Kind::kList:
      if (EmitGet(v.identity())) return absl::OkStatus();
      Op(op::kEmptyList);
      Memoize(v.identity());
      return BatchAppends(v.list().items(), depth, /*exact=*/true);
    case Kind::kTuple:
      return SaveTuple(v.tuple().items(), v.identity(), depth);
    case Kind::kDict:
      if (EmitGet(v.identity())) return absl::OkStatus();
      return SaveDict(v, depth);
    case Kind::kSet:
    case Kind::kFrozenSet:
      if (EmitGet(v.identity())) return absl::OkStatus();
      return SaveSet(v, depth);
    case Kind::kSize: {
      if (EmitGet(v.identity())) return absl::OkStatus();
      // torch.Size.__reduce__: (torch.Size, (tuple(self),)).
      std::vector<Value> dims;
      for (int64_t d : v.size()) dims.push_back(Value::Int(d));
      PTSER_RETURN_IF_ERROR(SaveGlobal(GlobalRef{"torch", "Size"}));
      PTSER_RETURN_IF_ERROR(
          SaveTuple({Keep(Value::NewTuple(std::move(dims)))}, nullptr, depth + 1));
      Op(op::kReduce);
      Memoize(v.identity());
      return absl::OkStatus();
    }
    case Kind::kDtype:
      // torch.dtype.__reduce__ returns its name: a bare global.
      return SaveGlobal(GlobalRef{"torch", std::string(DtypeName(v.dtype()))});
    case Kind::kDevice: {
      if (EmitGet(v.identity())) return absl::OkStatus();
      const Device& d = v.device();
      std::vector<Value> args = {Keep(Value::Str(d.type()))};
      if (d.has_index()) args.push_back(Value::Int(d.index()));
      PTSER_RETURN_IF_ERROR(SaveGlobal(GlobalRef{"torch", "device"}));
      PTSER_RETURN_IF_ERROR(SaveTuple(args, nullptr, depth + 1));
      Op(op::kReduce);
      Memoize(v.identity());
      return absl::OkStatus();
    }
    case Kind::kEnum: {
      const TorchEnum& e = v.enum_value();
      if (e.type == TorchEnum::Type::kLayout) {
        // torch.serialization._get_layout('torch.strided'); layouts are singletons.
        const std::string key = "layout:" + e.name;
        if (EmitGetName(key)) return absl::OkStatus();
        PTSER_RETURN_IF_ERROR(SaveReduceCall(GlobalRef{"torch.serialization", "_get_layout"},
                                             {Keep(Value::Str("torch." + e.name))}, depth));
        MemoizeName(key);
        return absl::OkStatus();
      }
      return SaveGlobal(GlobalRef{"torch", e.name});
    }
    case Kind::kGlobal:
      return SaveGlobal(v.global());
    case Kind::kObject:
      if (EmitGet(v.identity())) return absl::OkStatus();
      return SaveObject(v, depth);
    case Kind::kOpaque:
      return absl::InvalidArgumentError(
          absl::StrCat("cannot pickle a ", v.TypeName(), " (a value only TorchScript code holds)"));
  }
  return absl::InternalError("unknown value kind");
}

absl::StatusOr<std::string> Pickler::Dump(const Value& value) {
  if (options_.protocol < 1 || options_.protocol > op::kHighestProtocol) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pickle protocol ", options_.protocol, " is not supported (1 to 5)"));
  }
  out_.clear();
  committed_.clear();
  frame_start_ = 0;
  memo_.clear();
  named_memo_.clear();
  memo_size_ = 0;
  temporaries_.clear();
  std::string head;
  if (options_.protocol >= 2) {  // protocol 1 has no PROTO opcode
    PutU8(&head, op::kProto);
    PutU8(&head, static_cast<uint8_t>(options_.protocol));
  }
  PTSER_RETURN_IF_ERROR(Save(value, 0));
  Op(op::kStop);
  if (options_.protocol >= 4 && !out_.empty()) {
    if (out_.size() >= kFrameSizeMin) {
      PutU8(&committed_, op::kFrame);
      AppendLE(&committed_, out_.size(), 8);
    }
    committed_ += out_;
    out_.clear();
  } else {
    committed_ += out_;
    out_.clear();
  }
  temporaries_.clear();
  return head + committed_;
}

absl::StatusOr<std::string> PickleValue(const Value& value, int protocol) {
  Pickler::Options options;
  options.protocol = protocol;
  Pickler pickler(options);
  return pickler.Dump(value);
}

}  // namespace ptser
