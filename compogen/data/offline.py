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
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from compogen.data.h5writer import AtomicH5Writer
from compogen.data.suite_io import read_for_suite
from compogen.data.transitions import Transitions, check_finite
from compogen.errors import DataError
from compogen.tasks.space import Task, TaskSpace

__all__ = [
    "OfflineDatasetWriter",
    "DEFAULT_TYPE",
    "dataset_path",
    "find_datasets",
    "load_pool",
    "read_offline_dataset",
    "summarize_offline_dataset",
]

DEFAULT_TYPE = "expert"
REQUIRED = ("observations", "actions", "rewards", "successes", "terminals", "timeouts")
_CHUNK = 65536
_PER_ROBOT = re.compile(r"^(?P<type>[a-z0-9]+)-(?P<robot>[a-z0-9]+)-offline-comp-data$", re.I)


# -- paths ------------------------------------------------------------------------
def dataset_path(root: str | os.PathLike, task: Task, space: TaskSpace, type: str = DEFAULT_TYPE) -> Path:
    """Where compogen writes ``task``'s dataset: ``<root>/<type>/<Folder>/data.hdf5``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", type) or ".." in type:
        raise DataError(f"dataset type {type!r} must be one folder name (letters, digits, '_', '-', '.'), like expert or medium")
    return Path(root) / type / space.folder_name(task) / "data.hdf5"


def find_datasets(root: str | os.PathLike, space: TaskSpace, type: str | None = None) -> dict[Task, Path]:
    """All task datasets under ``root`` (either layout, or ``root`` being a type folder)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: dataset root is not a directory")
    found: dict[Task, Path] = {}
    candidates: list[Path] = []
    for sub in sorted(root.iterdir()):
        if not sub.is_dir():
            continue
        m = _PER_ROBOT.match(sub.name)
        if (m and (type is None or m["type"].lower() == type.lower())) or (
            not m and "_" not in sub.name and (type is None or sub.name.lower() == type.lower())
        ):
            candidates += sorted(p for p in sub.iterdir() if p.is_dir())
        elif "_" in sub.name:
            candidates.append(sub)  # root is itself a type folder
    for folder in candidates:
        f = folder / "data.hdf5"
        if not f.is_file():
            continue
        task = _task_from_folder(folder, space)
        if task in found:
            raise DataError(f"two datasets for task {space.task_id(task)}: {found[task]} and {f}")
        found[task] = f
    return found


def _task_from_folder(folder: Path, space: TaskSpace) -> Task:
    parts = folder.name.split("_")
    if len(parts) != 4:
        raise DataError(f"{folder}: task folder name must be Robot_Object_Obstacle_Objective, got {folder.name!r}")
    try:
        return space.task(*parts)
    except ValueError as e:
        raise DataError(f"{folder}: bad task folder name ({e})") from None


# -- writing ----------------------------------------------------------------------
class OfflineDatasetWriter(AtomicH5Writer):
    """Append episodes to a CompoSuite-format file; the file appears only on ``close``.

    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/data.hdf5"
    >>> with OfflineDatasetWriter(path, obs_dim=3, action_dim=2) as w:
    ...     w.add_episode(np.zeros((5, 3)), np.zeros((4, 2)), np.ones(4), np.zeros(4), terminated=False)
    >>> len(read_offline_dataset(path))
    4
    """

    def __init__(self, path: str | os.PathLike, obs_dim: int, action_dim: int, attrs: dict[str, Any] | None = None):
        self.obs_dim, self.action_dim = int(obs_dim), int(action_dim)
        self.attrs = dict(attrs or {})
        self.episodes = 0
        self.successes = 0
        self.returns: list[float] = []
        f32 = np.float32
        super().__init__(
            path,
            {
                "observations": ((self.obs_dim,), f32),
                "next_observations": ((self.obs_dim,), f32),
                "actions": ((self.action_dim,), f32),
                "rewards": ((), f32),
                "successes": ((), bool),
                "terminals": ((), bool),
                "timeouts": ((), bool),
            },
        )

    def add_episode(self, observations, actions, rewards, successes, terminated: bool) -> None:
        """One episode: ``T + 1`` observations (incl. the final one) and ``T`` of the rest."""
        obs = np.asarray(observations, dtype=np.float32)
        act = np.asarray(actions, dtype=np.float32)
        t = len(act)
        if t == 0:
            raise DataError("an episode needs at least one transition")
        if obs.shape != (t + 1, self.obs_dim) or act.shape != (t, self.action_dim):
            raise DataError(
                f"episode shapes: observations {list(obs.shape)} (want [{t + 1}, {self.obs_dim}]), "
                f"actions {list(act.shape)} (want [{t}, {self.action_dim}])"
            )
        rew = np.asarray(rewards, dtype=np.float32).reshape(t)
        suc = np.asarray(successes, dtype=bool).reshape(t)
        check_finite("episode", {"observations": obs, "actions": act, "rewards": rew})
        term = np.zeros(t, dtype=bool)
        tout = np.zeros(t, dtype=bool)
        (term if terminated else tout)[-1] = True
        self.append_columns(
            {
                "observations": obs[:-1],
                "next_observations": obs[1:],
                "actions": act,
                "rewards": rew,
                "successes": suc,
                "terminals": term,
                "timeouts": tout,
            },
            t,
        )
        self.episodes += 1
        self.successes += int(suc.any())
        self.returns.append(float(rew.sum()))

    def close(self) -> None:
        self.finish(
            {
                **self.attrs,
                "episodes": self.episodes,
                "transitions": self.n,
                "success_rate": self.successes / max(self.episodes, 1),
                "mean_return": float(np.mean(self.returns)) if self.returns else 0.0,
            }
        )


