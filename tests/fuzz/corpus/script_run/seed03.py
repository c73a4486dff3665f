  def forward(self: __torch__.M,
    x: Tensor) -> Tensor:
    n = self.n
    return torch.add(torch.mul(x, n), 1)
