  def forward(self: __torch__.M) -> Tuple[List[int], int]:
    xs = annotate(List[int], [])
    i = 0
    _0 = True
    while _0:
      _1 = torch.append(xs, torch.mul(i, i))
      i = torch.add(i, 1)
      _0 = torch.lt(i, 4)
    a, b, = (xs[-1], torch.len(xs))
    return (xs, torch.add(a, b))
