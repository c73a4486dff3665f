// Copyright ptser authors.
#include "tools/cli/convert_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "archive/byte_sink.h"
#include "archive/byte_source.h"
#include "archive/legacy_format.h"
#include "archive/load.h"
#include "archive/map_location.h"
#include "archive/safetensors.h"
#include "archive/save.h"
#include "archive/sharded.h"
#include "archive/torch_archive.h"
#include "base/status_macros.h"
#include "jit/pickled_module.h"
#include "pickle/unpickler.h"
#include "tensor/device.h"
#include "tools/cli/common.h"
#include "tools/cli/progress.h"
#include "tools/cli/script_commands.h"

namespace ptser {
namespace cli {
namespace {

// A zip file converted to zip is checked in one pass over its storages: they
// are loaded unverified and their recorded CRC-32s are compared with the ones
// computed while writing them (SaveOptions::expected_crc32); the other
// records (the pickle, the version) are verified here first.
struct OnePassCrcCheck {
  absl::flat_hash_map<const void*, uint32_t> recorded;  // storage id -> CRC

  absl::Status VerifyOtherRecords(const std::string& path) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::MapFile(path));
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive,
                           TorchArchive::Open(std::shared_ptr<const ByteSource>(std::move(src))));
    const std::string data_folder = archive->prefix() + "/data/";
    for (const ZipEntry& e : archive->zip().entries()) {
      if (absl::StartsWith(e.name, data_folder)) continue;
      PTSER_RETURN_IF_ERROR(archive->zip().Read(e).status());
    }
    return absl::OkStatus();
  }
  LoadOptions Options() {
    LoadOptions options = ToolLoadOptions();
    options.verify_crc32_when_mapped = false;
    options.on_zip_storage = [this](const Storage& s, uint32_t crc) { recorded[s.id()] = crc; };
    return options;
  }
  std::function<std::optional<uint32_t>(const Storage&)> Expected() {
    return [this](const Storage& s) -> std::optional<uint32_t> {
      auto it = recorded.find(s.id());
      if (it == recorded.end()) return std::nullopt;
      return it->second;
    };
  }
};

// The pickle protocol `path` was written at (torch.save's pickle_protocol),
// which convert keeps: the PROTO of a zip's data.pkl, or of a legacy file's
// first pickle; 1 where there is none (protocol 1 has no PROTO opcode).
// Other inputs (tar, .safetensors, a sharded index): 2, torch.save's default.
absl::StatusOr<int> InputPickleProtocol(const std::string& path) {
  constexpr int kDefault = 2;
  if (EndsWith(path, ".safetensors") || EndsWith(path, kShardedIndexSuffix)) return kDefault;
  PTSER_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, ByteSource::OpenFile(path));
  std::shared_ptr<const ByteSource> source(std::move(src));
  PTSER_ASSIGN_OR_RETURN(FileFormat format, DetectFormat(*source));
  if (format == FileFormat::kZip) {
    PTSER_ASSIGN_OR_RETURN(std::unique_ptr<TorchArchive> archive, TorchArchive::Open(source));
    PTSER_ASSIGN_OR_RETURN(Storage pickle, archive->ReadRecord("data.pkl"));
    const auto* p = static_cast<const unsigned char*>(pickle.data());
    if (pickle.nbytes() >= 2 && p[0] == 0x80) return p[1];
    return 1;
  }
  if (format == FileFormat::kLegacy) {
    unsigned char head[legacy_format::kMagicPickleMaxBytes] = {};
    const uint64_t n = std::min<uint64_t>(source->size(), sizeof(head));
    PTSER_RETURN_IF_ERROR(source->ReadAt(0, n, head));
    const std::optional<legacy_format::MagicPickle> magic = legacy_format::MatchMagicPickle(head, n);
    if (magic.has_value()) return magic->protocol;
  }
  return kDefault;
}

