"""Stacked networks: ``E`` independent layers (or MLPs) of the same widths in one tensor each, run with
batched matmuls (``torch.baddbmm``), so that many small networks cost little more than one on a CPU.

The batched validator stacks its P policies (and 2P critics) as :class:`StackedMLP`, online RL's critic
ensemble is built of :class:`EnsembleLinear` layers, and every MLP here and in policy files runs through
:func:`mlp_forward` (ReLU between layers, none after the last).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from functools import partial

import torch
from torch import nn

__all__ = ["EnsembleLinear", "StackedMLP", "mlp_forward"]


def mlp_forward(x: torch.Tensor, layers: Sequence[Callable[[torch.Tensor], torch.Tensor]]) -> torch.Tensor:
    """``x`` through ``layers`` with a ReLU between consecutive layers (none after the last)."""
    last = len(layers) - 1
    for i, layer in enumerate(layers):
        x = layer(x)
        if i < last:
            x = torch.relu(x)
    return x


class EnsembleLinear(nn.Module):
    """``E`` independent linear layers: weight ``[E, in, out]``, bias ``[E, 1, out]``, applied to
    ``[E, B, in]`` (or a shared ``[B, in]``). ``init``: ``nn.Linear``'s default init per member, drawn
    from torch's global generator; without it the caller fills the parameters."""

    def __init__(self, members: int, in_features: int, out_features: int, init: bool = True, device=None):
        super().__init__()
        self.members = members
        self.weight = nn.Parameter(torch.empty(members, in_features, out_features, device=device))
        self.bias = nn.Parameter(torch.empty(members, 1, out_features, device=device))
        if init:
            bound = 1.0 / math.sqrt(in_features)
            nn.init.uniform_(self.weight, -bound, bound)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor, detach: bool = False) -> torch.Tensor:
        """``[E, B, out]``; ``detach`` blocks gradients into the weights (not into ``x``)."""
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.members, *x.shape)
        w, b = (self.weight.detach(), self.bias.detach()) if detach else (self.weight, self.bias)
        return torch.baddbmm(b, x, w)


def _draw_mlp(sizes: Sequence[int], g: torch.Generator) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One MLP's ``(weight [in, out], bias [out])`` per layer, ``nn.Linear``'s init drawn from ``g``."""
    layers = []
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(i)
        w = (torch.rand(o, i, generator=g, device=g.device) * 2 - 1) * bound
        b = (torch.rand(o, generator=g, device=g.device) * 2 - 1) * bound
        layers.append((w.t().contiguous(), b))
    return layers


class StackedMLP(nn.Module):
    """``G`` independent MLPs with the same widths: layer i is an :class:`EnsembleLinear` ``[G, in, out]``."""

    def __init__(self, sizes: Sequence[int], gens: Sequence[torch.Generator], device: torch.device, copies: int = 1):
        """Initialise like ``torch.nn.Linear`` (uniform +-1/sqrt(fan_in)), drawing net g from ``gens[g]``
        (``copies`` nets per generator, stacked next to each other); torch's global generator is not used."""
        super().__init__()
        self.sizes = tuple(int(s) for s in sizes)
        draws = [_draw_mlp(self.sizes, g) for g in gens for _ in range(copies)]
        pairs = zip(self.sizes[:-1], self.sizes[1:], strict=True)
        self.layers = nn.ModuleList(EnsembleLinear(len(draws), i, o, init=False, device=device) for i, o in pairs)
        with torch.no_grad():
            for li, layer in enumerate(self.layers):
                layer.weight.copy_(torch.stack([net[li][0] for net in draws]))
                layer.bias.copy_(torch.stack([net[li][1] for net in draws]).unsqueeze(1))

    @property
    def weights(self) -> list[torch.Tensor]:
        return [layer.weight for layer in self.layers]

    @property
    def biases(self) -> list[torch.Tensor]:
        return [layer.bias for layer in self.layers]

    @property
    def params(self) -> list[torch.Tensor]:
        """Weights and biases, layer by layer (the optimiser's and the Polyak update's order)."""
        return list(self.parameters())

    def forward(self, x: torch.Tensor, detach: bool = False) -> torch.Tensor:
        """``x [G, B, in] -> [G, B, out]``; ``detach`` blocks gradients into the weights."""
        return mlp_forward(x, [partial(layer.forward, detach=detach) for layer in self.layers])

    def clone(self) -> StackedMLP:
        """A copy that takes no gradients (target networks)."""
        return copy.deepcopy(self).requires_grad_(False)
