// Copyright ptser authors.
//
// device_save_tool OUT_DIR: saves one checkpoint twice with ptser — its
// tensors on "cuda:0" (FakeDevice registered as "cuda": host memory under the
// device's tag) as OUT_DIR/cuda/ck.pt, and the same tensors on the CPU as
// OUT_DIR/cpu/ck.pt — for device_save_test.py to compare with torch.save.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "archive/save.h"
#include "base/status_macros.h"
#include "tensor/device_registry.h"
#include "tensor/factories.h"
#include "tensor/fake_device.h"
#include "tensor/views.h"

namespace ptser {
namespace {

absl::Status Run(const std::string& out) {
  FakeDevice::Options o;
  o.async = true;  // copies back must be waited for
  PTSER_RETURN_IF_ERROR(RegisterDeviceBackend(std::make_shared<FakeDevice>(o)));
  // A state dict with views, several dtypes, a Parameter and a scalar.
  PTSER_ASSIGN_OR_RETURN(Tensor base, Arange(Scalar(0.0), Scalar(60.0)));
  PTSER_ASSIGN_OR_RETURN(Tensor w, View(base, {6, 10}));
  PTSER_ASSIGN_OR_RETURN(Tensor w_t, Transpose(w, 0, 1));
  PTSER_ASSIGN_OR_RETURN(Tensor row, Select(w, 0, 2));
  PTSER_ASSIGN_OR_RETURN(Tensor ids, Arange(Scalar(int64_t{0}), Scalar(int64_t{9})));
  PTSER_ASSIGN_OR_RETURN(Tensor half, Arange(Scalar(0.0), Scalar(5.0), Scalar(1.0), ScalarType::kHalf));
  PTSER_ASSIGN_OR_RETURN(Tensor flags, Zeros({3}, ScalarType::kBool));
  PTSER_ASSIGN_OR_RETURN(Tensor p, Arange(Scalar(1.0), Scalar(4.0), Scalar(1.0), ScalarType::kDouble));
  p.set_is_parameter(true);
  p.set_requires_grad(true);
  const std::vector<std::pair<std::string, Tensor>> items = {
      {"w", w}, {"w_t", w_t}, {"row", row}, {"ids", ids}, {"half", half}, {"flags", flags}, {"p", p}};
  for (const bool on_device : {false, true}) {
    Value sd = Value::NewOrderedDict();
    Tensor::StorageMoves moves;
    for (const auto& [name, t] : items) {
      Tensor x = t;
      if (on_device) {
        PTSER_ASSIGN_OR_RETURN(x, t.To(Device("cuda", 0), &moves));
      }
      PTSER_RETURN_IF_ERROR(sd.dict().SetItem(Value::Str(name), Value::FromTensor(x)));
    }
    const std::string dir = out + (on_device ? "/cuda" : "/cpu");
    ::mkdir(dir.c_str(), 0755);
    PTSER_RETURN_IF_ERROR(Save(sd, dir + "/ck.pt"));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace ptser

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: device_save_tool OUT_DIR\n";
    return 2;
  }
  absl::Status s = ptser::Run(argv[1]);
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  return 0;
}
