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
    # The module section: state dicts load into PyTorch's modules; MyModule's file is
    # byte-identical to Python's after the same torch.manual_seed(0).
    assert text.splitlines().count("<All keys matched successfully>") == 2, text
    bn = torch.nn.BatchNorm1d(3, track_running_stats=True)
    assert str(bn.load_state_dict(torch.load(os.path.join(out_dir, "bn.pt")))) == \
        "<All keys matched successfully>"

    class MyModule(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = torch.nn.Linear(4, 2)
            self.l1 = torch.nn.Linear(2, 1)

        def forward(self, x):
            return self.l1(torch.nn.functional.relu(self.l0(x)))

    torch.manual_seed(0)
    m = MyModule()
    assert repr(m.state_dict()).replace("\n", "") in text.replace("\n", ""), text
    with torch.no_grad():
        assert repr(m(torch.ones(4))) in text.splitlines(), (m(torch.ones(4)), text)
    mine = os.path.join(out_dir, "py_mymodule", "mymodule.pt")
    os.makedirs(os.path.dirname(mine), exist_ok=True)
    torch.save(m.state_dict(), mine)
    with open(mine, "rb") as f, open(os.path.join(out_dir, "mymodule.pt"), "rb") as g:
        assert f.read() == g.read(), "mymodule.pt differs from torch.save's"
    # The TorchScript section: the archives ptser wrote load in torch.jit.load and give
    # what the demo printed (ptser's interpreter): MyModule's output, the traced
    # control-flow module's (2, 1) tensor and the scripted one's tensor(0), and the
    # div/full upgraders by version (torch.jit.load applies its own).
    ones = torch.ones(4)
    loaded = torch.jit.load(os.path.join(out_dir, "scripted_module.pt"))
    assert str(loaded) in text, (str(loaded), text)
    assert torch.equal(loaded(ones), m(ones).detach())
    traced = torch.jit.load(os.path.join(out_dir, "traced.pt"))(torch.ones(2, 4))
    assert traced.shape == (2, 1) and repr(traced.detach()) in text, text
    scripted = torch.jit.load(os.path.join(out_dir, "scripted.pt"))(torch.ones(2, 4))
    assert repr(scripted) == "tensor(0)" and "tensor(0)" in text.splitlines()
    a, b = torch.tensor([-7, 7]), torch.tensor([2, 2])
    for v in (3, 4, 5):
        got = torch.jit.load(os.path.join(out_dir, "divfull_v%d.pt" % v))(a, b)
        assert repr(got) in text.splitlines(), (v, got, text)


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


class WholeNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4, 2)
        self.register_buffer("scratch", torch.zeros(2), persistent=False)


class Hook:
    def __reduce__(self):
        return (os.system, ("touch " + path("whole", "pwned"),))


