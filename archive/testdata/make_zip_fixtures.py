#!/usr/bin/python3
"""Regenerates the zip fixtures of archive/ with real PyTorch 1.13.

Run with Debian's /usr/bin/python3 (the interpreter that has torch):
    cd archive/testdata && /usr/bin/python3 make_zip_fixtures.py
The files are committed; tests never run Python.
"""
import io
import zipfile

import torch

torch.save(torch.tensor([1.0, 2.0, 3.0]), "float_tensor.pt")
torch.save(torch.tensor([]), "empty.pt")
torch.save(
    {"a": torch.arange(12).reshape(3, 4), "b": [torch.ones(2), 1, "x"],
     "c": torch.arange(20, dtype=torch.int16)[::3]},
    "dict.pt",
)
# Twelve storages: PyTorch 1.13 writes data/0, data/1, data/10, data/11, data/2...
torch.save([torch.full((i + 1,), float(i)) for i in range(12)], "twelve.pt")

# The same records re-zipped by Python's zipfile, deflated, under another
# folder name: torch.load accepts it (docs/formats/zip.md), so must ptser.
src = zipfile.ZipFile("dict.pt")
with zipfile.ZipFile("dict_deflated.zip", "w", compression=zipfile.ZIP_DEFLATED) as out:
    for info in src.infolist():
        name = "whatever/" + info.filename.split("/", 1)[1]
        fixed = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        fixed.compress_type = zipfile.ZIP_DEFLATED
        out.writestr(fixed, src.read(info.filename))
assert torch.load("dict_deflated.zip")["a"].sum() == 66

# A TorchScript archive (it has constants.pkl).
class AddOne(torch.nn.Module):
    def forward(self, x):
        return x + 1


torch.jit.save(torch.jit.script(AddOne()), "jit_add_one.pt")

# Load/save fixtures: every dtype 1.13 has, views, shared storages, state dicts.
numbers = torch.arange(1, 10)
evens = numbers[1::2]
torch.save([numbers, evens], "views.pt")
torch.save({"t": torch.arange(6.0).reshape(2, 3).t(), "e": torch.tensor(3.0).expand(4),
            "s": torch.tensor(7), "empty": torch.zeros(0, 3),
            "cl": torch.arange(24.0).reshape(1, 2, 3, 4).to(memory_format=torch.channels_last),
            "off": torch.arange(10.0)[3:7]}, "layouts.pt")
dtypes = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8,
          torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool,
          torch.complex64, torch.complex128]
torch.save({str(d): torch.tensor([1, 0]).to(d) for d in dtypes}, "dtypes.pt")
p = torch.nn.Parameter(torch.ones(2, 2))
torch.save({"p": p, "rg": torch.ones(3, requires_grad=True)}, "params.pt")
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
torch.save(net.state_dict(), "state_dict.pt")
torch.save({"size": torch.Size([2, 3]), "dtype": torch.float16, "dev": torch.device("cuda", 1),
            "cpu": torch.device("cpu"), "layout": torch.strided, "misc": (1.5, None, True, b"ab"),
            "set": {1, 2}, "complex": 1 + 2j}, "misc.pt")
torch.save([numbers, evens], "views_legacy.pt", _use_new_zipfile_serialization=False)
torch.save(net.state_dict(), "state_dict_legacy.pt", _use_new_zipfile_serialization=False)
# A storage tagged 'cuda:0', as a GPU machine writes it (the tag is all that differs).
_real_tag = torch.serialization.location_tag
torch.serialization.location_tag = lambda storage: "cuda:0"
torch.save(torch.tensor([1.0, 2.0]), "cuda_tagged.pt")
torch.save(torch.tensor([1.0, 2.0]), "cuda_tagged_legacy.pt", _use_new_zipfile_serialization=False)
torch.serialization.location_tag = _real_tag
