"""Elucidated diffusion (Karras et al. 2022): preconditioning, loss, noise schedule.

The preconditioning wraps any backbone ``F(x_in, c_noise, cond)`` (kept separate
from it) into the denoiser

    D(x; σ, c) = c_skip(σ)·x + c_out(σ)·F(c_in(σ)·x, c_noise(σ), c)

with ``c_skip = σ_d²/(σ²+σ_d²)``, ``c_out = σ·σ_d/√(σ²+σ_d²)``,
``c_in = 1/√(σ²+σ_d²)``, ``c_noise = ln(σ)/4``. Training draws
``ln σ ~ N(P_mean, P_std²)`` and weights the squared error by
``λ(σ) = (σ²+σ_d²)/(σ·σ_d)²`` (paper Section 2.2, Appendix B.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch
from torch import nn

from compogen.config import Config

__all__ = ["EDMConfig", "EDMDenoiser", "karras_sigmas", "loss_weight", "preconditioning"]


@dataclass(frozen=True)
class EDMConfig(Config):
    """Noise-level hyper-parameters (the paper's values are the defaults)."""

    #: Smallest noise level of the sampling schedule.
    sigma_min: float = 0.002
    #: Largest noise level of the sampling schedule (start of sampling).
    sigma_max: float = 80.0
    #: Typical scale of the (normalised) data.
    sigma_data: float = 1.0
    #: Curvature of the sampling schedule.
    rho: float = 7.0
    #: Mean of ln σ during training.
    p_mean: float = -1.2
    #: Standard deviation of ln σ during training.
    p_std: float = 1.2

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"edm.{f.name} must be a finite number, got {v!r}")
        if not 0 < self.sigma_min < self.sigma_max or self.sigma_data <= 0 or self.p_std <= 0 or self.rho <= 0:
            raise ValueError(f"edm: need 0 < sigma_min < sigma_max and positive sigma_data, p_std, rho; got {self}")

    def sample_sigma(self, n: int, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
        """Training noise levels ``exp(N(P_mean, P_std²))``, shape ``[n]``."""
        z = torch.randn(n, generator=generator, device=device)
        return (z * self.p_std + self.p_mean).exp()


def preconditioning(sigma: torch.Tensor, sigma_data: float = 1.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(c_skip, c_out, c_in, c_noise)`` for noise levels ``sigma`` (any shape)."""
    s2 = sigma**2 + sigma_data**2
    c_skip = sigma_data**2 / s2
    c_out = sigma * sigma_data / s2.sqrt()
    c_in = 1.0 / s2.sqrt()
    c_noise = sigma.log() / 4.0
    return c_skip, c_out, c_in, c_noise


def loss_weight(sigma: torch.Tensor, sigma_data: float = 1.0) -> torch.Tensor:
    """``λ(σ) = (σ² + σ_d²) / (σ·σ_d)²``."""
    return (sigma**2 + sigma_data**2) / (sigma * sigma_data) ** 2


def karras_sigmas(n: int, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0, dtype=torch.float64) -> torch.Tensor:
    """``n`` decreasing noise levels from ``sigma_max`` to ``sigma_min`` followed by a final 0 (length ``n + 1``)."""
    if n < 1:
        raise ValueError(f"need at least one sampling step, got {n}")
    if n == 1:
        return torch.tensor([sigma_max, 0.0], dtype=dtype)
    i = torch.arange(n, dtype=dtype)
    inv = 1.0 / rho
    s = (sigma_max**inv + i / (n - 1) * (sigma_min**inv - sigma_max**inv)) ** rho
    return torch.cat([s, torch.zeros(1, dtype=dtype)])


class EDMDenoiser(nn.Module):
    """``D(x; σ, cond)`` around a backbone ``F(x_in, c_noise, cond, return_intermediates=False)``.

    ``forward(x, sigma, cond, return_intermediates=True)`` also returns the
    backbone's intermediates dict (attention weights, encoder outputs, ...).
    ``known`` (bool ``[B, dim]``, only for a backbone built to take it, see ``GeneratorPreset.cond_masks``)
    marks dims given clean, not noised: the backbone sees the mask, and the loss leaves those dims out.
    """

    def __init__(self, backbone: nn.Module, config: EDMConfig | None = None):
        super().__init__()
        self.backbone = backbone
        self.config = config or EDMConfig()

    def forward(
        self, x: torch.Tensor, sigma: torch.Tensor | float, cond: torch.Tensor, return_intermediates: bool = False, known: torch.Tensor | None = None
    ):
        sigma = torch.as_tensor(sigma, dtype=torch.float32, device=x.device)
        sigma = sigma.reshape(-1, 1).expand(x.shape[0], 1) if sigma.numel() in (1, x.shape[0]) else sigma
        c_skip, c_out, c_in, c_noise = preconditioning(sigma, self.config.sigma_data)
        extra = {} if known is None else {"known": known}
        out = self.backbone((c_in * x).to(x.dtype), c_noise.reshape(-1), cond, return_intermediates=return_intermediates, **extra)
        f, inter = out if return_intermediates else (out, None)
        d = c_skip * x + c_out * f.float()
        return (d, inter) if return_intermediates else d

    def sample_sigma(self, n: int, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
        """Training noise levels (:meth:`EDMConfig.sample_sigma`)."""
        return self.config.sample_sigma(n, generator, device)

    def loss(
        self,
        x0: torch.Tensor,
        cond: torch.Tensor,
        generator: torch.Generator | None = None,
        autocast_bf16: bool = False,
        known: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Mean over the batch of ``λ(σ)·mean_d (D(x0 + σε; σ) − x0)²``, σ and ε drawn from ``generator``
        (``known``: see :meth:`row_losses`)."""
        sigma = self.sample_sigma(x0.shape[0], generator).to(x0.device)
        eps = torch.randn(x0.shape, generator=generator).to(x0.device)
        return self.row_losses(x0, cond, sigma, eps, autocast_bf16, known).mean()

    def row_losses(
        self,
        x0: torch.Tensor,
        cond: torch.Tensor,
        sigma: torch.Tensor,
        eps: torch.Tensor,
        autocast_bf16: bool = False,
        known: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``λ(σ)·mean_d (D(x0 + σε; σ) − x0)²`` per row, for given noise levels ``sigma`` and noise ``eps``.

        ``known`` (bool ``[B, dim]``): those dims enter clean (``x0``) and the mean runs over the other dims only
        (conditioning-mask training; a row without known dims is the plain loss)."""
        xs = x0 + sigma[:, None] * eps
        if known is not None:
            xs = torch.where(known, x0, xs)
        with torch.autocast(x0.device.type, dtype=torch.bfloat16, enabled=autocast_bf16):
            d = self(xs, sigma, cond, known=known)
        err = (d.float() - x0) ** 2
        if known is None:
            per_row = err.mean(dim=1)
        else:
            free = (~known).to(err.dtype)
            per_row = (err * free).sum(dim=1) / free.sum(dim=1).clamp(min=1.0)
        return loss_weight(sigma, self.config.sigma_data) * per_row
