class MyModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  l0 : __torch__.torch.nn.modules.linear.Linear
  l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear
  def forward(self: __torch__.MyModule,
    input: Tensor) -> Tensor:
    l1 = self.l1
    l0 = self.l0
    input0 = torch.relu((l0).forward(input, ))
    return (l1).forward(input0, )
