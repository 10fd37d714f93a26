"""Planar kinematics of the built-in arms (closed form, numpy).

Joint ``i`` rotates about ``-y``; the absolute angle of link ``k`` is
``phi_k = q_0 + ... + q_k`` (0 = pointing along +x, positive towards +z). The
grasp point (site ``ee``) lies ``hand_reach`` beyond the last joint, so with the
effective lengths ``L = links[:-1] + (hand_reach,)``::

    ee = base + sum_k L_k (cos phi_k, sin phi_k),   pitch = phi_last

The scripted experts use these to turn end-effector velocities into joint deltas;
tests check them against MuJoCo's ``mj_jacSite``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from compogen.suites.builtin.elements import ArmSpec

__all__ = ["effective_lengths", "forward", "jacobian", "solve_ik", "home_configuration", "DOWN"]

#: Pitch of a gripper pointing straight down.
DOWN = -np.pi / 2


def effective_lengths(arm: ArmSpec) -> np.ndarray:
    return np.array(arm.links[:-1] + (arm.hand_reach,), dtype=np.float64)


def forward(arm: ArmSpec, q: np.ndarray) -> tuple[np.ndarray, float]:
    """Grasp point ``(x, z)`` and gripper pitch for joint angles ``q`` (length ``num_joints``)."""
    phi = np.cumsum(q)
    L = effective_lengths(arm)
    p = np.array(arm.base) + np.array([np.sum(L * np.cos(phi)), np.sum(L * np.sin(phi))])
    return p, float(phi[-1])


def jacobian(arm: ArmSpec, q: np.ndarray) -> np.ndarray:
    """3 x n Jacobian of ``(x, z, pitch)`` with respect to ``q``."""
    phi = np.cumsum(q)
    L = effective_lengths(arm)
    dx = -L * np.sin(phi)
    dz = L * np.cos(phi)
    # column i sums the contributions of links k >= i
    jx = np.cumsum(dx[::-1])[::-1]
    jz = np.cumsum(dz[::-1])[::-1]
    return np.stack([jx, jz, np.ones_like(q)])


def solve_ik(
    arm: ArmSpec, target: tuple[float, float], pitch: float = DOWN, q0: np.ndarray | None = None, iters: int = 300, posture: np.ndarray | None = None
) -> np.ndarray:
    """Damped least-squares IK for ``(x, z, pitch)``; returns joint angles."""
    n = arm.num_joints
    q = np.array(q0 if q0 is not None else _seed(arm), dtype=np.float64)
    goal = np.array([target[0], target[1], pitch])
    for _ in range(iters):
        p, ph = forward(arm, q)
        err = goal - np.array([p[0], p[1], ph])
        if np.linalg.norm(err) < 1e-9:
            break
        J = jacobian(arm, q)
        JJt = J @ J.T + 1e-4 * np.eye(3)
        dq = J.T @ np.linalg.solve(JJt, err)
        if posture is not None and n > 3:
            N = np.eye(n) - J.T @ np.linalg.solve(JJt, J)
            dq += N @ (0.1 * (posture - q))
        q = q + np.clip(dq, -0.3, 0.3)
    return q


def _seed(arm: ArmSpec) -> np.ndarray:
    """An elbow-up seed: first link raised, the rest bending down to a vertical gripper."""
    n = arm.num_joints
    q = np.zeros(n)
    q[0] = 0.5
    q[1:] = (DOWN - 0.5) / (n - 1)
    return q


@cache
def _home(arm: ArmSpec) -> tuple[float, ...]:
    seed = _seed(arm)
    return tuple(solve_ik(arm, arm.home, DOWN, q0=seed, posture=seed, iters=1000).tolist())


def home_configuration(arm: ArmSpec) -> np.ndarray:
    """Joint angles placing the grasp point at ``arm.home`` with the gripper pointing down."""
    return np.array(_home(arm))
