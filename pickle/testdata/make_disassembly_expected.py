#!/usr/bin/env python3
"""Expected opcode offsets and names for disassembler_test.cc, from pickletools.

    cd pickle/testdata && python3 make_disassembly_expected.py > disassembly_expected.txt

Each line: <file> <offset>:<NAME> ... for every opcode of that pickle, and a
"globals" line per file with what pickletools sees as GLOBAL/STACK_GLOBAL.
"""
import glob
import pickletools

files = sorted(glob.glob("plain/*.pkl")) + sorted(glob.glob("torch/*/data.pkl"))
for f in files:
    data = open(f, "rb").read()
    ops = []
    for opcode, arg, pos in pickletools.genops(data):
        ops.append("%d:%s" % (pos, opcode.name))
    print(f, " ".join(ops))
