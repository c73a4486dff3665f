#!/usr/bin/python3
"""Fidelity with PyTorch 1.13: files it writes, which ptser once refused or
changed (issue 17).  Run by fidelity_test.sh with the ptser binary's path.

Every file here is written by real torch.save at test time; every file ptser
writes is compared byte for byte with what torch.save writes for the same
objects, or loaded back with torch.load.  Prints "N passed, N failed" and
writes JUnit XML to $XML_OUTPUT_FILE.
"""
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import traceback

import torch

PTSER = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_fidelity_")
torch.manual_seed(0)
RESULTS = []
PROTOCOLS = [1, 2, 3, 4, 5]


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


def checkpoint():
    """A small training checkpoint: views, a Parameter, plain values."""
    numbers = torch.arange(1, 10)
    return {"w": torch.randn(3, 4), "v": [numbers, numbers[1::2]],
            "p": torch.nn.Parameter(torch.ones(2)), "epoch": 7, "lr": 0.125,
            "flags": (True, False, None), "name": "run-1", "big": 2 ** 40,
            "neg": -5, "blob": b"\x00\xff"}


def same(a, b):
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape, (a, b)
        assert a.stride() == b.stride() and a.storage_offset() == b.storage_offset()
        assert isinstance(a, torch.nn.Parameter) == isinstance(b, torch.nn.Parameter)
        assert torch.equal(a.detach(), b.detach()), (a, b)
    elif isinstance(a, (list, tuple)):
        assert type(a) == type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b), (list(a), list(b))
        for k in a:
            same(a[k], b[k])
    else:
        assert type(a) == type(b) and a == b, (a, b)


def legacy_every_protocol():
    """Item 1: a legacy file at any pickle protocol is a PyTorch file."""
    obj = checkpoint()
    for p in PROTOCOLS:
        src = path("legacy_p%d" % p, "in", "model.pt")
        torch.save(obj, src, pickle_protocol=p, _use_new_zipfile_serialization=False)
        text = run("inspect", src)
        assert "legacy" in text and "/w: float32" in text, text
        assert "clean" in run("verify", src), p
        out = path("legacy_p%d" % p, "zip", "model.pt")
        run("convert", src, out)
        same(torch.load(src), torch.load(out))


def legacy_pickles(data):
    """The five pickles of a legacy file as (opcode, arg) lists, and the rest."""
    import pickletools
    f = io.BytesIO(data)
    parts = []
    for _ in range(5):
        ops = [(op.name, arg) for op, arg, _ in pickletools.genops(f)]
        parts.append(ops)
    return parts, data[f.tell():]


def same_legacy_stream(ours, torchs):
    """torch names legacy storages by address (str(storage._cdata)); ptser by
    number.  With keys mapped one to one, the first four pickles must be the
    same opcodes and arguments (a FRAME's length aside: it counts the keys'
    digits); the key list and the storage bytes are then in key order,
    checked by loading."""
    a, _ = legacy_pickles(ours)
    b, _ = legacy_pickles(torchs)
    torch_keys = {arg for _, arg in b[4] if isinstance(arg, str)}
    mapping = {}
    for i in range(4):
        assert len(a[i]) == len(b[i]), (i, a[i], b[i])
        for (na, xa), (nb, xb) in zip(a[i], b[i]):
            assert na == nb, (i, na, nb)
            if isinstance(xb, str) and xb in torch_keys:
                assert mapping.setdefault(xb, xa) == xa, (xb, xa)
            elif na == "FRAME":
                pass  # its length counts the keys' digits
            else:
                assert xa == xb, (i, na, xa, xb)
    assert len(set(mapping.values())) == len(mapping) == len(torch_keys)


