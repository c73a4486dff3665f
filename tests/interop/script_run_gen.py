#!/usr/bin/python3
"""The oracle for `ptser run`: TorchScript archives and what real PyTorch 1.13 computes from them.

Usage: /usr/bin/python3 script_run_gen.py OUTDIR [--only REGEX] [--list]

For every case NAME it writes, in OUTDIR:
  NAME.pt           the archive (torch.jit.save; some are rewritten copies, see below)
  NAME.args.pt      torch.save of the tuple of arguments
  NAME.expected.pt  torch.save of what `getattr(torch.jit.load(NAME.pt), method)(*args)` returns,
                    args read back from NAME.args.pt, gradients enabled (as a plain call does);
                    tensors detached, NamedTuples as plain tuples.  Absent for error cases.
and once:
  manifest.json     {"torch": version, "cases": [{name, method, rtol, atol, expect_error, ...}]}
  ops.txt           every call target in the code/*.py records of the archives, with counts

Case kinds (manifest "group"):
  note       MyModule and ControlFlowModule of the serialization notes, scripted and traced
  language   one TorchScript feature per module (loops, containers, strings, classes, ...)
  tensor     tensor operators: promotion, views, reductions, factories, ...
  layer      one torch.nn layer scripted on its own
  model      resnet18, mobilenet_v2, TransformerEncoderLayer (looser tolerance)
  upgrader   archives whose version record was set below an operator's bump: the expected value
             is what torch.jit.load in 1.13 gives for the rewritten copy (its upgraders applied)
  error      the code raises (raise / assert / an operator's own error): expect_error is a
             substring of the message PyTorch gives, checked here against PyTorch
  hostile    code records edited to loop forever, recurse, allocate without bound, call an
             operator that does not exist, or not parse: expect_error is the substring ptser
             is to print (PyTorch's own reaction, when it has one, is in "torch_says")

Every case is built after torch.manual_seed(0) and its arguments after torch.manual_seed(1), so
each case is the same whatever else is generated with it (only the ___torch_mangle_N numbers in
class names depend on what the process compiled before).
"""
import argparse
import enum
import io
import json
import math
import os
import re
import sys
import time
import warnings
import zipfile
from collections import Counter as Tally
from collections import OrderedDict
from typing import Dict, Final, List, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

warnings.filterwarnings("ignore")  # tracer and deprecation warnings are expected here

# --------------------------------------------------------------------------------------------
# The modules of PyTorch's serialization note, as PyTorch 1.13 prints them
# (docs/formats/torchscript.md, "The language of code records").


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = F.relu(out0)
        return self.l1(out0_relu)


class ControlFlowModule(MyModule):
    def forward(self, input):
        if input.dim() > 1:
            return torch.tensor(0)
        out0 = self.l0(input)
        out0_relu = F.relu(out0)
        return self.l1(out0_relu)


