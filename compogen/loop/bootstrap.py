"""The main job: make sure real data exists, then run Algorithm 1."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from compogen.data import find_datasets
from compogen.errors import DataError
from compogen.loop.config import LoopConfig
from compogen.loop.rundir import RunDir
from compogen.loop.runner import resolve_run_tasks, run_loop
from compogen.suites import get_suite

__all__ = ["run_bootstrap"]


def run_bootstrap(config: LoopConfig, out: str | Path, log: Callable[[str], None] = print) -> dict:
    """Collect the training tasks' real data where missing (``config.collect``), then :func:`run_loop`."""
    config.check()
    suite = get_suite(config.suite)
    train, targets, evals, _ = resolve_run_tasks(config, suite)
    RunDir(out).check(config.to_dict(), config.defaults())  # a refused resume collects nothing
    root = Path(config.data)
    have = find_datasets(root, suite.space) if root.is_dir() else {}
    missing = [t for t in train if t not in have]
    t0 = time.perf_counter()
    if missing:
        if not suite.has_expert:
            raise DataError(
                f"{root}: no data for {len(missing)} training tasks of suite {suite.name!r} "
                f"(e.g. {suite.task_id(missing[0])}) and the suite has no scripted experts to collect it"
            )
        from compogen.rl.rollout import collect

        log(f"collecting {config.collect_episodes} expert episodes for {len(missing)} training tasks into {root}")
        collect(suite, missing, root, config.collect, workers=max(1, config.workers))
    collect_s = time.perf_counter() - t0
    log(f"{len(train)} training tasks, {len(targets)} targets, {len(evals)} held-out tasks for metrics -> {out}")
    state = run_loop(config, out, log=log)
    if missing:
        RunDir(out).add_timing("collect_s", collect_s)
    log(f"run directory: {out} (summary.csv, metrics.csv, progress.png)")
    return state
