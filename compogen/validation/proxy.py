"""Simulator-free scores of a synthetic dataset, for deciding what is worth validating (issue 19 §3).

Validation costs simulator episodes; these scores need only the data (and, for :func:`consistency`,
the generator). ``benchmarks/bench_quality_proxy.py`` measures how well each ranks datasets by the
validator's success.

>>> import numpy as np
>>> from compogen.data import Transitions
>>> d = Transitions(np.zeros((4, 2)), np.zeros((4, 1)), np.array([0.1, 1.0, 0.5, 1.0]), np.zeros((4, 2)), np.array([0, 1, 0, 1]))
>>> data_scores(d)
{'success_rows': 0.5, 'terminal_rows': 0.5, 'mean_reward': 0.65}
>>> round(spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 25, 100])), 3)
1.0
>>> neighbours(("iiwa", "box", "none", "push"), [("iiwa", "box", "none", "shelf"), ("jaco", "box", "wall", "push")])
1
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from compogen.data.transitions import Transitions
from compogen.suites.base import success_steps

__all__ = ["SCORES", "consistency", "data_scores", "disagreement", "neighbours", "spearman"]

#: Scores computed from the data alone (:func:`data_scores`).
SCORES = ("success_rows", "terminal_rows", "mean_reward")


def data_scores(data: Transitions) -> dict[str, float]:
    """``success_rows`` (fraction of rows paying the success reward), ``terminal_rows``, ``mean_reward``."""
    r = np.asarray(data.rewards, np.float64)
    return {
        "success_rows": round(float(success_steps(r).mean()), 6),
        "terminal_rows": round(float(np.asarray(data.terminals, bool).mean()), 6),
        "mean_reward": round(float(r.mean()), 6),
    }


def neighbours(task: Sequence[str], pool: Iterable[Sequence[str]], shared: int = 3) -> int:
    """How many tasks of ``pool`` share exactly ``shared`` of ``task``'s elements (axis by axis; tasks as
    :class:`~compogen.tasks.space.Task` or element-name sequences): the compositional neighbourhood a
    generator trained on ``pool`` learned ``task``'s elements from."""
    return sum(sum(a == b for a, b in zip(task, other, strict=True)) == shared for other in pool)


def consistency(generator: Any, task: Any, data: Transitions, rows: int = 128, seed: int = 0) -> float:
    """Minus the RMS gap, in the generator's normalised units, between ``data``'s ``s'`` and the generator's
    ``s'`` given the same ``(s, a)`` (:meth:`~compogen.generator.Generator.sample_given`), on ``rows`` rows."""
    pick = np.sort(np.random.default_rng(seed).choice(len(data), size=min(rows, len(data)), replace=False))
    sub = data.subset(pick)
    again = generator.sample_given(task, sub.observations, sub.actions, seed=seed)
    lay = generator.layout
    std = generator.normalizer.std[lay.s_next]
    gap = (lay.strip(again.next_observations) - lay.strip(sub.next_observations)) / std
    return -float(np.sqrt((gap**2).mean()))


def disagreement(data: Transitions, others: Sequence[Transitions], rows: int = 1000, k: int = 16, seed: int = 0) -> float:
    """Minus how far ``data``'s actions lie from what other generators' datasets of the same task do in the same
    states: on ``rows`` of ``data``'s rows, the distance between its action and the mean action of the ``k``
    nearest states of each of ``others`` (states standardised over all of them), averaged. A BC policy learns
    the mean action of its data in each state, so a generator whose ``a | s`` is biased away from its peers'
    scores low. Needs no generator and no simulator, only several generators' data."""
    if not others:
        raise ValueError("disagreement needs at least one other dataset")
    obs = np.concatenate([data.observations, *(o.observations for o in others)]).astype(np.float64)
    mu, sd = obs.mean(0), obs.std(0) + 1e-3
    pick = np.random.default_rng(seed).choice(len(data), size=min(rows, len(data)), replace=False)
    q = (np.asarray(data.observations, np.float64)[pick] - mu) / sd
    a = np.asarray(data.actions, np.float64)[pick]
    gaps = []
    for o in others:
        ref = (np.asarray(o.observations, np.float64) - mu) / sd
        d2 = (q**2).sum(1)[:, None] + (ref**2).sum(1)[None, :] - 2.0 * q @ ref.T
        nn = np.argpartition(d2, min(k, len(ref)) - 1, axis=1)[:, :k]
        gaps.append(np.linalg.norm(a - np.asarray(o.actions, np.float64)[nn].mean(1), axis=1).mean())
    return -float(np.mean(gaps))


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank)."""
    x = np.asarray(x, np.float64)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=np.float64)
    for v in np.unique(x):
        tie = x == v
        ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation (Pearson's on average ranks); nan when either is constant."""
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])
