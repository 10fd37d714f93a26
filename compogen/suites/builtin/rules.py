"""The built-in suite's observation and staged reward, defined once for one world and for many.

Every function takes ``xp``: :data:`SCALAR` (plain floats and ``math``, for :class:`TaskWorld`, where
numpy scalars would cost more than the physics) or :data:`VECTOR` (numpy arrays over copies, for
:class:`BuiltinVectorEnv`). Both paths evaluate the same expressions in the same order, so a copy of
the vector env equals the single env (tested on every objective, Push's lift failure included).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from compogen.suites.builtin.elements import FINGER_HALF_LEN

__all__ = ["DENSE_REWARD_MAX", "SCALAR", "VECTOR", "PUSH_LIFT_LIMIT", "SUCCESS", "observation_values", "staged_reward"]

#: Namespace of one world: floats and Python's math.
SCALAR = SimpleNamespace(
    hypot=math.hypot, tanh=math.tanh, cos=math.cos, sin=math.sin, abs=abs, where=lambda c, a, b: a if c else b, logical_not=lambda x: not x
)
#: Namespace of many copies: numpy arrays.
VECTOR = SimpleNamespace(hypot=np.hypot, tanh=np.tanh, cos=np.cos, sin=np.sin, abs=np.abs, where=np.where, logical_not=np.logical_not)

#: An object lifted this far above the table fails a Push episode.
PUSH_LIFT_LIMIT = 0.02
#: Success thresholds (m, m/s): Push leaves the object on the table within the target range; PickPlace
#: and Shelf rest it on the goal surface, released and still; Trashcan drops it on the can's floor with the
#: fingertips above the rim.
SUCCESS = SimpleNamespace(push_height=0.005, surface_tolerance=0.006, rest_speed=0.05, can_floor=0.01)
#: Reward shaping: Push reaches behind the object (offset, m) then slides it; the carrying objectives reach
#: the grasp point, hold with both fingers and place. Weights sum to 0.9 (1 is success only).
SHAPING = SimpleNamespace(push_reach_offset=0.02, push_reach=0.3, push_slide=0.6, reach=0.25, hold=0.15, place=0.5, reach_scale=10.0, place_scale=5.0)
#: The largest reward of a step that is not a success (both objective families' weights sum to it).
DENSE_REWARD_MAX = max(SHAPING.push_reach + SHAPING.push_slide, SHAPING.reach + SHAPING.hold + SHAPING.place)


def staged_reward(xp, obj, goal, ex, ez, ox, oz, vx, vz, left, right, goal_x, lifted):  # noqa: PLR0913 -- one array per physical quantity, so one kernel serves numpy and torch batches
    """``(reward, success, failed, lifted)`` of the object at ``(ox, oz)`` moving at ``(vx, vz)``, the
    end effector at ``(ex, ez)``, finger contacts ``left``/``right`` and the goal at ``goal_x``.

    Reward is dense and staged in [0, 0.9], exactly 1 on success. ``lifted`` (Push only) is sticky:
    an object once lifted above :data:`PUSH_LIFT_LIMIT` fails the episode.
    """
    sh = SHAPING
    dx_goal = xp.abs(ox - goal_x)
    if not goal.carried:  # Push
        lifted = lifted | (oz > PUSH_LIFT_LIMIT)
        success = xp.logical_not(lifted) & (dx_goal < goal.half_range) & (oz < SUCCESS.push_height)
        reach = xp.hypot(ex - (ox - obj.half_width - sh.push_reach_offset), ez - obj.push_z)
        reward = sh.push_reach * (1 - xp.tanh(sh.reach_scale * reach)) + sh.push_slide * (1 - xp.tanh(sh.place_scale * dx_goal))
        return xp.where(success, 1.0, reward), success, lifted, lifted
    free = (dx_goal < goal.half_range) & xp.logical_not(left | right)
    if goal.drop:  # Trashcan: on the can's floor, gripper above the rim
        success = free & (oz < SUCCESS.can_floor) & ((ez - FINGER_HALF_LEN) > goal.rim)
    else:  # PickPlace / Shelf: resting on the surface, released
        speed = xp.abs(vx) + xp.abs(vz)
        success = free & (xp.abs(oz - goal.surface) < SUCCESS.surface_tolerance) & (speed < SUCCESS.rest_speed)
    gx, gz = obj.grasp
    reach = xp.hypot(ex - (ox + gx), ez - (oz + gz))
    place = xp.hypot(dx_goal, oz - goal.surface)
    reward = sh.reach * (1 - xp.tanh(sh.reach_scale * reach)) + sh.hold * (left & right) + sh.place * (1 - xp.tanh(sh.place_scale * place))
    return xp.where(success, 1.0, reward), success, lifted & False, lifted


def observation_values(  # noqa: PLR0913 -- one array per physical quantity, so one kernel serves numpy and torch batches
    xp, ex, ez, ox, oz, vx, vz, obstacle, goal_x, surface, indicator, q, qd, pad, pitch, finger, finger_vel
):
    """The 48 observation entries in order (see :mod:`compogen.suites.builtin.layout`): floats for one
    world, arrays (or broadcastable constants) for many. ``obstacle`` is ``(x, span_low, span_high)`` or
    None; ``q``/``qd`` list the arm's joints, ``pad`` the zeros that pad them to six."""
    obst = [obstacle[0], obstacle[1], obstacle[2], obstacle[0] - ex] if obstacle is not None else [0.0, 0.0, 0.0, 0.0]
    return (
        [ox, oz, vx, vz, ox - ex, oz - ez]
        + obst
        + [goal_x, surface, goal_x - ox, surface - oz]
        + indicator
        + q
        + pad
        + qd
        + pad
        + [ex, ez, xp.cos(pitch), xp.sin(pitch), finger, finger_vel]
    )
