#!/usr/bin/python3
"""TorchScript archives: ptser against real PyTorch 1.13 (run by script_interop_test.sh).

For each module, scripted or traced and saved by torch.jit.save:
- `ptser convert --state-dict f sd.pt` is byte-identical to
  torch.save(torch.jit.load(f).state_dict(), 'sd.pt');
- `ptser convert f out.pt` loads in torch.jit.load, gives the same outputs on the same
  inputs, the same state dict, code and extra files, and its data.pkl equals the one
  torch.jit.save(torch.jit.load(f)) writes;
- `ptser inspect f --json` gives print(torch.jit.load(f)) as its module tree, and every
  parameter and buffer with Python's dtype and shape.
Hostile archives exit 1 with a message naming what was refused.
Prints "N passed, N failed" and exits non-zero on a failure.
"""
import enum
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import zipfile
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch

PTSER = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_script_interop_")
passed = failed = 0
torch.manual_seed(0)


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("PASS", name)
    except Exception:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print("FAIL", name)
        traceback.print_exc()


def ptser(*args, expect=0):
    r = subprocess.run([PTSER, *args], capture_output=True, text=True)
    if r.returncode != expect:
        raise AssertionError(f"ptser {' '.join(args)}: exit {r.returncode}, expected {expect}\n"
                             f"{r.stdout}\n{r.stderr}")
    return r


class MyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class ControlFlowModule(MyModule):
    def forward(self, input):
        if input.dim() > 1:
            return torch.tensor(0)
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