def convert_keeps_protocol():
    """Item 2: convert writes at IN's protocol, byte-identical to
    torch.save(torch.load(IN), pickle_protocol=P); --protocol N overrides."""
    obj = checkpoint()
    for p in PROTOCOLS:
        for legacy_in in (False, True):
            tag = "p%d_%s" % (p, "legacy" if legacy_in else "zip")
            src = path("proto", tag, "in", "model.pt")
            torch.save(obj, src, pickle_protocol=p, _use_new_zipfile_serialization=not legacy_in)
            ref = path("proto", tag, "ref", "model.pt")
            torch.save(torch.load(src), ref, pickle_protocol=p)
            out = path("proto", tag, "out", "model.pt")
            run("convert", src, out)
            assert read(out) == read(ref), "convert of %s differs from torch.save" % tag
            ref_legacy = path("proto", tag, "ref_legacy", "model.pt")
            torch.save(torch.load(src), ref_legacy, pickle_protocol=p,
                       _use_new_zipfile_serialization=False)
            out_legacy = path("proto", tag, "out_legacy", "model.pt")
            run("convert", src, out_legacy, "--format", "legacy")
            same_legacy_stream(read(out_legacy), read(ref_legacy))
            same(torch.load(src), torch.load(out_legacy))
    src = path("proto", "p2_zip", "in", "model.pt")
    for p in PROTOCOLS:
        ref = path("proto", "to_p%d" % p, "ref", "model.pt")
        torch.save(torch.load(src), ref, pickle_protocol=p)
        out = path("proto", "to_p%d" % p, "out", "model.pt")
        run("convert", src, out, "--protocol", str(p))
        assert read(out) == read(ref), "--protocol %d differs from torch.save" % p
    run("convert", src, path("proto", "bad", "x.pt"), "--protocol", "6", expect=2)
    run("convert", src, path("proto", "bad", "x.pt"), "--protocol", "0", expect=2)


def recursive_tuple():
    """Item 9: a tuple that contains itself through a list keeps its identity
    (POP + BINGET, as CPython's pickler writes), byte-identical at every
    protocol."""
    for p in PROTOCOLS:
        cycle = []
        t = (cycle, torch.arange(3))
        cycle.append(t)
        src = path("cycle", "p%d" % p, "in", "model.pt")
        torch.save({"t": t}, src, pickle_protocol=p)
        out = path("cycle", "p%d" % p, "out", "model.pt")
        run("convert", src, out)
        assert read(out) == read(src), "protocol %d: recursive tuple written differently" % p
        back = torch.load(out)["t"]
        assert back[0][0] is back, "the tuple lost its identity"


def empty_storage_two_dtypes():
    """Item 5: test_save_different_dtype_unallocated: an empty storage under
    two dtypes saves and loads (both formats); convert is torch.save's bytes."""
    a = torch.tensor([], dtype=torch.float32)
    s = torch.TypedStorage(wrap_storage=a.storage().untyped(), dtype=torch.int32)
    for legacy in (False, True):
        tag = "legacy" if legacy else "zip"
        src = path("unalloc", tag, "in", "model.pt")
        torch.save([a, s], src, _use_new_zipfile_serialization=not legacy)
        ref = path("unalloc", tag, "ref", "model.pt")
        torch.save(torch.load(src), ref)
        out = path("unalloc", tag, "out", "model.pt")
        run("convert", src, out)
        assert read(out) == read(ref), tag
    b = torch.zeros(2)
    bad = torch.TypedStorage(wrap_storage=b.storage().untyped(), dtype=torch.int32)
    try:
        torch.save([b, bad], path("unalloc", "x.pt"))
        raise AssertionError("torch saved a non-empty storage under two dtypes")
    except RuntimeError:
        pass


