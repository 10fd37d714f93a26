"""The built-in suite's MuJoCo simulation, its Gymnasium env and its vector env.

:class:`TaskWorld` (in :mod:`.world`, re-exported here) owns one ``MjModel``/``MjData``
pair and computes observations, rewards and success with no Gymnasium overhead; :class:`BuiltinEnv`
wraps one world, :class:`BuiltinVectorEnv` steps many worlds of one task in a
single process (next-step autoreset, like Gymnasium's ``SyncVectorEnv``).

Observation (float32, 48 dims; see :data:`OBSERVATION_LAYOUT`)::

    [0:6]   object    x, z, vx, vz, x - ee_x, z - ee_z          (z = object's bottom)
    [6:10]  obstacle  x, span_low, span_high, x - ee_x            (zeros for None)
    [10:14] goal      x, surface height, x - object x, surface - object z
    [14:30] task id   one-hots: robot, object, obstacle, objective (paper order)
    [30:48] proprio   q[6], qdot[6] (zero-padded), ee_x, ee_z, cos pitch, sin pitch,
                      finger opening, finger opening velocity

Action (7 dims in [-1, 1]): joint-target deltas (scaled by the arm's
``delta_scale``; entries beyond the arm's joint count are ignored) and the
gripper command (-1 = fully open, +1 = closed; in between = partial opening).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import mujoco
import numpy as np

from compogen.suites.builtin.elements import FINGER_MAX
from compogen.suites.builtin.layout import ACTION_DIM, HORIZON, OBS_DIM
from compogen.suites.builtin.mjcf import FRAME_SKIP
from compogen.suites.builtin.rules import VECTOR, observation_values, staged_reward
from compogen.suites.builtin.world import RESET_NOISE, TaskWorld
from compogen.tasks.space import Task

__all__ = ["TaskWorld", "BuiltinEnv", "BuiltinVectorEnv", "RESET_NOISE"]


class BuiltinEnv(gym.Env):
    """Gymnasium env of one built-in task (see the module docstring for spaces)."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, task: Task, indicator: np.ndarray, horizon: int = HORIZON, render_mode: str | None = None):
        self.task = task
        self.world = TaskWorld(task, indicator, horizon)
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (OBS_DIM,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (ACTION_DIM,), np.float32)
        self.render_mode = render_mode
        self._renderer = None
        self._rng = np.random.default_rng()

    @property
    def model(self) -> mujoco.MjModel:
        return self.world.model

    @property
    def data(self) -> mujoco.MjData:
        return self.world.data

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        obs = self.world.reset(self._rng)
        return obs, {"success": False}

    def step(self, action):
        obs, reward, terminated, truncated, success = self.world.step(action)
        return obs, reward, terminated, truncated, {"success": success}

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        if self._renderer is None:
            self._renderer = mujoco.Renderer(self.world.model, 240, 320)
        cam = mujoco.MjvCamera()
        cam.lookat[:] = (0.35, 0.0, 0.2)
        cam.distance, cam.azimuth, cam.elevation = 1.3, 90.0, -5.0
        self._renderer.update_scene(self.world.data, cam)
        return self._renderer.render()

    def close(self):
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


