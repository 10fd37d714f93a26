"""Token encoders/decoders of the transformer denoisers.

* :class:`PatchEncoder` / :class:`PatchDecoder` — standard DiT: the flat vector
  (zero-padded) cut into equal contiguous patches, one shared linear map.
* :class:`SemanticEncoder` / :class:`SemanticDecoder` — one token per semantic
  factor of :attr:`TransitionLayout.tokens`; ``s`` and ``s'`` tokens of a factor
  share its map. With ``per_element=False`` one map per factor *type* (semantic
  DiT); with ``per_element=True`` one map per *element* of the factor's axis
  (:class:`ElementLinear`, the compositional DiT), picked by the sample's task.

A sample only runs through (and so only sends gradients to) the maps of its own
task's elements: the maps of other elements get ``grad=None`` from a batch
without their tasks, and optimisers skip them.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from compogen.layouts.transition import TransitionLayout
from compogen.tasks.space import AXES

__all__ = ["ElementLinear", "PatchDecoder", "PatchEncoder", "SemanticDecoder", "SemanticEncoder"]


class ElementLinear(nn.Module):
    """``n`` separate linear maps; row ``b`` goes through map ``element[b]``."""

    def __init__(self, n: int, in_features: int, out_features: int):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.linears = nn.ModuleList(nn.Linear(in_features, out_features) for _ in range(n))

    def forward(self, x: torch.Tensor, element: torch.Tensor) -> torch.Tensor:
        first = int(element[0])
        if bool((element == first).all()):  # one task per batch: plain matmul
            return self.linears[first](x)
        parts, rows = [], []
        for j, lin in enumerate(self.linears):
            idx = torch.nonzero(element == j).squeeze(1)
            if idx.numel():
                parts.append(lin(x.index_select(0, idx)))
                rows.append(idx)
        order = torch.cat(rows)
        inv = torch.empty_like(order)
        inv[order] = torch.arange(order.numel(), device=order.device)
        return torch.cat(parts).index_select(0, inv)


def _key(factor: str) -> str:
    return factor.replace(".", "_").replace("'", "p")


class _Semantic(nn.Module):
    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool, encode: bool):
        super().__init__()
        self.tokens = layout.tokens
        self.per_element = per_element
        maps = {}
        self._axis_col: dict[str, int | None] = {}
        for t in self.tokens:
            k = _key(t.factor)
            if k in maps:
                continue
            i, o = (t.size, hidden) if encode else (hidden, t.size)
            if per_element and t.axis is not None:
                maps[k] = ElementLinear(len(layout.space.axis_elements(t.axis)), i, o)
                self._axis_col[k] = AXES.index(t.axis)
            else:
                maps[k] = nn.Linear(i, o)
                self._axis_col[k] = None
        self.maps = nn.ModuleDict(maps)

    def _map(self, k: str, x: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        col = self._axis_col[k]
        m = self.maps[k]
        return m(x) if col is None else m(x, elements[:, col])


class SemanticEncoder(_Semantic):
    """``[B, dim]`` → ``[B, K, hidden]``, one token per :class:`~compogen.layouts.transition.Token`."""

    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool):
        super().__init__(layout, hidden, per_element, encode=True)

    def forward(self, x: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        return torch.stack([self._map(_key(t.factor), x[:, t.start : t.stop], elements) for t in self.tokens], dim=1)


class SemanticDecoder(_Semantic):
    """``[B, K, hidden]`` → ``[B, dim]``."""

    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool):
        super().__init__(layout, hidden, per_element, encode=False)

    def forward(self, h: torch.Tensor, elements: torch.Tensor) -> torch.Tensor:
        return torch.cat([self._map(_key(t.factor), h[:, i], elements) for i, t in enumerate(self.tokens)], dim=1)


class PatchEncoder(nn.Module):
    """Flat vector padded to ``n_tokens·patch`` and cut into ``n_tokens`` patches; one shared map."""

    def __init__(self, dim: int, n_tokens: int, hidden: int):
        super().__init__()
        self.dim, self.n_tokens = dim, n_tokens
        self.patch = math.ceil(dim / n_tokens)
        self.pad = self.patch * n_tokens - dim
        self.proj = nn.Linear(self.patch, hidden)

    def forward(self, x: torch.Tensor, elements: torch.Tensor | None = None) -> torch.Tensor:
        x = nn.functional.pad(x, (0, self.pad))
        return self.proj(x.reshape(x.shape[0], self.n_tokens, self.patch))


class PatchDecoder(nn.Module):
    """Inverse of :class:`PatchEncoder` (padding dims dropped)."""

    def __init__(self, dim: int, n_tokens: int, hidden: int):
        super().__init__()
        self.dim, self.n_tokens = dim, n_tokens
        self.patch = math.ceil(dim / n_tokens)
        self.proj = nn.Linear(hidden, self.patch)

    def forward(self, h: torch.Tensor, elements: torch.Tensor | None = None) -> torch.Tensor:
        return self.proj(h).reshape(h.shape[0], -1)[:, : self.dim]
