#!/usr/bin/python3
"""TorchScript load and forward: PyTorch, libtorch and ptser side by side (issue 15).

    /usr/bin/python3 tools/bench/script_side_by_side.py [--rounds 3] [--threads 2,1]
        [--models mlp,mlp_wide,resnet18,mobilenet_v2] [--dir DIR] [--quick]

Makes the archives with real PyTorch 1.13 (torch.jit.script, eval mode,
torch.jit.save) and their inputs (torch.save of the input tuple):

  mlp           the note's MyModule: Linear(4, 2), relu, Linear(2, 1) on a (4,)
                input (per-call overhead: the interpreter and op dispatch)
  mlp_wide      nn.Sequential(Linear(64, 256), ReLU, Linear(256, 256), ReLU,
                Linear(256, 10)) on (1, 64)
  resnet18      torchvision, on (1, 3, 224, 224)
  mobilenet_v2  torchvision, on (1, 3, 224, 224)

then, for each thread count and round by round (so drift hits every
contender alike): torch.jit.load and forward in this process (the Python
reference), libtorch's C++ torch::jit::load and module.forward
(tools/bench/libtorch_script.cc, built here with g++ against libtorch-dev;
once as a plain call, once under NoGradGuard), and ptser's
ptser::jit::Load and Forward (//tools/bench:script_bench, built with
tools/bazel -c opt).  Every contender loads the archive L times (the median
is the load time), calls forward once (first_call: libtorch's profiling
executor optimizes the graph on its early calls), warms up, then times N
calls one by one (median and p90).

Threads: libtorch and PyTorch get at::set_num_threads(T); ptser's kernels
(its own and oneDNN's OpenMP threads) size themselves from the affinity mask
at each call, so every contender is pinned to T CPUs (sched_setaffinity),
which is what gives them the same number of cores.

Before timing, each model's output from ptser and from libtorch is compared
(torch.allclose; the largest difference is printed), so the comparison is
of the same computation.  Prints the medians and the issue's goals as
Markdown (docs/performance.md, "TorchScript: load and forward beside
libtorch") and writes every sample to DIR/script_side_by_side.json.
A model ptser cannot load yet (an operator not implemented) is reported
as such and the rest still run.  Needs a quiet machine.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGES = ["libtorch-dev"]
MODELS = ["mlp", "mlp_wide", "resnet18", "mobilenet_v2"]
# (loads, timed forward calls) per model; --quick divides them.
COUNTS = {"mlp": (50, 20000), "mlp_wide": (50, 5000), "resnet18": (10, 30),
          "mobilenet_v2": (10, 30)}
WARMUP = 20


def missing_packages():
    missing = []
    for p in PACKAGES:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(p)
    return missing


def build(work):
    subprocess.run(["tools/bazel", "build", "-c", "opt", "//tools/bench:script_bench"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bin_dir = subprocess.run(["tools/bazel", "info", "-c", "opt", "bazel-bin"], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout.strip()
    libtorch = os.path.join(work, "libtorch_script")
    subprocess.run(["g++", "-O2", "-std=c++17", "-o", libtorch, "tools/bench/libtorch_script.cc",
                    "-I/usr/include/torch/csrc/api/include", "-ltorch", "-ltorch_cpu", "-lc10"],
                   cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    return os.path.join(bin_dir, "tools/bench/script_bench"), libtorch


class MyModule(torch.nn.Module):
    """The note's module (docs: the TorchScript example)."""

    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


def make_models(work, names):
    torch.manual_seed(0)
    files = {}
    for name in names:
        if name == "mlp":
            model, x = MyModule(), torch.randn(4)
        elif name == "mlp_wide":
            model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                                        torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                        torch.nn.Linear(256, 10))
            x = torch.randn(1, 64)
        else:
            import torchvision
            model, x = getattr(torchvision.models, name)(), torch.randn(1, 3, 224, 224)
        archive = os.path.join(work, name + ".pt")
        inputs = os.path.join(work, name + ".in.pt")
        torch.jit.save(torch.jit.script(model.eval()), archive)
        torch.save((x,), inputs)
        files[name] = (archive, inputs)
    return files


