"""README.md's C++ example is the code examples/consumer/consumer.cc runs (CI compiles and runs it).

Exits 1, saying which line differs, when the README's ```cpp block (after `#include "ptser.h"`)
is not found verbatim in consumer.cc.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
readme = (root / 'README.md').read_text()
consumer = (root / 'examples/consumer/consumer.cc').read_text()
blocks = [b for b in re.findall(r'```cpp\n(.*?)```', readme, re.S) if '#include "ptser.h"' in b]
if len(blocks) != 1:
    sys.exit(f'README.md: expected one ```cpp block including "ptser.h", found {len(blocks)}')
body = blocks[0].split('#include "ptser.h"\n', 1)[1].strip('\n')
if body not in consumer:
    for n, line in enumerate(body.splitlines(), 1):
        if line not in consumer:
            sys.exit(f'README.md example line {n} is not in examples/consumer/consumer.cc: {line!r}')
    sys.exit('README.md example: lines differ in order from examples/consumer/consumer.cc')
print('README example == examples/consumer/consumer.cc')
