class JitLang(Module):
  __parameters__ = []
  def forward(self: __torch__.JitLang,
    x: Tensor,
    c: __torch__.Color,
    l: List[int],
    s: str) -> Tuple[Tensor, str, Dict[str, int], float, int]:
    _0 = __torch__.torch.autograd.grad_mode.no_grad.__new__(__torch__.torch.autograd.grad_mode.no_grad)
    _1 = (_0).__init__()
    with _0:
      y = torch.mul(x, 2)
    d = {"a": 1, "b": 2}
    if torch.eq(c, __torch__.Color.RED):
      y0 = torch.add(y, 1)
    else:
      y0 = y
    z = torch.add(torch.add(1, l[-1]), torch.len(s))
    z0 = torch.add(z, 1)
    print("hello\n\"q\"", z0)
    msg = torch.percentFormat("%d items", z0)
    _2 = torch.add(torch.upper(s), CONSTANTS.c0)
    s2 = torch.add(_2, msg)
    if torch.__contains__(d, "a"):
      z1 = torch.floordiv(z0, 2)
    else:
      z1 = z0
    w = torch.add(6.2831853071795862, torch.pow(float(z1), 2))
    if torch.startswith(s2, "x"):
      ops.prim.RaiseException("bad", "builtins.RuntimeError")
    else:
      pass
    v = torch.item(torch.sum(x))
    n = torch.neg(z1)
    if torch.gt(z1, 3):
      _3 = torch.lt(z1, 100)
    else:
      _3 = False
    if torch.__not__(_3):
      b = True
    else:
      b = torch.eq(z1, 5)
    m = ops.prim.max(z1, 3)
    q = torch.to(y0, 7, False, False, 0)
    r = torch.zeros([2, 3], dtype=11)
    k = torch.size(x)
    xs = annotate(List[int], [])
    for i in range(3):
      _4 = torch.append(xs, torch.mul(i, 2))
    _5 = ops.prim.min([torch.len(xs), torch.len(xs)])
    z2 = z1
    for _6 in range(_5):
      a = xs[_6]
      bb = xs[_6]
      z2 = torch.add(torch.add(z2, a), bb)
    _7 = torch.keys(d)
    z3 = z2
    for _8 in range(torch.len(_7)):
      key = _7[_8]
      z3 = torch.add(z3, d[key])
    e = torch.empty([2], dtype=None, layout=None, device=torch.device("cpu"))
    _9 = torch.add(torch.add(y0, torch.to(q, 6)), torch.sum(torch.to(r, 6)))
    _10 = torch.add(_9, torch.sum(e))
    _11 = torch.add(w, v)
    _12 = torch.add(torch.add(torch.add(z3, n), int(b)), m)
    _13 = torch.add(torch.add(torch.add(_12, k[0]), 1), 8)
    return (_10, s2, d, float(_11), _13)
class Color(Enum):
  RED = 1
  GREEN = 2
