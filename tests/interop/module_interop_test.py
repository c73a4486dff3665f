#!/usr/bin/python3
"""Modules: ptser's jit/nn layers against real PyTorch 1.13 (run by module_interop_test.sh).

- ManualSeed(s) then building a layer in C++ gives Python's weights: the state dict file
  ptser saves is byte-identical to torch.save(model.state_dict()) after torch.manual_seed(s).
- A state dict Python wrote loads into the C++ module with all keys matched; forward on the
  same input equals PyTorch's within 1e-5 (relative, float32), in eval and training mode
  (batch norm's running statistics and num_batches_tracked included); the C++ module's state
  dict afterwards loads back through Python's load_state_dict and equals Python's.
- load_state_dict's messages are PyTorch's, character for character.
Prints "N passed, N failed" and exits non-zero on a failure.
"""
import collections
import os
import subprocess
import sys
import tempfile
import traceback

import torch
import torchvision

TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_module_interop_")
passed = failed = 0


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


class MyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)


ARCHS = {
    "linear": (lambda: torch.nn.Linear(4, 2), (3, 4)),
    "linear_nobias64": (lambda: torch.nn.Linear(5, 3, bias=False, dtype=torch.float64), (2, 5)),
    "mymodule": (MyModule, None),
    "bn1d": (lambda: torch.nn.BatchNorm1d(3), (4, 3, 5)),
    "bn2d": (lambda: torch.nn.BatchNorm2d(3), (2, 3, 4, 5)),
    "mlp": (lambda: torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(16, 4), torch.nn.Flatten(), torch.nn.Identity()), (6, 8)),
    "conv2d": (lambda: torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), (2, 3, 9, 9)),
    "conv2d_same": (lambda: torch.nn.Conv2d(4, 6, (4, 3), padding="same", dilation=(2, 1),
                                            padding_mode="reflect", groups=2), (1, 4, 10, 11)),
    "conv2d_circular": (lambda: torch.nn.Conv2d(2, 4, 3, padding=2, padding_mode="circular",
                                                bias=False), (1, 2, 6, 6)),
    "conv1d": (lambda: torch.nn.Conv1d(3, 5, 4, stride=2, padding=1, dilation=2), (2, 3, 20)),
    "conv_transpose2d": (lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                          output_padding=1, groups=2), (1, 4, 5, 5)),
    "pools": (lambda: torch.nn.Sequential(
        torch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        torch.nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),
        torch.nn.AdaptiveAvgPool2d((3, 2))), (2, 3, 11, 10)),
    "pools2": (lambda: torch.nn.Sequential(
        torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=5),
        torch.nn.MaxPool2d(2, dilation=2)), (1, 2, 12, 12)),
    "norms": (lambda: torch.nn.Sequential(torch.nn.LayerNorm(5), torch.nn.GroupNorm(2, 4)), (3, 4, 5)),
    "embedding": (lambda: torch.nn.Embedding(10, 4, padding_idx=2, dtype=torch.float64), "indices"),
    "activations": (lambda: torch.nn.ModuleList([
        torch.nn.ReLU6(), torch.nn.GELU(), torch.nn.GELU(approximate="tanh"), torch.nn.SiLU(),
        torch.nn.Hardswish(), torch.nn.Hardsigmoid(), torch.nn.Sigmoid(), torch.nn.Tanh(),
        torch.nn.Softmax(dim=1), torch.nn.LogSoftmax(dim=-1)]), (4, 7)),
    "bilinear": (lambda: torch.nn.Bilinear(3, 4, 5), "pair"),
    "mha": (lambda: torch.nn.MultiheadAttention(8, 2), "qkv"),
    "mha_batch_first": (lambda: torch.nn.MultiheadAttention(6, 3, batch_first=True,
                                                            dtype=torch.float64), "qkv_bf"),
    "transformer": (lambda: torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0), 2,
        norm=torch.nn.LayerNorm(16)), (5, 2, 16)),
    "transformer_prenorm": (lambda: torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, activation="gelu",
                                         batch_first=True, norm_first=True), 2,
        norm=torch.nn.LayerNorm(16)), (2, 5, 16)),
}
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(), (1, 3, 64, 64)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), (1, 3, 64, 64)),
}


