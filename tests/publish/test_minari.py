"""Publishing synthetic files as Minari datasets: exact round trips, env specs, refusals, atomicity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compogen.data import read_synthetic, write_synthetic
from compogen.errors import CompogenError
from compogen.publish import default_dataset_id, publish, publish_file
from compogen.rl import to_d4rl

from .conftest import BUILTIN_TASK, COMPOSUITE_TASK, random_transitions, tree

DATASET = default_dataset_id(BUILTIN_TASK)

# A fresh interpreter that knows nothing of compogen's API: plain Minari reads the dataset, the
# next states come from infos (chunks) or observations[1:] (one-step episodes), the env is recovered.
FRESH = textwrap.dedent(
    """
    import sys, numpy as np, minari
    ds = minari.load_dataset(sys.argv[1])
    cols = {k: [] for k in ("observations", "actions", "rewards", "next_observations", "terminals")}
    for ep in ds.iterate_episodes():
        n = len(ep.rewards)
        nxt = (ep.infos or {}).get("next_observations")
        cols["observations"].append(ep.observations[:n])
        cols["next_observations"].append(nxt[1:] if nxt is not None else ep.observations[1:])
        cols["actions"].append(ep.actions); cols["rewards"].append(ep.rewards); cols["terminals"].append(ep.terminations)
    np.savez(sys.argv[2], **{k: np.concatenate(v) for k, v in cols.items()})
    for env in (ds.recover_environment(), ds.recover_environment(eval_env=True)):
        obs, _ = env.reset(seed=0)
        obs2, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert obs2.shape == obs.shape == ds.observation_space.shape and "success" in info
    print("compogen" in sys.modules)
    """
)


def _fresh(dataset_id, out, env):
    r = subprocess.run([sys.executable, "-c", FRESH, dataset_id, str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip()


@pytest.mark.parametrize("per_episode", [1000, 1])
def test_publish_then_load_in_a_fresh_process(minari_root, builtin_file, tmp_path, per_episode):
    path, data = builtin_file
    if per_episode == 1:
        data = data.subset(slice(0, 60))
        write_synthetic(path, data, {"task": BUILTIN_TASK})
    assert publish_file(path, per_episode=per_episode) == DATASET
    out = tmp_path / "loaded.npz"
    _fresh(DATASET, out, {**os.environ, "MINARI_DATASETS_PATH": str(minari_root)})
    with np.load(out) as z:
        for key in ("observations", "actions", "rewards", "next_observations", "terminals"):
            np.testing.assert_array_equal(z[key], getattr(data, key), err_msg=key)
    # the same through compogen's reader
    d4rl = to_d4rl(DATASET)
    np.testing.assert_array_equal(d4rl["next_observations"], data.next_observations)
    assert not d4rl["timeouts"].any()


def test_metadata_says_synthetic_and_points_at_the_simulator(minari_root, builtin_file):
    import minari

    path, data = builtin_file
    publish_file(path)
    ds = minari.load_dataset(DATASET)
    meta = ds.storage.metadata
    assert "SYNTHETIC" in meta["description"] and "not a trajectory" in meta["description"]
    c = meta["compogen"]
    assert c["synthetic"] and c["task"] == BUILTIN_TASK and c["suite"] == "builtin" and c["transitions"] == len(data)
    assert c["source"]["file"] == path.name and len(c["source"]["sha256"]) == 64
    assert ds.env_spec.id == f"compogen/{BUILTIN_TASK}-v0"
    assert json.loads(meta["eval_env_spec"])["kwargs"] == {"task_id": BUILTIN_TASK}
    assert ds.total_steps == len(data) and ds.total_episodes == 3


def test_reference_scores_are_the_measured_returns_or_absent(minari_root):
    """Passed explicitly (Minari would otherwise run 100 random episodes at publish); absent where the
    expert's return does not exceed the random policy's (Push: the expert's episode ends on success)."""
    import minari

    from compogen.suites import get_suite

    suite = get_suite("builtin")
    low, high = suite.reference_scores("fivelink-plate-none-shelf")
    assert high > low
    meta = minari.load_dataset(publish(random_transitions(20), "fivelink-plate-none-shelf")).storage.metadata
    assert (meta["ref_min_score"], meta["ref_max_score"]) == (low, high)
    assert suite.reference_scores(BUILTIN_TASK) is None
    meta = minari.load_dataset(publish(random_transitions(20), BUILTIN_TASK)).storage.metadata
    assert "ref_min_score" not in meta and "ref_max_score" not in meta


def test_minari_cli_lists_and_shows_the_dataset(minari_root, builtin_file):
    publish_file(builtin_file[0])
    env = {**os.environ, "MINARI_DATASETS_PATH": str(minari_root), "COLUMNS": "200"}
    minari_cli = [sys.executable, "-c", "import sys; from minari.cli import app; sys.argv[0] = 'minari'; app()"]
    listed = subprocess.run(minari_cli + ["list", "local"], capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0 and DATASET in listed.stdout, listed.stderr[-2000:]
    shown = subprocess.run(minari_cli + ["show", DATASET], capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "SYNTHETIC" in shown.stdout, shown.stderr[-2000:]


def test_duplicate_id_refused_and_overwrite_replaces(minari_root, builtin_file, tmp_path):
    import minari

    path, data = builtin_file
    publish_file(path)
    before = tree(minari_root)
    other = random_transitions(300, seed=1)
    with pytest.raises(CompogenError, match="exists"):
        publish(other, BUILTIN_TASK)
    assert tree(minari_root) == before
    np.testing.assert_array_equal(to_d4rl(DATASET)["actions"], data.actions)
    publish(other, BUILTIN_TASK, overwrite=True)
    assert minari.load_dataset(DATASET).total_steps == 300
    np.testing.assert_array_equal(to_d4rl(DATASET)["actions"], other.actions)
    assert not [p for p in os.listdir(minari_root) if p.startswith(".")]  # no staging left


@pytest.mark.parametrize("overwrite", [False, True])
def test_failed_publish_leaves_nothing(minari_root, builtin_file, monkeypatch, overwrite):
    import minari
    from minari.dataset.minari_storage import MinariStorage

    path, data = builtin_file
    if overwrite:
        publish_file(path)
    before = tree(minari_root)

    def broken(self, episodes):
        list(episodes)[:1]
        raise OSError("disk full")

    monkeypatch.setattr(
        MinariStorage.get_storage_class("hdf5") if hasattr(MinariStorage, "get_storage_class") else _hdf5(), "update_episodes", broken
    )
    with pytest.raises(OSError, match="disk full"):
        publish(random_transitions(100, seed=2), BUILTIN_TASK, overwrite=overwrite)
    assert tree(minari_root) == before
    assert list(minari.list_local_datasets()) == ([DATASET] if overwrite else [])
    if overwrite:  # the old dataset is intact
        np.testing.assert_array_equal(to_d4rl(DATASET)["observations"], data.observations)


def _hdf5():
    from minari.dataset._storages.hdf5_storage import HDF5Storage

    return HDF5Storage


def test_bad_id_and_bad_data_refused_before_touching_disk(minari_root, builtin_file):
    path, data = builtin_file
    for bad in ("Compogen/X-v0", "compogen/../x-v0", "compogen/x", "/abs/x-v0", "compogen//x-v0"):
        with pytest.raises(CompogenError, match="bad dataset id"):
            publish_file(path, dataset_id=bad)
    with pytest.raises(CompogenError, match="holds data of"):
        publish_file(path, task="fivelink-box-none-push")
    from compogen.suites import get_suite

    other = random_transitions(10)
    other.tasks = [get_suite("builtin").parse("fivelink-box-none-push")]
    with pytest.raises(Exception, match="the data are of task fivelink-box-none-push, not fivelink-plate-none-push"):
        publish(other, BUILTIN_TASK)
    with pytest.raises(Exception, match="obs 93"):
        publish(random_transitions(10, obs_dim=93, action_dim=8), BUILTIN_TASK)
    assert tree(minari_root) == []


def test_max_transitions_publishes_a_subset(minari_root, builtin_file):
    import minari

    path, data = builtin_file
    publish_file(path, max_transitions=700, seed=5)
    got = to_d4rl(DATASET)
    assert len(got["observations"]) == 700
    rows = [int(np.flatnonzero((data.observations == o).all(1))[0]) for o in got["observations"]]
    assert len(set(rows)) == 700
    np.testing.assert_array_equal(got["next_observations"], data.next_observations[rows])
    c = minari.load_dataset(DATASET).storage.metadata["compogen"]
    assert (c["transitions"], c["source_transitions"], c["subsample_seed"]) == (700, 2500, 5)


def test_stale_staging_of_a_killed_publish_is_removed(minari_root, builtin_file):
    stale = minari_root / f".{BUILTIN_TASK}-v0.999999999.abc.tmp"
    stale.mkdir(parents=True)
    (stale / "junk").write_text("x")
    publish_file(builtin_file[0])
    assert not stale.exists()


def test_composuite_data_publishes_with_the_composuite_env_spec(minari_root, tmp_path):
    import minari

    data = random_transitions(1200, obs_dim=93, action_dim=8)
    dataset_id = publish(data, COMPOSUITE_TASK)
    assert dataset_id == "compogen/iiwa-plate-none-push-v0"
    ds = minari.load_dataset(dataset_id)
    assert ds.env_spec.entry_point == "compogen.suites.composuite:make_registered" and ds.env_spec.kwargs == {"task_id": COMPOSUITE_TASK}
    assert ds.observation_space.shape == (93,) and ds.action_space.shape == (8,)
    assert "ref_max_score" not in ds.storage.metadata  # no measured reference returns for CompoSuite
    np.testing.assert_array_equal(to_d4rl(dataset_id)["next_observations"], data.next_observations)


@pytest.mark.composuite
def test_composuite_dataset_recovers_a_working_env(minari_root):
    pytest.importorskip("composuite")
    import minari

    publish(random_transitions(50, obs_dim=93, action_dim=8), COMPOSUITE_TASK)
    env = minari.load_dataset(f"compogen/{COMPOSUITE_TASK}-v0").recover_environment()
    obs, _ = env.reset(seed=0)
    assert obs.shape == (93,)
    assert env.step(np.zeros(8, np.float32))[0].shape == (93,)
    env.close()


def test_generator_provenance_is_recorded(minari_root, tmp_path):
    import minari
    from generator.conftest import UNSEEN, make_pool

    from compogen.generator import TrainConfig, generate, train_generator
    from compogen.generator.checkpoint import read_config
    from compogen.suites import get_suite

    layout = get_suite("composuite").transition_layout()
    run = train_generator(make_pool(layout), layout, tmp_path / "gen", TrainConfig(arch="mlp", preset="tiny", seed=0, steps=4), progress=False)
    out = generate(run, UNSEEN, 30, tmp_path / "s.h5", sampler="fast", steps=2, seed=7, batch_size=30, progress=False)
    dataset_id = publish_file(out)
    gen = minari.load_dataset(dataset_id).storage.metadata["compogen"]["generator"]
    assert gen["weights_sha256"] == read_config(run)["files"]["ema.safetensors"]["sha256"]
    assert gen["arch"] == "mlp" and gen["step"] == 4 and gen["seed"] == 7 and gen["sampler"]["steps"] == 2
    np.testing.assert_array_equal(to_d4rl(dataset_id)["actions"], read_synthetic(out).actions)
