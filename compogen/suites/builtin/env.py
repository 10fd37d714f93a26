"""The built-in suite's MuJoCo simulation, its Gymnasium env and its vector env.

:class:`TaskWorld` owns one ``MjModel``/``MjData`` pair and computes
observations, rewards and success with no Gymnasium overhead; :class:`BuiltinEnv`
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

import copy
import math
from typing import Any

import gymnasium as gym
import mujoco
import numpy as np

from compogen.suites.builtin.elements import (
    ARMS,
    FINGER_HALF_LEN,
    FINGER_MAX,
    GOAL_X,
    GOALWALL_OFFSET,
    MAX_JOINTS,
    OBJECT_X,
    OBJECTIVES,
    OBJECTS,
    OBSTACLE_OFFSET,
    OBSTACLES,
    PUSH_GOAL_X,
)
from compogen.suites.builtin.kinematics import home_configuration
from compogen.suites.builtin.layout import ACTION_DIM, HORIZON, OBS_DIM
from compogen.suites.builtin.mjcf import FRAME_SKIP, build_mjcf
from compogen.tasks.space import Task

__all__ = ["TaskWorld", "BuiltinEnv", "BuiltinVectorEnv", "RESET_NOISE"]

#: Uniform reset noise: object x, goal x (m), joint angles (rad).
RESET_NOISE = {"object_x": 0.025, "goal_x": 0.025, "joints": 0.03}
#: An object lifted this far above the table fails a Push episode.
PUSH_LIFT_LIMIT = 0.02
#: Gap between the stop wall and the push target for Push with GoalWall.
PUSH_STOPWALL_GAP = 0.055

_ZEROS4 = [0.0, 0.0, 0.0, 0.0]
_MODEL_CACHE: dict[Task, mujoco.MjModel] = {}


def _compiled(task: Task) -> mujoco.MjModel:
    """Compile each task's model once per process; worlds get their own copy."""
    m = _MODEL_CACHE.get(task)
    if m is None:
        xml = build_mjcf(ARMS[task.robot], OBJECTS[task.object], OBSTACLES[task.obstacle], OBJECTIVES[task.objective])
        m = _MODEL_CACHE[task] = mujoco.MjModel.from_xml_string(xml)
    return m


