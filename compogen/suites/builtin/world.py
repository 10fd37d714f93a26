"""One simulated episode of one built-in task: :class:`TaskWorld` (spaces: see :mod:`compogen.suites.builtin.env`).

A world owns one ``MjModel``/``MjData`` pair and computes observations, rewards
and success with no Gymnasium overhead; the envs in :mod:`.env` wrap worlds.
"""

from __future__ import annotations

import copy

import mujoco
import numpy as np

from compogen.suites.builtin.elements import (
    ARMS,
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
from compogen.suites.builtin.layout import HORIZON
from compogen.suites.builtin.mjcf import FRAME_SKIP, build_mjcf
from compogen.suites.builtin.rules import SCALAR, observation_values, staged_reward
from compogen.tasks.space import Task

__all__ = ["TaskWorld", "RESET_NOISE", "PUSH_STOPWALL_GAP"]

#: Uniform reset noise: object x, goal x (m), joint angles (rad).
RESET_NOISE = {"object_x": 0.025, "goal_x": 0.025, "joints": 0.03}
#: Gap between the stop wall and the push target for Push with GoalWall.
PUSH_STOPWALL_GAP = 0.055

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
        return self._observe(self._state())

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
        state = self._state()
        obs = self._observe(state)
        reward, success, failed = self._evaluate(state)
        terminated = success or failed
        truncated = (not terminated) and self.t >= self.horizon
        return obs, reward, terminated, truncated, success

    # ------------------------------------------------------------------------------
    def _state(self) -> tuple[list, list, list, list]:
        """qpos, qvel, end-effector position and touch sensors as Python lists: plain floats are much
        cheaper than numpy scalars for vectors this small."""
        return self._qpos.tolist(), self._qvel.tolist(), self._ee.tolist(), self._touch.tolist()

    def _observe(self, state) -> np.ndarray:
        qpos, qvel, ee, _ = state
        q = [qpos[i] for i in self.qadr_list]
        fq, fv = self.fq, self.fv
        vals = observation_values(
            SCALAR, ee[0], ee[2], qpos[self.obj_q[0]], qpos[self.obj_q[1]], qvel[self.obj_v[0]], qvel[self.obj_v[1]],
            (self.obstacle_x, self.obst.span[0], self.obst.span[1]) if self.obst.anchor else None,
            self.goal_x, self.goal.surface, self.indicator_list, q, [qvel[i] for i in self.vadr_list], self.pad,
            sum(q), qpos[fq[0]] + qpos[fq[1]], qvel[fv[0]] + qvel[fv[1]],
        )  # fmt: skip
        return np.array(vals, dtype=np.float32)

    def _evaluate(self, state) -> tuple[float, bool, bool]:
        """Staged dense reward in [0, 0.9] (1 exactly on success), success, failure."""
        qpos, qvel, ee, touch = state
        reward, success, failed, self.lifted = staged_reward(
            SCALAR, self.obj, self.goal, ee[0], ee[2], qpos[self.obj_q[0]], qpos[self.obj_q[1]],
            qvel[self.obj_v[0]], qvel[self.obj_v[1]], touch[0] > 0, touch[1] > 0, self.goal_x, self.lifted,
        )  # fmt: skip
        return float(reward), bool(success), bool(failed)
