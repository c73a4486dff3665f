#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [TARGET...]
#
# Builds every libFuzzer target (clang, --config=fuzz: fuzzer + ASan + UBSan) and
# runs each for SECONDS from its seed corpus (tests/fuzz/corpus/<name>/, copied to a
# scratch folder so the committed seeds stay small).  A crash, leak, timeout or
# sanitizer report is saved under tests/fuzz/findings/<name>/ — commit it to the
# target's corpus folder once fixed, and it becomes a regression test
# (<name>_regression runs every corpus file in the ordinary builds).
# Ends with one line "fuzz: N targets, S seconds each, N findings" and exits 1 on
# a finding.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-60}"
shift || true
targets=("$@")
bazel=tools/bazel
# Every fuzzer in the tree: binaries tagged "fuzzer" by ptser_fuzz_target.
mapfile -t all_labels < <("$bazel" query 'attr(tags, "fuzzer", kind("cc_binary", //...))' 2>/dev/null)
labels=()
for l in "${all_labels[@]}"; do
  name="${l##*:}"
  if ((${#targets[@]} == 0)) || [[ " ${targets[*]} " == *" $name "* ]]; then labels+=("$l"); fi
done
# Seed folders besides tests/fuzz/corpus/<name>/ (fixtures that live elsewhere).
declare -A extra_seeds=(
  [unpickler]="pickle/testdata/plain pickle/testdata/errors pickle/testdata/fuzz_regressions"
  [zip_reader]="archive/testdata"
  [load]="archive/testdata"
)
if ! "$bazel" build --config=fuzz "${labels[@]}"; then
  echo "fuzz: build failed"
  exit 2
fi
findings=0
scratch="$(mktemp -d)"
for label in "${labels[@]}"; do
  t="${label##*:}"
  pkg="${label%%:*}"; pkg="${pkg#//}"
  name="${t%_fuzzer}"
  mkdir -p "$scratch/$name" "tests/fuzz/findings/$name"
  cp -r "tests/fuzz/corpus/$name/." "$scratch/$name/" 2>/dev/null || true
  log="$scratch/$name.log"
  echo "[fuzz] $t for ${seconds}s"
  seeds=()
  for d in ${extra_seeds[$name]:-}; do seeds+=("$d"); done
  "bazel-bin/$pkg/$t" "$scratch/$name" "${seeds[@]}" \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
      -artifact_prefix="tests/fuzz/findings/$name/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$log" | tail -3
  if [[ $rc != 0 ]]; then
    findings=$((findings + 1))
    echo "[fuzz] $t: FINDING (exit $rc); last lines:"
    tail -30 "$log"
  fi
  rmdir "tests/fuzz/findings/$name" 2>/dev/null || true
done
rmdir tests/fuzz/findings 2>/dev/null || true
rm -rf "$scratch"
echo "fuzz: ${#labels[@]} targets, ${seconds} seconds each, ${findings} findings"
[[ $findings == 0 ]]