def bare_untyped_storage():
    """Item 7: torch.load gives a bare UntypedStorage back as a ByteStorage;
    convert writes torch.ByteStorage, and the legacy output loads in torch."""
    t = torch.arange(4.0)
    src = path("untyped", "in", "model.pt")
    torch.save(t.storage().untyped(), src)
    ref = path("untyped", "ref", "model.pt")
    torch.save(torch.load(src), ref)
    out = path("untyped", "out", "model.pt")
    run("convert", src, out)
    assert read(out) == read(ref), "differs from torch.save(torch.load())"
    leg = path("untyped", "legacy", "model.pt")
    run("convert", src, leg, "--format", "legacy")
    back = torch.load(leg)
    assert back.dtype == torch.uint8 and bytes(back.tolist()) == t.numpy().tobytes()


def complex_negative_zero():
    """Item 8: complex(nan, -0.0) and complex(1, -0.0) keep the sign of their zero through
    convert; diff calls a sign change a change."""
    nan = float("nan")
    src = path("cplx", "in", "model.pt")
    torch.save({"a": complex(nan, -0.0), "b": complex(1, -0.0), "c": complex(-0.0, 2.0), "f": -0.0}, src)
    out = path("cplx", "out", "model.pt")
    run("convert", src, out)
    assert read(out) == read(src), "convert changed a signed zero"
    back = torch.load(out)
    assert repr(back["a"]) == "(nan-0j)" and repr(back["b"]) == "(1-0j)", back
    other = path("cplx", "other", "model.pt")
    torch.save({"a": complex(nan, 0.0), "b": 1 + 0j, "c": complex(0.0, 2.0), "f": 0.0}, other)
    text = run("diff", src, other, expect=3)
    for key in ("/a", "/b", "/c", "/f"):
        assert key + ":" in text, (key, text)
    assert "equal" in run("diff", src, out)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + path("pwned"),))


def legacy_offsets():
    """Item 15: offsets in messages about a legacy file are offsets in the
    file (the magic-number and sys_info pickles before the object count)."""
    import re
    for p in (2, 4):
        src = path("offsets", "p%d" % p, "evil.pt")
        torch.save({"w": torch.ones(2), "x": Evil()}, src, pickle_protocol=p,
                   _use_new_zipfile_serialization=False)
        data = read(src)
        want = data.index(b"cposix\nsystem\n") if p == 2 else data.index(b"\x8c\x05posix")
        text = run("inspect", src, expect=1)
        m = re.search(r"refusing global 'posix.system' at offset (\d+)", text)
        assert m, text
        if p == 2:
            assert int(m.group(1)) == want, (int(m.group(1)), want, text)
        else:  # STACK_GLOBAL comes after the two strs it names
            assert int(m.group(1)) > want and data[int(m.group(1))] == 0x93, (m.group(1), want)
        assert not os.path.exists(path("pwned"))
        # The same in a zip file: data.pkl is stored, its offsets are the file's.
        zsrc = path("offsets", "p%d" % p, "evil_zip.pt")
        torch.save({"w": torch.ones(2), "x": Evil()}, zsrc, pickle_protocol=p)
        data = read(zsrc)
        want = data.index(b"cposix\nsystem\n") if p == 2 else data.index(b"\x93", data.index(b"posix"))
        text = run("inspect", zsrc, expect=1)
        m = re.search(r"refusing global 'posix.system' at offset (\d+)", text)
        assert m and int(m.group(1)) == want, (want, text)
        # A storage count that disagrees: the offset is where the count is.
        good = path("offsets", "p%d" % p, "good.pt")
        torch.save(torch.arange(3), good, pickle_protocol=p, _use_new_zipfile_serialization=False)
        data = bytearray(read(good))
        count_at = len(data) - 3 * 8 - 8
        assert data[count_at:count_at + 8] == struct.pack("<q", 3)
        data[count_at] = 4
        bad = path("offsets", "p%d" % p, "bad.pt")
        with open(bad, "wb") as f:
            f.write(bytes(data))
        text = run("inspect", bad, expect=1)
        assert "at offset %d:" % count_at in text, (count_at, text)


