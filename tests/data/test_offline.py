"""CompoSuite-format datasets: round trips, episode ends, corrupt inputs."""

import h5py
import numpy as np
import pytest

from compogen.data import OfflineDatasetWriter, dataset_path, find_datasets, load_pool, read_offline_dataset, summarize_offline_dataset
from compogen.errors import DataError
from compogen.suites import get_suite
from compogen.tasks import Task

SUITE = get_suite("composuite")
SPACE = SUITE.space


def _episode(rng, task, t, start=0.0):
    obs = rng.normal(size=(t + 1, 93)).astype(np.float32)
    obs[:, 0] = start + np.arange(t + 1)  # a clock, to check next-observation alignment
    obs[:, 45:61] = SUITE.observation_layout.obs_task_block(SPACE.indicator(task), SPACE)
    act = rng.uniform(-1, 1, size=(t, 8)).astype(np.float32)
    rew = rng.uniform(size=t).astype(np.float32)
    suc = np.zeros(t, bool)
    return obs, act, rew, suc


def _write(path, rng, task, lengths, terminated):
    with OfflineDatasetWriter(path, 93, 8, attrs={"task": SPACE.task_id(task)}) as w:
        for i, (t, term) in enumerate(zip(lengths, terminated, strict=True)):
            obs, act, rew, suc = _episode(rng, task, t, start=1000 * i)
            suc[-1] = i % 2 == 0
            w.add_episode(obs, act, rew, suc, terminated=term)


def _strip_next(path):
    """Turn a compogen file into a plain CompoSuite file (no next_observations)."""
    with h5py.File(path, "a") as f:
        del f["next_observations"]


TASK = Task("IIWA", "Box", "None", "Push")


def test_round_trip_with_exact_next(tmp_path, rng):
    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [5, 3, 4], [False, True, False])
    d = read_offline_dataset(p)
    assert len(d) == 12
    assert np.array_equal(d.next_observations[:, 0] - d.observations[:, 0], np.ones(12))
    assert d.terminals.tolist() == [False] * 7 + [True] + [False] * 4
    assert d.timeouts.tolist() == [False] * 4 + [True] + [False] * 6 + [True]
    s = summarize_offline_dataset(p)
    assert (s["transitions"], s["episodes"], s["success_rate"], s["terminal_episodes"]) == (12, 3, 2 / 3, 1)


def test_composuite_file_without_next_observations(tmp_path, rng):
    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [5, 3, 4], [False, True, False])
    _strip_next(p)
    d = read_offline_dataset(p)
    # timeout rows are dropped (their next observation is unknown); the terminal row is kept
    assert len(d) == 12 - 2
    assert d.terminals.sum() == 1 and not d.timeouts.any()
    nonterm = ~d.terminals
    assert np.array_equal(d.next_observations[nonterm, 0] - d.observations[nonterm, 0], np.ones(nonterm.sum()))
    # next observations never cross an episode boundary
    assert (np.abs(d.next_observations[:, 0] - d.observations[:, 0]) <= 1).all()


def test_chunked_fill_matches_whole_read(tmp_path, rng):
    from compogen.data import offline

    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [7, 9, 2, 11], [False, True, False, False])
    _strip_next(p)
    whole = read_offline_dataset(p)
    f = offline._File(p)
    out = offline._empty(f.count, 93, 8, [TASK])
    f.fill(out, 0, 0, chunk=3)
    f.close()
    for k in ("observations", "next_observations", "actions", "rewards", "terminals"):
        assert np.array_equal(getattr(out, k), getattr(whole, k)), k


def test_pool_of_tasks_and_per_robot_folders(tmp_path, rng):
    t1, t2 = Task("IIWA", "Box", "None", "Push"), Task("Jaco", "Plate", "GoalWall", "Shelf")
    _write(dataset_path(tmp_path, t1, SPACE), rng, t1, [4, 4], [False, False])
    _write(tmp_path / "expert-jaco-offline-comp-data" / SPACE.folder_name(t2) / "data.hdf5", rng, t2, [6], [False])
    found = find_datasets(tmp_path, SPACE, "expert")
    assert set(found) == {t1, t2}
    pool = load_pool(tmp_path, [t2, t1], SUITE)
    assert pool.tasks == [t2, t1] and pool.counts() == {t2: 6, t1: 8}
    assert np.array_equal(SUITE.observation_layout.indicator_from_obs(pool.select(t1).observations, SPACE)[0], SPACE.indicator(t1))
    with pytest.raises(DataError, match="no expert dataset"):
        load_pool(tmp_path, [Task("Panda", "Box", "None", "Push")], SUITE)


def test_task_id_mismatch_detected(tmp_path, rng):
    wrong = Task("Panda", "Box", "None", "Push")
    _write(dataset_path(tmp_path, TASK, SPACE), rng, wrong, [4], [False])
    with pytest.raises(DataError, match="task-id dims"):
        load_pool(tmp_path, [TASK], SUITE)


def test_bad_folder_name(tmp_path, rng):
    _write(tmp_path / "expert" / "IIWA_Mug_None_Push" / "data.hdf5", rng, TASK, [3], [False])
    with pytest.raises(DataError, match="IIWA_Mug_None_Push"):
        find_datasets(tmp_path, SPACE)


def _corrupt(tmp_path, rng, edit):
    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [5, 5], [False, False])
    with h5py.File(p, "a") as f:
        edit(f)
    return p


@pytest.mark.parametrize(
    "edit,match",
    [
        (lambda f: f.__delitem__("actions"), "missing keys"),
        (lambda f: (f.__delitem__("rewards"), f.create_dataset("rewards", data=np.zeros(7))), "rewards has 7 rows"),
        (lambda f: f["observations"].__setitem__((3, 2), np.nan), "NaN"),
        (lambda f: f["timeouts"].__setitem__(9, False), "truncated"),
        (lambda f: (f.__delitem__("actions"), f.create_dataset("actions", data=np.zeros((10, 5)))), "suite expects 8"),
        (lambda f: (f.__delitem__("actions"), f.create_dataset("actions", data=np.array([b"x"] * 10))), "dtype"),
    ],
)
def test_corrupt_files_name_file_and_problem(tmp_path, rng, edit, match):
    p = _corrupt(tmp_path, rng, edit)
    with pytest.raises(DataError, match=match) as e:
        read_offline_dataset(p, obs_dim=93, action_dim=8)
    assert str(p) in str(e.value)


def test_truncated_bytes(tmp_path, rng):
    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [50], [False])
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="cannot open"):
        read_offline_dataset(p)


def test_failed_write_leaves_existing_file_untouched(tmp_path, rng):
    p = dataset_path(tmp_path, TASK, SPACE)
    _write(p, rng, TASK, [5], [False])
    before = p.read_bytes()
    with pytest.raises(DataError), OfflineDatasetWriter(p, 93, 8) as w:
        obs, act, rew, suc = _episode(rng, TASK, 4)
        w.add_episode(obs, act, rew, suc, terminated=False)
        w.add_episode(obs[:2], act, rew, suc, terminated=False)  # wrong shape
    assert p.read_bytes() == before
    assert [x.name for x in p.parent.iterdir()] == ["data.hdf5"]  # no temp file left