def whole_model_state_dict():
    model = WholeNet()
    model.hook = Hook()  # a payload in the module's __dict__: must never run
    torch.save(model, path("whole", "model.pt"))
    # Refused without the flag (the file names classes), converted with it.
    r = subprocess.run([PTSER, "convert", path("whole", "model.pt"), path("whole", "x", "o.pt")],
                       capture_output=True, text=True)
    assert r.returncode == 1, (r.returncode, r.stderr)
    run("convert", "--state-dict", path("whole", "model.pt"), path("whole", "sd", "sd.pt"))
    torch.save(model.state_dict(), path("whole", "ref", "sd.pt"))
    assert read(path("whole", "sd", "sd.pt")) == read(path("whole", "ref", "sd.pt"))
    assert not os.path.exists(path("whole", "pwned")), "a payload ran"


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
    # A flipped byte in a storage record, or in the pickle, fails the
    # convert (CRC-32), leaving nothing at OUT.
    report = json.loads(run("inspect", src, "--json"))
    for record in ("data/0", "data.pkl"):
        r = next(x for x in report["records"] if x["name"] == record)
        data = bytearray(read(src))
        data[r["offset"] + r["size"] // 2] ^= 0x01
        bad = path("corrupt_in", record.replace("/", "_") + ".pt")
        with open(bad, "wb") as f:
            f.write(bytes(data))
        out = path("corrupt_out", record.replace("/", "_"), "model.pt")
        text = run("convert", bad, out, expect=1)
        assert "CRC" in text or "crc" in text, text
        assert not os.path.exists(out) and os.listdir(os.path.dirname(out)) == [], record
    run("convert", path("in", "evil.pt"), path("evil_out", "x.pt"), expect=1)
    assert not os.path.exists(path("evil_out", "x.pt")) and os.listdir(path("evil_out", "")) == []
    run("convert", src, path("bad", "x.pt"), "--format", "nope", expect=2)


def save_on_cuda(obj, p):
    """torch.save as on a CUDA machine: each storage's location tag 'cuda:0'
    (a new str per storage, as location_tag builds it).  This PyTorch has no
    CUDA, so the tag function is patched for the call."""
    real_tag = torch.serialization.location_tag
    torch.serialization.location_tag = lambda storage: "cuda:" + str(int("0"))
    try:
        torch.save(obj, p)
    finally:
        torch.serialization.location_tag = real_tag


def saved_locations(p):
    seen = []
    torch.load(p, map_location=lambda storage, loc: (seen.append(loc), storage)[1])
    return seen


def convert_map_location():
    w = torch.randn(3, 4)
    obj = {"w": w, "t": w.t(), "b": torch.arange(5)}
    src = path("cuda", "src", "out.pt")  # one basename: the zip folder is named after it
    save_on_cuda(obj, src)
    assert saved_locations(src) == ["cuda:0", "cuda:0"]
    # inspect shows where each storage was saved (read on the CPU here).
    text = run("inspect", src)
    assert "storage #0 (cuda:0, 48 bytes, shared by 2 tensors)" in text, text
    report = json.loads(run("inspect", src, "--json"))
    assert [t["location"] for t in report["tensors"]] == ["cuda:0"] * 3, report["tensors"]
    # Without --map-location each storage keeps its device: the file torch
    # writes for the same tensors on cuda:0, byte for byte.
    run("convert", src, path("cuda", "kept", "out.pt"))
    assert read(path("cuda", "kept", "out.pt")) == read(src)
    # --map-location cpu: torch.save(torch.load(IN, map_location='cpu')).
    run("convert", src, path("cuda", "cpu", "out.pt"), "--map-location", "cpu")
    torch.save(torch.load(src, map_location="cpu"), path("cuda", "cpu_ref", "out.pt"))
    assert read(path("cuda", "cpu", "out.pt")) == read(path("cuda", "cpu_ref", "out.pt"))
    # And back: a CPU file to cuda ('cuda' is the current device, cuda:0).
    run("convert", path("cuda", "cpu", "out.pt"), path("cuda", "back", "out.pt"),
        "--map-location", "cuda")
    assert read(path("cuda", "back", "out.pt")) == read(src)
    # A table remaps one device; legacy output records the tags too.
    run("convert", src, path("cuda", "t1", "out.pt"), "--map-location", "cuda:0=cuda:1")
    assert saved_locations(path("cuda", "t1", "out.pt")) == ["cuda:1", "cuda:1"]
    run("convert", src, path("cuda", "leg", "out.pt"), "--format", "legacy")
    assert sorted(saved_locations(path("cuda", "leg", "out.pt"))) == ["cuda:0", "cuda:0"]
    loaded = torch.load(path("cuda", "leg", "out.pt"), map_location="cpu")
    assert torch.equal(loaded["t"], w.t()) and torch.equal(loaded["b"], obj["b"])
    # Strings torch would refuse, and DEV mixed with pairs, are usage errors.
    text = run("convert", src, path("cuda", "bad", "out.pt"), "--map-location", "cudax:0",
               expect=2)
    assert "--map-location" in text, text
    run("convert", src, path("cuda", "bad", "out.pt"), "--map-location", "cuda:x", expect=2)
    run("convert", src, path("cuda", "bad", "out.pt"), "--map-location", "cpu",
        "--map-location", "cuda:0=cpu", expect=2)
    assert not os.path.exists(path("cuda", "bad", "out.pt"))


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
    # In place: the sizes printed are before and after (issue 12 §5).
    same = path("compact", "same.pt")
    with open(same, "wb") as f:
        f.write(read(path("in", "views.pt")))
    before = os.path.getsize(same)
    text = run("compact", same, same)
    assert "%d bytes -> %s: %d bytes" % (before, same, os.path.getsize(same)) in text, text
    assert os.path.getsize(same) < before


def diff():
    assert "equal" in run("diff", path("in", "model.pt"), path("zip", "model.pt"))
    # A NaN outside tensors equals itself when a file is compared with its copy.
    torch.save({"lr": float("nan"), "w": torch.tensor([float("nan")])}, path("nan", "a", "m.pt"))
    torch.save({"lr": float("nan"), "w": torch.tensor([float("nan")])}, path("nan", "b", "m.pt"))
    assert "equal" in run("diff", path("nan", "a", "m.pt"), path("nan", "b", "m.pt"))
    text = run("diff", path("in", "model.pt"), path("in", "other.pt"), expect=3)
    assert "/v: only in the first file" in text, text
    w = torch.load(path("in", "other.pt"))
    w["w"] += 1e-5  # above float32 resolution at ~10, below rtol 1e-5 * 10
    torch.save(w, path("in", "close.pt"))
    run("diff", path("in", "other.pt"), path("in", "close.pt"))
    run("diff", path("in", "other.pt"), path("in", "close.pt"), "--rtol", "0", "--atol", "0", expect=3)


def wrong_answers():
    # Issue 12 §5.  Tensors nested 300 deep are listed and compared.
    def nested(t, depth=300):
        v = t
        for _ in range(depth):
            v = [v]
        return v
    torch.save(nested(torch.tensor([1.0, 2.0])), path("deep", "a.pt"))
    torch.save(nested(torch.tensor([1.0, 3.0])), path("deep", "b.pt"))
    assert "with 1 tensors" in run("inspect", path("deep", "a.pt"))
    text = run("diff", path("deep", "a.pt"), path("deep", "b.pt"), expect=3)
    assert "1 of 2 values differ" in text, text
    # Strings that differ after their first MiB differ.
    torch.save({"s": "a" * (1 << 20) + "x"}, path("long", "a.pt"))
    torch.save({"s": "a" * (1 << 20) + "y"}, path("long", "b.pt"))
    run("diff", path("long", "a.pt"), path("long", "b.pt"), expect=3)
    # Tensors used as dict keys are listed, and a file equals itself.
    torch.save({torch.tensor([1.0]): torch.tensor([2.0])}, path("keys", "m.pt"))
    text = run("inspect", path("keys", "m.pt"))
    assert "with 2 tensors" in text and "(key)" in text, text
    assert "equal" in run("diff", path("keys", "m.pt"), path("keys", "m.pt"))


def json_never_throws():
    # Issue 12 §2: a key torch.load accepts but JSON cannot hold (a lone
    # surrogate), and a record name that is not UTF-8.
    torch.save({"w\ud800": torch.tensor([1.0])}, path("surrogate", "m.pt"))
    report = json.loads(run("inspect", "--json", path("surrogate", "m.pt")))
    assert report["tensors"][0]["path"] == "/w\ufffd\ufffd\ufffd", report["tensors"]
    text = run("convert", path("surrogate", "m.pt"), path("surrogate", "m.safetensors"), expect=1)
    assert "not valid UTF-8" in text, text
    assert not os.path.exists(path("surrogate", "m.safetensors"))
    # The archive folder of every record renamed to bytes that are not UTF-8.
    data = read(path("in", "model.pt"))
    assert data.count(b"model/") >= 3
    with open(path("badname", "model.pt"), "wb") as f:
        f.write(data.replace(b"model/", b"mod\xffl/"))
    report = json.loads(run("inspect", "--json", path("badname", "model.pt")))
    assert report["folder"] == "mod\ufffdl", report["folder"]


def signal_leaves_no_temporary():
    # Issue 12 §2: a convert killed by SIGTERM removes its temporary file.
    import glob
    import signal
    import time
    torch.save({"big": torch.zeros(96 << 20, dtype=torch.uint8)}, path("sig", "in.pt"))
    out = path("sig", "out", "m.pt")
    for _ in range(20):
        proc = subprocess.Popen([PTSER, "convert", path("sig", "in.pt"), out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = False
        while proc.poll() is None and not seen:
            seen = bool(glob.glob(os.path.join(os.path.dirname(out), ".m.pt.ptser-tmp-*")))
            time.sleep(0.0005)
        if seen:
            proc.send_signal(signal.SIGTERM)
        proc.wait()
        if seen and proc.returncode == -signal.SIGTERM:
            assert glob.glob(os.path.join(os.path.dirname(out), ".m.pt.ptser-tmp-*")) == []
            assert not os.path.exists(out)
            return
        if os.path.exists(out):
            os.remove(out)
    raise AssertionError("never caught the convert with its temporary file")


def verify_streams_records():
    # Issue 12 §4: a deflated record nothing references (256 MiB of zeros in
    # a file of ~250 KiB) is checked without being held in memory.
    import zipfile
    src = read(path("in", "model.pt"))
    big = path("bomb", "model.pt")
    with open(big, "wb") as f:
        f.write(src)
    with zipfile.ZipFile(big, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model/unused", b"\0" * (256 << 20))
    assert os.path.getsize(big) < (1 << 20)
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", probe, PTSER, "verify", big],
                       capture_output=True, text=True)
    rc, peak_kib = map(int, r.stdout.split())
    assert rc == 0, r
    assert peak_kib < 100 * 1024, "verify peaked at %d KiB" % peak_kib


def safetensors_header_limits():
    # Issue 12 §2/§4: a header nested 100000 deep, and one of a million
    # numbers, are refused before a JSON tree is built.
    import struct
    for name, header, message in [
            ("deep", b'{"__metadata__": ' + b"[" * 100000 + b"]" * 100000 + b"}",
             "nests deeper than 64"),
            ("numbers", b'{"__metadata__": [' + b"1," * 1000000 + b"1]}",
             "JSON values")]:
        p = path("sthdr", name + ".safetensors")
        with open(p, "wb") as f:
            f.write(struct.pack("<Q", len(header)) + header)
        text = run("convert", p, path("sthdr", name + ".pt"), expect=1)
        assert message in text, text


def safetensors_growth_limit():
    # Issue 12 §4: a broadcast view (stride 0) of one float standing for 64 Mi
    # elements: written contiguous it would be 256 MiB from a file of ~1 KB.
    big = torch.tensor([1.0]).expand(64 << 20)
    torch.save({"w": big}, path("growth", "m.pt"))
    out = path("growth", "m.safetensors")
    text = run("convert", path("growth", "m.pt"), out, expect=1)
    assert "--max-growth" in text and not os.path.exists(out), text
    run("convert", path("growth", "m.pt"), out, "--max-growth", "1e6")
    assert os.path.getsize(out) > (256 << 20)
    os.remove(out)


def pickle_json_streams():
    # Issue 12 §4: inspect --pickle --json lists every opcode as pickletools
    # does, streamed (20,000 tensors: ~600 MB as a JSON tree, now < 300 MB).
    import pickletools
    import zipfile
    report = json.loads(run("inspect", "--pickle", "--json", path("in", "model.pt")))
    with zipfile.ZipFile(path("in", "model.pt")) as z:
        data = z.read("model/data.pkl")
    expected = [(pos, op.name) for op, _, pos in pickletools.genops(data)]
    assert [(o["offset"], o["op"]) for o in report["pickle"]] == expected
    assert report["tensors"] and report["format"].startswith("zip")
    torch.save({"t%d" % i: torch.ones(2) for i in range(20000)}, path("many", "m.pt"))
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", probe, PTSER, "inspect", "--pickle", "--json",
                        path("many", "m.pt")], capture_output=True, text=True)
    rc, peak_kib = map(int, r.stdout.split())
    assert rc == 0 and peak_kib < 300 * 1024, (rc, peak_kib)


def json_report_streams():
    # Issue 12: the report is written as it is produced, not built as a JSON
    # tree (100,000 tensors: 621 MB before, 117 MB now).  20,000 tensors from
    # torch.save, a view sharing a storage, and non-tensor values: the
    # streamed report parses, holds every tensor in file order, and peaks
    # within the goal (2x the file + 100 MB).
    sd = {"t%d" % i: torch.full((2,), float(i)) for i in range(20000)}
    sd["meta"] = {"epoch": 7, "view": sd["t5"][1:], "names": ["a", "b"]}
    src = path("many_json", "m.pt")
    torch.save(sd, src)
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "sys.stdout.buffer.write(r.stdout)\n"
             "sys.stderr.write('%d %d' % (r.returncode,\n"
             "    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n")
    r = subprocess.run([sys.executable, "-c", probe, PTSER, "inspect", "--json", src],
                       capture_output=True)
    rc, peak_kib = map(int, r.stderr.split())
    assert rc == 0, r.stderr
    assert peak_kib * 1024 < 2 * os.path.getsize(src) + (100 << 20), peak_kib
    report = json.loads(r.stdout)
    tensors = report["tensors"]
    assert [t["path"] for t in tensors] == ["/t%d" % i for i in range(20000)] + ["/meta/view"]
    assert [t["storage"] for t in tensors[:20000]] == list(range(20000))
    assert tensors[-1]["storage"] == 5 and tensors[-1]["offset"] == 1
    value = report["value"]
    assert list(value) == list(sd)
    assert value["t19999"]["type"] == "tensor" and value["t19999"]["storage"] == 19999
    assert value["meta"]["epoch"] == 7 and value["meta"]["names"] == ["a", "b"]