@torch.jit.interface
class Scaler(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass


class Doubler(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2


class Attrs(torch.nn.Module):
    impl: Scaler
    maybe: Optional[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(2, 3))
        self.register_buffer("counts", torch.tensor([1, 2, 3]))
        self.register_buffer("nothing", None)
        self.ints = [1, 2, 300, -7, 2 ** 40]
        self.floats = [0.5, -1.25]
        self.bools = [True, False]
        self.tensors = [torch.zeros(2), torch.ones(1)]
        self.strs = ["a", "bé", ""]
        self.empty: List[int] = []
        self.table = {"x": 1, "y": 2}
        self.empty_table: Dict[str, float] = {}
        self.by_int = {3: "three"}
        self.tdict = {"t": torch.arange(3.0)}
        self.pair = (1, "two", 3.0, [4])
        self.maybe = torch.ones(2)
        self.none_int: Optional[int] = None
        self.text = "hello"
        self.ratio = 0.25
        self.flag = False
        self.dev = torch.device("cpu")
        self.impl = Doubler()
        self.nested = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Sequential(torch.nn.ReLU()))

    def forward(self, x):
        y = self.nested(x) + self.w.sum(0)
        y = self.impl.forward(y)
        m = self.maybe
        if m is not None:
            y = y + m.sum()
        return y + len(self.strs) + self.table["x"] + float(self.ints[4] % 5) + self.tdict["t"].sum()


class Shared(torch.nn.Module):
    def __init__(self):
        super().__init__()
        base = torch.arange(6.0)
        self.register_buffer("a", base[:3])
        self.register_buffer("b", base[3:])
        self.lin = torch.nn.Linear(3, 3)
        self.tied = self.lin   # the same module under two names

    def forward(self, x):
        return self.tied(x + self.a + self.b)


@torch.jit.script
class Counter:
    def __init__(self):
        self.n = 3
        self.t = torch.ones(2)
        self.names = ["x"]


class Pt(NamedTuple):
    x: int
    y: float


class WithObjects(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = Counter()
        self.p = Pt(1, 2.0)

    def forward(self, x):
        return x + self.p[0] + self.k.n + self.k.t


class TraceConst(torch.nn.Module):
    def forward(self, x):
        return x + torch.tensor([1.0, 2.0, 3.0]) * x.size(0)


def bn_trained():
    bn = torch.nn.BatchNorm1d(3)
    bn(torch.randn(8, 3))
    return bn


CASES = []  # (name, make scripted module, inputs, extra files, save-as name)
CASES.append(("script_mymodule", lambda: torch.jit.script(MyModule()), [torch.randn(4)], None, None))
CASES.append(("trace_mymodule", lambda: torch.jit.trace(MyModule(), torch.randn(4)),
              [torch.randn(4)], None, None))
CASES.append(("script_controlflow", lambda: torch.jit.script(ControlFlowModule()),
              [torch.randn(4), torch.randn(2, 4)], None, None))
CASES.append(("trace_controlflow", lambda: torch.jit.trace(ControlFlowModule(), torch.randn(4)),
              [torch.randn(4)], None, None))
CASES.append(("script_batchnorm", lambda: torch.jit.script(bn_trained()),
              [torch.randn(5, 3)], None, None))
CASES.append(("script_batchnorm_eval", lambda: torch.jit.script(bn_trained().eval()),
              [torch.randn(5, 3)], None, None))
CASES.append(("attributes", lambda: torch.jit.script(Attrs()), [torch.randn(4, 3)], None, None))
CASES.append(("script_class_objects", lambda: torch.jit.script(WithObjects()), [torch.randn(2)],
              None, None))
CASES.append(("shared", lambda: torch.jit.script(Shared()), [torch.randn(3)], None, None))
CASES.append(("tensor_constants", lambda: torch.jit.trace(TraceConst(), torch.randn(3)),
              [torch.randn(3)], None, None))
CASES.append(("extra_files", lambda: torch.jit.script(MyModule()), [torch.randn(4)],
              {"meta.txt": b"hello", "nested/x.json": b'{"a": 1}'}, None))
CASES.append(("renamed", lambda: torch.jit.script(MyModule()), [torch.randn(4)], None, "other.pt"))
try:
    import torchvision
    CASES.append(("resnet18", lambda: torch.jit.script(torchvision.models.resnet18().eval()),
                  [torch.randn(1, 3, 64, 64)], None, None))
    CASES.append(("mobilenet_v2", lambda: torch.jit.script(torchvision.models.mobilenet_v2().eval()),
                  [torch.randn(1, 3, 64, 64)], None, None))
except ImportError:
    print("note: no torchvision; resnet18 and mobilenet_v2 skipped")


def records(path):
    z = zipfile.ZipFile(path)
    folder = z.namelist()[0].split("/")[0]
    return {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}, folder


def run_case(name, make, inputs, extra, save_as):
    d = os.path.join(TMP, name)
    os.makedirs(d)
    path = os.path.join(d, name + ".pt")
    module = make()
    if save_as:
        torch.jit.save(module, os.path.join(d, save_as), _extra_files=extra or {})
        shutil.move(os.path.join(d, save_as), path)
    else:
        torch.jit.save(module, path, _extra_files=extra or {})
    original = torch.jit.load(path)

    def state_dict():
        ours = os.path.join(d, "sd", "state.pt")
        theirs = os.path.join(d, "state.pt")
        os.makedirs(os.path.dirname(ours))
        ptser("convert", "--state-dict", path, ours)
        torch.save(original.state_dict(), theirs)
        assert open(ours, "rb").read() == open(theirs, "rb").read(), "state dict bytes differ"
        sd = torch.load(ours)
        assert list(sd.keys()) == list(original.state_dict().keys())

    def rewrite():
        out = os.path.join(d, "rewritten.pt")
        ptser("convert", path, out)
        files = {k: "" for k in (extra or {})}
        again = torch.jit.load(out, _extra_files=files)
        for k, v in (extra or {}).items():
            assert files[k] == v, f"extra file {k}: {files[k]!r}"
        for x in inputs:
            a, b = original(x), again(x)
            assert torch.equal(a, b), f"outputs differ on {tuple(x.shape)}: {a} vs {b}"
        sa, sb = original.state_dict(), again.state_dict()
        assert list(sa) == list(sb)
        for k in sa:
            assert torch.equal(sa[k], sb[k]) and sa[k].dtype == sb[k].dtype, k
        assert str(original) == str(again)
        assert "equal" in ptser("diff", path, out).stdout
        assert original.code == again.code
        # data.pkl as torch.jit.save writes it for the loaded module.
        resaved = os.path.join(d, "rewritten_torch", "rewritten.pt")
        os.makedirs(os.path.dirname(resaved))
        torch.jit.save(torch.jit.load(path), resaved)
        ours, _ = records(out)
        theirs, _ = records(resaved)
        assert ours["data.pkl"] == theirs["data.pkl"], "data.pkl differs from torch.jit.save's"
        assert ours["constants.pkl"] == theirs["constants.pkl"], "constants.pkl differs"
        for k in theirs:
            if not k.endswith(".debug_pkl"):
                assert ours.get(k) == theirs[k], f"record {k} differs"

    def inspect():
        r = ptser("inspect", path, "--json")
        report = json.loads(r.stdout)
        assert report["format"] == "TorchScript archive"
        assert report["module"] == str(original), report["module"]
        want = [{"name": n, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
                for n, t in original.named_parameters()]
        got = [{k: p[k] for k in ("name", "dtype", "shape")} for p in report["parameters"]]
        assert got == want, (got, want)
        want = [[n, list(t.shape)] for n, t in original.named_buffers()]
        assert [[b["name"], b["shape"]] for b in report["buffers"]] == want
        _, folder = records(path)
        assert report["folder"] == folder
        text = ptser("inspect", path).stdout
        assert str(original) in text
        assert "clean:" in ptser("verify", path).stdout

    check(name + ": state dict", state_dict)
    check(name + ": rewrite", rewrite)
    check(name + ": inspect", inspect)


for case in CASES:
    try:
        run_case(*case)
    except Exception:  # noqa: BLE001
        failed += 1
        print("FAIL", case[0], "(setup)")
        traceback.print_exc()


def hostile():
    src = os.path.join(TMP, "script_mymodule", "script_mymodule.pt")
    recs, folder = records(src)

    def write(name, change):
        r = dict(recs)
        change(r)
        path = os.path.join(TMP, name + ".pt")
        with zipfile.ZipFile(path, "w") as z:
            for k, v in r.items():
                z.writestr(name + "/" + k, v)
        return path

    p = write("evil_global", lambda r: r.update({"data.pkl": b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00lsR."}))
    e = ptser("inspect", p, expect=1).stderr
    assert "posix.system" in e and "offset" in e and "data.pkl" in e, e
    v = ptser("verify", p, expect=3).stdout
    assert "REFUSED posix.system (data.pkl, first at offset 2)" in v, v
    p = write("evil_cycle", lambda r: r.update(
        {"data.pkl": b"\x80\x02c__torch__\nMyModule\nq\x00)\x81q\x01}X\x02\x00\x00\x00l0h\x01sb."}))
    e = ptser("convert", "--state-dict", p, os.path.join(TMP, "x.pt"), expect=1).stderr
    assert "cyclic" in e, e
    assert not os.path.exists(os.path.join(TMP, "x.pt"))
    p = write("evil_missing", lambda r: r.pop("data/0"))
    e = ptser("convert", p, os.path.join(TMP, "y.pt"), expect=1).stderr
    assert "data/0" in e, e
    p = write("evil_lying", lambda r: r.update({"data/1": b"12"}))
    e = ptser("inspect", p, expect=1).stderr
    assert "data/1" in e and "2 bytes" in e, e
    p = write("evil_class", lambda r: r.update({"data.pkl": b"\x80\x02c__torch__\nNope\n)\x81}b."}))
    e = ptser("inspect", p, expect=1).stderr
    assert "__torch__.Nope" in e, e


check("hostile archives exit 1", hostile)


def lite_interpreter():
    # _save_for_lite_interpreter adds bytecode.pkl, which names the constants'
    # storages (constants/0.storage): the rewrite keeps their keys.
    from torch.jit.mobile import _load_for_lite_interpreter
    path = os.path.join(TMP, "lite.pt")
    torch.jit.trace(TraceConst(), torch.randn(3))._save_for_lite_interpreter(path)
    out = os.path.join(TMP, "lite_rewritten.pt")
    ptser("convert", path, out)
    recs, _ = records(out)
    assert "bytecode.pkl" in recs and "constants/0.storage" in recs, sorted(recs)
    x = torch.randn(3)
    assert torch.equal(_load_for_lite_interpreter(path)(x), _load_for_lite_interpreter(out)(x))
    assert torch.equal(torch.jit.load(path)(x), torch.jit.load(out)(x))


check("lite interpreter archive", lite_interpreter)

print(f"{passed} passed, {failed} failed")
if failed:
    print("files kept in", TMP)
else:
    shutil.rmtree(TMP, ignore_errors=True)
sys.exit(1 if failed else 0)
