#!/usr/bin/python3
"""Regenerates the pickle fixtures under pickle/testdata/ from real Python and PyTorch.

usage (from the repository root, with Debian's PyTorch 1.13):
    /usr/bin/python3 pickle/testdata/make_fixtures.py pickle/testdata

Writes (after deleting the old ones):
  plain/<name>_p<protocol>.pkl   `pickle.dumps(obj, protocol)` for plain Python
                                 data at protocols 0-5;
  plain/MANIFEST.tsv             name, protocol, file, flags, repr(obj):
                                 flags "keep_inert" marks objects of classes
                                 ptser does not know (they need
                                 UnknownGlobals::kKeepInert), "-" otherwise;
                                 the repr is on a name's first line only
                                 (empty for the large framing cases);
  errors/<name>_p<protocol>.pkl  pickles Python writes that ptser must refuse
  errors/MANIFEST.tsv            name, protocol, file, absl status code name,
                                 message substring;
  torch/<name>/data.pkl and torch/<name>/data/<key>
                                 `torch.save` archives taken apart;
  torch/MANIFEST.tsv             name, the expected Value::Repr (PyTorch's
                                 repr, storages as ptser prints them).
In the manifests backslash, tab and newline are written \\\\, \\t and \\n.
Bazel tests never run Python: they read these files.
"""

import collections
import io
import os
import pickle
import shutil
import sys
import zipfile


# ---------------------------------------------------------------------------
# Plain data.

class Point:  # pickled as __main__.Point (an unknown class to ptser)
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Tagged(list):  # a list subclass: APPENDS on the object
    pass


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def recursive_list():
    a = [1]
    a.append(a)
    return a


def recursive_dict():
    d = {"name": "root"}
    d["self"] = d
    return d


def recursive_tuple():
    lst = []
    t = (lst, 1)
    lst.append(t)
    return t


def shared():
    inner = [1, 2]
    s = "shared string"
    return [inner, inner, s, s, (inner,)]


def ordered_with_metadata():
    od = collections.OrderedDict([("weight", 1), ("bias", 2)])
    od._metadata = collections.OrderedDict([("", {"version": 1})])
    return od


PLAIN = [
    ("none", lambda: None),
    ("true", lambda: True),
    ("false", lambda: False),
    ("small_ints", lambda: [0, 1, 255, 256, 65535, 65536, -1, -129]),
    ("int32_edges", lambda: [2**31 - 1, -2**31, 2**31, -2**31 - 1]),
    ("int64_edges", lambda: [2**40, -2**40, 2**63 - 1, -2**63, 2**56, -2**56]),
    # Beyond int64: exact big ints (LONG text, LONG1, LONG4), as PyTorch
    # checkpoints hold them (step counters, seeds, hashes).
    ("int_2_64", lambda: 2**64),
    ("int_neg_2_63_minus_1", lambda: -2**63 - 1),
    ("int_2_100", lambda: [1, 2**100]),
    ("big_ints", lambda: [2**63, -2**63 - 1, 10**30, -10**30, 2**64 - 1, -2**4000,
                          {2**64: "key", 2.0**70: "float key"}, 3**2000]),
    ("floats", lambda: [0.0, -0.0, 1.5, 0.1, 1e100, 1e-300, 1e16, 1e15,
                        123456789.123, 1e-5, 0.0001, 5e-324]),
    ("inf", lambda: [float("inf"), float("-inf")]),
    ("complex", lambda: [1j, 1 + 2j, complex(-0.0, -1), complex(1.5, 0)]),
    ("empty_str", lambda: ""),
    ("ascii_str", lambda: "hello world"),
    ("unicode_str", lambda: "caf\xe9 \u20ac \U0001F600 \u4e2d"),
    ("escapes_str", lambda: "a\nb\tc\\d'e\"f\x00g\x1ah\ri\x7f"),
    ("quote_str", lambda: "it's"),
    ("surrogate_str", lambda: "x\ud800y"),
    ("nonprint_str", lambda: "\x85\xa0\xad\u2028\ue000"),
    ("str_300", lambda: "s" * 300),
    ("empty_bytes", lambda: b""),
    ("bytes", lambda: b"abc"),
    ("all_bytes", lambda: bytes(range(256))),
    ("bytes_300", lambda: b"b" * 300),
    ("empty_bytearray", lambda: bytearray()),
    ("bytearray", lambda: bytearray(b"xyz\x00\xff")),
    ("empty_list", lambda: []),
    ("list1", lambda: [1]),
    ("list3", lambda: [1, "two", 3.0]),
    ("list_1000", lambda: list(range(1000))),
    ("list_1001", lambda: list(range(1001))),
    ("nested_list", lambda: [[1, [2, [3, []]]], [[[]]]]),
    ("tuples", lambda: [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1,), ((),))]),
    ("empty_dict", lambda: {}),
    ("dict1", lambda: {"a": 1}),
    ("dict", lambda: {"a": 1, "b": [1, 2], "c": {"d": None}}),
    ("dict_keys", lambda: {1: "int", 2.5: "float", (1, 2): "tuple", None: "none",
                           b"k": "bytes", frozenset({1}): "frozenset", True: "bool?",
                           "s": "str"}),
    ("dict_1000", lambda: {i: str(i) for i in range(1000)}),
    ("dict_1001", lambda: {i: i for i in range(1001)}),
    ("empty_set", lambda: set()),
    ("set", lambda: {1, 2, 3}),
    ("empty_frozenset", lambda: frozenset()),
    ("frozenset", lambda: frozenset({"a"})),
    ("set_1000", lambda: set(range(1000))),
    ("set_1001", lambda: set(range(1001))),
    ("frozenset_1001", lambda: frozenset(range(1001))),
    ("ordered_dict", lambda: collections.OrderedDict([("b", 1), ("a", 2)])),
    ("empty_ordered_dict", lambda: collections.OrderedDict()),
    ("ordered_dict_1", lambda: collections.OrderedDict([("only", 1)])),
    ("ordered_dict_1001", lambda: collections.OrderedDict((str(i), i) for i in range(1001))),
    ("ordered_dict_metadata", ordered_with_metadata),
    ("counter", lambda: collections.Counter({"a": 2, "b": 5, "c": 2})),
    ("shared", shared),
    ("recursive_list", recursive_list),
    ("recursive_dict", recursive_dict),
    ("recursive_tuple", recursive_tuple),

    ("mixed", lambda: {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                       "flags": [True, False, None], "name": "adam",
                       "steps": 10**12, "neg": -7}),
]

