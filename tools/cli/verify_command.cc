// Copyright ptser authors.
#include "tools/cli/verify_command.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "archive/byte_source.h"
#include "archive/differential.h"
#include "archive/load.h"
#include "archive/safetensors.h"
#include "archive/sharded.h"
#include "archive/zip_reader.h"
#include "pickle/disassembler.h"
#include "pickle/globals.h"
#include "pickle/torch_globals.h"
#include "tools/cli/common.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

// A failure of verify: a file PyTorch would read differently from ptser (a
// parser differential) is a finding, anything else an unreadable file.
int VerifyFailure(std::ostream& out, std::ostream& err, const absl::Status& s) {
  if (!IsDifferential(s)) return Fail(err, s);
  out << "  AMBIGUOUS " << s.message() << "\n"
      << "1 finding: PyTorch may read this file differently from ptser; do not torch.load it\n";
  return kFinding;
}

// One torch.save file: kOk, kFinding, or the failure code (reported).
// `load_when_clean` also loads a clean file, proving ptser reads it.
int VerifyOne(const std::string& path, std::ostream& out, std::ostream& err,
              bool load_when_clean) {
  if (IsTorchScriptFile(path)) return VerifyScript(path, out, err, load_when_clean);
  bool safetensors = EndsWith(path, ".safetensors");
  if (!safetensors) {
    absl::StatusOr<std::unique_ptr<ByteSource>> probe = ByteSource::OpenFile(path);
    if (probe.ok()) {
      absl::StatusOr<FileFormat> f = DetectFormat(**probe);
      safetensors = f.ok() && *f == FileFormat::kSafetensors;
    }
  }
  if (safetensors) {
    // No pickle, no CRCs: the header checks are the whole verdict.
    SafetensorsMetadata metadata;
    absl::StatusOr<Value> value = LoadForTools(path, ToolLoadOptions(), &metadata);
    if (!value.ok()) return Fail(err, value.status());
    out << path << ": safetensors\n"
        << "  header  " << value->dict().size() << " tensors tile the data exactly, "
        << metadata.size() << " metadata entries\n"
        << "clean: no pickle, nothing in it can name code; ptser loads it\n";
    return kOk;
  }
  absl::StatusOr<std::unique_ptr<ByteSource>> src = ByteSource::OpenFile(path);
  if (!src.ok()) return VerifyFailure(out, err, src.status());
  absl::StatusOr<FileFormat> format = DetectFormat(**src);
  if (!format.ok()) return VerifyFailure(out, err, format.status());
  std::shared_ptr<const ByteSource> source(std::move(*src));
  int findings = 0;
  out << path << ": " << FormatName(*format) << "\n";
  // Read first: a pickle over its limit (a deflated data.pkl declaring
  // gigabytes) is refused before any record is inflated to check its CRC.
  absl::StatusOr<Storage> pickle_bytes = PickleBytes(path, *format);
  if (!pickle_bytes.ok()) return VerifyFailure(out, err, pickle_bytes.status());
  if (*format == FileFormat::kZip) {
    absl::StatusOr<std::unique_ptr<ZipReader>> zip = ZipReader::Open(source);
    if (!zip.ok()) return VerifyFailure(out, err, zip.status());
    // Streamed: a record is never held whole (a small file may claim
    // gigabytes of deflated records that nothing references).
    for (const ZipEntry& e : (*zip)->entries()) {
      absl::Status checked = (*zip)->Verify(e);
      if (!checked.ok()) {
        ++findings;
        out << "  BAD  " << e.name << ": " << checked.message() << "\n";
      }
    }
    if (findings == 0) out << "  crc  all " << (*zip)->entries().size() << " records match\n";
  } else if (*format != FileFormat::kLegacy && *format != FileFormat::kTar) {
    return Fail(err, absl::UnimplementedError(absl::StrCat("cannot verify ", FormatName(*format))));
  }
  const absl::string_view bytes = View(*pickle_bytes);
  std::vector<GlobalReference> globals;
  size_t pos = 0;
  const int pickles = *format == FileFormat::kLegacy ? 5 : 1;
  for (int i = 0; i < pickles && pos < bytes.size(); ++i) {
    absl::string_view rest = bytes.substr(pos);
    absl::StatusOr<std::vector<GlobalReference>> refs = ReferencedGlobals(rest);
    if (!refs.ok()) return VerifyFailure(out, err, refs.status());
    for (GlobalReference g : *refs) {
      g.offset += pos;
      globals.push_back(g);
    }
    if (i + 1 == pickles) break;  // where the next pickle starts is all that is left to find
    size_t last = 0;
    absl::Status ops = DisassembleEach(rest, [&](const PickleOp& o) {
                         last = o.offset;
                         return absl::OkStatus();
                       }).status();
    if (!ops.ok()) return VerifyFailure(out, err, ops);
    pos += last + 1;
  }
  std::map<std::string, int> seen;
  for (const GlobalReference& g : globals) {
    std::string name = g.resolved ? g.module + "." + g.name : "<unresolved STACK_GLOBAL>";
    if (seen[name]++ > 0) continue;
    GlobalRef mapped = MapLegacyGlobalName(GlobalRef{g.module, g.name});
    const bool allowed = g.resolved && TorchGlobals().Find(mapped.module, mapped.name) != nullptr;
    if (!allowed) ++findings;
    out << "  " << (allowed ? "ok     " : "REFUSED") << " " << name << " (first at offset "
        << g.offset << ")\n";
  }
  if (*format == FileFormat::kTar) {
    // torch.load unpickles the storages and tensors members with plain
    // pickle.load: they are judged by loading them through ptser's registry,
    // and a member ptser cannot read is a finding, not an unreadable file.
    absl::StatusOr<Value> value = LoadForTools(path);
    if (!value.ok()) {
      if (IsDifferential(value.status())) return VerifyFailure(out, err, value.status());
      ++findings;
      out << "  BAD  tar members: " << value.status().message() << "\n";
    } else if (findings == 0) {
      out << "clean: ptser loads it without running anything\n";
      return kOk;
    }
  }
  if (findings == 0) {
    if (load_when_clean) {
      absl::StatusOr<Value> value = LoadForTools(path);
      if (!value.ok()) return VerifyFailure(out, err, value.status());
      out << "clean: ptser loads it without running anything\n";
    }
    return kOk;
  }
  out << findings << (findings == 1 ? " finding" : " findings")
      << ": do not torch.load this file with weights_only=False\n";
  return kFinding;
}

}  // namespace

