// Copyright ptser authors.
#include "tools/cli/script_commands.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "archive/byte_source.h"
#include "archive/torch_archive.h"
#include "pickle/disassembler.h"
#include "base/status_macros.h"
#include "jit/script_archive.h"
#include "nlohmann/json.hpp"
#include "tools/cli/common.h"

namespace ptser {
namespace cli {
namespace {

nlohmann::json TensorList(const std::vector<std::pair<std::string, Tensor>>& named) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, t] : named) {
    list.push_back({{"name", name},
                    {"dtype", std::string(DtypeName(t.dtype()))},
                    {"shape", t.sizes()},
                    {"requires_grad", t.requires_grad()}});
  }
  return list;
}

// --max-pickle-growth applies to a TorchScript archive's pickles too.
jit::LoadScriptOptions ScriptOptions() {
  jit::LoadScriptOptions options;
  options.max_pickle_growth = ToolLoadOptions().max_pickle_growth;
  return options;
}

}  // namespace

bool IsTorchScriptFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<ByteSource>> src = ByteSource::OpenFile(path);
  if (!src.ok()) return false;
  absl::StatusOr<bool> is = jit::IsScriptArchive(std::shared_ptr<const ByteSource>(std::move(*src)));
  return is.ok() && *is;
}

int InspectScript(const std::string& path, bool json, bool code, std::ostream& out,
                  std::ostream& err) {
  absl::StatusOr<jit::ScriptArchive> loaded = jit::LoadScriptModule(path, ScriptOptions());
  if (!loaded.ok()) return Fail(err, loaded.status());
  const jit::ScriptArchive& a = *loaded;
  if (code) {
    for (const auto& r : a.code_records) {
      if (!absl::EndsWith(r.name, ".py")) continue;
      if (json) continue;
      out << "# " << r.name << "\n" << r.bytes;
      if (!r.bytes.empty() && r.bytes.back() != '\n') out << "\n";
    }
    if (!json) return kOk;
  }
  nlohmann::json report;
  report["file"] = path;
  report["format"] = "TorchScript archive";
  report["version"] = a.version;
  report["folder"] = a.prefix;
  report["module"] = a.module->TreeRepr();
  nlohmann::json modules = nlohmann::json::array();
  for (const auto& [name, m] : a.module->NamedModules()) {
    const auto* sm = static_cast<const jit::ScriptModule*>(m);
    modules.push_back({{"path", name}, {"class", sm->qualified_name()},
                       {"training", sm->is_training()}});
  }
  report["modules"] = modules;
  report["parameters"] = TensorList(a.module->NamedParameters());
  report["buffers"] = TensorList(a.module->NamedBuffers());
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : a.classes) {
    classes.push_back({{"name", c->qualified_name}, {"base", c->base}, {"record", c->code_record},
                       {"methods", c->methods}, {"parameters", c->parameters},
                       {"buffers", c->buffers}, {"constants", c->constants}});
  }
  report["classes"] = classes;
  nlohmann::json constants = nlohmann::json::array();
  for (const Value& v : a.constants.tuple()) constants.push_back(v.Repr(Value::kMessageReprChars));
  report["constants"] = constants;
  nlohmann::json extra = nlohmann::json::array();
  for (const auto& r : a.extra_files) extra.push_back({{"name", r.name}, {"size", r.bytes.size()}});
  report["extra_files"] = extra;
  if (code) {
    nlohmann::json records = nlohmann::json::object();
    for (const auto& r : a.code_records) {
      if (absl::EndsWith(r.name, ".py")) records[r.name] = r.bytes;
    }
    report["code"] = records;
  }
  if (json) {
    out << report.dump(2) << "\n";
    return kOk;
  }
  out << path << ": TorchScript archive, version " << a.version << ", folder '" << a.prefix
      << "'\n";
  out << a.module->TreeRepr() << "\n";
  auto tensors = [&](const char* title, const std::vector<std::pair<std::string, Tensor>>& named) {
    out << title << ": " << named.size() << "\n";
    for (const auto& [name, t] : named) {
      out << "  " << name << ": " << DtypeName(t.dtype()) << " " << Shape(t.sizes())
          << (t.requires_grad() ? " requires_grad" : "") << "\n";
    }
  };
  tensors("parameters", a.module->NamedParameters());
  tensors("buffers", a.module->NamedBuffers());
  out << "classes: " << a.classes.size() << "\n";
  for (const auto& c : a.classes) {
    out << "  " << c->qualified_name << (c->base.empty() ? "" : absl::StrCat("(", c->base, ")"))
        << " in " << c->code_record;
    if (!c->methods.empty()) out << ": " << absl::StrJoin(c->methods, ", ");
    out << "\n";
    for (const std::string& constant : c->constants) out << "    " << constant << "\n";
  }
  out << "constants: " << a.constants.tuple().size() << "\n";
  for (size_t i = 0; i < a.constants.tuple().size(); ++i) {
    out << "  c" << i << ": " << a.constants.tuple()[i].Repr(Value::kMessageReprChars) << "\n";
  }
  out << "extra files: " << a.extra_files.size() << "\n";
  for (const auto& r : a.extra_files) out << "  " << r.name << " (" << r.bytes.size() << " bytes)\n";
  return kOk;
}