// Bytes of `path`, or of every shard of a sharded index.
absl::StatusOr<uint64_t> InputBytes(const std::string& path) {
  std::vector<std::string> files = {path};
  if (EndsWith(path, kShardedIndexSuffix)) {
    PTSER_ASSIGN_OR_RETURN(ShardedIndex index, ReadShardedIndex(path));
    for (size_t i = 0; i < index.shards.size(); ++i) files.push_back(index.ShardPath(i));
  }
  uint64_t total = 0;
  for (const std::string& f : files) {
    struct stat st;
    if (stat(f.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat("cannot stat '", f, "'"));
    }
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

// safetensors writes every tensor contiguous: a stride-0 view of a few bytes
// can stand for gigabytes.  Output over `max_growth` times the input is
// refused, saying how to allow it.
absl::Status CheckGrowth(const std::string& in, const Value& state_dict, double max_growth) {
  if (!state_dict.is_dict()) return absl::OkStatus();  // SaveSafetensors refuses it
  double out_bytes = 0;
  for (const auto& item : state_dict.dict().items()) {
    if (!item.value.is_tensor()) continue;
    const Tensor& t = item.value.tensor();
    out_bytes += static_cast<double>(t.numel()) * static_cast<double>(t.itemsize());
  }
  PTSER_ASSIGN_OR_RETURN(uint64_t in_bytes, InputBytes(in));
  const double limit = max_growth * static_cast<double>(std::max<uint64_t>(in_bytes, 1));
  if (out_bytes <= limit) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrFormat(
      "'%s' (%d bytes) would become %.0f bytes of safetensors, more than %g times its size "
      "(views such as broadcast tensors are written contiguous); pass --max-growth N to "
      "allow more",
      in, in_bytes, out_bytes, max_growth));
}

// The location tags of the output (`--map-location`).  Storages are always
// loaded on the CPU; what changes is the tag each one's persistent id
// records, which is where torch.load puts it back.  Without the flag each
// storage keeps the tag it was saved with, as torch.save(torch.load(IN))
// does on a machine with that device; `--map-location DEV` records DEV for
// every storage (torch.load(IN, map_location=DEV), then torch.save);
// `--map-location FROM=TO` (repeatable) remaps one tag, as a dict does.
class OutputLocations {
 public:
  // Parses one flag value into the mapping.  InvalidArgumentError for a
  // device string torch would refuse, or for DEV mixed with FROM=TO.
  absl::Status Add(const std::string& arg) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      if (!table_.empty() || device_.has_value()) {
        return absl::InvalidArgumentError(
            "--map-location: give one DEV, or FROM=TO pairs, not both");
      }
      PTSER_ASSIGN_OR_RETURN(std::string tag, Normalize(arg));
      device_ = tag;
      return absl::OkStatus();
    }
    if (device_.has_value()) {
      return absl::InvalidArgumentError("--map-location: give one DEV, or FROM=TO pairs, not both");
    }
    PTSER_ASSIGN_OR_RETURN(std::string from, Normalize(arg.substr(0, eq)));
    PTSER_ASSIGN_OR_RETURN(std::string to, Normalize(arg.substr(eq + 1)));
    table_[from] = to;
    return absl::OkStatus();
  }
  // Load options recording the tag each storage was saved with (the
  // storage stays on the CPU).
  LoadOptions Record(LoadOptions options) {
    options.map_location = MapLocation::Function(
        [this](const Storage& s, const std::string& tag) -> absl::StatusOr<std::optional<Storage>> {
          saved_[s.id()] = tag;
          return std::optional<Storage>(s);
        });
    return options;
  }
  // SaveOptions::storage_location: the mapped tag of a storage's saved one
  // ("cpu" for storages without one, e.g. from a .safetensors file).
  std::function<std::optional<std::string>(const Storage&)> Tags() {
    return [this](const Storage& s) -> std::optional<std::string> {
      auto it = saved_.find(s.id());
      const std::string saved = it == saved_.end() ? "cpu" : it->second;
      if (device_.has_value()) return *device_;
      auto mapped = table_.find(saved);
      return mapped == table_.end() ? saved : mapped->second;
    };
  }

 private:
  // A device string as torch.load takes it, as location_tag would write a
  // storage put there: "cuda" is the current device, cuda:0.
  static absl::StatusOr<std::string> Normalize(const std::string& arg) {
    absl::StatusOr<Device> d = Device::Parse(arg);
    if (!d.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--map-location: ", d.status().message()));
    }
    // The device types torch.device accepts in PyTorch 1.13 (c10's
    // DeviceType parser); a checkpoint's own tags are not checked this way.
    static constexpr const char* kTypes[] = {
        "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
        "ve",  "fpga", "ort", "xla", "lazy",   "vulkan", "mps",    "meta",  "hpu"};
    if (std::find(std::begin(kTypes), std::end(kTypes), d->type()) == std::end(kTypes)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--map-location: expected one of ", absl::StrJoin(kTypes, ", "),
          " device type at start of device string: ", d->type()));
    }
    if (d->is_cpu()) return std::string("cpu");
    if (!d->has_index()) return Device(d->type(), 0).ToString();
    return d->ToString();
  }

  std::optional<std::string> device_;
  std::map<std::string, std::string> table_;
  absl::flat_hash_map<const void*, std::string> saved_;  // storage id -> saved tag
};