def max_pickle_growth():
    # Issue 12: a 1 MB pickle of a million empty lists is refused by every
    # loading command under the default budget (64 MiB for this file), with
    # the flag named; --max-pickle-growth raises it.
    import zipfile
    p = path("growth", "lists.pt")
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("lists/data.pkl", b"\x80\x02(" + b"]" * 1000000 + b"l.")
        z.writestr("lists/version", b"3\n")
    for args in (["verify", p], ["inspect", p], ["compact", p, path("growth", "c.pt")],
                 ["convert", p, path("growth", "c.safetensors")], ["diff", p, p]):
        text = run(*args, expect=1)
        assert "(on the command line: --max-pickle-growth N)" in text, (args, text)
    assert "0 tensors" in run("inspect", p, "--max-pickle-growth", "1000")
    assert "0 tensors" in run("inspect", "--max-pickle-growth=1000", p)
    assert "clean" in run("verify", p, "--max-pickle-growth", "1000")
    text = run("verify", p, "--max-pickle-growth", "0", expect=2)
    assert "--max-pickle-growth takes a positive number" in text, text
    run("verify", p, "--max-pickle-growth", expect=2)


def usage():
    run("frobnicate", expect=2)
    run("inspect", expect=2)
    run("inspect", path("missing.pt"), expect=1)
    for cmd in ["demo", "inspect", "verify", "convert", "compact", "diff"]:
        assert "usage: ptser " + cmd in run(cmd, "--help")