def tool(*args):
    return subprocess.run([TOOL, *args], check=True, capture_output=True, text=True).stdout


def path(name):
    return os.path.join(TMP, name)


def seeded(arch, seed):
    def run():
        torch.manual_seed(seed)
        model = ARCHS[arch][0]()
        d = path(f"{arch}_{seed}")
        os.makedirs(d, exist_ok=True)
        os.makedirs(d + "/py", exist_ok=True)
        torch.save(model.state_dict(), f"{d}/py/sd.pt")
        tool("seeded", arch, str(seed), f"{d}/sd.pt")
        with open(f"{d}/py/sd.pt", "rb") as a, open(f"{d}/sd.pt", "rb") as b:
            assert a.read() == b.read(), "state dict files differ"
    return run


def close(a, b, rtol=1e-5, atol=1e-6):
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    assert torch.allclose(a, b, rtol=rtol, atol=atol), ((a - b).abs().max(), a, b)


def forward(arch, train, table=ARCHS, rtol=1e-5, atol=1e-6):
    def run():
        torch.manual_seed(1)
        model = table[arch][0]()
        # Non-trivial running statistics and affine parameters.  A whole network keeps
        # its own initialisation (random weights at every layer blow activations up
        # to 1e25, where float32 differences in summation order are all one sees).
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if not t.is_floating_point():
                    continue
                if table is MODELS:
                    if "running_mean" in name:
                        t.copy_(0.1 * torch.randn_like(t))
                    elif "running_var" in name:
                        t.copy_(torch.rand_like(t) + 0.5)
                else:
                    t.copy_(torch.rand_like(t) + 0.5 if "var" in name else torch.randn_like(t))
        d = path(f"fwd_{arch}_{train}")
        os.makedirs(d, exist_ok=True)
        torch.save(model.state_dict(), f"{d}/sd.pt")
        spec = table[arch][1]
        if spec == "indices":
            x = torch.randint(0, 10, (3, 5))
        elif spec == "pair":
            x = [torch.randn(2, 3), torch.randn(2, 4)]
        elif spec == "qkv":
            x = [torch.randn(4, 2, 8), torch.randn(5, 2, 8), torch.randn(5, 2, 8)]
        elif spec == "qkv_bf":
            x = [torch.randn(2, 4, 6, dtype=torch.float64), torch.randn(2, 3, 6, dtype=torch.float64),
                 torch.randn(2, 3, 6, dtype=torch.float64)]
        else:
            params = list(model.parameters())
            x = 3 * torch.randn(*table[arch][1], dtype=params[0].dtype if params else torch.float32)
        torch.save(x, f"{d}/x.pt")
        out = tool("forward", arch, f"{d}/sd.pt", f"{d}/x.pt", f"{d}/y.pt", *(["train"] if train else []))
        assert out.strip() == "<All keys matched successfully>", out
        model.train(train)
        with torch.no_grad():
            if isinstance(model, torch.nn.ModuleList):
                want = None
            elif isinstance(x, list):
                want = model(*x)
            else:
                want = model(x)
        got = torch.load(f"{d}/y.pt")
        if isinstance(model, torch.nn.ModuleList):
            with torch.no_grad():
                want = [m(x) for m in model]
        if isinstance(want, (list, tuple)):
            assert len(got) == len(want)
            for g, w in zip(got, want):
                close(g, w, rtol, atol)
        else:
            close(got, want, rtol, atol)
        # ptser's state dict afterwards (training updated the running stats) is Python's.
        back = torch.load(f"{d}/y.pt.sd")
        fresh = table[arch][0]()
        print("  ", fresh.load_state_dict(back))
        for k, v in model.state_dict().items():
            if v.is_floating_point():
                close(back[k], v, rtol, atol)
            else:
                assert torch.equal(back[k], v), (k, back[k], v)
    return run