// What `convert --state-dict` writes: a TorchScript archive's state dict, or
// a whole model's (torch.save(model)) rebuilt from its pickled objects kept
// inert (jit/pickled_module.h) — nothing in the file runs.
absl::StatusOr<Value> StateDictOfFile(const std::string& path, OutputLocations& locations) {
  if (IsTorchScriptFile(path)) return ScriptStateDict(path);
  LoadOptions options = locations.Record(ToolLoadOptions());
  options.unpickler.unknown_globals = UnpicklerOptions::UnknownGlobals::kKeepInert;
  absl::StatusOr<Value> model = LoadForTools(path, options);
  if (!model.ok()) return model.status();
  return StateDictOfPickledModule(*model);
}

}  // namespace

int Convert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  std::string format;
  bool durable = true, state_dict = false;
  int protocol = 0;  // 0: the input's
  double max_growth = 64;
  OutputLocations locations;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) format = args[++i];
    else if (args[i] == "--protocol" && i + 1 < args.size()) {
      if (!absl::SimpleAtoi(args[++i], &protocol) || protocol < 1 || protocol > 5) {
        err << "ptser convert: --protocol takes 1 to 5, not '" << args[i] << "'\n";
        return kUsage;
      }
    } else if (args[i] == "--map-location" && i + 1 < args.size()) {
      absl::Status st = locations.Add(args[++i]);
      if (!st.ok()) {
        err << "ptser convert: " << st.message() << "\n";
        return kUsage;
      }
    } else if (args[i] == "--no-fsync") durable = false;
    else if (args[i] == "--state-dict") state_dict = true;
    else if (args[i] == "--max-growth" && i + 1 < args.size()) {
      if (!absl::SimpleAtod(args[++i], &max_growth) || !(max_growth > 0)) {
        err << "ptser convert: --max-growth takes a positive number\n";
        return kUsage;
      }
    }
    else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: ptser convert IN OUT [--format zip|legacy|safetensors] [--protocol N]\n"
             "                            [--state-dict] [--max-growth N] [--no-fsync]\n"
             "                            [--map-location DEV | --map-location FROM=TO ...]\n\n"
             "Reads any file ptser loads (zip, legacy, .safetensors) and writes it in the\n"
             "chosen format (default: safetensors when OUT ends in .safetensors, else\n"
             "zip), pickled at IN's pickle protocol (--protocol N: at N, 1 to 5).  A zip\n"
             "written from a PyTorch 1.13 file is byte-identical to what\n"
             "torch.save(torch.load(IN), OUT, pickle_protocol=P) writes.  safetensors\n"
             "keeps no views: shared\n"
             "or strided tensors are written contiguous, and the command says which.\n"
             "A failed convert leaves nothing at OUT.  --no-fsync skips the final\n"
             "fsync (still atomic, but not durable across a power cut).  Written\n"
             "contiguous, a broadcast view (stride 0) can be far larger than its\n"
             "file: safetensors output over --max-growth times IN (default 64) is\n"
             "refused.\n"
             "A TorchScript archive IN is rewritten as a TorchScript archive.\n"
             "--state-dict writes IN's state dict instead: a TorchScript archive's\n"
             "(torch.jit.load(IN).state_dict()), or a whole model's saved with\n"
             "torch.save(model) (model.state_dict(), rebuilt from its pickled objects\n"
             "kept inert: nothing in the file runs), as torch.save or safetensors.\n"
             "Each storage keeps the device it was saved from ('cuda:0'): torch.load\n"
             "restores it there.  --map-location DEV records DEV for every storage\n"
             "(torch.load(IN, map_location=DEV), then torch.save); FROM=TO, repeatable,\n"
             "remaps one device ('cuda:1=cuda:0').  Nothing is moved: ptser reads\n"
             "and writes the bytes on the CPU.\n";
      return kOk;
    } else paths.push_back(args[i]);
  }
  if (paths.size() != 2) {
    err << "usage: ptser convert IN OUT [--format zip|legacy|safetensors] [--protocol N] "
           "[--state-dict]\n";
    return kUsage;
  }
  if (format.empty()) format = EndsWith(paths[1], ".safetensors") ? "safetensors" : "zip";
  if (!state_dict && IsTorchScriptFile(paths[0])) {
    if (format != "zip") {
      err << "ptser convert: '" << paths[0] << "' is a TorchScript archive: it converts to "
          << "a TorchScript archive, or with --state-dict to its state dict\n";
      return kUsage;
    }
    return ConvertScript(paths[0], paths[1], durable, out, err);
  }
  SaveOptions save;
  save.durable = durable;
  if (protocol == 0 && format != "safetensors") {
    absl::StatusOr<int> in_protocol = InputPickleProtocol(paths[0]);
    if (!in_protocol.ok()) return Fail(err, in_protocol.status());
    protocol = *in_protocol;
  }
  save.pickle_protocol = protocol;
  if (format == "zip") {
    save.format = SaveOptions::Format::kZip;
  } else if (format == "legacy") {
    save.format = SaveOptions::Format::kLegacy;
  } else if (format != "safetensors") {
    err << "ptser convert: unknown format '" << format << "' (zip, legacy or safetensors)\n";
    return kUsage;
  }
  // zip to zip from one zip file: one CRC pass (OnePassCrcCheck).
  OnePassCrcCheck one_pass;
  bool single_zip = false;
  if (format == "zip" && !state_dict && !EndsWith(paths[0], ".safetensors") &&
      !EndsWith(paths[0], kShardedIndexSuffix)) {
    absl::StatusOr<std::unique_ptr<ByteSource>> probe = ByteSource::OpenFile(paths[0]);
    if (!probe.ok()) return Fail(err, probe.status());
    absl::StatusOr<FileFormat> in_format = DetectFormat(**probe);
    single_zip = in_format.ok() && *in_format == FileFormat::kZip;
  }
  if (single_zip) {
    absl::Status st = one_pass.VerifyOtherRecords(paths[0]);
    if (!st.ok()) return Fail(err, st);
    save.expected_crc32 = one_pass.Expected();
  }
  // A .safetensors input's __metadata__ goes to a .safetensors output; a
  // PyTorch file's gets Hugging Face's {"format": "pt"}.
  SafetensorsMetadata metadata;
  absl::StatusOr<Value> value =
      state_dict   ? StateDictOfFile(paths[0], locations)
      : single_zip ? LoadForTools(paths[0], locations.Record(one_pass.Options()))
                   : LoadForTools(paths[0], locations.Record(ToolLoadOptions()), &metadata);
  save.storage_location = locations.Tags();
  if (!value.ok()) return Fail(err, value.status());
  if (!EndsWith(paths[0], ".safetensors")) metadata = {{"format", "pt"}};
  if (format == "safetensors") {
    absl::Status growth = CheckGrowth(paths[0], *value, max_growth);
    if (!growth.ok()) return Fail(err, growth);
    AtomicFileSink::Options sink_options;
    sink_options.durable = durable;
    absl::StatusOr<std::unique_ptr<AtomicFileSink>> sink =
        AtomicFileSink::Create(paths[1], sink_options);
    if (!sink.ok()) return Fail(err, sink.status());
    SafetensorsSaveReport report;
    absl::Status st = SaveSafetensors(*value, sink->get(), &report, metadata);
    if (st.ok()) st = (*sink)->Commit();
    if (!st.ok()) return Fail(err, st);
    for (const std::string& n : report.made_contiguous) {
      out << "note: '" << n << "' was a strided or offset view; written contiguous\n";
    }
    for (const std::string& n : report.unshared) {
      out << "note: '" << n << "' shared its storage; written as its own copy\n";
    }
    out << "wrote " << paths[1] << "\n";
    return kOk;
  }
  ProgressBar bar("convert");
  save.progress = bar.Callback();
  absl::Status s = Save(*value, paths[1], save);
  bar.Finish();
  if (!s.ok()) return Fail(err, s);
  out << "wrote " << paths[1] << "\n";
  return kOk;
}

}  // namespace cli
}  // namespace ptser
