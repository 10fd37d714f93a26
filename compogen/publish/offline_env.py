"""Virtual offline environments, D4RL style: an env to evaluate in, plus its dataset.

``offline_env(source)`` wraps the task's real simulator (``step()`` runs the
physics) and offers ``get_dataset()`` (the D4RL ``qlearning_dataset`` keys, with
``next_observations``) and ``get_normalized_score(returns)``.

The dataset side lives in :class:`OfflineEnv`, a ``gymnasium.Wrapper`` around
*any* env of the task: the model-mode env to come, whose ``step()`` the
generator serves, is another inner env wrapped the same way, so code written
against ``get_dataset()`` / ``get_normalized_score()`` works with both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from compogen.data import Transitions, read_synthetic, read_synthetic_attrs
from compogen.data.minari_io import read_minari
from compogen.errors import CompogenError
from compogen.rl.adapters import to_d4rl
from compogen.suites import suite_for_task

__all__ = ["OfflineEnv", "offline_env"]


class OfflineEnv(gym.Wrapper):
    """``env`` (any env of the task) with an offline dataset and reference scores.

    Args:
        env: the env ``step()`` runs (the real simulator for :func:`offline_env`).
        data: the task's transitions.
        ref_scores: (random, expert) mean returns for :meth:`get_normalized_score`, or None.
        dataset_id: the Minari id the data came from, if any.
    """

    def __init__(self, env: gym.Env, data: Transitions, ref_scores: tuple[float, float] | None = None, dataset_id: str | None = None):
        super().__init__(env)
        self.data = data
        self.ref_scores = ref_scores
        self.dataset_id = dataset_id

    def get_dataset(self) -> dict[str, np.ndarray]:
        """``observations, actions, rewards, next_observations, terminals, timeouts`` (row i = transition i)."""
        return to_d4rl(self.data)

    def get_normalized_score(self, returns: float | np.ndarray) -> float | np.ndarray:
        """``(return - random) / (expert - random)``, as D4RL and Minari define it (not times 100)."""
        if self.ref_scores is None:
            raise CompogenError("this task has no reference scores (random and expert returns); compare success rates instead")
        low, high = self.ref_scores
        out = (np.asarray(returns, np.float64) - low) / (high - low)
        return float(out) if np.ndim(out) == 0 else out


def offline_env(source: Any, task: str | None = None, **env_kwargs: Any) -> OfflineEnv:
    """A virtual offline env for a Minari id or ``MinariDataset`` (published by compogen or any dataset
    whose env spec is a compogen task), a synthetic file, or :class:`Transitions` with ``task``.

    ``env_kwargs`` go to ``gymnasium.make`` of the task's env.
    """
    from compogen.suites import register_envs

    register_envs()  # the task env ids

    dataset_id, refs = None, None
    if isinstance(source, Transitions):
        if task is None:
            raise CompogenError("offline_env(Transitions) needs task=")
        data = source
    elif isinstance(source, (str, Path)) and Path(source).suffix in (".h5", ".hdf5", ".npz"):
        task = task or read_synthetic_attrs(source).get("task")
        if task is None:
            raise CompogenError(f"{source}: the file does not record its task; pass task=")
        data = read_synthetic(source)
    else:
        import minari

        dataset = minari.load_dataset(source) if isinstance(source, str) else source
        dataset_id = dataset.id
        meta = dataset.storage.metadata
        task = task or (meta.get("compogen") or {}).get("task")
        if task is None:
            spec = dataset.env_spec
            task = spec.kwargs.get("task_id") if spec is not None else None
        if task is None:
            raise CompogenError(f"{dataset_id}: cannot tell which compogen task the dataset belongs to; pass task=")
        data = read_minari(dataset)
        if "ref_min_score" in meta and "ref_max_score" in meta:
            refs = (meta["ref_min_score"], meta["ref_max_score"])
    suite = suite_for_task(task)
    if dataset_id is None:  # a file or Transitions: the suite's measured reference returns
        refs = suite.reference_scores(task)
    return OfflineEnv(gym.make(suite.env_id(task), **env_kwargs), data, refs, dataset_id)
