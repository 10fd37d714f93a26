"""The CompoSuite adapter.

Tests marked ``composuite`` build real CompoSuite envs and skip cleanly when the
optional package is missing; the others (missing-extra error, argument checks)
run everywhere.
"""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from compogen.errors import CompogenError
from compogen.layouts.observation import COMPOSUITE_OBSERVATION_LAYOUT as LAYOUT
from compogen.suites import get_suite
from compogen.tasks import COMPOSUITE_SPACE as SPACE

HORIZON = 12
PUSH = "iiwa-box-none-push"
# Element indices 3, 1, 2, 0 on the four axes: any swap of task-id blocks shows.
DISTINCT = "kinova3-dumbbell-objectdoor-pickplace"


# -- everywhere ------------------------------------------------------------------
def test_missing_composuite_raises_with_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "composuite", None)  # makes `import composuite` fail
    with pytest.raises(CompogenError, match=r"composuite.*not on PyPI|not on PyPI.*composuite"):
        get_suite("composuite").make_env(PUSH)


def test_module_imports_without_composuite(monkeypatch):
    monkeypatch.setitem(sys.modules, "composuite", None)
    monkeypatch.delitem(sys.modules, "compogen.suites.composuite_env", raising=False)
    module = importlib.import_module("compogen.suites.composuite_env")
    assert module.CompoSuiteEnv.__name__ == "CompoSuiteEnv"


@pytest.mark.parametrize("bad", [{"ignore_done": False}, {"horizon": 10}, {"env_horizon": 0}])
def test_reserved_or_bad_arguments_are_rejected(bad):
    with pytest.raises(CompogenError):
        get_suite("composuite").make_env(PUSH, **bad)


# -- with the real package ---------------------------------------------------------
@pytest.fixture(scope="module")
def composuite():
    return pytest.importorskip("composuite")


def _make(composuite, task, **kwargs):
    env = get_suite("composuite").make_env(task, env_horizon=HORIZON, **kwargs)
    yield env
    env.close()


@pytest.fixture(scope="module")
def push_env(composuite):
    yield from _make(composuite, PUSH)


@pytest.fixture(scope="module")
def push_env_no_ids(composuite):
    yield from _make(composuite, PUSH, use_task_id_obs=False)


@pytest.fixture(scope="module")
def distinct_env(composuite):
    yield from _make(composuite, DISTINCT)


needs_composuite = pytest.mark.composuite


@needs_composuite
def test_spaces_and_float32_observations(push_env):
    assert push_env.observation_space.shape == (93,)
    assert push_env.observation_space.dtype == np.float32
    assert push_env.action_space.shape == (8,)
    assert np.all(push_env.action_space.low == -1) and np.all(push_env.action_space.high == 1)
    obs, info = push_env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.shape == (93,)
    assert push_env.observation_space.contains(obs)
    obs, reward, terminated, truncated, info = push_env.step(push_env.action_space.sample())
    assert obs.dtype == np.float32 and obs.shape == (93,)
    assert isinstance(reward, float) and isinstance(info["success"], bool)


@needs_composuite
def test_without_task_ids_drops_exactly_the_task_id_dims(push_env, push_env_no_ids):
    assert push_env_no_ids.observation_space.shape == (77,)
    full, _ = push_env.reset(seed=5)
    short, _ = push_env_no_ids.reset(seed=5)
    assert short.dtype == np.float32 and short.shape == (77,)
    np.testing.assert_array_equal(short, full[LAYOUT.state_index()])
    action = np.full(8, 0.3, dtype=np.float32)
    full = push_env.step(action)[0]
    short = push_env_no_ids.step(action)[0]
    np.testing.assert_array_equal(short, full[LAYOUT.state_index()])


@needs_composuite
def test_composuite_observation_keys_match_the_layout(push_env):
    """CompoSuite's wrapper records where each key lands in the flat observation."""
    positions = {k: (int(v[0]), int(v[-1]) + 1) for k, v in push_env.composuite_env.observation_positions.items()}
    for key, factor in [("object-state", "object"), ("obstacle-state", "obstacle"), ("goal-state", "goal"), ("robot0_proprio-state", "proprio")]:
        f = LAYOUT.factor(factor)
        assert positions[key] == (f.start, f.stop), key
    id_keys = {"object": "object_id", "robot": "robot_id", "obstacle": "obstacle_id", "objective": "subtask_id"}
    start = LAYOUT.task_id_start
    for axis in LAYOUT.task_id_order:
        size = len(SPACE.axis_elements(axis))
        assert positions[id_keys[axis]] == (start, start + size), axis
        start += size
    assert start == LAYOUT.task_id_stop
    assert len(positions) == 8


