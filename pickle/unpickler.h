// Copyright ptser authors.
//
// pickle/unpickler.h — bytes of a pickle (protocols 0–5) to a Value.
//
// The Unpickler is a safe loader: it runs every opcode of Python's pickle
// machine, but globals are looked up in a GlobalRegistry of C++ handlers
// (pickle/globals.h) instead of being imported, and anything not registered
// is refused with an error naming it and its byte offset:
//
//   refusing global 'os.system' at offset 2 (GLOBAL): not an allowed global
//
// Every opcode is checked against what it acts on (APPEND only on a list,
// SETITEM only on a dict, ADDITEMS only on a set, BUILD only on objects,
// OrderedDicts and registered classes), MARK and stack underflow are errors,
// memo keys must exist, and limits (Options) bound nesting, memo size, total
// allocation and string length.  Every failure is a status whose message
// names the opcode and its byte offset; no input crashes, hangs or reads
// out of bounds.  PyTorch's restricted loader had holes exactly here
// (CVE-2026-24747: SETITEM(S) on non-dicts; docs/formats/pickle.md, "What the unpickler checks").
//
// Status codes:
//   DataLossError          truncated input, unknown opcode, bad UTF-8/escapes
//   InvalidArgumentError   structure errors: stack/mark underflow, wrong
//                          target kind, missing memo key, bad arguments to a
//                          registered global
//   PermissionDeniedError  a global that is not allowed
//   ResourceExhaustedError a limit in Options
//   OutOfRangeError        INT/LONG text of more than 4300 digits (Python's
//                          int max_str_digits); larger ints are exact BigInts
//   FailedPreconditionError protocol above 5; out-of-band buffers or a
//                          persistent id without the hook to resolve them
//   UnimplementedError     EXT1/EXT2/EXT4 (no extension registry), BUILD on
//                          a Parameter, or on a tensor when the registry has
//                          no build hook for torch.Tensor
//
// Example — a torch.save `data.pkl` with storages resolved by the caller:
//
//   UnpicklerOptions options;
//   options.persistent_load = [&](const Value& pid, size_t offset)
//       -> absl::StatusOr<Value> {
//     PTSER_ASSIGN_OR_RETURN(StoragePersistentId id,
//                            ParseStoragePersistentId(pid));
//     ...  // find record data/<id.key>, check id.nbytes against it
//     return Value::FromStorage({storage, id.dtype, id.untyped});
//   };
//   PTSER_ASSIGN_OR_RETURN(Value state_dict, Unpickle(data_pkl, options));
#ifndef PTSER_PICKLE_UNPICKLER_H_
#define PTSER_PICKLE_UNPICKLER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "pickle/globals.h"
#include "pickle/value.h"

namespace ptser {

// Resolves a persistent id (PERSID/BINPERSID) to the object it stands for.
// `pid` is the value the pickle built (for torch.save: the tuple
// `('storage', <storage class global>, key, location, numel)`); `offset` is
// the byte offset of the opcode, for messages.  Errors are passed on with
// the opcode and offset prepended.
using PersistentLoadFn =
    std::function<absl::StatusOr<Value>(const Value& pid, size_t offset)>;

struct UnpicklerOptions {
  // Handlers for globals.  Null means TorchGlobals() (pickle/torch_globals.h):
  // what newest PyTorch's weights-only loader allows.  Not owned; must
  // outlive the Unpickler and not change while it loads (handlers are looked
  // up once per global and cached for the load).  Default: nullptr.
  const GlobalRegistry* globals = nullptr;

  // What to do with a global the registry does not know.
  enum class UnknownGlobals : uint8_t {
    // Error (PermissionDeniedError) naming the global and offset.
    kRefuse,
    // Push a Value::Global; calling or NEWOBJ-ing it makes an inert
    // Value::Object (nothing runs), which the Pickler writes back as it was.
    kKeepInert,
  };
  // Default: kRefuse.
  UnknownGlobals unknown_globals = UnknownGlobals::kRefuse;

