#!/usr/bin/python3
"""End-to-end tests of the ptser command line against real PyTorch 1.13.

Run by cli_test.sh with the ptser binary's path.  Every file ptser writes is
loaded with torch.load; files torch writes go through every subcommand.
Prints "N passed, N failed" and writes JUnit XML to $XML_OUTPUT_FILE.
"""
import json
import os
import subprocess
import sys
import tempfile
import traceback

import torch

PTSER = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_cli_")
torch.manual_seed(0)
RESULTS = []


def check(name, fn):
    try:
        fn()
        RESULTS.append((name, None))
        print("PASS", name)
    except Exception:  # noqa: BLE001
        RESULTS.append((name, traceback.format_exc()))
        print("FAIL", name)
        traceback.print_exc()


def run(*args, expect=0):
    r = subprocess.run([PTSER, *args], capture_output=True, text=True)
    assert r.returncode == expect, "ptser %s: exit %d, expected %d\n%s%s" % (
        args, r.returncode, expect, r.stdout, r.stderr)
    return r.stdout + r.stderr


def path(*parts):
    p = os.path.join(TMP, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def read(p):
    with open(p, "rb") as f:
        return f.read()


def demo():
    out_dir = path("demo", "x")[:-2]
    text = run("demo", "--out", out_dir)
    for line in ["tensor([1., 2.])", "{'a': tensor([1., 2.]), 'b': tensor([3., 4.])}",
                 "tensor([2, 4, 6, 8])", "tensor([ 4,  8, 12, 16])",
                 "tensor([ 1,  4,  3,  8,  5, 12,  7, 16,  9])", "999", "5"]:
        assert line in text.splitlines(), (line, text)
    assert torch.equal(torch.load(os.path.join(out_dir, "tensor.pt")), torch.tensor([1.0, 2.0]))
    d = torch.load(os.path.join(out_dir, "tensor_dict.pt"))
    assert torch.equal(d["a"], torch.tensor([1.0, 2.0])) and torch.equal(d["b"], torch.tensor([3.0, 4.0]))
    numbers, evens = torch.load(os.path.join(out_dir, "tensors.pt"))
    evens *= 2
    assert torch.equal(numbers, torch.tensor([1, 4, 3, 8, 5, 12, 7, 16, 9]))
    assert torch.load(os.path.join(out_dir, "small.pt")).storage().size() == 999
    assert torch.load(os.path.join(out_dir, "small_clone.pt")).storage().size() == 5
    a, c = torch.load(os.path.join(out_dir, "compact.pt"))
    assert a.storage().data_ptr() == c.storage().data_ptr() and a.storage().size() == 7
    assert torch.equal(a, torch.arange(1, 6)) and torch.equal(c, torch.arange(3, 8))


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + path("pwned"),))


def make_files():
    numbers = torch.arange(1, 10)
    torch.save({"w": torch.randn(3, 4), "v": [numbers, numbers[1::2]],
                "p": torch.nn.Parameter(torch.ones(2))}, path("in", "model.pt"))
    torch.save({"w": torch.randn(3, 4) + 10}, path("in", "other.pt"))
    torch.save({"w": Evil()}, path("in", "evil.pt"))
    assert not os.path.exists(path("pwned"))


def inspect():
    text = run("inspect", path("in", "model.pt"))
    assert "version 3" in text and "shared by 2 tensors" in text and "Parameter" in text, text
    report = json.loads(run("inspect", path("in", "model.pt"), "--json"))
    assert [t["path"] for t in report["tensors"]] == ["/w", "/v/0", "/v/1", "/p"]
    assert report["tensors"][2]["strides"] == [2] and report["tensors"][2]["offset"] == 1
    assert "BINPERSID" in run("inspect", path("in", "model.pt"), "--pickle")


def verify():
    assert "clean" in run("verify", path("in", "model.pt"))
    text = run("verify", path("in", "evil.pt"), expect=3)
    assert "REFUSED posix.system" in text, text
    run("inspect", path("in", "evil.pt"), expect=1)
    assert not os.path.exists(path("pwned")), "a file's global was executed"
    data = bytearray(read(path("in", "model.pt")))
    data[-300] ^= 0xFF  # inside a record or the directory: CRC or structure
    with open(path("in", "corrupt.pt"), "wb") as f:
        f.write(bytes(data))
    r = subprocess.run([PTSER, "verify", path("in", "corrupt.pt")], capture_output=True)
    assert r.returncode in (1, 3), r.returncode


def convert():
    src = path("in", "model.pt")
    run("convert", src, path("zip", "model.pt"))
    ref = path("ref", "model.pt")
    torch.save(torch.load(src), ref)
    assert read(ref) == read(path("zip", "model.pt")), "zip convert differs from torch.save"
    run("convert", src, path("legacy", "model.pt"), "--format", "legacy")
    a, b = torch.load(src), torch.load(path("legacy", "model.pt"))
    assert torch.equal(a["w"], b["w"]) and torch.equal(a["v"][1], b["v"][1])
    assert b["v"][0].storage().data_ptr() == b["v"][1].storage().data_ptr()
    run("convert", path("in", "evil.pt"), path("evil_out", "x.pt"), expect=1)
    assert not os.path.exists(path("evil_out", "x.pt")) and os.listdir(path("evil_out", "")) == []
    run("convert", src, path("bad", "x.pt"), "--format", "nope", expect=2)


