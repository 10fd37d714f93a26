"""Gymnasium 1.x env around one CompoSuite task (optional extra).

CompoSuite (Mendez et al. 2022) builds on robosuite 1.4 and speaks the old gym
API (``reset() -> obs``, ``step -> (obs, reward, done, info)``). This adapter
turns it into a Gymnasium env with the conventions every compogen suite follows:

- observations are float32: 93 dims with the task-id one-hots
  (``use_task_id_obs=True``, the default), 77 without;
- ``terminated`` is CompoSuite's own task termination (only Push has one: the
  episode ends when the object is lifted more than 10 cm above the table);
  ``truncated`` is the time limit ``env_horizon``; never both at once;
- ``info["success"]`` is CompoSuite's success flag, which it sets exactly when
  the reward equals 1;
- ``reset(seed=s)`` is reproducible: robosuite draws its randomness (object and
  obstacle placement, initial joint noise) from numpy's global RNG, so the env
  keeps a private ``RandomState`` and swaps it in around construction and
  reset (stepping draws no random numbers); the caller's global RNG is left
  untouched. ``reset(seed=s)`` yields what
  ``np.random.seed(s)`` followed by CompoSuite's own ``reset()`` would.

CompoSuite itself is imported only when an env is built, so importing this
module never needs the extra.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gymnasium as gym
import numpy as np

from compogen.errors import CompogenError
from compogen.tasks.space import COMPOSUITE_SPACE, Task

__all__ = ["CompoSuiteEnv", "import_composuite"]

#: Observation sizes with and without the 16 task-id dims.
OBS_DIM_WITH_TASK_IDS = 93
OBS_DIM_WITHOUT_TASK_IDS = 77
ACTION_DIM = 8

# Arguments the adapter sets itself (passing them would break the conventions above).
_RESERVED_KWARGS = {
    "ignore_done": "the adapter ends episodes itself (truncated at env_horizon, terminated by the task)",
    "horizon": "use env_horizon=... (CompoSuite's name for the episode length)",
}


def import_composuite():
    """Import CompoSuite, or raise :class:`CompogenError` with the install hint."""
    try:
        return importlib.import_module("composuite")
    except ImportError as exc:  # the package, or robosuite/gym/mujoco below it
        extra = "" if sys.version_info < (3, 12) else f" This is Python {sys.version_info.major}.{sys.version_info.minor}."
        from compogen.install import install_hint

        hint = f"{install_hint('composuite')}, needs Python < 3.12"
        raise CompogenError(f"the CompoSuite suite needs the optional extra: {hint}.{extra} ({exc})") from exc


class CompoSuiteEnv(gym.Env):
    """One CompoSuite task as a Gymnasium env (float32 obs, 8-dim actions in [-1, 1]).

    Args:
        task: the task (``Task`` or an id such as ``"iiwa-box-none-push"``).
        use_task_id_obs: include CompoSuite's 16 task-id dims (obs 93 vs 77 dims).
        env_horizon: episode length; the step reaching it returns ``truncated=True``.
        **kwargs: passed on to ``composuite.make`` (``controller``, ``reward_shaping``,
            ``hard_reset``, ...), except ``ignore_done`` and ``horizon``.
    """

    metadata = {"render_modes": []}

    def __init__(self, task: Task | str, *, use_task_id_obs: bool = True, env_horizon: int = 500, **kwargs: Any) -> None:
        for key, why in _RESERVED_KWARGS.items():
            if key in kwargs:
                raise CompogenError(f"CompoSuiteEnv: argument {key!r} is not accepted: {why}")
        if int(env_horizon) < 1:
            raise CompogenError(f"CompoSuiteEnv: env_horizon must be >= 1, got {env_horizon}")
        self.task: Task = COMPOSUITE_SPACE.parse(task)
        self.horizon = int(env_horizon)
        self.use_task_id_obs = bool(use_task_id_obs)
        composuite = import_composuite()

        self._rng = np.random.RandomState()  # private stand-in for numpy's global RNG
        self._env = None
        with self._robosuite_rng(), warnings.catch_warnings():
            # CompoSuite's old-gym wrapper builds float64 Boxes; ours below are float32.
            warnings.filterwarnings("ignore", message=".*Box bound precision lowered.*")
            # ignore_done=True: CompoSuite's `done` then holds only the task's own
            # termination (Push: object lifted); the time limit is counted here, so a
            # lift on the very last step still comes out as terminated.
            self._env = composuite.make(
                self.task.robot,
                self.task.object,
                self.task.obstacle,
                self.task.objective,
                use_task_id_obs=self.use_task_id_obs,
                env_horizon=self.horizon,
                ignore_done=True,
                **kwargs,
            )

        want = OBS_DIM_WITH_TASK_IDS if self.use_task_id_obs else OBS_DIM_WITHOUT_TASK_IDS
        if self._env.obs_dim != want:
            dim = self._env.obs_dim
            self.close()
            raise CompogenError(f"CompoSuite returned {dim}-dim observations for {self.task}, expected {want}")
        low, high = self._env.env.action_spec
        if low.shape != (ACTION_DIM,) or not (np.all(low == -1.0) and np.all(high == 1.0)):
            self.close()
            raise CompogenError(f"CompoSuite action spec for {self.task} is not [-1, 1]^{ACTION_DIM}: {low}, {high}")

        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(want,), dtype=np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(ACTION_DIM,), dtype=np.float32)
        self._elapsed = 0
        self._needs_reset = True

    # -- Gymnasium API -----------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; ``seed`` fixes the object/obstacle placement and what follows."""
        super().reset(seed=seed)
        if seed is not None:
            self._rng = np.random.RandomState(seed)
        with self._robosuite_rng():
            obs = self._composuite.reset()
        self._elapsed = 0
        self._needs_reset = False
        return np.asarray(obs, dtype=np.float32), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One control step (20 Hz). ``info["success"]`` is set on every step."""
        if self._needs_reset:
            raise CompogenError("CompoSuiteEnv.step: call reset() first (episode not started or already over)")
        action = np.asarray(action, dtype=np.float64)
        if action.shape != (ACTION_DIM,):
            raise CompogenError(f"CompoSuiteEnv.step: action must have shape ({ACTION_DIM},), got {action.shape}")
        # No RNG swap here: robosuite draws randomness only when resetting (placement
        # samplers, joint noise), and a swap costs ~0.4 ms (a few % of a step).
        obs, reward, done, info = self._composuite.step(action)
        self._elapsed += 1
        terminated = bool(done)
        truncated = not terminated and self._elapsed >= self.horizon
        self._needs_reset = terminated or truncated
        # CompoSuite: info["Success"] = 1 if reward == 1 else 0 (reward is 1 exactly on success).
        return np.asarray(obs, dtype=np.float32), float(reward), terminated, truncated, {"success": bool(info["Success"])}

    def close(self) -> None:
        """Free the MuJoCo simulation (safe to call twice)."""
        if self._env is not None:
            self._env.close()
            self._env = None
        self._needs_reset = True

    # -- helpers -----------------------------------------------------------------
    @property
    def composuite_env(self):
        """The wrapped CompoSuite gym wrapper (its ``.env`` is the robosuite env)."""
        return self._composuite

    @property
    def _composuite(self):
        if self._env is None:
            raise CompogenError("CompoSuiteEnv: the env is closed")
        return self._env

    @contextmanager
    def _robosuite_rng(self) -> Iterator[None]:
        """Run robosuite on this env's private RNG, restoring the caller's global RNG after."""
        outer = np.random.get_state()
        np.random.set_state(self._rng.get_state())
        try:
            yield
        finally:
            self._rng.set_state(np.random.get_state())
            np.random.set_state(outer)

    def __str__(self) -> str:
        return f"<CompoSuiteEnv {COMPOSUITE_SPACE.task_id(self.task)} obs={self.observation_space.shape[0]} horizon={self.horizon}>"
