#!/usr/bin/python3
"""Interop with real PyTorch 1.13, both directions (run by interop_test.sh).

For each case, torch saves an object; ptser (interop_tool) loads it and
  - describes every tensor: dtype, sizes, strides, offset, storage sharing and
    values must match what torch.load gives;
  - saves it again under the same name: the bytes must equal torch's file;
  - saves it in the legacy format and compacted: torch.load of those must give
    identical values, dtypes, strides and storage sharing.
Then ptser's own saves of the serialization note's examples load in torch.
Prints "N passed, N failed" and exits non-zero on a failure.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile
import traceback

import torch

TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_interop_")
passed = failed = 0
RESULTS = []  # (name, failure text or None), written as JUnit XML for CI


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        RESULTS.append((name, None))
        print("PASS", name)
    except Exception:  # noqa: BLE001 - report every failure and go on
        failed += 1
        RESULTS.append((name, traceback.format_exc()))
        print("FAIL", name)
        traceback.print_exc()


def tool(*args):
    r = subprocess.run([TOOL, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("interop_tool %s failed (%d): %s" % (args, r.returncode, r.stderr))
    return r.stdout


def tensors(obj, path=""):
    """(path, tensor) in the order interop_tool describes them."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            yield from tensors(x, "%s/%d" % (path, i))
    elif isinstance(obj, dict):
        for k, x in obj.items():
            yield from tensors(x, "%s/%s" % (path, k if isinstance(k, str) else repr(k)))


def storage_key(t):
    return t.storage().data_ptr() if t.storage().size() else ("empty", id(t.storage()))


def same_objects(a, b):
    """Same tree, values, dtypes, strides, offsets and storage sharing."""
    ta, tb = list(tensors(a)), list(tensors(b))
    assert [p for p, _ in ta] == [p for p, _ in tb], ([p for p, _ in ta], [p for p, _ in tb])
    sa, sb = {}, {}
    for (p, x), (_, y) in zip(ta, tb):
        assert x.dtype == y.dtype, (p, x.dtype, y.dtype)
        assert x.shape == y.shape, (p, x.shape, y.shape)
        assert x.stride() == y.stride(), (p, x.stride(), y.stride())
        assert x.requires_grad == y.requires_grad, p
        assert isinstance(x, torch.nn.Parameter) == isinstance(y, torch.nn.Parameter), p
        assert torch.equal(x.detach(), y.detach()) or (x.is_floating_point() and torch.allclose(
            x.detach(), y.detach(), equal_nan=True)), (p, x, y)
        sa.setdefault(storage_key(x), len(sa))
        sb.setdefault(storage_key(y), len(sb))
        assert sa[storage_key(x)] == sb[storage_key(y)], ("sharing differs at", p)


def describe_matches(path, obj):
    lines = [json.loads(l) for l in tool("describe", path).splitlines()]
    expected = list(tensors(obj))
    assert len(lines) == len(expected), (len(lines), len(expected))
    storages = {}
    for d, (p, t) in zip(lines, expected):
        assert d["path"] == p, (d["path"], p)
        assert d["dtype"] == str(t.dtype).replace("torch.", ""), (p, d["dtype"], t.dtype)
        assert d["sizes"] == list(t.shape), p
        assert d["strides"] == list(t.stride()), p
        assert d["offset"] == t.storage_offset(), p
        assert d["storage_nbytes"] == t.storage().nbytes(), p
        assert d["requires_grad"] == t.requires_grad, p
        assert d["is_parameter"] == isinstance(t, torch.nn.Parameter), p
        storages.setdefault(storage_key(t), len(storages))
        assert d["storage"] == storages[storage_key(t)], ("sharing", p)
        flat = t.detach().real if t.is_complex() else t.detach()
        want = flat.double().flatten().tolist() if flat.numel() else []
        assert len(d["values"]) == len(want), p
        for got, w in zip(d["values"], want):
            assert got == w or (got != got and w != w), (p, got, w)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def case(name, make):
    obj = make()
    os.makedirs(os.path.join(TMP, "torch"), exist_ok=True)
    os.makedirs(os.path.join(TMP, "ptser"), exist_ok=True)
    src = os.path.join(TMP, "torch", name + ".pt")
    torch.save(obj, src)
    loaded = torch.load(src)
    check(name + ": describe", lambda: describe_matches(src, loaded))
    out = os.path.join(TMP, "ptser", name + ".pt")

    def identical():
        tool("resave", src, out)
        assert read(out) == read(src), "bytes differ from torch.save"
        same_objects(loaded, torch.load(out))
    check(name + ": resave byte-identical", identical)

    def via_mmap():
        tool("resave", src, out + ".mm", "--mmap")
        os.rename(out + ".mm", os.path.join(TMP, "ptser", "mm_" + name + ".pt"))
        same_objects(loaded, torch.load(os.path.join(TMP, "ptser", "mm_" + name + ".pt")))
    check(name + ": mmap load", via_mmap)

    def legacy():
        tool("resave", src, out + ".legacy", "--legacy")
        same_objects(loaded, torch.load(out + ".legacy"))
        src_legacy = os.path.join(TMP, "torch", name + ".legacy.pt")
        torch.save(obj, src_legacy, _use_new_zipfile_serialization=False)
        tool("resave", src_legacy, out + ".fromlegacy")
        same_objects(loaded, torch.load(out + ".fromlegacy"))
    check(name + ": legacy both ways", legacy)

    def compact():
        os.makedirs(os.path.join(TMP, "compact"), exist_ok=True)
        small = os.path.join(TMP, "compact", name + ".pt")  # same base name: same folder name
        tool("resave", src, small, "--compact")
        back = torch.load(small)
        ta, tb = list(tensors(loaded)), list(tensors(back))
        assert len(ta) == len(tb)
        share_a, share_b = {}, {}
        for (p, x), (_, y) in zip(ta, tb):
            assert x.dtype == y.dtype and x.shape == y.shape and x.stride() == y.stride(), p
            assert torch.equal(x.detach(), y.detach()), p
            assert y.storage().size() <= x.storage().size(), p
            share_a.setdefault(storage_key(x), len(share_a))
            share_b.setdefault(storage_key(y), len(share_b))
            assert share_a[storage_key(x)] == share_b[storage_key(y)], ("sharing", p)
        assert len(read(small)) <= len(read(src))
    check(name + ": compact keeps views", compact)