class BatchNormStats(nn.Module):
    """Forward of a BatchNorm2d, then its buffers: training mode updates them during the call."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(3)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        out = self.bn(x)
        return out, self.bn.running_mean, self.bn.running_var, self.bn.num_batches_tracked

    @torch.jit.export
    def stats_after(self, x: Tensor) -> Tuple[Optional[Tensor], Optional[Tensor]]:
        self.bn(x)
        self.bn(x * 2.0 + 1.0)
        return self.bn.running_mean, self.bn.running_var


class BatchNorm1dStats(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4, momentum=None)  # cumulative moving average

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        out = self.bn(x)
        out = self.bn(out + 1.0)
        return out, self.bn.running_mean, self.bn.running_var, self.bn.num_batches_tracked


class TwoMethods(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.name = "two"

    def forward(self, x: Tensor) -> Tensor:
        return self.lin(x)

    @torch.jit.export
    def scaled(self, x: Tensor, k: float) -> Tensor:
        return self.forward(x) * k

    @torch.jit.export
    def describe(self) -> str:
        return self.name + ":" + str(self.lin.in_features) + "->" + str(self.lin.out_features)


# --------------------------------------------------------------------------------------------
# The language, one feature per module.


class ForLoops(nn.Module):
    def forward(self, x: Tensor, n: int) -> Tuple[Tensor, int, List[int], int]:
        acc = torch.zeros_like(x)
        for i in range(n):
            acc = acc + x * i
        total = 0
        for i in range(2, 11, 3):
            total += i
        down: List[int] = []
        for i in range(5, -6, -2):
            down.append(i)
        s = 0
        for v in [3, 1, 4, 1, 5, 9]:
            if v == 1:
                continue
            if v == 5:
                break
            s += v
        for i, v in enumerate(down):
            s += i * v
        for a, b in zip(down, [10, 20, 30]):
            s += a * b
        for row in x:
            acc = acc + row.sum()
        for i in range(3):
            for j in range(i):
                s += i * 10 + j
        return acc, total, down, s


class WhileLoops(nn.Module):
    def forward(self, n: int, x: Tensor) -> Tuple[int, int, Tensor, int]:
        i = 0
        steps = 0
        while i < n:
            i += 3
            steps += 1
        c = 27
        k = 0
        while c != 1:
            if c % 2 == 0:
                c = c // 2
            else:
                c = 3 * c + 1
            k += 1
        while True:
            x = x * 2
            if bool(x.abs().sum() > 100.0):
                break
        j = 10
        skipped = 0
        while j > 0:
            j -= 1
            if j % 3 == 0:
                skipped += 1
                continue
            steps += j
        return steps, k, x, skipped


class Lists(nn.Module):
    def forward(self, x: Tensor, xs: List[int]) -> Tuple[List[int], int, int, int, List[int],
                                                          List[int], int, bool, bool, List[Tensor],
                                                          List[float], List[int], int, int,
                                                          List[int], List[int]]:
        a = [1, 2, 3]
        a.append(4)
        a.insert(0, 0)
        a.extend(xs)
        last = a[-1]
        idx = a.index(3)
        n = len(a)
        sl = a[1:4]
        stepped = a[::2]
        a[0] = 100
        popped = a.pop()
        has = 2 in a
        hasnt = 77 in a
        ts: List[Tensor] = [x, x * 2]
        ts.append(x + 1)
        halves = [float(v) / 2 for v in a]
        b = sorted(xs)
        rev = a.copy()
        rev.reverse()
        del rev[0]
        rev.remove(2)
        joined = sl + b
        return (a, last, idx, n, sl, stepped, popped, has, hasnt, ts, halves, b, min(xs),
                max(xs), rev, joined)


class Dicts(nn.Module):
    def forward(self, x: Tensor, d: Dict[str, int]) -> Tuple[Dict[str, int], List[str], List[int],
                                                             int, int, bool, int, Dict[int, Tensor],
                                                             int, int, List[Tuple[str, int]]]:
        m: Dict[str, int] = {"a": 1, "b": 2}
        m["c"] = 3
        m.update(d)
        total = 0
        for k, v in m.items():
            total += v * len(k)
        for k in m:
            total += 1
        keys = list(m.keys())
        vals = list(m.values())
        g = m.get("zz", -1)
        g2 = m.get("a", -1)
        has = "b" in m
        popped = m.pop("a")
        tm: Dict[int, Tensor] = {}
        tm[3] = x
        tm[1] = x * 2
        tm[3] = tm[3] + 10
        q = m.setdefault("q", 9)
        del m["b"]
        return m, keys, vals, g, g2, has, popped, tm, total, q + len(m), list(m.items())


class Tuples(nn.Module):
    def forward(self, x: Tensor, t: Tuple[int, float, str]) -> Tuple[Tuple[int, float, str],
                                                                     Tensor, int, Tuple[int, float],
                                                                     Tuple[int, int], str]:
        a, b, c = t
        p = (a, x)
        q, r = p
        nested = ((1, 2), (3, (4, 5)))
        u, (v, w) = nested[1]
        first, second = 7, 8
        first, second = second, first
        sl = t[0:2]
        return (a + 1, b * 2.0, c + "!"), r * 2, u + v + w, sl, (first, second), t[-1]


class Optionals(nn.Module):
    def forward(self, x: Tensor, scale: Optional[Tensor] = None,
                k: Optional[int] = None) -> Tuple[Tensor, int, bool]:
        y = x
        if scale is not None:
            y = y * scale
        kk = 2
        if k is not None:
            kk = k
        was_none = scale is None
        return y + kk, kk, was_none


class Strings(nn.Module):
    def forward(self, s: str, n: int, f: float) -> Tuple[str, str, str, str, str, bool, bool,
                                                         List[str], List[str], str, str, str,
                                                         str, int, str, str, int, bool, bool,
                                                         str, str, int]:
        a = "{}-{}".format(s, n)
        b = f"{s}:{n}:{f}"
        c = "%d items of %s (%s)" % (n, s, f)
        d = s.upper()
        e = s.lower()
        st = s.startswith("he")
        en = s.endswith("zz")
        parts = "a,b,,c".split(",")
        ws = "  x y  z ".split()
        j = "-".join(parts)
        cat = s + "!" + str(n) + "/" + str(f) + "/" + str(True) + str(n * 1.5)
        stripped = ("  " + s + " \n").strip()
        rep = s.replace("l", "L")
        find = s.find("l")
        sl = s[1:3]
        ch = s[-1]
        ln = len(s)
        lt = s < "world"
        dig = (str(n) + "7").isdigit() and not s.isdigit()
        title = (s + " world").title()
        ljust = str(n).zfill(5)
        cnt = s.count("l")
        return (a, b, c, d, e, st, en, parts, ws, j, cat, stripped, rep, find, sl, ch, ln, lt,
                dig, title, ljust, cnt)


class PrintsStrings(nn.Module):
    """print() writes to stdout; the result is what counts."""

    def forward(self, s: str) -> str:
        print("value:", s, 3, 2.5)
        return s + s


class Pt(NamedTuple):
    x: int
    y: Tensor
    label: str


class Span(NamedTuple):
    lo: float
    hi: float


class NamedTuples(nn.Module):
    def forward(self, x: Tensor) -> Tuple[Pt, Span, int, str]:
        p = Pt(3, x, "p")
        q = Pt(x=p.x + 1, y=p.y * 2, label=p.label + "q")
        s = q[0] + q.x
        span = Span(-1.5, float(s))
        return Pt(s, q.y, q.label), span, len(q.label), q[2]


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


class Enums(nn.Module):
    def forward(self, v: int) -> Tuple[bool, bool, str, int, str, int, int, bool]:
        c = Color.GREEN
        if v > 2:
            c = Color.BLUE
        same = c == Color.GREEN
        diff = c != Color.RED
        total = 0
        for col in Color:
            total += col.value
        m = Mode.SLOW
        picked = 0
        if c == Color.BLUE:
            picked = Color.BLUE.value * 10
        return same, diff, c.name, c.value, m.value, total, picked, m == Mode.FAST


@torch.jit.interface
class OneArg(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        pass


class Doubler(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return x * 2


class AddK(nn.Module):
    def __init__(self, k: float):
        super().__init__()
        self.k = k

    def forward(self, x: Tensor) -> Tensor:
        return x + self.k


class UsesInterface(nn.Module):
    impl: OneArg

    def __init__(self, impl):
        super().__init__()
        self.impl = impl

    def forward(self, x: Tensor) -> Tensor:
        return self.impl.forward(x) + 1


@torch.jit.script
class Accumulator:
    def __init__(self, start: int):
        self.total = start
        self.history: List[int] = []

    def add(self, v: int) -> int:
        self.total += v
        self.history.append(v)
        return self.total

    def mean(self) -> float:
        return float(self.total) / len(self.history)


@torch.jit.script
class Scaler:
    def __init__(self, w: Tensor):
        self.w = w

    def apply(self, x: Tensor) -> Tensor:
        return x * self.w + self.bias()

    def bias(self) -> float:
        return 0.5


class ScriptClasses(nn.Module):
    def forward(self, xs: List[int], x: Tensor) -> Tuple[int, float, List[int], Tensor]:
        acc = Accumulator(10)
        for v in xs:
            acc.add(v)
        sc = Scaler(torch.arange(3.0))
        return acc.total, acc.mean(), acc.history, sc.apply(x)


class Refinement(nn.Module):
    def forward(self, v: Union[int, str, Tensor], o: Optional[int] = None,
                c: Optional[List[int]] = None) -> Tuple[str, int, int]:
        if isinstance(v, int):
            r = "int:" + str(v + 1)
        elif isinstance(v, str):
            r = "str:" + v.upper()
        else:
            r = "tensor:" + str(int(v.sum().item()))
        oo = 0
        if o is not None:
            oo = o * 2
        n = -1
        if torch.jit.isinstance(c, List[int]):
            n = len(c)
        return r, oo, n


def forked_helper(x: Tensor, k: int) -> Tensor:
    return x * k + 1


class Forks(nn.Module):
    def sub(self, x: Tensor) -> Tensor:
        return x - 100

    def forward(self, x: Tensor) -> Tensor:
        futs = [torch.jit.fork(forked_helper, x, i) for i in range(3)]
        results = [torch.jit.wait(f) for f in futs]
        f2 = torch.jit.fork(self.sub, x)
        return torch.stack(results).sum(0) + torch.jit.wait(f2)


class NoGrad(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(3))

    def forward(self, x: Tensor) -> Tuple[Tensor, bool, bool, bool, bool]:
        before = torch.is_grad_enabled()
        with torch.no_grad():
            y = x * self.w
            inside = torch.is_grad_enabled()
            tracks = y.requires_grad
        after = torch.is_grad_enabled()
        return y, before, inside, after, tracks


class IntFloatArith(nn.Module):
    def forward(self, a: int, b: int, f: float):
        return (a // b, a % b, -a // b, -a % b, a // -b, a % -b, a ** 2,
                a / b, -a / b, f // 2.0, -f // 2.0, f % 2.0, -f % 2.0, f ** 0.5,
                a * f, a + f, 2 ** -1,
                abs(-a), min(a, b), max(a, -b), max(f, 1.0),
                int(f), int(-f), a << 2, a >> 1, a & 6, a | 1, a ^ 3, float(a), -(-a),
                a * b - (a + b))


class MathFloats(nn.Module):
    def forward(self, f: float, g: float):
        return (math.sqrt(f), math.floor(f), math.ceil(-f), math.exp(g), math.log(f),
                math.log10(f), math.sin(g), math.cos(g), math.atan2(g, -f),
                math.isnan(f), math.isinf(math.inf), math.fabs(-f), math.pow(f, 3.0),
                math.fmod(-7.5, 2.0), math.pi * 2.0, math.e, math.tanh(g), round(f))


class Logic(nn.Module):
    def forward(self, a: int, b: int, f: float, flag: bool) -> Tuple[bool, bool, bool, bool,
                                                                       int, bool, bool, bool,
                                                                       bool, int]:
        c1 = a < b < 100
        c2 = a == b or f > 1.0
        c3 = not flag and a != b
        c4 = (a >= 3) != flag
        c5 = a if flag else b
        c6 = f <= float(a)
        c7 = any([a > 10, b > 10, flag])
        c8 = all([a > 0, b > 0])
        c9 = bool(a) and not bool(0)
        c10 = int(flag) + int(c1) * 2
        return c1, c2, c3, c4, c5, c6, c7, c8, c9, c10


class IntTensorOps(nn.Module):
    def forward(self, a: Tensor, b: Tensor) -> List[Tensor]:
        return [a + b, a * b, a - 3, a // b, a % b, a & b, a | b, a ^ b, ~a, a << 1, a >> 1,
                a.abs(), -a, a.clamp(-2, 2), a > b, (a == b).sum(), a.sum(), a.prod(), a.max(),
                torch.div(a, b, rounding_mode="trunc"), torch.div(a, b, rounding_mode="floor"),
                a.pow(2), torch.remainder(a, -3), torch.fmod(a, 3), a.float() / b,
                a.to(torch.int32) * 3, a.to(torch.int8) * 100, torch.bitwise_not(a > 0)]


class Promotion(nn.Module):
    def forward(self, i64: Tensor, i32: Tensor, f32: Tensor, f64: Tensor, u8: Tensor, i8: Tensor,
                b: Tensor) -> List[Tensor]:
        return [i64 + 1.5, i32 + i64, f32 + f64, f32 + torch.tensor(2.0, dtype=torch.float64),
                u8 + i8, b + b, b & b, i32 * 2.5, f32 * 2, i64 / 2, u8 + 1, u8 - 5, b.to(torch.int32) + i32,
                f32.view(2, 3)[:, None, :] + f64.view(1, 2, 3)[:, :, None].to(torch.float32),
                torch.where(b, i64, f32), i8 * torch.tensor(100), f32 + torch.tensor(1, dtype=torch.int64),
                i64.view(3, 2) + i32.view(1, 6)[:, :2], i32 // 4, f32 > i64, b * 1.5,
                f32.half() + 1, f32.to(torch.bfloat16) * 2]


class ViewsInplace(nn.Module):
    def forward(self, x: Tensor, y: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor,
                                                     Tensor]:
        x = x.clone()
        x[0].add_(1)
        v = x.view(2, 6)
        v[1, 2:4].mul_(10)
        r = x.reshape(12)
        r[::5].zero_()
        t = x.transpose(0, 1)
        t[0].fill_(-1)
        n = x.narrow(1, 1, 2)
        n.add_(100)
        s = x.select(0, 2)
        s[1] = 7
        x[1, :] += 0.5
        x[:, 3] = torch.tensor([1.0, 2.0, 3.0])
        y.mul_(2)
        y[y > 1] = 0
        u = x.unsqueeze(0).expand(2, 3, 4)
        return x, v, n, t.contiguous(), y, u


class DtypeConversions(nn.Module):
    def forward(self, x: Tensor, i: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor,
                                                     Tensor, Tensor, Tensor, Tensor, Tensor,
                                                     Tensor, Tensor, float, int]:
        return (x.to(torch.int64), x.float(), x.double(), x.long(), x.int(), x.to(torch.bool),
                x.half(), (x > 0).to(torch.float32), x.to(dtype=torch.float64),
                x.to(i.dtype), i.to(torch.bool), x.to(torch.bfloat16), x[0].item(), i[1].item())


class Factories(nn.Module):
    def forward(self, x: Tensor) -> List[Tensor]:
        return [torch.zeros(2, 3), torch.zeros([2], dtype=torch.int64),
                torch.ones(3, dtype=torch.float64), torch.full([2, 2], 7), torch.full((2,), 1.5),
                torch.full([2], 3, dtype=torch.int32), torch.arange(5), torch.arange(1, 4, 0.5),
                torch.arange(2.0, 5.0), torch.arange(10, 0, -3), torch.zeros_like(x),
                torch.ones_like(x, dtype=torch.int32), torch.full_like(x, 2.5),
                torch.empty_like(x).fill_(4), torch.empty(2, 3).zero_(), torch.eye(3),
                torch.eye(2, 3, dtype=torch.int64), torch.tensor([1, 2]),
                torch.tensor([[1.5, 2.0]]), torch.tensor(3.5), torch.tensor([True, False]),
                torch.linspace(0, 1, 5), torch.empty([0]), torch.zeros(2, 0, 3)]


class Reductions(nn.Module):
    def forward(self, x: Tensor, i: Tensor) -> List[Tensor]:
        m, mi = x.max(dim=1)
        mn, mni = torch.min(x, 0, keepdim=True)
        return [x.sum(), x.sum(1), x.sum([0, 1]), x.sum(0, keepdim=True), x.mean(), x.mean(1),
                m, mi, mn, mni, x.max(), x.min(), x.argmax(), x.argmax(1), x.argmin(0),
                x.prod(1), x.std(), x.var(1), x.norm(), (x > 0).all(), (x > 0).any(1),
                x.cumsum(0), x.amax(1), torch.logsumexp(x, 1), i.sum(), (i > 2).sum(),
                x.sum(dtype=torch.float64), i.float().mean(), x.abs().max(0)[0]]


class CatStack(nn.Module):
    def forward(self, a: Tensor, b: Tensor, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor,
                                                                List[Tensor], List[Tensor],
                                                                List[Tensor], List[Tensor],
                                                                Tensor]:
        return (torch.cat([a, b], 0), torch.cat((a, b), dim=1), torch.stack([a, b]),
                torch.stack([a, b], 2), x.chunk(3, 1), torch.split(x, 2, 1), x.split([1, 3], 1),
                x.unbind(0), torch.cat([a, torch.zeros(0, 3)]))


class Softmaxes(nn.Module):
    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        return (F.softmax(x, 1), F.log_softmax(x, -1), x.softmax(0),
                F.softmax(x, dim=1, dtype=torch.float64), torch.log_softmax(x * 100, 1))


class Matmuls(nn.Module):
    def forward(self, a: Tensor, b: Tensor, c: Tensor, v: Tensor, ia: Tensor,
                ib: Tensor) -> List[Tensor]:
        return [a @ b, torch.matmul(v, b), torch.matmul(c, b), torch.bmm(c, c.transpose(1, 2)),
                torch.mm(a, b), torch.mv(a, v), torch.dot(v, v), torch.matmul(a, v),
                torch.matmul(c.unsqueeze(0), b), ia @ ib, a.t() @ a]


class Raises(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        if x.dim() == 1:
            raise ValueError("bad thing")
        return x + 1


class Asserts(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        assert x.dim() == 2, "need 2d"
        return x * 3


def check_size(n: int) -> int:
    if n > 2:
        raise RuntimeError(f"bad size {n}, at most 2")
    return n


class RaisesDeep(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        for i in range(x.size(0)):
            check_size(i)
        return x


class TraceConst(nn.Module):
    """Traced: the tensor constant lands in constants.pkl (CONSTANTS.c0), x.size(0) becomes
    ops.prim.NumToTensor."""

    def forward(self, x):
        return x + torch.tensor([1.0, 2.0, 3.0]) * x.size(0)


class Attributes(nn.Module):
    """Attributes of every kind read in forward, Final constants, an Optional attribute."""
    maybe: Optional[Tensor]
    scale: Final[float] = 0.5

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(3))
        self.register_buffer("counts", torch.tensor([1, 2, 3]))
        self.ints = [1, 2, 300, -7, 2 ** 40]
        self.floats = [0.5, -1.25]
        self.strs = ["a", "b\u00e9", ""]
        self.table = {"x": 1, "y": 2}
        self.by_int = {3: "three"}
        self.tdict = {"t": torch.arange(3.0)}
        self.pair = (1, "two", 3.0)
        self.maybe = torch.ones(3)
        self.text = "hello"
        self.flag = False

    def forward(self, x: Tensor) -> Tuple[Tensor, int, str, float, str, int, bool]:
        y = x * self.w + self.counts + self.tdict["t"] * self.scale
        m = self.maybe
        if m is not None:
            y = y + m
        n = len(self.strs) + self.table["x"] + self.ints[4] % 1000 + self.pair[0]
        return (y, n, self.by_int[3] + self.strs[1], self.floats[1] + self.pair[2], self.text,
                len(self.table), self.flag)


class Stateful(nn.Module):
    """Attribute assignment in a method: the module's state changes during the call."""
    history: List[int]

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.history = []
        self.register_buffer("total", torch.zeros(2))

    def forward(self, x: Tensor) -> Tuple[int, List[int], Tensor]:
        for _ in range(3):
            self.calls += 1
            self.history.append(self.calls * 10)
            self.total += x
        self.total.mul_(2)
        return self.calls, self.history, self.total


