"""Bring generated transitions into the task's spaces: the one rule every consumer of synthetic data sees.

A diffusion generator's samples are continuous and unbounded: a small generator puts some actions
outside the action space and some rewards above the success reward. The suites' contract (see
:mod:`compogen.suites.base`) is actions in the action space's box, rewards in
``[0, SUCCESS_REWARD]`` with the success reward paid exactly on success, and binary terminals.
:func:`conform` enforces it once, where samples leave the generator, so validation, the loop's pool,
published datasets and the adapters all read the same values:

- actions are clipped to ``[low, high]``;
- a reward at or above the midpoint between the suite's largest dense reward and the success reward
  becomes exactly the success reward; any other reward is clipped to ``[reward_low, dense_reward_max]``
  (a suite without a gap, ``dense_reward_max == success_reward``, just clips);
- terminals are thresholded at 0.5 (as :meth:`TransitionLayout.unpack` already does); where the generator's
  training data held no failure terminal (a terminal without the success reward; ``failure_terminals=False``),
  a generated terminal without the success reward is cleared: the model never saw a failure, so it is noise,
  and in chained episodes it ends an episode before the task's late phase
  (``benchmarks/results/episodes_fivelink_policy4.md``).

>>> import numpy as np
>>> b = SpaceBounds(dense_reward_max=0.9)
>>> out, n = conform({"actions": np.array([[1.7, -0.2]]), "rewards": np.array([0.97]), "terminals": np.array([0.2])}, b)
>>> out["actions"].tolist(), out["rewards"].tolist(), out["terminals"].tolist(), n
([[1.0, -0.20000000298023224]], [1.0], [False], {'actions_clipped': 1, 'rewards_changed': 1, 'terminals_cleared': 0})
>>> nofail = SpaceBounds(dense_reward_max=0.9, failure_terminals=False)
>>> conform({"actions": np.zeros((2, 1)), "rewards": np.array([0.3, 1.0]), "terminals": np.array([0.9, 0.9])}, nofail)[0]["terminals"].tolist()
[False, True]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from compogen.suites.base import SUCCESS_REWARD, Suite

__all__ = ["SpaceBounds", "conform", "suite_bounds"]


@dataclass(frozen=True)
class SpaceBounds:
    """The box a task's transitions live in (the suites' contract by default)."""

    #: Action box (every suite's action space is ``[-1, 1]^k``).
    action_low: float = -1.0
    action_high: float = 1.0
    #: Smallest reward the suite pays.
    reward_low: float = 0.0
    #: Largest reward of a step that is not a success (the suite's dense-reward ceiling).
    dense_reward_max: float = 1.0
    #: The reward of a successful step (:data:`~compogen.suites.base.SUCCESS_REWARD`).
    success_reward: float = SUCCESS_REWARD
    #: Whether a terminal may come without the success reward (a failure). A generator whose training data held
    #: none gets False (:attr:`Generator.bounds <compogen.generator.Generator.bounds>`), and its terminals without
    #: the success reward are cleared.
    failure_terminals: bool = True

    def __post_init__(self):
        if not (self.action_low < self.action_high and self.reward_low <= self.dense_reward_max <= self.success_reward):
            raise ValueError(f"inconsistent bounds {self}")

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def conform(batch: dict[str, Any], bounds: SpaceBounds) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """A copy of ``batch`` (``actions``, ``rewards``, ``terminals``; other keys pass through) inside
    ``bounds``, and how many values changed: ``actions_clipped`` counts action entries,
    ``rewards_changed`` counts rewards, ``terminals_cleared`` the terminals without the success reward cleared
    where ``bounds.failure_terminals`` is False."""
    out = dict(batch)
    a = np.asarray(batch["actions"], dtype=np.float32)
    out["actions"] = np.clip(a, bounds.action_low, bounds.action_high)
    r = np.asarray(batch["rewards"], dtype=np.float32)
    cut = 0.5 * (bounds.dense_reward_max + bounds.success_reward)
    success = r >= cut if bounds.dense_reward_max < bounds.success_reward else r >= bounds.success_reward
    out["rewards"] = np.where(success, np.float32(bounds.success_reward), np.clip(r, bounds.reward_low, bounds.dense_reward_max)).astype(np.float32)
    t = np.asarray(batch["terminals"])
    t = t if t.dtype == bool else t > 0.5
    out["terminals"] = t if bounds.failure_terminals else t & success
    counts = {
        "actions_clipped": int((out["actions"] != a).sum()),
        "rewards_changed": int((out["rewards"] != r).sum()),
        "terminals_cleared": int((t != out["terminals"]).sum()),
    }
    return out, counts


def suite_bounds(suite: Suite) -> SpaceBounds:
    """The box ``suite``'s transitions live in: its action space, rewards in ``[0, suite.dense_reward_max]``
    below success and :data:`~compogen.suites.base.SUCCESS_REWARD` on success."""
    box = suite.action_space()
    return SpaceBounds(float(box.low.min()), float(box.high.max()), 0.0, float(suite.dense_reward_max), SUCCESS_REWARD)
