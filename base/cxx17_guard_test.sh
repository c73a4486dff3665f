#!/usr/bin/env bash
# ptser.h compiled below C++17 must stop at once with the guard's message
# (base/cxx17.h), not with an error from inside a header.
set -euo pipefail
compiler="${CXX:-g++}"
out="$("$compiler" -std=c++14 -fsyntax-only -Wfatal-errors -I. -x c++ ptser.h 2>&1 || true)"
echo "$out"
grep -q 'ptser needs C++17: add build --cxxopt=-std=c++17 --host_cxxopt=-std=c++17 to your .bazelrc' <<<"$out"
# And the same header as C++17 passes the guard (the next missing header is
# fine here: only the guard's verdict is tested).
out17="$("$compiler" -std=c++17 -fsyntax-only -Wfatal-errors -I. -x c++ base/cxx17.h 2>&1)"
[[ -z "$out17" ]]
echo "cxx17 guard: ok"