class NonAscii(nn.Module):
    """A non-ASCII string constant is printed as CONSTANTS.c0 (in constants.pkl)."""

    def forward(self, s: str) -> Tuple[str, int]:
        t = "caf\u00e9 " + s
        return t, len(t)


class ReprValues(nn.Module):
    """Checked against Python's repr on stdout too (`ptser run` without --output)."""

    def forward(self, x: Tensor) -> Tuple[Tensor, int, str, List[float], Dict[str, int],
                                          Optional[int], bool, Tensor]:
        return x * 2, 3, "s", [1.5, 2.0], {"a": 1}, None, True, torch.arange(3)


# --------------------------------------------------------------------------------------------
# Layers and containers.


class SequentialNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3),
                                  nn.Identity())

    def forward(self, x: Tensor) -> Tensor:
        return self.body(x)


class ModuleListNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x: Tensor) -> Tuple[Tensor, List[Tensor]]:
        seen: List[Tensor] = []
        for layer in self.layers:
            x = torch.tanh(layer(x))
            seen.append(x)
        return x, seen


class ModuleDictNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        out: Dict[str, Tensor] = {}
        for name, head in self.heads.items():
            out[name] = head(x)
        return out


class Embeddings(nn.Module):
    def __init__(self):
        super().__init__()
        self.plain = nn.Embedding(10, 4)
        self.padded = nn.Embedding(10, 3, padding_idx=0)

    def forward(self, idx: Tensor) -> Tuple[Tensor, Tensor]:
        return self.plain(idx), self.padded(idx)


class Recurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        out, _ = self.rnn(x)
        return out, out[-1]


def trained_bn(bn, shape, steps=3):
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.5, 0.5)
    for _ in range(steps):
        bn(torch.randn(shape) * 2 + 1)
    return bn


# --------------------------------------------------------------------------------------------
# Upgraders (docs/formats/torchscript.md, "Upgraders at a glance"): modules whose
# archives get version bumps.


class DivOps(nn.Module):
    def forward(self, a: Tensor, b: Tensor, fa: Tensor, fb: Tensor) -> List[Tensor]:
        return [torch.div(a, b), torch.div(a, 2), torch.div(a, -2), torch.div(fa, fb),
                torch.div(fa, 2), torch.div(a, 2.5), a / b, a.div(b), a / 4,
                torch.div(a, b, rounding_mode="trunc"), torch.div(a, b, rounding_mode="floor"),
                torch.floor_divide(a, b), a // b, torch.div(a, fb)]


class DivInplace(nn.Module):
    def forward(self, a: Tensor, b: Tensor) -> Tuple[Tensor, Tensor]:
        x = a.clone()
        x.div_(b)
        y = a.clone()
        y.div_(-3)
        return x, y


class DivOut(nn.Module):
    def forward(self, a: Tensor, b: Tensor, out: Tensor) -> Tensor:
        torch.div(a, b, out=out)
        return out


class FullOps(nn.Module):
    def forward(self, n: int) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        return (torch.full([3], n), torch.full([2, 2], -4), torch.full([2], 2.5),
                torch.full([2], 3, dtype=torch.int32))


class SpaceOps(nn.Module):
    def forward(self, a: float, n: int) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        return (torch.linspace(0, a, 5), torch.linspace(-1, 1, n), torch.logspace(0, a, 4),
                torch.logspace(0, 2, 3, base=2.0))


class Gelu(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x)


class GeluTanh(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate="tanh")


# --------------------------------------------------------------------------------------------
# Bases of the hostile edits (valid archives whose code/__torch__.py is then rewritten).


class CountUp(nn.Module):
    def forward(self, x: Tensor, n: int) -> Tensor:
        i = 0
        while i < n:
            x = x + 1
            i += 1
        return x


class Helper(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return self.helper(x, 3)

    def helper(self, x: Tensor, k: int) -> Tensor:
        if k <= 0:
            return x
        return x * 2


class Grow(nn.Module):
    def forward(self, x: Tensor, n: int) -> int:
        xs: List[Tensor] = []
        i = 0
        while i < n:
            xs.append(torch.zeros([1048576]))
            i += 1
        return len(xs)


class ZerosN(nn.Module):
    def forward(self, n: int) -> Tensor:
        return torch.zeros([n])


class ReluAdd(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        y = torch.relu(x)
        return y + 1


# --------------------------------------------------------------------------------------------
# The case registry.


class Case:
    def __init__(self, name, group, make=None, args=lambda: (), method="forward", rtol=1e-5,
                 atol=1e-6, expect_error=None, expect_error_regex=None, base=None, edit=None,
                 about="", run_torch=True, check_stdout=False):
        self.name = name
        self.group = group
        self.make = make          # () -> scripted or traced module
        self.args = args          # () -> tuple of arguments
        self.method = method
        self.rtol = rtol
        self.atol = atol
        self.expect_error = expect_error
        self.expect_error_regex = expect_error_regex
        self.base = base          # name of the case whose archive this one copies
        self.edit = edit          # records dict -> None, changes the copy
        self.about = about
        self.run_torch = run_torch
        self.check_stdout = check_stdout


CASES = []


def case(name, group, make, args=lambda: (), **kw):
    CASES.append(Case(name, group, make=make, args=args, **kw))


def derived(name, group, base, edit, args=None, **kw):
    b = next(c for c in CASES if c.name == base)
    CASES.append(Case(name, group, base=base, edit=edit, args=args or b.args,
                      method=kw.pop("method", b.method), **kw))


def script(cls, *a, **kw):
    return lambda: torch.jit.script(cls(*a, **kw))


def script_eval(factory):
    return lambda: torch.jit.script(factory().eval())


def rn(*shape):
    return torch.randn(*shape)


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, shape)


def nonzero_ints(*shape):
    v = torch.randint(-7, 8, shape)
    return torch.where(v == 0, torch.full_like(v, 3), v)


# The notes' modules.
case("script_mymodule", "note", script(MyModule), lambda: (rn(4),))
case("trace_mymodule", "note", lambda: torch.jit.trace(MyModule(), torch.randn(4)),
     lambda: (rn(4),))
case("controlflow_script_2d", "note", script(ControlFlowModule), lambda: (rn(2, 4),),
     about="the if is taken: tensor(0)")
case("controlflow_script_1d", "note", script(ControlFlowModule), lambda: (rn(4),))
case("controlflow_trace_2d", "note",
     lambda: torch.jit.trace(ControlFlowModule(), torch.randn(4)), lambda: (rn(2, 4),),
     about="the trace lost the if: a (2, 1) tensor")
case("controlflow_trace_1d", "note",
     lambda: torch.jit.trace(ControlFlowModule(), torch.randn(4)), lambda: (rn(4),))
case("batchnorm2d_eval", "note",
     script_eval(lambda: trained_bn(nn.BatchNorm2d(3), (4, 3, 5, 5))), lambda: (rn(2, 3, 4, 5),))
case("batchnorm2d_train", "note", script(BatchNormStats), lambda: (rn(4, 3, 5, 5) * 3 + 2,),
     about="returns the output and the running stats updated by the call")
case("batchnorm2d_train_method", "note", script(BatchNormStats),
     lambda: (rn(4, 3, 2, 2),), method="stats_after")
case("batchnorm1d_train_cma", "note", script(BatchNorm1dStats), lambda: (rn(6, 4, 3),),
     about="momentum=None: cumulative average, two calls")
case("method_scaled", "note", script(TwoMethods), lambda: (rn(2, 3), 2.5), method="scaled")
case("method_describe", "note", script(TwoMethods), method="describe")

# The language.
case("for_loops", "language", script(ForLoops), lambda: (rn(3, 4), 4))
case("while_loops", "language", script(WhileLoops), lambda: (10, rn(3).abs() + 0.1))
case("lists", "language", script(Lists), lambda: (rn(2), [5, -3, 9, 2]))
case("dicts", "language", script(Dicts), lambda: (rn(2), {"x": 10, "yy": 20, "b": 5}))
case("tuples", "language", script(Tuples), lambda: (rn(2), (4, 0.25, "tee")))
case("optional_none", "language", script(Optionals), lambda: (rn(3), None, None))
case("optional_given", "language", script(Optionals), lambda: (rn(3), rn(3), 5))
case("optional_defaults", "language", script(Optionals), lambda: (rn(3),),
     about="the optional parameters left out: their defaults apply")
case("strings", "language", script(Strings), lambda: ("hello", 42, 0.1), check_stdout=True)
case("print", "language", script(PrintsStrings), lambda: ("ab",),
     about="print() output goes to stdout; only the result is compared")
case("namedtuples", "language", script(NamedTuples), lambda: (rn(2),),
     about="NamedTuples come back as plain tuples")
case("enums", "language", script(Enums), lambda: (3,))
case("interface_doubler", "language", lambda: torch.jit.script(UsesInterface(Doubler())),
     lambda: (rn(3),))
case("interface_addk", "language", lambda: torch.jit.script(UsesInterface(AddK(0.25))),
     lambda: (rn(3),))
case("script_classes", "language", script(ScriptClasses), lambda: ([4, 5, 6], rn(3)))
case("isinstance_int", "language", script(Refinement), lambda: (41, 3, [1, 2]))
case("isinstance_str", "language", script(Refinement), lambda: ("abc", None, None))
case("isinstance_tensor", "language", script(Refinement), lambda: (torch.arange(5), None))
case("fork_wait", "language", script(Forks), lambda: (rn(3),))
case("no_grad", "language", script(NoGrad), lambda: (rn(3),))
case("int_float_arith", "language", script(IntFloatArith), lambda: (7, 2, 7.5),
     check_stdout=True)
case("int_float_arith_neg", "language", script(IntFloatArith), lambda: (-9, 4, -2.25))
case("math_floats", "language", script(MathFloats), lambda: (2.5, 0.75), rtol=1e-12, atol=0.0)
case("logic", "language", script(Logic), lambda: (3, 5, 1.5, False))
case("logic_flag", "language", script(Logic), lambda: (5, 5, 0.5, True))

# Tensor operators.
case("int_tensor_ops", "tensor", script(IntTensorOps),
     lambda: (ints(-9, 10, 6), nonzero_ints(6)))
case("promotion", "tensor", script(Promotion),
     lambda: (ints(-5, 5, 6), ints(-5, 5, 6).to(torch.int32), rn(6), rn(6).double(),
              ints(0, 250, 6).to(torch.uint8), ints(-100, 100, 6).to(torch.int8),
              ints(0, 2, 6).bool()))
case("views_inplace", "tensor", script(ViewsInplace), lambda: (rn(3, 4), rn(5)),
     about="in-place through views shows in the base; the input y is changed in place")
case("dtype_conversions", "tensor", script(DtypeConversions),
     lambda: (rn(6) * 5, ints(0, 3, 4)))
case("factories", "tensor", script(Factories), lambda: (rn(2, 3),))
case("reductions", "tensor", script(Reductions), lambda: (rn(3, 4), ints(0, 6, 5)),
     rtol=1e-5, atol=1e-5)
case("cat_stack_split", "tensor", script(CatStack), lambda: (rn(2, 3), rn(2, 3), rn(3, 4)))
case("softmax", "tensor", script(Softmaxes), lambda: (rn(3, 5),))
case("matmul", "tensor", script(Matmuls),
     lambda: (rn(3, 4), rn(4, 2), rn(5, 3, 4), rn(4), ints(-3, 4, 2, 3), ints(-3, 4, 3, 2)),
     atol=1e-5)
case("trace_const", "note", lambda: torch.jit.trace(TraceConst(), torch.randn(3)),
     lambda: (rn(2, 3),), about="a traced tensor constant (constants.pkl) and NumToTensor")
case("frozen", "note", lambda: torch.jit.freeze(torch.jit.script(MyModule()).eval()),
     lambda: (rn(2, 4),), about="torch.jit.freeze: weights folded into constants")
case("attributes", "language", script(Attributes), lambda: (rn(3),))
case("stateful", "language", script(Stateful), lambda: (torch.tensor([1.0, -2.0]),),
     about="self.calls += 1, self.history.append, a buffer changed in place")
case("non_ascii_constant", "language", script(NonAscii), lambda: ("\u00fcber",))
case("repr_values", "tensor", script(ReprValues), lambda: (torch.arange(4.0),),
     check_stdout=True)

# Exceptions raised by the code.
case("raise_value_error", "error", script(Raises), lambda: (rn(3),), expect_error="bad thing")
case("raise_not_taken", "error", script(Raises), lambda: (rn(2, 3),))
case("assert_fails", "error", script(Asserts), lambda: (rn(3),), expect_error="need 2d")
case("assert_passes", "error", script(Asserts), lambda: (rn(2, 2),))
case("raise_in_function", "error", script(RaisesDeep), lambda: (rn(5),),
     expect_error="bad size 3, at most 2", about="f-string message raised by a free function")
case("op_error_shapes", "error", script(Matmuls),
     lambda: (rn(3, 5), rn(4, 2), rn(5, 3, 4), rn(4), ints(-3, 4, 2, 3), ints(-3, 4, 3, 2)),
     expect_error="cannot be multiplied",
     about="an operator's own error: torch says 'mat1 and mat2 shapes cannot be multiplied "
           "(3x5 and 4x2)'")

# Layers, each scripted on its own (eval mode unless the name says train).
L = "layer"
case("linear", L, script(nn.Linear, 5, 3), lambda: (rn(2, 5),))
case("linear_nobias_3d", L, script(nn.Linear, 4, 6, bias=False), lambda: (rn(2, 3, 4),))
case("conv1d", L, script(nn.Conv1d, 3, 4, 3, stride=2, padding=1), lambda: (rn(2, 3, 11),))
case("conv1d_dilation_groups", L, script(nn.Conv1d, 4, 6, 3, dilation=2, groups=2),
     lambda: (rn(1, 4, 12),))
case("conv2d", L, script(nn.Conv2d, 3, 8, 3), lambda: (rn(2, 3, 7, 7),))
case("conv2d_stride_padding", L, script(nn.Conv2d, 3, 4, (3, 2), stride=(2, 1),
                                        padding=(1, 2)), lambda: (rn(1, 3, 9, 8),))
case("conv2d_dilation_groups", L, script(nn.Conv2d, 4, 8, 3, dilation=2, groups=4,
                                         bias=False), lambda: (rn(2, 4, 10, 9),))
case("conv2d_same_reflect", L, script(nn.Conv2d, 2, 3, 3, padding="same",
                                      padding_mode="reflect"), lambda: (rn(1, 2, 6, 5),))
case("conv_transpose2d", L, script(nn.ConvTranspose2d, 3, 2, 3, stride=2, padding=1,
                                   output_padding=1), lambda: (rn(2, 3, 4, 5),))
case("conv_transpose2d_groups", L, script(nn.ConvTranspose2d, 4, 6, (2, 3), groups=2,
                                          dilation=(1, 2)), lambda: (rn(1, 4, 3, 3),))
case("batchnorm1d_eval", L, script_eval(lambda: trained_bn(nn.BatchNorm1d(4), (8, 4))),
     lambda: (rn(3, 4),))
case("batchnorm1d_eval_3d", L, script_eval(lambda: trained_bn(nn.BatchNorm1d(4), (8, 4, 2))),
     lambda: (rn(3, 4, 5),))
case("batchnorm2d_train_plain", L, script(nn.BatchNorm2d, 2), lambda: (rn(3, 2, 4, 4),),
     about="training-mode batch statistics, output only")
case("layernorm", L, script(nn.LayerNorm, [3, 4]), lambda: (rn(2, 3, 4),))
case("layernorm_noaffine", L, script(nn.LayerNorm, 5, elementwise_affine=False, eps=1e-3),
     lambda: (rn(4, 5),))
case("groupnorm", L, script(nn.GroupNorm, 2, 6), lambda: (rn(2, 6, 3, 3),))
case("embedding", L, script(Embeddings), lambda: (torch.tensor([[0, 3, 9], [1, 0, 4]]),))
case("dropout_eval", L, script_eval(lambda: nn.Dropout(0.5)), lambda: (rn(4, 4),))
case("relu", L, script(nn.ReLU), lambda: (rn(10),))
case("gelu", L, script(nn.GELU), lambda: (rn(10),))
case("gelu_tanh", L, script(nn.GELU, approximate="tanh"), lambda: (rn(10),))
case("silu", L, script(nn.SiLU), lambda: (rn(10),))
case("sigmoid", L, script(nn.Sigmoid), lambda: (rn(10),))
case("tanh", L, script(nn.Tanh), lambda: (rn(10),))
case("leaky_relu", L, script(nn.LeakyReLU, 0.2), lambda: (rn(10),))
case("hardswish", L, script(nn.Hardswish), lambda: (rn(10) * 4,))
case("relu6", L, script(nn.ReLU6), lambda: (rn(10) * 5,))
case("softmax_layer", L, script(nn.Softmax, dim=1), lambda: (rn(3, 4),))
case("maxpool2d", L, script(nn.MaxPool2d, 3, stride=2, padding=1), lambda: (rn(1, 2, 7, 7),))
case("maxpool2d_ceil_dilation", L, script(nn.MaxPool2d, 2, stride=2, dilation=2,
                                          ceil_mode=True), lambda: (rn(1, 2, 8, 9),))
case("avgpool2d", L, script(nn.AvgPool2d, 3, stride=2, padding=1, count_include_pad=False),
     lambda: (rn(1, 2, 7, 6),))
case("avgpool2d_ceil", L, script(nn.AvgPool2d, 2, ceil_mode=True), lambda: (rn(2, 1, 5, 5),))
case("adaptive_avgpool2d", L, script(nn.AdaptiveAvgPool2d, (1, 1)), lambda: (rn(2, 3, 5, 6),))
case("adaptive_avgpool2d_uneven", L, script(nn.AdaptiveAvgPool2d, (3, 2)),
     lambda: (rn(1, 2, 7, 5),))
case("flatten", L, script(nn.Flatten), lambda: (rn(2, 3, 4),))
case("identity", L, script(nn.Identity), lambda: (rn(3),))
case("sequential", L, script_eval(SequentialNet), lambda: (rn(2, 6),))
case("module_list", L, script(ModuleListNet), lambda: (rn(2, 4),))
case("module_dict", L, script(ModuleDictNet), lambda: (rn(2, 4),))
case("lstm", L, lambda: torch.jit.script(Recurrent(nn.LSTM(4, 5, num_layers=2))),
     lambda: (rn(6, 2, 4),), atol=1e-5)
case("gru", L, lambda: torch.jit.script(Recurrent(nn.GRU(3, 4, batch_first=True))),
     lambda: (rn(2, 5, 3),), atol=1e-5)
case("mha_nomask", L, script_eval(lambda: nn.MultiheadAttention(16, 4)),
     lambda: (rn(5, 2, 16), rn(6, 2, 16), rn(6, 2, 16)), atol=1e-5)
case("mha_masks", L, script_eval(lambda: nn.MultiheadAttention(16, 4)),
     lambda: (rn(5, 2, 16), rn(6, 2, 16), rn(6, 2, 16),
              torch.tensor([[False] * 5 + [True], [False] * 6]), True, rn(5, 6)), atol=1e-5,
     about="key_padding_mask (bool), need_weights, float attn_mask")
case("mha_bool_mask_batch_first", L,
     script_eval(lambda: nn.MultiheadAttention(8, 2, batch_first=True)),
     lambda: (rn(2, 3, 8), rn(2, 4, 8), rn(2, 4, 8), None, True,
              torch.tensor([[False, True, False, False]] * 3), False), atol=1e-5,
     about="batch_first, bool attn_mask, per-head weights")

# Whole models.
try:
    import torchvision

    case("resnet18", "model", script_eval(torchvision.models.resnet18),
         lambda: (rn(1, 3, 64, 64),), rtol=1e-4, atol=1e-5)
    case("resnet18_224", "model", script_eval(torchvision.models.resnet18),
         lambda: (rn(1, 3, 224, 224),), rtol=1e-4, atol=1e-5)
    case("mobilenet_v2", "model", script_eval(torchvision.models.mobilenet_v2),
         lambda: (rn(1, 3, 64, 64),), rtol=1e-4, atol=1e-5)
except ImportError:
    print("note: no torchvision; resnet18 and mobilenet_v2 left out", file=sys.stderr)
case("transformer_encoder_layer", "model",
     script_eval(lambda: nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64)),
     lambda: (rn(7, 2, 32),), rtol=1e-4, atol=1e-5)
case("transformer_encoder_layer_batch_first", "model",
     script_eval(lambda: nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64,
                                                    batch_first=True)),
     lambda: (rn(2, 7, 32),), rtol=1e-4, atol=1e-5)


