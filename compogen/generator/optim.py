"""The generator's optimiser pieces: AdamW (fused where torch has it), the EMA update, and the guard
that keeps the weights of elements absent from a minibatch exactly as they were.

:class:`~compogen.generator.tokenizers.ElementLinear` stores all elements of a map in one tensor, so
an element absent from a minibatch gets a zero gradient row rather than no gradient. AdamW would
still move that row (momentum from earlier batches, and weight decay), where separate per-element
parameters with ``grad=None`` were skipped. :class:`AbsentElementGuard` restores the absent rows
(weights and both Adam moments) after each step, so an element learns only from its own tasks' rows.
Adam's step count stays per tensor: an element that first appears late gets the bias correction of
the tensor's step count, a difference confined to that element's first few hundred updates.
"""

from __future__ import annotations

import torch
from torch import nn

from compogen.generator.tokenizers import ElementLinear

__all__ = ["AbsentElementGuard", "make_adamw", "update_ema"]

_MOMENTS = ("exp_avg", "exp_avg_sq")


def make_adamw(params, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW with betas (0.9, 0.999); the fused kernel where the parameters' device supports it."""
    params = list(params)
    try:
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=(0.9, 0.999), fused=True)
    except (RuntimeError, ValueError):  # a device or dtype without the fused kernel
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=(0.9, 0.999), foreach=True)


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """``ema ← decay·ema + (1 − decay)·model`` for every parameter in one batched op; buffers copied."""
    pe = [p for p in ema.parameters()]
    pm = [p.detach() for p in model.parameters()]
    if pe:
        torch._foreach_lerp_(pe, pm, 1.0 - decay)
    for be, bm in zip(ema.buffers(), model.buffers(), strict=True):
        be.copy_(bm)


class AbsentElementGuard:
    """Wraps ``optimizer.step()`` so that the rows of elements absent from the batch stay untouched.

    ``element_indices(cond) -> [B, 4]`` is the backbone's; a model without :class:`ElementLinear`
    maps makes :meth:`step` a plain ``optimizer.step()``.
    """

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, element_indices=None):
        self.optimizer = optimizer
        self.maps = [m for m in model.modules() if isinstance(m, ElementLinear)]
        self.element_indices = element_indices

    @torch.no_grad()
    def step(self, cond: torch.Tensor) -> None:
        if not self.maps:
            self.optimizer.step()
            return
        elements = self.element_indices(cond)
        saved = []
        for m in self.maps:
            present = torch.zeros(m.n, dtype=torch.bool, device=elements.device).index_fill_(0, elements[:, m.axis], True)
            for p in (m.weight, m.bias):
                st = self.optimizer.state.get(p, {})
                saved.append((p, ~present, p.detach().clone(), {k: st[k].clone() for k in _MOMENTS if k in st}))
        self.optimizer.step()
        for p, absent, old, moments in saved:
            mask = absent.reshape(-1, *(1,) * (p.dim() - 1))
            p.copy_(torch.where(mask, old, p))
            st = self.optimizer.state[p]
            for k in _MOMENTS:
                if k in st:
                    st[k].copy_(torch.where(mask, moments.get(k, torch.zeros_like(p)), st[k]))
