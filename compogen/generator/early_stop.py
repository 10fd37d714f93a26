"""Early stopping without target data: training tasks kept out of the generator's data, scored by denoising loss.

Zero-shot quality falls while training-task fidelity keeps rising (the generator overfits to its training
combinations). The loss on a few training tasks kept out of the generator's data bottoms at the same checkpoint
as the loss on the held-out tasks (``benchmarks/results/generator_heldout.md``, "overfitting"), so it picks
when to stop without any data of the targets. :func:`compogen.generator.train_generator` uses this module
when ``TrainConfig.keep_out > 0``; ``benchmarks/bench_generator_heldout.py`` scores its curves with it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from compogen.data import Transitions
from compogen.data.normalizer import Normalizer
from compogen.errors import CompogenError
from compogen.generator.edm import EDMConfig, EDMDenoiser
from compogen.layouts.transition import TransitionLayout

__all__ = ["Draws", "SCORED_ROWS", "denoising_loss", "fixed_draws", "split_kept_out"]

SCORED_ROWS = 4096
"""Rows of the kept-out tasks scored at each evaluation (the measurement's count)."""


class Draws(NamedTuple):
    """Fixed normalised rows with their conditions, noise levels and noise: the same for every checkpoint."""

    x0: torch.Tensor
    cond: torch.Tensor
    sigma: torch.Tensor
    eps: torch.Tensor


def split_kept_out(pool: Transitions, k: int, seed: int, tries: int = 1000) -> tuple[Transitions, Transitions]:
    """``pool`` split into (trained on, kept out) with ``k`` kept-out tasks, drawn by ``seed`` uniformly among
    the ``k``-sets whose removal leaves every element of the pool in some trained-on task (an element seen by
    no trained-on task would leave its weights untrained): draws are repeated until one qualifies.
    :class:`CompogenError` when none of ``tries`` draws does."""
    tasks = list(pool.tasks)
    if k < 1 or k >= len(tasks):
        raise CompogenError(f"keep_out={k}: need 1 <= keep_out < the pool's {len(tasks)} tasks")
    rng = np.random.default_rng(seed)
    every = [{t[a] for t in tasks} for a in range(len(tasks[0]))]
    for _ in range(tries):
        kept = [tasks[i] for i in rng.choice(len(tasks), k, replace=False)]
        rest = [t for t in tasks if t not in kept]
        if all({t[a] for t in rest} == names for a, names in enumerate(every)):
            trained = Transitions.concatenate([pool.select(t) for t in rest])
            return trained, Transitions.concatenate([pool.select(t) for t in kept])
    raise CompogenError(f"keep_out={k}: no draw of {k} of the pool's {len(tasks)} tasks leaves every element in the trained-on tasks")


def fixed_draws(data: Transitions, layout: TransitionLayout, normalizer: Normalizer, n: int, seed: int, edm: EDMConfig) -> Draws:
    """``n`` rows of ``data`` (at most all of them, normalised by ``normalizer``), their task indicators, noise
    levels drawn as in training (:meth:`EDMConfig.sample_sigma`) and Gaussian noise, all fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(data), size=min(n, len(data)), replace=False))
    flat = layout.pack(data.observations[idx], data.actions[idx], data.rewards[idx], data.next_observations[idx], data.terminals[idx])
    x0 = (torch.from_numpy(flat) - torch.as_tensor(normalizer.mean)) / torch.as_tensor(normalizer.std)
    cond = torch.as_tensor(layout.space.indicators(data.tasks))[torch.from_numpy(data.task_index[idx].astype(np.int64))]
    g = torch.Generator().manual_seed(seed)
    sigma = edm.sample_sigma(len(idx), g)
    return Draws(x0.float(), cond.float(), sigma, torch.randn(x0.shape, generator=g))


@torch.no_grad()
def denoising_loss(net: EDMDenoiser, draws: Draws, batch: int = 2048) -> float:
    """EDM's weighted denoising loss of ``net`` on ``draws`` (:meth:`EDMDenoiser.row_losses`), averaged over
    rows; evaluated on the device of ``net``'s parameters."""
    dev = next(net.parameters()).device
    total = 0.0
    for i in range(0, len(draws.x0), batch):
        total += float(net.row_losses(*(t[i : i + batch].to(dev) for t in draws)).sum())
    return total / len(draws.x0)