int Verify(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0] == "--help" || args[0] == "-h") {
    (args.size() == 1 ? out : err)
        << "usage: ptser verify FILE\n\n"
           "Checks every record's CRC-32 and the structure, and lists every global the\n"
           "pickle names with ptser's verdict.  FILE may be a sharded checkpoint's\n"
           "*.index.json: every shard is verified, then the index is checked against\n"
           "them.  A .safetensors file gets every check of the reference reader.\n"
           "Exit 0 when clean, 3 when it finds a global ptser refuses, a bad CRC or an\n"
           "index its shards disagree with, 1 when a file cannot be read.\n";
    return args.size() == 1 ? kOk : kUsage;
  }
  const std::string& path = args[0];
  if (!EndsWith(path, kShardedIndexSuffix)) return VerifyOne(path, out, err, true);
  absl::StatusOr<ShardedIndex> index = ReadShardedIndex(path);
  if (!index.ok()) return Fail(err, index.status());
  out << path << ": sharded index, " << index->keys.size() << " tensors in "
      << index->shards.size() << " shards\n";
  int bad_shards = 0;
  for (size_t i = 0; i < index->shards.size(); ++i) {
    const int rc = VerifyOne(index->ShardPath(i), out, err, false);
    if (rc == kFinding) {
      ++bad_shards;
    } else if (rc != kOk) {
      return rc;
    }
  }
  if (bad_shards > 0) {
    out << bad_shards << " of " << index->shards.size()
        << " shards have findings: do not torch.load them with weights_only=False\n";
    return kFinding;
  }
  absl::StatusOr<Value> value = LoadForTools(path);
  if (!value.ok()) {
    if (IsDifferential(value.status())) return VerifyFailure(out, err, value.status());
    // Every shard loads on its own: what failed is the index against the
    // shards (a key in the wrong shard, missing, or not in the index), a
    // finding about files ptser could read.
    for (size_t i = 0; i < index->shards.size(); ++i) {
      absl::StatusOr<Value> shard = LoadForTools(index->ShardPath(i));
      if (!shard.ok()) return Fail(err, value.status());
    }
    out << "  BAD  " << value.status().message() << "\n"
        << "1 finding: the index and its shards disagree\n";
    return kFinding;
  }
  out << "clean: ptser loads every shard and they match the index, without running anything\n";
  return kOk;
}

}  // namespace cli
}  // namespace ptser
