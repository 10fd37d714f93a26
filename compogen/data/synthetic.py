"""Synthetic transition files: the SynthER key contract, streamed to HDF5.

Keys: ``observations, actions, rewards, next_observations, terminals`` (the
paper's code writes the same keys to ``.npz``; both are read), and optionally
``timeouts`` (episodic files: rows in episode order, an episode ends at
``terminals | timeouts``; absent means no timeouts). Metadata (task,
sampler settings, seed, model) is JSON in the file's ``compogen`` attribute.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from compogen.data.h5writer import AtomicH5Writer
from compogen.data.transitions import KEYS, Transitions, check_finite
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = ["SyntheticWriter", "read_synthetic", "read_synthetic_attrs", "write_synthetic"]


class SyntheticWriter(AtomicH5Writer):
    """Append batches; the file appears (atomically) on ``close``.

    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/samples.h5"
    >>> with SyntheticWriter(path, obs_dim=3, action_dim=2, attrs={"seed": 0}) as w:
    ...     w.append(observations=np.zeros((4, 3)), actions=np.zeros((4, 2)), rewards=np.zeros(4),
    ...              next_observations=np.zeros((4, 3)), terminals=np.zeros(4))
    >>> len(read_synthetic(path)), read_synthetic_attrs(path)["seed"]
    (4, 0)
    """

    def __init__(self, path: str | os.PathLike, obs_dim: int, action_dim: int, attrs: dict[str, Any] | None = None, timeouts: bool = False):
        self.obs_dim, self.action_dim = int(obs_dim), int(action_dim)
        self.attrs = dict(attrs or {})
        self.keys = KEYS + (("timeouts",) if timeouts else ())
        f32 = np.float32
        columns = {
            "observations": ((self.obs_dim,), f32),
            "actions": ((self.action_dim,), f32),
            "rewards": ((), f32),
            "next_observations": ((self.obs_dim,), f32),
            "terminals": ((), bool),
        }
        if timeouts:
            columns["timeouts"] = ((), bool)
        super().__init__(path, columns, chunk_rows=8192)

    def append(self, **batch: np.ndarray) -> None:
        missing = [k for k in self.keys if k not in batch]
        if missing:
            raise DataError(f"synthetic batch misses keys {missing}")
        n = len(batch["observations"])
        batch = {k: batch[k] for k in self.keys}
        for k in self.keys:
            v = np.asarray(batch[k])
            want = self._d[k].shape[1:]
            if v.shape != (n, *want) and not (v.ndim == 2 and v.shape == (n, 1) and want == ()):
                raise DataError(f"synthetic batch: {k} has shape {list(v.shape)}, want {[n, *want]}")
            if k not in ("terminals", "timeouts"):
                check_finite("synthetic batch", {k: v})
        cols = dict(batch)
        for k in ("terminals", "timeouts"):
            if k in cols:
                flag = np.asarray(cols[k])
                cols[k] = flag if flag.dtype == bool else flag > 0.5
        self.append_columns(cols, n)

    def close(self) -> None:
        self.finish({**self.attrs, "transitions": self.n})


def write_synthetic(path: str | os.PathLike, data: Transitions, attrs: dict[str, Any] | None = None) -> None:
    """Write a whole :class:`Transitions` at once (with its ``timeouts`` column when any is set)."""
    timeouts = bool(np.asarray(data.timeouts).any())
    with SyntheticWriter(path, data.obs_dim, data.action_dim, attrs, timeouts=timeouts) as w:
        w.append(**data.as_dict(), **({"timeouts": data.timeouts} if timeouts else {}))


def read_synthetic_attrs(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    if path.suffix == ".npz":
        return {}
    try:
        with h5py.File(path, "r") as f:
            return json.loads(f.attrs.get("compogen", "{}"))
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: cannot read synthetic file metadata: {e}") from None


def read_synthetic(path: str | os.PathLike, task: Task | None = None, obs_dim: int | None = None, action_dim: int | None = None) -> Transitions:
    """A synthetic file (``.h5``/``.hdf5`` or SynthER-style ``.npz``) as :class:`Transitions`."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such synthetic data file")
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                cols = {k: z[k] for k in (*KEYS, "timeouts") if k in z.files}
                have = list(z.files)
        else:
            with h5py.File(path, "r") as f:
                cols = {k: f[k][()] for k in (*KEYS, "timeouts") if k in f}
                have = list(f.keys())
    except (OSError, ValueError, KeyError) as e:
        raise DataError(f"{path}: cannot read synthetic data (truncated or wrong format): {e}") from None
    missing = [k for k in KEYS if k not in cols]
    if missing:
        raise DataError(f"{path}: missing keys {missing} (have {have})")
    bad = [k for k, v in cols.items() if not (np.issubdtype(np.asarray(v).dtype, np.number) or np.asarray(v).dtype == bool)]
    if bad:
        raise DataError(f"{path}: {', '.join(bad)} must be numeric, got {', '.join(str(np.asarray(cols[k]).dtype) for k in bad)}")
    n = len(cols["observations"])
    try:
        data = Transitions(
            observations=np.asarray(cols["observations"], np.float32),
            actions=np.asarray(cols["actions"], np.float32),
            rewards=np.asarray(cols["rewards"], np.float32).reshape(-1) if np.size(cols["rewards"]) == n else np.asarray(cols["rewards"], np.float32),
            next_observations=np.asarray(cols["next_observations"], np.float32),
            terminals=np.asarray(cols["terminals"]).reshape(-1).astype(bool)
            if np.size(cols["terminals"]) == n
            else np.asarray(cols["terminals"]).astype(bool),
            timeouts=np.asarray(cols["timeouts"]).reshape(-1).astype(bool) if "timeouts" in cols else None,
            tasks=[task] if task is not None else [],
        )
    except DataError as e:
        raise DataError(f"{path}: {e}") from None
    if obs_dim is not None and data.obs_dim != obs_dim:
        raise DataError(f"{path}: observations have {data.obs_dim} dims, expected {obs_dim}")
    if action_dim is not None and data.action_dim != action_dim:
        raise DataError(f"{path}: actions have {data.action_dim} dims, expected {action_dim}")
    return data.check_finite(str(path))
