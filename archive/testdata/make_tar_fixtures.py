#!/usr/bin/python3
"""Builds the tar-format fixtures of archive/ (the torch.save format of PyTorch <= 0.1.9).

Nothing can write this format any more, so this script writes the members the way
PyTorch 0.1.9's torch/serialization.py `_save` did (docs/formats/tar.md):

  tarfile.open(fileobj=f, mode='w:', format=tarfile.PAX_FORMAT) with the members
  sys_info, pickle, tensors, storages (in that order), each a file of:
    sys_info  pickle {'protocol_version': 1000, 'little_endian': True, 'type_sizes': ...}
    pickle    the object, pickled with persistent_id = str(obj._cdata) for tensors and storages
    tensors   pickle len(tensors); per tensor pickle (key, storage_key, type(tensor)), then
              tensor._write_metadata(f): i64 ndim, ndim x i64 sizes, ndim x i64 strides,
              i64 storage_offset (little-endian)
    storages  pickle len(storages); per storage pickle (key, location, storage_type), then
              storage._write_file(f): i64 numel + the raw little-endian elements;
              then pickle [(view_key, root_key, offset, numel), ...]
  Keys are the C pointers `_cdata` (ints); pickles are protocol 2.

Then it checks that real PyTorch 1.13 loads every good fixture (`torch.load`, which reads
this format with `legacy_load`) to exactly the intended tensors, and writes
`<name>_expected.pt`: torch.save(torch.load(<name>.pt)) by 1.13, which ptser must reproduce
byte for byte after loading the tar file.  For every malformed fixture it records that
1.13 refuses it too.

Run with Debian's /usr/bin/python3 (the interpreter that has torch):
    cd archive/testdata && /usr/bin/python3 make_tar_fixtures.py
The files are committed; tests never run Python.
"""
import collections
import io
import pickle
import struct
import tarfile

import torch

PROTOCOL = 2
MTIME = 1486000000  # February 2017, the month 0.1.10 replaced this format


class Ref:
    """Stands for a tensor or storage in the object pickle (persistent id str(key))."""

    def __init__(self, key):
        self.key = key


def persistent_id(obj):
    return str(obj.key) if isinstance(obj, Ref) else None


def sys_info_member():
    f = io.BytesIO()
    pickle.dump({"protocol_version": 1000, "little_endian": True,
                 "type_sizes": {"short": 2, "int": 4, "long": 8}}, f, protocol=PROTOCOL)
    return f.getvalue()


def pickle_member(obj):
    f = io.BytesIO()
    p = pickle.Pickler(f, protocol=PROTOCOL)
    p.persistent_id = persistent_id
    p.dump(obj)
    return f.getvalue()


def storage_bytes(values, dtype):
    return torch.tensor(values, dtype=dtype).numpy().tobytes()


def storages_member(storages, views, numel_override=None):
    """storages: [(key, location, storage_class, values, dtype)]; views: [(view, root, off, n)]."""
    f = io.BytesIO()
    pickle.dump(len(storages), f, protocol=PROTOCOL)
    for key, location, storage_class, values, dtype in storages:
        pickle.dump((key, location, storage_class), f, protocol=PROTOCOL)
        numel = len(values)
        if numel_override is not None and key in numel_override:
            numel = numel_override[key]
        f.write(struct.pack("<q", numel))
        f.write(storage_bytes(values, dtype))
    pickle.dump(views, f, protocol=PROTOCOL)
    return f.getvalue()


def tensors_member(tensors):
    """tensors: [(key, storage_key, tensor_class, sizes, strides, offset)]."""
    f = io.BytesIO()
    pickle.dump(len(tensors), f, protocol=PROTOCOL)
    for key, storage_key, tensor_class, sizes, strides, offset in tensors:
        pickle.dump((key, storage_key, tensor_class), f, protocol=PROTOCOL)
        ndim = len(sizes)
        f.write(struct.pack("<q", ndim))  # 0.1.9 wrote ndim as 8 bytes
        f.write(struct.pack(f"<{ndim}q", *sizes))
        f.write(struct.pack(f"<{ndim}q", *strides))
        f.write(struct.pack("<q", offset))
    return f.getvalue()