torch.manual_seed(0)
DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.int16,
          torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128]


def views():
    numbers = torch.arange(1, 10)
    return [numbers, numbers[1::2], numbers[2:5], numbers.view(3, 3).t()]


def state_dicts():
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(4, 2))
    return net.state_dict()


case("dtypes", lambda: {str(d): (torch.randn(3, 2) * 10).to(d) for d in DTYPES})
case("scalars_and_empty", lambda: [torch.tensor(3.5), torch.tensor(7), torch.zeros(0),
                                   torch.zeros(2, 0, 3), torch.tensor(True)])
case("noncontiguous", lambda: {"t": torch.randn(3, 4).t(), "step": torch.arange(20.0)[::3],
                               "expand": torch.randn(3, 1).expand(3, 5),
                               "cl": torch.randn(2, 3, 4, 5).to(memory_format=torch.channels_last),
                               "offset": torch.randn(10)[4:8]})
case("views", views)
case("nested", lambda: {"a": [torch.ones(2), {"b": (torch.zeros(1), 3, "x")}], "c": None,
                        "d": [1.5, True, b"raw", {1, 2}]})
case("parameters", lambda: {"p": torch.nn.Parameter(torch.randn(2, 2)),
                            "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
                            "g": torch.randn(3, requires_grad=True)})
case("state_dict", state_dicts)
case("big_state_dict", lambda: collections.OrderedDict(
    ("layer%d.weight" % i, torch.randn(16, 16)) for i in range(300)))
case("misc", lambda: {"size": torch.Size([2, 3]), "dtype": torch.bfloat16,
                      "dev": torch.device("cuda", 1), "layout": torch.strided, "cplx": 1 - 2j})


def notes():
    d = os.path.join(TMP, "notes")
    os.makedirs(d, exist_ok=True)
    tool("notes", d)
    assert torch.equal(torch.load(os.path.join(d, "tensor.pt")), torch.tensor([1.0, 2.0]))
    numbers, evens = torch.load(os.path.join(d, "tensors.pt"))
    assert torch.equal(evens, torch.tensor([2, 4, 6, 8]))
    evens *= 2
    assert torch.equal(numbers, torch.tensor([1, 4, 3, 8, 5, 12, 7, 16, 9]))
    assert torch.load(os.path.join(d, "small.pt")).storage().size() == 999
    assert torch.load(os.path.join(d, "small_clone.pt")).storage().size() == 5
    compact = torch.load(os.path.join(d, "small_compact.pt"))
    assert compact.storage().size() == 5 and torch.equal(compact, torch.arange(1, 6))
    # ptser's file equals torch.save's of the same objects under the same name.
    ref = os.path.join(TMP, "ref")
    os.makedirs(ref, exist_ok=True)
    numbers = torch.arange(1, 10)
    torch.save([numbers, numbers[1::2]], os.path.join(ref, "tensors.pt"))
    assert read(os.path.join(ref, "tensors.pt")) == read(os.path.join(d, "tensors.pt"))


check("notes: ptser's files load in torch", notes)
if os.environ.get("XML_OUTPUT_FILE"):
    from xml.sax.saxutils import escape, quoteattr
    with open(os.environ["XML_OUTPUT_FILE"], "w") as xml:
        xml.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
        xml.write('<testsuite name="interop" tests="%d" failures="%d">\n' % (passed + failed, failed))
        for name, failure in RESULTS:
            xml.write("<testcase name=%s classname=\"interop\">" % quoteattr(name))
            if failure:
                xml.write("<failure message=\"failed\">%s</failure>" % escape(failure))
            xml.write("</testcase>\n")
        xml.write("</testsuite>\n</testsuites>\n")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
