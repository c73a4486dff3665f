class DivFull(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.DivFull,
    a: Tensor,
    b: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    x = torch.div(a, b)
    y = torch.full([3], 1)
    z = torch.floor_divide(a, b)
    w = torch.div(a, b, rounding_mode="floor")
    return (x, y, z, w)
