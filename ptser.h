// Copyright ptser authors.
//
// ptser.h — the whole public C++ API behind one header (Bazel: @ptser//:ptser).
//
//   #include "ptser.h"
//
//   absl::StatusOr<ptser::Value> ckpt = ptser::Load("checkpoint.pt");
//   PTSER_ASSIGN_OR_RETURN(int64_t epoch, ckpt->Get<int64_t>("epoch"));
//   PTSER_ASSIGN_OR_RETURN(ptser::Tensor w, ckpt->Get<ptser::Tensor>("model", "fc.weight"));
//   PTSER_RETURN_IF_ERROR(ptser::Save(*ckpt, "out.pt"));
//
// README.md ("The C++ API") lists each header below with its own, smaller
// Bazel target, for a program that wants only part of ptser.
#ifndef PTSER_PTSER_H_
#define PTSER_PTSER_H_

#include "base/cxx17.h"  // first: a clear error below C++17

#include "archive/byte_sink.h"     // ByteSink: where Save writes (file, string)
#include "archive/byte_source.h"   // ByteSource: what Load reads (file, mmap, string)
#include "archive/load.h"          // ptser::Load, LoadOptions, DetectFormat
#include "archive/map_location.h"  // MapLocation: torch.load's map_location
#include "archive/safetensors.h"   // .safetensors read and write
#include "archive/save.h"          // ptser::Save, SaveOptions
#include "archive/sharded.h"       // *.index.json sharded checkpoints
#include "base/status_macros.h"    // PTSER_RETURN_IF_ERROR, PTSER_ASSIGN_OR_RETURN
#include "jit/load.h"              // jit::Load: TorchScript modules, run (Forward, RunMethod)
#include "jit/models/torchvision.h"  // ResNet18(), MobileNetV2()
#include "jit/module.h"            // Module: StateDict, LoadStateDict
#include "jit/nn/nn.h"             // the layers: Linear, Conv, BatchNorm, ...
#include "jit/pickled_module.h"    // the state dict of a torch.save(model) file
#include "jit/script_archive.h"    // TorchScript archives as data: LoadScriptModule
#include "pickle/value.h"          // Value: what a checkpoint holds; At, Get<T>
#include "tensor/cast.h"           // Cast, GetElement/SetElement, ToVector
#include "tensor/cpp_type.h"       // kScalarTypeOf<T>
#include "tensor/device.h"         // Device ("cpu", "cuda:0")
#include "tensor/device_backend.h" // DeviceBackend, DeviceRuntime: device memory, streams
#include "tensor/device_registry.h" // RegisterDeviceBackend, CopyToDevice, CopyStorageTo
#include "tensor/factories.h"      // Zeros, Ones, Arange, MakeTensor, FromBytes
#include "tensor/generator.h"      // ManualSeed: PyTorch's random streams
#include "tensor/ops/ops.h"        // arithmetic, comparison, reductions, linalg, allclose
#include "tensor/print/repr.h"     // Repr(t), operator<< (PyTorch's text)
#include "tensor/scalar_type.h"    // ScalarType (dtypes), DtypeName
#include "tensor/storage.h"        // Storage
#include "tensor/tensor.h"         // Tensor, data<T>(), span<T>()
#include "tensor/views.h"          // Slice, Select, Transpose, View, Clone, Contiguous

#endif  // PTSER_PTSER_H_
