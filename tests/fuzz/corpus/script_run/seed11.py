  def forward(self: __torch__.M,
    a: Tensor,
    b: Tensor) -> Tensor:
    return torch.div(a, b)
