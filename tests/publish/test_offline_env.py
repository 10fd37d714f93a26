"""Virtual offline envs: the task's simulator plus its dataset, D4RL style."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.errors import CompogenError
from compogen.publish import OfflineEnv, offline_env, publish, publish_file
from compogen.suites import get_suite

from .conftest import BUILTIN_TASK, random_transitions


def _check(env: OfflineEnv, data):
    got = env.get_dataset()
    for key in ("observations", "actions", "rewards", "next_observations", "terminals"):
        np.testing.assert_array_equal(got[key], getattr(data, key), err_msg=key)
    assert set(got) == {"observations", "actions", "rewards", "next_observations", "terminals", "timeouts"}
    obs, _ = env.reset(seed=0)
    obs2, reward, terminated, truncated, info = env.step(env.action_space.sample())
    assert obs.shape == obs2.shape == (48,) and "success" in info  # the real simulator steps


def test_offline_env_from_a_published_dataset_and_from_a_file(minari_root, builtin_file):
    path, data = builtin_file
    dataset_id = publish_file(path)
    env = offline_env(dataset_id)
    assert env.dataset_id == dataset_id and env.spec.id == f"compogen/{BUILTIN_TASK}-v0"
    _check(env, data)
    _check(offline_env(path), data)
    _check(offline_env(data, task=BUILTIN_TASK), data)


def test_normalized_score_uses_the_measured_reference_returns(minari_root, builtin_file):
    task = "fivelink-plate-none-shelf"
    low, high = get_suite("builtin").reference_scores(task)
    env = offline_env(publish(builtin_file[1], task))
    assert env.ref_scores == (low, high)
    np.testing.assert_allclose(env.get_normalized_score(np.array([low, high, (low + high) / 2])), [0.0, 1.0, 0.5])
    assert env.get_normalized_score(high) == pytest.approx(1.0)


def test_offline_env_without_reference_scores_or_task_says_so(minari_root):
    env = OfflineEnv(offline_env(random_transitions(5), task=BUILTIN_TASK).env, random_transitions(5), None)
    with pytest.raises(CompogenError, match="no reference scores"):
        env.get_normalized_score(1.0)
    with pytest.raises(CompogenError, match="needs task="):
        offline_env(random_transitions(5))
