"""A tiny suite for fast tests: a point reaches a task-dependent goal in 2-D.

Observation (20 dims, float32): position (2), goal (2), task-id one-hots (16, paper order).
Action: 2-D velocity in [-1, 1]. Reward is 1 exactly when the point is within
``RADIUS`` of the goal (the episode then terminates), else 0. Episodes are
truncated after ``HORIZON`` steps. Register with
``register_suite("toy", "tests.validation.toy_suite:ToySuite")``.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from compogen.data import Transitions
from compogen.layouts.observation import Factor, ObservationLayout
from compogen.suites.base import Suite
from compogen.tasks.space import COMPOSUITE_SPACE, Task

HORIZON = 30
SPEED = 0.15
RADIUS = 0.15
GAIN = 2.5
START = 1.0
_GOALS = np.array([[0.7, 0.7], [-0.7, 0.7], [-0.7, -0.7], [0.7, -0.7]], dtype=np.float32)
_SHIFT = np.array([[0.0, 0.0], [0.15, 0.0], [0.0, 0.15], [-0.15, 0.0]], dtype=np.float32)

TOY_LAYOUT = ObservationLayout(
    dim=20,
    factors=(Factor("proprio", 0, 2, "robot"), Factor("goal", 2, 4, "objective")),
    task_id_start=4,
    task_id_stop=20,
    task_id_order=("robot", "object", "obstacle", "objective"),
)


def goal_of(task: Task) -> np.ndarray:
    """Goal position of ``task``: a corner per objective, shifted per object."""
    space = COMPOSUITE_SPACE
    return _GOALS[space.axis_elements("objective").index(task.objective)] + _SHIFT[space.axis_elements("object").index(task.object)]


class ToyReachEnv(gym.Env):
    """Point-mass reach; reward 1 exactly on success."""

    metadata: dict[str, Any] = {}

    def __init__(self, task: Task):
        self.task = task
        self.goal = goal_of(task)
        self.task_block = COMPOSUITE_SPACE.indicator(task)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (20,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.pos = np.zeros(2, np.float32)
        self.t = 0

    def _obs(self) -> np.ndarray:
        return np.concatenate([self.pos, self.goal, self.task_block]).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.pos = self.np_random.uniform(-START, START, 2).astype(np.float32)
        self.t = 0
        return self._obs(), {"success": False}

    def step(self, action):
        a = np.clip(np.asarray(action, np.float32).reshape(2), -1.0, 1.0)
        self.pos = np.clip(self.pos + SPEED * a, -1.5, 1.5).astype(np.float32)
        self.t += 1
        success = bool(np.linalg.norm(self.pos - self.goal) < RADIUS)
        return self._obs(), float(success), success, (not success) and self.t >= HORIZON, {"success": success}


class ToySuite(Suite):
    """CompoSuite's task names over :class:`ToyReachEnv`."""

    name = "toy"
    space = COMPOSUITE_SPACE
    observation_layout = TOY_LAYOUT
    action_dim = 2
    horizon = HORIZON

    def make_env(self, task: Task | str, **kwargs: Any) -> gym.Env:
        return ToyReachEnv(self.parse(task))


def expert_action(obs: np.ndarray) -> np.ndarray:
    """Scripted controller: head straight for the goal (batch of observations)."""
    obs = np.asarray(obs, np.float32)
    return np.clip(GAIN * (obs[..., 2:4] - obs[..., 0:2]), -1.0, 1.0)


def random_policy(seed: int = 0):
    rng = np.random.default_rng(seed)
    return lambda obs: rng.uniform(-1, 1, (len(obs), 2)).astype(np.float32)


def expert_transitions(task: Task | str, episodes: int = 40, noise: float = 0.3, seed: int = 0) -> Transitions:
    """Transitions of the scripted controller plus Gaussian action noise."""
    task = COMPOSUITE_SPACE.parse(task)
    env = ToyReachEnv(task)
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {k: [] for k in ("o", "a", "r", "n", "d", "t")}
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed * 100_003 + ep)
        while True:
            act = np.clip(expert_action(obs) + noise * rng.standard_normal(2), -1, 1).astype(np.float32)
            nxt, r, term, trunc, _ = env.step(act)
            for k, v in zip("oarndt", (obs, act, r, nxt, term, trunc), strict=True):
                cols[k].append(v)
            obs = nxt
            if term or trunc:
                break
    return Transitions(
        np.array(cols["o"], np.float32),
        np.array(cols["a"], np.float32),
        np.array(cols["r"], np.float32),
        np.array(cols["n"], np.float32),
        np.array(cols["d"], bool),
        np.array(cols["t"], bool),
        tasks=[task],
    )