def write_tar(path, members, float_mtime=False, truncate_inside=None):
    """members: [(name, bytes)], written as 0.1.9's _add_to_tar did (PAX format)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600  # NamedTemporaryFile's mode
            info.uid = info.gid = 1000
            info.uname = info.gname = "pytorch"
            # A float mtime (what tar.add of a real file gives) makes Python write
            # a PAX extended header ('x') before the member.
            info.mtime = MTIME + 0.25 if float_mtime else MTIME
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    if truncate_inside is not None:  # cut 40 bytes into that member's data
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            data = data[:tar.getmember(truncate_inside).offset_data + 40]
    with open(path, "wb") as f:
        f.write(data)


def write_checkpoint(path, obj, storages, views, tensors, **kwargs):
    write_tar(path, [("sys_info", sys_info_member()), ("pickle", pickle_member(obj)),
                     ("tensors", tensors_member(tensors)),
                     ("storages", storages_member(storages, views))], **kwargs)


def check_loads(path, expected, map_location=None):
    """1.13 loads `path` to `expected`; writes its zip re-save for the C++ test."""
    loaded = torch.load(path, map_location=map_location)
    check_equal(loaded, expected, path)
    torch.save(loaded, path.replace(".pt", "_expected.pt"))
    return loaded


def check_equal(a, b, where):
    if isinstance(a, torch.storage.TypedStorage):  # 1.13 gives plain TypedStorages
        assert isinstance(b, torch.storage.TypedStorage), where
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), where
        return
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, (where, a, b)
        assert a.stride() == b.stride() and a.storage_offset() == b.storage_offset(), (where,)
        assert torch.equal(a, b), (where, a, b)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for x, y in zip(a, b):
            check_equal(x, y, where)
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), where
        for k in a:
            check_equal(a[k], b[k], where)
    else:
        assert a == b, where


def expect_failure(path):
    try:
        torch.load(path)
    except Exception as e:  # noqa: BLE001 - recording whatever 1.13 raises
        print(f"{path}: torch 1.13 refuses it too: {type(e).__name__}: {e}")
        return
    raise AssertionError(f"{path}: torch 1.13 loaded a malformed file")


# Keys look like the C pointers 0.1.9 used (they pickle as LONG1).
K = [94316061341440 + 64 * i for i in range(40)]
F, D, H, L, I, S, C, B = (torch.float32, torch.float64, torch.float16, torch.int64,
                          torch.int32, torch.int16, torch.int8, torch.uint8)

# 1. A state dict of two Linear layers, as 0.1.9's model.state_dict() gave it: an
#    OrderedDict of tensors, one storage each.  Written with float mtimes, so every
#    member is preceded by a PAX extended header.
fc1_w = [[0.5 * (i * 4 + j) - 2 for j in range(4)] for i in range(3)]
fc1_b = [0.25, -0.5, 1.0]
fc2_w = [[1.0, -1.0, 0.5], [2.0, 0.0, -3.5]]
fc2_b = [7.0, -7.0]
flat = lambda rows: [x for r in rows for x in r]  # noqa: E731
write_checkpoint(
    "tar_state_dict.pt",
    collections.OrderedDict([("fc1.weight", Ref(K[0])), ("fc1.bias", Ref(K[1])),
                             ("fc2.weight", Ref(K[2])), ("fc2.bias", Ref(K[3]))]),
    storages=[(K[10], "cpu", torch.FloatStorage, flat(fc1_w), F),
              (K[11], "cpu", torch.FloatStorage, fc1_b, F),
              (K[12], "cpu", torch.FloatStorage, flat(fc2_w), F),
              (K[13], "cpu", torch.FloatStorage, fc2_b, F)],
    views=[],
    tensors=[(K[0], K[10], torch.FloatTensor, [3, 4], [4, 1], 0),
             (K[1], K[11], torch.FloatTensor, [3], [1], 0),
             (K[2], K[12], torch.FloatTensor, [2, 3], [3, 1], 0),
             (K[3], K[13], torch.FloatTensor, [2], [1], 0)],
    float_mtime=True)
check_loads("tar_state_dict.pt", collections.OrderedDict([
    ("fc1.weight", torch.tensor(fc1_w)), ("fc1.bias", torch.tensor(fc1_b)),
    ("fc2.weight", torch.tensor(fc2_w)), ("fc2.bias", torch.tensor(fc2_b))]))

# 2. Views and sharing: two tensors on one storage (a[1::2]), a transposed view, a
#    storage view (a slice of another storage, from the storage_views list) with a
#    tensor on it, both storages named directly in the pickle, and one tensor twice.
numbers = list(range(1, 10))
floats = [float(x) for x in range(10)]
write_checkpoint(
    "tar_views.pt",
    [Ref(K[0]), Ref(K[1]), Ref(K[2]), Ref(K[3]), Ref(K[20]), Ref(K[21]), Ref(K[0])],
    storages=[(K[20], "cpu", torch.LongStorage, numbers, L),
              (K[22], "cpu", torch.FloatStorage, floats, F)],
    views=[(K[21], K[22], 3, 4)],
    tensors=[(K[0], K[20], torch.LongTensor, [9], [1], 0),
             (K[1], K[20], torch.LongTensor, [4], [2], 1),
             (K[2], K[22], torch.FloatTensor, [2, 3], [1, 2], 1),
             (K[3], K[21], torch.FloatTensor, [2, 2], [2, 1], 0)])
a = torch.arange(1, 10)
f10 = torch.arange(10.0)
loaded = check_loads("tar_views.pt", [
    a, a[1::2], f10[1:7].view(3, 2).t(), torch.tensor([[3.0, 4.0], [5.0, 6.0]]),
    torch.LongStorage(numbers), torch.FloatStorage([3.0, 4.0, 5.0, 6.0]), a])
assert loaded[0] is loaded[6]
assert loaded[0].data_ptr() == loaded[1].data_ptr() - 8
assert loaded[3].data_ptr() == loaded[5].data_ptr()

# 3. Every tensor type 0.1.9 had, two elements each.
dtypes = [("double", torch.DoubleStorage, torch.DoubleTensor, D, [1.5, -2.0]),
          ("float", torch.FloatStorage, torch.FloatTensor, F, [1.5, -2.0]),
          ("half", torch.HalfStorage, torch.HalfTensor, H, [1.5, -2.0]),
          ("long", torch.LongStorage, torch.LongTensor, L, [1 << 40, -2]),
          ("int", torch.IntStorage, torch.IntTensor, I, [1 << 20, -2]),
          ("short", torch.ShortStorage, torch.ShortTensor, S, [300, -2]),
          ("char", torch.CharStorage, torch.CharTensor, C, [100, -2]),
          ("byte", torch.ByteStorage, torch.ByteTensor, B, [1, 254])]
write_checkpoint(
    "tar_dtypes.pt",
    {name: Ref(K[i]) for i, (name, *_) in enumerate(dtypes)},
    storages=[(K[20 + i], "cpu", st, v, dt) for i, (_, st, _, dt, v) in enumerate(dtypes)],
    views=[],
    tensors=[(K[i], K[20 + i], tt, [2], [1], 0) for i, (_, _, tt, _, _) in enumerate(dtypes)])
check_loads("tar_dtypes.pt", {name: torch.tensor(v, dtype=dt) for name, _, _, dt, v in dtypes})

# 4. A storage saved from a GPU: tagged 'cuda:0', and its storage type normalized to
#    torch.FloatStorage as 0.1.9 did.  Loads with map_location='cpu'.
write_checkpoint("tar_cuda.pt", Ref(K[0]),
                 storages=[(K[10], "cuda:0", torch.FloatStorage, [1.0, 2.0], F)], views=[],
                 tensors=[(K[0], K[10], torch.cuda.FloatTensor, [2], [1], 0)])
check_loads("tar_cuda.pt", torch.tensor([1.0, 2.0]), map_location="cpu")


# 5. What 0.1.9 wrote under Python 2 (cPickle, protocol 2): str as SHORT_BINSTRING,
#    ints above 2**31 as text INT, OrderedDict reduced to OrderedDict([[k, v], ...]).
def py2_int(n):
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if -(1 << 31) <= n < (1 << 31):
        return b"J" + struct.pack("<i", n)
    return b"I" + str(n).encode() + b"\n"


def py2_str(s):
    data = s.encode()
    return b"U" + bytes([len(data)]) + data


def py2_pickle(body):
    return b"\x80\x02" + body + b"."


def py2_tuple(*items):
    return b"(" + b"".join(items) + b"t"


py2_w = [[1.0, 2.0], [3.0, 4.0]]
py2_members = [
    ("sys_info", sys_info_member()),
    ("pickle", py2_pickle(
        b"ccollections\nOrderedDict\n"
        + b"(]("  # OrderedDict((items,)): a list of [key, value] lists
        + b"]" + b"(" + py2_str("w") + py2_str(str(K[0])) + b"Q" + b"e"
        + b"]" + b"(" + py2_str("wt") + py2_str(str(K[1])) + b"Q" + b"e"
        + b"et" + b"R")),
    ("tensors", py2_pickle(py2_int(2))
     + py2_pickle(py2_tuple(py2_int(K[0]), py2_int(K[10]), b"ctorch\nFloatTensor\n"))
     + struct.pack("<q4q", 2, 2, 2, 2, 1) + struct.pack("<q", 0)
     + py2_pickle(py2_tuple(py2_int(K[1]), py2_int(K[10]), b"ctorch\nFloatTensor\n"))
     + struct.pack("<q4q", 2, 2, 2, 1, 2) + struct.pack("<q", 0)),
    ("storages", py2_pickle(py2_int(1))
     + py2_pickle(py2_tuple(py2_int(K[10]), py2_str("cpu"), b"ctorch\nFloatStorage\n"))
     + struct.pack("<q", 4) + storage_bytes(flat(py2_w), F)
     + py2_pickle(b"]")),
]
write_tar("tar_py2.pt", py2_members)
w = torch.tensor(py2_w)
check_loads("tar_py2.pt", collections.OrderedDict([("w", w), ("wt", w.t())]))

# Malformed files: 1.13 refuses each; so must ptser, with a clear status.
one = dict(obj=[Ref(K[0])], storages=[(K[10], "cpu", torch.FloatStorage, [1.0, 2.0, 3.0], F)],
           views=[], tensors=[(K[0], K[10], torch.FloatTensor, [3], [1], 0)])
# The file cut inside the last member (storages).
write_checkpoint("tar_bad_truncated.pt", one["obj"], one["storages"], one["views"],
                 one["tensors"], truncate_inside="storages")
expect_failure("tar_bad_truncated.pt")
# A storage whose element count says 1000 where the member holds 3.
write_tar("tar_bad_numel.pt", [
    ("sys_info", sys_info_member()), ("pickle", pickle_member(one["obj"])),
    ("tensors", tensors_member(one["tensors"])),
    ("storages", storages_member(one["storages"], [], numel_override={K[10]: 1000}))])
expect_failure("tar_bad_numel.pt")
# A tensor of 4 elements at offset 1 on a storage of 3.  1.13 does not refuse it:
# Tensor.set_ silently grows the storage to 5 elements (a new allocation, so the
# tensor no longer shares the saved storage) and reads 2 elements nobody saved.
# ptser refuses it (OutOfRange).
write_checkpoint("tar_bad_view.pt", one["obj"], one["storages"], [],
                 [(K[0], K[10], torch.FloatTensor, [4], [1], 1)])
grown = torch.load("tar_bad_view.pt")[0]
assert grown.storage().size() == 5 and grown[:2].tolist() == [2.0, 3.0]
print("tar_bad_view.pt: torch 1.13 grows the storage from 3 to 5 elements instead of refusing")
# No 'tensors' member.
write_tar("tar_bad_missing.pt", [
    ("sys_info", sys_info_member()), ("pickle", pickle_member(one["obj"])),
    ("storages", storages_member(one["storages"], []))])
expect_failure("tar_bad_missing.pt")
# A persistent id that names nothing.
write_checkpoint("tar_bad_key.pt", [Ref(K[5])], one["storages"], [], one["tensors"])
expect_failure("tar_bad_key.pt")
print("ok")