class BuiltinVectorEnv(gym.vector.VectorEnv):
    """``num_envs`` copies of one task stepped in one process.

    Physics runs per copy (one ``mj_step`` call of ``FRAME_SKIP`` steps each);
    controls, observations, rewards and success are computed for all copies at
    once with numpy, so the per-copy Python overhead of :class:`BuiltinEnv`
    disappears. Results equal those of :class:`BuiltinEnv` up to float rounding.

    Autoreset follows Gymnasium 1.0's ``SyncVectorEnv``: the step after an episode
    ends resets that copy and returns its first observation (reward 0, not done).
    ``reset(seed=s)`` seeds copy ``i`` with ``s + i``, so copy ``i`` reproduces
    ``BuiltinEnv.reset(seed=s + i)``. ``info["success"]`` is a bool array.
    """

    metadata = {"autoreset_mode": "next_step"}

    def __init__(self, task: Task, indicator: np.ndarray, num_envs: int, horizon: int = HORIZON):
        self.task = task
        self.num_envs = int(num_envs)
        self.horizon = horizon
        self.worlds = [TaskWorld(task, indicator, horizon) for _ in range(self.num_envs)]
        self.single_observation_space = gym.spaces.Box(-np.inf, np.inf, (OBS_DIM,), np.float32)
        self.single_action_space = gym.spaces.Box(-1.0, 1.0, (ACTION_DIM,), np.float32)
        self.observation_space = gym.vector.utils.batch_space(self.single_observation_space, self.num_envs)
        self.action_space = gym.vector.utils.batch_space(self.single_action_space, self.num_envs)
        self._rngs = [np.random.default_rng() for _ in range(self.num_envs)]
        self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        w = self.worlds[0]
        N, m = self.num_envs, w.model
        self._Q = np.zeros((N, m.nq))
        self._V = np.zeros((N, m.nv))
        self._EE = np.zeros((N, 3))
        self._T = np.zeros((N, max(m.nsensordata, 1)))
        self._t = np.zeros(N, dtype=np.int64)
        self._lifted = np.zeros(N, dtype=bool)
        self._goal_x = np.zeros(N)
        self._obst_x = np.zeros(N)
        self._obs = np.zeros((N, OBS_DIM), dtype=np.float32)

    def _pull(self, i: int) -> None:
        w = self.worlds[i]
        self._Q[i] = w._qpos
        self._V[i] = w._qvel
        self._EE[i] = w._ee
        self._T[i] = w._touch
        self._goal_x[i] = w.goal_x
        self._obst_x[i] = w.obstacle_x

    def _reset_one(self, i: int) -> None:
        self.worlds[i].reset(self._rngs[i])
        self._pull(i)
        self._t[i] = 0
        self._lifted[i] = False

    def reset(self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            seeds = list(seed) if isinstance(seed, (list, tuple)) else [seed + i for i in range(self.num_envs)]
            self._rngs = [np.random.default_rng(s) for s in seeds]
        for i in range(self.num_envs):
            self._reset_one(i)
        self._needs_reset[:] = False
        self._observe_all()
        return self._obs.copy(), {"success": np.zeros(self.num_envs, bool), "_success": np.ones(self.num_envs, bool)}

    def step(self, actions):
        w0 = self.worlds[0]
        n = w0.n
        a = np.clip(np.asarray(actions, dtype=np.float64), -1.0, 1.0)
        ctrl = np.empty((self.num_envs, n + 2))
        ctrl[:, :n] = self._Q[:, w0.qadr] + a[:, :n] * w0.arm.delta_scale
        ctrl[:, n] = ctrl[:, n + 1] = FINGER_MAX * (1.0 - a[:, -1]) * 0.5
        resets = self._needs_reset.copy()
        any_reset = bool(resets.any())
        step, kin = mujoco.mj_step, mujoco.mj_kinematics
        for i, (w, c, r) in enumerate(zip(self.worlds, ctrl, resets, strict=True)):
            if r:
                w.reset(self._rngs[i])
                continue
            w._ctrl[:] = c
            step(w.model, w.data, FRAME_SKIP)
            kin(w.model, w.data)
        ws = self.worlds
        self._Q = np.array([w._qpos for w in ws])
        self._V = np.array([w._qvel for w in ws])
        self._EE = np.array([w._ee for w in ws])
        self._T = np.array([w._touch for w in ws])
        if any_reset:
            idx = np.flatnonzero(resets)
            self._goal_x[idx] = [ws[i].goal_x for i in idx]
            self._obst_x[idx] = [ws[i].obstacle_x for i in idx]
            self._t[idx] = 0
            self._lifted[idx] = False
        self._t[~resets] += 1
        self._observe_all()
        rew, succ, failed = self._evaluate_all()
        term = (succ | failed) & ~resets
        trunc = ~term & ~resets & (self._t >= self.horizon)
        rew[resets] = 0.0
        succ &= ~resets
        self._needs_reset = term | trunc
        for i, w in enumerate(self.worlds):  # keep the worlds' own counters in step (for inspection)
            w.t = int(self._t[i])
            w.lifted = bool(self._lifted[i])
        return self._obs.copy(), rew, term, trunc, {"success": succ, "_success": np.ones(self.num_envs, bool)}

    def _observe_all(self) -> None:
        w = self.worlds[0]
        Q, V, o = self._Q, self._V, self._obs
        q = Q[:, w.qadr]
        vals = observation_values(
            VECTOR, self._EE[:, 0], self._EE[:, 2], Q[:, w.obj_q[0]], Q[:, w.obj_q[1]], V[:, w.obj_v[0]], V[:, w.obj_v[1]],
            (self._obst_x, w.obst.span[0], w.obst.span[1]) if w.obst.anchor else None,
            self._goal_x, w.goal.surface, w.indicator_list, list(q.T), list(V[:, w.vadr].T), w.pad,
            q.sum(axis=1), Q[:, w.fq[0]] + Q[:, w.fq[1]], V[:, w.fv[0]] + V[:, w.fv[1]],
        )  # fmt: skip
        for j, v in enumerate(vals):
            o[:, j] = v

    def _evaluate_all(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = self.worlds[0]
        Q, V = self._Q, self._V
        rew, succ, failed, self._lifted = staged_reward(
            VECTOR, w.obj, w.goal, self._EE[:, 0], self._EE[:, 2], Q[:, w.obj_q[0]], Q[:, w.obj_q[1]],
            V[:, w.obj_v[0]], V[:, w.obj_v[1]], self._T[:, 0] > 0, self._T[:, 1] > 0, self._goal_x, self._lifted,
        )  # fmt: skip
        return np.asarray(rew, dtype=np.float64), succ, np.array(failed, dtype=bool)

    def close_extras(self, **kwargs):
        pass
