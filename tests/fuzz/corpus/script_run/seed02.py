  def forward(self: __torch__.M,
    s: str) -> str:
    d = {"a": 1, "b": 2}
    _0 = torch.__contains__(d, "a")
    if _0:
      t = torch.add(s, CONSTANTS.c0)
    else:
      t = s
    return torch.add(t, str(d["b"]))
