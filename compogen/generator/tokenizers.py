"""Token encoders/decoders of the transformer denoisers.

* :class:`PatchEncoder` / :class:`PatchDecoder`: standard DiT: the flat vector
  (zero-padded) cut into equal contiguous patches, one shared linear map.
* :class:`SemanticEncoder` / :class:`SemanticDecoder`: one token per
  :class:`TokenGroup` (:func:`token_groups`). Tokens of the same factor share
  its map. With ``per_element=False`` one map per factor *type* (semantic DiT);
  with ``per_element=True`` one map per *element* of the factor's axis
  (:class:`ElementLinear`, the compositional DiT), picked by the sample's task.

Two tokenisations: ``split`` (the paper's: each state factor of ``s`` and of
``s'`` its own token, then action, reward and done: 11 tokens on both suites)
and ``paired`` (one token per state factor holding its ``s`` and ``s'`` dims,
plus one for action, reward and done: 5 tokens, less than half the attention
and block-MLP compute per sample).

Every map runs as a few batched ops without host syncs: all tokens of a map in
one matmul, and an :class:`ElementLinear` computes all its elements' outputs in
one matmul and gathers each row's own. A row's output and gradients only involve
its own element's weights; the other elements' gradient rows are exactly zero
(see :class:`compogen.generator.optim.AbsentElementGuard` for the optimiser).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from compogen.layouts.transition import TransitionLayout
from compogen.tasks.space import AXES

__all__ = [
    "ElementLinear",
    "PatchDecoder",
    "PatchEncoder",
    "SemanticDecoder",
    "SemanticEncoder",
    "TOKENISATIONS",
    "TokenGroup",
    "token_groups",
]


@dataclass(frozen=True)
class TokenGroup:
    """One token: the flat-vector dims it holds and the map that encodes/decodes it."""

    name: str
    #: Map name; tokens with the same key share the map (a factor's ``s`` and ``s'``).
    key: str
    #: Axis whose element picks the map in the compositional model (None: one map for all tasks).
    axis: str | None
    #: Dims of the flat ``[s, a, r, s', d]`` vector, in the order the map sees them.
    dims: tuple[int, ...]


def _key(factor: str) -> str:
    return factor.replace(".", "_").replace("'", "p")


def _split_groups(layout: TransitionLayout) -> tuple[TokenGroup, ...]:
    """The paper's tokens: each state factor of ``s`` and of ``s'`` its own, then action, reward and done."""
    return tuple(TokenGroup(t.name, _key(t.factor), t.axis, tuple(range(t.start, t.stop))) for t in layout.tokens)


def _paired_groups(layout: TransitionLayout) -> tuple[TokenGroup, ...]:
    """One token per state factor holding its ``s`` and ``s'`` dims, plus one for action, reward and done."""
    by_factor: dict[str, list] = {}
    rest: list[int] = []
    for t in layout.tokens:
        if t.kind in ("state", "next_state"):
            by_factor.setdefault(t.factor, []).append(t)
        else:
            rest += range(t.start, t.stop)
    groups = [TokenGroup(f, _key(f), ts[0].axis, tuple(d for t in ts for d in range(t.start, t.stop))) for f, ts in by_factor.items()]
    return tuple(groups) + (TokenGroup("a,r,d", "action_reward_done", None, tuple(rest)),)


_GROUPINGS = {"split": _split_groups, "paired": _paired_groups}

#: Tokenisations of the semantic encoders (see the module docstring).
TOKENISATIONS = tuple(_GROUPINGS)


def token_groups(layout: TransitionLayout, tokens: str = "split") -> tuple[TokenGroup, ...]:
    """The tokens of ``layout`` under tokenisation ``split`` or ``paired``."""
    if tokens not in _GROUPINGS:
        raise ValueError(f"unknown tokenisation {tokens!r}; valid: {TOKENISATIONS}")
    return _GROUPINGS[tokens](layout)