# Upgraders: the archive as saved, then copies with the version record set below the bump.
def set_version(v, move_to=None, also=None):
    """An edit: the version record says v ("3\\n"); move_to renames the record."""
    def edit(recs):
        names = [k for k in recs if k in ("version", ".data/version")]
        assert len(names) == 1, names
        del recs[names[0]]
        recs[move_to or names[0]] = f"{v}\n".encode()
        if also:
            recs.update(also)
    edit.version = v
    return edit


def code_sub(old, new, version=None):
    """An edit: replace old by new (once) in code/__torch__.py, and optionally the version."""
    def edit(recs):
        src = recs["code/__torch__.py"].decode()
        assert src.count(old) == 1, (old, src)
        recs["code/__torch__.py"] = src.replace(old, new).encode()
        if version is not None:
            set_version(version)(recs)
    return edit


U = "upgrader"
div_args = lambda: (torch.tensor([-7, 7, 5, -5, 9, -1]), torch.tensor([2, -2, 3, 3, -4, 2]),  # noqa
                    torch.tensor([-7.0, 7.5, 5.0, -5.5, 9.0, -1.0]),
                    torch.tensor([2.0, -2.0, 3.0, 3.0, -4.0, 2.0]))
case("div_v4", U, script(DivOps), div_args,
     about="saved as written (version 4): true division; floor_divide and // floor")
