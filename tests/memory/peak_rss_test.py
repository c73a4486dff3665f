#!/usr/bin/python3
"""Peak memory of the ptser command line on amplification inputs (issue 12 §4).

Goal: every command on every input peaks at most 2x the input + 100 MB
(resident set, measured with GNU time), except the EXCEPTIONS, each with its
bound and reason (docs/security.md lists them as open).  The inputs are made here, in
seconds, never committed: a million-deep memo pickle, a deflated data.pkl
declaring 3 GiB, a million empty lists (or dicts, or DUPs of one list), an unreferenced deflated record of 3 GiB, a 100,000-tensor
checkpoint, a safetensors header of a million numbers and a stride-0 tensor
of 1.2 GB as safetensors.

Run by peak_rss_test.sh with the ptser binary's path (tagged heavy: minutes).
Prints one line per command and "N passed, N failed".
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import torch

PTSER = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="ptser_peak_rss_", dir=os.environ.get("TEST_TMPDIR"))
MB = 1 << 20
RESULTS = []

# (input, command) -> (bound in bytes as a function of the input's size, why).
EXCEPTIONS = {
    # A million empty lists loaded with the limit raised (--max-pickle-growth
    # 1000): the value graph is kept, as torch.load keeps it, about 220 bytes
    # a list with its stack slot.  Under the default it is refused (below).
    ("flat_lists.pt", "inspect --max-pickle-growth"):
        (lambda n: 240 * n + 100 * MB, "value graph of 1M lists, limit raised"),
}


def measure(args):
    """Runs ptser ARGS under /usr/bin/time; returns (exit code, peak RSS in
    bytes, output).  (wait4 on a child of this process would report this
    process's own peak too: Linux keeps the high-water mark across exec.)"""
    with tempfile.NamedTemporaryFile() as rss, tempfile.TemporaryFile() as out:
        rc = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", rss.name, PTSER] + args,
                             stdout=out, stderr=subprocess.STDOUT)
        peak_kb = int(open(rss.name).read().split()[-1])
        out.seek(0)
        text = out.read()[-2000:].decode("utf-8", "replace")
    return rc, peak_kb * 1024, text


def check(name, args, expect_rc, expect_text=None):
    path = args[-1] if not args[0] == "convert" else args[1]
    size = os.path.getsize(path)
    key = (os.path.basename(path), " ".join(a for a in args[:-1] if a.startswith("-") or
                                             a in ("verify", "inspect", "convert")))
    bound, why = EXCEPTIONS.get(key, (lambda n: 2 * n + 100 * MB, "goal: 2x input + 100 MB"))
    rc, peak, text = measure(args)
    ok = rc == expect_rc and peak <= bound(size) and (expect_text is None or expect_text in text)
    RESULTS.append(ok)
    print("%s %-48s input %7.1f MB  peak %7.1f MB  bound %7.1f MB (%s)  exit %d" % (
        "PASS" if ok else "FAIL", name, size / MB, peak / MB, bound(size) / MB, why, rc))
    if not ok:
        print("  expected exit %d%s; output:\n%s" % (
            expect_rc, ", text %r" % expect_text if expect_text else "", text[-600:]))


def path(name):
    return os.path.join(TMP, name)


def zip_records(out, records):
    """A zip of (name, method, payload, crc, size) written by hand: the
    payload may be a deflate stream of gigabytes made without inflating."""
    body, cd = b"", b""
    for name, method, payload, crc, size in records:
        n = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc,
                             len(payload), size, len(n), 0)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc,
                          len(payload), size, len(n), 0, 0, 0, 0, 0, len(body)) + n
        body += header + n + payload
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), len(cd),
                      len(body), 0)
    with open(out, "wb") as f:
        f.write(body + cd + end)


