"""A goal-conditioned Gymnasium env with Dict observations (``observation``, ``achieved_goal``,
``desired_goal``), the kind d3rlpy's ``get_minari`` accepts besides flat Box observations."""

from __future__ import annotations

import gymnasium as gym
import numpy as np

#: Its Gymnasium id, registered on import (entry point ``publish.goal_env:GoalEnv``: tests/ is on sys.path).
GOAL_ENV_ID = "compogentest/Goal-v0"


class GoalEnv(gym.Env):
    """A point that moves by its action towards a goal; 5 steps at most."""

    def __init__(self):
        box = gym.spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.observation_space = gym.spaces.Dict(
            {"observation": gym.spaces.Box(-np.inf, np.inf, (4,), np.float32), "achieved_goal": box, "desired_goal": box}
        )
        self.action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)

    def _obs(self):
        return {
            "observation": np.concatenate([self.pos, self.vel]).astype(np.float32),
            "achieved_goal": self.pos.copy(),
            "desired_goal": self.goal.copy(),
        }

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos, self.vel = np.zeros(2, np.float32), np.zeros(2, np.float32)
        self.goal = self.np_random.uniform(-1, 1, 2).astype(np.float32)
        return self._obs(), {}

    def step(self, action):
        self.vel = np.asarray(action, np.float32)
        self.pos = (self.pos + 0.5 * self.vel).astype(np.float32)
        reached = bool(np.linalg.norm(self.pos - self.goal) < 0.1)
        return self._obs(), float(reached), reached, False, {}


if GOAL_ENV_ID not in gym.registry:
    gym.register(GOAL_ENV_ID, entry_point="publish.goal_env:GoalEnv", max_episode_steps=5)
