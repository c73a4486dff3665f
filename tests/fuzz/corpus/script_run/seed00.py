  def forward(self: __torch__.M,
    x: int) -> int:
    total = 0
    for i in range(x):
      if torch.eq(torch.remainder(i, 2), 0):
        total = torch.add(total, i)
      else:
        total = torch.sub(total, 1)
    n = self.n
    return torch.add(total, torch.floordiv(-7, n))