int VerifyScript(const std::string& path, std::ostream& out, std::ostream& err,
                 bool load_when_clean) {
  absl::StatusOr<std::unique_ptr<ByteSource>> src = ByteSource::OpenFile(path);
  if (!src.ok()) return Fail(err, src.status());
  ZipReader::Options unchecked;
  unchecked.verify_crc32 = false;
  absl::StatusOr<std::unique_ptr<TorchArchive>> archive =
      TorchArchive::Open(std::shared_ptr<const ByteSource>(std::move(*src)), unchecked);
  if (!archive.ok()) return Fail(err, archive.status());
  const TorchArchive& a = **archive;
  out << path << ": TorchScript archive, version " << a.version() << "\n";
  int findings = 0;
  // CRCs: every record read once with checking on.
  absl::StatusOr<std::unique_ptr<ByteSource>> again = ByteSource::OpenFile(path);
  if (!again.ok()) return Fail(err, again.status());
  absl::StatusOr<std::unique_ptr<ZipReader>> zip =
      ZipReader::Open(std::shared_ptr<const ByteSource>(std::move(*again)));
  if (!zip.ok()) return Fail(err, zip.status());
  for (const ZipEntry& e : (*zip)->entries()) {
    absl::StatusOr<Storage> bytes = (*zip)->Read(e);
    if (!bytes.ok()) {
      ++findings;
      out << "  BAD  " << e.name << ": " << bytes.status().message() << "\n";
    }
  }
  if (findings == 0) out << "  crc  all " << (*zip)->entries().size() << " records match\n";
  // The classes the code defines.
  std::vector<std::string> classes;
  for (const std::string& name : a.RecordNames()) {
    if (!absl::StartsWith(name, "code/") || !absl::EndsWith(name, ".py")) continue;
    absl::StatusOr<std::string> text = a.ReadRecordString(name);
    absl::StatusOr<std::vector<jit::ScriptClass>> parsed =
        text.ok() ? jit::ParseCodeRecord(name, *text)
                  : absl::StatusOr<std::vector<jit::ScriptClass>>(text.status());
    if (!parsed.ok()) {
      ++findings;
      out << "  BAD  " << name << ": " << parsed.status().message() << "\n";
      continue;
    }
    for (const jit::ScriptClass& c : *parsed) classes.push_back(c.qualified_name);
  }
  for (const char* record : {"constants.pkl", "data.pkl"}) {
    absl::StatusOr<std::string> pickle = a.ReadRecordString(record);
    if (!pickle.ok()) return Fail(err, pickle.status());
    absl::StatusOr<std::vector<GlobalReference>> refs = ReferencedGlobals(*pickle);
    if (!refs.ok()) {
      return Fail(err, absl::Status(refs.status().code(), absl::StrCat("record '", record, "': ",
                                                                      refs.status().message())));
    }
    std::vector<std::string> seen;
    for (const GlobalReference& g : *refs) {
      const std::string name = g.resolved ? g.module + "." + g.name : "<unresolved STACK_GLOBAL>";
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      const bool is_class = g.module == "__torch__" || absl::StartsWith(g.module, "__torch__.");
      const bool allowed =
          g.resolved && (is_class ? std::find(classes.begin(), classes.end(), name) != classes.end()
                                  : jit::IsScriptGlobalAllowed(g.module, g.name));
      if (!allowed) ++findings;
      out << "  " << (allowed ? "ok     " : "REFUSED") << " " << name << " (" << record
          << ", first at offset " << g.offset << ")"
          << (allowed || !is_class ? "" : ": no code/ record defines this class") << "\n";
    }
  }
  if (findings > 0) {
    out << findings << (findings == 1 ? " finding" : " findings")
        << ": do not torch.jit.load this file\n";
    return kFinding;
  }
  if (load_when_clean) {
    absl::StatusOr<jit::ScriptArchive> loaded = jit::LoadScriptModule(path, ScriptOptions());
    if (!loaded.ok()) return Fail(err, loaded.status());
    out << "clean: ptser reads its module tree without running anything\n";
  }
  return kOk;
}

absl::StatusOr<Value> ScriptStateDict(const std::string& path) {
  PTSER_ASSIGN_OR_RETURN(jit::ScriptArchive a, jit::LoadScriptModule(path, ScriptOptions()));
  return a.module->StateDict();
}

int ConvertScript(const std::string& in, const std::string& out_path, bool durable,
                  std::ostream& out, std::ostream& err) {
  absl::StatusOr<jit::ScriptArchive> loaded = jit::LoadScriptModule(in, ScriptOptions());
  if (!loaded.ok()) return Fail(err, loaded.status());
  jit::SaveScriptOptions options;
  options.durable = durable;
  absl::Status s = jit::SaveScriptModule(*loaded, out_path, options);
  if (!s.ok()) return Fail(err, s);
  out << "wrote " << out_path << " (TorchScript archive)\n";
  return kOk;
}

}  // namespace cli
}  // namespace ptser
