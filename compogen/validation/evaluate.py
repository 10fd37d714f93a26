"""The validators' one training schedule: train P policies together, keep each one's best evaluation."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from compogen.progress import bar as progress_bar
from compogen.rl.evaluate import EvalResult, eval_seed, evaluate_many, make_eval_envs
from compogen.suites.base import Suite
from compogen.tasks.space import Task
from compogen.validation.results import EvalPoint, SeedResult

__all__ = ["train_and_keep_best"]


def train_and_keep_best(
    suite: Suite,
    tasks: Sequence[Task | str],
    seeds: Sequence[int],
    config,
    train: Callable[[int, Callable[[int], Any]], None],
    act: Callable[[np.ndarray], np.ndarray],
    actor_state: Callable[[int], Any],
    progress: bool = True,
    desc: str = "validate",
    started: float | None = None,
) -> list[tuple[Any, Any]]:
    """The validators' one training schedule: train P policies together, evaluate every
    ``config.eval_every`` steps (and at the end), keep each policy's best evaluation.

    ``train(n, tick)`` runs ``n`` gradient steps (calling ``tick(1)`` per step), ``act`` maps the
    stacked observations ``[P, envs, obs]`` to actions, ``actor_state(p)`` snapshots policy ``p``.
    Policy ``p`` is evaluated on ``tasks[p]`` with episode seeds from ``seeds[p]``; the best is the
    highest success rate, then the highest mean return. Returns ``[(SeedResult, best actor state)]``.
    """
    t0 = time.perf_counter() if started is None else started
    P = len(tasks)
    envs = [make_eval_envs(suite, t, config.eval_envs or config.eval_episodes) for t in tasks]
    best: list[EvalResult | None] = [None] * P
    best_state: list[Any] = [None] * P
    best_step = [0] * P
    history: list[list[EvalPoint]] = [[] for _ in range(P)]
    env_steps = [0] * P
    try:
        with progress_bar(total=config.steps, desc=f"{desc} P={P}", disable=not progress, leave=False) as bar:
            done = 0
            for r, at in enumerate(config.eval_steps()):
                train(at - done, bar.update)
                done = at
                results = evaluate_many(envs, act, config.eval_episodes, [eval_seed(s, r) for s in seeds], suite.horizon)
                for p, res in enumerate(results):
                    env_steps[p] += res.env_steps
                    history[p].append(EvalPoint(at, res.success_rate, res.mean_return))
                    b = best[p]
                    if b is None or (res.success_rate, res.mean_return) > (b.success_rate, b.mean_return):
                        best[p], best_step[p], best_state[p] = res, at, actor_state(p)
                bar.set_postfix(success=f"{np.mean([b.success_rate for b in best]):.2f}")
    finally:
        for e in envs:
            e.close()
    secs = (time.perf_counter() - t0) / P
    return [
        (SeedResult(int(s), b.success_rate, b.successes, b.episodes, b.ci_low, b.ci_high, b.mean_return, at, steps, h, secs), state)
        for s, b, at, steps, h, state in zip(seeds, best, best_step, env_steps, history, best_state, strict=True)
    ]