def deflated_pairs(pairs, head=b"\x80\x02", tail=b"N."):
    """head + b"N0" * pairs + tail, deflated by repeating one fully flushed
    block: (stream, crc, size)."""
    block_pairs = 32 << 10
    assert pairs % block_pairs == 0
    text = b"N0" * block_pairs
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(text) + z.flush(zlib.Z_FULL_FLUSH)
    last = z.compress(tail) + z.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    block_crc_state = crc
    chunks = [first]
    for _ in range(pairs // block_pairs):
        chunks.append(block)
        block_crc_state = zlib.crc32(text, block_crc_state)
    chunks.append(last)
    crc = zlib.crc32(tail, block_crc_state)
    return b"".join(chunks), crc, len(head) + 2 * pairs + len(tail)


def make_inputs():
    # 1. A million lists memoized, then appended into each other (19 MB).
    levels = 1000000
    p = bytearray(b"\x80\x02")
    for i in range(levels):
        p += b"]r" + struct.pack("<I", i) + b"0"
    for i in range(levels - 1, 0, -1):
        p += b"j" + struct.pack("<I", i) + b"j" + struct.pack("<I", i - 1) + b"a0"
    p += b"j" + struct.pack("<I", levels - 1) + b"."
    zip_records(path("deep_memo.pt"), [
        ("archive/data.pkl", 0, bytes(p), zlib.crc32(p), len(p)),
        ("archive/version", 0, b"3\n", zlib.crc32(b"3\n"), 2)])
    # 1b. A million empty lists in one list (1 MB), and (1c) a million
    # references to one list (DUP) and (1d) a million empty dicts.
    for name, body in (("flat_lists.pt", b"]" * levels), ("dup_lists.pt", b"]" + b"2" * levels),
                       ("flat_dicts.pt", b"}" * levels)):
        flat = b"\x80\x02(" + body + b"l."
        zip_records(path(name), [
            ("archive/data.pkl", 0, flat, zlib.crc32(flat), len(flat)),
            ("archive/version", 0, b"3\n", zlib.crc32(b"3\n"), 2)])
    # 2. A deflated data.pkl declaring 3 GiB (about 4 MB).
    stream, crc, size = deflated_pairs(3 << 29)
    zip_records(path("deflated_pickle.pt"), [
        ("archive/data.pkl", 8, stream, crc, size),
        ("archive/version", 0, b"3\n", zlib.crc32(b"3\n"), 2)])
    # 3. An ordinary checkpoint plus an unreferenced deflated record of 3 GiB.
    small = obj = b"\x80\x02N."
    zip_records(path("unreferenced.pt"), [
        ("archive/data.pkl", 0, small, zlib.crc32(small), len(small)),
        ("archive/junk", 8, stream, crc, size),
        ("archive/version", 0, b"3\n", zlib.crc32(b"3\n"), 2)])
    # 4. A genuine checkpoint of 100,000 tensors.
    sd = {"layer%d.weight" % i: torch.full((2,), float(i)) for i in range(100000)}
    torch.save(sd, path("tensors_100k.pt"))
    del sd
    # 5. A safetensors header of a million numbers (about 2 MB).
    header = b'{"__metadata__": {"x": "1"}, "n": [' + b"1," * 1000000 + b"1]}"
    with open(path("numbers.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
    # 6. A stride-0 tensor of 300 M float32 elements (1.2 GB contiguous).
    torch.save({"w": torch.zeros(1).expand(300000000)}, path("stride0.pt"))


make_inputs()
for command in (["verify"], ["inspect"], ["inspect", "--pickle"], ["inspect", "--pickle", "--json"]):
    # Only the disassembly succeeds: the rest loads, and the load refuses
    # the chain of a million lists ("nested deeper than 1000").
    listing = command == ["inspect", "--pickle"]
    check("%s deep_memo.pt" % " ".join(command), command + [path("deep_memo.pt")],
          0 if listing else 1, "LONG_BINGET" if listing else "nested deeper than 1000")
# Issue 12: what the pickle allocates is charged at real sizes and bounded by
# max_pickle_growth times the file (at least 64 MiB): refused, within the goal.
for name in ("flat_lists.pt", "dup_lists.pt", "flat_dicts.pt"):
    for command in (["verify"], ["inspect"]):
        check("%s %s" % (" ".join(command), name), command + [path(name)], 1,
              "max_pickle_growth")
check("inspect --max-pickle-growth 1000 flat_lists.pt",
      ["inspect", "--max-pickle-growth", "1000", path("flat_lists.pt")], 0, "0 tensors")
for command in (["verify"], ["inspect"], ["inspect", "--pickle", "--json"]):
    check("%s deflated_pickle.pt" % " ".join(command), command + [path("deflated_pickle.pt")], 1,
          "max_pickle_growth")
check("convert deflated_pickle.pt", ["convert", path("deflated_pickle.pt"), path("out.safetensors")],
      1, "max_pickle_growth")
check("verify unreferenced.pt", ["verify", path("unreferenced.pt")], 0, "clean")
for command in (["verify"], ["inspect"], ["inspect", "--pickle", "--json"]):
    check("%s tensors_100k.pt" % " ".join(command), command + [path("tensors_100k.pt")], 0)
for command in (["verify"], ["inspect"]):
    check("%s numbers.safetensors" % " ".join(command), command + [path("numbers.safetensors")], 1)
check("convert stride0.pt to safetensors",
      ["convert", path("stride0.pt"), path("stride0.safetensors")], 1, "--max-growth")

failed = RESULTS.count(False)
print("%d passed, %d failed" % (len(RESULTS) - failed, failed))
sys.exit(1 if failed else 0)
