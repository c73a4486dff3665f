#!/usr/bin/env python3
"""Adds up gtest/bazel results from bazel-testlogs into a running tally.

usage: count_results.py TESTLOGS_DIR TALLY_FILE LABEL [SINCE_FILE]

Only test.xml files written after SINCE_FILE (when given) count: configs that
share an output directory (asan, ubsan and the default all build in k8-opt)
would otherwise count each other's stale results.

Each test case in every test.xml counts once: failed if it has a <failure> or
<error>, skipped if <skipped>, else passed.  A test target whose test.xml has no
test cases (a plain script test) counts as one case, by its own status.  The
tally file holds "passed failed skipped" and is updated in place.
"""
import os
import sys
import xml.etree.ElementTree as ET


def count(testlogs, since=0.0):
    passed = failed = skipped = 0
    for root, _dirs, files in os.walk(testlogs, followlinks=True):
        if "test.xml" not in files:
            continue
        if os.path.getmtime(os.path.join(root, "test.xml")) < since:
            continue
        try:
            tree = ET.parse(os.path.join(root, "test.xml"))
        except ET.ParseError:
            failed += 1
            continue
        cases = list(tree.iter("testcase"))
        if not cases:
            suites = list(tree.iter("testsuite"))
            bad = any(int(s.get("failures", "0") or 0) + int(s.get("errors", "0") or 0)
                      for s in suites)
            failed, passed = (failed + 1, passed) if bad else (failed, passed + 1)
            continue
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None or case.get("result") == "skipped":
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main():
    testlogs, tally, label = sys.argv[1], sys.argv[2], sys.argv[3]
    since = os.path.getmtime(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    p, f, s = count(testlogs, since) if os.path.isdir(testlogs) else (0, 0, 0)
    old = [0, 0, 0]
    if os.path.exists(tally):
        old = [int(x) for x in open(tally).read().split()]
    new = [old[0] + p, old[1] + f, old[2] + s]
    with open(tally, "w") as out:
        out.write("%d %d %d\n" % tuple(new))
    print("[ci] %s: %d passed, %d failed, %d skipped" % (label, p, f, s))


if __name__ == "__main__":
    main()