# Larger than a 64 KiB frame: only at the protocols that frame.
LARGE = [
    ("big_list_of_strs", lambda: ["x" * 1000 + str(i) for i in range(70)], (4, 5)),
    ("large_str", lambda: "L" * 70000, (4,)),
    ("large_bytes", lambda: [b"B" * 70000, "after", b"tail"], (5,)),
]

# Objects of classes ptser does not know: refused by default, inert on opt-in.
UNKNOWN = [
    ("point", lambda: Point(1, "two")),
    ("tagged_list", lambda: Tagged([1, 2, 3])),
]

ERRORS = [
    # name, builder, expected absl code name, message substring
    ("evil_reduce", lambda: Evil(), "kPermissionDenied", "refusing global 'posix.system'"),
]


# ---------------------------------------------------------------------------
# PyTorch archives.

def torch_fixtures():
    import torch
    torch.manual_seed(0)
    out = []

    def save(name, obj, **kw):
        buf = io.BytesIO()
        torch.save(obj, buf, **kw)
        z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        pkl = None
        records = []
        for info in z.infolist():
            parts = info.filename.split("/")
            if parts[-1] == "data.pkl":
                pkl = z.read(info)
            elif len(parts) >= 3 and parts[-2] == "data":
                records.append((parts[-1], z.read(info)))
        out.append((name, pkl, sorted(records), ptser_repr(obj)))

    a = torch.arange(1, 10)
    bn = torch.nn.BatchNorm1d(3)
    q = torch.quantize_per_tensor(torch.tensor([0.5, 1.0, 1.5]), 0.5, 2, torch.quint8)
    qc = torch.quantize_per_channel(torch.tensor([[0.5, 1.0], [1.5, 2.0]]),
                                    torch.tensor([0.5, 0.25], dtype=torch.float64),
                                    torch.tensor([0, 1]), 0, torch.qint8)

    class MyT(torch.Tensor):
        pass
    MyT.__module__ = "__main__"
    MyT.__qualname__ = "MyT"
    sys.modules["__main__"].MyT = MyT  # so pickle can find it by name

    save("float_tensor", torch.tensor([1.0, 2.0, 3.0]))
    save("scalar", torch.tensor(7, dtype=torch.int64))
    save("empty", torch.zeros(0))
    save("views", [a, a[1::2]])
    save("transposed", torch.arange(6, dtype=torch.float32).reshape(2, 3).t())
    save("bn_state_dict", bn.state_dict())
    save("two_linear", torch.nn.Sequential(collections.OrderedDict(
        [("fc1", torch.nn.Linear(2, 2)), ("fc2", torch.nn.Linear(2, 1))])).state_dict())
    save("dtypes", collections.OrderedDict(
        (str(dt).replace("torch.", ""), torch.ones(2, dtype=dt))
        for dt in [torch.float32, torch.float64, torch.float16, torch.bfloat16,
                   torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64,
                   torch.bool, torch.complex64, torch.complex128]))
    save("parameter", torch.nn.Parameter(torch.ones(2)))
    save("requires_grad", torch.ones(2, requires_grad=True))
    save("misc", {"size": torch.Size([2, 3]), "dtype": torch.float16,
                  "device": torch.device("cuda", 1), "cpu": torch.device("cpu"),
                  "layout": torch.strided, "qscheme": torch.per_tensor_affine,
                  "lr": 0.1, "bytes": b"ab", "set": {1, 2}, "cplx": 1 + 2j})
    save("qtensor", q)
    save("qtensor_per_channel", qc)
    save("sparse", torch.tensor([[0.0, 1.0], [2.0, 0.0]]).to_sparse())
    save("storage", torch.tensor([1.0, 2.0]).storage())
    save("proto4", {"w": torch.ones(2), "n": 3}, pickle_protocol=4)
    save("subclass", torch.ones(2).as_subclass(MyT))
    return out


