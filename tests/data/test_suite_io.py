"""Data read for and checked against a suite; the pool of real + admitted synthetic data."""

import numpy as np
import pytest

from compogen.data import (
    OfflineDatasetWriter,
    Transitions,
    check_dims,
    check_for_suite,
    dataset_path,
    load_pool,
    read_for_suite,
    read_synthetic,
    write_synthetic,
)
from compogen.errors import DataError
from compogen.suites import get_suite
from compogen.tasks import Task

SUITE = get_suite("composuite")
SPACE = SUITE.space
OBS, ACT = SUITE.observation_layout.dim, SUITE.action_dim
T1, T2, T3 = Task("IIWA", "Box", "None", "Push"), Task("IIWA", "Plate", "None", "Push"), Task("IIWA", "Box", "GoalWall", "Push")


def _data(rng, n, task=None, obs_dim=OBS, action_dim=ACT):
    return Transitions(
        observations=rng.normal(size=(n, obs_dim)).astype(np.float32),
        actions=rng.uniform(-1, 1, size=(n, action_dim)).astype(np.float32),
        rewards=rng.normal(size=n).astype(np.float32),
        next_observations=rng.normal(size=(n, obs_dim)).astype(np.float32),
        terminals=rng.uniform(size=n) < 0.1,
        tasks=[task] if task is not None else [],
    )


def _real(root, rng, task, steps):
    with OfflineDatasetWriter(dataset_path(root, task, SPACE), OBS, ACT) as w:
        obs = rng.normal(size=(steps + 1, OBS)).astype(np.float32)
        obs[:, SUITE.observation_layout.task_id_start : SUITE.observation_layout.task_id_stop] = SUITE.observation_layout.obs_task_block(
            SPACE.indicator(task), SPACE
        )
        w.add_episode(obs, rng.uniform(-1, 1, size=(steps, ACT)), rng.normal(size=steps), np.zeros(steps, bool), terminated=False)


def test_read_for_suite_labels_the_task_and_refuses_other_dims(tmp_path, rng):
    write_synthetic(tmp_path / "ok.h5", _data(rng, 12))
    got = read_for_suite(tmp_path / "ok.h5", SUITE, "iiwa-box-none-push")
    assert got.tasks == [T1] and len(got) == 12 and got.observations.dtype == np.float32
    assert read_for_suite(tmp_path / "ok.h5", SUITE).tasks == []
    write_synthetic(tmp_path / "narrow.h5", _data(rng, 12, obs_dim=OBS - 1))
    with pytest.raises(DataError, match=f"narrow.h5: observations have {OBS - 1} dims, expected {OBS}"):
        read_for_suite(tmp_path / "narrow.h5", SUITE, T1)
    write_synthetic(tmp_path / "wide.h5", _data(rng, 12, action_dim=ACT + 1))
    with pytest.raises(DataError, match=f"wide.h5: actions have {ACT + 1} dims, expected {ACT}"):
        read_for_suite(tmp_path / "wide.h5", SUITE, T1)


def test_check_for_suite_refuses_wrong_dims_and_non_finite_values(rng):
    ok = _data(rng, 10, T1)
    assert check_for_suite(ok, SUITE) is ok
    with pytest.raises(DataError, match=rf"^pool: observations have {OBS + 2} dims, suite 'composuite' has {OBS}$"):
        check_for_suite(_data(rng, 10, obs_dim=OBS + 2), SUITE, name="pool")
    with pytest.raises(DataError, match=rf"^data: actions have 3 dims, suite 'composuite' has {ACT}$"):
        check_for_suite(_data(rng, 10, action_dim=3), SUITE)
    bad = _data(rng, 10, T1)
    bad.rewards[4] = np.nan
    with pytest.raises(DataError, match=r"^data: rewards contains NaN or Inf \(first at row 4, 1 rows\)$"):
        check_for_suite(bad, SUITE)
    bad = _data(rng, 10, T1)
    bad.next_observations[7, 2] = -np.inf
    with pytest.raises(DataError, match="next_observations contains NaN or Inf"):
        check_for_suite(bad, SUITE)
    with pytest.raises(DataError, match="expected compogen.data.Transitions, got dict"):
        check_for_suite(ok.as_dict(), SUITE)


def test_check_for_suite_narrows_several_tasks_to_one(rng):
    two = Transitions.concatenate([_data(rng, 6, T1), _data(rng, 4, T2)])
    only = check_for_suite(two, SUITE, "iiwa-plate-none-push")
    assert only.tasks == [T2] and np.array_equal(only.observations, two.observations[6:])
    with pytest.raises(DataError, match="no rows for task iiwa-box-goalwall-push among its 2 tasks"):
        check_for_suite(two, SUITE, T3)
    assert check_for_suite(_data(rng, 5, T1), SUITE, T3).tasks == [T1]  # one task (or none): taken as given


def test_check_dims_names_what_it_checks_against(rng):
    with pytest.raises(DataError, match="^pool: observations have 5 dims, the layout has 7$"):
        check_dims(_data(rng, 3, obs_dim=5), 7, ACT, "pool", "the layout")


def test_pool_with_synthetic_equals_the_concatenation(tmp_path, rng):
    _real(tmp_path, rng, T1, 7)
    _real(tmp_path, rng, T2, 5)
    write_synthetic(tmp_path / "s3.h5", _data(rng, 9))
    write_synthetic(tmp_path / "s1.h5", _data(rng, 4))  # a task already in the real pool keeps its index
    synthetic = [(T3, tmp_path / "s3.h5"), ("iiwa-box-none-push", tmp_path / "s1.h5")]
    got = load_pool(tmp_path, [T1, T2], SUITE, synthetic=synthetic)
    real = load_pool(tmp_path, [T1, T2], SUITE)
    want = Transitions.concatenate([real, *(read_synthetic(p, task=SUITE.parse(t), obs_dim=OBS, action_dim=ACT) for t, p in synthetic)])
    assert got.tasks == want.tasks == [T1, T2, T3]
    for key in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts", "task_index"):
        a, b = getattr(got, key), getattr(want, key)
        assert a.dtype == b.dtype and np.array_equal(a, b), key
    assert got.counts() == {T1: 7 + 4, T2: 5, T3: 9}
    assert np.array_equal(got.task_index[-4:], np.zeros(4, np.int16))
    none = load_pool(tmp_path, [T1, T2], SUITE, synthetic=[])
    assert all(np.array_equal(getattr(none, k), getattr(real, k)) for k in ("observations", "task_index"))
    write_synthetic(tmp_path / "bad.h5", _data(rng, 4, obs_dim=OBS - 1))
    with pytest.raises(DataError, match="bad.h5: observations have"):
        load_pool(tmp_path, [T1], SUITE, synthetic=[(T3, tmp_path / "bad.h5")])
