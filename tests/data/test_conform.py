"""Generated values are brought into the task's spaces by one rule (compogen.data.conform)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from compogen.data.conform import SpaceBounds, conform, suite_bounds
from compogen.suites import get_suite
from compogen.suites.base import SUCCESS_REWARD


def test_conform_clips_actions_snaps_success_and_counts():
    b = SpaceBounds(dense_reward_max=0.9)
    batch = {
        "actions": np.array([[1.5, -0.3], [-2.0, 0.99]], np.float32),
        "rewards": np.array([1.3, 0.96], np.float32),
        "terminals": np.array([0.7, 0.1]),
        "observations": np.ones((2, 3), np.float32),
    }
    out, n = conform(batch, b)
    assert out["actions"].tolist() == [[1.0, pytest.approx(-0.3)], [-1.0, pytest.approx(0.99)]]
    assert out["rewards"].tolist() == [1.0, 1.0]  # both above the midpoint 0.95 of (0.9, 1.0)
    assert out["terminals"].tolist() == [True, False]
    assert out["observations"] is batch["observations"]
    assert n == {"actions_clipped": 2, "rewards_changed": 2, "terminals_cleared": 0}
    out, n = conform({**batch, "rewards": np.array([0.94, -0.2], np.float32)}, b)
    assert out["rewards"].tolist() == [pytest.approx(0.9), 0.0] and n["rewards_changed"] == 2
    assert out["terminals"].tolist() == [True, False]  # a failure terminal stays where failures are allowed
    out, n = conform({**batch, "rewards": np.array([0.94, -0.2], np.float32)}, replace(b, failure_terminals=False))
    assert out["terminals"].tolist() == [False, False] and n["terminals_cleared"] == 1
    # the input is not modified
    assert batch["actions"][0, 0] == np.float32(1.5)


def test_conform_without_a_reward_gap_only_clips():
    out, _ = conform({"actions": np.zeros((3, 1)), "rewards": np.array([0.99, 1.2, -1.0]), "terminals": np.zeros(3, bool)}, SpaceBounds())
    assert out["rewards"].tolist() == [pytest.approx(0.99), 1.0, 0.0]


def test_bounds_refuse_inconsistent_values():
    with pytest.raises(ValueError, match="inconsistent bounds"):
        SpaceBounds(action_low=1.0, action_high=-1.0)
    with pytest.raises(ValueError, match="inconsistent bounds"):
        SpaceBounds(dense_reward_max=1.2)


def test_builtin_suite_bounds_match_its_reward_rule():
    """The built-in suite pays at most 0.9 before success and exactly 1 on success; its action box is [-1, 1]."""
    suite = get_suite("builtin")
    b = suite_bounds(suite)
    box = suite.action_space()
    assert (b.action_low, b.action_high) == (float(box.low.min()), float(box.high.max()))
    assert b.dense_reward_max == pytest.approx(0.9) and b.success_reward == SUCCESS_REWARD
    # measured against the environment: no non-success step pays above dense_reward_max
    env = suite.make_env("fivelink-box-none-push")
    expert = suite.expert("fivelink-box-none-push")
    obs, _ = env.reset(seed=0)
    expert.reset()
    rewards, successes = [], []
    for _ in range(suite.horizon):
        obs, r, term, trunc, info = env.step(expert.act(obs))
        rewards.append(r)
        successes.append(info["success"])
        if term or trunc:
            break
    rewards, successes = np.array(rewards), np.array(successes)
    assert successes.any() and (rewards[successes] == SUCCESS_REWARD).all()
    assert rewards[~successes].max() <= b.dense_reward_max + 1e-6
