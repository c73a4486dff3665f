  def forward(self: __torch__.M,
    x: int) -> int:
    def __forked_function(y: int) -> int:
      return torch.mul(y, x)
    fut = fork(__forked_function, 4)
    return torch.wait(fut)
