op_version_set = 4
import __torch__.torch.nn.modules.linear
def f(a: int, b: float=1.5, *, c: str="x\n\t\u00e9\x41\0", d: List[int]=[-1, 0x1F]) -> Tuple[int, int]:
  if a < b and not c in d or a is not None:
    x = a ** -2 // 3 % 4 @ m | 1 ^ 2 & 3 << 4 >> 5
  elif a == b:
    x, y, = (1, 2)
  else:
    x = [a if b else c, {"k": (1,)}, ...][1:2:3][:, 0]
  while x:
    x -= 1; break
  for i, j in zip(a, b):
    continue
  with a as b, c:
    del b[0], c.d
  assert x, """multi
line"""
  raise
  return x, r'\d' 'cat' \
    "enated"
