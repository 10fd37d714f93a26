"""Reading one offline dataset file: checked on open, its transitions copied out in chunks."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from compogen.data.transitions import Transitions, check_finite
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = ["REQUIRED", "OfflineFile", "empty_transitions"]

#: The datasets every file holds (``next_observations`` is optional: compogen writes it, CompoSuite does not).
REQUIRED = ("observations", "actions", "rewards", "successes", "terminals", "timeouts")
#: Rows read from the file at a time.
CHUNK = 65536


class OfflineFile:
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

    def fill(self, out: Transitions, pos: int, task_index: int, chunk: int = CHUNK) -> int:
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


def empty_transitions(n: int, obs_dim: int, action_dim: int, tasks: list[Task]) -> Transitions:
    """``n`` uninitialised rows of the given dims, to be filled by :meth:`OfflineFile.fill`."""
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
