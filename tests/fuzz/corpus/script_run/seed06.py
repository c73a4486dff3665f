  def forward(self: __torch__.M) -> int:
    i = 0
    while True:
      i = torch.add(i, 1)
    return i
