#!/usr/bin/env python3
"""Expected bytes for pickler_test.cc: what CPython's pickle.dumps writes.

Regenerate with:  cd pickle/testdata && python3 make_pickler_fixtures.py > pickler_expected.txt
Each line: <case name> <protocol> <hex of pickle.dumps(value, protocol)>.
pickler_test.cc builds the same object graphs (same sharing) by case name.
"""
import collections
import pickle

shared_list = [1, 2]
shared_str = "shared"
# Tuples that contain themselves through a list: CPython pops what it pushed
# and fetches the memoized tuple (POP / POP_MARK + BINGET).
cycle_list = []
cycle_tuple = (cycle_list,)
cycle_list.append(cycle_tuple)
cycle_list4 = []
cycle_tuple4 = (cycle_list4, 1, 2, 3)
cycle_list4.append(cycle_tuple4)
od = collections.OrderedDict([("weight", 1.5), ("bias", -2)])
od._metadata = collections.OrderedDict([("", {"version": 1})])

CASES = {
    "none": None,
    "true_false": [True, False],
    "ints": [0, 1, 255, 256, 65535, 65536, -1, -129, 2**31 - 1, -2**31, 2**31, -2**31 - 1,
             2**63 - 1, -2**63, 2**40, -2**40, 128, 2**15],
    "floats": [0.0, -0.0, 1.5, 1e300, float("inf"), -3.25],
    "strings": ["", "a", "héllo", "x" * 300],
    "bytes": [b"", b"ab\x00\xff", b"\x80" * 3],
    "bytearray": [bytearray(b""), bytearray(b"xyz")],
    "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
    "nested": {"a": [1, {"b": (2, 3)}], "c": None},
    "shared": [shared_list, shared_list, shared_str, shared_str],
    "big_list": list(range(2500)),
    "big_dict": {i: i * 2 for i in range(1200)},
    "set": {1, 2, 3},
    "frozenset": frozenset({"a"}),
    "complex": [complex(1, 2), complex(-0.5, 0)],
    "ordered_dict": od,
    "counter": collections.Counter({"a": 2, "b": 1}),
    "many_memo": [str(i) for i in range(300)],
    "framing": [str(i) for i in range(20000)],
    "large_payloads": ["s" * 70000, b"b" * 70000, 7],
    "batch_tails": [list(range(1000)), list(range(1001)), dict.fromkeys(range(1000), 0),
                    dict.fromkeys(range(1001), 0), set(range(1000)), set(range(1001)),
                    collections.OrderedDict.fromkeys(range(1001), 1), {5}],
    "big_ints": [2**63, -2**63 - 1, 10**30, -10**30, 2**64 - 1, -2**4000, 2**2100],
    "recursive_tuple": cycle_tuple,
    "recursive_tuple4": cycle_tuple4,
}

for name, value in CASES.items():
    for proto in (1, 2, 3, 4, 5):
        print(name, proto, pickle.dumps(value, protocol=proto).hex())
