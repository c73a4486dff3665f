#!/usr/bin/python3
"""ZIP64: a checkpoint over 4 GiB, both directions (heavy: ~9 GB of disk, ~1 min).

torch.save writes [a 4.3e9-byte tensor, tensor([1., 2., 3.])] (zip64 extras
for the large size and for the header offset past 4 GiB, 24-byte data
descriptors); ptser loads it memory-mapped and saves it again: the bytes must
equal torch's; then torch.load reads ptser's file.
"""
import filecmp
import os
import subprocess
import sys
import tempfile

import torch

TOOL = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ptser_zip64_", dir=os.environ.get("TEST_TMPDIR"))
a = os.path.join(tmp, "a", "big.pt")
b = os.path.join(tmp, "b", "big.pt")
os.makedirs(os.path.dirname(a))
os.makedirs(os.path.dirname(b))
big = torch.zeros(4_300_000_000, dtype=torch.uint8)
big[-1] = 7
torch.save([big, torch.tensor([1.0, 2.0, 3.0])], a)
del big
assert os.path.getsize(a) > 4 * 2**30
r = subprocess.run([TOOL, "resave", a, b, "--mmap"], capture_output=True, text=True)
assert r.returncode == 0, r.stderr
assert filecmp.cmp(a, b, shallow=False), "ptser's zip64 file differs from torch.save's"
os.remove(a)
x, y = torch.load(b)
assert x.numel() == 4_300_000_000 and int(x[-1]) == 7 and int(x[0]) == 0
assert torch.equal(y, torch.tensor([1.0, 2.0, 3.0]))
print("1 passed, 0 failed")
