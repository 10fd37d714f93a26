"""Scripted experts for every task of the built-in suite.

An expert reads only the observation (see :mod:`.env` for its layout) and the
public element constants of :mod:`.elements`. It follows a short list of
end-effector waypoints chosen by the task's elements (the obstacle decides the
approach path, the object the grasp point and opening, the objective where and
how the object is put down) and turns each desired end-effector displacement
into joint-target deltas through the arm's planar Jacobian
(:func:`~compogen.suites.builtin.kinematics.jacobian`, damped least squares with
a posture term for redundant arms).

Experts are stateful (the current phase); call :meth:`ScriptedExpert.reset`
at the start of every episode. With a vector env, call ``reset(i)`` for copy
``i`` once its first observation of a new episode has been returned (with
next-step autoreset: on the step after the one that ended the episode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from compogen.suites.builtin.elements import (
    ARMS,
    DOOR_HIGH,
    DOOR_LOW,
    FINGER_HALF_LEN,
    FINGER_HALF_THICK,
    FINGER_MAX,
    OBJECTIVES,
    OBJECTS,
    OBSTACLES,
    PALM_THICK,
)
from compogen.suites.builtin.kinematics import DOWN, home_configuration, jacobian
from compogen.suites.builtin.layout import ACTION_DIM, OBS
from compogen.tasks.space import Task

__all__ = ["ScriptedExpert", "ExpertConfig"]

#: Seconds per control step (physics step x frame skip).
CONTROL_DT = 0.02
#: Gap left between the closed fingers and the object before a push.
PUSH_GAP = 0.008


@dataclass(frozen=True)
class ExpertConfig:
    """Tuning of the scripted experts (shared by all tasks)."""

    #: Largest end-effector displacement asked for in one control step while travelling (m).
    travel_step: float = 0.02
    #: ... while descending onto the object, placing or pushing (m).
    fine_step: float = 0.007
    #: Distance at which a travel waypoint counts as reached (m).
    travel_tol: float = 0.015
    #: Distance at which a fine target counts as reached (m).
    fine_tol: float = 0.005
    #: Control steps spent closing the gripper. The fingers settle on the object in about 3 steps;
    #: a longer hold makes the expert non-Markov (the same settled state asks for "hold" several
    #: times, then for "lift"), which a cloned policy learns as a fixed point and stalls in
    #: (measured: BC on 4 held-out tasks 0.4-1.0 with 10 steps, 1.0 on all four with 4; 4 dropped
    #: thin plates to 0.92 expert success, 5 keeps every task >= 0.94).
    grip_steps: int = 5
    #: Control steps spent opening the gripper before retreating (the object settles meanwhile;
    #: 4 steps dropped Trashcan tasks to 0.3-0.9 expert success).
    release_steps: int = 10
    #: Joint-command gain: joint deltas are asked for this many times the kinematic solution
    #: (the position servos cover only part of a commanded delta within one step).
    gain: float = 3.3
    #: A precise waypoint counts as reached only below this end-effector speed (m/s).
    settle_speed: float = 0.2
    #: Weight of the velocity-error term (damps the servos' lag, avoids overshoot).
    brake: float = 3.0
    #: Near a target, ask for at most this fraction of the remaining distance per step (no overshoot).
    approach_gain: float = 0.5
    #: Height (grasp point) used to travel over an ObjectWall or GoalWall.
    wall_travel_z: float = 0.30
    #: Damping of the least-squares inverse.
    damping: float = 0.02
    #: Weight of the posture term (redundant arms).
    posture: float = 0.05


@dataclass
class _State:
    phase: int = 0
    counter: int = 0
    hold: np.ndarray | None = None
    waypoints: list = field(default_factory=list)


class ScriptedExpert:
    """Waypoint expert for one task: ``act(obs)`` for one observation or a batch ``[N, obs_dim]``."""

    def __init__(self, task: Task, config: ExpertConfig | None = None):
        self.task = task
        self.cfg = config or ExpertConfig()
        self.arm = ARMS[task.robot]
        self.obj = OBJECTS[task.object]
        self.obst = OBSTACLES[task.obstacle]
        self.goal = OBJECTIVES[task.objective]
        self.n = self.arm.num_joints
        self.home = home_configuration(self.arm)
        self._states: dict[int, _State] = {}

    # ------------------------------------------------------------------------------
    def reset(self, index: int | None = None) -> None:
        """Forget the phase of copy ``index`` (all copies when ``None``)."""
        if index is None:
            self._states.clear()
        else:
            self._states.pop(int(index), None)

    def act(self, obs: np.ndarray, new_episode: np.ndarray | None = None) -> np.ndarray:
        """Action(s) for ``obs`` ([obs_dim] or [N, obs_dim]).

        ``new_episode`` (bool [N], optional) resets the phase of the copies whose
        ``obs`` is the first of a new episode. With a next-step-autoreset vector env::

            obs, _ = venv.reset(seed=0)
            expert.reset()
            fresh = ended = np.zeros(venv.num_envs, bool)
            while ...:
                obs, r, term, trunc, info = venv.step(expert.act(obs, new_episode=fresh))
                fresh, ended = ended, term | trunc   # a step after an ended one returns a reset obs
        """
        obs = np.asarray(obs, dtype=np.float64)
        if obs.ndim == 1:
            if new_episode is not None and bool(np.asarray(new_episode).reshape(-1)[0]):
                self.reset(0)
            return self._act_one(obs, 0)
        if new_episode is not None:
            for i in np.flatnonzero(np.asarray(new_episode)):
                self.reset(int(i))
        return np.stack([self._act_one(o, i) for i, o in enumerate(obs)])

    __call__ = act

    # ------------------------------------------------------------------------------
    def _grip_open_cmd(self, opening: float) -> float:
        """Gripper command for a finger opening (inner face to centre line)."""
        return float(np.clip(1.0 - 2.0 * opening / FINGER_MAX, -1.0, 1.0))

    def _approach_path(self, o: np.ndarray, ee: np.ndarray, x_target: float, z_above: float) -> list:
        """Waypoints to a point above ``x_target`` avoiding the obstacle."""
        name = self.obst.name
        if name == "ObjectWall":
            z = max(self.cfg.wall_travel_z, z_above)
            return [np.array([ee[0], z]), np.array([x_target, z])]
        if name == "ObjectDoor":
            door_x = o[OBS.obstacle_x]
            # Grasp-point height centring the gripper (fingertip to palm top, plus 2 cm margin) in the opening.
            gripper_height = 2 * FINGER_HALF_LEN + PALM_THICK + 0.02
            z = DOOR_LOW + 0.5 * ((DOOR_HIGH - DOOR_LOW) - gripper_height) + FINGER_HALF_LEN
            return [np.array([door_x - 0.09, z]), np.array([x_target, z])]
        return [np.array([x_target, z_above])]

    def _moves(self, points: list, grip: float) -> list:
        """Travel moves; the last one (right above the object) must be reached precisely."""
        cfg = self.cfg
        moves = [("move", p, grip, cfg.travel_step, cfg.travel_tol) for p in points]
        moves[-1] = ("move", points[-1], grip, cfg.travel_step, cfg.fine_tol)
        return moves

    def _plan(self, o: np.ndarray, ee: np.ndarray) -> list:
        """Phases as (kind, target-or-None, gripper command, step size, tolerance)."""
        cfg, obj, goal = self.cfg, self.obj, self.goal
        ox, oz = o[OBS.object_x], o[OBS.object_z]
        above = oz + obj.height + 0.05
        if not goal.carried:  # Push
            px = ox - obj.half_width - 2 * FINGER_HALF_THICK - PUSH_GAP
            closed = 1.0
            plan = self._moves(self._approach_path(o, ee, px, above), closed)
            plan.append(("descend", np.array([px, obj.push_z]), closed, cfg.fine_step, cfg.fine_tol))
            plan.append(("push", None, closed, cfg.fine_step, 0.0))
            return plan
        gx_off, gz_off = obj.grasp
        open_cmd = self._grip_open_cmd(obj.pregrasp_open)
        plan = self._moves(self._approach_path(o, ee, ox + gx_off, above), open_cmd)
        plan.append(("descend", None, open_cmd, cfg.fine_step, cfg.fine_tol))
        plan.append(("grip", None, 1.0, 0.0, 0.0))
        clearance = goal.rim + 0.04
        if self.obst.name == "GoalWall":
            clearance = max(clearance, self.obst.span[1] + 0.04)
        z_carry = gz_off + clearance
        tx = o[OBS.goal_x] + gx_off
        plan.append(("lift", z_carry, 1.0, cfg.travel_step, cfg.travel_tol))
        plan.append(("move", np.array([tx, z_carry]), 1.0, cfg.travel_step, cfg.fine_tol * 2))
        if not goal.drop:
            plan.append(("move", np.array([tx, goal.surface + gz_off + 0.006]), 1.0, cfg.fine_step, cfg.fine_tol))
        plan.append(("release", None, open_cmd, 0.0, 0.0))
        plan.append(("retreat", None, open_cmd, cfg.travel_step, 0.0))
        return plan

    def _act_one(self, o: np.ndarray, index: int) -> np.ndarray:  # noqa: PLR0912 -- the scripted expert: one branch per plan phase
        n, cfg = self.n, self.cfg
        q = o[OBS.joints : OBS.joints + n]
        ee = o[OBS.ee_x : OBS.ee_z + 1]
        pitch = float(np.arctan2(o[OBS.pitch_sin], o[OBS.pitch_cos]))
        ee_speed = float(np.linalg.norm((jacobian(self.arm, q) @ o[OBS.joint_vels : OBS.joint_vels + n])[:2]))
        st = self._states.get(index)
        if st is None:
            st = self._states[index] = _State()
            st.waypoints = self._plan(o, ee)
        target, grip, step = ee.copy(), 1.0, cfg.fine_step
        while st.phase < len(st.waypoints):
            kind, tgt, grip, step, tol = st.waypoints[st.phase]
            if kind == "move":
                target = tgt
                if np.linalg.norm(ee - target) < tol and (tol >= cfg.travel_tol or ee_speed < cfg.settle_speed):
                    st.phase += 1
                    continue
            elif kind == "descend":  # follow the object's current grasp point; align in x first
                target = np.array([o[OBS.object_x] + self.obj.grasp[0], o[OBS.object_z] + self.obj.grasp[1]]) if tgt is None else tgt
                if abs(ee[0] - target[0]) > 2 * tol and ee[1] > target[1] + 0.02:
                    target = np.array([target[0], ee[1]])
                elif np.linalg.norm(ee - target) < tol:
                    st.phase += 1
                    continue
            elif kind in ("grip", "release"):
                if st.hold is None:
                    st.hold = ee.copy()
                target = st.hold
                st.counter += 1
                if st.counter > (cfg.grip_steps if kind == "grip" else cfg.release_steps):
                    st.counter, st.hold = 0, None
                    st.phase += 1
                    continue
            elif kind == "lift":
                if st.hold is None:
                    st.hold = ee.copy()
                target = np.array([st.hold[0], tgt])
                if abs(ee[1] - tgt) < tol:
                    st.hold = None
                    st.phase += 1
                    continue
            elif kind == "push":
                hw = self.obj.half_width + 2 * FINGER_HALF_THICK + PUSH_GAP
                target = np.array([o[OBS.goal_x] - hw + 0.004, self.obj.push_z])
            elif kind == "retreat":
                if st.hold is None:
                    st.hold = ee.copy()
                target = st.hold + np.array([0.0, 0.1])
            break
        action = np.zeros(ACTION_DIM)
        action[:n] = self._joint_action(q, o[OBS.joint_vels : OBS.joint_vels + n], ee, pitch, target, step)
        action[-1] = grip
        return action

    def _joint_action(self, q: np.ndarray, qdot: np.ndarray, ee: np.ndarray, pitch: float, target: np.ndarray, step: float) -> np.ndarray:
        cfg = self.cfg
        err = target - ee
        dist = float(np.linalg.norm(err))
        step = min(step, cfg.approach_gain * dist)
        if dist > step > 0:
            err = err * (step / dist)
        e = np.array([err[0], err[1], 0.5 * (DOWN - pitch)])
        J = jacobian(self.arm, q)
        JJt = J @ J.T + cfg.damping**2 * np.eye(3)
        dq = J.T @ np.linalg.solve(JJt, e)
        if self.n > 3:
            N = np.eye(self.n) - J.T @ np.linalg.solve(JJt, J)
            dq = dq + N @ (cfg.posture * (self.home - q))
        # Feed-forward plus a brake on the difference between the wanted and the current joint motion.
        a = (cfg.gain * dq + cfg.brake * (dq - qdot * CONTROL_DT)) / self.arm.delta_scale
        peak = np.abs(a).max()
        if peak > 1.0:
            a = a / peak
        return a