def cli_refusal_hint():
    """Item 16: a refusal tells a CLI user what to do on the command line;
    inspect --keep-unknown-globals shows the file with the class inert."""
    src = path("hint", "evil.pt")
    torch.save({"w": torch.ones(2), "x": Evil(), "epoch": 3}, src)
    for cmd in (["inspect", src], ["convert", src, path("hint", "out", "x.pt")],
                ["diff", src, src]):
        text = run(*cmd, expect=1)
        assert "GlobalRegistry" not in text and "UnpicklerOptions" not in text, text
        assert "--keep-unknown-globals" in text and "ptser verify" in text, text
    text = run("inspect", src, "--keep-unknown-globals")
    assert "/w: float32" in text, text
    report = json.loads(run("inspect", src, "--json", "--keep-unknown-globals"))
    assert [t["path"] for t in report["tensors"]] == ["/w"], report
    assert not os.path.exists(path("pwned")), "a file's global was executed"
    assert "--keep-unknown-globals" in run("inspect", "--help")


def sharded_disagreement():
    """Item 17: shards that disagree with their index are a finding (exit 3)."""
    torch.save({"a": torch.ones(2)}, path("shards", "m-1.bin"))
    torch.save({"b": torch.zeros(3), "c": torch.arange(2)}, path("shards", "m-2.bin"))
    cases = {
        "wrong_shard": {"a": "m-2.bin", "b": "m-2.bin", "c": "m-2.bin"},
        "unnamed_key": {"a": "m-1.bin", "b": "m-2.bin"},
        "missing_key": {"a": "m-1.bin", "b": "m-2.bin", "c": "m-2.bin", "d": "m-1.bin"},
    }
    for name, weight_map in cases.items():
        index = path("shards", name + ".bin.index.json")
        with open(index, "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
        text = run("verify", index, expect=3)
        assert "disagree" in text, (name, text)
    index = path("shards", "good.bin.index.json")
    with open(index, "w") as f:
        json.dump({"weight_map": {"a": "m-1.bin", "b": "m-2.bin", "c": "m-2.bin"}}, f)
    assert "clean" in run("verify", index)
    with open(path("shards", "m-3.bin"), "wb") as f:
        f.write(b"not a checkpoint")
    index = path("shards", "unreadable.bin.index.json")
    with open(index, "w") as f:
        json.dump({"weight_map": {"a": "m-1.bin", "z": "m-3.bin"}}, f)
    run("verify", index, expect=1)


def st_file(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def read_st_header(p):
    data = read(p)
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n])


def safetensors_verify():
    """Item 11: verify takes a .safetensors file, as inspect and convert do."""
    a = torch.arange(6, dtype=torch.float32)
    src = path("st11", "model.safetensors")
    with open(src, "wb") as f:
        f.write(st_file({"a": {"dtype": "F32", "shape": [6], "data_offsets": [0, 24]}},
                        a.numpy().tobytes()))
    text = run("verify", src)
    assert "safetensors" in text and "clean" in text, text
    with open(path("st11", "bad.safetensors"), "wb") as f:
        f.write(st_file({"a": {"dtype": "F32", "shape": [6], "data_offsets": [0, 20]}},
                        a.numpy().tobytes()[:20]))
    run("verify", path("st11", "bad.safetensors"), expect=1)
    run("inspect", src, "--pickle", expect=1)


def safetensors_reference_rules():
    """Item 12: files the safetensors reference reader refuses are refused by
    convert (nothing written) and verify, with the reference's error name."""
    x = torch.arange(4, dtype=torch.int32).numpy().tobytes()
    cases = {
        "trailing": (st_file({"x": {"dtype": "I32", "shape": [4], "data_offsets": [0, 16]}},
                             x + b"extra_bogus_data_for_polyglot_file"),
                     "MetadataIncompleteBuffer"),
        "gap": (st_file({"x": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},
                         "y": {"dtype": "I32", "shape": [1], "data_offsets": [12, 16]}}, x),
                "InvalidOffset"),
        "metadata_int": (st_file({"__metadata__": {"step": 3},
                                  "x": {"dtype": "I32", "shape": [4], "data_offsets": [0, 16]}},
                                 x),
                         "InvalidHeaderDeserialization"),
    }
    for name, (data, error) in cases.items():
        src = path("st12", name + ".safetensors")
        with open(src, "wb") as f:
            f.write(data)
        out = path("st12", "out", name + ".pt")
        text = run("convert", src, out, expect=1)
        assert error in text, (name, text)
        assert not os.path.exists(out), name
        assert error in run("verify", src, expect=1), name


