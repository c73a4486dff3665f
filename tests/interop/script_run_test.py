#!/usr/bin/python3
"""`ptser run` against real PyTorch 1.13 (run by script_run_test.sh).

Usage: script_run_test.py PTSER [--only REGEX] [--list] [--cases DIR] [--timeout S] [--keep]

script_run_gen.py writes TorchScript archives, their arguments and what PyTorch computes from
them (see its docstring for the case kinds); this test runs, for every case of its manifest,

  ptser run NAME.pt --input NAME.args.pt --output OUT.pt [--method M]

under a timeout, and checks
- a case with a result: exit 0, and torch.load(OUT.pt) equals NAME.expected.pt: tensors of the
  same dtype and shape, integers and booleans exactly, floating values within the case's
  rtol/atol (never tighter than 1e-3 for float16 and 1e-2 for bfloat16 elements), NaN where
  NaN; tuples, lists and dicts (keys in order) element by element; str, int, bool and None
  exactly, Python floats within rtol/atol; a NamedTuple may come back as a plain tuple;
- a case with expect_error: exit 1, within the timeout, with the substring (and the regular
  expression expect_error_regex, when given) in stderr;
- for the cases with a "stdout" entry, `ptser run NAME.pt --input NAME.args.pt` without
  --output prints Python's repr of the result;
- usage errors exit 2, an unknown method exits 1 naming it.

ptser runs under an address-space limit (RLIMIT_AS, --max-memory GiB, 4 by default; 0 for
none, e.g. for a sanitizer build), so that a runaway allocation in a hostile case cannot take
a shared machine down: ptser's own memory limit must be below it for those cases to say
"memory limit".

--only REGEX (or the environment variable PTSER_SCRIPT_RUN_ONLY) runs the matching cases only
(generating only those, and the archives they are copies of); --list lists the cases;
--cases DIR uses cases generated before instead of generating them.  Under Bazel:
  tools/bazel test //tests/interop:script_run_test --test_arg=--only='^lists$'
  tools/bazel test //tests/interop:script_run_test --test_env=PTSER_SCRIPT_RUN_ONLY='div|full'
Prints one line per case and "N passed, N failed"; exits non-zero on a failure.
"""
import argparse
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "script_run_gen.py")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ptser", help="the ptser binary")
    ap.add_argument("--only", default=os.environ.get("PTSER_SCRIPT_RUN_ONLY") or None,
                    help="regular expression: run only the matching cases")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--cases", help="a folder script_run_gen.py wrote (skips generating)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run (60)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--max-memory", type=float, default=4.0,
                    help="address-space limit for ptser in GiB (4; 0: none)")
    return ap.parse_args()


# --------------------------------------------------------------------------------------------
# Comparing a result with the expected one.

FLOAT_FLOOR = {torch.float16: 1e-3, torch.bfloat16: 1e-2}


def describe(v):
    if isinstance(v, torch.Tensor):
        return f"tensor {v.dtype} {tuple(v.shape)}"
    return type(v).__name__


