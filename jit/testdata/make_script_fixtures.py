#!/usr/bin/python3
"""Regenerates the TorchScript fixtures of jit/ with real PyTorch 1.13.

Run with Debian's /usr/bin/python3 (the interpreter that has torch):
    cd jit/testdata && /usr/bin/python3 make_script_fixtures.py
Each archive <name>.pt comes with <name>.sd.pt (torch.save of
torch.jit.load(f).state_dict()), <name>.txt (print(torch.jit.load(f))) and
<name>.resave.pt (torch.jit.save(torch.jit.load(f)) under the same name).
The files are committed; tests never run Python.
"""
import os
import shutil
from typing import Dict, List, Optional, Tuple

import torch

torch.manual_seed(0)


class MyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class ControlFlowModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        if input.dim() > 1:
            return torch.tensor(0)
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class Inner(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor([2.0, 3.0]))
        self.register_buffer("offset", torch.arange(2, dtype=torch.float64))
        self.tag = "inner"

    def forward(self, x):
        return x * self.scale + self.offset


class Attrs(torch.nn.Module):
    big: int
    names: List[str]

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(2, 3))
        self.nobias = None
        self.register_buffer("counts", torch.tensor([1, 2, 3], dtype=torch.int64))
        self.ints = [1, 2, 300]
        self.floats = [0.5, -1.25]
        self.bools = [True, False]
        self.tensors = [torch.zeros(2), torch.ones(1)]
        self.names = ["a", "bé"]
        self.table = {"x": 1, "y": 2}
        self.by_int = {3: "three"}
        self.pair = (1, "two", 3.0)
        self.maybe: Optional[int] = None
        self.some: Optional[int] = 7
        self.big = 2 ** 40
        self.neg = -5
        self.ratio = 0.25
        self.text = "hello"
        self.flag = False
        self.inner = Inner()
        self.seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU())
        self.nested = {"k": [1, 2]}

    def forward(self, x):
        y = self.inner(x[:2]) if x.size(0) >= 2 else x
        return (y.sum() + self.w.sum() + self.counts.sum() + len(self.names)
                + self.table["x"] + self.big % 7)


class TraceConst(torch.nn.Module):
    def forward(self, x):
        return x + torch.tensor([1.0, 2.0, 3.0]) * x.size(0)


class Shared(torch.nn.Module):
    def __init__(self):
        super().__init__()
        base = torch.arange(6.0)
        self.register_buffer("a", base[:3])
        self.register_buffer("b", base[3:])

    def forward(self, x):
        return x + self.a + self.b


def emit(name, module, *, extra=None, save_as=None):
    path = save_as or name + ".pt"
    if extra:
        torch.jit.save(module, path, _extra_files=extra)
    else:
        torch.jit.save(module, path)
    if save_as:
        shutil.move(save_as, name + ".pt")
    loaded = torch.jit.load(name + ".pt")
    torch.save(loaded.state_dict(), name + ".sd.pt")
    with open(name + ".txt", "w") as f:
        f.write(str(loaded) + "\n")
    # torch.jit.save under the file's own name writes the same folder name.
    torch.jit.save(loaded, name + ".resave.pt")


emit("script_my", torch.jit.script(MyModule()))
emit("trace_my", torch.jit.trace(MyModule(), torch.randn(4)))
emit("control_flow", torch.jit.script(ControlFlowModule()))
bn = torch.nn.BatchNorm1d(3)
bn.train()
bn(torch.randn(4, 3))
emit("batchnorm", torch.jit.script(bn))
emit("attrs", torch.jit.script(Attrs()))
emit("trace_const", torch.jit.trace(TraceConst(), torch.randn(3)))
emit("extra", torch.jit.script(MyModule()), extra={"meta.txt": b"hello", "dir/x.json": b"{}"})
emit("renamed", torch.jit.script(Inner()), save_as="other_name.pt")
emit("shared", torch.jit.script(Shared()))
