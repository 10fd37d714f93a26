"""Writing offline datasets in the CompoSuite format (see :mod:`compogen.data.offline`)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from compogen.data.h5writer import AtomicH5Writer
from compogen.data.transitions import check_finite
from compogen.errors import DataError

__all__ = ["OfflineDatasetWriter"]


class OfflineDatasetWriter(AtomicH5Writer):
    """Append episodes to a CompoSuite-format file; the file appears only on ``close``.

    >>> import tempfile, numpy as np
    >>> from compogen.data import read_offline_dataset
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
