// Copyright ptser authors.
//
// The Unpickler on hand-written pickles: every opcode, and hostile input
// (globals that run code, opcodes applied to the wrong kind of object,
// memo and nesting bombs, stack and MARK underflow, truncation, limits).
// Byte strings are written as Python would show them.

#include "pickle/unpickler.h"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pickle/test_util.h"
#include "pickle/tensor_codec.h"
#include "pickle/torch_globals.h"
#include "pickle/value.h"
#include "tensor/storage.h"

namespace ptser {
namespace {

using ::ptser::pickle_testing::HexDump;
using ::ptser::pickle_testing::LoadPlainFixtures;
using ::ptser::pickle_testing::LoadTorchFixtures;
using ::ptser::pickle_testing::PlainFixture;
using ::ptser::pickle_testing::ReadTestData;
using ::ptser::pickle_testing::RecordStorageLoader;
using ::ptser::pickle_testing::TorchFixture;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A pickle from a literal that may contain NUL bytes.
template <size_t N>
std::string P(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string ReprOf(const std::string& pickle,
                   const UnpicklerOptions& options = {}) {
  absl::StatusOr<Value> v = Unpickle(pickle, options);
  if (!v.ok()) return absl::StrCat("error: ", v.status().ToString());
  return v->Repr();
}

UnpicklerOptions KeepInert() {
  UnpicklerOptions o;
  o.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  return o;
}

// ---------------------------------------------------------------------------
// Opcodes, protocol 0 (text) and 1.

TEST(UnpicklerOpcodeTest, Protocol0Text) {
  EXPECT_EQ(ReprOf(P("I1\n.")), "1");
  EXPECT_EQ(ReprOf(P("I-42\n.")), "-42");
  EXPECT_EQ(ReprOf(P("I01\n.")), "True");
  EXPECT_EQ(ReprOf(P("I00\n.")), "False");
  EXPECT_EQ(ReprOf(P("I0x10\n.")), "16");  // C strtol base 0
  EXPECT_EQ(ReprOf(P("I9223372036854775807\n.")), "9223372036854775807");
  EXPECT_EQ(ReprOf(P("I-9223372036854775808\n.")), "-9223372036854775808");
  EXPECT_EQ(ReprOf(P("L12345678901234L\n.")), "12345678901234");
  EXPECT_EQ(ReprOf(P("L-5\n.")), "-5");
  EXPECT_EQ(ReprOf(P("F1.5\n.")), "1.5");
  EXPECT_EQ(ReprOf(P("Finf\n.")), "inf");
  EXPECT_EQ(ReprOf(P("F-1e-05\n.")), "-1e-05");
  EXPECT_EQ(ReprOf(P("S'a\\nb\\x00\\'c'\n.")), "\"a\\nb\\x00'c\"");
  EXPECT_EQ(ReprOf(P("S\"dq\"\n.")), "'dq'");
  EXPECT_EQ(ReprOf(P("Vcaf\xe9 \\u20ac \\U0001f600\n.")),
            "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80'");
  EXPECT_EQ(ReprOf(P("(lp0\nI1\naI2\na.")), "[1, 2]");
  EXPECT_EQ(ReprOf(P("(dp0\nVa\np1\nI1\nsVb\np2\ng1\ns.")),
            "{'a': 1, 'b': 'a'}");
  EXPECT_EQ(ReprOf(P("(I1\nI2\ntp0\n(g0\ng0\nl.")), "[(1, 2), (1, 2)]");
  EXPECT_EQ(ReprOf(P("(S'k'\nI1\nd.")), "{'k': 1}");
  EXPECT_EQ(ReprOf(P("N.")), "None");
}

TEST(UnpicklerOpcodeTest, BinaryNumbers) {
  EXPECT_EQ(ReprOf(P("K\xff.")), "255");
  EXPECT_EQ(ReprOf(P("M\xff\xff.")), "65535");
  EXPECT_EQ(ReprOf(P("J\xff\xff\xff\xff.")), "-1");
  EXPECT_EQ(ReprOf(P("J\x00\x00\x00\x80.")), "-2147483648");
  EXPECT_EQ(ReprOf(P("\x8a\x00.")), "0");
  EXPECT_EQ(ReprOf(P("\x8a\x01\xff.")), "-1");
  EXPECT_EQ(ReprOf(P("\x8a\x02\x00\x80.")), "-32768");
  EXPECT_EQ(ReprOf(P("\x8a\x03\x00\x80\x00.")), "32768");
  EXPECT_EQ(ReprOf(P("\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f.")),
            "9223372036854775807");
  // Nine bytes that only sign-extend still fit.
  EXPECT_EQ(ReprOf(P("\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff.")), "-1");
  EXPECT_EQ(ReprOf(P("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\xff.")),
            "-9223372036854775808");
  EXPECT_EQ(ReprOf(P("\x8b\x02\x00\x00\x00\x01\x01.")), "257");
  EXPECT_EQ(ReprOf(P("G?\xf8\x00\x00\x00\x00\x00\x00.")), "1.5");
  EXPECT_EQ(ReprOf(P("\x88.")), "True");
  EXPECT_EQ(ReprOf(P("\x89.")), "False");
}

TEST(UnpicklerOpcodeTest, IntegersBeyondInt64AreExact) {
  EXPECT_EQ(ReprOf(P("I9223372036854775808\n.")), "9223372036854775808");
  EXPECT_EQ(ReprOf(P("L-9223372036854775809L\n.")), "-9223372036854775809");
  EXPECT_EQ(ReprOf(P("I0x10000000000000000\n.")), "18446744073709551616");
  // 2**63 as LONG1: 9 bytes, top byte 0 but bit 63 set.
  ASSERT_OK_AND_ASSIGN(Value v,
                       Unpickle(P("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00.")));
  EXPECT_TRUE(v.is_bigint());
  EXPECT_EQ(v.Repr(), "9223372036854775808");
  EXPECT_EQ(ReprOf(P("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.")),
            "18446744073709551616");
  // A non-minimal LONG1 of a small value is that int64.
  ASSERT_OK_AND_ASSIGN(v, Unpickle(P("\x8a\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff.")));
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(v.as_int(), -1);
  // -2**4000 as LONG4 (501 bytes).
  std::string long4 = std::string("\x8b\xf5\x01\x00\x00", 5) + std::string(500, '\0') + "\xff.";
  ASSERT_OK_AND_ASSIGN(v, Unpickle(long4));
  EXPECT_EQ(v.as_bigint().BitLength(), 4001u);
  EXPECT_EQ(v.Repr().size(), 1206u);  // '-' and 1205 digits
  EXPECT_THAT(Unpickle(P("\x8b\xff\xff\xff\xff.")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("negative byte count")));
  // Decimal text past Python's 4300-digit limit is refused, quickly.
  EXPECT_THAT(Unpickle("L" + std::string(4301, '7') + "\n."),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("4300 digits")));
  EXPECT_THAT(Unpickle(P("L12x45678901234567890\n.")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("invalid integer literal")));
}

TEST(UnpicklerOpcodeTest, Strings) {
  EXPECT_EQ(ReprOf(P("X\x02\x00\x00\x00hi.")), "'hi'");
  EXPECT_EQ(ReprOf(P("\x8c\x02hi.")), "'hi'");
  EXPECT_EQ(ReprOf(P("\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi.")), "'hi'");
  EXPECT_EQ(ReprOf(P("C\x02\x00\xff.")), "b'\\x00\\xff'");
  EXPECT_EQ(ReprOf(P("B\x01\x00\x00\x00" "b.")), "b'b'");
  EXPECT_EQ(ReprOf(P("\x8e\x01\x00\x00\x00\x00\x00\x00\x00" "b.")), "b'b'");
  EXPECT_EQ(ReprOf(P("\x96\x01\x00\x00\x00\x00\x00\x00\x00" "b.")),
            "bytearray(b'b')");
  // Lone surrogates pass through, as with Python's surrogatepass.
  EXPECT_EQ(ReprOf(P("X\x03\x00\x00\x00\xed\xa0\x80.")), "'\\ud800'");
  EXPECT_THAT(Unpickle(P("X\x02\x00\x00\x00\xc3\x28.")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("BINUNICODE at offset 0: string is not "
                                 "valid UTF-8")));
}

TEST(UnpicklerOpcodeTest, Python2Strings) {
  const std::string latin = P("U\x03\x63\x61\xe9.");  // 'caf\xe9' in Latin-1
  EXPECT_THAT(Unpickle(latin), StatusIs(absl::StatusCode::kDataLoss,
                                        HasSubstr("not valid UTF-8")));
  UnpicklerOptions o;
  o.python2_strings = UnpicklerOptions::Python2Strings::kLatin1;
  EXPECT_EQ(ReprOf(latin, o), "'ca\xc3\xa9'");
  o.python2_strings = UnpicklerOptions::Python2Strings::kBytes;
  EXPECT_EQ(ReprOf(latin, o), "b'ca\\xe9'");
  o.python2_strings = UnpicklerOptions::Python2Strings::kAscii;
  EXPECT_THAT(Unpickle(latin, o), StatusIs(absl::StatusCode::kDataLoss,
                                           HasSubstr("not ASCII")));
  EXPECT_EQ(ReprOf(P("T\x02\x00\x00\x00ok.")), "'ok'");
  EXPECT_EQ(ReprOf(P("U\x03\xc3\xa9!.")), "'\xc3\xa9!'");
  EXPECT_THAT(Unpickle(P("T\xff\xff\xff\xff.")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("negative byte count")));
  EXPECT_THAT(Unpickle(P("Sabc\n.")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("quoted")));
}

TEST(UnpicklerOpcodeTest, Containers) {
  EXPECT_EQ(ReprOf(P(").")), "()");
  EXPECT_EQ(ReprOf(P("K\x01\x85.")), "(1,)");
  EXPECT_EQ(ReprOf(P("K\x01K\x02\x86.")), "(1, 2)");
  EXPECT_EQ(ReprOf(P("K\x01K\x02K\x03\x87.")), "(1, 2, 3)");
  EXPECT_EQ(ReprOf(P("(K\x01K\x02K\x03K\x04t.")), "(1, 2, 3, 4)");
  EXPECT_EQ(ReprOf(P("](K\x01K\x02" "eK\x03" "a.")), "[1, 2, 3]");
  EXPECT_EQ(ReprOf(P("}(K\x01K\x02K\x03K\x04uK\x05K\x06s.")),
            "{1: 2, 3: 4, 5: 6}");
  EXPECT_EQ(ReprOf(P("\x8f(K\x01K\x02K\x01\x90.")), "{1, 2}");
  EXPECT_EQ(ReprOf(P("(K\x01\x91.")), "frozenset({1})");
  EXPECT_EQ(ReprOf(P("(\x91.")), "frozenset()");
  // Later keys replace earlier equal ones, keeping the first key object.
  EXPECT_EQ(ReprOf(P("}(K\x01X\x01\x00\x00\x00" "a\x88X\x01\x00\x00\x00" "bu.")),
            "{1: 'b'}");
}

TEST(UnpicklerOpcodeTest, StackManipulation) {
  EXPECT_EQ(ReprOf(P("K\x01K\x02" "0.")), "1");            // POP
  EXPECT_EQ(ReprOf(P("K\x01(K\x02K\x03" "1.")), "1");      // POP_MARK
  EXPECT_EQ(ReprOf(P("]2\x86.")), "([], [])");          // DUP
  EXPECT_EQ(ReprOf(P("K\x01(0.")), "1");                // POP of an empty
                                                        // frame pops the MARK
  ASSERT_OK_AND_ASSIGN(Value dup, Unpickle(P("]2\x86.")));
  EXPECT_TRUE(dup.tuple()[0].IsSameObject(dup.tuple()[1]));
}

TEST(UnpicklerOpcodeTest, Memo) {
  EXPECT_EQ(ReprOf(P("]q\x05h\x05\x86.")), "([], [])");
  EXPECT_EQ(ReprOf(P("]r\x00\x01\x00\x00j\x00\x01\x00\x00\x86.")), "([], [])");
  EXPECT_EQ(ReprOf(P("\x80\x04]\x94K\x01\x94h\x00h\x01\x87.")),
            "(1, [], 1)");  // MEMOIZE numbers entries 0, 1, ...
  // PUT to an existing key replaces it.
  EXPECT_EQ(ReprOf(P("K\x01q\x00K\x02q\x00h\x00.")), "2");
  // Entries no GET reads are not kept, but still count: MEMOIZE after two
  // unread entries numbers the third 2, and a re-PUT of an unread key
  // does not count twice.
  EXPECT_EQ(ReprOf(P("\x80\x04]\x94K\x01\x94K\x02\x94h\x02.")), "2");
  EXPECT_EQ(ReprOf(P("\x80\x04K\x01q\x00K\x02q\x00K\x03\x94h\x01.")), "3");
  // A GET of an index far beyond anything put: the pre-pass does not track
  // it (no allocation by index), and the real pass reports it.
  EXPECT_THAT(Unpickle(P("K\x01q\x00j\xfe\xff\xff\xff.")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("memo key 4294967294 not found")));
  // Text PUT/GET (protocol 0), and a GET reading an entry PUT twice.
  EXPECT_EQ(ReprOf(P("I5\np3\n0g3\n.")), "5");
  EXPECT_EQ(ReprOf(P("I5\np3\n0I6\np3\n0g3\n.")), "6");
  EXPECT_THAT(Unpickle(P("h\x05.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "BINGET at offset 0: memo key 5 not found"));
  EXPECT_THAT(Unpickle(P("g7\n.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("memo key 7 not found")));
  EXPECT_THAT(Unpickle(P("Np-1\n.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("negative PUT argument")));
  EXPECT_THAT(Unpickle(P("q\x00.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("BINPUT at offset 0: unpickling stack "
                                 "underflow")));
}

TEST(UnpicklerOpcodeTest, FramesAndProtocol) {
  EXPECT_EQ(ReprOf(P("\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N.")),
            "None");
  EXPECT_THAT(Unpickle(P("\x80\x04\x95\x09\x00\x00\x00\x00\x00\x00\x00N.")),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("FRAME at offset 2")));
  EXPECT_THAT(Unpickle(P("\x80\x06N.")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("unsupported pickle protocol 6")));
  const std::string proto5 = P("\x80\x05N.");
  Unpickler u(proto5);
  ASSERT_OK(u.Load().status());
  EXPECT_EQ(u.protocol(), 5);
}

TEST(UnpicklerOpcodeTest, ConcatenatedPicklesAndTrailingBytes) {
  const std::string data = P("K\x01.\x80\x02]q\x00.garbage");
  Unpickler u(data);
  ASSERT_OK_AND_ASSIGN(Value a, u.Load());
  EXPECT_EQ(a.Repr(), "1");
  EXPECT_EQ(u.position(), 3u);
  ASSERT_OK_AND_ASSIGN(Value b, u.Load());
  EXPECT_EQ(b.Repr(), "[]");
  EXPECT_EQ(u.position(), 9u);
  // Each Load starts with a fresh memo.
  const std::string two = P("]q\x00.h\x00.");
  Unpickler v(two);
  ASSERT_OK(v.Load().status());
  EXPECT_THAT(v.Load(), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("memo key 0 not found")));
}

TEST(UnpicklerOpcodeTest, GlobalsAndCalls) {
  // GLOBAL + REDUCE, Python 2 names, STACK_GLOBAL, NEWOBJ, NEWOBJ_EX.
  EXPECT_EQ(ReprOf(P("c__builtin__\nset\n]K\x01" "a\x85R.")), "{1}");
  EXPECT_EQ(ReprOf(P("\x8c\x08" "builtins\x8c\x07" "complex\x93G?\xf0\x00\x00\x00"
                     "\x00\x00\x00K\x02\x86R.")),
            "(1+2j)");
  EXPECT_EQ(ReprOf(P("ccollections\nOrderedDict\n)\x81.")), "OrderedDict()");
  EXPECT_EQ(ReprOf(P("ccollections\nOrderedDict\n)}\x92.")), "OrderedDict()");
  EXPECT_EQ(ReprOf(P("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00"
                     "\x00\x00latin1\x86R.")),
            "b'\\xe9'");
  EXPECT_EQ(ReprOf(P("ctorch\nfloat16\n.")), "torch.float16");
  EXPECT_EQ(ReprOf(P("ctorch\nper_channel_affine\n.")),
            "torch.per_channel_affine");
  EXPECT_EQ(ReprOf(P("ctorch\nSize\n(K\x02K\x03t\x85R.")), "torch.Size([2, 3])");
  EXPECT_EQ(ReprOf(P("ctorch\ndevice\nX\x06\x00\x00\x00" "cuda:2\x85R.")),
            "device(type='cuda', index=2)");
  EXPECT_EQ(ReprOf(P("ctorch.serialization\n_get_layout\nX\x10\x00\x00\x00"
                     "torch.sparse_csr\x85R.")),
            "torch.sparse_csr");
  EXPECT_EQ(ReprOf(P("ccollections\nCounter\n}X\x01\x00\x00\x00" "aK\x02s\x85R.")),
            "Counter({'a': 2})");
  EXPECT_EQ(ReprOf(P("c__builtin__\nbytes\n)R.")), "b''");
  EXPECT_EQ(ReprOf(P("ctorch.cuda\nFloatStorage\n.")),
            "<global torch.cuda.FloatStorage>");
  // INST and OBJ on an allowed class.
  EXPECT_EQ(ReprOf(P("(F1.0\nF2.0\ni__builtin__\ncomplex\n.")), "(1+2j)");
  EXPECT_EQ(ReprOf(P("(c__builtin__\ncomplex\nF1.0\nF2.0\no.")), "(1+2j)");
}

TEST(UnpicklerOpcodeTest, PersistentIds) {
  UnpicklerOptions o;
  std::vector<std::string> seen;
  o.persistent_load = [&seen](const Value& pid,
                              size_t offset) -> absl::StatusOr<Value> {
    seen.push_back(absl::StrCat(pid.Repr(), "@", offset));
    return Value::Str("loaded");
  };
  EXPECT_EQ(ReprOf(P("(Pkey1\nX\x02\x00\x00\x00k2Qt."), o),
            "('loaded', 'loaded')");
  EXPECT_THAT(seen, ::testing::ElementsAre("'key1'@1", "'k2'@14"));
  o.persistent_load = [](const Value&, size_t) -> absl::StatusOr<Value> {
    return absl::NotFoundError("no such record");
  };
  EXPECT_THAT(Unpickle(P("NQ."), o),
              StatusIs(absl::StatusCode::kNotFound,
                       "BINPERSID at offset 1: no such record"));
}

TEST(UnpicklerOpcodeTest, OutOfBandBuffers) {
  EXPECT_THAT(Unpickle(P("\x80\x05\x97.")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("NEXT_BUFFER at offset 2")));
  UnpicklerOptions o;
  o.buffers = {Value::ByteArray("abc"), Value::Bytes("xyz")};
  EXPECT_EQ(ReprOf(P("\x80\x05\x97\x97\x86."), o),
            "(bytearray(b'abc'), b'xyz')");
  EXPECT_EQ(ReprOf(P("\x80\x05\x97\x98."), o), "b'abc'");
  EXPECT_THAT(Unpickle(P("\x97\x97\x97."), o),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not enough out-of-band buffers")));
  EXPECT_THAT(Unpickle(P("]\x98.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("READONLY_BUFFER needs a buffer")));
}

TEST(UnpicklerOpcodeTest, ExtensionsAreUnimplemented) {
  EXPECT_THAT(Unpickle(P("\x80\x02\x82\x01.")),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("EXT1 at offset 2: extension code 1")));
  EXPECT_THAT(Unpickle(P("\x83\x01\x02.")),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("EXT2")));
  EXPECT_THAT(Unpickle(P("\x84\x01\x02\x03\x04.")),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("EXT4")));
}

// ---------------------------------------------------------------------------
// Globals that would run code.

TEST(UnpicklerSecurityTest, OsSystemViaGlobal) {
  EXPECT_THAT(Unpickle(P("cos\nsystem\n(S'echo pwned'\ntR.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("refusing global 'os.system' at offset 0")));
  // After a PROTO and a few opcodes the offset moves.
  EXPECT_THAT(
      Unpickle(P("\x80\x02]q\x00(K\x01K\x02" "ecos\nsystem\nq\x01X\x02\x00\x00\x00"
                 "ls\x85R.")),
      StatusIs(absl::StatusCode::kPermissionDenied,
               HasSubstr("refusing global 'os.system' at offset 11 (GLOBAL)")));
}

TEST(UnpicklerSecurityTest, OsSystemViaStackGlobal) {
  EXPECT_THAT(
      Unpickle(P("\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02ls"
                 "\x85R.")),
      StatusIs(absl::StatusCode::kPermissionDenied,
               HasSubstr("refusing global 'os.system' at offset 16 "
                         "(STACK_GLOBAL)")));
}

TEST(UnpicklerSecurityTest, OsSystemViaInstAndObj) {
  EXPECT_THAT(Unpickle(P("(S'ls'\nios\nsystem\n.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("refusing global 'os.system' at offset 7 "
                                 "(INST)")));
  EXPECT_THAT(Unpickle(P("(cos\nsystem\nS'ls'\no.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("refusing global 'os.system' at offset 1")));
}

TEST(UnpicklerSecurityTest, OtherDangerousGlobals) {
  for (const char* g :
       {"c__builtin__\neval\n", "cbuiltins\nexec\n", "cbuiltins\ngetattr\n",
        "cposix\nsystem\n", "csubprocess\nPopen\n", "ctorch\nload\n",
        "ctorch.jit\nload\n", "cnumpy.core.multiarray\n_reconstruct\n",
        "ccopyreg\n_reconstructor\n", "cbuiltins\nobject\n",
        "ctorch._utils\n_rebuild_tensor_v2.__globals__\n",
        "ctorch\nSize.__class__\n"}) {
    SCOPED_TRACE(g);
    EXPECT_THAT(Unpickle(absl::StrCat(g, ".")),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr("refusing global '")));
  }
  // Python 2 names are reported as written and as read.
  EXPECT_THAT(Unpickle(P("c__builtin__\neval\n.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("'__builtin__.eval' at offset 0 (GLOBAL) "
                                 "(read as 'builtins.eval')")));
}

// CVE-2025-32434: weights_only loading reached TorchScript, which runs code.
// At the pickle layer TorchScript's globals (its classes and
// torch.jit._pickle helpers) are simply not allowed.
TEST(UnpicklerSecurityTest, Cve2025_32434TorchScriptGlobalsRefused) {
  EXPECT_THAT(Unpickle(P("\x80\x02" "c__torch__\nMyModule\n)\x81}b.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("'__torch__.MyModule'")));
  EXPECT_THAT(Unpickle(P("\x80\x02" "ctorch.jit._pickle\nbuild_intlist\n]\x85R.")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("'torch.jit._pickle.build_intlist'")));
}

TEST(UnpicklerSecurityTest, KeepInertNeverRunsAnything) {
  ASSERT_OK_AND_ASSIGN(Value v,
                       Unpickle(P("cos\nsystem\n(S'echo pwned'\ntR."),
                                KeepInert()));
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.object().callee().FullName(), "os.system");
  EXPECT_EQ(v.Repr(), "<object os.system called with ('echo pwned',)>");
}

// ---------------------------------------------------------------------------
// Opcodes applied to the wrong kind of object (CVE-2026-24747 was SETITEM(S)
// on non-dicts in PyTorch's weights-only unpickler).

TEST(UnpicklerSecurityTest, Cve2026_24747SetItemOnNonDict) {
  EXPECT_THAT(Unpickle(P("]K\x01K\x02s.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "SETITEM at offset 5: cannot set items on a list: the "
                       "target must be a dict"));
  EXPECT_THAT(Unpickle(P(")(K\x01K\x02u.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("SETITEMS at offset 6: cannot set items on a "
                                 "tuple")));
  EXPECT_THAT(Unpickle(P("X\x01\x00\x00\x00" "aK\x01K\x02s.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("on a str")));
  EXPECT_THAT(Unpickle(P("ctorch\nfloat32\nK\x01K\x02s.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("on a torch.dtype")));
  EXPECT_THAT(Unpickle(P("\x8f(K\x01K\x02u.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("on a set")));
  // A tensor as SETITEM target.
  auto storage = Storage::Allocate(12);
  ASSERT_OK(storage.status());
  UnpicklerOptions o;
  o.persistent_load = [&](const Value&, size_t) -> absl::StatusOr<Value> {
    return Value::FromStorage({*storage, ScalarType::kFloat, false});
  };
  const std::string tensor_setitem = P(
      "\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\n(NQK\x00K\x03\x85K\x01\x85"
      "\x89" "ccollections\nOrderedDict\n)RtRK\x00K\x01s.");
  EXPECT_THAT(Unpickle(tensor_setitem, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot set items on a Tensor")));
}

TEST(UnpicklerSecurityTest, AppendOnNonList) {
  EXPECT_THAT(Unpickle(P("}K\x01" "a.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "APPEND at offset 3: cannot append to a dict: the "
                       "target must be a list"));
  EXPECT_THAT(Unpickle(P(")(K\x01" "e.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("APPENDS at offset 4: cannot append to a "
                                 "tuple")));
  EXPECT_THAT(Unpickle(P("\x8fK\x01" "a.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot append to a set")));
  EXPECT_THAT(Unpickle(P("ctorch\nSize\n)RK\x01" "a.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot append to a torch.Size")));
  // Objects of registered (modelled) classes take no items either.
  EXPECT_THAT(Unpickle(P("ccollections\nOrderedDict\n)RK\x01" "a.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot append to a OrderedDict")));
}

TEST(UnpicklerSecurityTest, AddItemsOnNonSet) {
  EXPECT_THAT(Unpickle(P("(\x91(K\x01\x90.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ADDITEMS at offset 5: cannot add items to a "
                                 "frozenset")));
  EXPECT_THAT(Unpickle(P("](K\x01\x90.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot add items to a list")));
}

TEST(UnpicklerSecurityTest, BuildOnWhatCannotBeBuilt) {
  EXPECT_THAT(Unpickle(P(")}b.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("BUILD at offset 2: cannot BUILD a tuple")));
  EXPECT_THAT(Unpickle(P("]}b.")), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("cannot BUILD a list")));
  EXPECT_THAT(Unpickle(P("}}b.")), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("cannot BUILD a dict")));
  EXPECT_THAT(Unpickle(P("K\x01}b.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot BUILD a int")));
  EXPECT_THAT(Unpickle(P("ctorch\nFloatStorage\n}b.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot BUILD a global 'torch.FloatStorage'")));
  // An OrderedDict takes only dict (or (dict, slots)) state.
  EXPECT_THAT(Unpickle(P("ccollections\nOrderedDict\n)R]b.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be a dict")));
  EXPECT_EQ(ReprOf(P("ccollections\nOrderedDict\n)R}X\x01\x00\x00\x00" "aK\x01sb.")),
            "OrderedDict()");
}

TEST(UnpicklerSecurityTest, CallingWhatIsNotCallable) {
  EXPECT_THAT(Unpickle(P("])R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "REDUCE at offset 2: cannot call a list (only globals "
                       "can be called)"));
  EXPECT_THAT(Unpickle(P("c__builtin__\nset\n]R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("REDUCE arguments must be a tuple")));
  EXPECT_THAT(Unpickle(P("ctorch\nFloatStorage\n)R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("registered as a name only")));
  EXPECT_THAT(Unpickle(P("ctorch\nfloat32\n)R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot call a torch.dtype")));
  // torch.Tensor() is the empty float tensor of the oldest tensor pickling;
  // its BUILD state must be (storage, storage_offset, size, stride).
  ASSERT_OK_AND_ASSIGN(Value empty, Unpickle(P("ctorch\nTensor\n)R.")));
  ASSERT_TRUE(empty.is_tensor());
  EXPECT_EQ(empty.tensor().dtype(), ScalarType::kFloat);
  EXPECT_EQ(empty.tensor().numel(), 0);
  EXPECT_THAT(Unpickle(P("ctorch\nTensor\nK\x01\x85R.")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("torch.Tensor")));
  EXPECT_THAT(Unpickle(P("ctorch\nTensor\n)RK\x01" "b.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("(storage, storage_offset, size, stride)")));
  // NEWOBJ on torch.Tensor makes the same empty tensor (its handler has no
  // separate NEWOBJ); on a storage class it is refused.
  ASSERT_OK_AND_ASSIGN(Value newobj, Unpickle(P("ctorch\nTensor\n)\x81.")));
  EXPECT_TRUE(newobj.is_tensor());
  EXPECT_THAT(Unpickle(P("ctorch\nFloatStorage\n)\x81.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("NEWOBJ at offset 21: cannot create an "
                                 "instance of 'torch.FloatStorage'")));
  EXPECT_THAT(Unpickle(P("ccollections\nOrderedDict\n)]\x92.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("NEWOBJ_EX takes a tuple and a dict")));
  EXPECT_THAT(Unpickle(P("ccollections\nOrderedDict\n)}K\x01K\x02s\x92.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected keyword arguments")));
  EXPECT_THAT(Unpickle(P("K\x01K\x02\x93.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("STACK_GLOBAL requires str module and name")));
}

TEST(UnpicklerSecurityTest, BadArgumentsToRebuildFunctions) {
  EXPECT_THAT(Unpickle(P("ctorch._utils\n_rebuild_tensor_v2\n)R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("REDUCE at offset 34: "
                                 "torch._utils._rebuild_tensor_v2() takes 6 to "
                                 "7 arguments (0 given)")));
  // Type confusion: an int where the storage belongs.
  EXPECT_THAT(
      Unpickle(P("ctorch._utils\n_rebuild_tensor_v2\n(K\x00K\x00)))\x89NtR.")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("storage must be a storage (from the persistent-load "
                         "hook), got int")));
  EXPECT_THAT(Unpickle(P("ctorch\nSize\n(X\x01\x00\x00\x00" "at\x85R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("torch.Size: sizes must be a tuple of ints")));
  EXPECT_THAT(Unpickle(P("ctorch\ndevice\nX\x04\x00\x00\x00" "cu:d\x85R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("REDUCE at offset")));
  EXPECT_THAT(Unpickle(P("ctorch.serialization\n_get_layout\nX\x02\x00\x00"
                         "\x00os\x85R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown layout 'os'")));
  EXPECT_THAT(Unpickle(P("c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06"
                         "\x00\x00\x00latin1\x86R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'latin-1' codec can't encode")));
  EXPECT_THAT(Unpickle(P("c_codecs\nencode\nX\x01\x00\x00\x00" "aX\x05\x00\x00"
                         "\x00rot13\x86R.")),
              StatusIs(absl::StatusCode::kUnimplemented,
                       HasSubstr("unsupported encoding 'rot13'")));
  // bytes(n) would allocate n bytes: not supported.
  EXPECT_THAT(Unpickle(P("c__builtin__\nbytes\nJ\xff\xff\xff\x7f\x85R.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("source must be bytes or bytearray")));
}

// A tensor whose layout reaches past its storage, and a storage whose
// declared size exceeds its record (the other half of CVE-2026-24747).
TEST(UnpicklerSecurityTest, TensorsMustFitTheirStorage) {
  std::map<std::string, std::string> records = {{"0", std::string(12, '\0')}};
  UnpicklerOptions o;
  o.persistent_load = RecordStorageLoader(&records);
  // BININT: a little-endian int32.
  auto binint = [](int32_t v) {
    std::string out = "J";
    for (int i = 0; i < 4; ++i) {
      out.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff));
    }
    return out;
  };
  auto tensor_pickle = [&](int numel, int offset, int size, int stride) {
    return absl::StrCat(
        P("\x80\x02" "ctorch._utils\n_rebuild_tensor_v2\n(("
          "X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
          "X\x01\x00\x00\x00" "0X\x03\x00\x00\x00" "cpu"),
        binint(numel), "tQ", binint(offset), binint(size), "\x85",
        binint(stride),
        P("\x85\x89" "ccollections\nOrderedDict\n)RtR."));
  };
  EXPECT_OK(Unpickle(tensor_pickle(3, 0, 3, 1), o).status());
  EXPECT_OK(Unpickle(tensor_pickle(3, 0, 2, 2), o).status());
  EXPECT_THAT(Unpickle(tensor_pickle(3, 1, 3, 1), o),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("REDUCE at offset")));
  EXPECT_THAT(Unpickle(tensor_pickle(3, 0, 2, 3), o),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(Unpickle(tensor_pickle(4, 0, 3, 1), o),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("BINPERSID at offset")));
  // Negative strides, sizes and offsets.
  EXPECT_THAT(Unpickle(tensor_pickle(3, 2, 3, -1), o),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Unpickle(tensor_pickle(3, 0, -1, 1), o),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Unpickle(tensor_pickle(3, -1, 1, 1), o),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Offsets and strides whose products overflow int64.
  EXPECT_THAT(Unpickle(tensor_pickle(3, 0, 0x7fffffff, 0x7fffffff), o),
              ::testing::Not(IsOk()));
}

TEST(UnpicklerSecurityTest, StoragePersistentIdValidation) {
  auto parse = [](const std::string& pickle) {
    UnpicklerOptions o;
    o.persistent_load = [](const Value& pid,
                           size_t) -> absl::StatusOr<Value> {
      absl::StatusOr<StoragePersistentId> id = ParseStoragePersistentId(pid);
      if (!id.ok()) return id.status();
      return Value::Str(absl::StrCat(id->key, " ", id->nbytes));
    };
    return Unpickle(pickle, o);
  };
  EXPECT_EQ(parse(P("(X\x07\x00\x00\x00storagectorch\nDoubleStorage\nX\x01\x00"
                    "\x00\x00" "7X\x03\x00\x00\x00" "cpuK\x03tQ."))
                ->Repr(),
            "'7 24'");
  EXPECT_THAT(parse(P("(X\x04\x00\x00\x00" "fileK\x01tQ.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a 5- or 6-tuple")));
  EXPECT_THAT(parse(P("(X\x04\x00\x00\x00" "filectorch\nFloatStorage\nX\x01\x00"
                      "\x00\x00" "0X\x03\x00\x00\x00" "cpuK\x03tQ.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the first item is not 'storage'")));
  EXPECT_THAT(parse(P("(X\x07\x00\x00\x00storagectorch\nTypedStorage\nX\x01"
                      "\x00\x00\x00" "0X\x03\x00\x00\x00" "cpuK\x03tQ.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown storage class")));
  EXPECT_THAT(parse(P("(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01"
                      "\x00\x00\x00" "0X\x03\x00\x00\x00" "cpuJ\xff\xff\xff\xfftQ.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("numel is not a non-negative int")));
  // numel * 8 overflows int64.
  EXPECT_THAT(parse(P("(X\x07\x00\x00\x00storagectorch\nLongStorage\nX\x01"
                      "\x00\x00\x00" "0X\x03\x00\x00\x00" "cpu\x8a\x08\x00\x00\x00"
                      "\x00\x00\x00\x00\x40tQ.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows")));
}

// ---------------------------------------------------------------------------
// Stack and MARK discipline.

TEST(UnpicklerSecurityTest, StackAndMarkUnderflow) {
  struct Case {
    std::string pickle;
    std::string message;
  };
  const Case cases[] = {
      {P("."), "STOP at offset 0: unpickling stack underflow"},
      {P("(."), "STOP at offset 1: unpickling stack underflow: the value is "
                "below a MARK"},
      {P("K\x01(."), "below a MARK"},
      {P("a."), "APPEND at offset 0: unpickling stack underflow"},
      {P("K\x01" "a."), "APPEND at offset 2: unpickling stack underflow"},
      {P("t."), "TUPLE at offset 0: could not find MARK"},
      {P("e."), "could not find MARK"},
      {P("1."), "POP_MARK at offset 0: could not find MARK"},
      {P("0."), "POP at offset 0: unpickling stack underflow"},
      {P("\x85."), "TUPLE1 at offset 0: unpickling stack underflow"},
      {P("K\x01(K\x02\x86."), "TUPLE2 at offset 5: unpickling stack "
                               "underflow"},
      {P("2."), "DUP at offset 0: unpickling stack underflow"},
      {P("R."), "REDUCE at offset 0: unpickling stack underflow"},
      {P(")R."), "REDUCE at offset 1"},
      {P("b."), "BUILD at offset 0"},
      {P("s."), "SETITEM at offset 0"},
      {P("Q."), "BINPERSID at offset 0"},
      {P("\x93."), "STACK_GLOBAL at offset 0"},
      {P("\x81."), "NEWOBJ at offset 0"},
      {P("\x92."), "NEWOBJ_EX at offset 0"},
      {P("o."), "OBJ at offset 0: could not find MARK"},
      {P("(o."), "OBJ at offset 1: unpickling stack underflow"},
      {P("\x94."), "MEMOIZE at offset 0"},
      {P("\x98."), "READONLY_BUFFER at offset 0"},
      // The APPENDS target is hidden behind an outer MARK.
      {P("]((K\x01" "e."), "APPENDS at offset 5: unpickling stack underflow"},
      {P("}((K\x01K\x02u."), "SETITEMS at offset 7: unpickling stack "
                              "underflow"},
      {P("((K\x01K\x02\x90."), "ADDITEMS at offset 6"},
      {P("}(K\x01u."), "odd number of items for SETITEMS"},
      {P("(K\x01" "d."), "odd number of items for DICT"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(HexDump(c.pickle));
    EXPECT_THAT(Unpickle(c.pickle), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr(c.message)));
  }
}

TEST(UnpicklerSecurityTest, MalformedStreams) {
  EXPECT_THAT(Unpickle(P("")),
              StatusIs(absl::StatusCode::kDataLoss,
                       "pickle data truncated at offset 0: no STOP opcode"));
  EXPECT_THAT(Unpickle(P("N")), StatusIs(absl::StatusCode::kDataLoss,
                                        HasSubstr("no STOP opcode")));
  EXPECT_THAT(Unpickle(P("N\xff.")),
              StatusIs(absl::StatusCode::kDataLoss,
                       "invalid opcode 0xff at offset 1"));
  EXPECT_THAT(Unpickle(P("X\x05\x00\x00\x00" "ab")),
              StatusIs(absl::StatusCode::kDataLoss,
                       "BINUNICODE at offset 0: pickle data truncated: needs 5 "
                       "bytes, 2 left"));
  EXPECT_THAT(Unpickle(P("I12")), StatusIs(absl::StatusCode::kDataLoss,
                                          HasSubstr("no newline")));
  EXPECT_THAT(Unpickle(P("Iabc\n.")), StatusIs(absl::StatusCode::kDataLoss,
                                              HasSubstr("invalid integer")));
  EXPECT_THAT(Unpickle(P("Fx\n.")), StatusIs(absl::StatusCode::kDataLoss,
                                            HasSubstr("invalid float")));
  EXPECT_THAT(Unpickle(P("V\\u12\n.")), StatusIs(absl::StatusCode::kDataLoss,
                                               HasSubstr("truncated \\u")));
  EXPECT_THAT(Unpickle(P("S'\\x4'\n.")), StatusIs(absl::StatusCode::kDataLoss,
                                                 HasSubstr("\\x escape")));
  EXPECT_THAT(Unpickle(P("c\xff\nx\n.")), StatusIs(absl::StatusCode::kDataLoss,
                                                  HasSubstr("UTF-8")));
  EXPECT_THAT(Unpickle(P("}]K\x01s.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "SETITEM at offset 4: unhashable type: 'list'"));
  EXPECT_THAT(Unpickle(P("(}\x91.")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unhashable type: 'dict'")));
}

// Every strict prefix of a valid pickle lacks its STOP: each must fail
// cleanly with DataLoss, never crash, hang or succeed.
TEST(UnpicklerSecurityTest, TruncationAtEveryByte) {
  size_t prefixes = 0;
  for (const PlainFixture& f : LoadPlainFixtures()) {
    std::string bytes = ReadTestData("plain/" + f.file);
    if (bytes.size() > 4000) continue;
    UnpicklerOptions options = f.keep_inert ? KeepInert() : UnpicklerOptions();
    for (size_t n = 0; n < bytes.size(); ++n) {
      absl::StatusOr<Value> v = Unpickle(absl::string_view(bytes.data(), n),
                                         options);
      ASSERT_EQ(v.status().code(), absl::StatusCode::kDataLoss)
          << f.file << " cut at " << n << ": " << v.status();
      ++prefixes;
    }
  }
  for (const TorchFixture& f : LoadTorchFixtures()) {
    UnpicklerOptions options = KeepInert();
    options.persistent_load = RecordStorageLoader(&f.records);
    for (size_t n = 0; n < f.data_pkl.size(); ++n) {
      absl::StatusOr<Value> v =
          Unpickle(absl::string_view(f.data_pkl.data(), n), options);
      ASSERT_EQ(v.status().code(), absl::StatusCode::kDataLoss)
          << f.name << " cut at " << n << ": " << v.status();
      ++prefixes;
    }
  }
  EXPECT_GT(prefixes, 50000u);
}

// Random byte flips, insertions and deletions of real pickles: any status
// is fine, crashes and hangs are not (run under ASan in CI).
TEST(UnpicklerSecurityTest, MutatedPicklesNeverCrash) {
  std::mt19937 rng(12345);
  std::vector<std::string> seeds;
  for (const PlainFixture& f : LoadPlainFixtures()) {
    if (f.protocol == 2 || f.protocol == 0 || f.protocol == 4) {
      std::string b = ReadTestData("plain/" + f.file);
      if (b.size() < 3000) seeds.push_back(b);
    }
  }
  std::map<std::string, std::string> records;
  for (const TorchFixture& f : LoadTorchFixtures()) {
    seeds.push_back(f.data_pkl);
    for (const auto& [k, v] : f.records) records.emplace(k, v);
  }
  UnpicklerOptions options = KeepInert();
  options.persistent_load = RecordStorageLoader(&records);
  options.max_total_bytes = 1 << 24;
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b = seeds[rng() % seeds.size()];
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits && !b.empty(); ++e) {
      size_t pos = rng() % b.size();
      switch (rng() % 3) {
        case 0:
          b[pos] = static_cast<char>(rng());
          break;
        case 1:
          b.insert(pos, 1, static_cast<char>(rng()));
          break;
        default:
          b.erase(pos, 1);
          break;
      }
    }
    absl::StatusOr<Value> v = Unpickle(b, options);
    if (v.ok()) {
      ++ok;
      (void)v->Repr();
      ReleaseValueGraph(*v);  // mutations can make cycles
    }
  }
  EXPECT_GT(ok, 0);
}

// ---------------------------------------------------------------------------
// Bombs and limits.

TEST(UnpicklerLimitsTest, HugeMemoIndexAllocatesNothing) {
  EXPECT_EQ(ReprOf(P("Nr\xff\xff\xff\xffj\xff\xff\xff\xff.")), "None");
  EXPECT_EQ(ReprOf(P("Np99999999999\ng99999999999\n.")), "None");
}

TEST(UnpicklerLimitsTest, MemoEntryLimit) {
  std::string pickle = "]";
  for (int i = 0; i < 11; ++i) pickle += "q" + std::string(1, char(i));
  pickle += ".";
  UnpicklerOptions o;
  o.max_memo_entries = 10;
  EXPECT_THAT(Unpickle(pickle, o),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "BINPUT at offset 21: more than 10 memo entries "
                       "(UnpicklerOptions::max_memo_entries)"));
  o.max_memo_entries = 11;
  EXPECT_OK(Unpickle(pickle, o).status());
}

// "Billion laughs": each level is a list holding the previous level ten
// times.  Nine levels are 10^9 leaves if expanded; shared, they are tiny.
TEST(UnpicklerLimitsTest, BillionLaughsStaysShared) {
  std::string pickle = P("\x80\x02]q\x00");
  for (int level = 1; level <= 9; ++level) {
    pickle += "](";
    for (int i = 0; i < 10; ++i) {
      pickle += "h" + std::string(1, char(level - 1));
    }
    pickle += "eq" + std::string(1, char(level));
  }
  pickle += ".";
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(Value v, Unpickle(pickle));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_TRUE(v.is_list());
  EXPECT_EQ(v.list().size(), 10u);
  EXPECT_TRUE(v.list()[0].IsSameObject(v.list()[9]));
}

TEST(UnpicklerLimitsTest, DeepNestingIsLimited) {
  // TUPLE1 applied 100000 times: a tiny stack but deep nesting.
  std::string tuples = "N" + std::string(100000, '\x85') + ".";
  EXPECT_THAT(Unpickle(tuples),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "TUPLE1 at offset 1001: containers nested deeper than "
                       "1000 (UnpicklerOptions::max_nesting_depth)"));
  // MARK ... LIST nesting.
  std::string lists = std::string(5000, '(') + std::string(5000, 'l') + ".";
  EXPECT_THAT(Unpickle(lists),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("LIST at offset 6000")));
  // Appending lists into lists.
  std::string appends;
  for (int i = 0; i < 2000; ++i) appends += "]";
  for (int i = 0; i < 1999; ++i) appends += "a";
  appends += ".";
  EXPECT_THAT(Unpickle(appends), StatusIs(absl::StatusCode::kResourceExhausted,
                                          HasSubstr("APPEND at offset")));
  // Dict values, via SETITEM.
  std::string dicts;
  for (int i = 0; i < 2000; ++i) dicts += "}K\x01";
  dicts += "N";
  for (int i = 0; i < 2000; ++i) dicts += "s";
  dicts += ".";
  EXPECT_THAT(Unpickle(dicts), StatusIs(absl::StatusCode::kResourceExhausted,
                                        HasSubstr("SETITEM at offset")));
  UnpicklerOptions o;
  o.max_nesting_depth = 5000;
  EXPECT_OK(Unpickle(lists, o).status());
}

// Issue 12 §4: lists memoized empty, then appended into each other from the
// deepest end: each APPEND sees an empty list (depth 1), but the structure
// built is 1100 deep.
TEST(UnpicklerLimitsTest, DepthOfTheBuiltStructureIsChecked) {
  constexpr uint32_t kLists = 1100;
  auto index = [](uint32_t i) {
    std::string le(4, '\0');
    for (int b = 0; b < 4; ++b) le[b] = static_cast<char>((i >> (8 * b)) & 0xff);
    return le;
  };
  std::string p = "\x80\x02";
  for (uint32_t i = 0; i < kLists; ++i) p += "]r" + index(i) + "0";  // EMPTY_LIST PUT POP
  for (uint32_t i = kLists - 1; i >= 1; --i) {
    p += "j" + index(i) + "j" + index(i - 1) + "a0";  // GET i, GET i-1, APPEND, POP
  }
  p += "j" + index(kLists - 1) + ".";
  EXPECT_THAT(Unpickle(p), StatusIs(absl::StatusCode::kResourceExhausted,
                                    HasSubstr("containers nested deeper than 1000")));
  UnpicklerOptions o;
  o.max_nesting_depth = 2000;
  ASSERT_OK_AND_ASSIGN(Value v, Unpickle(p, o));
  EXPECT_EQ(NestingDepth(v, 5000), kLists);
}

// Issue 12 §4: the chains above are refused as they pass the limit, at the
// APPEND that makes them too deep, not at STOP after a million lists were
// linked (the 18 MB file peaked at 211 MB; tests/memory/peak_rss_test).
TEST(UnpicklerLimitsTest, ChainsAreRefusedAsTheyGrow) {
  constexpr uint32_t kLists = 100000;
  auto index = [](uint32_t i) {
    std::string le(4, '\0');
    for (int b = 0; b < 4; ++b) le[b] = static_cast<char>((i >> (8 * b)) & 0xff);
    return le;
  };
  std::string lists = "\x80\x02";
  for (uint32_t i = 0; i < kLists; ++i) lists += "]r" + index(i) + "0";  // EMPTY_LIST PUT POP
  const size_t appends_start = lists.size();
  constexpr size_t kAppendBytes = 12;  // GET i, GET j, APPEND, POP
  // Top down: list i receives list i-1 while list i is already inside i+1.
  std::string top_down = lists;
  for (uint32_t i = kLists - 1; i >= 1; --i) {
    top_down += "j" + index(i) + "j" + index(i - 1) + "a0";
  }
  top_down += "j" + index(kLists - 1) + ".";
  // Bottom up: list i receives list i-1, which already holds i-2.
  std::string bottom_up = lists;
  for (uint32_t i = 1; i < kLists; ++i) bottom_up += "j" + index(i) + "j" + index(i - 1) + "a0";
  bottom_up += "j" + index(kLists - 1) + ".";
  for (const std::string* p : {&top_down, &bottom_up}) {
    // The 1000th link makes the chain 1001 deep; its APPEND is refused.
    const size_t append_at = appends_start + 999 * kAppendBytes + 10;
    EXPECT_THAT(Unpickle(*p), StatusIs(absl::StatusCode::kResourceExhausted,
                                       absl::StrCat("APPEND at offset ", append_at,
                                                    ": containers nested deeper than 1000 "
                                                    "(UnpicklerOptions::max_nesting_depth)")));
  }
  // Wide and shallow structures are not affected: a list holding the same
  // memoized list 5000 times, and a list appended to itself.
  std::string wide = "\x80\x02]r" + index(0) + "]r" + index(1);
  for (int i = 0; i < 5000; ++i) wide += "j" + index(0) + "a";
  wide += "0j" + index(1) + "j" + index(1) + "a.";
  ASSERT_OK_AND_ASSIGN(Value w, Unpickle(wide));
  ASSERT_EQ(w.list().size(), 5001u);  // list 1: list 0 5000 times, then itself
  EXPECT_TRUE(w.list()[5000].IsSameObject(w));
  ReleaseValueGraph(w);
}

// Issue 12 §2: what an allowlisted handler copies counts against
// max_total_bytes (bytes(x) of one memoized 1 MiB payload, 100 times).
TEST(UnpicklerLimitsTest, HandlerCopiesAreCharged) {
  std::string p = "\x80\x03" "B";
  const uint32_t n = 1 << 20;
  for (int b = 0; b < 4; ++b) p += static_cast<char>((n >> (8 * b)) & 0xff);
  p += std::string(n, 'x') + std::string("q\x00" "0", 3);  // BINPUT 0, POP
  const std::string call("cbuiltins\nbytes\nh\x00\x85R0", 21);  // bytes(memo[0]), POP
  for (int i = 0; i < 100; ++i) p += call;
  p += "N.";
  UnpicklerOptions o;
  o.max_total_bytes = 50 << 20;
  EXPECT_THAT(Unpickle(p, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                       HasSubstr("REDUCE at offset")));
  o.max_total_bytes = 200 << 20;
  EXPECT_OK(Unpickle(p, o).status());
}

// With the limit lifted, a million-deep value loads, prints and is freed
// without recursion overflowing the stack.
TEST(UnpicklerLimitsTest, MillionDeepValueIsFreedIteratively) {
  std::string tuples = "N" + std::string(1000000, '\x85') + ".";
  UnpicklerOptions o;
  o.max_nesting_depth = 2000000;
  {
    ASSERT_OK_AND_ASSIGN(Value v, Unpickle(tuples, o));
    std::string repr = v.Repr();
    EXPECT_LT(repr.size(), 5000u);
    EXPECT_NE(repr.find("..."), std::string::npos);
    EXPECT_TRUE(ValuesEqual(v, v));
  }  // destroyed here
  std::string lists = "]" + std::string(1, '\x94');  // proto-4 style memo
  for (int i = 0; i < 300000; ++i) lists += "]";
  for (int i = 0; i < 300000; ++i) lists += "a";
  lists += ".";
  ASSERT_OK_AND_ASSIGN(Value l, Unpickle(lists, o));
}

// Cycles a pickle builds and drops (or builds before failing) are emptied
// when Load returns, so hostile input cannot leak memory (the asan/LSan
// build checks); containers that came from outside are left alone.
TEST(UnpicklerLimitsTest, DroppedCyclesAreFreed) {
  EXPECT_EQ(ReprOf(P("]q\x00h\x00" "a0N.")), "None");
  EXPECT_EQ(ReprOf(P("}q\x00K\x01h\x00s0]q\x01h\x01\x85" "a0N.")), "None");
  EXPECT_THAT(Unpickle(P("]q\x00h\x00" "a\xff")),
              StatusIs(absl::StatusCode::kDataLoss));
  // A returned cycle is the caller's (ReleaseValueGraph frees it).
  ASSERT_OK_AND_ASSIGN(Value l, Unpickle(P("]q\x00h\x00" "a.")));
  EXPECT_EQ(l.Repr(), "[[...]]");
  ReleaseValueGraph(l);
  // The hook's list is appended to and dropped, but not emptied.
  Value external = Value::NewList({Value::Int(7)});
  UnpicklerOptions o;
  o.persistent_load = [&](const Value&, size_t) -> absl::StatusOr<Value> {
    return external;
  };
  EXPECT_EQ(ReprOf(P("NQK\x01" "a0N."), o), "None");
  EXPECT_EQ(external.Repr(), "[7, 1]");
}

TEST(UnpicklerLimitsTest, StringAndAllocationLimits) {
  UnpicklerOptions o;
  o.max_string_bytes = 4;
  EXPECT_THAT(Unpickle(P("X\x05\x00\x00\x00" "abcde."), o),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "BINUNICODE at offset 0: string of 5 bytes exceeds the "
                       "limit of 4 (UnpicklerOptions::max_string_bytes)"));
  EXPECT_OK(Unpickle(P("X\x04\x00\x00\x00" "abcd."), o).status());
  // A length far beyond the input is reported before anything is allocated.
  EXPECT_THAT(Unpickle(P("\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.")),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("BINUNICODE8 at offset 0")));
  EXPECT_THAT(Unpickle(P("\x8e\x00\x00\x00\x10\x00\x00\x00\x00x.")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated")));
  UnpicklerOptions small;
  small.max_total_bytes = 1000;
  std::string many = "](";
  for (int i = 0; i < 200; ++i) many += "N";
  many += "e.";
  EXPECT_THAT(Unpickle(many, small),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("max_total_bytes")));
  // DUP cannot amplify the stack beyond the allocation limit either.
  std::string dups = "N" + std::string(100, '2') + ".";
  EXPECT_THAT(Unpickle(dups, small),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("DUP at offset")));
}

// Issue 12: containers are charged at their size in memory, not only their
// slots.  A million empty lists from 1 MB of pickle took 224 MB when each
// was charged 28 bytes; under a 64 MiB limit they are now refused.
TEST(UnpicklerLimits, EmptyContainersAreChargedTheirRealSize) {
  constexpr int kLists = 1000000;
  UnpicklerOptions o;
  o.max_total_bytes = uint64_t{64} << 20;
  const std::string lists = "\x80\x02(" + std::string(kLists, ']') + "l.";
  EXPECT_THAT(Unpickle(lists, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                           HasSubstr("EMPTY_LIST at offset")));
  const std::string dicts = "\x80\x02(" + std::string(kLists, '}') + "l.";
  EXPECT_THAT(Unpickle(dicts, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                           HasSubstr("EMPTY_DICT at offset")));
  // The same lists in a tenth of the count fit, as does the limit raised.
  const std::string fewer = "\x80\x02(" + std::string(kLists / 10, ']') + "l.";
  ASSERT_OK_AND_ASSIGN(Value v, Unpickle(fewer, o));
  EXPECT_EQ(v.list().size(), static_cast<size_t>(kLists / 10));
  o.max_total_bytes = uint64_t{1} << 30;
  ASSERT_OK_AND_ASSIGN(Value all, Unpickle(lists, o));
  EXPECT_EQ(all.list().size(), static_cast<size_t>(kLists));
}

// A handler called again and again on one memoized argument: what it makes
// (a torch.Size copying a 250,000-element tuple, an inert object or a global
// copying a long name) counts against max_total_bytes like any container.
TEST(UnpicklerLimits, HandlerResultsOfEveryKindAreCharged) {
  using std::string_literals::operator""s;
  UnpicklerOptions o;
  o.max_total_bytes = uint64_t{64} << 20;
  // memo 0: torch.Size; memo 1: a 1-tuple holding a tuple of 250,000 ones.
  std::string sizes = "\x80\x02" "ctorch\nSize\nq\x00" "0("s;
  for (int i = 0; i < 250000; ++i) sizes += "K\x01";
  sizes += "t\x85q\x01" "0(";
  const int kCalls = 100;  // 100 x 2 MB copies against 64 MiB
  for (int i = 0; i < kCalls; ++i) sizes += "h\x00h\x01R"s;
  sizes += "l.";
  EXPECT_THAT(Unpickle(sizes, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                           HasSubstr("max_total_bytes")));
  o.max_total_bytes = uint64_t{1} << 30;
  ASSERT_OK_AND_ASSIGN(Value ok, Unpickle(sizes, o));
  EXPECT_EQ(ok.list().size(), static_cast<size_t>(kCalls));

  // An inert class with a 1 MB module name, instantiated from the memo.
  o.max_total_bytes = uint64_t{64} << 20;
  o.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  std::string objects = "\x80\x02" "c" + std::string(1 << 20, 'm') + "\nK\nq\x00" "0("s;
  for (int i = 0; i < kCalls; ++i) objects += "h\x00)R"s;
  objects += "l.";
  EXPECT_THAT(Unpickle(objects, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                             HasSubstr("max_total_bytes")));

  // STACK_GLOBAL on memoized strings: a new global (two 1 MB names) each.
  std::string globals = "\x80\x04\x8c\x01m\x94X" + std::string("\x00\x00\x10\x00", 4) +
                        std::string(1 << 20, 'n') + "\x94" "00(";
  for (int i = 0; i < kCalls; ++i) globals += "h\x00h\x01\x93"s;
  globals += "l.";
  EXPECT_THAT(Unpickle(globals, o), StatusIs(absl::StatusCode::kResourceExhausted,
                                             HasSubstr("max_total_bytes")));
}

// ---------------------------------------------------------------------------
// Registries.

TEST(UnpicklerRegistryTest, UserClasses) {
  GlobalRegistry registry = TorchGlobals();
  registry.Register("mypkg", "Config", GlobalHandler::InertClass());
  GlobalHandler pair;
  pair.call = [](const CallContext& ctx,
                 absl::Span<const Value> args) -> absl::StatusOr<Value> {
    absl::Status s = ctx.ExpectArgCount(args, 2, 2);
    if (!s.ok()) return s;
    return Value::NewList({args[1], args[0]});
  };
  registry.Register("mypkg", "swap", pair);
  UnpicklerOptions o;
  o.globals = &registry;
  ASSERT_OK_AND_ASSIGN(
      Value c, Unpickle(P("\x80\x02" "cmypkg\nConfig\n)\x81}X\x02\x00\x00\x00lr"
                          "G?\xb9\x99\x99\x99\x99\x99\x9asb."),
                        o));
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c.object().Attribute("lr")->Repr(), "0.1");
  EXPECT_EQ(ReprOf(P("cmypkg\nswap\nK\x01K\x02\x86R."), o), "[2, 1]");
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\nK\x01\x85R."), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "REDUCE at offset 15: mypkg.swap() takes 2 arguments "
                       "(1 given)"));
  // The default registry is untouched.
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\n.")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A build handler.
  GlobalHandler counted = GlobalHandler::InertClass();
  counted.build = [](const CallContext& ctx, Value& obj,
                     const Value& state) -> absl::Status {
    if (!state.is_int()) return absl::InvalidArgumentError("want an int");
    obj.object().set_state(Value::Int(state.as_int() * 2));
    return absl::OkStatus();
  };
  registry.Register("mypkg", "Counted", counted);
  ASSERT_OK_AND_ASSIGN(Value k,
                       Unpickle(P("cmypkg\nCounted\n)RK\x15" "b."), o));
  EXPECT_EQ(k.object().state().as_int(), 42);
  EXPECT_THAT(Unpickle(P("cmypkg\nCounted\n)RNb."), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "BUILD at offset 18: want an int"));
  EXPECT_TRUE(registry.Unregister("mypkg", "Counted"));
  EXPECT_THAT(Unpickle(P("cmypkg\nCounted\n."), o),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// "global MARK ... TUPLE [PUT] REDUCE" and "global EMPTY_TUPLE REDUCE" call
// the handler without making the argument tuple (unpickler.cc): results,
// memo entries and errors are those of the tuple made and called.
TEST(UnpicklerRegistryTest, CallsWithoutTheArgumentTupleActAsWithIt) {
  GlobalRegistry registry = TorchGlobals();
  GlobalHandler swap;
  swap.call = [](const CallContext& ctx, absl::Span<const Value> args) -> absl::StatusOr<Value> {
    absl::Status s = ctx.ExpectArgCount(args, 2, 2);
    if (!s.ok()) return s;
    return Value::NewList({args[1], args[0]});
  };
  registry.Register("mypkg", "swap", swap);
  UnpicklerOptions o;
  o.globals = &registry;
  EXPECT_EQ(ReprOf(P("cmypkg\nswap\n(K\x01K\x02tR."), o), "[2, 1]");
  EXPECT_EQ(ReprOf(P("cmypkg\nswap\n(K\x01K\x02tq\x00R."), o), "[2, 1]");
  EXPECT_EQ(ReprOf(P("cmypkg\nswap\n(K\x01K\x02tr\x00\x00\x00\x00R."), o), "[2, 1]");
  // The tuple is read back from the memo: it is made.
  EXPECT_EQ(ReprOf(P("(cmypkg\nswap\n(K\x01K\x02tq\x00Rh\x00l."), o), "[[2, 1], (1, 2)]");
  // Errors at each opcode's offset: REDUCE's, after a PUT too.
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\n(K\x01tR."), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "REDUCE at offset 16: mypkg.swap() takes 2 arguments (1 given)"));
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\n(K\x01tq\x05R."), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "REDUCE at offset 18: mypkg.swap() takes 2 arguments (1 given)"));
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\n)R."), o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "REDUCE at offset 13: mypkg.swap() takes 2 arguments (0 given)"));
  // The tuple's depth is checked at TUPLE.
  UnpicklerOptions shallow = o;
  shallow.max_nesting_depth = 1;
  EXPECT_THAT(Unpickle(P("cmypkg\nswap\n(K\x01K\x02\x85tR."), shallow),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("TUPLE at offset 18: containers nested deeper than 1")));
  // The global's own object with the shared empty tuple, kept inert.
  UnpicklerOptions inert = KeepInert();
  ASSERT_OK_AND_ASSIGN(Value thing, Unpickle(P("cmypkg\nThing\n)R."), inert));
  ASSERT_TRUE(thing.is_object());
  EXPECT_EQ(thing.object().args().Repr(), "()");
  ASSERT_OK_AND_ASSIGN(Value two, Unpickle(P("cmypkg\nThing\n(K\x01K\x02tR."), inert));
  EXPECT_EQ(two.object().args().Repr(), "(1, 2)");
  // OrderedDict(), as torch.save writes it for every tensor.
  EXPECT_EQ(ReprOf(P("ccollections\nOrderedDict\n)R.")), "OrderedDict()");
}

TEST(UnpicklerRegistryTest, EmptyRegistryRefusesEverything) {
  GlobalRegistry empty;
  UnpicklerOptions o;
  o.globals = &empty;
  EXPECT_THAT(Unpickle(P("ccollections\nOrderedDict\n)R."), o),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ReprOf(P("]K\x01" "a."), o), "[1]");
}

}  // namespace
}  // namespace ptser
