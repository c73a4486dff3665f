  def forward(self: __torch__.M,
    x: int) -> int:
    p = __torch__.Pt(x, 2)
    c = __torch__.Color.GREEN
    _0 = __torch__.helper
    return torch.add(_0(p.a), (c).value)
class Pt(NamedTuple):
  a : int
  b : int
class Color(Enum):
  RED = 1
  GREEN = 2
def helper(x: int) -> int:
  return torch.mul(x, 2)