def run_json(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        why = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        # "script_bench: loading /x/resnet18.pt: NOT_FOUND: code/...: unknown
        # operator aten::batch_norm ... [ptser.jit/located='1']" -> from the code.
        why = re.sub(r"^\S+: loading \S+: ", "", re.sub(r" \[ptser[^]]*\]", "", why))
        return None, why
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return lines[-1], None


def pinned(threads):
    """The first `threads` CPUs this process may use."""
    return set(sorted(os.sched_getaffinity(0))[:threads])


def python_reference(archive, inputs, threads, loads, iters):
    """torch.jit.load and forward in this process, pinned and threaded as the others."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, pinned(threads))
    torch.set_num_threads(threads)
    try:
        load_ms = []
        for _ in range(loads):
            t0 = time.perf_counter()
            m = torch.jit.load(archive)
            load_ms.append((time.perf_counter() - t0) * 1e3)
        args = torch.load(inputs)
        t0 = time.perf_counter()
        m(*args)
        first = (time.perf_counter() - t0) * 1e3
        for _ in range(WARMUP - 1):
            m(*args)
        fwd = []
        for _ in range(iters):
            t0 = time.perf_counter()
            m(*args)
            fwd.append((time.perf_counter() - t0) * 1e3)
        return {"what": "pytorch", "load_ms": load_ms, "first_call_ms": first, "forward_ms": fwd}
    finally:
        os.sched_setaffinity(0, saved)


def check_outputs(work, name, archive, inputs, script_bench, libtorch):
    """ptser's and libtorch's forward outputs: (allclose, max abs diff) or an error."""
    ours = os.path.join(work, name + ".ptser_out.pt")
    theirs = os.path.join(work, name + ".libtorch_out.pt")
    common = [archive, inputs, "--iters", "1", "--loads", "1", "--warmup", "1"]
    _, err = run_json([libtorch] + common + ["--output", theirs])
    if err:
        return None, "libtorch: " + err
    _, err = run_json([script_bench] + common + ["--output", ours])
    if err:
        return None, "ptser: " + err
    a, b = torch.load(ours), torch.load(theirs)
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.shape != b.shape:
        return False, f"different results: {type(a).__name__} against {type(b).__name__}"
    # Relative to the output's scale: a randomly initialized mobilenet_v2
    # answers ~1e-8, where a fixed atol would pass anything.
    scale = max(b.abs().max().item(), 1e-30)
    diff = (a.double() - b.double()).abs().max().item() / scale
    return torch.allclose(a, b, rtol=1e-4, atol=1e-5 * scale), diff


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="2,1", help="comma-separated thread counts")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--dir", default=None, help="keep the archives and samples here")
    ap.add_argument("--quick", action="store_true", help="10x fewer loads and calls")
    args = ap.parse_args()
    missing = missing_packages()
    if missing:
        print("script_side_by_side.py: the libtorch peer needs %s: apt-get install %s"
              % (", ".join(missing), " ".join(missing)), file=sys.stderr)
        sys.exit(2)
    names = [m for m in args.models.split(",") if m]
    for m in names:
        if m not in MODELS:
            sys.exit(f"unknown model {m!r}: one of {', '.join(MODELS)}")
    thread_counts = [int(t) for t in args.threads.split(",")]
    if max(thread_counts) > len(os.sched_getaffinity(0)):
        sys.exit(f"--threads {max(thread_counts)}: only {len(os.sched_getaffinity(0))} CPUs here")
    work = args.dir or tempfile.mkdtemp(prefix="ptser_script_bench_", dir="/var/tmp")
    os.makedirs(work, exist_ok=True)
    script_bench, libtorch = build(work)
    files = make_models(work, names)

    checks = {}
    for name in names:
        checks[name] = check_outputs(work, name, *files[name], script_bench, libtorch)
        print(f"{name}: outputs {checks[name]}", file=sys.stderr)

    samples = {}  # (name, threads, contender) -> list of per-round records
    errors = {}
    for r in range(args.rounds):
        for threads in thread_counts:
            for name in names:
                archive, inputs = files[name]
                loads, iters = COUNTS[name]
                if args.quick:
                    loads, iters = max(2, loads // 10), max(3, iters // 10)
                flags = ["--iters", str(iters), "--loads", str(loads), "--warmup", str(WARMUP),
                         "--threads", str(threads)]
                runs = [("pytorch", lambda: (python_reference(archive, inputs, threads, loads,
                                                               iters), None)),
                        ("libtorch", lambda: run_json([libtorch, archive, inputs] + flags)),
                        ("libtorch_no_grad",
                         lambda: run_json([libtorch, archive, inputs] + flags + ["--no-grad"])),
                        ("ptser", lambda: run_json([script_bench, archive, inputs] + flags))]
                for who, fn in runs:
                    rec, err = fn()
                    if err:
                        errors[(name, who)] = err
                        continue
                    samples.setdefault((name, threads, who), []).append(rec)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    with open(os.path.join(work, "script_side_by_side.json"), "w") as fh:
        json.dump({"rounds": args.rounds, "checks": {k: list(v) for k, v in checks.items()},
                   "errors": {f"{k[0]}/{k[1]}": v for k, v in errors.items()},
                   "samples": {f"{k[0]}/{k[1]}/{k[2]}": v for k, v in samples.items()}},
                  fh, indent=1)

    def summary(key):
        recs = samples.get(key)
        if not recs:
            return None
        fwd = [x for rec in recs for x in rec["forward_ms"]]
        loads = [x for rec in recs for x in rec["load_ms"]]
        per_round = [statistics.median(rec["forward_ms"]) for rec in recs]
        return {"load": statistics.median(loads), "first": statistics.median(
            [rec["first_call_ms"] for rec in recs]), "median": statistics.median(fwd),
            "p90": percentile(fwd, 0.9), "lo": min(per_round), "hi": max(per_round)}

    def ms(v):
        return f"{v * 1e3:.1f} µs" if v < 1 else f"{v:.2f} ms"

    print(f"PyTorch {torch.__version__}; {args.rounds} rounds; CPUs {os.cpu_count()}")
    print()
    print("| model | threads | contender | load (median) | first call | forward median "
          "| forward p90 | per-round medians |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        for threads in thread_counts:
            for who in ("pytorch", "libtorch", "libtorch_no_grad", "ptser"):
                s = summary((name, threads, who))
                if s is None:
                    print(f"| {name} | {threads} | {who} | — | — | "
                          f"{errors.get((name, who), 'no result')} | | |")
                    continue
                print(f"| {name} | {threads} | {who} | {ms(s['load'])} | {ms(s['first'])} | "
                      f"{ms(s['median'])} | {ms(s['p90'])} | {ms(s['lo'])} – {ms(s['hi'])} |")
    print()
    print("| model | ptser output == libtorch output (allclose: rtol 1e-4, atol 1e-5 x max abs) |")
    print("|---|---|")
    for name in names:
        ok, detail = checks[name]
        if ok is None:
            print(f"| {name} | not run: {detail} |")
        else:
            d = (f"largest difference {detail:.2g} of the largest output"
                 if isinstance(detail, float) else detail)
            print(f"| {name} | {'yes' if ok else 'NO'}, {d} |")
    print()
    print("| goal (issue 15) | threads | target | measured | met |")
    print("|---|---|---|---|---|")
    for threads in thread_counts:
        for name in names:
            p, l = summary((name, threads, "ptser")), summary((name, threads, "libtorch"))
            if p is None or l is None:
                continue
            ratio = l["load"] / p["load"]
            print(f"| {name} load: torch::jit::load / ptser | {threads} | > 1x | {ratio:.2f}x | "
                  f"{'yes' if ratio > 1 else 'no'} |")
        p, l = summary(("mlp", threads, "ptser")), summary(("mlp", threads, "libtorch"))
        n = summary(("mlp", threads, "libtorch_no_grad"))
        if p and l:
            ratio = l["median"] / p["median"]
            print(f"| mlp forward: libtorch / ptser | {threads} | >= 2x | {ratio:.2f}x "
                  f"(no_grad: {n['median'] / p['median']:.2f}x) | {'yes' if ratio >= 2 else 'no'} |")
        p, l = summary(("resnet18", threads, "ptser")), summary(("resnet18", threads, "libtorch"))
        if p and l:
            ratio = p["median"] / l["median"]
            print(f"| resnet18 forward: ptser / libtorch | {threads} | <= 1.1x | {ratio:.2f}x | "
                  f"{'yes' if ratio <= 1.1 else 'no'} |")
        p, l = (summary(("mobilenet_v2", threads, "ptser")),
                summary(("mobilenet_v2", threads, "libtorch")))
        if p and l:
            print(f"| mobilenet_v2 forward: ptser / libtorch | {threads} | (reported) | "
                  f"{p['median'] / l['median']:.2f}x | — |")
    print(f"\nsamples: {os.path.join(work, 'script_side_by_side.json')}", file=sys.stderr)
    if not args.dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
