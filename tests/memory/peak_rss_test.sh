#!/usr/bin/env bash
# Peak memory of the ptser command line on amplification inputs (issue 12 §4),
# with Debian's Python (the one that has torch, which makes two of the inputs).
set -euo pipefail
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "peak_rss_test needs python3-torch under /usr/bin/python3 (tools/bazel installs it)" >&2
  exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "peak_rss_test needs GNU time at /usr/bin/time (Debian package 'time')" >&2
  exit 1
fi
exec /usr/bin/python3 "$(dirname "$0")/peak_rss_test.py" "$1"
