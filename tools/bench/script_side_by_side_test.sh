#!/usr/bin/env bash
# script_side_by_side.py on a machine without libtorch-dev stops before building
# anything, with one line saying what to install (not a compiler error).
set -euo pipefail
script="$(dirname "$0")/script_side_by_side.py"
if dpkg-query -W -f='${Status}' libtorch-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "libtorch-dev is installed: the missing-package path is not reachable here"
  exit 0
fi
set +e
err="$(/usr/bin/python3 "$script" --quick --dir "${TEST_TMPDIR:-/tmp}/script_bench" 2>&1 >/dev/null)"
rc=$?
set -e
if [[ $rc -ne 2 ]]; then echo "expected exit 2, got $rc: $err"; exit 1; fi
if [[ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]]; then echo "expected one line: $err"; exit 1; fi
if [[ "$err" != *"apt-get install libtorch-dev"* ]]; then echo "no install hint: $err"; exit 1; fi
echo "PASS: $err"