class TaskWorld:
    """One simulated episode of one task: reset, step, observation, reward, success."""

    def __init__(self, task: Task, indicator: np.ndarray, horizon: int = HORIZON):
        self.task = task
        self.arm = ARMS[task.robot]
        self.obj = OBJECTS[task.object]
        self.obst = OBSTACLES[task.obstacle]
        self.goal = OBJECTIVES[task.objective]
        self.horizon = horizon
        self.model = copy.copy(_compiled(task))  # own copy: obstacle/goal bodies move per episode
        self.data = mujoco.MjData(self.model)
        m = self.model
        self.n = self.arm.num_joints
        self.qadr = np.array([m.jnt_qposadr[m.joint(f"j{i}").id] for i in range(self.n)])
        self.vadr = np.array([m.jnt_dofadr[m.joint(f"j{i}").id] for i in range(self.n)])
        self.obj_q = (int(m.jnt_qposadr[m.joint("obj_x").id]), int(m.jnt_qposadr[m.joint("obj_z").id]))
        self.obj_v = (int(m.jnt_dofadr[m.joint("obj_x").id]), int(m.jnt_dofadr[m.joint("obj_z").id]))
        self.fq = (int(m.jnt_qposadr[m.joint("fl").id]), int(m.jnt_qposadr[m.joint("fr").id]))
        self.fv = (int(m.jnt_dofadr[m.joint("fl").id]), int(m.jnt_dofadr[m.joint("fr").id]))
        self.ee_site = m.site("ee").id
        self.obst_body = m.body("obstacle").id
        self.goal_body = m.body("goal").id
        self.finger_geoms = np.array([m.geom("finger_l").id, m.geom("finger_r").id])
        self.object_geoms = np.array([m.geom(f"obj{i}").id for i in range(len(self.obj.boxes))])
        self.home = home_configuration(self.arm)
        self.indicator = np.asarray(indicator, dtype=np.float32)
        self.indicator_list = self.indicator.tolist()
        self.qadr_list = self.qadr.tolist()
        self.vadr_list = self.vadr.tolist()
        self.pad = [0.0] * (MAX_JOINTS - self.n)
        self.t = 0
        self.goal_x = GOAL_X
        self.obstacle_x = 0.0

    # ------------------------------------------------------------------------------
    def reset(self, rng: np.random.Generator) -> np.ndarray:
        m, d = self.model, self.data
        mujoco.mj_resetData(m, d)
        ox = OBJECT_X + rng.uniform(-1, 1) * RESET_NOISE["object_x"]
        gx = (GOAL_X if self.goal.carried else PUSH_GOAL_X) + rng.uniform(-1, 1) * RESET_NOISE["goal_x"]
        q = self.home + rng.uniform(-1, 1, self.n) * RESET_NOISE["joints"]
        self.goal_x = gx
        if self.obst.anchor == "object":
            self.obstacle_x = ox - OBSTACLE_OFFSET
        elif self.obst.anchor == "goal":
            # Carrying objectives: a wall in front of the goal. Push: a stop wall just past the target.
            self.obstacle_x = gx - GOALWALL_OFFSET if self.goal.carried else gx + PUSH_STOPWALL_GAP
        else:
            self.obstacle_x = 0.0
        m.body_pos[self.obst_body, 0] = self.obstacle_x
        m.body_pos[self.goal_body, 0] = gx
        d.qpos[self.qadr] = q
        d.qpos[self.obj_q[0]] = ox
        d.qpos[self.obj_q[1]] = 0.0
        d.qpos[list(self.fq)] = FINGER_MAX / 2
        d.ctrl[: self.n] = q
        d.ctrl[self.n :] = FINGER_MAX / 2
        mujoco.mj_forward(m, d)
        self._bind()
        self.t = 0
        self.lifted = False
        return self._observe()

    def _bind(self) -> None:
        """Cache numpy views of MjData buffers (attribute access on MjData is slow)."""
        d = self.data
        self._qpos, self._qvel, self._ctrl = d.qpos, d.qvel, d.ctrl
        self._ee = d.site_xpos[self.ee_site]
        self._touch = d.sensordata

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, bool]:
        """Apply one action; returns ``obs, reward, terminated, truncated, success``."""
        m, d = self.model, self.data
        a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        n = self.n
        ctrl = self._ctrl
        ctrl[:n] = self._qpos[self.qadr] + a[:n] * self.arm.delta_scale
        g = FINGER_MAX * (1.0 - a[-1]) * 0.5
        ctrl[n] = g
        ctrl[n + 1] = g
        mujoco.mj_step(m, d, FRAME_SKIP)
        mujoco.mj_kinematics(m, d)
        self.t += 1
        obs = self._observe()
        reward, success, failed = self._evaluate()
        terminated = success or failed
        truncated = (not terminated) and self.t >= self.horizon
        return obs, reward, terminated, truncated, success

    # ------------------------------------------------------------------------------
    def _observe(self) -> np.ndarray:
        # Plain Python floats are much cheaper than numpy scalars for a vector this small.
        qpos, qvel = self._qpos.tolist(), self._qvel.tolist()
        ee = self._ee.tolist()
        ex, ez = ee[0], ee[2]
        ox, oz = qpos[self.obj_q[0]], qpos[self.obj_q[1]]
        q = [qpos[i] for i in self.qadr_list]
        pitch = sum(q)
        fq, fv = self.fq, self.fv
        obst = [self.obstacle_x, self.obst.span[0], self.obst.span[1], self.obstacle_x - ex] if self.obst.anchor else _ZEROS4
        vals = (
            [ox, oz, qvel[self.obj_v[0]], qvel[self.obj_v[1]], ox - ex, oz - ez]
            + obst
            + [self.goal_x, self.goal.surface, self.goal_x - ox, self.goal.surface - oz]
            + self.indicator_list
            + q
            + self.pad
            + [qvel[i] for i in self.vadr_list]
            + self.pad
            + [ex, ez, math.cos(pitch), math.sin(pitch), qpos[fq[0]] + qpos[fq[1]], qvel[fv[0]] + qvel[fv[1]]]
        )
        return np.array(vals, dtype=np.float32)

    def finger_contacts(self) -> tuple[bool, bool]:
        """Whether the left / right finger touches the object (contact sensors, last physics step)."""
        return bool(self._touch[0] > 0), bool(self._touch[1] > 0)

    def _evaluate(self) -> tuple[float, bool, bool]:
        """Staged dense reward in [0, 0.9] (1 exactly on success), success, failure."""
        qpos, qvel = self._qpos, self._qvel
        obj, goal = self.obj, self.goal
        ex, ez = self._ee[0], self._ee[2]
        ox, oz = qpos[self.obj_q[0]], qpos[self.obj_q[1]]
        left, right = self._touch[0] > 0, self._touch[1] > 0
        dx_goal = abs(ox - self.goal_x)
        if not goal.carried:  # Push
            if oz > PUSH_LIFT_LIMIT:
                self.lifted = True
            if (not self.lifted) and dx_goal < goal.half_range and oz < 0.005:
                return 1.0, True, False
            reach = math.hypot(ex - (ox - obj.half_width - 0.02), ez - obj.push_z)
            reward = 0.3 * (1 - math.tanh(10 * reach)) + 0.6 * (1 - math.tanh(5 * dx_goal))
            return reward, False, self.lifted
        if dx_goal < goal.half_range and not (left or right):
            if goal.drop:  # Trashcan: on the can's floor, gripper above the rim
                success = oz < 0.01 and (ez - FINGER_HALF_LEN) > goal.rim
            else:  # PickPlace / Shelf: resting on the surface, released
                speed = abs(qvel[self.obj_v[0]]) + abs(qvel[self.obj_v[1]])
                success = abs(oz - goal.surface) < 0.006 and speed < 0.05
            if success:
                return 1.0, True, False
        gx, gz = obj.grasp
        reach = math.hypot(ex - (ox + gx), ez - (oz + gz))
        place = math.hypot(dx_goal, oz - goal.surface)
        reward = 0.25 * (1 - math.tanh(10 * reach)) + 0.15 * float(left and right) + 0.5 * (1 - math.tanh(5 * place))
        return reward, False, False


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
        self._obs[:, 14:30] = np.asarray(indicator, dtype=np.float32)

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
        for i, (w, c, r) in enumerate(zip(self.worlds, ctrl, resets)):
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
        ex, ez = self._EE[:, 0], self._EE[:, 2]
        ox, oz = Q[:, w.obj_q[0]], Q[:, w.obj_q[1]]
        o[:, 0], o[:, 1] = ox, oz
        o[:, 2], o[:, 3] = V[:, w.obj_v[0]], V[:, w.obj_v[1]]
        o[:, 4], o[:, 5] = ox - ex, oz - ez
        if w.obst.anchor:
            o[:, 6], o[:, 7], o[:, 8], o[:, 9] = self._obst_x, w.obst.span[0], w.obst.span[1], self._obst_x - ex
        o[:, 10], o[:, 11], o[:, 12], o[:, 13] = self._goal_x, w.goal.surface, self._goal_x - ox, w.goal.surface - oz
        q = Q[:, w.qadr]
        o[:, 30 : 30 + w.n] = q
        o[:, 36 : 36 + w.n] = V[:, w.vadr]
        pitch = q.sum(axis=1)
        o[:, 42], o[:, 43], o[:, 44], o[:, 45] = ex, ez, np.cos(pitch), np.sin(pitch)
        o[:, 46] = Q[:, w.fq[0]] + Q[:, w.fq[1]]
        o[:, 47] = V[:, w.fv[0]] + V[:, w.fv[1]]

    def _evaluate_all(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = self.worlds[0]
        obj, goal = w.obj, w.goal
        Q, V = self._Q, self._V
        ex, ez = self._EE[:, 0], self._EE[:, 2]
        ox, oz = Q[:, w.obj_q[0]], Q[:, w.obj_q[1]]
        left, right = self._T[:, 0] > 0, self._T[:, 1] > 0
        dx_goal = np.abs(ox - self._goal_x)
        if not goal.carried:
            self._lifted |= oz > PUSH_LIFT_LIMIT
            succ = ~self._lifted & (dx_goal < goal.half_range) & (oz < 0.005)
            reach = np.hypot(ex - (ox - obj.half_width - 0.02), ez - obj.push_z)
            rew = 0.3 * (1 - np.tanh(10 * reach)) + 0.6 * (1 - np.tanh(5 * dx_goal))
            return np.where(succ, 1.0, rew), succ, self._lifted.copy()
        free = (dx_goal < goal.half_range) & ~(left | right)
        if goal.drop:
            succ = free & (oz < 0.01) & ((ez - FINGER_HALF_LEN) > goal.rim)
        else:
            speed = np.abs(V[:, w.obj_v[0]]) + np.abs(V[:, w.obj_v[1]])
            succ = free & (np.abs(oz - goal.surface) < 0.006) & (speed < 0.05)
        gx, gz = obj.grasp
        reach = np.hypot(ex - (ox + gx), ez - (oz + gz))
        place = np.hypot(dx_goal, oz - goal.surface)
        rew = 0.25 * (1 - np.tanh(10 * reach)) + 0.15 * (left & right) + 0.5 * (1 - np.tanh(5 * place))
        return np.where(succ, 1.0, rew), succ, np.zeros(self.num_envs, dtype=bool)

    def close_extras(self, **kwargs):
        pass