class ElementLinear(nn.Module):
    """``n`` linear maps stored as one ``[n, out, in]`` weight; row ``b`` goes through map ``element[b]``.

    All ``n`` outputs come from one matmul and each row keeps its own (no host sync, no Python loop over
    elements); the maps are tiny next to the transformer, so computing all of them costs little.
    ``axis`` (a column of the ``[B, 4]`` element indices) is recorded for the optimiser's guard.
    """

    def __init__(self, n: int, in_features: int, out_features: int, axis: int | None = None):
        super().__init__()
        self.n, self.in_features, self.out_features, self.axis = n, in_features, out_features, axis
        self.weight = nn.Parameter(torch.empty(n, out_features, in_features))
        self.bias = nn.Parameter(torch.empty(n, out_features))
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear's default init, per element
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor, element: torch.Tensor) -> torch.Tensor:
        """``x`` ``[B, in]`` or ``[B, T, in]`` (T tokens sharing the map), ``element`` ``[B]``."""
        lead = x.shape[:-1]
        y = nn.functional.linear(x, self.weight.reshape(self.n * self.out_features, self.in_features))
        y = y.reshape(*lead, self.n, self.out_features)
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        idx = element.reshape(*shape, 1).expand(*lead, 1, self.out_features)
        return torch.gather(y, -2, idx).squeeze(-2) + self.bias.index_select(0, element).reshape(x.shape[0], *(1,) * (x.dim() - 2), -1)

    def extra_repr(self) -> str:
        return f"n={self.n}, in_features={self.in_features}, out_features={self.out_features}, axis={self.axis}"


class _Semantic(nn.Module):
    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool, encode: bool, tokens: str = "split"):
        super().__init__()
        self.groups = token_groups(layout, tokens)
        self.per_element = per_element
        maps: dict[str, nn.Module] = {}
        pos: dict[str, list[int]] = {}
        for i, g in enumerate(self.groups):
            pos.setdefault(g.key, []).append(i)
            if g.key in maps:
                continue
            i_f, o_f = (len(g.dims), hidden) if encode else (hidden, len(g.dims))
            if per_element and g.axis is not None:
                maps[g.key] = ElementLinear(len(layout.space.axis_elements(g.axis)), i_f, o_f, AXES.index(g.axis))
            else:
                maps[g.key] = nn.Linear(i_f, o_f)
        self.maps = nn.ModuleDict(maps)
        self._keys = list(maps)
        # per map: its token positions, and the flat dims of those tokens ([T_k, size_k])
        for k in self._keys:
            self.register_buffer(f"_pos_{k}", torch.tensor(pos[k]), persistent=False)
            self.register_buffer(f"_dims_{k}", torch.tensor([self.groups[i].dims for i in pos[k]]), persistent=False)
        order = [i for k in self._keys for i in pos[k]]
        flat = [d for k in self._keys for i in pos[k] for d in self.groups[i].dims]
        self.register_buffer("_token_inv", torch.argsort(torch.tensor(order)), persistent=False)
        self.register_buffer("_dim_inv", torch.argsort(torch.tensor(flat)), persistent=False)

    def _map(self, k: str, x: torch.Tensor, elements: torch.Tensor | None) -> torch.Tensor:
        m = self.maps[k]
        return m(x, elements[:, m.axis]) if isinstance(m, ElementLinear) else m(x)


class SemanticEncoder(_Semantic):
    """``[B, dim]`` → ``[B, K, hidden]``, one token per :class:`TokenGroup`."""

    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool, tokens: str = "split"):
        super().__init__(layout, hidden, per_element, encode=True, tokens=tokens)

    def forward(self, x: torch.Tensor, elements: torch.Tensor | None) -> torch.Tensor:
        parts = [self._map(k, x[:, getattr(self, f"_dims_{k}")], elements) for k in self._keys]
        return torch.cat(parts, dim=1).index_select(1, self._token_inv)


class SemanticDecoder(_Semantic):
    """``[B, K, hidden]`` → ``[B, dim]``."""

    def __init__(self, layout: TransitionLayout, hidden: int, per_element: bool, tokens: str = "split"):
        super().__init__(layout, hidden, per_element, encode=False, tokens=tokens)

    def forward(self, h: torch.Tensor, elements: torch.Tensor | None) -> torch.Tensor:
        b = h.shape[0]
        parts = [self._map(k, h.index_select(1, getattr(self, f"_pos_{k}")), elements).reshape(b, -1) for k in self._keys]
        return torch.cat(parts, dim=1).index_select(1, self._dim_inv)


class PatchEncoder(nn.Module):
    """Flat vector padded to ``n_tokens·patch`` and cut into ``n_tokens`` patches; one shared map."""

    #: One map for all tasks (see :class:`SemanticEncoder`).
    per_element = False

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

    per_element = False

    def __init__(self, dim: int, n_tokens: int, hidden: int):
        super().__init__()
        self.dim, self.n_tokens = dim, n_tokens
        self.patch = math.ceil(dim / n_tokens)
        self.proj = nn.Linear(hidden, self.patch)

    def forward(self, h: torch.Tensor, elements: torch.Tensor | None = None) -> torch.Tensor:
        return self.proj(h).reshape(h.shape[0], -1)[:, : self.dim]
