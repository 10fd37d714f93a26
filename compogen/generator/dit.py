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

import re
from functools import partial

import torch
from torch import nn

from compogen.generator.embeddings import NoiseEmbedding
from compogen.generator.tokenizers import ElementLinear, PatchDecoder, PatchEncoder, SemanticDecoder, SemanticEncoder
from compogen.layouts.transition import TransitionLayout
from compogen.tasks.space import AXES

__all__ = ["Attention", "DiTBlock", "DiTDenoiser", "TOKENIZERS", "upgrade_state_dict"]


def _patch_codec(layout: TransitionLayout, hidden: int, tokens: str) -> tuple[nn.Module, nn.Module, list[str]]:
    """Standard DiT: equal patches of the flat vector, one per layout token (``tokens`` does not apply)."""
    n = len(layout.tokens)
    return PatchEncoder(layout.dim, n, hidden), PatchDecoder(layout.dim, n, hidden), [f"patch{i}" for i in range(n)]


def _semantic_codec(layout: TransitionLayout, hidden: int, tokens: str, *, per_element: bool) -> tuple[nn.Module, nn.Module, list[str]]:
    """One token per factor group; with ``per_element`` one map per element of the factor's axis."""
    encoder = SemanticEncoder(layout, hidden, per_element, tokens)
    return encoder, SemanticDecoder(layout, hidden, per_element, tokens), [g.name for g in encoder.groups]


#: Tokenisation of each DiT variant → ``(layout, hidden, tokens) -> (encoder, decoder, token names)``.
_CODECS = {
    "patch": _patch_codec,
    "semantic": partial(_semantic_codec, per_element=False),
    "compositional": partial(_semantic_codec, per_element=True),
}

