"""Offline datasets in the CompoSuite layout of Hussing et al. (2024).

On disk::

    <root>/<type>/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5
    <root>/<type>-<robot>-offline-comp-data/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5   (per-robot downloads)

Each file holds rows in time order: ``observations [N, obs_dim]``, ``actions [N, A]``,
``rewards``, ``successes``, ``terminals``, ``timeouts`` ``[N]``. An episode ends at a
terminal or a timeout; a row's next observation is the following row within its
episode. Files written by compogen also hold ``next_observations`` so that the
final transition of each episode is exact; without it (CompoSuite's files) the
final row of a time-limited episode is dropped and a terminal row keeps its own
observation as next observation (its value never enters a TD target).

Loading many tasks preallocates the result once and fills it in chunks, so peak
memory stays close to the size of the result.

Paths live in :mod:`compogen.data.offline_paths`, the writer in
:mod:`compogen.data.offline_writer`, one file's reader in :mod:`compogen.data.offline_file`;
this module loads files and pools (and re-exports the rest).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from compogen.data.offline_file import OfflineFile, empty_transitions
from compogen.data.offline_paths import DEFAULT_TYPE, dataset_path, find_datasets
from compogen.data.offline_writer import OfflineDatasetWriter
from compogen.data.suite_io import read_for_suite
from compogen.data.transitions import Transitions
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = [
    "OfflineDatasetWriter",
    "DEFAULT_TYPE",
    "dataset_path",
    "find_datasets",
    "load_pool",
    "read_offline_dataset",
    "summarize_offline_dataset",
]

#: The names the reader had before it moved to :mod:`compogen.data.offline_file` (tests reach them here).
_File, _empty = OfflineFile, empty_transitions


def read_offline_dataset(path: str | os.PathLike, task: Task | None = None, obs_dim: int | None = None, action_dim: int | None = None) -> Transitions:
    """One dataset file as :class:`Transitions`."""
    return _load([(task, Path(path))], obs_dim, action_dim)


def load_pool(
    root: str | os.PathLike,
    tasks: Sequence[Task],
    suite,
    type: str | None = DEFAULT_TYPE,
    check_task_ids: bool = True,
    synthetic: Sequence[tuple[Task | str, str | os.PathLike]] = (),
) -> Transitions:
    """The datasets of ``tasks`` under ``root`` as one pool (``task_index`` per row), followed by the
    ``synthetic`` files ``[(task, path), ...]`` in their order (real + admitted synthetic data)."""
    found = find_datasets(root, suite.space, type)
    missing = [suite.task_id(t) for t in tasks if t not in found]
    if missing:
        raise DataError(f"{root}: no {type or 'any-type'} dataset for tasks {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    pool = _load([(t, found[t]) for t in tasks], suite.observation_layout.dim, suite.action_dim)
    if check_task_ids:
        _check_task_ids(pool, suite, {t: found[t] for t in tasks})
    if not synthetic:
        return pool
    return Transitions.concatenate([pool, *(read_for_suite(path, suite, task) for task, path in synthetic)])


def _load(items: list[tuple[Task | None, Path]], obs_dim: int | None, action_dim: int | None) -> Transitions:
    files = []
    try:
        for _, p in items:
            files.append(OfflineFile(p, obs_dim, action_dim))
        dims = {(f.obs_dim, f.action_dim) for f in files}
        if len(dims) > 1:
            raise DataError(f"datasets disagree in (obs_dim, action_dim): {sorted(dims)}")
        total = sum(f.count for f in files)
        tasks = [t for t, _ in items if t is not None]
        out = empty_transitions(total, files[0].obs_dim, files[0].action_dim, tasks)
        pos = 0
        for i, f in enumerate(files):
            pos += f.fill(out, pos, i)
        return out
    finally:
        for f in files:
            f.close()


def _check_task_ids(pool: Transitions, suite, paths: dict[Task, Path]) -> None:
    """The task-id dims of each row must match its folder's task."""
    lay = suite.observation_layout
    for i, task in enumerate(pool.tasks):
        want = lay.obs_task_block(suite.space.indicator(task), suite.space)
        rows = np.flatnonzero(pool.task_index == i)
        sample = rows[:: max(1, len(rows) // 1000)]
        got = pool.observations[sample, lay.task_id_start : lay.task_id_stop]
        if not np.allclose(got, want):
            raise DataError(f"{paths[task]}: task-id dims of the observations do not match the folder's task {suite.task_id(task)}")


def summarize_offline_dataset(path: str | os.PathLike) -> dict[str, Any]:
    """Transitions, episodes, success rate and mean episode return, without loading observations."""
    f = OfflineFile(Path(path))
    try:
        rewards = f.f["rewards"][:].reshape(-1).astype(np.float64)
        successes = f.f["successes"][:].reshape(-1).astype(bool)
        ends = np.flatnonzero(f.ends)
        starts = np.r_[0, ends[:-1] + 1]
        returns = np.add.reduceat(rewards, starts)
        success = np.logical_or.reduceat(successes, starts)
        return {
            "path": str(path),
            "transitions": int(f.n),
            "episodes": int(len(ends)),
            "success_rate": float(success.mean()),
            "mean_return": float(returns.mean()),
            "terminal_episodes": int(f.terminals[ends].sum()),
        }
    finally:
        f.close()
