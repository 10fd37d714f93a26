"""Checks and preparation of one task's synthetic transitions for offline RL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compogen.data import Transitions
from compogen.errors import DataError
from compogen.suites.base import Suite
from compogen.tasks.space import Task

__all__ = ["PreparedData", "check_task_data", "normalization_stats", "observation_stats", "prepare"]


def check_task_data(suite: Suite, task: Task | str, data: Transitions, name: str = "data") -> Transitions:
    """``data`` restricted to ``task`` and checked against ``suite``; :class:`DataError` names any problem.

    Multi-task data is narrowed to ``task``'s rows; data with a single task (or none
    recorded) is taken as that task's.
    """
    task = suite.parse(task)
    if not isinstance(data, Transitions):
        raise DataError(f"{name}: expected compogen.data.Transitions, got {type(data).__name__}")
    data.validate(name)
    if len(data.tasks) > 1:
        if task not in data.tasks:
            raise DataError(f"{name}: no rows for task {suite.task_id(task)} among its {len(data.tasks)} tasks")
        data = data.select(task)
    if len(data) == 0:
        raise DataError(f"{name}: no transitions for task {suite.task_id(task)}")
    obs_dim, act_dim = suite.observation_layout.dim, suite.action_dim
    if data.obs_dim != obs_dim:
        raise DataError(f"{name}: observations have {data.obs_dim} dims, suite {suite.name!r} has {obs_dim}")
    if data.action_dim != act_dim:
        raise DataError(f"{name}: actions have {data.action_dim} dims, suite {suite.name!r} has {act_dim}")
    data.check_finite(name)
    return data


@dataclass
class PreparedData:
    """One task's transitions as float32 arrays, states normalized with the data's own statistics."""

    observations: np.ndarray  # [N, obs_dim], normalized
    actions: np.ndarray  # [N, A]
    rewards: np.ndarray  # [N]
    next_observations: np.ndarray  # [N, obs_dim], normalized
    terminals: np.ndarray  # [N] float32 0/1
    obs_mean: np.ndarray  # [obs_dim]
    obs_std: np.ndarray  # [obs_dim] (eps already added)

    def __len__(self) -> int:
        return len(self.observations)


def observation_stats(observations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-dimension mean and standard deviation (computed in float64, returned as float32)."""
    x = observations.astype(np.float64)
    return x.mean(0).astype(np.float32), x.std(0).astype(np.float32)


def normalization_stats(observations: np.ndarray, eps: float = 1e-3, enabled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Mean and ``std + eps`` of the observations (d3rlpy's StandardObservationScaler convention)."""
    d = observations.shape[1]
    if not enabled:
        return np.zeros(d, np.float32), np.ones(d, np.float32)
    x = observations.astype(np.float64)
    return x.mean(0).astype(np.float32), (x.std(0) + eps).astype(np.float32)


def prepare(data: Transitions, normalize: bool = True, eps: float = 1e-3) -> PreparedData:
    """Normalize states with the data's mean/std (paper: from each task's synthetic data)."""
    mean, std = normalization_stats(data.observations, eps, normalize)

    def norm(x):
        return ((x - mean) / std).astype(np.float32)

    return PreparedData(
        norm(data.observations),
        np.ascontiguousarray(data.actions, np.float32),
        np.ascontiguousarray(data.rewards, np.float32),
        norm(data.next_observations),
        np.asarray(data.terminals, np.float32),
        mean,
        std,
    )
