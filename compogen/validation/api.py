"""The validator's entry points used by the self-improvement loop and the CLI."""

from __future__ import annotations

import os
from collections.abc import Sequence

from compogen.data import Transitions
from compogen.errors import CompogenError
from compogen.rl.policy_io import policy_path, save_policy
from compogen.suites.base import Suite
from compogen.suites.registry import get_suite
from compogen.tasks.space import Task
from compogen.validation.config import BATCHED_ALGOS, ValidationConfig
from compogen.validation.data import check_task_data, prepare
from compogen.validation.results import TaskValidation

__all__ = ["BACKENDS", "validate", "validate_many"]

BACKENDS = ("batched", "d3rlpy")


def _meta(suite: Suite, task: Task, seed: int, config: ValidationConfig, backend: str, step: int) -> dict:
    return {
        "suite": suite.name,
        "task": suite.task_id(task),
        "seed": int(seed),
        "backend": backend,
        "best_step": int(step),
        "config": config.to_dict(),
    }


def validate_many(
    suite: Suite | str,
    items: Sequence[tuple[Task | str, Transitions]],
    config: ValidationConfig,
    seeds: Sequence[int] | None = None,
    backend: str = "batched",
    out_dir: str | os.PathLike | None = None,
    max_policies: int | None = None,
    progress: bool = True,
) -> list[TaskValidation]:
    """Validate each ``(task, data)`` with every seed; one :class:`TaskValidation` per item, in order.

    ``backend="batched"`` trains all (task, seed) TD3+BC (or BC) policies together (in groups of at
    most ``max_policies``); ``"d3rlpy"`` trains them one after another with d3rlpy (IQL always
    uses d3rlpy). With ``out_dir`` the best actor of each (task, seed) is saved to
    ``<out_dir>/<task_id>/seed<k>.safetensors``.
    """
    suite = get_suite(suite) if isinstance(suite, str) else suite
    if backend not in BACKENDS:
        raise CompogenError(f"unknown validation backend {backend!r}; valid: {', '.join(BACKENDS)}")
    seeds = [int(s) for s in (config.seeds if seeds is None else seeds)]
    if not seeds:
        raise CompogenError("validate: give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise CompogenError(f"validate: seeds must be distinct, got {seeds}")
    checked = []
    for given, data in items:
        task = suite.parse(given)
        checked.append((task, check_task_data(suite, task, data, name=f"data for {suite.task_id(task)}")))
    if backend == "d3rlpy" or config.algo not in BATCHED_ALGOS:
        backend = "d3rlpy"
    per_item: list[list] = [[] for _ in checked]
    if backend == "batched":
        prepared = [prepare(data, config.normalize_states, config.normalize_eps) for _, data in checked]  # shared by seeds
        jobs = [(i, task, prepared[i], seed) for i, (task, _) in enumerate(checked) for seed in seeds]
        group = max_policies or len(jobs)
        from compogen.validation.batched import run_batched

        for start in range(0, len(jobs), group):
            part = jobs[start : start + group]
            outs = run_batched(suite, [(t, d, s) for _, t, d, s in part], config, progress=progress)
            for (i, _, _, _), (res, state) in zip(part, outs, strict=True):
                per_item[i].append((res, state))
    else:
        from compogen.validation.d3rlpy_validator import run_d3rlpy

        for i, (task, data) in enumerate(checked):
            for seed in seeds:
                per_item[i].append(run_d3rlpy(suite, task, data, seed, config, progress=progress))
    out = []
    for (task, data), results in zip(checked, per_item, strict=True):
        seed_results = []
        for res, state in results:
            if out_dir is not None:
                path = policy_path(out_dir, suite.task_id(task), res.seed)
                save_policy(path, state, _meta(suite, task, res.seed, config, backend, res.best_step))
                res.weights_path = str(path)
            seed_results.append(res)
        out.append(TaskValidation(suite.task_id(task), config.algo, backend, len(data), seed_results, config.to_dict()))
    return out


def validate(
    suite: Suite | str,
    task: Task | str,
    data: Transitions,
    config: ValidationConfig,
    seeds: Sequence[int] | None = None,
    backend: str = "batched",
    out_dir: str | os.PathLike | None = None,
    progress: bool = True,
) -> TaskValidation:
    """Train offline RL on ``task``'s transitions in ``data`` with each seed; evaluate in the simulator.

    The best evaluation of each seed is kept (success rate with its 95 % Wilson interval,
    mean return, env steps spent, step of the best evaluation).
    """
    (res,) = validate_many(suite, [(task, data)], config, seeds, backend=backend, out_dir=out_dir, progress=progress)
    return res