def compare(got, want, rtol, atol, where="result"):
    """None when got matches want, else a sentence saying where and how they differ."""
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"{where}: expected a tensor, got {describe(got)}"
        if got.dtype != want.dtype:
            return f"{where}: dtype {got.dtype}, expected {want.dtype}"
        if tuple(got.shape) != tuple(want.shape):
            return f"{where}: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
        if want.dtype.is_floating_point or want.dtype.is_complex:
            floor = FLOAT_FLOOR.get(want.dtype, 0.0)
            r, a = max(rtol, floor), max(atol, floor)
            g = got.detach().to(torch.complex128 if want.dtype.is_complex else torch.float64)
            w = want.to(g.dtype)
            if not torch.allclose(g, w, rtol=r, atol=a, equal_nan=True):
                diff = (g - w).abs()
                both_nan = torch.isnan(g) & torch.isnan(w)
                diff = torch.where(torch.isnan(diff), torch.full_like(diff, math.inf), diff)
                diff = torch.where(both_nan, torch.zeros_like(diff), diff)
                i = int(diff.reshape(-1).argmax())
                return (f"{where}: values differ beyond rtol={r} atol={a}: at flat index {i} "
                        f"got {g.reshape(-1)[i].item()}, expected {w.reshape(-1)[i].item()}")
            return None
        if not torch.equal(got, want):
            bad = (got != want).reshape(-1).nonzero()
            i = int(bad[0]) if len(bad) else 0
            return (f"{where}: values differ: at flat index {i} got {got.reshape(-1)[i].item()}, "
                    f"expected {want.reshape(-1)[i].item()}")
        return None
    if isinstance(want, tuple):
        if not isinstance(got, tuple):  # a NamedTuple is a tuple too
            return f"{where}: expected a tuple, got {describe(got)}"
        if len(got) != len(want):
            return f"{where}: a tuple of {len(got)}, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            bad = compare(g, w, rtol, atol, f"{where}[{i}]")
            if bad:
                return bad
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return f"{where}: expected a list, got {describe(got)}"
        if len(got) != len(want):
            return f"{where}: a list of {len(got)}, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            bad = compare(g, w, rtol, atol, f"{where}[{i}]")
            if bad:
                return bad
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where}: expected a dict, got {describe(got)}"
        if list(got.keys()) != list(want.keys()):
            return f"{where}: keys {list(got.keys())!r}, expected {list(want.keys())!r}"
        for k in want:
            bad = compare(got[k], want[k], rtol, atol, f"{where}[{k!r}]")
            if bad:
                return bad
        return None
    if type(got) is not type(want):
        return f"{where}: expected {type(want).__name__} {want!r}, got {describe(got)} {got!r}"
    if isinstance(want, float):
        if math.isnan(want) and math.isnan(got):
            return None
        if got == want or (math.isfinite(want) and math.isclose(got, want, rel_tol=rtol,
                                                                 abs_tol=atol)):
            return None
        return f"{where}: {got!r}, expected {want!r}"
    if got != want:
        return f"{where}: {got!r}, expected {want!r}"
    return None


# --------------------------------------------------------------------------------------------
# Running ptser.


class Runner:
    def __init__(self, ptser, timeout, max_memory_gib):
        self.ptser = ptser
        self.timeout = timeout
        self.limit = int(max_memory_gib * (1 << 30))

    def _limit_memory(self):
        if self.limit > 0:
            resource.setrlimit(resource.RLIMIT_AS, (self.limit, self.limit))

    def __call__(self, *args):
        """(exit code or None on a timeout, stdout, stderr, seconds)."""
        t0 = time.time()
        try:
            r = subprocess.run([self.ptser, *args], capture_output=True, text=True,
                               errors="replace", timeout=self.timeout,
                               preexec_fn=self._limit_memory)
            return r.returncode, r.stdout, r.stderr, time.time() - t0
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else ""
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else ""
            return None, out, err, time.time() - t0


def short(text, n=300):
    text = " ".join(text.strip().split())
    return text if len(text) <= n else text[:n] + " ..."


def run_case(run, folder, outdir, c):
    """None when the case passes, else why not."""
    name = c["name"]
    out = os.path.join(outdir, name + ".out.pt")
    args = ["run", os.path.join(folder, name + ".pt"), "--input",
            os.path.join(folder, name + ".args.pt"), "--output", out]
    if c["method"] != "forward":
        args += ["--method", c["method"]]
    rc, stdout, stderr, secs = run(*args)
    if rc is None:
        return f"no answer within {run.timeout:.0f} s"
    if c["expect_error"] is not None:
        if rc != 1:
            return f"exit {rc}, expected 1 with {c['expect_error']!r}; stderr: {short(stderr)}"
        if c["expect_error"] not in stderr:
            return f"stderr lacks {c['expect_error']!r}: {short(stderr)}"
        regex = c.get("expect_error_regex")
        if regex and not re.search(regex, stderr):
            return f"stderr does not match /{regex}/: {short(stderr)}"
        if os.path.exists(out):
            return "an output file was written although the run failed"
        return None
    if rc != 0:
        return f"exit {rc}: {short(stderr)}"
    if not os.path.exists(out):
        return "exit 0 but no output file"
    try:
        got = torch.load(out)
    except Exception as e:  # noqa: BLE001 - any failure to read is the finding
        return f"torch.load of the output failed: {short(str(e))}"
    want = torch.load(os.path.join(folder, name + ".expected.pt"))
    return compare(got, want, c["rtol"], c["atol"])


def run_stdout(run, folder, c):
    name = c["name"]
    args = ["run", os.path.join(folder, name + ".pt"), "--input",
            os.path.join(folder, name + ".args.pt")]
    if c["method"] != "forward":
        args += ["--method", c["method"]]
    rc, stdout, stderr, _ = run(*args)
    if rc is None:
        return f"no answer within {run.timeout:.0f} s"
    if rc != 0:
        return f"exit {rc}: {short(stderr)}"
    if stdout.rstrip("\n") != c["stdout"]:
        return f"stdout {stdout.rstrip()!r}, expected {c['stdout']!r}"
    return None


