// Copyright ptser authors.
#include "tools/cli/run_command.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "archive/load.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "jit/load.h"
#include "jit/script_module.h"
#include "tools/cli/value_repr.h"

namespace ptser {
namespace cli {
namespace {

constexpr char kHelp[] =
    "usage: ptser run FILE [--input ARGS.pt] [--output OUT.pt] [--method NAME]\n"
    "                      [--max-steps N] [--max-depth N]\n"
    "\n"
    "Runs a method (default: forward) of the TorchScript module in FILE\n"
    "(torch.jit.save) on ptser's interpreter. ARGS.pt is a torch.save file of a\n"
    "tuple of arguments. The result is saved to OUT.pt as torch.save saves it,\n"
    "or printed as PyTorch prints it.\n"
    "\n"
    "  --max-steps N   statements and loop iterations allowed (default 10000000)\n"
    "  --max-depth N   nested TorchScript calls allowed (default 200)\n"
    "\n"
    "exit status: 0 ok; 1 refused archive, unknown operator, error raised by the\n"
    "code or a limit reached; 2 bad usage\n";

// The result in torch.save's terms: NamedTuples become tuples, enum members
// their values; modules and other code-only values are refused.
absl::StatusOr<Value> Saveable(const Value& v, int depth) {
  if (depth > 1000) return absl::InvalidArgumentError("the result is nested too deeply");
  switch (v.kind()) {
    case Value::Kind::kOpaque:
      return absl::InvalidArgumentError(
          absl::StrCat("the result holds a ", v.TypeName(), ", which torch.save cannot save"));
    case Value::Kind::kObject: {
      // As the interpreter makes them (jit/script/interpreter.h): an enum
      // member is `Color(value)`, a NamedTuple `Pt.__new__(Pt, *fields)`,
      // a script-class instance `Cls.__new__(Cls)` with its attributes.
      const Value::Object& o = v.object();
      using C = Value::Object::Construction;
      if (o.construction() == C::kCall && o.args().is_tuple() && o.args().tuple().size() == 1) {
        return Saveable(o.args().tuple()[0], depth + 1);
      }
      if (o.construction() == C::kNewObj && !o.has_state() && o.args().is_tuple()) {
        std::vector<Value> out;
        for (const Value& e : o.args().tuple().items()) {
          PTSER_ASSIGN_OR_RETURN(Value s, Saveable(e, depth + 1));
          out.push_back(std::move(s));
        }
        return Value::NewTuple(std::move(out));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "the result holds an object of the script class ", o.callee().FullName(),
          ", which torch.save cannot save without the class"));
    }
    case Value::Kind::kList: {
      std::vector<Value> out;
      for (const Value& e : v.list().items()) {
        PTSER_ASSIGN_OR_RETURN(Value s, Saveable(e, depth + 1));
        out.push_back(std::move(s));
      }
      return Value::NewList(std::move(out));
    }
    case Value::Kind::kTuple: {
      std::vector<Value> out;
      for (const Value& e : v.tuple().items()) {
        PTSER_ASSIGN_OR_RETURN(Value s, Saveable(e, depth + 1));
        out.push_back(std::move(s));
      }
      return Value::NewTuple(std::move(out));
    }
    case Value::Kind::kDict: {
      Value d = Value::NewDict();
      for (const auto& item : v.dict().items()) {
        PTSER_ASSIGN_OR_RETURN(Value s, Saveable(item.value, depth + 1));
        PTSER_RETURN_IF_ERROR(d.dict().SetItem(item.key, std::move(s)));
      }
      return d;
    }
    default:
      return v;
  }
}

}  // namespace

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string file, input, output, method = "forward";
  jit::LoadOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) {
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    std::string number;
    if (a == "--help" || a == "-h") {
      out << kHelp;
      return 0;
    } else if (a == "--input") {
      if (!value(&input)) { err << "ptser run: --input needs a file\n"; return 2; }
    } else if (a == "--output") {
      if (!value(&output)) { err << "ptser run: --output needs a file\n"; return 2; }
    } else if (a == "--method") {
      if (!value(&method)) { err << "ptser run: --method needs a name\n"; return 2; }
    } else if (a == "--max-steps" || a == "--max-depth") {
      uint64_t n = 0;
      if (!value(&number) || !absl::SimpleAtoi(number, &n) || n == 0) {
        err << "ptser run: " << a << " needs a positive number\n";
        return 2;
      }
      if (a == "--max-steps") options.interpreter.max_steps = n;
      else options.interpreter.max_call_depth = n;
    } else if (!a.empty() && a[0] == '-') {
      err << "ptser run: unknown option '" << a << "'\n" << kHelp;
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "ptser run: unexpected argument '" << a << "'\n";
      return 2;
    }
  }
  if (file.empty()) {
    err << kHelp;
    return 2;
  }
  absl::StatusOr<std::shared_ptr<jit::ScriptModule>> module = jit::Load(file, options);
  if (!module.ok()) {
    err << "ptser run: " << module.status().message() << "\n";
    return 1;
  }
  std::vector<Value> call_args;
  if (!input.empty()) {
    absl::StatusOr<Value> loaded = Load(input);
    if (!loaded.ok()) {
      err << "ptser run: " << loaded.status().message() << "\n";
      return 1;
    }
    if (loaded->is_tuple()) {
      call_args.assign(loaded->tuple().begin(), loaded->tuple().end());
    } else {
      call_args.push_back(*loaded);
    }
  }
  absl::StatusOr<Value> result = (*module)->RunMethod(method, std::move(call_args));
  if (!result.ok()) {
    err << "ptser run: " << result.status().message() << "\n";
    return 1;
  }
  if (output.empty()) {
    out << ReprWithTensors(*result) << "\n";
    return 0;
  }
  absl::StatusOr<Value> saveable = Saveable(*result, 0);
  absl::Status saved = saveable.ok() ? Save(*saveable, output) : saveable.status();
  if (!saved.ok()) {
    err << "ptser run: " << saved.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace cli
}  // namespace ptser