derived("div_v3", U, "div_v4", set_version(3),
        about="version 3: div on integers truncates (div_Tensor_0_3, div_Scalar_0_3); "
              "floor_divide (no upgrader) floors all the same")
derived("div_v3_data_version", U, "div_v4", set_version(3, move_to=".data/version"),
        about="'3' in .data/version instead of version: 1.13 reads either")
derived("div_v3_both_records", U, "div_v4", set_version(3, move_to=".data/version",
                                                        also={"version": b"4\n"}),
        about="version says 4, .data/version says 3: 1.13 reads .data/version first")
inplace_args = lambda: (torch.tensor([-7, 7, 5, -5, 9]), torch.tensor([2, -2, 3, 3, -4]))  # noqa
case("div_inplace_int_v4", U, script(DivInplace), inplace_args,
     expect_error="can't be cast to the desired output type",
     about="version 4: true division of int64 in place is an error")
derived("div_inplace_int_v3", U, "div_inplace_int_v4", set_version(3), expect_error=None,
        about="version 3: div_ truncates in place (div__Tensor_0_3, div__Scalar_0_3)")
case("div_inplace_float_v4", U, script(DivInplace),
     lambda: (torch.tensor([-7.0, 7.0, 5.5]), torch.tensor([2, -2, 3])))
derived("div_inplace_float_v3", U, "div_inplace_float_v4", set_version(3))
case("div_out_int_v4", U, script(DivOut),
     lambda: (torch.tensor([-7, 7, 5]), torch.tensor([2, 2, -3]), torch.zeros(3, dtype=torch.int64)),
     expect_error="can't be cast to the desired output type",
     about="version 4: true division into an int64 out= is an error")
derived("div_out_int_v3", U, "div_out_int_v4", set_version(3), expect_error=None,
        about="version 3: trunc division into the int64 out (div_out_0_3)")
case("div_out_float_v4", U, script(DivOut),
     lambda: (torch.tensor([-7, 7, 5]), torch.tensor([2, 2, -3]), torch.zeros(3)))
derived("div_out_float_v3", U, "div_out_float_v4", set_version(3),
        about="version 3, float out: true division (div_out_0_3 looks at out's dtype)")
case("full_v5", U, script(FullOps), lambda: (3,), about="saved as written (version 5)")
derived("full_v4", U, "full_v5", set_version(4),
        about="version 4: full without dtype converts the fill to float (full_0_4)")
case("space_v9", U, script(SpaceOps), lambda: (1.0, 4),
     about="saved as written: linspace and logspace (version 9)")
