  def forward(self: __torch__.M,
    x: int) -> int:
    p = __torch__.Pt(x, 2)
    c = __torch__.Color.GREEN
    if torch.eq(c, __torch__.Color.GREEN):
      _0 = torch.add(p.a, (c).value)
    else:
      _0 = 0
    return torch.add(_0, p[1])
