"""The sc-dit of commit a0f8214 (per-element maps looped in Python, one adaLN linear per block): the oracle of
the equality test and the "old" side of ``benchmarks/bench_generator_speed.py``. Not shipped."""

from __future__ import annotations

import math

import torch
from torch import nn

from compogen.generator.embeddings import NoiseEmbedding
from compogen.layouts.transition import TransitionLayout
from compogen.tasks.space import AXES


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


TOKENIZERS = ("patch", "semantic", "compositional")


def _modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale[:, None]) + shift[:, None]


class Attention(nn.Module):
    """Multi-head self-attention that can return its weights."""

    def __init__(self, hidden: int, heads: int):
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden size {hidden} not divisible by {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, need_weights: bool = False):
        b, k, h = x.shape
        q, kk, v = self.qkv(x).reshape(b, k, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        if need_weights:
            w = torch.softmax((q @ kk.transpose(-2, -1)) * (q.shape[-1] ** -0.5), dim=-1)
            out = w @ v
        else:
            w = None
            out = nn.functional.scaled_dot_product_attention(q, kk, v)
        return self.proj(out.transpose(1, 2).reshape(b, k, h)), w


class DiTBlock(nn.Module):
    """adaLN-Zero block: shift/scale/gate for attention and MLP from the conditioning."""

    def __init__(self, hidden: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        inner = int(hidden * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(hidden, inner), nn.GELU(approximate="tanh"), nn.Linear(inner, hidden))
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 6 * hidden))
        nn.init.zeros_(self.ada[1].weight)
        nn.init.zeros_(self.ada[1].bias)

    def forward(self, x: torch.Tensor, c: torch.Tensor, need_weights: bool = False):
        sh1, sc1, g1, sh2, sc2, g2 = self.ada(c).chunk(6, dim=-1)
        a, w = self.attn(_modulate(self.norm1(x), sh1, sc1), need_weights)
        x = x + g1[:, None] * a
        x = x + g2[:, None] * self.mlp(_modulate(self.norm2(x), sh2, sc2))
        return x, w


class DiTDenoiser(nn.Module):
    """Backbone ``F(x_in, c_noise, cond)`` with tokenisation ``patch|semantic|compositional``."""

    def __init__(
        self,
        layout: TransitionLayout,
        tokenizer: str = "compositional",
        hidden: int = 416,
        depth: int = 8,
        heads: int = 8,
        mlp_ratio: float = 4.0,
        freq_dim: int = 256,
    ):
        super().__init__()
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"unknown tokenizer {tokenizer!r}; valid: {TOKENIZERS}")
        self.tokenizer, self.hidden, self.depth, self.heads = tokenizer, hidden, depth, heads
        self.dim, self.cond_dim = layout.dim, layout.cond_dim
        n_tokens = len(layout.tokens)
        if tokenizer == "patch":
            self.encoder = PatchEncoder(layout.dim, n_tokens, hidden)
            self.decoder = PatchDecoder(layout.dim, n_tokens, hidden)
        else:
            per_el = tokenizer == "compositional"
            self.encoder = SemanticEncoder(layout, hidden, per_el)
            self.decoder = SemanticDecoder(layout, hidden, per_el)
        self.n_tokens = n_tokens
        self.token_names = [t.name for t in layout.tokens] if tokenizer != "patch" else [f"patch{i}" for i in range(n_tokens)]
        self.pos_emb = nn.Parameter(torch.randn(1, n_tokens, hidden) * 0.02)
        self.noise_emb = NoiseEmbedding(hidden, freq_dim=freq_dim)
        self.task_emb = nn.Linear(layout.cond_dim, hidden)
        self.blocks = nn.ModuleList(DiTBlock(hidden, heads, mlp_ratio) for _ in range(depth))
        self.final_norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.final_ada = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))
        nn.init.zeros_(self.final_ada[1].weight)
        nn.init.zeros_(self.final_ada[1].bias)
        self._offsets = list(layout.space.indicator_offsets())
        self._sizes = [len(e) for e in layout.space.elements]

    def element_indices(self, cond: torch.Tensor) -> torch.Tensor:
        """``[B, 4]`` element index per axis (argmax of each one-hot block of the indicator)."""
        return torch.stack([cond[:, o : o + n].argmax(dim=1) for o, n in zip(self._offsets, self._sizes, strict=True)], dim=1)

    def element_parameters(self, axis: str, element: int) -> dict[str, nn.Parameter]:
        """Encoder/decoder parameters owned by one element of ``axis`` (compositional DiT only)."""
        out = {}
        if self.tokenizer != "compositional":
            return out
        col = AXES.index(axis)
        for part in ("encoder", "decoder"):
            mod = getattr(self, part)
            for k, m in mod.maps.items():
                if mod._axis_col[k] == col:
                    for n, p in m.linears[element].named_parameters():
                        out[f"{part}.maps.{k}.linears.{element}.{n}"] = p
        return out

    def forward(self, x: torch.Tensor, c_noise: torch.Tensor, cond: torch.Tensor, return_intermediates: bool = False):
        cond = cond.to(x.dtype)
        elements = self.element_indices(cond)
        tokens = self.encoder(x, elements)
        h = tokens + self.pos_emb.to(tokens.dtype)
        c = self.noise_emb(c_noise) + self.task_emb(cond)
        attn, hidden = [], []
        for blk in self.blocks:
            h, w = blk(h, c, return_intermediates)
            if return_intermediates:
                attn.append(w)
                hidden.append(h)
        shift, scale = self.final_ada(c).chunk(2, dim=-1)
        h = _modulate(self.final_norm(h), shift, scale)
        out = self.decoder(h, elements)
        if return_intermediates:
            return out, {"tokens": tokens, "attention": attn, "hidden": hidden, "conditioning": c, "elements": elements}
        return out
