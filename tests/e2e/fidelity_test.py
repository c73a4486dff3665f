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


check("item 1: legacy files at pickle protocols 1-5 load", legacy_every_protocol)

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
