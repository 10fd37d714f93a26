"""Conditioning embeddings shared by the denoisers: noise level and task indicator."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["NoiseEmbedding", "sinusoidal"]


def sinusoidal(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """``[cos(t·f_k), sin(t·f_k)]`` with ``f_k = max_period^(−k/half)``; ``t`` of shape ``[B]``."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


class NoiseEmbedding(nn.Module):
    """EDM's ``c_noise = ln(σ)/4`` → sinusoidal features (scaled ×1000, DDPM-like range) → MLP."""

    def __init__(self, out_dim: int, freq_dim: int = 256, hidden: int | None = None):
        super().__init__()
        hidden = hidden or out_dim
        self.freq_dim = freq_dim
        self.mlp = nn.Sequential(nn.Linear(freq_dim, hidden), nn.SiLU(), nn.Linear(hidden, out_dim))

    def forward(self, c_noise: torch.Tensor) -> torch.Tensor:
        return self.mlp(sinusoidal(c_noise * 1000.0, self.freq_dim))
