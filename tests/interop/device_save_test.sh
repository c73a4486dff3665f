#!/usr/bin/env bash
# Runs device_save_test.py with Debian's Python, the one that has torch.
set -euo pipefail
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "interop tests need python3-torch under /usr/bin/python3 (tools/bazel installs it)" >&2
  exit 1
fi
exec /usr/bin/python3 "$(dirname "$0")/device_save_test.py" "$1"
