#!/usr/bin/python3
"""PyTorch, libtorch and ptser side by side on the same files (issue 4's benchmark).

    /usr/bin/python3 tools/bench/side_by_side.py [--rounds 5] [--dir DIR] [--quick]

Makes three checkpoints with real PyTorch 1.13 (plain dicts: libtorch's C++
reader cannot read OrderedDict):

  big     a ~1 GiB state dict of 200 float32 tensors
  small   100,000 tensors of 16 floats
  views   8 views of one 256 MiB storage

then runs, interleaved round by round (so drift hits every contender alike):
the machine's limits on each file (read() into fresh memory, memcpy, mmap and
touch every page, sequential write with and without fsync; tools/bench/
ptser_bench limits), torch.load (in this process), libtorch's C++ load
(tools/bench/libtorch_load.cc, built here against libtorch-dev), ptser's
copying and memory-mapped loads, torch.save and ptser's save.  Also `ptser
convert` of a 512 MiB state dict against torch.save(torch.load()), and the
peak memory of a copying load (one load in a fresh process).  Prints medians
as a Markdown table (what docs/performance.md shows) and writes every sample
to DIR/side_by_side.json.  --quick shrinks the files 8x for a smoke run.
Needs a quiet machine: run nothing else meanwhile.
"""
import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, cwd=ROOT, **kw)


# Debian packages this script needs beyond what tools/bazel installs: the
# libtorch peer is compiled against libtorch-dev's headers and libraries.
PACKAGES = ["libtorch-dev"]


def missing_packages():
    missing = []
    for p in PACKAGES:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(p)
    return missing