def ptser_repr(obj, _seen=None):
    """repr() as ptser's Value::Repr prints it: Python's, except storages."""
    import torch
    r = lambda o: ptser_repr(o, _seen)
    if isinstance(obj, torch.Tensor):
        return repr(obj)
    if isinstance(obj, torch.storage.TypedStorage):
        return "TypedStorage(dtype=%r, numel=%d, device='%s')" % (
            obj.dtype, obj.size(), obj.device)
    if isinstance(obj, collections.OrderedDict):
        if not obj:
            return "OrderedDict()"
        return "OrderedDict([%s])" % ", ".join("(%s, %s)" % (r(k), r(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return "{%s}" % ", ".join("%s: %s" % (r(k), r(v)) for k, v in obj.items())
    if isinstance(obj, list):
        return "[%s]" % ", ".join(r(v) for v in obj)
    if isinstance(obj, tuple) and not isinstance(obj, torch.Size):
        if len(obj) == 1:
            return "(%s,)" % r(obj[0])
        return "(%s)" % ", ".join(r(v) for v in obj)
    return repr(obj)


# ---------------------------------------------------------------------------
# Output.

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def tsv(fields):
    # Backslash, tab and newline are escaped as \\, \t and \n.
    esc = lambda f: f.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return "\t".join(esc(f) for f in fields) + "\n"


def main():
    out = sys.argv[1]
    for sub in ("plain", "errors", "torch"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)

    manifest = []
    cases = [(n, m, range(6), "-", True) for n, m in PLAIN]
    cases += [(n, m, p, "-", False) for n, m, p in LARGE]
    cases += [(n, m, range(6), "keep_inert", False) for n, m in UNKNOWN]
    for name, make, protocols, flags, with_repr in cases:
        for proto in protocols:
            obj = make()
            fname = "%s_p%d.pkl" % (name, proto)
            write(os.path.join(out, "plain", fname), pickle.dumps(obj, proto))
            # The repr once per name, on its first line.
            manifest.append(tsv([name, str(proto), fname, flags,
                                 repr(obj) if with_repr and proto == min(protocols)
                                 else ""]))
    write(os.path.join(out, "plain", "MANIFEST.tsv"), "".join(manifest).encode())

    manifest = []
    for name, make, code, msg in ERRORS:
        for proto in range(6):
            fname = "%s_p%d.pkl" % (name, proto)
            write(os.path.join(out, "errors", fname), pickle.dumps(make(), proto))
            manifest.append(tsv([name, str(proto), fname, code, msg]))
    write(os.path.join(out, "errors", "MANIFEST.tsv"), "".join(manifest).encode())

    manifest = []
    for name, pkl, records, rep in torch_fixtures():
        write(os.path.join(out, "torch", name, "data.pkl"), pkl)
        for key, data in records:
            write(os.path.join(out, "torch", name, "data", key), data)
        manifest.append(tsv([name, rep]))
    write(os.path.join(out, "torch", "MANIFEST.tsv"), "".join(manifest).encode())


if __name__ == "__main__":
    main()
