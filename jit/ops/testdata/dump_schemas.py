"""Writes schemas_1_13.txt: every operator schema PyTorch 1.13 registers, as
str(schema) prints it, in registration order.  Run with the PyTorch the
fixtures describe (tests never run Python):

  /usr/bin/python3 jit/ops/testdata/dump_schemas.py jit/ops/testdata/schemas_1_13.txt
"""
import sys

import torch

assert torch.__version__.startswith("1.13"), torch.__version__
schemas = [str(s) for s in torch._C._jit_get_all_schemas()]
with open(sys.argv[1], "w") as f:
    f.write("# torch %s: torch._C._jit_get_all_schemas(), one per line\n" % torch.__version__)
    for s in schemas:
        assert "\n" not in s
        f.write(s + "\n")
