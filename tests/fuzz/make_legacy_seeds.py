# Writes the legacy-format seeds of legacy_fuzzer with real PyTorch 1.13:
#   /usr/bin/python3 tests/fuzz/make_legacy_seeds.py tests/fuzz/corpus/legacy
import torch, collections, sys
out = sys.argv[1]
def save(obj, name):
    torch.save(obj, f"{out}/{name}", _use_new_zipfile_serialization=False)
base = torch.arange(12, dtype=torch.float32)
save({"f64": torch.ones(2, dtype=torch.float64), "i8": torch.tensor([-1, 2], dtype=torch.int8),
      "b": torch.tensor([True, False]), "h": torch.ones(3, dtype=torch.float16),
      "bf": torch.ones(2, dtype=torch.bfloat16), "c": torch.ones(2, dtype=torch.complex64),
      "i64": torch.tensor([1 << 40])}, "dtypes_legacy.pt")
save([base[2:5], base.view(3, 4).t(), base, (1, 2.5, "s", None, b"x")], "shared_legacy.pt")
save(collections.OrderedDict(w=torch.nn.Parameter(torch.ones(2, 2)), e=torch.empty(0)), "param_legacy.pt")
save(torch.tensor(3.5), "scalar_legacy.pt")