  // Resolves persistent ids; unset makes PERSID/BINPERSID an error.
  // Default: unset.
  PersistentLoadFn persistent_load;

  // Out-of-band buffers for protocol 5 NEXT_BUFFER, consumed in order (a
  // bytes or bytearray Value each; READONLY_BUFFER turns a bytearray into
  // bytes).  Default: none, and NEXT_BUFFER is an error.
  std::vector<Value> buffers;

  // How Python 2 `str` payloads (STRING, BINSTRING, SHORT_BINSTRING) are
  // decoded.  torch.load uses UTF-8.  Default: kUtf8.
  enum class Python2Strings : uint8_t {
    kUtf8,    // decode as UTF-8 into str (error when invalid)
    kAscii,   // decode as ASCII into str (Python's pickle default)
    kLatin1,  // decode as Latin-1 into str (never fails)
    kBytes,   // keep as bytes
  };
  Python2Strings python2_strings = Python2Strings::kUtf8;

  // Deepest container nesting the pickle may build directly (a tuple in a
  // list in a dict is depth 3).  Default: 1000.
  size_t max_nesting_depth = 1000;
  // Most distinct memo keys.  Default: 1 << 24.
  size_t max_memo_entries = size_t{1} << 24;
  // Upper bound on what the unpickler allocates: string and bytes payloads,
  // container slots, memo entries and stack.  Default: 4 GiB.
  uint64_t max_total_bytes = uint64_t{1} << 32;
  // Longest single str/bytes/bytearray payload.  Default: 2 GiB.
  uint64_t max_string_bytes = uint64_t{1} << 31;
};

// How a refused global's message ends (after "not an allowed global"): the
// API's ways out.  A program with other ways (a command line flag) may put
// its own in place of this text.
inline constexpr char kRefusedGlobalHint[] =
    "; register a handler in the GlobalRegistry, or set "
    "UnpicklerOptions::unknown_globals to kKeepInert to keep it as an inert object";

// Reads pickles from a byte span.  The span must outlive the Unpickler.
class Unpickler {
 public:
  Unpickler(absl::Span<const uint8_t> data, UnpicklerOptions options = {});
  Unpickler(absl::string_view data, UnpicklerOptions options = {});
  // The Unpickler keeps a view of its input: a temporary string would
  // dangle, so it does not compile.
  Unpickler(std::string&& data, UnpicklerOptions options = {}) = delete;
  ~Unpickler();
  Unpickler(const Unpickler&) = delete;
  Unpickler& operator=(const Unpickler&) = delete;

  // Reads one pickle, from position() up to and including its STOP, and
  // returns its value.  Each call starts with an empty stack and memo, as
  // a fresh `pickle.load` does, so concatenated pickles (the legacy
  // torch.save format) are read by calling Load repeatedly.  Bytes after
  // STOP are not read.  After an error the Unpickler is unusable.
  absl::StatusOr<Value> Load();

  // Byte offset just after the last STOP read (0 before the first Load).
  size_t position() const;

  // Makes the next Load start at `offset` (at most the input's size), for
  // pickles that do not start the input: byte offsets in messages and the
  // ones given to persistent_load stay offsets in the whole input.
  void set_position(size_t offset);

  // Added to every byte offset reported (messages, persistent_load), for an
  // input that sits at `base` in a file (a stored zip record): offsets in
  // messages are then offsets in the file.  Default: 0.
  void set_offset_base(uint64_t base);

  // The protocol announced by the last PROTO opcode (0 when none).
  int protocol() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot helpers: the value of the pickle at the start of `data`.
absl::StatusOr<Value> Unpickle(absl::Span<const uint8_t> data,
                               const UnpicklerOptions& options = {});
absl::StatusOr<Value> Unpickle(absl::string_view data,
                               const UnpicklerOptions& options = {});

}  // namespace ptser

#endif  // PTSER_PICKLE_UNPICKLER_H_
