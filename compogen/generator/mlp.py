"""Monolithic denoiser (SynthER-style residual MLP, the paper's "Monolithic" baseline).

``h_0 = W_in·x``; every block adds the conditioning ``e = E_t(c_noise) + E_c(task)``
to its input: ``h ← h + W_k·SiLU(LN(h + e))``; output ``W_out·SiLU(LN(h))``.
Paper preset (6 blocks × width 2048): 26.19M parameters for the 164-dim
CompoSuite layout (paper: 25.88M).

Built with ``known_input=True`` (``GeneratorPreset.cond_masks > 0``), it also takes a mask of the dims given
clean (``known``, bool ``[B, dim]``), embedded like the task and added to ``e``: one network then denoises the
joint ``[s, a, r, s', d]`` (no mask) and its conditionals given ``s`` or ``(s, a)``.
"""

from __future__ import annotations

import torch
from torch import nn

from compogen.generator.embeddings import NoiseEmbedding

__all__ = ["ResidualMLPDenoiser"]


class _Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.linear = nn.Linear(width, width)

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        return h + self.linear(nn.functional.silu(self.norm(h + e)))


class ResidualMLPDenoiser(nn.Module):
    """Backbone ``F(x_in, c_noise, cond)`` for flat ``[B, dim]`` transitions."""

    def __init__(
        self, dim: int, cond_dim: int, width: int = 2048, depth: int = 6, freq_dim: int = 64, noise_hidden: int = 128, known_input: bool = False
    ):
        super().__init__()
        self.dim, self.cond_dim, self.width, self.depth = dim, cond_dim, width, depth
        self.in_proj = nn.Linear(dim, width)
        self.noise_emb = NoiseEmbedding(width, freq_dim=freq_dim, hidden=noise_hidden)
        self.task_emb = nn.Linear(cond_dim, width)
        self.blocks = nn.ModuleList(_Block(width) for _ in range(depth))
        self.out_norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, dim)
        # No bias: an all-False mask (joint sampling) adds nothing.
        self.known_emb = nn.Linear(dim, width, bias=False) if known_input else None

    def forward(
        self, x: torch.Tensor, c_noise: torch.Tensor, cond: torch.Tensor, return_intermediates: bool = False, known: torch.Tensor | None = None
    ):
        e = self.noise_emb(c_noise) + self.task_emb(cond.to(x.dtype))
        if known is not None:
            if self.known_emb is None:
                raise ValueError("this denoiser was not trained with conditioning masks (GeneratorPreset.cond_masks = 0): it cannot take `known`")
            e = e + self.known_emb(known.to(x.dtype))
        h = self.in_proj(x)
        hidden = []
        for blk in self.blocks:
            h = blk(h, e)
            if return_intermediates:
                hidden.append(h)
        out = self.out(nn.functional.silu(self.out_norm(h)))
        if return_intermediates:
            return out, {"conditioning": e, "hidden": hidden}
        return out
