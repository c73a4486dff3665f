  def forward(self: __torch__.M,
    x: Tensor) -> Tensor:
    return torch.no_such_op(x)