derived("space_v8", U, "space_v9", set_version(8))
derived("space_v7", U, "space_v9", set_version(7))
derived("linspace_nosteps_v7", U, "space_v9",
        code_sub("torch.linspace(0, a, 5)", "torch.linspace(0, a)", version=7),
        about="code edited to leave steps out: version 7 means 100 points (linspace_0_7)")
derived("logspace_nosteps_v8", U, "space_v9",
        code_sub("torch.logspace(0, a, 4)", "torch.logspace(0, a)", version=8),
        about="code edited to leave steps out: version 8 means 100 points (logspace_0_8)")
derived("linspace_nosteps_v8", U, "space_v9",
        code_sub("torch.linspace(0, a, 5)", "torch.linspace(0, a)", version=8),
        expect_error="steps",
        about="version 8 has no default for steps: 1.13 refuses the archive ('Argument steps "
              "not provided')")
case("gelu_v10", U, script(Gelu), lambda: (rn(8) * 3,))
derived("gelu_v9", U, "gelu_v10", set_version(9), about="gelu_0_9: exact (erf) gelu")
case("gelu_tanh_v10", U, script(GeluTanh), lambda: (rn(8) * 3,))
derived("gelu_tanh_v9", U, "gelu_tanh_v10", set_version(9), expect_error="approximate",
        about="version 9: gelu had no approximate argument; 1.13 refuses the archive "
              "('Keyword argument approximate unknown')")

# Hostile edits of valid archives.  The substrings are what ptser is to print.
H = "hostile"
case("count_up", "language", script(CountUp), lambda: (rn(2), 5),
     about="the base of hostile_loop_forever")
derived("hostile_loop_forever", H, "count_up",
        code_sub("_0, x0, i = torch.lt(i0, n), x1, i0", "_0, x0, i = True, x1, i0"),
        expect_error="step limit", run_torch=False,
        about="the while loop's carried condition is True forever")
case("helper_method", "language", script(Helper), lambda: (rn(2),),
     about="the base of hostile_recursion")
derived("hostile_recursion", H, "helper_method",
        code_sub("_0 = torch.mul(x, 2)", "_0 = (self).helper(x, k, )"),
        expect_error="recursi", expect_error_regex=r"recursion depth|called recursively",
        about="a method that calls itself with the same arguments, without end: a run-time "
              "'recursion depth' limit, or refused on loading as 1.13 does ('method 'helper' is "
              "called recursively')")
case("grow", "language", script(Grow), lambda: (rn(1), 3), about="the base of hostile_grow_forever")
derived("hostile_grow_forever", H, "grow",
        code_sub("_0, i = torch.lt(i0, n), i0", "_0, i = True, i0"),
        expect_error="memory limit", run_torch=False,
        about="appends a 4 MiB tensor to a list forever")
case("zeros_n", "language", script(ZerosN), lambda: (5,), about="the base of hostile_zeros_huge")
derived("hostile_zeros_huge", H, "zeros_n", None, args=lambda: (1 << 40,),
        expect_error="memory limit",
        about="torch.zeros([1 << 40]): 4 TiB of float32, asked for by the arguments")
derived("hostile_zeros_huge_code", H, "zeros_n",
        code_sub("torch.zeros([n])", "torch.zeros([1099511627776, 1024])"),
        expect_error="memory limit", about="a 4 PiB zeros written into the code")
case("relu_add", "language", script(ReluAdd), lambda: (rn(3),),
     about="the base of the unknown-operator and syntax edits")
derived("hostile_unknown_op", H, "relu_add", code_sub("torch.relu(x)", "torch.no_such_op(x)"),
        expect_error="no_such_op", expect_error_regex=r"(aten::|torch\.)no_such_op")
derived("hostile_unknown_namespace", H, "relu_add",
        code_sub("torch.relu(x)", "ops.evil.system(x)"),
        expect_error="system", expect_error_regex=r"evil(::|\.)system")
derived("hostile_undefined_name", H, "relu_add",
        code_sub("torch.relu(x)", "torch.relu(nope_not_defined)"),
        expect_error="nope_not_defined")
derived("hostile_syntax", H, "relu_add",
        code_sub("return torch.add(y, 1)", "return torch.add(y,, 1)"),
        expect_error="code/__torch__.py",
        about="a syntax error: the message names the record and the line (see "
              "expect_error_regex)")


# --------------------------------------------------------------------------------------------
# Generation.


def read_records(data):
    """(prefix, OrderedDict of record name -> bytes, infos) of a torch.jit.save archive."""
    z = zipfile.ZipFile(io.BytesIO(data))
    infos = z.infolist()
    prefix = infos[0].filename.split("/")[0]
    recs = OrderedDict()
    meta = {}
    for info in infos:
        tail = info.filename.split("/", 1)[1]
        recs[tail] = z.read(info)
        meta[tail] = info
    return prefix, recs, meta


def write_records(prefix, recs, meta):
    """The records back into a zip: the same names, order and compression as the original."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for tail, data in recs.items():
            info = meta.get(tail)
            if info is None:
                info = zipfile.ZipInfo(prefix + "/" + tail, date_time=(1980, 1, 1, 0, 0, 0))
            else:
                info = zipfile.ZipInfo(prefix + "/" + tail, date_time=info.date_time)
                info.compress_type = meta[tail].compress_type
            z.writestr(info, data)
    return buf.getvalue()


def plain(value):
    """What torch.save should hold: tensors detached, NamedTuples as tuples."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (int, float, bool, str, type(None))):
        return value
    raise TypeError(f"cannot save a {type(value).__name__} result")


def summary(message, want=None):
    """The telling lines of a PyTorch error: an exception raised by TorchScript code ends with
    'builtins.ValueError: bad thing' or 'RuntimeError: ...'; a compile error starts with what
    is wrong, and the line naming the argument is further down."""
    lines = [l.strip() for l in message.strip().splitlines() if l.strip()]
    if not lines:
        return message
    if re.match(r"^[\w.]*(Error|Exception)\b.*:", lines[-1]):
        return lines[-1]
    picked = [lines[0]]
    telling = [l for l in lines[1:] if want and want in l and "->" not in l]
    telling += [l for l in lines[1:] if re.search(r'File "code/', l)]
    return " ... ".join(picked + telling[:1])


def archive_version(recs):
    v = recs.get(".data/version", recs.get("version", b"?"))
    return v.decode().strip()


def generate(out, only=None):
    os.makedirs(out, exist_ok=True)
    selected = [c for c in CASES if only is None or re.search(only, c.name)]
    need = {c.name for c in selected} | {c.base for c in selected if c.base}
    made = {}       # name -> archive bytes
    manifest = []
    timings = []
    for c in CASES:
        if c.name not in need:
            continue
        t0 = time.time()
        if c.base:
            prefix, recs, meta = read_records(made[c.base])
            if c.edit:
                c.edit(recs)
            data = write_records(prefix, recs, meta)
        else:
            torch.manual_seed(0)
            module = c.make()
            # torch.jit.save names the archive's folder after the file: save to the real name.
            path = os.path.join(out, c.name + ".pt")
            torch.jit.save(module, path)
            with open(path, "rb") as f:
                data = f.read()
            if c not in selected:
                os.remove(path)
        made[c.name] = data
        if c not in selected:
            continue
        path = os.path.join(out, c.name + ".pt")
        with open(path, "wb") as f:
            f.write(data)
        torch.manual_seed(1)
        args = tuple(c.args())
        args_path = os.path.join(out, c.name + ".args.pt")
        torch.save(args, args_path)
        _, recs, _ = read_records(data)
        entry = OrderedDict(name=c.name, method=c.method, rtol=c.rtol, atol=c.atol,
                            expect_error=c.expect_error)
        if c.expect_error_regex:
            entry["expect_error_regex"] = c.expect_error_regex
        entry["group"] = c.group
        entry["version"] = archive_version(recs)
        if c.base:
            entry["copy_of"] = c.base
        if c.about:
            entry["about"] = c.about
        result = torch_error = None
        ran = False
        if c.run_torch:
            try:
                loaded = torch.jit.load(path)
                result = getattr(loaded, c.method)(*torch.load(args_path))
                ran = True
            except Exception as e:  # noqa: BLE001 - PyTorch's reaction is the oracle
                torch_error = str(e)
        if c.expect_error is None:
            if not ran:
                raise SystemExit(f"{c.name}: PyTorch failed where a result was expected: "
                                 f"{summary(torch_error)}")
            value = plain(result)
            torch.save(value, os.path.join(out, c.name + ".expected.pt"))
            if c.check_stdout:
                entry["stdout"] = repr(value)
        else:
            expected_path = os.path.join(out, c.name + ".expected.pt")
            if os.path.exists(expected_path):
                os.remove(expected_path)
            if c.group in ("error", "upgrader"):
                # These are PyTorch's own errors: the substring must be in its message.
                if ran or c.expect_error not in (torch_error or ""):
                    raise SystemExit(f"{c.name}: expected PyTorch to fail with "
                                     f"{c.expect_error!r}, got {torch_error!r}")
            entry["torch_says"] = (summary(torch_error, c.expect_error)
                                   if torch_error is not None else
                                   "ran without error" if ran else "not run (would not end)")
        if c.group == "hostile" and c.name == "hostile_syntax":
            src = recs["code/__torch__.py"].decode().splitlines()
            line = next(i for i, l in enumerate(src, 1) if ",," in l)
            entry["expect_error_regex"] = rf"(line {line}\b|__torch__\.py:{line}\b)"
        manifest.append(entry)
        timings.append((time.time() - t0, c.name))
    return manifest, made, timings, selected