# -- reading ----------------------------------------------------------------------
class _File:
    """An open, validated dataset file and the row plan of its transitions."""

    def __init__(self, path: Path, obs_dim: int | None = None, action_dim: int | None = None):
        self.path = Path(path)
        try:
            self.f = h5py.File(self.path, "r")
        except (OSError, ValueError) as e:
            raise DataError(f"{self.path}: cannot open as HDF5 (truncated or not a dataset file): {e}") from None
        try:
            self._check(obs_dim, action_dim)
        except BaseException:
            self.f.close()
            raise

    def _err(self, msg: str) -> DataError:
        return DataError(f"{self.path}: {msg}")

    def _check(self, obs_dim: int | None, action_dim: int | None) -> None:
        f = self.f
        missing = [k for k in REQUIRED if k not in f]
        if missing:
            raise self._err(f"missing keys {missing} (have {sorted(f.keys())})")
        n = f["observations"].shape[0] if f["observations"].ndim == 2 else -1
        if n < 0:
            raise self._err(f"observations must be 2-D, got shape {list(f['observations'].shape)}")
        for k in REQUIRED + (("next_observations",) if "next_observations" in f else ()):
            d = f[k]
            if d.shape[0] != n:
                raise self._err(f"{k} has {d.shape[0]} rows, observations has {n}")
            if not (np.issubdtype(d.dtype, np.number) or d.dtype == bool):
                raise self._err(f"{k} has non-numeric dtype {d.dtype}")
        if f["actions"].ndim != 2:
            raise self._err(f"actions must be 2-D, got shape {list(f['actions'].shape)}")
        for k in ("rewards", "successes", "terminals", "timeouts"):
            if f[k].ndim != 1 and not (f[k].ndim == 2 and f[k].shape[1] == 1):
                raise self._err(f"{k} must be 1-D, got shape {list(f[k].shape)}")
        if "next_observations" in f and f["next_observations"].shape != f["observations"].shape:
            raise self._err("next_observations and observations differ in shape")
        self.n, self.obs_dim, self.action_dim = n, f["observations"].shape[1], f["actions"].shape[1]
        if obs_dim is not None and self.obs_dim != obs_dim:
            raise self._err(f"observations have {self.obs_dim} dims, the suite expects {obs_dim}")
        if action_dim is not None and self.action_dim != action_dim:
            raise self._err(f"actions have {self.action_dim} dims, the suite expects {action_dim}")
        if n == 0:
            raise self._err("no rows")
        self.terminals = f["terminals"][:].reshape(n).astype(bool)
        self.timeouts = f["timeouts"][:].reshape(n).astype(bool)
        self.ends = self.terminals | self.timeouts
        if not self.ends[-1]:
            raise self._err("last row ends no episode (neither terminal nor timeout): file truncated?")
        self.exact_next = "next_observations" in f
        # rows that become transitions
        self.keep = np.ones(n, dtype=bool) if self.exact_next else ~(self.timeouts & ~self.terminals)
        self.count = int(self.keep.sum())

    def fill(self, out: Transitions, pos: int, task_index: int, chunk: int = _CHUNK) -> int:
        """Copy this file's transitions into ``out`` from row ``pos``; return rows written."""
        f, n = self.f, self.n
        start = pos
        for a in range(0, n, chunk):
            b = min(a + chunk, n)
            keep = np.flatnonzero(self.keep[a:b])
            k = len(keep)
            if k == 0:
                continue
            hi = min(b + 1, n)  # one extra row for next observations
            obs = f["observations"][a:hi]
            dst = slice(pos, pos + k)
            out.observations[dst] = obs[keep]
            if self.exact_next:
                out.next_observations[dst] = f["next_observations"][a:b][keep]
            else:
                nxt = np.minimum(keep + 1 - self.ends[a:b][keep].astype(int), len(obs) - 1)
                out.next_observations[dst] = obs[nxt]
            out.actions[dst] = f["actions"][a:b][keep]
            out.rewards[dst] = f["rewards"][a:b].reshape(-1)[keep]
            out.terminals[dst] = self.terminals[a:b][keep]
            out.timeouts[dst] = self.timeouts[a:b][keep]
            out.task_index[dst] = task_index
            check_finite(
                str(self.path), {key: getattr(out, key)[dst] for key in ("observations", "next_observations", "actions", "rewards")}, rows=a + keep
            )
            pos += k
        return pos - start

    def close(self) -> None:
        self.f.close()


def _empty(n: int, obs_dim: int, action_dim: int, tasks: list[Task]) -> Transitions:
    return Transitions(
        observations=np.empty((n, obs_dim), np.float32),
        actions=np.empty((n, action_dim), np.float32),
        rewards=np.empty(n, np.float32),
        next_observations=np.empty((n, obs_dim), np.float32),
        terminals=np.empty(n, bool),
        timeouts=np.empty(n, bool),
        task_index=np.zeros(n, np.int16),
        tasks=tasks,
    )


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
            files.append(_File(p, obs_dim, action_dim))
        dims = {(f.obs_dim, f.action_dim) for f in files}
        if len(dims) > 1:
            raise DataError(f"datasets disagree in (obs_dim, action_dim): {sorted(dims)}")
        total = sum(f.count for f in files)
        tasks = [t for t, _ in items if t is not None]
        out = _empty(total, files[0].obs_dim, files[0].action_dim, tasks)
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
    f = _File(Path(path))
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