@needs_composuite
@pytest.mark.parametrize("fixture", ["push_env", "distinct_env"])
def test_indicator_read_from_observation(fixture, request):
    env = request.getfixturevalue(fixture)
    obs, _ = env.reset(seed=1)
    np.testing.assert_array_equal(LAYOUT.indicator_from_obs(obs, SPACE), SPACE.indicator(env.task))
    assert SPACE.from_indicator(LAYOUT.indicator_from_obs(obs, SPACE)) == env.task


@needs_composuite
def test_truncated_at_horizon_then_reset_needed(push_env):
    push_env.reset(seed=2)
    for t in range(1, HORIZON + 1):
        _, reward, terminated, truncated, info = push_env.step(np.zeros(8))
        assert not terminated
        assert truncated == (t == HORIZON)
        assert info["success"] == (reward == 1.0)
    with pytest.raises(CompogenError, match="reset"):
        push_env.step(np.zeros(8))


def _move_object(env, xy=None, lift=0.0):
    """Teleport the object (robosuite internals): onto the goal's xy and/or up by ``lift``."""
    rs = env.composuite_env.env
    joint = rs.object.joints[0]
    qpos = rs.sim.data.get_joint_qpos(joint).copy()
    if xy is not None:
        qpos[:2] = xy
    qpos[2] += lift
    rs.sim.data.set_joint_qpos(joint, qpos)
    rs.sim.forward()


@needs_composuite
def test_success_is_reward_one_and_reported_in_info(push_env):
    push_env.reset(seed=3)
    _, reward, terminated, _, info = push_env.step(np.zeros(8))
    assert reward < 1.0 and info["success"] is False  # object starts in the other bin
    rs = push_env.composuite_env.env
    _move_object(push_env, xy=rs.sim.model.body_pos[rs.goal_body_id][:2])
    _, reward, terminated, truncated, info = push_env.step(np.zeros(8))
    assert reward == 1.0 and info["success"] is True
    assert not terminated and not truncated  # success does not end a CompoSuite episode


@needs_composuite
def test_push_terminates_when_object_is_lifted(push_env):
    push_env.reset(seed=4)
    push_env.step(np.zeros(8))
    _move_object(push_env, lift=0.3)
    _, reward, terminated, truncated, info = push_env.step(np.zeros(8))
    assert terminated and not truncated
    assert info["success"] is False and reward < 1.0
    with pytest.raises(CompogenError, match="reset"):
        push_env.step(np.zeros(8))


@needs_composuite
def test_lift_on_the_last_step_is_terminated_not_truncated(push_env):
    push_env.reset(seed=4)
    for _ in range(HORIZON - 1):
        assert push_env.step(np.zeros(8))[2:4] == (False, False)
    _move_object(push_env, lift=0.3)
    assert push_env.step(np.zeros(8))[2:4] == (True, False)


@needs_composuite
def test_other_objectives_never_terminate_early(distinct_env):
    distinct_env.reset(seed=0)
    _move_object(distinct_env, lift=0.3)
    flags = [distinct_env.step(np.zeros(8))[2:4] for _ in range(HORIZON)]
    assert flags == [(False, False)] * (HORIZON - 1) + [(False, True)]


def _rollout(env, seed, steps=6):
    obs, _ = env.reset(seed=seed)
    actions = np.random.default_rng(0).uniform(-1, 1, size=(steps, 8)).astype(np.float32)
    out = [obs]
    for a in actions:
        obs, reward, *_ = env.step(a)
        out.append(np.append(obs, reward))
    return out


@needs_composuite
def test_seeded_reset_is_reproducible_and_leaves_global_rng_alone(push_env):
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    first = _rollout(push_env, seed=7)
    assert np.random.rand() == expected  # the caller's global RNG was not consumed
    other = _rollout(push_env, seed=8)
    again = _rollout(push_env, seed=7)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])  # another seed places the object elsewhere


@needs_composuite
def test_bad_action_shape_is_rejected(push_env):
    push_env.reset(seed=0)
    with pytest.raises(CompogenError, match="shape"):
        push_env.step(np.zeros(7))
