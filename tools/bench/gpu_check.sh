#!/usr/bin/env bash
# tools/bench/gpu_check.sh — everything issue 16 asks of a GPU machine, in one
# call (16 cores, one H100, nothing downloadable, under 10 minutes):
#
#   1. builds //gpu/... with --config=cuda (sm_80, sm_90, compute_90 PTX)
#   2. runs the device tests: the CUDA ones (gpu/cuda_device_test,
#      tests/gpu/cuda_load_test, the smoke kernel) and the same paths on FakeDevice (tensor, archive)
#   3. benchmarks a 4 GiB state dict (64 tensors of 64 MiB) loaded to cuda:0
#      from the page cache by ptser::Load, beside cudaMemcpy of the same bytes
#      from pinned memory (the bus limit) and beside torch.load(map_location=
#      'cuda:0') when the python3 here has a CUDA PyTorch (else it says so),
#      printing each one's host peak RSS
#
# Goal (issue 16): ptser within 1.3x of the bus limit, host peak under 1 GiB.
# Usage: tools/bench/gpu_check.sh [GIB]   (default 4; PTSER_GPU_CHECK_DIR for
# the file, default /tmp; the summary also goes to $OUT/gpu_check.txt when
# $OUT is set).  Exit status: non-zero when a build or test failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
gib="${1:-4}"
dir="${PTSER_GPU_CHECK_DIR:-/tmp}"
file="$dir/ptser_gpu_check_${gib}gib.pt"
summary="$(mktemp)"
status=0
say() { echo "[gpu_check] $*" | tee -a "$summary"; }

say "$(date -u +%FT%TZ) on $(hostname): $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1 || echo 'nvidia-smi: none')"
say "nvcc: $(/usr/local/cuda/bin/nvcc --version 2>/dev/null | grep release || echo none); $(nproc) cores"

if ! tools/bazel build --config=cuda //gpu/... //tools/bench:gpu_load_benchmark >/tmp/gpu_check_build.log 2>&1; then
  tail -40 /tmp/gpu_check_build.log
  say "build --config=cuda //gpu/...: FAILED (log above)"
  exit 1
fi
say "build --config=cuda //gpu/...: ok"

if tools/bazel test --config=cuda --test_output=errors //gpu/... //tests/gpu/... //tensor:device_backend_test \
     //archive:device_stage_test //archive:device_load_test >/tmp/gpu_check_test.log 2>&1; then
  say "device tests: passed"
else
  tail -60 /tmp/gpu_check_test.log
  say "device tests: FAILED (log above)"
  status=1
fi
for t in gpu/cuda_device_test tests/gpu/cuda_load_test; do
  log="$(readlink -f bazel-testlogs)/$t/test.log"
  if grep -q "Skipped" "$log" 2>/dev/null; then
    say "$t SKIPPED: $(grep -A1 -m1 Skipped "$log" | tail -1)"
  else
    say "$t: $(grep -E '^\[  (PASSED|FAILED)' "$log" | tr '\n' ' ')"
  fi
done

bench=bazel-bin/tools/bench/gpu_load_benchmark
if [[ ! -f "$file" ]]; then
  "$bench" write "$file" "$gib" | tee -a "$summary" || { say "writing the state dict failed"; exit 1; }
fi
cat "$file" > /dev/null  # into the page cache
say "state dict: $file, $(stat -c %s "$file") bytes, in the page cache"

bus="$("$bench" bus "$gib" 2>&1)"; say "$bus"
load="$("$bench" load "$file" 2>&1)"; say "$load"
# A second run (caches warm), and two other staging shapes.
say "$("$bench" load "$file" 2>&1)"
say "chunks 16 MiB x 4, 2 streams: $("$bench" load "$file" 16 4 2 2>&1)"
say "chunks 4 MiB x 8, 4 streams: $("$bench" load "$file" 4 8 4 2>&1)"

py=""
for p in python3 /usr/bin/python3; do
  if "$p" -c "import torch" 2>/dev/null; then py="$p"; break; fi
done
if [[ -z "$py" ]]; then
  say "torch.load(map_location='cuda:0'): skipped: no python3 with torch here"
elif ! "$py" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  say "torch.load(map_location='cuda:0'): skipped: $("$py" -c 'import torch; print("torch", torch.__version__, "has no CUDA here (torch.cuda.is_available() is False)")')"
else
  say "$("$py" - "$file" <<'PY'
import resource, sys, time, torch
torch.zeros(1, device="cuda:0")  # the CUDA context first, as load_benchmark does
t = time.perf_counter()
sd = torch.load(sys.argv[1], map_location="cuda:0")
torch.cuda.synchronize()
s = time.perf_counter() - t
n = sum(v.untyped_storage().nbytes() if hasattr(v, "untyped_storage") else v.storage().nbytes() for v in sd.values())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"torch.load(map_location='cuda:0') (torch {torch.__version__}): {s:.3f} s, {n / s / 1e9:.2f} GB/s; host peak RSS {rss:.0f} MiB")
PY
)"
fi

bus_gbs="$(sed -n 's/.* \([0-9.]*\) GB\/s.*/\1/p' <<<"$bus")"
load_gbs="$(sed -n 's/.* s, \([0-9.]*\) GB\/s.*/\1/p' <<<"$load")"
rss="$(sed -n 's/.*host peak RSS \([0-9]*\) MiB.*/\1/p' <<<"$load")"
if [[ -n "$bus_gbs" && -n "$load_gbs" && -n "$rss" ]]; then
  say "$(awk -v b="$bus_gbs" -v l="$load_gbs" -v r="$rss" 'BEGIN {
    printf "goal: load within 1.3x of the bus limit: %.2fx (%s); host peak under 1 GiB: %s MiB (%s)",
      b / l, (b / l <= 1.3 ? "met" : "NOT met"), r, (r < 1024 ? "met" : "NOT met") }')"
else
  say "goal: not evaluated (a benchmark step failed, see above)"
  status=1
fi
if [[ -n "${OUT:-}" ]]; then cp "$summary" "$OUT/gpu_check.txt"; fi
rm -f "$summary"
exit $status