def safetensors_metadata():
    """Item 13: convert keeps __metadata__ (.safetensors -> .safetensors) and
    writes Hugging Face's {"format": "pt"} for a PyTorch file."""
    torch.save({"w": torch.randn(2, 3)}, path("st13", "model.pt"))
    run("convert", path("st13", "model.pt"), path("st13", "from_pt.safetensors"))
    assert read_st_header(path("st13", "from_pt.safetensors"))["__metadata__"] == {"format": "pt"}
    meta = {"format": "pt", "source": "fidelity test"}
    x = torch.arange(4, dtype=torch.int32).numpy().tobytes()
    with open(path("st13", "in.safetensors"), "wb") as f:
        f.write(st_file({"__metadata__": meta,
                         "x": {"dtype": "I32", "shape": [4], "data_offsets": [0, 16]}}, x))
    run("convert", path("st13", "in.safetensors"), path("st13", "out.safetensors"))
    header = read_st_header(path("st13", "out.safetensors"))
    assert header["__metadata__"] == meta, header


def big_endian_convert():
    """Item 4: a big-endian zip (a `byteorder` record: PyTorch 2.1+ on such a
    machine; 1.13 cannot write one, so it is made here from torch.save's file
    with zipfile) converts: the CRC-32 is checked against the bytes read, not
    the byte-swapped storage.  A flipped byte in it is still caught."""
    import zipfile
    t = torch.arange(6, dtype=torch.int32) * 0x01010101
    little = path("be", "little", "model.pt")
    torch.save({"t": t, "h": t.half()}, little)
    big = path("be", "in", "model.pt")
    with zipfile.ZipFile(little) as zin, zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename
            if "/data/" in name:
                unit = 4 if len(data) == 24 else 2
                data = b"".join(data[i:i + unit][::-1] for i in range(0, len(data), unit))
            if name.endswith("/version"):
                zout.writestr(name.rsplit("/", 1)[0] + "/byteorder", b"big")
            zout.writestr(name, data)
    assert "clean" in run("verify", big)
    out = path("be", "out", "model.pt")
    run("convert", big, out)
    ref = path("be", "ref", "model.pt")
    torch.save(torch.load(little), ref)
    assert read(out) == read(ref), "big-endian convert differs from torch.save of the values"
    data = bytearray(read(big))
    with zipfile.ZipFile(big) as z:
        info = z.getinfo("model/data/0")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 3
    data[at] ^= 0x40
    bad = path("be", "bad", "model.pt")
    with open(bad, "wb") as f:
        f.write(bytes(data))
    text = run("convert", bad, path("be", "bad_out", "model.pt"), expect=1)
    assert "CRC-32 mismatch" in text, text


class OldTensorBase:
    """test_serialization_backwards_compat's old tensor pickling."""

    def __init__(self, new_tensor):
        self.new_tensor = new_tensor

    def __getstate__(self):
        t = self.new_tensor
        return (t.storage(), t.storage_offset(), tuple(t.size()), t.stride())


class OldTensorV1(OldTensorBase):
    def __reduce__(self):
        return (torch.Tensor, (), self.__getstate__())


