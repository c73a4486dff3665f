// Copyright ptser authors.
//
// pickle/disassembler.h — a pickle, opcode by opcode, without running it.
//
// Disassemble() decodes each opcode and its argument with its byte offset,
// the way Python's `pickletools.dis` lists them, and stops after STOP.  It
// builds no objects, so it works on any pickle — also on one the Unpickler
// refuses — which is what `ptser inspect --pickle` and `ptser verify` need.
//
//   PTSER_ASSIGN_OR_RETURN(std::vector<PickleOp> ops, Disassemble(bytes));
//   ops[0].offset == 0; ops[0].name == "PROTO"; ops[0].arg == "2"
//
// ReferencedGlobals() lists every global the pickle names, each once at its
// first offset, in memory a fraction of the pickle's size: GLOBAL and INST
// arguments, and STACK_GLOBAL operands when they are string constants pushed
// directly or through the memo (as Python's pickler writes them).  A
// STACK_GLOBAL whose operands cannot be followed is reported with
// `resolved == false`.
#ifndef PTSER_PICKLE_DISASSEMBLER_H_
#define PTSER_PICKLE_DISASSEMBLER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ptser {

struct PickleOp {
  size_t offset = 0;
  uint8_t code = 0;
  std::string name;  // pickletools' name, e.g. "BINPUT"
  std::string arg;   // the decoded argument, printable; empty when none
};

// Malformed or truncated input is a DataLossError naming the offset.  At most
// `max_ops` opcodes are decoded (ResourceExhausted past that).
absl::StatusOr<std::vector<PickleOp>> Disassemble(absl::string_view pickle,
                                                   size_t max_ops = 10000000);

// Disassemble() one opcode at a time, in memory that does not grow with the
// pickle: `visit` sees each opcode (valid only during the call) and may stop
// the walk by returning an error, which is returned.  Returns the number of
// opcodes, STOP included.
absl::StatusOr<size_t> DisassembleEach(absl::string_view pickle,
                                       const std::function<absl::Status(const PickleOp&)>& visit,
                                       size_t max_ops = 10000000);

// "    0: \x80 PROTO      2" lines, as pickletools.dis prints them.
std::string FormatDisassembly(const std::vector<PickleOp>& ops);
// One of those lines, with its '\n'.
std::string FormatPickleOp(const PickleOp& op);

struct GlobalReference {
  size_t offset = 0;  // of the GLOBAL / INST / STACK_GLOBAL opcode
  std::string module;
  std::string name;
  bool resolved = true;  // false: a STACK_GLOBAL whose operands are unknown
};

absl::StatusOr<std::vector<GlobalReference>> ReferencedGlobals(absl::string_view pickle);

}  // namespace ptser

#endif  // PTSER_PICKLE_DISASSEMBLER_H_
