// Copyright ptser authors.
//
// Fuzzes the Unpickler: every input is loaded twice, refusing unknown
// globals and keeping them inert, with a persistent-load hook that serves
// zero-filled storages for well-formed storage ids; whatever loads is
// printed, compared and released.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "pickle/tensor_codec.h"
#include "pickle/unpickler.h"
#include "pickle/value.h"
#include "tensor/storage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ptser::Value;
  for (int mode = 0; mode < 2; ++mode) {
    ptser::UnpicklerOptions options;
    options.unknown_globals =
        mode == 0 ? ptser::UnpicklerOptions::UnknownGlobals::kRefuse
                  : ptser::UnpicklerOptions::UnknownGlobals::kKeepInert;
    options.max_total_bytes = 64 << 20;  // keep the fuzzer's memory bounded
    options.persistent_load = [](const Value& pid,
                                 size_t) -> absl::StatusOr<Value> {
      absl::StatusOr<ptser::StoragePersistentId> id =
          ptser::ParseStoragePersistentId(pid);
      if (!id.ok()) return id.status();
      if (id->nbytes > (1 << 20)) {
        return absl::ResourceExhaustedError("storage too large for the fuzzer");
      }
      absl::StatusOr<ptser::Storage> s = ptser::Storage::Allocate(id->nbytes);
      if (!s.ok()) return s.status();
      return Value::FromStorage({*s, id->dtype, id->untyped});
    };
    options.buffers = {Value::Bytes("buf"), Value::ByteArray("arr")};
    ptser::Unpickler unpickler(
        absl::Span<const uint8_t>(data, size), options);
    // Concatenated pickles, as the legacy format has.
    for (int i = 0; i < 4; ++i) {
      absl::StatusOr<Value> v = unpickler.Load();
      if (!v.ok()) break;
      // 64 Ki characters: enough for every repr path, including the cut;
      // the default 16 Mi of a DAG of shared tuples took ~9 s an input
      // under ASan, next to libFuzzer's 10 s timeout.
      (void)v->Repr(size_t{1} << 16);
      (void)ptser::ValuesEqual(*v, *v);
      ptser::ReleaseValueGraph(*v);
    }
  }
  return 0;
}