def build(work):
    sh("tools/bazel", "build", "-c", "opt", "//tools/bench:ptser_bench", "//tools:ptser",
       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bin_dir = subprocess.run(["tools/bazel", "info", "-c", "opt", "bazel-bin"], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.strip()
    libtorch = os.path.join(work, "libtorch_load")
    sh("g++", "-O2", "-std=c++17", "-o", libtorch, "tools/bench/libtorch_load.cc",
       "-I/usr/include/torch/csrc/api/include", "-ltorch", "-ltorch_cpu", "-lc10")
    return (os.path.join(bin_dir, "tools/bench/ptser_bench"), os.path.join(bin_dir, "tools/ptser"),
            libtorch)


def make_files(work, scale):
    files = {}
    g = torch.Generator().manual_seed(0)
    n_big = 200
    per = (1 << 30) // scale // 4 // n_big
    big = {f"layer{i}.weight": torch.rand(per, generator=g) for i in range(n_big)}
    files["big"] = os.path.join(work, "big.pt")
    torch.save(big, files["big"])
    del big
    small = {f"layers.{i}.weight": torch.rand(16, generator=g) for i in range(100000 // scale)}
    files["small"] = os.path.join(work, "small.pt")
    torch.save(small, files["small"])
    del small
    base = torch.rand((256 << 20) // scale // 4, generator=g)
    step = base.numel() // 8
    views = {f"view{i}": base[i * step:(i + 1) * step] for i in range(8)}
    files["views"] = os.path.join(work, "views.pt")
    torch.save(views, files["views"])
    del views, base
    half = {f"w{i}": torch.rand((512 << 20) // scale // 4 // 128, generator=g) for i in range(128)}
    files["convert"] = os.path.join(work, "convert.pt")
    torch.save(half, files["convert"])
    del half
    gc.collect()
    return files


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def remove(p):
    if os.path.exists(p):
        os.remove(p)


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return (time.perf_counter() - t0) * 1000.0, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    missing = missing_packages()
    if missing:
        print("side_by_side.py: the libtorch peer needs %s: apt-get install %s"
              % (", ".join(missing), " ".join(missing)), file=sys.stderr)
        sys.exit(2)
    work = args.dir or tempfile.mkdtemp(prefix="ptser_bench_", dir="/var/tmp")
    os.makedirs(work, exist_ok=True)
    ptser_bench, ptser_cli, libtorch = build(work)
    files = make_files(work, 8 if args.quick else 1)
    torch.set_num_threads(1)
    samples = {}

    def add(case, what, ms):
        samples.setdefault(case, {}).setdefault(what, []).extend(ms)

    out_pt = os.path.join(work, "out.pt")
    for case in ("big", "small", "views", "convert"):  # warm the page cache
        torch.load(files[case])
    for r in range(args.rounds):
        for case in ("big", "small", "views"):
            f = files[case]
            # Before anything that writes, flush what earlier steps left
            # dirty, so no contender pays for another's writeback.
            os.sync()
            for rec in run_json([ptser_bench, "limits", f, "1"]):
                add(case, rec["what"], rec["ms"])
            ms, obj = timed(lambda: torch.load(f))
            add(case, "torch_load", [ms])
            remove(out_pt)  # every contender writes a new file (see ptser_bench save)
            os.sync()
            ms, _ = timed(lambda: torch.save(obj, out_pt))
            add(case, "torch_save", [ms])
            del obj
            gc.collect()
            for rec in run_json([libtorch, f, "1"]):
                add(case, rec["what"], rec["ms"])
            for rec in run_json([ptser_bench, "load", f, "1"]):
                add(case, rec["what"], rec["ms"])
            for rec in run_json([ptser_bench, "load", f, "1", "--mmap"]):
                add(case, rec["what"], rec["ms"])
            os.sync()
            for rec in run_json([ptser_bench, "save", f, out_pt, "1"]):
                add(case, rec["what"], rec["ms"])
            os.sync()
            for rec in run_json([ptser_bench, "save", f, out_pt, "1", "--durable"]):
                add(case, rec["what"], rec["ms"])
        f = files["convert"]
        remove(out_pt)
        os.sync()
        ms, _ = timed(lambda: torch.save(torch.load(f), out_pt))
        add("convert", "torch_load_save", [ms])
        gc.collect()
        remove(out_pt)
        os.sync()
        t0 = time.perf_counter()
        sh(ptser_cli, "convert", f, out_pt, "--no-fsync", stdout=subprocess.DEVNULL)
        add("convert", "ptser_convert_no_fsync", [(time.perf_counter() - t0) * 1000.0])
        remove(out_pt)
        os.sync()
        t0 = time.perf_counter()
        sh(ptser_cli, "convert", f, out_pt, stdout=subprocess.DEVNULL)
        add("convert", "ptser_convert", [(time.perf_counter() - t0) * 1000.0])
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    # Peak memory in a fresh process (/usr/bin/time's child: a child forked
    # from this Python would start with its resident set).
    for case in ("big", "small", "views"):
        for what, cmd in (("ptser_load", [ptser_bench, "load", files[case], "1"]),
                          ("libtorch_load", [libtorch, files[case], "1"])):
            rss = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True,
                                 text=True, check=True)
            add(case, what + "_max_rss_kb", [int(rss.stderr.strip().splitlines()[-1])])
    # Peak memory of ptser convert (fresh process).
    rss = subprocess.run(["/usr/bin/time", "-f", "%M", ptser_cli, "convert", files["convert"],
                          out_pt, "--no-fsync"], capture_output=True, text=True, check=True)
    add("convert", "ptser_convert_max_rss_kb", [int(rss.stderr.strip().splitlines()[-1])])

    sizes = {case: os.path.getsize(f) for case, f in files.items()}
    with open(os.path.join(work, "side_by_side.json"), "w") as fh:
        json.dump({"sizes": sizes, "rounds": args.rounds, "samples": samples}, fh, indent=1)
    med = {c: {w: statistics.median(v) for w, v in d.items()} for c, d in samples.items()}
    print("| case (file size) | what | median | min – max |")
    print("|---|---|---|---|")
    for case in ("big", "small", "views", "convert"):
        for what, m in med[case].items():
            unit = "KiB" if what.endswith("_kb") else "ms"
            lo, hi = min(samples[case][what]), max(samples[case][what])
            print(f"| {case} ({sizes[case] / 2**20:.1f} MiB) | {what} | {m:.1f} {unit} | "
                  f"{lo:.1f} – {hi:.1f} |")
    print()
    print("| goal (issue 4 / issue 5) | target | measured |")
    print("|---|---|---|")
    big, small = med["big"], med["small"]
    goals = [
        ("copying 1 GiB load / read() into fresh memory", "<= 1.15x",
         big["ptser_load"] / big["limit_read"]),
        ("memory-mapped 1 GiB load", "< 10 ms", big["ptser_load_mmap"]),
        ("100k small tensors: torch.load / ptser", ">= 10x", small["torch_load"] / small["ptser_load"]),
        ("100k small tensors: libtorch / ptser", ">= 2x", small["libtorch_load"] / small["ptser_load"]),
        ("save 1 GiB / plain write (no fsync)", "<= 1.5x", big["ptser_save"] / big["limit_write"]),
        ("save 256 MiB of views / plain write (no fsync)", "<= 1.5x",
         med["views"]["ptser_save"] / med["views"]["limit_write"]),
        ("durable save 1 GiB / write + fsync", "(reported)",
         big["ptser_save_durable"] / big["limit_write_fsync"]),
        ("peak memory of a copying 1 GiB load / file size", "<= 1.1x",
         big["ptser_load_max_rss_kb"] * 1024 / sizes["big"]),
        ("512 MiB: torch.save(torch.load()) / ptser convert --no-fsync", ">= 3x",
         med["convert"]["torch_load_save"] / med["convert"]["ptser_convert_no_fsync"]),
        ("peak memory of ptser convert / file size", "< 1.2x",
         med["convert"]["ptser_convert_max_rss_kb"] * 1024 / sizes["convert"]),
    ]
    for name, target, value in goals:
        unit = " ms" if "ms" in target else "x"
        print(f"| {name} | {target} | {value:.2f}{unit} |")
    print(f"\nsamples: {os.path.join(work, 'side_by_side.json')}", file=sys.stderr)
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