# Every dtype torch 1.13 can save (complex32 it cannot: torch.save raises),
# with the layouts the note cares about.
DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.int16,
          torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128]


def every_dtype_obj():
    obj = {str(d).replace("torch.", ""): (torch.randn(3, 4) * 10).to(d) for d in DTYPES}
    x = torch.randn(4, 3)
    obj["quint8"] = torch.quantize_per_tensor(x, 0.1, 10, torch.quint8)
    obj["qint8"] = torch.quantize_per_tensor(x, 0.1, 0, torch.qint8)
    obj["qint32"] = torch.quantize_per_tensor(x, 0.1, 0, torch.qint32)
    obj["quint4x2"] = torch.quantize_per_tensor(torch.randn(5, 3), 0.1, 3, torch.quint4x2)
    obj["quint2x4"] = torch.quantize_per_tensor(torch.randn(7), 0.2, 1, torch.quint2x4)
    obj["per_channel"] = torch.quantize_per_channel(
        x, torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64), torch.tensor([0, 1, 2, 3]), 0,
        torch.quint8)
    base = torch.arange(24.0)
    obj["views"] = [base, base[3:9], base.view(4, 6).t(), base[::5], base[5]]
    obj["channels_last"] = torch.randn(2, 3, 4, 5).to(memory_format=torch.channels_last)
    obj["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride 0
    obj["empty"] = torch.empty(0, 3)
    obj["scalar"] = torch.tensor(2.5)
    obj["param"] = torch.nn.Parameter(torch.ones(2, 2))
    return obj


def leaves(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, prefix + "/" + str(k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from leaves(v, prefix + "/" + str(i))
    else:
        yield prefix, obj


def same_tensors(a, b):
    """Values, dtypes, shapes, strides, offsets and storage sharing agree."""
    la, lb = list(leaves(a)), list(leaves(b))
    assert [p for p, _ in la] == [p for p, _ in lb], ([p for p, _ in la], [p for p, _ in lb])
    share_a, share_b = {}, {}
    for (p, x), (_, y) in zip(la, lb):
        assert x.dtype == y.dtype and x.shape == y.shape and x.stride() == y.stride(), p
        assert x.storage_offset() == y.storage_offset(), p
        assert isinstance(x, torch.nn.Parameter) == isinstance(y, torch.nn.Parameter), p
        if x.is_quantized:
            assert torch.equal(x.int_repr(), y.int_repr()) and x.qscheme() == y.qscheme(), p
        else:
            assert torch.equal(x.detach(), y.detach()), p
        ka, kb = x.storage().data_ptr(), y.storage().data_ptr()
        share_a.setdefault(ka, len(share_a))
        share_b.setdefault(kb, len(share_b))
        assert share_a[ka] == share_b[kb], ("sharing differs at", p)


def every_dtype():
    obj = every_dtype_obj()
    src = path("dtypes", "in", "model.pt")
    torch.save(obj, src)
    legacy_src = path("dtypes", "legacy_in", "model.pt")
    torch.save(obj, legacy_src, _use_new_zipfile_serialization=False)
    report = json.loads(run("inspect", src, "--json"))
    seen = {t["dtype"] for t in report["tensors"]}
    for d in DTYPES:
        assert str(d).replace("torch.", "") in seen, (d, seen)
    assert {"quint8", "qint8", "qint32", "quint4x2", "quint2x4"} <= seen, seen
    for f in (src, legacy_src):
        assert "clean" in run("verify", f)
        # zip: byte-identical to torch.save(torch.load(IN)) under the same name
        out = path("dtypes", "zip_from_" + os.path.basename(os.path.dirname(f)), "model.pt")
        run("convert", f, out)
        ref = path("dtypes", "ref_from_" + os.path.basename(os.path.dirname(f)), "model.pt")
        torch.save(torch.load(f), ref)
        assert read(out) == read(ref), "convert %s differs from torch.save(torch.load())" % f
        same_tensors(torch.load(out), obj)
        # legacy output, then compact: contents and sharing survive
        leg = path("dtypes", "legacy_from_" + os.path.basename(os.path.dirname(f)), "model.pt")
        run("convert", f, leg, "--format", "legacy")
        same_tensors(torch.load(leg), obj)
        small = path("dtypes", "compact_from_" + os.path.basename(os.path.dirname(f)), "model.pt")
        run("compact", f, small)
        same_tensors(torch.load(small), obj)
        assert "equal" in run("diff", f, out)
    changed = dict(obj)
    changed["qint8"] = torch.quantize_per_tensor(torch.randn(4, 3), 0.1, 0, torch.qint8)
    torch.save(changed, path("dtypes", "changed", "model.pt"))
    text = run("diff", src, path("dtypes", "changed", "model.pt"), expect=3)
    assert "/qint8: quantized qint8 tensors differ" in text, text


def sharded():
    w = {"embed.weight": torch.randn(4, 3), "head.weight": torch.randn(3, 4).half(),
         "head.bias": torch.arange(3)}
    torch.save({"embed.weight": w["embed.weight"]}, path("sharded", "m-00001-of-00002.bin"))
    torch.save({"head.weight": w["head.weight"], "head.bias": w["head.bias"]},
               path("sharded", "m-00002-of-00002.bin"), _use_new_zipfile_serialization=False)
    index = {"metadata": {"total_size": 0},
             "weight_map": {"embed.weight": "m-00001-of-00002.bin",
                            "head.bias": "m-00002-of-00002.bin",
                            "head.weight": "m-00002-of-00002.bin"}}
    with open(path("sharded", "m.bin.index.json"), "w") as f:
        json.dump(index, f)
    text = run("verify", path("sharded", "m.bin.index.json"))
    assert "3 tensors in 2 shards" in text and "clean" in text, text
    report = json.loads(run("inspect", path("sharded", "m.bin.index.json"), "--json"))
    assert [t["path"] for t in report["tensors"]] == ["/embed.weight", "/head.bias", "/head.weight"]
    run("convert", path("sharded", "m.bin.index.json"), path("sharded_out", "merged.pt"))
    merged = torch.load(path("sharded_out", "merged.pt"))
    assert list(merged) == ["embed.weight", "head.bias", "head.weight"]
    for k, v in w.items():
        assert merged[k].dtype == v.dtype and torch.equal(merged[k], v), k
    # A shard whose pickle calls os.system: verify says so (exit 3), runs nothing.
    torch.save({"embed.weight": Evil()}, path("sharded", "m-00001-of-00002.bin"))
    text = run("verify", path("sharded", "m.bin.index.json"), expect=3)
    assert "REFUSED posix.system" in text and "1 of 2 shards" in text, text
    assert not os.path.exists(path("pwned")), "a file's global was executed"
    with open(path("sharded", "m.bin.index.json"), "w") as f:
        f.write('{"weight_map": {"a": "m-00001-of-00002.bin",}}')
    r = subprocess.run([PTSER, "verify", path("sharded", "m.bin.index.json")], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "at byte offset" in r.stderr, (r.returncode, r.stderr)


def shared_containers():
    """A file whose lists share sub-lists 60 levels deep (2^60 paths): every
    command walks each container once, as torch.load's memo does."""
    level = [torch.arange(3)]
    for _ in range(60):
        level = [level, level]
    torch.save({"tower": level}, path("dag", "a", "model.pt"))
    torch.save({"tower": level}, path("dag", "b", "model.pt"))
    report = json.loads(run("inspect", path("dag", "a", "model.pt"), "--json"))
    assert len(report["tensors"]) == 1, report["tensors"]
    assert "clean" in run("verify", path("dag", "a", "model.pt"))
    assert "equal" in run("diff", path("dag", "a", "model.pt"), path("dag", "b", "model.pt"))
    run("convert", path("dag", "a", "model.pt"), path("dag", "c", "model.pt"))
    assert read(path("dag", "a", "model.pt")) == read(path("dag", "c", "model.pt"))


check("demo: output matches the note, files load in torch", demo)
check("fixtures", make_files)
check("inspect", inspect)
check("verify flags os.system, passes a clean file", verify)
check("convert: zip byte-identical to torch.save, legacy loads", convert)
check("convert keeps each storage's device; --map-location remaps it (issue 16)",
      convert_map_location)
check("convert --state-dict of a whole model: model.state_dict()'s bytes, nothing run",
      whole_model_state_dict)
check("compact keeps views, trims storage", compact)
check("safetensors both ways", safetensors)
check("diff", diff)
check("deep tensors, long strings and tensor keys are compared (issue 12 §5)", wrong_answers)
check("JSON output never throws (issue 12 §2)", json_never_throws)
check("a signal leaves no temporary file (issue 12 §2)", signal_leaves_no_temporary)
check("verify streams records (issue 12 §4)", verify_streams_records)
check("safetensors header limits (issue 12 §2/§4)", safetensors_header_limits)
check("safetensors output growth is limited (issue 12 §4)", safetensors_growth_limit)
check("inspect --pickle --json streams the disassembly (issue 12 §4)", pickle_json_streams)
check("inspect --json streams its report (issue 12)", json_report_streams)
check("--max-pickle-growth raises the pickle budget of every loading command (issue 12)",
      max_pickle_growth)
check("usage and exit codes", usage)
check("every dtype, views and layouts through inspect/verify/convert/compact/diff", every_dtype)
check("sharded index: verify, inspect, convert; a hostile shard is flagged", sharded)
check("shared sub-containers 60 deep: every command walks each once", shared_containers)

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
