// Copyright ptser authors.
#include "pickle/disassembler.h"

#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/endian.h"
#include "base/status_macros.h"
#include "pickle/opcodes.h"

namespace ptser {
namespace {

namespace op = pickle_op;

// How an opcode's argument is encoded (pickletools' ArgumentDescriptors).
enum class Arg {
  kNone,
  kU1,        // uint1
  kU2,        // uint2
  kI4,        // int4
  kU4,        // uint4 (memo index)
  kU8,        // uint8 (frame length)
  kLine,      // decimal/text up to '\n'
  kTwoLines,  // module '\n' name '\n'
  kF8,        // big-endian double
  kBytes1,    // uint1 length + bytes
  kBytes4,    // uint4 length + bytes
  kBytes8,    // uint8 length + bytes
  kLong1,     // uint1 length + little-endian two's complement
  kLong4,     // int4 length + little-endian two's complement
  kUnknown,
};

Arg ArgOf(uint8_t code) {
  switch (code) {
    case op::kMark: case op::kStop: case op::kPop: case op::kPopMark: case op::kDup:
    case op::kNone: case op::kBinPersId: case op::kReduce: case op::kAppend:
    case op::kBuild: case op::kDict: case op::kEmptyDict: case op::kAppends:
    case op::kList: case op::kEmptyList: case op::kObj: case op::kSetItem:
    case op::kTuple: case op::kEmptyTuple: case op::kSetItems: case op::kNewObj:
    case op::kTuple1: case op::kTuple2: case op::kTuple3: case op::kNewTrue:
    case op::kNewFalse: case op::kEmptySet: case op::kAddItems: case op::kFrozenSet:
    case op::kNewObjEx: case op::kStackGlobal: case op::kMemoize: case op::kNextBuffer:
    case op::kReadOnlyBuffer:
      return Arg::kNone;
    case op::kBinInt1: case op::kBinGet: case op::kBinPut: case op::kProto: case op::kExt1:
      return Arg::kU1;
    case op::kBinInt2: case op::kExt2:
      return Arg::kU2;
    case op::kBinInt: case op::kExt4:
      return Arg::kI4;
    case op::kLongBinGet: case op::kLongBinPut:
      return Arg::kU4;
    case op::kFrame:
      return Arg::kU8;
    case op::kFloat: case op::kInt: case op::kLong: case op::kPersId: case op::kString:
    case op::kUnicode: case op::kGet: case op::kPut:
      return Arg::kLine;
    case op::kGlobal: case op::kInst:
      return Arg::kTwoLines;
    case op::kBinFloat:
      return Arg::kF8;
    case op::kShortBinString: case op::kShortBinBytes: case op::kShortBinUnicode:
      return Arg::kBytes1;
    case op::kBinString: case op::kBinUnicode: case op::kBinBytes:
      return Arg::kBytes4;
    case op::kBinUnicode8: case op::kBinBytes8: case op::kByteArray8:
      return Arg::kBytes8;
    case op::kLong1:
      return Arg::kLong1;
    case op::kLong4:
      return Arg::kLong4;
    default:
      return Arg::kUnknown;
  }
}

// Printable form of a payload: quoted, escaped, cut after 64 bytes.
std::string Quote(absl::string_view bytes) {
  constexpr size_t kShown = 64;
  std::string shown = absl::CHexEscape(bytes.substr(0, kShown));
  if (bytes.size() > kShown) absl::StrAppend(&shown, "... (", bytes.size(), " bytes)");
  return absl::StrCat("'", shown, "'");
}

}  // namespace

absl::StatusOr<size_t> DisassembleEach(absl::string_view pickle,
                                       const std::function<absl::Status(const PickleOp&)>& visit,
                                       size_t max_ops) {
  size_t count = 0;
  PickleOp o;  // reused: its strings keep their capacity
  const auto* p = reinterpret_cast<const unsigned char*>(pickle.data());
  const size_t size = pickle.size();
  size_t pos = 0;
  auto need = [&](size_t at, uint64_t n, const PickleOp& o) -> absl::Status {
    if (n > size || at > size - n) {
      return absl::DataLossError(absl::StrCat("pickle ends inside ", o.name, " at offset ",
                                              o.offset, " (", size, " bytes)"));
    }
    return absl::OkStatus();
  };
  while (true) {
    if (count >= max_ops) {
      return absl::ResourceExhaustedError(absl::StrCat("more than ", max_ops, " opcodes"));
    }
    if (pos >= size) {
      return absl::DataLossError(absl::StrCat("pickle ends at offset ", pos, " without STOP"));
    }
    o.offset = pos;
    o.arg.clear();
    o.code = p[pos];
    const absl::string_view name = pickle_op::OpcodeName(o.code);
    o.name.assign(name.data(), name.size());
    const Arg arg = ArgOf(o.code);
    if (arg == Arg::kUnknown || o.name.empty()) {
      return absl::DataLossError(
          absl::StrFormat("unknown opcode 0x%02x at offset %d", o.code, pos));
    }
    size_t at = pos + 1;
    absl::Status s;
    switch (arg) {
      case Arg::kNone:
        break;
      case Arg::kU1: case Arg::kU2: case Arg::kU4: case Arg::kU8: {
        int n = arg == Arg::kU1 ? 1 : arg == Arg::kU2 ? 2 : arg == Arg::kU4 ? 4 : 8;
        if (!(s = need(at, n, o)).ok()) return s;
        o.arg = std::to_string(LoadLE(p + at, n));
        at += n;
        break;
      }
      case Arg::kI4: {
        if (!(s = need(at, 4, o)).ok()) return s;
        o.arg = std::to_string(static_cast<int32_t>(LoadLE(p + at, 4)));
        at += 4;
        break;
      }
      case Arg::kF8: {
        if (!(s = need(at, 8, o)).ok()) return s;
        const uint64_t bits = LoadBE64(p + at);
        double d;
        std::memcpy(&d, &bits, 8);
        o.arg = absl::StrFormat("%.17g", d);
        at += 8;
        break;
      }
      case Arg::kLine: case Arg::kTwoLines: {
        int lines = arg == Arg::kLine ? 1 : 2;
        std::string text;
        for (int l = 0; l < lines; ++l) {
          const void* nl = at < size ? std::memchr(p + at, '\n', size - at) : nullptr;
          if (nl == nullptr) {
            return absl::DataLossError(absl::StrCat("pickle ends inside ", o.name,
                                                    " at offset ", o.offset));
          }
          size_t end = static_cast<const unsigned char*>(nl) - p;
          if (l > 0) text += ' ';
          text.append(pickle.data() + at, end - at);
          at = end + 1;
        }
        o.arg = lines == 2 ? absl::StrCat("'", absl::CHexEscape(text), "'") : absl::CHexEscape(text);
        break;
      }
      case Arg::kBytes1: case Arg::kBytes4: case Arg::kBytes8: case Arg::kLong1:
      case Arg::kLong4: {
        int n = (arg == Arg::kBytes1 || arg == Arg::kLong1) ? 1
                : (arg == Arg::kBytes8) ? 8 : 4;
        if (!(s = need(at, n, o)).ok()) return s;
        uint64_t len = LoadLE(p + at, n);
        if (arg == Arg::kLong4 && static_cast<int32_t>(len) < 0) {
          return absl::DataLossError(absl::StrCat("negative LONG4 length at offset ", pos));
        }
        at += n;
        if (!(s = need(at, len, o)).ok()) return s;
        absl::string_view payload = pickle.substr(at, len);
        if (arg == Arg::kLong1 || arg == Arg::kLong4) {
          o.arg = absl::StrCat("0x", absl::BytesToHexString(std::string(payload.rbegin(), payload.rend())),
                               " (", len, " bytes, little-endian two's complement)");
        } else {
          o.arg = Quote(payload);
        }
        at += len;
        break;
      }
      case Arg::kUnknown:
        break;
    }
    ++count;
    PTSER_RETURN_IF_ERROR(visit(o));
    pos = at;
    if (o.code == op::kStop) return count;
  }
}

absl::StatusOr<std::vector<PickleOp>> Disassemble(absl::string_view pickle, size_t max_ops) {
  std::vector<PickleOp> ops;
  PTSER_RETURN_IF_ERROR(DisassembleEach(
                            pickle,
                            [&](const PickleOp& o) {
                              ops.push_back(o);
                              return absl::OkStatus();
                            },
                            max_ops)
                            .status());
  return ops;
}

std::string FormatPickleOp(const PickleOp& o) {
  std::string code = (o.code >= 0x20 && o.code < 0x7f) ? std::string(1, static_cast<char>(o.code))
                                                       : absl::StrFormat("\\x%02x", o.code);
  std::string line = absl::StrFormat("%5d: %-4s %-10s %s", o.offset, code, o.name, o.arg);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line += '\n';
  return line;
}

std::string FormatDisassembly(const std::vector<PickleOp>& ops) {
  std::string out;
  for (const PickleOp& o : ops) out += FormatPickleOp(o);
  return out;
}

absl::StatusOr<std::vector<GlobalReference>> ReferencedGlobals(absl::string_view pickle) {
  std::vector<GlobalReference> out;
  const auto* p = reinterpret_cast<const unsigned char*>(pickle.data());
  // A symbolic stack of string constants and a memo of the strings PUT into
  // it: enough to follow STACK_GLOBAL as Python's pickler writes it.  Every
  // opcode but a string push, a memo read and STACK_GLOBAL pushes a
  // non-string and none pops, so only the top two slots are ever read (a
  // STACK_GLOBAL leaves a non-string on top, hiding what lies below it):
  // the stack is those two slots.  The memo keeps string entries only, as
  // views of the pickle, and at most one per 32 bytes of pickle (plus 4096):
  // memory stays a fraction of the input (issue 12 §4: a 19 MB pickle of a
  // million memo entries took 1 GB here).  A string past that budget is not
  // followed, so a STACK_GLOBAL reading it is reported unresolved — a
  // finding, never a pass.
  struct Slot {
    bool is_str = false;
    absl::string_view s;
  };
  Slot top[2];  // top[1] is the top of the stack
  auto push = [&](Slot slot) {
    top[0] = top[1];
    top[1] = slot;
  };
  absl::flat_hash_map<uint64_t, absl::string_view> memo;
  const size_t memo_budget = pickle.size() / 32 + 4096;
  uint64_t memoize_next = 0;
  auto put = [&](uint64_t index) {
    if (!top[1].is_str) {
      memo.erase(index);
      return;
    }
    auto it = memo.find(index);
    if (it != memo.end()) {
      it->second = top[1].s;
    } else if (memo.size() < memo_budget) {
      memo.emplace(index, top[1].s);
    }
  };
  // Each distinct global once, at its first offset (a pickle naming the same
  // global a million times lists it once).
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> listed;
  bool listed_unresolved = false;
  auto add = [&](size_t offset, absl::string_view module, absl::string_view name, bool resolved) {
    if (!resolved) {
      if (listed_unresolved) return;
      listed_unresolved = true;
    } else if (!listed.emplace(module, name).second) {
      return;
    }
    out.push_back({offset, std::string(module), std::string(name), resolved});
  };
  auto raw_payload = [&](const PickleOp& o) -> absl::string_view {
    size_t at = o.offset + 1;
    int n = o.code == op::kShortBinUnicode ? 1 : o.code == op::kBinUnicode8 ? 8 : 4;
    uint64_t len = LoadLE(p + at, n);
    return pickle.substr(at + n, len);
  };
  auto visit = [&](const PickleOp& o) -> absl::Status {
    switch (o.code) {
      case op::kGlobal:
      case op::kInst: {
        size_t at = o.offset + 1;
        size_t nl1 = pickle.find('\n', at);
        size_t nl2 = pickle.find('\n', nl1 + 1);
        add(o.offset, pickle.substr(at, nl1 - at), pickle.substr(nl1 + 1, nl2 - nl1 - 1), true);
        push({});
        break;
      }
      case op::kShortBinUnicode:
      case op::kBinUnicode:
      case op::kBinUnicode8:
        push({true, raw_payload(o)});
        break;
      case op::kBinPut:
        put(p[o.offset + 1]);
        break;
      case op::kLongBinPut:
        put(LoadLE(p + o.offset + 1, 4));
        break;
      case op::kPut: {
        // The decimal index as PUT writes it; anything else is never read
        // back by a GET of the same text, so it is keyed by nothing.
        uint64_t index = 0;
        if (absl::SimpleAtoi(o.arg, &index)) put(index);
        break;
      }
      case op::kMemoize:
        put(memoize_next++);
        break;
      case op::kBinGet:
      case op::kLongBinGet:
      case op::kGet: {
        uint64_t index = 0;
        bool ok = true;
        if (o.code == op::kBinGet) {
          index = p[o.offset + 1];
        } else if (o.code == op::kLongBinGet) {
          index = LoadLE(p + o.offset + 1, 4);
        } else {
          ok = absl::SimpleAtoi(o.arg, &index);
        }
        auto it = ok ? memo.find(index) : memo.end();
        push(it != memo.end() ? Slot{true, it->second} : Slot{});
        break;
      }
      case op::kStackGlobal: {
        const bool resolved = top[0].is_str && top[1].is_str;
        add(o.offset, resolved ? top[0].s : "", resolved ? top[1].s : "", resolved);
        top[0] = Slot{};  // what lay below: hidden under the global
        top[1] = Slot{};
        break;
      }
      case op::kFrame:
      case op::kProto:
      case op::kStop:
        break;
      default:
        // Anything else: the top of the stack is no longer a known string.
        push({});
        break;
    }
    return absl::OkStatus();
  };
  PTSER_RETURN_IF_ERROR(DisassembleEach(pickle, visit).status());
  return out;
}

}  // namespace ptser
