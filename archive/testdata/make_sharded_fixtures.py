#!/usr/bin/python3
"""Builds the sharded-checkpoint fixtures of archive/ (archive/testdata/sharded/) with
real PyTorch 1.13, the way HuggingFace `save_pretrained` writes a large state dict:

  pytorch_model-00001-of-00002.bin, pytorch_model-00002-of-00002.bin
      torch.save of a plain dict each (a part of the state dict; tied weights, which
      share a storage, stay in one shard)
  pytorch_model.bin.index.json
      {"metadata": {"total_size": N}, "weight_map": {name: shard file}}, written as
      json.dumps(index, indent=2, sort_keys=True) + "\\n"
  pytorch_model_legacy.bin.index.json, legacy-00002-of-00002.bin
      the same checkpoint with its second shard in the legacy (non-zip) format
  full.pt
      torch.save of the merged state dict: an OrderedDict in weight_map order.  ptser's
      LoadSharded must give a value that saves back to exactly these bytes.

Run with Debian's /usr/bin/python3 (the interpreter that has torch):
    cd archive/testdata && /usr/bin/python3 make_sharded_fixtures.py
The files are committed; tests never run Python.
"""
import collections
import json
import os

import torch

OUT = "sharded"
os.makedirs(OUT, exist_ok=True)

torch.manual_seed(0)
embed = torch.randn(5, 3)
state_dict = collections.OrderedDict([
    ("embed.weight", embed),
    ("layers.0.weight", torch.randn(4, 3)),
    ("layers.0.bias", torch.randn(4)),
    ("lm_head.weight", embed),  # tied to embed.weight: one storage
    ("layers.1.weight", torch.randn(4).half()),
    ("layers.1.bias", torch.zeros(4, dtype=torch.float16)),
    ("norm.num_batches_tracked", torch.tensor(7)),
])
shard_of = {"embed.weight": 1, "layers.0.weight": 1, "layers.0.bias": 1, "lm_head.weight": 1,
            "layers.1.weight": 2, "layers.1.bias": 2, "norm.num_batches_tracked": 2}
names = {1: "pytorch_model-00001-of-00002.bin", 2: "pytorch_model-00002-of-00002.bin"}
shards = {1: {}, 2: {}}
for key, tensor in state_dict.items():
    shards[shard_of[key]][key] = tensor
for n, shard in shards.items():
    torch.save(shard, os.path.join(OUT, names[n]))
torch.save(shards[2], os.path.join(OUT, "legacy-00002-of-00002.bin"),
           _use_new_zipfile_serialization=False)

seen = set()
total_size = 0
for tensor in state_dict.values():
    if tensor.data_ptr() not in seen:
        seen.add(tensor.data_ptr())
        total_size += tensor.numel() * tensor.element_size()


def write_index(path, shard_names):
    index = {"metadata": {"total_size": total_size},
             "weight_map": {k: shard_names[shard_of[k]] for k in state_dict}}
    with open(os.path.join(OUT, path), "w") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")


write_index("pytorch_model.bin.index.json", names)
write_index("pytorch_model_legacy.bin.index.json",
            {1: names[1], 2: "legacy-00002-of-00002.bin"})


def merge(index_path):
    """What LoadSharded does, in Python: each shard loaded once, weight_map order."""
    with open(index_path) as f:
        weight_map = json.load(f)["weight_map"]
    folder = os.path.dirname(index_path)
    loaded = {}
    for shard in weight_map.values():
        if shard not in loaded:
            loaded[shard] = torch.load(os.path.join(folder, shard))
    for shard, sd in loaded.items():
        assert set(sd) == {k for k, s in weight_map.items() if s == shard}
    return collections.OrderedDict((k, loaded[s][k]) for k, s in weight_map.items())


expected = collections.OrderedDict(sorted(state_dict.items()))
torch.save(expected, os.path.join(OUT, "full.pt"))
for index in ("pytorch_model.bin.index.json", "pytorch_model_legacy.bin.index.json"):
    merged = merge(os.path.join(OUT, index))
    assert list(merged) == list(expected), index
    for k in expected:
        assert torch.equal(merged[k], expected[k]) and merged[k].dtype == expected[k].dtype
    assert merged["embed.weight"].data_ptr() == merged["lm_head.weight"].data_ptr()
print("ok")