def old_tensor_pickling():
    """Item 6: REDUCE on torch.Tensor then BUILD (storage, offset, size,
    stride), as newest PyTorch's weights-only loader accepts it."""
    x = torch.randn(30).as_strided([2, 3], [9, 3], 2)
    for legacy in (False, True):
        tag = "legacy" if legacy else "zip"
        src = path("oldtensor", tag, "in", "model.pt")
        torch.save({"x": OldTensorV1(x), "again": x}, src,
                   _use_new_zipfile_serialization=not legacy)
        ref = path("oldtensor", tag, "ref", "model.pt")
        torch.save(torch.load(src), ref)
        out = path("oldtensor", tag, "out", "model.pt")
        run("convert", src, out)
        assert read(out) == read(ref), tag
        back = torch.load(out)["x"]
        assert back.stride() == (9, 3) and back.storage_offset() == 2 and torch.equal(back, x)
    bad = path("oldtensor", "bad", "model.pt")
    torch.save(OldTensorV1(torch.arange(4)), bad)  # an int64 storage under set_ of a float tensor
    try:
        torch.load(bad)
        raise AssertionError("torch loaded a long storage into a float tensor")
    except RuntimeError:
        pass
    assert "expected a storage of type float" in run("inspect", bad, expect=1)


def inspect_json_tree():
    """Item 14: inspect --json shows the whole object tree: a checkpoint's
    epoch, args and optimizer hyperparameters, tensors as their metadata."""
    import argparse
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    shared = [1, 2]
    ckpt = {"epoch": 12, "best": float("inf"), "name": "run-7", "model": model.state_dict(),
            "optimizer": opt.state_dict(), "args": argparse.Namespace(lr=0.05, layers=[3, 2]),
            "pair": (shared, shared), "ids": {1: "one"}}
    src = path("tree", "ckpt.pt")
    torch.save(ckpt, src)
    run("inspect", src, "--json", expect=1)  # argparse.Namespace is not allowed
    report = json.loads(run("inspect", src, "--json", "--keep-unknown-globals"))
    value = report["value"]
    assert value["epoch"] == 12 and value["name"] == "run-7", value
    assert value["best"] == {"type": "float", "repr": "inf"}, value["best"]
    assert list(value["model"]) == ["weight", "bias"], value["model"]
    w = value["model"]["weight"]
    assert w["type"] == "tensor" and w["dtype"] == "float32" and w["shape"] == [2, 3], w
    group = value["optimizer"]["param_groups"][0]
    assert group["lr"] == 0.05 and group["momentum"] == 0.9 and group["params"] == [0, 1], group
    assert value["optimizer"]["state"]["type"] == "dict", value["optimizer"]["state"]
    args = value["args"]
    assert args["type"] == "object" and args["class"] == "argparse.Namespace", args
    assert args["state"] == {"lr": 0.05, "layers": [3, 2]}, args
    assert value["pair"] == [[1, 2], {"ref": "/pair/0"}], value["pair"]
    assert value["ids"] == {"type": "dict", "items": [[1, "one"]]}, value["ids"]


