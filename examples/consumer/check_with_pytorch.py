"""The consumer example's oracle (run by .ci/run with /usr/bin/python3, real PyTorch).

  check_with_pytorch.py write DIR   a training checkpoint, as a PyTorch script saves one:
                                    DIR/checkpoint.pt = {'epoch', 'args', 'model', 'optimizer'}
  check_with_pytorch.py check DIR   DIR/halved.pt, written by the C++ consumer, loads in
                                    torch.load as {'model': state dict} with fc.weight halved
                                    and every other tensor unchanged; load_state_dict takes it;
                                    and it is byte-identical to torch.save of the same change
"""
import os
import sys

import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(16, 10)


def write(d):
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    loss = net.fc(torch.randn(2, 16)).sum() + net.conv(torch.randn(1, 3, 5, 5)).sum()
    loss.backward()
    opt.step()
    torch.save({'epoch': 12, 'args': {'arch': 'net', 'lr': 0.1},
                'model': net.state_dict(), 'optimizer': opt.state_dict()},
               f'{d}/checkpoint.pt')


def check(d):
    before = torch.load(f'{d}/checkpoint.pt')['model']
    after = torch.load(f'{d}/halved.pt')
    assert list(after) == ['model'], list(after)
    sd = after['model']
    assert list(sd) == list(before), (list(sd), list(before))
    for k, v in before.items():
        want = v * 0.5 if k == 'fc.weight' else v
        assert sd[k].dtype == v.dtype and sd[k].shape == v.shape, k
        assert torch.equal(sd[k], want), k
    print(Net().load_state_dict(sd))
    # Byte for byte what torch.save writes for the same change.
    os.makedirs(f'{d}/torch', exist_ok=True)
    before['fc.weight'].mul_(0.5)
    torch.save({'model': before}, f'{d}/torch/halved.pt')
    with open(f'{d}/torch/halved.pt', 'rb') as a, open(f'{d}/halved.pt', 'rb') as b:
        assert a.read() == b.read(), 'halved.pt differs from torch.save'
    print('halved.pt is byte-identical to torch.save')
    print('consumer output checked with torch', torch.__version__)


if __name__ == '__main__':
    {'write': write, 'check': check}[sys.argv[1]](sys.argv[2])
