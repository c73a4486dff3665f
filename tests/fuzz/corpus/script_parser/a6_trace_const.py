class TraceConst(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.TraceConst,
    x: Tensor) -> Tensor:
    _0 = torch.to(CONSTANTS.c0, torch.device("cpu"), 6)
    _1 = torch.detach(_0)
    _2 = ops.prim.NumToTensor(torch.size(x, 0))
    return torch.add(x, torch.mul(_1, _2))