def read_safetensors(p):
    """A reader written from the published layout (not the safetensors package)."""
    import json as _json
    import struct
    data = read(p)
    (n,) = struct.unpack("<Q", data[:8])
    header = _json.loads(data[8:8 + n])
    body = data[8 + n:]
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "F16": torch.float16,
              "BF16": torch.bfloat16, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool,
              "I8": torch.int8, "I16": torch.int16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[b:e]), dtype=dtypes[info["dtype"]]) if e > b else \
            torch.empty(0, dtype=dtypes[info["dtype"]])
        out[name] = t.reshape(info["shape"])
    return out


def safetensors():
    sd = {"w": torch.randn(3, 4), "t": torch.randn(4, 3).t(), "h": torch.randn(5).half(),
          "b": torch.randn(2, 2).bfloat16(), "i": torch.arange(6).view(2, 3), "e": torch.zeros(0, 2)}
    numbers = torch.arange(10.0)
    sd["v"] = numbers[2:5]
    sd["n"] = numbers
    torch.save(sd, path("st", "model.pt"))
    text = run("convert", path("st", "model.pt"), path("st", "model.safetensors"))
    assert "'t' was a strided" in text and "'v'" in text, text
    back = read_safetensors(path("st", "model.safetensors"))
    assert set(back) == set(sd)
    for k in sd:
        assert back[k].dtype == sd[k].dtype and torch.equal(back[k], sd[k]), k
    # A safetensors file made here (by hand, from the layout) converts to .pt.
    import json as _json
    import struct
    a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    c = torch.tensor([7, 8], dtype=torch.int64)
    header = _json.dumps({"__metadata__": {"format": "pt"},
                          "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                          "c": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}).encode()
    with open(path("st", "hand.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + a.numpy().tobytes() + c.numpy().tobytes())
    run("convert", path("st", "hand.safetensors"), path("st", "hand.pt"))
    loaded = torch.load(path("st", "hand.pt"))
    assert torch.equal(loaded["a"], a) and torch.equal(loaded["c"], c)
    # A lying header is refused, and leaves nothing at OUT.
    with open(path("st", "bad.safetensors"), "wb") as f:
        bad = header.replace(b"[24, 40]", b"[24, 4000]")
        f.write(struct.pack("<Q", len(bad)) + bad + bytes(40))
    run("convert", path("st", "bad.safetensors"), path("st", "bad.pt"), expect=1)
    assert not os.path.exists(path("st", "bad.pt"))


def compact():
    big = torch.arange(1000.0)
    torch.save([big[10:15], big[12:20]], path("in", "views.pt"))
    text = run("compact", path("in", "views.pt"), path("compact", "views.pt"))
    assert "->" in text
    x, y = torch.load(path("compact", "views.pt"))
    assert torch.equal(x, torch.arange(10.0, 15.0)) and torch.equal(y, torch.arange(12.0, 20.0))
    assert x.storage().data_ptr() == y.storage().data_ptr() and x.storage().size() == 10


def diff():
    assert "equal" in run("diff", path("in", "model.pt"), path("zip", "model.pt"))
    text = run("diff", path("in", "model.pt"), path("in", "other.pt"), expect=3)
    assert "/v: only in the first file" in text, text
    w = torch.load(path("in", "other.pt"))
    w["w"] += 1e-5  # above float32 resolution at ~10, below rtol 1e-5 * 10
    torch.save(w, path("in", "close.pt"))
    run("diff", path("in", "other.pt"), path("in", "close.pt"))
    run("diff", path("in", "other.pt"), path("in", "close.pt"), "--rtol", "0", "--atol", "0", expect=3)


def usage():
    run("frobnicate", expect=2)
    run("inspect", expect=2)
    run("inspect", path("missing.pt"), expect=1)
    for cmd in ["demo", "inspect", "verify", "convert", "compact", "diff"]:
        assert "usage: ptser " + cmd in run(cmd, "--help")


check("demo: output matches the note, files load in torch", demo)
check("fixtures", make_files)
check("inspect", inspect)
check("verify flags os.system, passes a clean file", verify)
check("convert: zip byte-identical to torch.save, legacy loads", convert)
check("compact keeps views, trims storage", compact)
check("safetensors both ways", safetensors)
check("diff", diff)
check("usage and exit codes", usage)

passed = sum(1 for _, f in RESULTS if f is None)
failed = len(RESULTS) - passed
if os.environ.get("XML_OUTPUT_FILE"):
    from xml.sax.saxutils import escape, quoteattr
    with open(os.environ["XML_OUTPUT_FILE"], "w") as xml:
        xml.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="cli">\n')
        for name, failure in RESULTS:
            xml.write("<testcase name=%s classname=\"cli\">" % quoteattr(name))
            if failure:
                xml.write("<failure message=\"failed\">%s</failure>" % escape(failure))
            xml.write("</testcase>\n")
        xml.write("</testsuite></testsuites>\n")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
