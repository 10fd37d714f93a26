"""Conditional sampling from the joint model: inpainting of known dims (``(a, r, s', d)`` given ``s``, ...).

The generator is trained on the joint ``[s, a, r, s', d]``; any subset of dims can be held fixed
while the rest is sampled. :func:`inpaint` turns a denoiser into one that sees the known dims on
their exact noising path and returns them exactly, so every sampler of
:mod:`compogen.generator.samplers` (a pure function of the denoiser) samples conditionally unchanged:

- before each call, the known dims of the input are replaced by ``x0 + σ·ε``, where ``ε`` is the
  sample's own initial noise (``counter_normal(seed, index, 0)``; the sampler starts from ``σ_max·ε``).
  That is the probability-flow path of a point mass at ``x0``, so the known dims never jump;
- the denoised output carries ``x0`` in the known dims. DPM-Solver++ then keeps them on the same path
  (``x_{i+1} = x0 + σ_{i+1}·ε`` exactly) and its last step returns ``x0``; Heun's Euler step ends at ``x0``
  too. :func:`sample_conditional` sets them exactly at the end all the same.

This is the replacement method (Song et al. 2021, "score-based generative modeling", App. G): it needs
no retraining. Its weakness is known: the free dims only see the known ones through the denoiser,
so a weak joint model gives loose conditionals (measured in ``benchmarks/bench_conditional.py``).

A model trained with conditioning masks (``GeneratorPreset.cond_masks``) learnt the conditionals themselves:
:func:`given_clean` gives it the known dims clean at every call, with their mask, as in its training.
"""

from __future__ import annotations

import torch

from compogen.generator.edm import EDMConfig
from compogen.generator.rng import counter_normal
from compogen.generator.samplers import Denoiser, SamplerConfig, run_sampler

__all__ = ["given_clean", "inpaint", "sample_conditional"]


def inpaint(denoiser: Denoiser, known: torch.Tensor, mask: torch.Tensor, index: torch.Tensor, seed: int, guidance: float = 0.0) -> Denoiser:
    """``denoiser`` with dims ``mask`` (bool ``[dim]``) held at ``known`` (``[B, dim]``, normalised;
    other columns ignored) for samples ``index`` drawn with ``seed``.

    ``guidance`` > 0 adds reconstruction guidance (Ho et al. 2022, "Video diffusion models", §3.1): the
    free dims' denoised values move along ``−∇_x ½‖x0_known − D(x)_known‖²`` scaled by
    ``guidance·(1 + σ²)`` (for unit-variance data that is the Gaussian conditional's regression step),
    at the price of one backward pass per call."""
    mask = mask.to(torch.bool)
    x0 = known[:, mask]
    eps = counter_normal(seed, index, 0, known.shape[1]).to(known.device)[:, mask]

    def fn(x: torch.Tensor, sigma: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        x = x.clone()
        x[:, mask] = x0 + sigma.reshape(-1, 1).to(x.dtype) * eps
        if guidance > 0:
            with torch.enable_grad():
                xg = x.detach().requires_grad_(True)
                out = denoiser(xg, sigma, cond)
                (grad,) = torch.autograd.grad(0.5 * ((out[:, mask] - x0) ** 2).sum(), xg)
            out = out.detach().clone()
            scale = guidance * (1.0 + sigma.reshape(-1, 1).to(out.dtype) ** 2)
            out[:, ~mask] -= scale * grad[:, ~mask].to(out.dtype)
        else:
            out = denoiser(x, sigma, cond).clone()
        out[:, mask] = x0.to(out.dtype)
        return out

    return fn


def given_clean(denoiser: Denoiser, known: torch.Tensor, mask: torch.Tensor) -> Denoiser:
    """A mask-trained ``denoiser`` (one that takes ``known=``) with dims ``mask`` given as they are in ``known``
    (not on their noising path) and the mask passed along, as in its training (``GeneratorPreset.cond_masks``)."""
    mask = mask.to(torch.bool)
    x0 = known[:, mask]
    rows = mask.expand(known.shape[0], -1)

    def fn(x: torch.Tensor, sigma: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        x = x.clone()
        x[:, mask] = x0.to(x.dtype)
        out = denoiser(x, sigma, cond, known=rows).clone()
        out[:, mask] = x0.to(out.dtype)
        return out

    return fn


@torch.no_grad()
def sample_conditional(
    config: SamplerConfig,
    denoiser: Denoiser,
    index: torch.Tensor,
    cond: torch.Tensor,
    known: torch.Tensor,
    mask: torch.Tensor,
    seed: int,
    edm: EDMConfig | None = None,
    guidance: float = 0.0,
    clean: bool = False,
) -> torch.Tensor:
    """Normalised flat samples ``[B, dim]`` whose dims ``mask`` equal ``known``; the rest drawn from the
    model's conditional: by :func:`inpaint` (``guidance``: see there), or with ``clean`` the learnt conditional of a
    mask-trained denoiser (:func:`given_clean`; ``guidance`` must be 0). Sample ``i`` depends only on
    ``(seed, index[i], known[i])``, as in :func:`run_sampler`."""
    mask = mask.to(torch.bool)
    if clean and guidance > 0:
        raise ValueError("reconstruction guidance needs the noised known dims; a mask-trained model samples with guidance 0")
    fn = given_clean(denoiser, known, mask) if clean else inpaint(denoiser, known, mask, index, seed, guidance)
    x = run_sampler(config, fn, index, cond, known.shape[1], seed, edm)
    x[:, mask] = known[:, mask].to(x.dtype)
    return x
