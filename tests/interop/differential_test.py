#!/usr/bin/python3
"""Parser differentials (issue 12 §1), each checked against real PyTorch 1.13.

Every case builds a file that PyTorch's readers (miniz in torch.load's zip
path, Python's tarfile and the legacy loader) read differently from what ptser
read before the fix, and checks two things:

  1. real torch.load reads the other content: it returns the other file's
     marker, or reaches a REDUCE of a harmless builtin (len("abc") = 3, or
     print of a marker line) that ptser's reading never saw;
  2. `ptser verify` reports it as a finding (exit 3), or, where ptser now reads
     what torch reads, refuses the global torch would call.

Nothing dangerous is ever called: the only callables are builtins.len and
builtins.print.  Run by differential_test.sh with the ptser binary's path;
prints "N passed, N failed".
"""
import collections
import contextlib
import io
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import traceback
import warnings
import zipfile

import torch

PTSER = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_differential_", dir=os.environ.get("TEST_TMPDIR"))
RESULTS = []
MARKER = "PTSER-DIFFERENTIAL-MARKER"


class Len:
    """Pickles as a REDUCE of builtins.len("abc"): 3 proves the call ran."""

    def __reduce__(self):
        return (len, ("abc",))


def check(name, fn):
    try:
        fn()
        RESULTS.append((name, None))
        print("PASS", name)
    except Exception:  # noqa: BLE001
        RESULTS.append((name, traceback.format_exc()))
        print("FAIL", name)
        traceback.print_exc()


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def verify(path):
    r = subprocess.run([PTSER, "verify", path], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def expect_ambiguous(path):
    rc, text = verify(path)
    assert rc == 3 and "ambiguous" in text, "verify: exit %d\n%s" % (rc, text)


# ---------------------------------------------------------------- zip helpers

def zip_with(records):
    """A zip of (name, bytes) records, stored, as Python's zipfile writes it."""
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as z:
            for name, data in records:
                z.writestr(name, data)
    return f.getvalue()


def central_entries(data):
    """[(offset, bytes)] of the central directory entries, and its offset."""
    end = data.rindex(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    entries, pos = [], offset
    for _ in range(count):
        n, m, k = struct.unpack("<HHH", data[pos + 28:pos + 34])
        length = 46 + n + m + k
        entries.append(data[pos:pos + length])
        pos += length
    return entries, offset


def end_record(count, cd_size, cd_offset, comment_length):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset,
                       comment_length)


def obj_pickle(obj):
    return pickle.dumps(obj, protocol=2)


def zip_two_end_records():
    # Locals: data.pkl (A), data.pkl (B, calls len), version.  Directory A
    # lists A's data.pkl; directory B lists B's.  End record A's comment is
    # end record B, whose own comment length is wrong: a reader that wants
    # the comment to end the file takes A, miniz takes the last signature.
    data = zip_with([("archive/data.pkl", obj_pickle({"marker": "A"})),
                     ("archive/data.pkl", obj_pickle({"marker": "B", "reduced": Len()})),
                     ("archive/version", b"3\n")])
    (a, b, version), cd_offset = central_entries(data)
    body = data[:cd_offset]
    cd_a = a + version
    cd_b = b + version
    out = body + cd_a + cd_b
    out += end_record(2, len(cd_a), len(body), 22)
    out += end_record(2, len(cd_b), len(body) + len(cd_a), 7)
    path = write("two_end_records.pt", out)
    assert torch.load(path) == {"marker": "B", "reduced": 3}
    expect_ambiguous(path)


def zip_names_equal_ignoring_case():
    # miniz finds names ignoring case; which of the two it finds is its choice.
    for order in ((0, 1), (1, 0)):
        records = [("archive/data.pkl", obj_pickle({"marker": "A"})),
                   ("archive/DATA.PKL", obj_pickle({"marker": "B", "reduced": Len()}))]
        data = zip_with([records[order[0]], records[order[1]], ("archive/version", b"3\n")])
        path = write("case_%d%d.pt" % order, data)
        if torch.load(path) == {"marker": "B", "reduced": 3}:
            expect_ambiguous(path)
            return
    raise AssertionError("torch.load never read archive/DATA.PKL")


def zip_nul_in_name():
    # PyTorch lists records as C strings: "constants.pkl\0x" is a TorchScript
    # archive's constants.pkl there, and torch.load hands the file to
    # torch.jit.load.
    data = zip_with([("archive/data.pkl", obj_pickle({"marker": "A"})),
                     ("archive/version", b"3\n"),
                     ("archive/constants.pklQ", b"")])
    data = data.replace(b"archive/constants.pklQ", b"archive/constants.pkl\x00")
    path = write("nul_name.pt", data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            torch.load(path)
        except Exception:  # noqa: BLE001  (torch.jit.load fails on it; it was reached)
            pass
    assert any("TorchScript" in str(w.message) for w in caught), [str(w.message) for w in caught]
    expect_ambiguous(path)


def zip_entries_on_this_disk():
    # miniz (mz_zip_reader_read_central_dir) refuses an end record whose
    # entries on this disk differ from the total, a ZIP64 locator counting
    # other than one disk and an entry starting on a disk other than 0 or 1,
    # as "unsupported multidisk archive"; ptser read them all and verify
    # called them clean.  Now ptser refuses them too (exit 1, the file cannot
    # be read), and an entry on disk 1, which miniz reads, still loads.
    f = io.BytesIO()
    torch.save({"w": torch.tensor([1.0, 2.0])}, f)
    saved = f.getvalue()
    z64 = saved.rindex(b"PK\x06\x06")
    locator = saved.rindex(b"PK\x06\x07")
    classic = zip_with([("archive/data.pkl", obj_pickle({"marker": "A"})),
                        ("archive/version", b"3\n")])
    end = classic.rindex(b"PK\x05\x06")
    entry = classic.index(b"PK\x01\x02")

    def poke(data, at, fmt, value):
        return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]

    refused = {
        "zip64_on_disk": (poke(saved, z64 + 24, "<Q", 2), "entries on this disk"),
        "classic_on_disk": (poke(classic, end + 8, "<H", 1), "entries on this disk"),
        "entry_disk_2": (poke(classic, entry + 34, "<H", 2), "starts on disk 2"),
        "locator_disks_2": (poke(saved, locator + 16, "<I", 2), "has 2 disks"),
    }
    for name, (data, message) in refused.items():
        path = write("multidisk_%s.pt" % name, data)
        try:
            torch.load(path)
            raise AssertionError("torch.load read %s" % name)
        except RuntimeError as e:
            assert "multidisk" in str(e), (name, str(e))
        rc, text = verify(path)
        assert rc == 1 and message in text and "clean" not in text, (name, rc, text)
    path = write("multidisk_entry_disk_1.pt", poke(classic, entry + 34, "<H", 1))
    assert torch.load(path) == {"marker": "A"}
    rc, text = verify(path)
    assert rc == 0 and "clean" in text, (rc, text)


# ---------------------------------------------------------------- tar helpers

def octal(value, width):
    return ("%0*o" % (width - 1, value)).encode() + b"\0"


def tar_header(name, size, typeflag=b"0", prefix=b""):
    block = bytearray(512)
    block[0:len(name)] = name
    block[100:108] = octal(0o600, 8)
    block[108:116] = octal(1000, 8)
    block[116:124] = octal(1000, 8)
    block[124:136] = octal(size, 12)
    block[136:148] = octal(1486000000, 12)
    block[156:157] = typeflag
    block[257:265] = b"ustar\x0000"
    block[345:345 + len(prefix)] = prefix
    set_checksum(block)
    return bytes(block)


def set_checksum(block):
    block[148:156] = b" " * 8
    block[148:156] = ("%06o" % sum(block)).encode() + b"\0 "


def padded(data):
    return data + b"\0" * (-len(data) % 512)


def tar_member(name, data):
    return tar_header(name, len(data)) + padded(data)


def pax_member(records, name, data):
    # Each record's length prefix counts itself.
    out = b""
    for k, v in records:
        body = b" %s=%s\n" % (k, v)
        n = len(body) + 1
        while len(str(n)) + len(body) != n:
            n = len(str(n)) + len(body)
        out += str(n).encode() + body
    pax = out
    return tar_header(b"././@PaxHeader", len(pax), b"x") + padded(pax) + tar_member(name, data)


# The members of an old (<= 0.1.9) file with no tensors, protocol 0 (ASCII).
STORAGES = pickle.dumps(0, protocol=0) + pickle.dumps([], protocol=0)
TENSORS = pickle.dumps(0, protocol=0)
END = b"\0" * 1024


def tar_pax_duplicate_path():
    # tarfile keeps the last `path` ("zzz"): its `pickle` is the first member,
    # which calls len; ptser kept the first and read the second.
    tar = (tar_member(b"storages", STORAGES) + tar_member(b"tensors", TENSORS) +
           tar_member(b"pickle", pickle.dumps({"marker": "evil", "reduced": Len()}, protocol=0)) +
           pax_member([(b"path", b"pickle"), (b"path", b"zzz")], b"x",
                      pickle.dumps({"marker": "benign"}, protocol=0)) + END)
    path = write("pax_duplicate.pt", tar)
    assert torch.load(path) == {"marker": "evil", "reduced": 3}
    expect_ambiguous(path)


def tar_pax_path_trailing_slash():
    # tarfile strips the '/': the second member is its `pickle`.  ptser now
    # reads the same member, and refuses the global it names.
    tar = (tar_member(b"storages", STORAGES) + tar_member(b"tensors", TENSORS) +
           tar_member(b"pickle", pickle.dumps({"marker": "benign"}, protocol=0)) +
           pax_member([(b"path", b"pickle/")], b"x",
                      pickle.dumps({"marker": "evil", "reduced": Len()}, protocol=0)) + END)
    path = write("pax_slash.pt", tar)
    assert torch.load(path) == {"marker": "evil", "reduced": 3}
    rc, text = verify(path)
    assert rc == 3 and "REFUSED" in text and "len (first at" in text, \
        "verify: exit %d\n%s" % (rc, text)


def tar_padding_cut_off():
    # tarfile raises ReadError for the cut padding; torch.load then reads the
    # file as a legacy one: pickle.load at offset 0, where the first header's
    # name field is a protocol-0 pickle calling print.
    name = b"cbuiltins\nprint\n(S'" + MARKER.encode() + b"'\ntR."
    tar = (tar_header(name, 0) + tar_member(b"storages", STORAGES) +
           tar_member(b"tensors", TENSORS))
    body = pickle.dumps({"marker": "benign"}, protocol=0)
    tar += tar_header(b"pickle", len(body)) + body  # no padding, no end blocks
    path = write("padding_cut.pt", tar)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            torch.load(path)
        except RuntimeError as e:
            assert "magic number" in str(e), e
    assert MARKER in printed.getvalue(), printed.getvalue()
    expect_ambiguous(path)


def tar_bad_mtime_ends_the_archive():
    # tarfile ends the archive at a header whose mtime is no number, so its
    # `pickle` is the first one; ptser read the one after.
    second = bytearray(tar_header(b"pickle", 0))
    body = pickle.dumps({"marker": "benign"}, protocol=0)
    second[124:136] = octal(len(body), 12)
    second[136:148] = b"not a time\0\0"
    set_checksum(second)
    tar = (tar_member(b"storages", STORAGES) + tar_member(b"tensors", TENSORS) +
           tar_member(b"pickle", pickle.dumps({"marker": "evil", "reduced": Len()}, protocol=0)) +
           bytes(second) + padded(body) + END)
    path = write("bad_mtime.pt", tar)
    assert torch.load(path) == {"marker": "evil", "reduced": 3}
    rc, text = verify(path)
    assert rc == 3 and "ambiguous: malformed mtime" in text, "verify: exit %d\n%s" % (rc, text)


def tar_storages_member_calls():
    # Not a differential but the same danger (issue 12 §5): torch.load
    # unpickles the storages member with plain pickle.load, so verify must
    # judge it too (ptser once scanned only the pickle member: "clean").
    storages = b"cbuiltins\nprint\n(S'" + MARKER.encode() + b"'\ntR."
    tar = (tar_member(b"storages", storages) + tar_member(b"tensors", TENSORS) +
           tar_member(b"pickle", pickle.dumps({"marker": "benign"}, protocol=0)) + END)
    path = write("tar_storages_print.pt", tar)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            torch.load(path)
        except TypeError:  # range(None): print returned None
            pass
    assert MARKER in printed.getvalue(), printed.getvalue()
    rc, text = verify(path)
    assert rc == 3 and "BAD  tar members" in text and "print" in text, \
        "verify: exit %d\n%s" % (rc, text)


# ------------------------------------------------------------- legacy helpers

LEGACY_MAGIC = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
LEGACY_PROTOCOL = pickle.dumps(1001, protocol=2)


def legacy_that_is_a_tar():
    # A legacy file whose sys_info pickle is one str; the str's bytes make the
    # file's first 512 bytes a tar header, followed by a whole tar archive.
    # torch.load tries tarfile first and reads the tar (its pickle calls len);
    # the legacy stream says {"marker": "legacy"}.
    start = LEGACY_MAGIC + LEGACY_PROTOCOL + b"\x80\x02X"
    members = (tar_member(b"storages", STORAGES) + tar_member(b"tensors", TENSORS) +
               tar_member(b"pickle", pickle.dumps({"marker": "tar", "reduced": Len()},
                                                  protocol=0)) + END)
    payload_len = 512 + len(members) - len(start) - 4
    block = bytearray(tar_header(b"", 0))
    head = start + struct.pack("<I", payload_len)
    block[0:len(head)] = head
    set_checksum(block)
    stream = bytes(block) + members + b"."
    assert stream[:len(head)] == head
    stream += pickle.dumps({"marker": "legacy"}, protocol=2) + pickle.dumps([], protocol=2)
    path = write("legacy_tar.pt", stream)
    # What the legacy reading gives, skipping tarfile (a file object that is
    # not a real file makes torch.load skip the tar attempt).
    with open(path, "rb") as f:
        assert torch.load(io.BytesIO(f.read())) == {"marker": "legacy"}
    assert torch.load(path) == {"marker": "tar", "reduced": 3}
    expect_ambiguous(path)


def legacy_trailing_bytes():
    # torch.load stops after the last storage and ignores what follows.
    f = io.BytesIO()
    torch.save({"w": torch.tensor([1.0, 2.0])}, f, _use_new_zipfile_serialization=False)
    path = write("legacy_trailing.pt", f.getvalue() + b"PK\x05\x06 a second file")
    assert torch.equal(torch.load(path)["w"], torch.tensor([1.0, 2.0]))
    expect_ambiguous(path)


def tar_storage_saved_twice():
    # Not a differential (ptser agrees): a storage key saved twice in the
    # storages member; 1.13's tar reader keeps the last copy, with its own
    # type and size (ptser's StorageTable::Redeclare).
    def p2(body):
        return b"\x80\x02" + body + b"."

    def tup(*items):
        return b"(" + b"".join(items) + b"t"

    def text(v):
        return b"X" + struct.pack("<I", len(v)) + v

    five, cpu = b"K\x05", text(b"cpu")
    storages = (p2(b"K\x02") +
                p2(tup(five, cpu, b"ctorch\nFloatStorage\n")) + struct.pack("<q4f", 4, 1, 2, 3, 4) +
                p2(tup(five, cpu, b"ctorch\nDoubleStorage\n")) +
                struct.pack("<q4d", 4, 10, 20, 30, 40) + p2(b"]"))
    tensors = (p2(b"K\x01") + p2(tup(b"K\x07", five, b"ctorch\nDoubleTensor\n")) +
               struct.pack("<4q", 1, 4, 1, 0))
    tar = (tar_member(b"sys_info", p2(b"}")) + tar_member(b"pickle", p2(text(b"7") + b"Q")) +
           tar_member(b"tensors", tensors) + tar_member(b"storages", storages) + END)
    path = write("tar_storage_twice.pt", tar)
    expected = torch.tensor([10.0, 20.0, 30.0, 40.0], dtype=torch.float64)
    assert torch.equal(torch.load(path), expected)
    out = os.path.join(TMP, "tar_storage_twice_zip.pt")
    r = subprocess.run([PTSER, "convert", path, out], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    back = torch.load(out)
    assert back.dtype == torch.float64 and torch.equal(back, expected), back


def zip_storage_named_twice_with_another_size():
    # Not a differential (ptser agrees): torch.load hands back the storage it
    # already loaded for a key, whatever size a later persistent id names
    # (ptser's StorageTable::Declare keeps the first size).
    class Pids(pickle.Pickler):
        def persistent_id(self, obj):
            return obj[1:] if isinstance(obj, tuple) and obj and obj[0] == "PID" else None

    class Rebuilt:
        def __init__(self, numel, size):
            pid = ("PID", "storage", torch.FloatStorage, "0", "cpu", numel)
            self.args = (pid, 0, (size,), (1,), False, collections.OrderedDict())

        def __reduce__(self):
            return (torch._utils._rebuild_tensor_v2, self.args)

    f = io.BytesIO()
    Pids(f, protocol=2).dump([Rebuilt(4, 4), Rebuilt(2, 2)])
    path = write("storage_named_twice.pt", zip_with([
        ("archive/data.pkl", f.getvalue()),
        ("archive/data/0", struct.pack("<4f", 1, 2, 3, 4)),
        ("archive/version", b"3\n")]))
    a, b = torch.load(path)
    assert torch.equal(a, torch.tensor([1.0, 2, 3, 4])) and torch.equal(b, torch.tensor([1.0, 2]))
    out = os.path.join(TMP, "storage_named_twice_out.pt")
    r = subprocess.run([PTSER, "convert", path, out], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    c, d = torch.load(out)
    assert torch.equal(c, a) and torch.equal(d, b)
    assert c.storage().data_ptr() == d.storage().data_ptr()  # still one storage


for case in [zip_two_end_records, zip_names_equal_ignoring_case, zip_nul_in_name,
             zip_entries_on_this_disk,
             tar_pax_duplicate_path, tar_pax_path_trailing_slash, tar_padding_cut_off,
             tar_bad_mtime_ends_the_archive, tar_storages_member_calls, legacy_that_is_a_tar,
             legacy_trailing_bytes, tar_storage_saved_twice,
             zip_storage_named_twice_with_another_size]:
    check(case.__name__, case)

failed = sum(1 for _, e in RESULTS if e is not None)
print("%d passed, %d failed" % (len(RESULTS) - failed, failed))
sys.exit(1 if failed else 0)
