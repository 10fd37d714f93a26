"""Counter-based Gaussian noise: sample ``i``'s noise depends only on ``(seed, i, stream)``.

Samplers draw the initial noise (stream 0) and the churn noise of step ``k``
(stream ``k + 1``) from here, so the same seed yields the same transitions
whatever the batch size or the batch a sample falls in. The bits come from a
SplitMix64 hash of the counter (vectorised in int64 tensor arithmetic), turned
into normals with Box-Muller.

>>> import torch
>>> a = counter_normal(0, torch.arange(5), stream=0, dim=3)
>>> b = counter_normal(0, torch.arange(2, 5), stream=0, dim=3)
>>> bool(torch.equal(a[2:], b))
True
"""

from __future__ import annotations

import math

import torch

__all__ = ["counter_normal", "splitmix64"]

_MASK64 = (1 << 64) - 1


def _signed(c: int) -> int:
    c &= _MASK64
    return c - (1 << 64) if c >= (1 << 63) else c


_GOLDEN = _signed(0x9E3779B97F4A7C15)
_M1 = _signed(0xBF58476D1CE4E5B9)
_M2 = _signed(0x94D049BB133111EB)


def _lsr(z: torch.Tensor, s: int) -> torch.Tensor:
    """Logical right shift of int64 bits."""
    return (z >> s) & ((1 << (64 - s)) - 1)


def splitmix64(z: torch.Tensor) -> torch.Tensor:
    """SplitMix64 output function on int64 tensors (wrap-around arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ _lsr(z, 30)) * _M1
    z = (z ^ _lsr(z, 27)) * _M2
    return z ^ _lsr(z, 31)


def counter_normal(seed: int, index: torch.Tensor, stream: int, dim: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard normals ``[len(index), dim]``; row ``r`` depends only on ``(seed, index[r], stream)``."""
    index = torch.as_tensor(index, dtype=torch.int64).reshape(-1).cpu()
    key = splitmix64(torch.tensor([_signed(int(seed))], dtype=torch.int64))
    key = splitmix64(key ^ index)
    key = splitmix64(key ^ _signed(int(stream) * 0x632BE59BD9B4E019 + 1))
    ctr = torch.arange(2 * dim, dtype=torch.int64) * _GOLDEN
    bits = splitmix64(key[:, None] + ctr[None, :])
    u = _lsr(bits, 11).to(torch.float64) * 2.0**-53 + 2.0**-54  # (0, 1)
    u1, u2 = u[:, :dim], u[:, dim:]
    z = torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * math.pi * u2)
    return z.to(dtype)
