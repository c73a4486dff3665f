// Copyright ptser authors.
//
// pickle/opcodes.h — the opcodes of pickle protocols 0 to 5.
//
// Byte values and argument encodings are those of Python's pickle format
// (documented in CPython's Lib/pickletools.py; PEP 307 for protocol 2,
// PEP 3154 for 4, PEP 574 for 5).  Multi-byte integers are little-endian
// except BINFLOAT (big-endian IEEE 754 double).
//
//   PROTO 2 (0x80 0x02), EMPTY_LIST (']'), BINPUT 0 ('q' 0x00), STOP ('.')
//   is `pickle.dumps([], 2)` == b"\x80\x02]q\x00."
#ifndef PTSER_PICKLE_OPCODES_H_
#define PTSER_PICKLE_OPCODES_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ptser {
namespace pickle_op {

// Protocol 0 and 1.
inline constexpr uint8_t kMark = '(';            // push the mark
inline constexpr uint8_t kStop = '.';            // end of pickle
inline constexpr uint8_t kPop = '0';             // discard top
inline constexpr uint8_t kPopMark = '1';         // discard to mark
inline constexpr uint8_t kDup = '2';             // duplicate top
inline constexpr uint8_t kFloat = 'F';           // decimal text + '\n'
inline constexpr uint8_t kInt = 'I';             // decimal text + '\n'
inline constexpr uint8_t kBinInt = 'J';          // int32
inline constexpr uint8_t kBinInt1 = 'K';         // uint8
inline constexpr uint8_t kLong = 'L';            // decimal text [+ 'L'] + '\n'
inline constexpr uint8_t kBinInt2 = 'M';         // uint16
inline constexpr uint8_t kNone = 'N';
inline constexpr uint8_t kPersId = 'P';          // text + '\n'
inline constexpr uint8_t kBinPersId = 'Q';       // pid from the stack
inline constexpr uint8_t kReduce = 'R';          // callable(*args)
inline constexpr uint8_t kString = 'S';          // quoted repr + '\n'
inline constexpr uint8_t kBinString = 'T';       // int32 length + bytes
inline constexpr uint8_t kShortBinString = 'U';  // uint8 length + bytes
inline constexpr uint8_t kUnicode = 'V';         // raw-unicode-escape + '\n'
inline constexpr uint8_t kBinUnicode = 'X';      // uint32 length + UTF-8
inline constexpr uint8_t kAppend = 'a';
inline constexpr uint8_t kBuild = 'b';
inline constexpr uint8_t kGlobal = 'c';          // module '\n' name '\n'
inline constexpr uint8_t kDict = 'd';
inline constexpr uint8_t kEmptyDict = '}';
inline constexpr uint8_t kAppends = 'e';
inline constexpr uint8_t kGet = 'g';             // decimal text + '\n'
inline constexpr uint8_t kBinGet = 'h';          // uint8
inline constexpr uint8_t kInst = 'i';            // module '\n' name '\n'
inline constexpr uint8_t kLongBinGet = 'j';      // uint32
inline constexpr uint8_t kList = 'l';
inline constexpr uint8_t kEmptyList = ']';
inline constexpr uint8_t kObj = 'o';
inline constexpr uint8_t kPut = 'p';             // decimal text + '\n'
inline constexpr uint8_t kBinPut = 'q';          // uint8
inline constexpr uint8_t kLongBinPut = 'r';      // uint32
inline constexpr uint8_t kSetItem = 's';
inline constexpr uint8_t kTuple = 't';
inline constexpr uint8_t kEmptyTuple = ')';
inline constexpr uint8_t kSetItems = 'u';
inline constexpr uint8_t kBinFloat = 'G';        // big-endian double
// Protocol 2.
inline constexpr uint8_t kProto = 0x80;          // uint8 protocol
inline constexpr uint8_t kNewObj = 0x81;
inline constexpr uint8_t kExt1 = 0x82;           // uint8 extension code
inline constexpr uint8_t kExt2 = 0x83;           // uint16
inline constexpr uint8_t kExt4 = 0x84;           // int32
inline constexpr uint8_t kTuple1 = 0x85;
inline constexpr uint8_t kTuple2 = 0x86;
inline constexpr uint8_t kTuple3 = 0x87;
inline constexpr uint8_t kNewTrue = 0x88;
inline constexpr uint8_t kNewFalse = 0x89;
inline constexpr uint8_t kLong1 = 0x8a;          // uint8 length + bytes
inline constexpr uint8_t kLong4 = 0x8b;          // int32 length + bytes
// Protocol 3.
inline constexpr uint8_t kBinBytes = 'B';        // uint32 length + bytes
inline constexpr uint8_t kShortBinBytes = 'C';   // uint8 length + bytes
// Protocol 4.
inline constexpr uint8_t kShortBinUnicode = 0x8c;  // uint8 length + UTF-8
inline constexpr uint8_t kBinUnicode8 = 0x8d;      // uint64 length + UTF-8
inline constexpr uint8_t kBinBytes8 = 0x8e;        // uint64 length + bytes
inline constexpr uint8_t kEmptySet = 0x8f;
inline constexpr uint8_t kAddItems = 0x90;
inline constexpr uint8_t kFrozenSet = 0x91;
inline constexpr uint8_t kNewObjEx = 0x92;
inline constexpr uint8_t kStackGlobal = 0x93;
inline constexpr uint8_t kMemoize = 0x94;
inline constexpr uint8_t kFrame = 0x95;            // uint64 frame length
// Protocol 5.
inline constexpr uint8_t kByteArray8 = 0x96;       // uint64 length + bytes
inline constexpr uint8_t kNextBuffer = 0x97;
inline constexpr uint8_t kReadOnlyBuffer = 0x98;

// The highest protocol ptser reads and writes.
inline constexpr int kHighestProtocol = 5;

// pickletools' name for an opcode ("BINPUT"), or "" for unknown bytes.
absl::string_view OpcodeName(uint8_t op);

}  // namespace pickle_op
}  // namespace ptser

#endif  // PTSER_PICKLE_OPCODES_H_
