"""ptser's Save of device tensors against torch.save (PyTorch 1.13).

device_save_tool writes one checkpoint with its tensors on "cuda:0" (a fake
device) and on the CPU.  This PyTorch has no CUDA, so the reference for the
device file is torch.save of the CPU tensors with torch.serialization's
location_tag answering 'cuda:0' — a new str each call, exactly as
_cuda_tag's `'cuda:' + str(index)` does, so the pickle memoizes it as torch
does for real CUDA storages.  The files must be byte-identical, and
torch.load(map_location='cpu') of ptser's device file must give the values
and storage sharing of the CPU one.
"""
import os
import subprocess
import sys
import tempfile

import torch
import torch.serialization


def main(tool):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool, tmp], check=True)
        ptser_cpu = os.path.join(tmp, "cpu", "ck.pt")
        ptser_cuda = os.path.join(tmp, "cuda", "ck.pt")
        sd = torch.load(ptser_cpu)

        os.makedirs(os.path.join(tmp, "ref"))
        ref = os.path.join(tmp, "ref", "ck.pt")  # same base name: same archive folder
        real_tag = torch.serialization.location_tag
        torch.serialization.location_tag = lambda storage: "cuda:" + str(int("0"))
        try:
            torch.save(sd, ref)
        finally:
            torch.serialization.location_tag = real_tag
        with open(ref, "rb") as f:
            want = f.read()
        with open(ptser_cuda, "rb") as f:
            got = f.read()
        assert b"cuda:0" in got, "no 'cuda:0' location in ptser's file"
        if got != want:
            n = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), None)
            sys.exit(f"ptser's device file differs from torch.save's: {len(got)} vs {len(want)} "
                     f"bytes, first difference at {n}")

        back = torch.load(ptser_cuda, map_location="cpu")
        assert list(back.keys()) == list(sd.keys()), (list(back.keys()), list(sd.keys()))
        for k in sd:
            a, b = back[k], sd[k]
            assert a.device.type == "cpu"
            assert a.dtype == b.dtype and a.shape == b.shape and a.stride() == b.stride(), k
            assert a.storage_offset() == b.storage_offset(), k
            assert torch.equal(a, b), k
            assert type(a) is type(b), (k, type(a), type(b))
        assert back["w"].storage().data_ptr() == back["w_t"].storage().data_ptr()
        assert back["w"].storage().data_ptr() == back["row"].storage().data_ptr()
        # A table remap names the source tag as torch writes it.
        remapped = torch.load(ptser_cuda, map_location={"cuda:0": "cpu"})
        assert torch.equal(remapped["ids"], sd["ids"])
        # Without a mapping, this CUDA-less torch refuses it as it would a real one.
        try:
            torch.load(ptser_cuda)
        except RuntimeError as e:
            assert "Attempting to deserialize object on a CUDA device" in str(e), e
        else:
            sys.exit("torch.load of a 'cuda:0' file succeeded without CUDA")
    print("device save: byte-identical to torch.save with 'cuda:0' locations; loads on the CPU")


if __name__ == "__main__":
    main(sys.argv[1])
