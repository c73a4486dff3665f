#!/usr/bin/env bash
# Runs the issue-17 fidelity tests with Debian's Python, the one that has
# torch (the python3 first on PATH may be another interpreter).
set -euo pipefail
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "fidelity tests need python3-torch under /usr/bin/python3 (tools/bazel installs it)" >&2
  exit 1
fi
exec /usr/bin/python3 "$(dirname "$0")/fidelity_test.py" "$1"
