"""Stacked networks: member g of a stack is an ordinary MLP, drawn from its own generator only."""

from __future__ import annotations

from functools import partial

import torch
import torch.nn.functional as F

from compogen.rl.networks import EnsembleLinear, StackedMLP, mlp_forward


def test_each_member_of_a_stack_is_its_own_mlp_and_uses_only_its_generator():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    gens = [torch.Generator().manual_seed(s) for s in (4, 5)]
    net = StackedMLP((6, 8, 3), gens, torch.device("cpu"), copies=2)
    assert torch.equal(torch.rand(3), expected)  # the global generator was not drawn from
    alone = StackedMLP((6, 8, 3), [torch.Generator().manual_seed(5)], torch.device("cpu"))
    assert torch.equal(net.weights[0][2], alone.weights[0][0])  # member 2: generator 5's first net
    x = torch.randn(4, 10, 6)
    out = net(x)
    for g in range(4):
        layers = [partial(F.linear, weight=w[g].t(), bias=b[g, 0]) for w, b in zip(net.weights, net.biases, strict=True)]
        torch.testing.assert_close(out[g], mlp_forward(x[g], layers))
    target = net.clone()
    assert not any(p.requires_grad for p in target.parameters()) and torch.equal(target(x), out)


def test_ensemble_linear_takes_a_shared_or_a_stacked_input():
    layer = EnsembleLinear(3, 5, 2)
    x = torch.randn(7, 5)
    torch.testing.assert_close(layer(x), layer(x.expand(3, 7, 5)))
    x.requires_grad_(True)
    layer(x, detach=True).sum().backward()
    assert layer.weight.grad is None and x.grad is not None  # gradients reach the input only
