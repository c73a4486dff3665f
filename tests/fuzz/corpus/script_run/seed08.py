  def forward(self: __torch__.M) -> Tensor:
    return torch.zeros([1099511627776])
