#!/usr/bin/python3
"""Two builds of ptser's load benchmarks, interleaved round by round: does a
change (a refactor) cost anything?

    /usr/bin/python3 tools/bench/ab_compare.py BASE_DIR MINE_DIR [--rounds 9]
        [--work DIR] [--big-mib 128]

Each DIR holds ptser_bench (//tools/bench:ptser_bench) and data_pkl_benchmark
(//archive:data_pkl_benchmark), built with -c opt from the two commits (a
second `git worktree` for the base; copy the binaries out of bazel-bin).  Files
are made with real PyTorch as tools/bench/side_by_side.py makes them (small:
100,000 tensors of 16 floats; big: 200 float32 tensors, --big-mib in all;
views: 8 views of one storage of big-mib/4).  Each round runs every case on
both builds, the order of the two flipping every round, so drift on a shared
machine hits both alike.  Prints, per case, both medians and the median of the
per-round ratios mine/base with its quartiles and how many rounds mine was
faster (the paired figure is the one to read on a noisy machine); every sample
goes to WORK/ab.json.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import torch


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("mine")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--work", default=None)
    ap.add_argument("--big-mib", type=int, default=128)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="ptser_ab_", dir="/var/tmp")
    os.makedirs(work, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    files = {}
    files["small"] = os.path.join(work, "small.pt")
    if not os.path.exists(files["small"]):
        torch.save({f"layers.{i}.weight": torch.rand(16, generator=g) for i in range(100000)},
                   files["small"])
    files["big"] = os.path.join(work, "big.pt")
    if not os.path.exists(files["big"]):
        per = (a.big_mib << 20) // 4 // 200
        torch.save({f"layer{i}.weight": torch.rand(per, generator=g) for i in range(200)},
                   files["big"])
    files["views"] = os.path.join(work, "views.pt")
    if not os.path.exists(files["views"]):
        base = torch.rand((a.big_mib << 20) // 4 // 4, generator=g)
        step = base.numel() // 8
        torch.save({f"view{i}": base[i * step:(i + 1) * step] for i in range(8)}, files["views"])
    who = {"base": a.base, "mine": a.mine}
    samples = {}

    def add(key, ms):
        samples.setdefault(key, []).extend(ms if isinstance(ms, list) else [ms])

    out_pt = os.path.join(work, "out.pt")
    for name in who:  # warm the page cache and the binaries
        for f in files.values():
            run_json([os.path.join(who[name], "ptser_bench"), "load", f, "1"])
    for r in range(a.rounds):
        order = ["base", "mine"] if r % 2 == 0 else ["mine", "base"]
        for case, f in files.items():
            for name in order:
                bench = os.path.join(who[name], "ptser_bench")
                for rec in run_json([bench, "load", f, "1"]):
                    add((case, rec["what"], name), rec["ms"])
                for rec in run_json([bench, "load", f, "1", "--mmap"]):
                    add((case, rec["what"], name), rec["ms"])
        for name in order:
            bench = os.path.join(who[name], "ptser_bench")
            if os.path.exists(out_pt):
                os.remove(out_pt)
            for rec in run_json([bench, "save", files["small"], out_pt, "1"]):
                add(("small", rec["what"], name), rec["ms"])
        for name in order:
            out = subprocess.run([os.path.join(who[name], "data_pkl_benchmark"),
                                  "--benchmark_format=json", "--benchmark_min_time=0.3"],
                                 check=True, capture_output=True, text=True).stdout
            for b in json.loads(out)["benchmarks"]:
                unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[b["time_unit"]]
                add(("data.pkl", b["name"], name), b["real_time"] * unit)
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)
    with open(os.path.join(work, "ab.json"), "w") as fh:
        json.dump({"|".join(k): v for k, v in samples.items()}, fh, indent=1)
    keys = sorted({(c, w) for (c, w, _) in samples})
    print("| case | what | base: median ms | mine: median ms | mine/base per round: "
          "median (quartiles) | rounds mine faster |")
    print("|---|---|---|---|---|---|")
    for c, w in keys:
        b, m = samples[(c, w, "base")], samples[(c, w, "mine")]
        ratios = [y / x for x, y in zip(b, m)]
        q = statistics.quantiles(ratios, n=4)
        faster = sum(1 for r in ratios if r < 1)
        print(f"| {c} | {w} | {statistics.median(b):.1f} | {statistics.median(m):.1f} | "
              f"{statistics.median(ratios):.3f} ({q[0]:.2f}–{q[2]:.2f}) | "
              f"{faster}/{len(ratios)} |")


if __name__ == "__main__":
    main()
