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
# folder name: torch.load accepts it (formats notes §1.2), so must ptser.
src = zipfile.ZipFile("dict.pt")
with zipfile.ZipFile("dict_deflated.zip", "w", compression=zipfile.ZIP_DEFLATED) as out:
    for info in src.infolist():
        name = "whatever/" + info.filename.split("/", 1)[1]
        out.writestr(name, src.read(info.filename))
assert torch.load("dict_deflated.zip")["a"].sum() == 66

# A TorchScript archive (it has constants.pkl).
class AddOne(torch.nn.Module):
    def forward(self, x):
        return x + 1


torch.jit.save(torch.jit.script(AddOne()), "jit_add_one.pt")
