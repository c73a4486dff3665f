class Pt(NamedTuple):
  x : int
  y : Tensor
class Counter:
  n : int
  def __init__(self: __torch__.Counter) -> NoneType:
    self.n = 0
class WithList(Module):
  __parameters__ = []
  __buffers__ = []
  __annotations__["0"] = __torch__.torch.nn.modules.linear.Linear
def forms(y: Union[int, str], ml: __torch__.WithList, z2: Tensor, c: str, f: str,
    i0: int, y5: Tensor, out: Dict[str, Tensor], y6: Tensor, x: Tensor) -> Tensor:
  _0 = isinstance(y, int)
  _1 = unchecked_cast(int, y)
  _2 = {"a": 1}
  k, v, = _1[_2]
  def __forked_function() -> Tensor:
    return torch.relu(x)
  fut = fork(__forked_function)
  w = torch.wait(fut)
  a = (torch.size(z2))[0]
  b = torch.clamp(z2, -inf)
  _3 = torch.add(_3, nan)
  s = torch.format("{}-{}", c, f)
  l0 = getattr(ml, "0")
  u = uninitialized(Tensor)
  y : Optional[Tensor] = x
  _2, y4, i = torch.lt(i0, 3), y5, i0
  t = torch.tensor([1.5, 2.5], dtype=7)
  _4 = torch._set_item(out, "a", y6)
  return t
