// Copyright ptser authors.
//
// pickle/pickler.h — a Value to the bytes CPython's pickler writes.
//
// Pickler::Dump writes protocol 1 to 5 pickles the way `pickle.dumps` does
// (protocol 1: no PROTO, MARK ... TUPLE, bools as INT text, ints beyond 32
// bits as LONG text, no NEWOBJ):
// BINPUT/LONG_BINPUT (MEMOIZE from protocol 4) memoization by identity,
// batches of 1000 items, bytes as `_codecs.encode(str, 'latin1')` below
// protocol 3, `__builtin__` names at protocol 2, FRAME/STACK_GLOBAL from
// protocol 4.  Tensors go through a caller-supplied reducer and storages
// through the persistent-id hook (the archive layer provides both).
//
//   PTSER_ASSIGN_OR_RETURN(std::string bytes, PickleValue(value, 2));
#ifndef PTSER_PICKLE_PICKLER_H_
#define PTSER_PICKLE_PICKLER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pickle/value.h"

namespace ptser {

class Pickler {
 public:
  struct Options {
    // 1 to 5.  Default: 2 (torch.save's DEFAULT_PROTOCOL).
    int protocol = 2;
    // Deepest nesting written before ResourceExhaustedError.  Default: 1000.
    int max_depth = 1000;
  };

  // Called for every non-scalar value before it is written (Python's
  // `Pickler.persistent_id`): a returned Value is written instead, followed
  // by BINPERSID; nullopt writes the value itself.
  using PersistentIdFn =
      std::function<absl::StatusOr<std::optional<Value>>(const Value& value)>;
  // Turns a tensor into the value that stands for it in the pickle (an
  // inert Object calling torch._utils._rebuild_tensor_v2, ...).
  using TensorReducer =
      std::function<absl::StatusOr<Value>(const Value& tensor)>;

  explicit Pickler(Options options) : options_(options) {}
  Pickler(const Pickler&) = delete;
  Pickler& operator=(const Pickler&) = delete;

  void set_persistent_id(PersistentIdFn fn) { persistent_id_ = std::move(fn); }
  void set_tensor_reducer(TensorReducer fn) { reduce_tensor_ = std::move(fn); }

  // The pickle of `value`, from PROTO to STOP.
  absl::StatusOr<std::string> Dump(const Value& value);

 private:
  void Op(uint8_t op) { out_.push_back(static_cast<char>(op)); }
  void FrameBoundary();
  void Memoize(const void* key);
  void MemoizeName(const std::string& key);
  void EmitGetIndex(uint32_t index);
  bool EmitGet(const void* key);
  bool EmitGetName(const std::string& key);
  const Value& Keep(Value v);
  // Appends a str/bytes payload; at protocol >= 4 one of 64 KiB or more is
  // written outside frames, as Python does.
  void WritePayload(const std::string& header, const std::string& payload);

  absl::Status SaveGlobal(const GlobalRef& ref);
  absl::Status SaveStr(const std::string& s, const void* identity);
  absl::Status SaveReduceCall(const GlobalRef& callee,
                              const std::vector<Value>& args, int depth);
  absl::Status SaveBytes(const Value& v, const std::string& s,
                         const void* identity);
  absl::Status SaveTuple(absl::Span<const Value> items, const void* identity,
                         int depth);
  // A tuple of 1 to 3 items written inline: MARK ... TUPLE at protocol 1,
  // TUPLE1/2/3 from protocol 2.
  void OpenSmallTuple();
  void CloseSmallTuple(size_t n);
  absl::Status BatchAppends(const std::vector<Value>& items, int depth, bool exact);
  absl::Status BatchSetItems(const std::vector<Value::Dict::Item>& items,
                             int depth, bool exact);
  absl::Status SaveDict(const Value& v, int depth);
  absl::Status SaveSet(const Value& v, int depth);
  absl::Status SaveObject(const Value& v, int depth);
  absl::Status Save(const Value& v, int depth);

  Options options_;
  PersistentIdFn persistent_id_;
  TensorReducer reduce_tensor_;

  std::string out_;        // the current (uncommitted) frame
  std::string committed_;  // committed frames
  size_t frame_start_ = 0;
  absl::flat_hash_map<const void*, uint32_t> memo_;
  absl::flat_hash_map<std::string, uint32_t> named_memo_;
  uint32_t memo_size_ = 0;
  // Values made while writing; a deque so references stay valid.
  std::deque<Value> temporaries_;
};

// One-shot: Pickler with `protocol` and no hooks.
absl::StatusOr<std::string> PickleValue(const Value& value, int protocol);

}  // namespace ptser

#endif  // PTSER_PICKLE_PICKLER_H_
