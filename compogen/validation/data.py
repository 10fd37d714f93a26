"""Checks and preparation of one task's synthetic transitions for offline RL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compogen.data import Transitions, check_for_suite
from compogen.data.normalizer import OBSERVATION_EPS, Normalizer, observation_normalizer
from compogen.errors import DataError
from compogen.suites.base import Suite
from compogen.tasks.space import Task

__all__ = ["PreparedData", "check_task_data", "prepare"]


def check_task_data(suite: Suite, task: Task | str, data: Transitions, name: str = "data") -> Transitions:
    """``data`` restricted to ``task`` and checked against ``suite``; :class:`DataError` names any problem.

    Multi-task data is narrowed to ``task``'s rows; data with a single task (or none
    recorded) is taken as that task's.
    """
    task = suite.parse(task)
    data = check_for_suite(data, suite, task, name)
    if len(data) == 0:
        raise DataError(f"{name}: no transitions for task {suite.task_id(task)}")
    return data


@dataclass
class PreparedData:
    """One task's transitions as float32 arrays, states normalized with the data's own statistics."""

    observations: np.ndarray  # [N, obs_dim], normalized
    actions: np.ndarray  # [N, A]
    rewards: np.ndarray  # [N]
    next_observations: np.ndarray  # [N, obs_dim], normalized
    terminals: np.ndarray  # [N] float32 0/1
    obs_norm: Normalizer  # what normalized the observations (std + eps)

    def __len__(self) -> int:
        return len(self.observations)


def prepare(data: Transitions, normalize: bool = True, eps: float = OBSERVATION_EPS) -> PreparedData:
    """Normalize states with the data's mean/std (paper: from each task's synthetic data)."""
    norm = observation_normalizer(data.observations, eps, normalize)
    return PreparedData(
        norm.normalize(data.observations).astype(np.float32),
        np.ascontiguousarray(data.actions, np.float32),
        np.ascontiguousarray(data.rewards, np.float32),
        norm.normalize(data.next_observations).astype(np.float32),
        np.asarray(data.terminals, np.float32),
        norm,
    )