#: Tokenisation of each DiT variant.
TOKENIZERS = tuple(_CODECS)


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
    """adaLN-Zero block: shift/scale/gate for attention and MLP, computed by the backbone for all blocks at once."""

    def __init__(self, hidden: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(hidden, heads)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        inner = int(hidden * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(hidden, inner), nn.GELU(approximate="tanh"), nn.Linear(inner, hidden))

    def forward(self, x: torch.Tensor, mod: torch.Tensor, need_weights: bool = False):
        """``mod`` ``[B, 6·hidden]``: this block's slice of :attr:`DiTDenoiser.ada`."""
        sh1, sc1, g1, sh2, sc2, g2 = mod.chunk(6, dim=-1)
        a, w = self.attn(_modulate(self.norm1(x), sh1, sc1), need_weights)
        x = x + g1[:, None] * a
        x = x + g2[:, None] * self.mlp(_modulate(self.norm2(x), sh2, sc2))
        return x, w


class DiTDenoiser(nn.Module):
    """Backbone ``F(x_in, c_noise, cond)`` with tokenisation ``patch|semantic|compositional``.

    ``tokens`` (semantic/compositional only): ``split`` (the paper's 11 tokens) or ``paired``
    (:func:`~compogen.generator.tokenizers.token_groups`). ``pos_std``: init std of the learned
    positional embeddings (0.02 as in DiT; 1.0 puts tokens, a factor's ``s`` and ``s'`` among
    them, at the scale of the encoder outputs). ``zero_decoder``: zero-initialise the decoder, as
    DiT does its final layer (the denoiser then starts at EDM's skip path ``c_skip·x``).
    ``task_cond``: add the task embedding to the adaLN conditioning (the paper); without it the
    blocks see only the noise level (the compositional DiT still gets the task from its per-element maps).
    All blocks' adaLN-Zero modulations (and the final layer's) come from one matmul (:attr:`ada`).
    """

    def __init__(
        self,
        layout: TransitionLayout,
        tokenizer: str = "compositional",
        hidden: int = 416,
        depth: int = 8,
        heads: int = 8,
        mlp_ratio: float = 4.0,
        freq_dim: int = 256,
        tokens: str = "split",
        pos_std: float = 0.02,
        zero_decoder: bool = False,
        task_cond: bool = True,
    ):
        super().__init__()
        if tokenizer not in _CODECS:
            raise ValueError(f"unknown tokenizer {tokenizer!r}; valid: {TOKENIZERS}")
        self.tokenizer, self.hidden, self.depth, self.heads = tokenizer, hidden, depth, heads
        self.dim, self.cond_dim = layout.dim, layout.cond_dim
        self.encoder, self.decoder, self.token_names = _CODECS[tokenizer](layout, hidden, tokens)
        #: Per-element encoder/decoder maps picked by the task's elements (the compositional DiT).
        self.per_element: bool = self.encoder.per_element
        if not task_cond and not self.per_element:
            raise ValueError(f"task_cond=False leaves the {tokenizer} DiT no way to know the task; only the compositional DiT allows it")
        self.n_tokens = n_tokens = len(self.token_names)
        self.pos_emb = nn.Parameter(torch.randn(1, n_tokens, hidden) * pos_std)
        self.noise_emb = NoiseEmbedding(hidden, freq_dim=freq_dim)
        self.task_emb = nn.Linear(layout.cond_dim, hidden) if task_cond else None
        self.blocks = nn.ModuleList(DiTBlock(hidden, heads, mlp_ratio) for _ in range(depth))
        self.final_norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        #: adaLN-Zero of every block (6·hidden each) then of the final layer (2·hidden), zero-initialised.
        self.ada = nn.Linear(hidden, (6 * depth + 2) * hidden)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)
        if zero_decoder:
            for p in self.decoder.parameters():
                nn.init.zeros_(p)
        self._offsets = list(layout.space.indicator_offsets())
        self._sizes = [len(e) for e in layout.space.elements]

    def element_indices(self, cond: torch.Tensor) -> torch.Tensor:
        """``[B, 4]`` element index per axis (argmax of each one-hot block of the indicator)."""
        return torch.stack([cond[:, o : o + n].argmax(dim=1) for o, n in zip(self._offsets, self._sizes, strict=True)], dim=1)

    def element_slices(self, axis: str, element: int) -> dict[str, tuple[nn.Parameter, int]]:
        """Encoder/decoder weights owned by one element of ``axis``: ``name -> (parameter, row)`` (compositional DiT only)."""
        out: dict[str, tuple[nn.Parameter, int]] = {}
        if not self.per_element:
            return out
        col = AXES.index(axis)
        for part in ("encoder", "decoder"):
            for k, m in getattr(self, part).maps.items():
                if isinstance(m, ElementLinear) and m.axis == col:
                    for n, p in m.named_parameters():
                        out[f"{part}.maps.{k}.{n}"] = (p, element)
        return out

    def forward(self, x: torch.Tensor, c_noise: torch.Tensor, cond: torch.Tensor, return_intermediates: bool = False):
        cond = cond.to(x.dtype)
        elements = self.element_indices(cond) if self.per_element else None
        tokens = self.encoder(x, elements)
        h = tokens + self.pos_emb.to(tokens.dtype)
        c = self.noise_emb(c_noise)
        if self.task_emb is not None:
            c = c + self.task_emb(cond)
        mods = self.ada(nn.functional.silu(c))
        hd = 6 * self.hidden
        attn, hidden = [], []
        for i, blk in enumerate(self.blocks):
            h, w = blk(h, mods[:, i * hd : (i + 1) * hd], return_intermediates)
            if return_intermediates:
                attn.append(w)
                hidden.append(h)
        shift, scale = mods[:, self.depth * hd :].chunk(2, dim=-1)
        h = _modulate(self.final_norm(h), shift, scale)
        out = self.decoder(h, elements)
        if return_intermediates:
            return out, {"tokens": tokens, "attention": attn, "hidden": hidden, "conditioning": c, "elements": elements}
        return out


def upgrade_state_dict(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """DiT weights saved by compogen up to commit a0f8214, in today's names: per-element ``linears.{j}``
    stacked into one ``[n, out, in]`` weight, per-block ``blocks.{i}.ada.1`` and ``final_ada.1`` fused into ``ada``.
    Returns ``sd`` itself when it has no old keys (the outputs are the same either way)."""
    if not any(".linears." in k or ".ada.1." in k or "final_ada.1." in k for k in sd):
        return sd
    out = {k: v for k, v in sd.items() if ".linears." not in k and ".ada.1." not in k and "final_ada.1." not in k}
    stacked: dict[tuple[str, str], dict[int, torch.Tensor]] = {}
    for k, v in sd.items():
        m = re.fullmatch(r"(.*)\.linears\.(\d+)\.(weight|bias)", k)
        if m:
            stacked.setdefault((m[1], m[3]), {})[int(m[2])] = v
    for (prefix, name), rows in stacked.items():
        out[f"{prefix}.{name}"] = torch.stack([rows[j] for j in sorted(rows)])
    for prefix in {k[: k.index("final_ada.1.")] for k in sd if "final_ada.1." in k}:
        depth = len({k for k in sd if k.startswith(f"{prefix}blocks.") and ".ada.1.weight" in k})
        for name in ("weight", "bias"):
            parts = [sd[f"{prefix}blocks.{i}.ada.1.{name}"] for i in range(depth)] + [sd[f"{prefix}final_ada.1.{name}"]]
            out[f"{prefix}ada.{name}"] = torch.cat(parts)
    return out