def big_ints():
    """Item 3: Python ints beyond 64 bits load exactly and save back as
    Python writes them, at every protocol and in both formats; an error
    never prints a long one in full."""
    obj = {"step": 2 ** 63, "seed": 10 ** 30, "neg": -2 ** 63 - 1, "hash": -2 ** 4000,
           "w": torch.ones(2), "keys": {2 ** 64: "big"}}
    for p in PROTOCOLS:
        for legacy in (False, True):
            tag = "p%d_%s" % (p, "legacy" if legacy else "zip")
            src = path("bigint", tag, "in", "model.pt")
            torch.save(obj, src, pickle_protocol=p, _use_new_zipfile_serialization=not legacy)
            ref = path("bigint", tag, "ref", "model.pt")
            torch.save(torch.load(src), ref, pickle_protocol=p)
            out = path("bigint", tag, "out", "model.pt")
            run("convert", src, out)
            assert read(out) == read(ref), tag
            back = torch.load(out)
            assert back["hash"] == -2 ** 4000 and back["step"] == 2 ** 63, tag
    report = json.loads(run("inspect", path("bigint", "p2_zip", "in", "model.pt"), "--json"))
    assert report["value"]["seed"] == {"type": "int", "repr": str(10 ** 30)}, report["value"]
    changed = dict(obj, seed=10 ** 30 + 1)
    torch.save(changed, path("bigint", "changed", "model.pt"))
    text = run("diff", path("bigint", "p2_zip", "in", "model.pt"),
               path("bigint", "changed", "model.pt"), expect=3)
    assert "/seed: 1000000000000000000000000000000 vs 1000000000000000000000000000001" in text, text
    # A 1,206-character int where the storage key (a str) belongs: refused,
    # the message quoting the persistent id cut short.
    bad = path("bigint", "bad", "model.pt")
    t = torch.ones(2)
    torch.save(t, bad)
    import zipfile
    with zipfile.ZipFile(bad) as z:
        records = {n: z.read(n) for n in z.namelist()}
    pkl = records["model/data.pkl"]
    key = b"X\x01\x00\x00\x000"  # the storage key '0' as torch.save writes it
    assert pkl.count(key) == 1, pkl
    big = (-2 ** 4000).to_bytes(501, "little", signed=True)
    records["model/data.pkl"] = pkl.replace(key, b"\x8b" + struct.pack("<I", 501) + big)
    bad2 = path("bigint", "bad2", "model.pt")
    with zipfile.ZipFile(bad2, "w", zipfile.ZIP_STORED) as z:
        for n, d in records.items():
            z.writestr(n, d)
    text = run("inspect", bad2, expect=1)
    assert str(-2 ** 4000)[:50] in text and str(-2 ** 4000) not in text, text
    assert len(text) < 1000, text


# Item 10 (map_location policy) is archive:load_save_test, item 18 tools/bench:side_by_side_test.
check("item 1: legacy files at pickle protocols 1-5 load", legacy_every_protocol)
check("item 2: convert keeps the pickle protocol; --protocol", convert_keeps_protocol)
check("item 3: ints beyond 64 bits, exact both ways", big_ints)
check("item 4: a big-endian zip converts (CRC of the bytes read)", big_endian_convert)
check("item 5: an empty storage under two dtypes", empty_storage_two_dtypes)
check("item 6: old tensor pickling (REDUCE torch.Tensor, BUILD)", old_tensor_pickling)
check("item 7: a bare untyped storage", bare_untyped_storage)
check("item 8: complex numbers keep a signed zero; diff sees it", complex_negative_zero)
check("item 9: a tuple containing itself through a list", recursive_tuple)
check("item 11: verify takes .safetensors", safetensors_verify)
check("item 12: the safetensors reference reader's rules", safetensors_reference_rules)
check("item 13: safetensors __metadata__ kept, {'format': 'pt'} written", safetensors_metadata)
check("item 14: inspect --json shows the whole object tree", inspect_json_tree)
check("item 15: offsets in messages are file offsets (legacy and zip)", legacy_offsets)
check("item 16: refusals say what to do from the command line", cli_refusal_hint)
check("item 17: a sharded index its shards disagree with is a finding", sharded_disagreement)

passed = sum(1 for _, f in RESULTS if f is None)
failed = len(RESULTS) - passed
if os.environ.get("XML_OUTPUT_FILE"):
    from xml.sax.saxutils import escape, quoteattr
    with open(os.environ["XML_OUTPUT_FILE"], "w") as xml:
        xml.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="fidelity">\n')
        for name, failure in RESULTS:
            xml.write("<testcase name=%s classname=\"fidelity\">" % quoteattr(name))
            if failure:
                xml.write("<failure message=\"failed\">%s</failure>" % escape(failure))
            xml.write("</testcase>\n")
        xml.write("</testsuite></testsuites>\n")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
