"""Wilson intervals, the success definition and the evaluation loop."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

from compogen.rl.evaluate import evaluate, evaluate_many
from compogen.rl.metrics import episode_success, wilson_interval


def _wilson_by_hand(k: int, n: int, z: float = 1.96):
    p = k / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return center - half, center + half


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        # worked by hand: z^2 = 3.8416, z^2/n = 0.38416, z^2/(2n) = 0.19208
        (0, 10, 0.0, 0.19208 * 2 / 1.38416),  # center = half = 0.19208/1.38416
        (5, 10, 0.5 - 1.96 * math.sqrt(0.025 + 0.009604) / 1.38416, 0.5 + 1.96 * math.sqrt(0.025 + 0.009604) / 1.38416),
        (10, 10, 1 - 0.19208 * 2 / 1.38416, 1.0),
    ],
)
def test_wilson_hand_computed(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-9)
    assert hi == pytest.approx(high, abs=1e-9)


def test_wilson_known_values_and_edges():
    assert wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(10, 10)[0] == pytest.approx(0.7225, abs=1e-4)
    assert wilson_interval(3, 20) == pytest.approx(_wilson_by_hand(3, 20))
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo99, hi99 = wilson_interval(5, 10, z=2.576)
    assert lo99 < wilson_interval(5, 10)[0] and hi99 > wilson_interval(5, 10)[1]
    for bad in ((11, 10), (-1, 10), (0, -1)):
        with pytest.raises(ValueError):
            wilson_interval(*bad)


def test_episode_success_is_reward_reaching_one():
    assert episode_success([0, 0, 1.0])
    assert episode_success([0, 1.0, 0])  # reaching 1 at any step counts
    assert not episode_success([0.5, 0.999])
    assert not episode_success([])


class _LateRewardEnv(gym.Env):
    """Reward 1 at step ``hit`` (not terminating, info says failure), episode of 6 steps."""

    def __init__(self, hit: int | None):
        self.hit = hit
        self.observation_space = gym.spaces.Box(-1, 1, (3,), np.float32)
        self.action_space = gym.spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        self.t = 0
        return np.zeros(3, np.float32), {}

    def step(self, action):
        self.t += 1
        r = 1.0 if self.t == self.hit else 0.25
        return np.zeros(3, np.float32), r, False, self.t >= 6, {"success": False}


def _vector(*envs: gym.Env) -> gym.vector.SyncVectorEnv:
    return gym.vector.SyncVectorEnv([lambda e=e: e for e in envs])


def test_evaluate_counts_success_from_reward_and_steps():
    envs = [_vector(_LateRewardEnv(3), _LateRewardEnv(None)), _vector(_LateRewardEnv(None), _LateRewardEnv(None))]
    res = evaluate_many(envs, lambda o: np.zeros((*o.shape[:2], 1), np.float32), episodes=3, first_seeds=[0, 0], max_steps=50)
    # waves of 2 envs: episodes 0, 1 in wave one, episode 2 on env 0 in wave two
    assert [r.successes for r in res] == [2, 0]
    assert res[0].episodes == 3 and res[0].success_rate == pytest.approx(2 / 3)
    assert res[0].env_steps == 3 * 6  # inactive env in the second wave is not counted
    assert res[0].mean_return == pytest.approx((1 + 5 * 0.25) * 2 / 3 + 6 * 0.25 / 3)
    assert (res[0].ci_low, res[0].ci_high) == pytest.approx(wilson_interval(2, 3))


def test_evaluate_toy_expert_and_random(toy_suite, toy_task):
    from tests.validation.toy_suite import expert_action, random_policy

    expert = evaluate(toy_suite, toy_task, expert_action, episodes=20, seed=5)
    rand = evaluate(toy_suite, toy_task, random_policy(0), episodes=20, seed=5)
    assert expert.success_rate == 1.0 and expert.mean_return == 1.0
    assert rand.success_rate <= 0.1
    assert expert.env_steps < rand.env_steps <= 20 * toy_suite.horizon
    again = evaluate(toy_suite, toy_task, expert_action, episodes=20, seed=5)
    assert again == expert  # seeded
