"""Diffusion-transformer denoisers: standard, semantic and semantic+compositional DiT.

All three share :class:`DiTDenoiser`: tokens from an encoder (see
:mod:`compogen.generator.tokenizers`) plus learned positional embeddings go
through adaLN-Zero DiT blocks (Peebles & Xie 2023) conditioned on
``u = E_t(c_noise) + E_n(task indicator)``, then a decoder maps them back.

Analysis: ``forward(..., return_intermediates=True)`` returns ``(out, inter)``
with ``inter["tokens"]`` the encoder outputs ``[B, K, H]`` (before positional
embeddings), ``inter["attention"]`` a list of per-layer attention weights
``[B, heads, K, K]``, ``inter["hidden"]`` per-layer token states and
``inter["conditioning"]`` ``u``. ``backbone.encoder``/``backbone.decoder`` are
modules, so forward hooks on them also see (and may replace) encoder outputs.
"""

from __future__ import annotations

import torch
from torch import nn

from compogen.generator.embeddings import NoiseEmbedding
from compogen.generator.tokenizers import PatchDecoder, PatchEncoder, SemanticDecoder, SemanticEncoder
from compogen.layouts.transition import TransitionLayout
from compogen.tasks.space import AXES

__all__ = ["DiTBlock", "DiTDenoiser", "TOKENIZERS", "Attention"]

#: Tokenisation of each DiT variant.
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
        return torch.stack([cond[:, o : o + n].argmax(dim=1) for o, n in zip(self._offsets, self._sizes)], dim=1)

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