# --------------------------------------------------------------------------------------------
# ops.txt: the call targets of the code records.

BUILTINS = {"int", "float", "bool", "str", "len", "print", "isinstance", "getattr", "annotate",
            "unchecked_cast", "uninitialized", "fork", "range", "sorted", "complex", "list",
            "tuple", "dict", "min", "max", "abs", "hash", "ord", "chr", "round", "divmod",
            "enumerate", "zip", "any", "all", "sum", "hasattr", "repr"}
STRING = re.compile(r'"(?:[^"\\]|\\.)*"' r"|'(?:[^'\\]|\\.)*'")
CALL = re.compile(r"(?<![\w.)\]])((?:[A-Za-z_]\w*)(?:\.[A-Za-z_]\w*)*)\s*\(")
METHOD = re.compile(r"\)\.([A-Za-z_]\w*)\s*\(")
ALIAS = re.compile(r"^\s*(\w+) = (__torch__(?:\.\w+)+)\s*$")
KEYWORDS = {"return", "if", "elif", "while", "for", "in", "not", "and", "or", "with", "assert",
            "else", "is", "lambda", "yield"}


def call_targets(src):
    """(kind, target) for every call in one code record; defs and class headers left out.
    The printer hoists a function it calls into a local (`_0 = __torch__.torch.nn.functional.
    batch_norm` ... `_0(input, ...)`): such calls count as calls of the function."""
    found = []
    aliases = {}
    for line in src.splitlines():
        body = STRING.sub('""', line)
        stripped = body.strip()
        if stripped.startswith(("def ", "class ")):
            aliases = {}
            continue
        m = ALIAS.match(body)
        if m:
            aliases[m.group(1)] = m.group(2)
            continue
        for m in CALL.finditer(body):
            name = m.group(1)
            if name in KEYWORDS:
                continue
            name = aliases.get(name, name)
            if name.startswith("torch."):
                found.append(("torch", name))
            elif name.startswith("ops."):
                parts = name.split(".")
                found.append(("ops." + parts[1] if len(parts) > 2 else "ops", name))
            elif name.startswith("__torch__."):
                found.append(("__torch__ (functions and classes in the archive)", name))
            elif name in BUILTINS:
                found.append(("builtins", name + "("))
            elif "." not in name:
                found.append(("other names (local functions, forked closures)", name + "("))
            else:
                found.append(("other dotted names", name))
        for m in METHOD.finditer(body):
            found.append(("methods called on an object: (obj).name(", "." + m.group(1) + "("))
    return found


UPGRADER_OPS = re.compile(r"= ((?:aten|prim)::\w+)(?:\[[^\]]*\])?\(")


def write_ops(out, made, selected):
    tally = Tally()
    where = {}
    for c in selected:
        if c.group == "hostile":
            continue  # their edits (no_such_op, ...) are not operators to implement
        z = zipfile.ZipFile(io.BytesIO(made[c.name]))
        for n in z.namelist():
            tail = n.split("/", 1)[1]
            if tail.startswith("code/") and tail.endswith(".py"):
                for kind, target in call_targets(z.read(n).decode()):
                    tally[(kind, target)] += 1
                    where.setdefault((kind, target), [])
                    if c.name not in where[(kind, target)]:
                        where[(kind, target)].append(c.name)
    by_kind = OrderedDict()
    for (kind, target), n in tally.items():
        by_kind.setdefault(kind, []).append((target, n))
    order = ["torch", "builtins"]
    kinds = order + sorted(k for k in by_kind if k.startswith("ops.")) + sorted(
        k for k in by_kind if k not in order and not k.startswith("ops."))
    lines = ["# Call targets in the code/*.py records of the archives of manifest.json",
             "# (hostile edits left out).  COUNT TARGET  [cases using it, first few]",
             f"# PyTorch {torch.__version__}; {len(tally)} distinct targets.", ""]
    for kind in kinds:
        if kind not in by_kind:
            continue
        rows = sorted(by_kind[kind], key=lambda r: (-r[1], r[0]))
        lines.append(f"## {kind}: {len(rows)} targets, {sum(n for _, n in rows)} calls")
        for target, n in rows:
            cases = where[(kind, target)]
            more = f" +{len(cases) - 3}" if len(cases) > 3 else ""
            lines.append(f"{n:6d} {target}  [{', '.join(cases[:3])}{more}]")
        lines.append("")
    # The upgraders torch.jit.load compiled for the rewritten archives, and what they call.
    upgraders = torch._C._dump_upgraders_map()
    if upgraders:
        lines.append("## upgraders 1.13 applies to the rewritten archives (their graphs call):")
        ops = Tally()
        for graph in upgraders.values():
            ops.update(UPGRADER_OPS.findall(str(graph)))
        lines.append("# " + ", ".join(sorted(upgraders)))
        for op, n in sorted(ops.items(), key=lambda r: (-r[1], r[0])):
            lines.append(f"{n:6d} {op}")
        lines.append("")
    with open(os.path.join(out, "ops.txt"), "w") as f:
        f.write("\n".join(lines))


def write_readme(out, manifest):
    """README.txt: this file's docstring and the error cases with the text ptser is to print."""
    lines = [__doc__.strip(), "", "Cases that must fail (exit 1, substring in stderr):", ""]
    for c in manifest:
        if c["expect_error"] is not None:
            regex = c.get("expect_error_regex")
            lines.append(f"  {c['name']:30s} {c['expect_error']!r}"
                         + (f"  and /{regex}/" if regex else ""))
            if c.get("torch_says"):
                lines.append(f"  {'':30s} torch: {c['torch_says'][:150]}")
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?")
    ap.add_argument("--only", help="regular expression: generate only matching cases")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--timings", action="store_true", help="print the slowest cases")
    a = ap.parse_args()
    if a.list:
        for c in CASES:
            if a.only is None or re.search(a.only, c.name):
                print(f"{c.name:40s} {c.group:9s} {c.expect_error or ''}")
        return
    if not a.out:
        ap.error("OUTDIR is required")
    torch.set_num_threads(1)  # the same reductions whatever the machine
    t0 = time.time()
    manifest, made, timings, selected = generate(a.out, a.only)
    doc = OrderedDict(torch=torch.__version__, generator="tests/interop/script_run_gen.py",
                      cases=manifest)
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    write_ops(a.out, made, selected)
    write_readme(a.out, manifest)
    print(f"{len(manifest)} cases written to {a.out} in {time.time() - t0:.1f} s")
    if a.timings:
        for t, n in sorted(timings, reverse=True)[:10]:
            print(f"  {t:6.2f} s {n}")


if __name__ == "__main__":
    main()