def usage_checks(run, folder, outdir, cases):
    """(name, check) pairs on the command line itself; they need the script_mymodule case."""
    if not any(c["name"] == "script_mymodule" for c in cases):
        return []
    pt = os.path.join(folder, "script_mymodule.pt")
    inp = os.path.join(folder, "script_mymodule.args.pt")
    out = os.path.join(outdir, "usage.out.pt")

    def expect(code, *args, text=None):
        def check():
            rc, _, stderr, _ = run(*args)
            shown = " ".join(os.path.basename(x) for x in args)
            if rc != code:
                return f"ptser {shown}: exit {rc}, expected {code}: {short(stderr)}"
            if "unknown command" in stderr:
                return f"ptser {shown}: there is no run command yet: {short(stderr)}"
            if text and text not in stderr:
                return f"stderr lacks {text!r}: {short(stderr)}"
            if code != 0 and os.path.exists(out):
                return "an output file was written although the run failed"
            return None
        return check

    return [
        ("usage_no_file", expect(2, "run")),
        ("usage_input_without_value", expect(2, "run", pt, "--input")),
        ("usage_unknown_flag", expect(2, "run", pt, "--input", inp, "--bogus")),
        ("unknown_method", expect(1, "run", pt, "--input", inp, "--output", out,
                                  "--method", "no_such_method", text="no_such_method")),
    ]


def main():
    a = parse_args()
    if a.list:
        cmd = [sys.executable, GENERATOR, "--list"] + (["--only", a.only] if a.only else [])
        return subprocess.run(cmd).returncode
    if not os.path.exists(a.ptser):
        print(f"no ptser binary at {a.ptser}")
        return 1
    tmp = tempfile.mkdtemp(prefix="ptser_script_run_", dir=os.environ.get("TEST_TMPDIR"))
    folder = a.cases
    t0 = time.time()
    only = a.only
    if only and re.search(only, "usage"):
        only = f"(?:{only})|^script_mymodule$"  # the usage checks run on this one
    if folder is None:
        folder = os.path.join(tmp, "cases")
        cmd = [sys.executable, GENERATOR, folder] + (["--only", only] if only else [])
        g = subprocess.run(cmd, capture_output=True, text=True)
        if g.returncode != 0:
            print("FAIL generating the cases:\n" + g.stdout + g.stderr)
            return 1
        print(g.stdout.strip().splitlines()[-1])
    gen_secs = time.time() - t0
    with open(os.path.join(folder, "manifest.json")) as f:
        cases = json.load(f)["cases"]
    if only:
        cases = [c for c in cases if re.search(only, c["name"])]
    outdir = os.path.join(tmp, "out")
    os.makedirs(outdir)
    run = Runner(os.path.abspath(a.ptser), a.timeout, a.max_memory)

    passed, failed = [], []

    def report(name, why, secs=None):
        took = f" ({secs:.1f} s)" if secs is not None and secs >= 1.0 else ""
        if why is None:
            passed.append(name)
            print(f"PASS {name}{took}")
        else:
            failed.append(name)
            print(f"FAIL {name}{took}: {why}")
        sys.stdout.flush()

    for c in cases:
        t = time.time()
        try:
            why = run_case(run, folder, outdir, c)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            why = f"the test itself failed: {type(e).__name__}: {e}"
        report(c["name"], why, time.time() - t)
    for c in cases:
        if "stdout" in c:
            report(c["name"] + " (stdout)", run_stdout(run, folder, c))
    if a.only is None or re.search(a.only, "usage"):
        for name, check in usage_checks(run, folder, outdir, cases):
            report(name, check())

    print(f"{len(passed)} passed, {len(failed)} failed "
          f"(generation {gen_secs:.1f} s, all {time.time() - t0:.1f} s)")
    if failed:
        print("failed: " + " ".join(failed))
    if (failed or a.keep) and not os.environ.get("TEST_TMPDIR"):
        print("files kept in", tmp)
    else:
        if failed:
            print("to keep the files, run outside Bazel: /usr/bin/python3 "
                  "tests/interop/script_run_test.py bazel-bin/tools/ptser --only REGEX")
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