def messages():
    cases = [
        ({"l0.weight": torch.zeros(3, 4), "l0.bias": torch.zeros(2), "l1.weight": torch.zeros(1, 2),
          "extra": torch.zeros(1)}, True),
        ({"l0.weight": torch.zeros(2, 4)}, False),
        ({"l0.weight": torch.zeros(2, 4, dtype=torch.float64), "l0.bias": torch.zeros(2),
          "l1.weight": torch.zeros(1, 2), "l1.bias": torch.zeros(1), "l1.more.x": torch.zeros(1)}, True),
        (collections.OrderedDict(), True),
    ]
    for i, (sd, strict) in enumerate(cases):
        f = path(f"msg{i}.pt")
        torch.save(sd, f)
        try:
            want = str(MyModule().load_state_dict(sd, strict=strict))
        except RuntimeError as e:
            want = str(e)
        got = tool("load", "mymodule", f, *([] if strict else ["nonstrict"]))
        assert got == want, (got, want)


def bn_version1():
    # A batch norm state dict saved before num_batches_tracked existed.
    sd = torch.nn.BatchNorm1d(3).state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    f = path("bn_v1.pt")
    torch.save(sd, f)
    want = str(torch.nn.BatchNorm1d(3).load_state_dict(sd))
    assert tool("load", "bn1d", f) == want


for arch in ARCHS:
    check(f"seeded {arch}", seeded(arch, 0))
check("seeded mymodule 1234", seeded("mymodule", 1234))
for arch in ARCHS:
    if ARCHS[arch][1] is not None:
        check(f"forward eval {arch}", forward(arch, False))
        if arch != "mlp":  # Dropout draws random masks in training: ptser refuses that
            check(f"forward train {arch}", forward(arch, True))
class Net(torch.nn.Module):
    """A model pickled whole: nested, a None parameter, a non-persistent buffer."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
        self.head = torch.nn.Linear(4, 2, bias=False)
        self.register_parameter("unused", None)
        self.register_buffer("scratch", torch.zeros(3), persistent=False)
        self.register_buffer("scale", torch.ones(1))


class Payload:
    """What a malicious checkpoint hides: it must never run."""

    def __reduce__(self):
        return (os.system, ("touch " + path("pwned"),))


def from_model(make):
    def run():
        torch.manual_seed(3)
        model = make()
        d = path(f"whole_{type(model).__name__}")
        os.makedirs(d + "/py", exist_ok=True)
        torch.save(model, f"{d}/model.pt")
        tool("from_model", f"{d}/model.pt", f"{d}/sd.pt")
        torch.save(model.state_dict(), f"{d}/py/sd.pt")
        with open(f"{d}/py/sd.pt", "rb") as a, open(f"{d}/sd.pt", "rb") as b:
            assert a.read() == b.read(), "state dict differs from model.state_dict()'s file"
    return run


def from_model_never_runs_payloads():
    model = Net()
    model.payload = Payload()  # a plain attribute in the module's __dict__
    f = path("evil_model.pt")
    torch.save(model, f)
    out = subprocess.run([TOOL, "from_model", f, path("evil_sd.pt")], capture_output=True, text=True)
    assert not os.path.exists(path("pwned")), "a payload ran"
    # The state dict does not depend on the payload: it converts, and matches.
    assert out.returncode == 0, out.stderr
    sd = torch.load(path("evil_sd.pt"))
    assert list(sd) == list(Net().state_dict()), list(sd)


check("whole model: Net", from_model(Net))
check("whole model: Sequential", from_model(lambda: ARCHS["mlp"][0]()))
check("whole model: resnet18", from_model(torchvision.models.resnet18))
check("whole model: payloads never run", from_model_never_runs_payloads)
for arch in MODELS:
    # Deep networks: float32 sums in another order than PyTorch's kernels.
    check(f"forward eval {arch}", forward(arch, False, MODELS, rtol=1e-4, atol=1e-4))
check("load_state_dict messages", messages)
check("batch norm version 1", bn_version1)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
