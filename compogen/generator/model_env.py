"""A Gymnasium env whose ``step()`` the generator serves: the model-mode twin of a task's simulator.

``reset()`` draws an initial state from the task's own initial-state distribution (the simulator's
``reset``, which does not step the dynamics); ``step(a)`` samples ``(r, s', d)`` given ``(s, a)`` from
the joint generator (:meth:`Generator.sample_given`). Spaces, horizon and ``info["success"]`` follow
the simulator env, so code written for one runs on the other: an agent can be trained or probed in
the model with no physics at all (Dyna-style), and compared against the simulator on the same actions
(``benchmarks/bench_conditional.py`` measures how long the two agree).

Seeding: ``reset(seed=k)`` fixes the initial state and every later step's noise (step ``t`` draws
sample index ``t`` of a stream derived from the reset's generator), so the same seed and actions give
the same episode.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from compogen.generator.samplers import SamplerConfig, get_sampler
from compogen.suites.base import SUCCESS_REWARD
from compogen.tasks.space import Task

__all__ = ["ModelEnv"]


class ModelEnv(gym.Env):
    """``task``'s env with dynamics, reward and ending drawn from ``generator``.

    Args:
        generator: a loaded :class:`~compogen.generator.Generator`.
        task: the task (seen or unseen in training).
        suite: its suite (default: the generator's training suite).
        sampler, steps: the sampler setting of each step (``fast``: 40 denoiser calls; fewer steps, faster).
        horizon: truncation (default: the suite's).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        generator: Any,
        task: Task | str,
        suite: Any = None,
        sampler: str | SamplerConfig = "fast",
        steps: int | None = None,
        horizon: int | None = None,
    ):
        from compogen.suites.registry import get_suite, suite_for_task

        self.generator = generator
        self.suite = suite or (get_suite(generator.config["suite"]) if generator.config.get("suite") else suite_for_task(task))
        self.task = self.suite.parse(task)
        self.sampler = sampler if isinstance(sampler, SamplerConfig) else get_sampler(sampler, steps)
        self.horizon = int(horizon or self.suite.horizon)
        self._sim = self.suite.make_env(self.task)
        self.observation_space = self._sim.observation_space
        self.action_space = self._sim.action_space
        self._obs: np.ndarray | None = None
        self._t = 0
        self._stream = 0
        #: The simulator seed of the last reset's initial state (``suite.make_env(task).reset(seed=env.reset_seed)``
        #: starts the simulator where the model starts).
        self.reset_seed: int | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.reset_seed, self._stream = (int(x) for x in self.np_random.integers(0, 2**31 - 1, size=2))
        obs, _ = self._sim.reset(seed=self.reset_seed)
        self._obs = np.asarray(obs, dtype=np.float32)
        self._t = 0
        return self._obs.copy(), {"success": False}

    def step(self, action):
        if self._obs is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        a = np.clip(np.asarray(action, dtype=np.float32).reshape(1, -1), self.action_space.low, self.action_space.high)
        tr = self.generator.sample_given(self.task, self._obs[None], a, sampler=self.sampler, seed=self._stream, index=np.array([self._t]))
        self._t += 1
        reward = float(tr.rewards[0])
        terminated = bool(tr.terminals[0])
        truncated = self._t >= self.horizon and not terminated
        self._obs = tr.next_observations[0]
        return self._obs.copy(), reward, terminated, truncated, {"success": reward >= SUCCESS_REWARD}

    def close(self):
        self._sim.close()
