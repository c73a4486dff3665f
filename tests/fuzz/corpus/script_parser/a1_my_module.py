class MyModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.MyModule,
    input: Tensor) -> Tensor:
    l0 = self.l0
    out0 = (l0).forward(input, )
    out0_relu = __torch__.torch.nn.functional.relu(out0, False, )
    l1 = self.l1
    return (l1).forward(out0_relu, )
