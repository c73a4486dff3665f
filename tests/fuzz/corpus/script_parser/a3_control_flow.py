class ControlFlowModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.ControlFlowModule,
    input: Tensor) -> Tensor:
    if torch.gt(torch.dim(input), 1):
      _0 = torch.tensor(0)
    else:
      l0 = self.l0
      out0 = (l0).forward(input, )
      out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
      l1 = self.l1
      _0 = (l1).forward(out0_relu, )
    return _0
