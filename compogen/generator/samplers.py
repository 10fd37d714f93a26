"""Samplers: pure functions of ``(denoiser, sample indices, schedule, condition)``.

Every sampler takes ``denoiser(x, sigma, cond) -> D(x; σ)`` (an
:class:`~compogen.generator.edm.EDMDenoiser` or any function alike), the global
``index`` of each sample and a ``seed``. The initial noise and the churn noise
come from :func:`~compogen.generator.rng.counter_normal`, so sample ``i`` is the
same whatever batch it is drawn in.

* ``stochastic_heun`` — the paper's sampler (EDM Algorithm 2): 128 steps,
  ``S_churn=80, S_tmin=0.05, S_tmax=50, S_noise=1.003``; ``2·steps − 1`` = 255
  denoiser calls per sample.
* ``heun`` — deterministic 2nd-order Heun (EDM Algorithm 1): 20 steps → 39 calls.
* ``dpmpp_2m`` — DPM-Solver++(2M) (Lu et al. 2022) in the σ parametrisation: one
  call per step, 2nd-order multistep; 40 steps → 40 calls.

``SAMPLERS`` names the settings; ``"fast"`` is the default few-step one
(DPM-Solver++(2M), 40 calls: on an exact Gaussian denoiser its std error is
≈1.3 % vs ≈5 % for Heun with 39 calls; see ``tests/generator/test_samplers.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import torch

from compogen.config import Config
from compogen.errors import CompogenError
from compogen.generator.edm import EDMConfig, karras_sigmas
from compogen.generator.rng import counter_normal
from compogen.registry import Registry

__all__ = ["SAMPLERS", "SamplerConfig", "dpmpp_2m", "get_sampler", "heun", "run_sampler", "stochastic_heun"]

Denoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class SamplerConfig(Config):
    """One named sampler setting."""

    #: Algorithm: ``stochastic_heun``, ``heun`` or ``dpmpp_2m``.
    method: str
    #: Number of noise levels (denoiser calls: ``2·steps − 1`` for Heun, ``steps`` for DPM-Solver++).
    steps: int
    #: Churn strength (stochastic Heun only).
    s_churn: float = 0.0
    #: Churn only applies for σ in ``[s_tmin, s_tmax]``.
    s_tmin: float = 0.0
    s_tmax: float = float("inf")
    #: Scale of the churn noise.
    s_noise: float = 1.0

    def with_steps(self, steps: int | None) -> SamplerConfig:
        return self if steps is None else replace(self, steps=int(steps))

    @property
    def denoiser_calls(self) -> int:
        return self.steps if self.method == "dpmpp_2m" else 2 * self.steps - 1

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["s_tmax"] = d["s_tmax"] if math.isfinite(d["s_tmax"]) else None
        d["denoiser_calls"] = self.denoiser_calls
        return d


#: Named settings. ``paper``: Table 2 of the paper; ``fast``: ≤ 40 denoiser calls.
SAMPLERS: Registry[SamplerConfig] = Registry(
    "sampler",
    {
        "paper": SamplerConfig("stochastic_heun", 128, s_churn=80.0, s_tmin=0.05, s_tmax=50.0, s_noise=1.003),
        "heun": SamplerConfig("heun", 20),
        "dpmpp-2m": SamplerConfig("dpmpp_2m", 40),
    },
)
SAMPLERS.register("fast", SAMPLERS["dpmpp-2m"])


def get_sampler(name: str, steps: int | None = None) -> SamplerConfig:
    """The named setting, optionally with another number of steps."""
    config = SAMPLERS[name]
    if steps is not None and steps < 1:
        raise CompogenError(f"--steps must be >= 1, got {steps}")
    return config.with_steps(steps)


def _initial(index: torch.Tensor, seed: int, dim: int, sigma0: float, device) -> torch.Tensor:
    return counter_normal(seed, index, 0, dim).to(device) * float(sigma0)


def _call(denoiser: Denoiser, x: torch.Tensor, sigma: float, cond: torch.Tensor) -> torch.Tensor:
    s = torch.full((x.shape[0],), float(sigma), dtype=torch.float32, device=x.device)
    return denoiser(x, s, cond).float()


@torch.no_grad()
def stochastic_heun(
    denoiser: Denoiser,
    index: torch.Tensor,
    cond: torch.Tensor,
    dim: int,
    seed: int,
    sigmas: torch.Tensor,
    s_churn: float = 80.0,
    s_tmin: float = 0.05,
    s_tmax: float = 50.0,
    s_noise: float = 1.003,
    callback: Callable[[int], None] | None = None,
) -> torch.Tensor:
    """EDM Algorithm 2. ``sigmas``: decreasing levels ending in 0 (``karras_sigmas``)."""
    n = len(sigmas) - 1
    x = _initial(index, seed, dim, sigmas[0], cond.device)
    gamma_max = min(s_churn / n, math.sqrt(2.0) - 1.0)
    for i in range(n):
        t, t_next = float(sigmas[i]), float(sigmas[i + 1])
        gamma = gamma_max if s_tmin <= t <= s_tmax else 0.0
        t_hat = t * (1.0 + gamma)
        if gamma > 0:
            eps = counter_normal(seed, index, i + 1, dim).to(x.device)
            x = x + math.sqrt(t_hat**2 - t**2) * s_noise * eps
        d = (x - _call(denoiser, x, t_hat, cond)) / t_hat
        x_next = x + (t_next - t_hat) * d
        if t_next > 0:
            d2 = (x_next - _call(denoiser, x_next, t_next, cond)) / t_next
            x_next = x + (t_next - t_hat) * 0.5 * (d + d2)
        x = x_next
        if callback is not None:
            callback(i)
    return x


@torch.no_grad()
def heun(
    denoiser: Denoiser,
    index: torch.Tensor,
    cond: torch.Tensor,
    dim: int,
    seed: int,
    sigmas: torch.Tensor,
    callback: Callable[[int], None] | None = None,
) -> torch.Tensor:
    """EDM Algorithm 1 (deterministic Heun)."""
    return stochastic_heun(denoiser, index, cond, dim, seed, sigmas, s_churn=0.0, s_noise=1.0, callback=callback)


@torch.no_grad()
def dpmpp_2m(
    denoiser: Denoiser,
    index: torch.Tensor,
    cond: torch.Tensor,
    dim: int,
    seed: int,
    sigmas: torch.Tensor,
    callback: Callable[[int], None] | None = None,
) -> torch.Tensor:
    """DPM-Solver++(2M) with data prediction; ``t = −ln σ``; last step to σ=0 returns the denoised value."""
    n = len(sigmas) - 1
    x = _initial(index, seed, dim, sigmas[0], cond.device)
    old = None
    h_last = None
    for i in range(n):
        s, s_next = float(sigmas[i]), float(sigmas[i + 1])
        den = _call(denoiser, x, s, cond)
        if s_next == 0:
            x = den
        else:
            h = math.log(s) - math.log(s_next)
            if old is None:
                d = den
            else:
                r = h_last / h
                d = (1 + 1 / (2 * r)) * den - (1 / (2 * r)) * old
            x = (s_next / s) * x - math.expm1(-h) * d
            h_last = h
        old = den
        if callback is not None:
            callback(i)
    return x


_METHODS = {"stochastic_heun": stochastic_heun, "heun": heun, "dpmpp_2m": dpmpp_2m}


def run_sampler(
    config: SamplerConfig,
    denoiser: Denoiser,
    index: torch.Tensor,
    cond: torch.Tensor,
    dim: int,
    seed: int,
    edm: EDMConfig | None = None,
    callback: Callable[[int], None] | None = None,
) -> torch.Tensor:
    """Draw ``len(index)`` normalised flat samples ``[B, dim]`` with setting ``config``."""
    edm = edm or EDMConfig()
    sigmas = karras_sigmas(config.steps, edm.sigma_min, edm.sigma_max, edm.rho)
    if config.method == "stochastic_heun":
        return stochastic_heun(denoiser, index, cond, dim, seed, sigmas, config.s_churn, config.s_tmin, config.s_tmax, config.s_noise, callback)
    if config.method not in _METHODS:
        raise CompogenError(f"unknown sampling method {config.method!r}; valid: {', '.join(_METHODS)}")
    return _METHODS[config.method](denoiser, index, cond, dim, seed, sigmas, callback=callback)
