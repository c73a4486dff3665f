#!/usr/bin/python3
"""Modules side by side: ptser's jit/models against PyTorch 1.13, in one run.

    /usr/bin/python3 tools/bench/modules_side_by_side.py [--rounds 5] [--threads N]

Builds //jit/models:models_benchmark (tools/bazel), then interleaves, round by
round, ptser's Google Benchmark (JSON output) with PyTorch on the same work:
torchvision resnet18 and mobilenet_v2 forward on one 1x3x224x224 image (eager
and torch.jit.script'ed), the note's MLP (4 -> 2 -> 1, per-call overhead), and
load_state_dict of resnet18.  PyTorch runs with torch.set_num_threads(N), N
being ptser's thread count (every core unless --threads).  Prints the medians
and ratios as a Markdown table (docs/performance.md, "Modules") and records
which BLAS and oneDNN PyTorch used.  Needs a quiet machine.

Both contenders are pinned to the first N CPUs this process may use
(sched_setaffinity, inherited by the ptser benchmark): ptser's kernels and
oneDNN's OpenMP threads size themselves from the affinity mask, so pinning is
what gives both the same cores.  Each round runs ptser first, then PyTorch,
then ptser's forward benchmarks again, so drift hits both alike.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "bazel-bin", "jit", "models", "models_benchmark")


def best_of(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def torch_round(repeat):
    out = {}
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        for name, make in (("ResNet18Forward", torchvision.models.resnet18),
                           ("MobileNetV2Forward", torchvision.models.mobilenet_v2)):
            model = make().eval()
            out[name + "/eager"] = best_of(lambda: model(x), repeat)
            scripted = torch.jit.script(model)
            out[name + "/script"] = best_of(lambda: scripted(x), repeat)
        mlp = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)).eval()
        xs = torch.randn(1, 4)
        n = 20000
        t = time.perf_counter()
        for _ in range(n):
            mlp(xs)
        out["SmallMlpForward/eager"] = (time.perf_counter() - t) / n
    src = torchvision.models.resnet18().state_dict()
    dst = torchvision.models.resnet18()
    out["ResNet18LoadStateDict/eager"] = best_of(lambda: dst.load_state_dict(src), repeat)
    return out


def ptser_round(bench_filter="."):
    res = subprocess.run([BENCH, "--benchmark_format=json", "--benchmark_repetitions=1",
                          "--benchmark_filter=" + bench_filter],
                         check=True, capture_output=True, text=True)
    out = {}
    for b in json.loads(res.stdout)["benchmarks"]:
        unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        out[b["name"].replace("BM_", "")] = b["real_time"] * unit
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    subprocess.run([os.path.join(ROOT, "tools", "bazel"), "build", "//jit/models:models_benchmark"],
                   check=True, cwd=ROOT)
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:args.threads]))
    torch.set_num_threads(args.threads)
    samples = {}
    for r in range(args.rounds):
        rows = list(ptser_round().items()) + list(torch_round(args.repeat).items())
        rows += list(ptser_round("Forward").items())
        for k, v in rows:
            samples.setdefault(k, []).append(v)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    config = torch.__config__.show()
    dnnl = [l.strip(" -") for l in config.splitlines() if "MKL-DNN" in l or "oneDNN" in l]
    # Debian's torch calls the system libblas.so.3: reference BLAS unless an
    # alternative (OpenBLAS, BLIS) is installed and selected.
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(f"PyTorch {torch.__version__}, {args.threads} thread(s), CPUs "
          f"{sorted(os.sched_getaffinity(0))}; {'; '.join(dnnl)}; BLAS {blas}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| work | ptser | PyTorch eager | PyTorch script | ptser / eager |")
    print("|---|---|---|---|---|")
    for name in ("ResNet18Forward", "MobileNetV2Forward", "SmallMlpForward", "ResNet18LoadStateDict"):
        ours = statistics.median(samples[name])
        eager = statistics.median(samples[name + "/eager"])
        script = samples.get(name + "/script")
        script_s = f"{statistics.median(script) * 1e3:.3f} ms" if script else "—"
        print(f"| {name} | {ours * 1e3:.3f} ms | {eager * 1e3:.3f} ms | {script_s} | {ours / eager:.2f}x |")


if __name__ == "__main__":
    main()
