"""Publishing synthetic files as Minari datasets: both layouts, exact round trips, env specs, metadata, refusals, atomicity.

The check of the published datasets against Minari's and Gymnasium's documentation is
``test_minari_conformance.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compogen.data import read_synthetic
from compogen.data.minari_io import episode_bounds, read_minari
from compogen.errors import CompogenError, DataError
from compogen.install import web_url as _web_url
from compogen.publish import default_dataset_id, publish, publish_file, standard_metadata
from compogen.rl import to_d4rl

from .conftest import BUILTIN_TASK, COMPOSUITE_TASK, EPISODE_LENGTHS, random_episodes, random_transitions, tree

DATASET = default_dataset_id(BUILTIN_TASK)
COLUMNS = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")

# A fresh interpreter that knows nothing of compogen's API: plain Minari reads the dataset as its
# documentation says (s = observations[:-1], s' = observations[1:] in each episode), the env is recovered.
FRESH = textwrap.dedent(
    """
    import sys, numpy as np, minari
    ds = minari.load_dataset(sys.argv[1])
    cols = {k: [] for k in ("observations", "actions", "rewards", "next_observations", "terminals")}
    for ep in ds.iterate_episodes():
        cols["observations"].append(ep.observations[:-1])
        cols["next_observations"].append(ep.observations[1:])
        cols["actions"].append(ep.actions); cols["rewards"].append(ep.rewards); cols["terminals"].append(ep.terminations)
        assert not (ep.terminations[:-1].any() or ep.truncations[:-1].any()) and ep.terminations[-1] != ep.truncations[-1]
    np.savez(sys.argv[2], **{k: np.concatenate(v) for k, v in cols.items()})
    for env in (ds.recover_environment(), ds.recover_environment(eval_env=True)):
        obs, _ = env.reset(seed=0)
        obs2, reward, terminated, truncated, info = env.step(env.action_space.sample())
        assert obs2.shape == obs.shape == ds.observation_space.shape and "success" in info
    print("compogen" in sys.modules)
    """
)


def _fresh(dataset_id, out, env):
    r = subprocess.run([sys.executable, "-c", FRESH, dataset_id, str(out)], capture_output=True, check=False, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip()


def _same(got, data):
    for key in COLUMNS:
        np.testing.assert_array_equal(got[key] if isinstance(got, dict) else getattr(got, key), getattr(data, key), err_msg=key)


@pytest.mark.parametrize("layout", ["episodes", "transitions"])
def test_publish_then_load_in_a_fresh_process(minari_root, builtin_file, transitions_file, tmp_path, layout):
    import minari

    path, data = builtin_file if layout == "episodes" else transitions_file
    assert publish_file(path) == DATASET  # the layout follows the data
    ds = minari.load_dataset(DATASET)
    assert ds.storage.metadata["compogen"]["layout"] == layout
    assert ds.total_episodes == (len(EPISODE_LENGTHS) if layout == "episodes" else len(data)) and ds.total_steps == len(data)
    out = tmp_path / "loaded.npz"
    _fresh(DATASET, out, {**os.environ, "MINARI_DATASETS_PATH": str(minari_root)})
    with np.load(out) as z:
        for key in ("observations", "actions", "rewards", "next_observations", "terminals"):
            np.testing.assert_array_equal(z[key], getattr(data, key), err_msg=key)
    # compogen's reader gives the published data back exactly, timeouts included
    _same(to_d4rl(DATASET), data)
    _same(read_minari(DATASET), data)


def test_episode_bounds_follow_the_flags_and_need_chained_rows():
    data = random_episodes((3, 4, 2), open_last=True)
    assert episode_bounds(data) == [slice(0, 3), slice(3, 7), slice(7, 9)]
    assert episode_bounds(data.subset(slice(0, 1))) == [slice(0, 1)]
    assert episode_bounds(data.subset(np.array([0, 2, 1, 3, 4, 5, 6, 7, 8]))) is None  # rows out of order
    broken = data.subset(np.arange(9))
    broken.next_observations[4, 0] += 1e-6  # one value inside an episode: not episodes any more
    assert episode_bounds(broken) is None
    broken.timeouts[4] = True  # ... unless the episode ends there
    assert episode_bounds(broken) == [slice(0, 3), slice(3, 5), slice(5, 7), slice(7, 9)]
    assert episode_bounds(random_transitions(50)) is None


def test_layout_option_forces_or_refuses(minari_root):
    import minari

    episodes = random_episodes((4, 6), open_last=True)
    episodes.timeouts[3] = True  # both terminal and timed out: Minari gets the termination, compogen keeps both
    loose = random_transitions(20, terminal_rate=0.3)
    loose.timeouts[[2, 5]] = True
    with pytest.raises(DataError, match="not episodes.*layout='transitions'"):
        publish(loose, BUILTIN_TASK, layout="episodes")
    with pytest.raises(CompogenError, match="layout must be one of auto, episodes, transitions"):
        publish(episodes, BUILTIN_TASK, layout="chunks")
    assert tree(minari_root) == []
    one_step = publish(episodes, BUILTIN_TASK, dataset_id="test/one-step-v0", layout="transitions")
    ds = minari.load_dataset(one_step)
    assert ds.total_episodes == 10 and ds.storage.metadata["compogen"]["layout"] == "transitions"
    assert all(len(ep.observations) == 2 for ep in ds.iterate_episodes())
    _same(read_minari(one_step), episodes)
    _same(read_minari(publish(loose, BUILTIN_TASK, dataset_id="test/loose-v0")), loose)
    eps = minari.load_dataset(publish(episodes, BUILTIN_TASK, dataset_id="test/eps-v0"))
    first = next(eps.iterate_episodes())
    assert first.terminations[-1] and not first.truncations[-1]  # exactly one flag: d3rlpy refuses both
    assert eps.storage.metadata["compogen"]["timeout_episodes"] == [0]
    _same(read_minari(eps), episodes)


def test_metadata_says_synthetic_and_points_at_the_simulator(minari_root, builtin_file):
    import minari

    path, data = builtin_file
    publish_file(path)
    ds = minari.load_dataset(DATASET)
    meta = ds.storage.metadata
    assert "SYNTHETIC episodes" in meta["description"] and "last step only" in meta["description"]
    c = meta["compogen"]
    assert c["synthetic"] and c["task"] == BUILTIN_TASK and c["suite"] == "builtin" and c["transitions"] == len(data)
    assert c["layout"] == "episodes" and c["source_episodes"] == len(EPISODE_LENGTHS)
    assert c["source"]["file"] == path.name and len(c["source"]["sha256"]) == 64 and c["source"]["layout"] == "episodes"
    assert ds.env_spec.id == f"compogen/{BUILTIN_TASK}-v0"
    assert json.loads(meta["eval_env_spec"])["kwargs"] == {"task_id": BUILTIN_TASK}
    assert ds.total_steps == len(data) and ds.total_episodes == len(EPISODE_LENGTHS)
    # Minari's own fields, as `minari show` prints them
    want = standard_metadata()
    for key in ("author", "author_email", "code_permalink", "algorithm_name", "minari_version"):
        assert meta[key] == want[key], key
    assert meta["minari_version"] == minari.__version__ and meta["algorithm_name"] == "compogen-generator"
    assert c["code"]["permalink"] == meta["code_permalink"]


def test_standard_metadata_from_arguments_then_git_then_clear_defaults(monkeypatch, tmp_path):
    import importlib

    md = importlib.import_module("compogen.publish.metadata")  # compogen.publish is also a function's name

    given = standard_metadata("mlp", "Ada", "ada@example.org", "https://example.org/code/abc")
    assert (given["author"], given["author_email"], given["code_permalink"], given["algorithm_name"]) == (
        {"Ada"},
        {"ada@example.org"},
        "https://example.org/code/abc",
        "compogen-mlp",
    )
    import compogen.install as inst

    monkeypatch.setattr(md, "_git", lambda *a, **k: None)  # no git at all
    monkeypatch.setattr(inst, "git", lambda *a, **k: None)
    bare = standard_metadata()
    assert bare["author"] == {"not recorded (pass --author to compogen publish, or set git config user.name)"}
    assert "not recorded" in next(iter(bare["author_email"])) and bare["code_permalink"] == "compogen 0.1.0 (no git checkout)"
    answers = {"rev-parse": "abc123", "remote": "upstream", "get-url": "git@github.com:lab/compogen.git", "config": None, "ls-files": "x"}
    monkeypatch.setattr(md, "_git", lambda *a, **k: answers[a[1] if a[0] == "remote" and len(a) > 1 else a[0]])
    monkeypatch.setattr(inst, "git", md._git)
    assert standard_metadata()["code_permalink"] == "https://github.com/lab/compogen/tree/abc123"
    assert _web_url("https://user:secret@github.com/lab/compogen.git") == "https://github.com/lab/compogen"  # never a credential
    assert _web_url("ssh://git@gitlab.example.org/lab/compogen.git") == "https://gitlab.example.org/lab/compogen"


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
    assert meta["num_episodes_average_score"] == suite.reference_episodes("fivelink-plate-none-shelf") == 50
    assert suite.reference_scores(BUILTIN_TASK) is None and suite.reference_episodes(BUILTIN_TASK) is None
    meta = minari.load_dataset(publish(random_transitions(20), BUILTIN_TASK)).storage.metadata
    assert "ref_min_score" not in meta and "ref_max_score" not in meta and "num_episodes_average_score" not in meta


def test_minari_cli_lists_and_shows_the_dataset(minari_root, builtin_file):
    publish_file(builtin_file[0])
    env = {**os.environ, "MINARI_DATASETS_PATH": str(minari_root), "COLUMNS": "200"}
    minari_cli = [sys.executable, "-c", "import sys; from minari.cli import app; sys.argv[0] = 'minari'; app()"]
    listed = subprocess.run(minari_cli + ["list", "local"], capture_output=True, check=False, text=True, env=env, timeout=120)
    assert listed.returncode == 0 and DATASET in listed.stdout, listed.stderr[-2000:]
    shown = subprocess.run(minari_cli + ["show", DATASET], capture_output=True, check=False, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "SYNTHETIC" in shown.stdout, shown.stderr[-2000:]
    for field in ("Author", "Email", "Code Permalink", "Algorithm", "Minari Version"):
        assert field in shown.stdout, field
    assert "Not provided" not in shown.stdout


def test_duplicate_id_refused_and_overwrite_replaces(minari_root, builtin_file, tmp_path):
    import minari

    path, data = builtin_file
    assert publish_file(path) == DATASET
    before = tree(minari_root)
    other = random_episodes((100, 200), seed=1)
    with pytest.raises(CompogenError, match="exists"):  # a given id that exists
        publish(other, BUILTIN_TASK, dataset_id=DATASET)
    with pytest.raises(CompogenError, match="holds the same content"):  # same content: no new version
        publish_file(path)
    assert tree(minari_root) == before
    np.testing.assert_array_equal(to_d4rl(DATASET)["actions"], data.actions)
    publish(other, BUILTIN_TASK, dataset_id=DATASET, overwrite=True)
    assert minari.load_dataset(DATASET).total_steps == 300
    np.testing.assert_array_equal(to_d4rl(DATASET)["actions"], other.actions)
    assert not [p for p in os.listdir(minari_root) if p.startswith(".")]  # no staging left


def test_new_content_gets_the_next_version(minari_root, builtin_file, capsys):
    from compogen.cli import main

    path, data = builtin_file
    v1 = DATASET.replace("-v0", "-v1")
    assert publish_file(path) == DATASET
    assert main(["publish", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compogen: error:") and "holds the same content" in err and len(err.strip().splitlines()) == 1
    other = random_episodes((100, 200), seed=1)
    assert publish(other, BUILTIN_TASK) == v1  # other content: the next version, v0 untouched
    np.testing.assert_array_equal(to_d4rl(DATASET)["actions"], data.actions)
    np.testing.assert_array_equal(to_d4rl(v1)["actions"], other.actions)
    for source in (data, other):  # either version's content again: refused, nothing written
        before = tree(minari_root)
        with pytest.raises(CompogenError, match="holds the same content"):
            publish(source, BUILTIN_TASK)
        assert tree(minari_root) == before
    assert publish(data, BUILTIN_TASK, max_transitions=300) == DATASET.replace("-v0", "-v2")  # a subsample differs
    assert publish(other, BUILTIN_TASK, overwrite=True) == DATASET.replace("-v0", "-v2")  # --overwrite: the latest
    np.testing.assert_array_equal(to_d4rl(DATASET.replace("-v0", "-v2"))["actions"], other.actions)
    assert publish(other, BUILTIN_TASK, dry_run=True, layout="transitions") == DATASET.replace("-v0", "-v3")
    assert not (minari_root / DATASET.replace("-v0", "-v3")).exists()  # dry run: nothing written
    assert publish(data, BUILTIN_TASK, provenance={"validation": {"admitted": False}}) == f"compogen-not-admitted/{BUILTIN_TASK}-v0"


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
        publish(random_episodes(seed=2), BUILTIN_TASK, overwrite=overwrite)
    assert tree(minari_root) == before
    assert list(minari.list_local_datasets()) == ([DATASET] if overwrite else [])
    if overwrite:  # the old dataset is intact
        np.testing.assert_array_equal(to_d4rl(DATASET)["observations"], data.observations)


def _hdf5():
    from minari.dataset._storages.hdf5_storage import HDF5Storage

    return HDF5Storage


def test_bad_id_and_bad_data_refused_before_touching_disk(minari_root, builtin_file):
    path, data = builtin_file
    for bad in ("Compogen/X-v0", "compogen/../x-v0", "compogen/x", "/abs/x-v0", "compogen//x-v0", "t/x-v0", "my.lab/x-v0"):
        with pytest.raises(CompogenError, match="bad dataset id"):
            publish_file(path, dataset_id=bad)
    with pytest.raises(CompogenError, match="holds data of"):
        publish_file(path, task="fivelink-box-none-push")
    from compogen.suites import get_suite

    other = random_transitions(10)
    other.tasks = [get_suite("builtin").parse("fivelink-box-none-push")]
    with pytest.raises(Exception, match="the data are of task fivelink-box-none-push, not fivelink-plate-none-push"):
        publish(other, BUILTIN_TASK)
    with pytest.raises(DataError, match="no transitions to publish"):
        publish(random_transitions(0), BUILTIN_TASK)
    with pytest.raises(DataError, match="observations have 93 dims, suite 'builtin' has"):
        publish(random_transitions(10, obs_dim=93, action_dim=8), BUILTIN_TASK)
    wild = random_transitions(10)
    wild.actions[[1, 4], 2] = [1.5, -3.0]  # a dataset's action_space must contain its actions
    with pytest.raises(DataError, match=r"2 of 10 actions lie outside the action space \[-1, 1\] \(min -3, max 1.5\).*conform"):
        publish(wild, BUILTIN_TASK)
    assert tree(minari_root) == []


def _rows(got, data) -> list[int]:
    return [int(np.flatnonzero((data.observations == o).all(1))[0]) for o in got.observations]


def test_max_transitions_publishes_whole_episodes_or_rows(minari_root, builtin_file, transitions_file):
    import minari

    path, data = builtin_file
    publish_file(path, max_transitions=700, seed=5)
    got = read_minari(DATASET)
    bounds = episode_bounds(got)
    assert 500 <= len(got) <= 700 and bounds is not None and len(bounds) == len(got) // 200 + (len(got) % 200 > 0)
    for b in bounds:  # every published episode is a whole source episode, flags included
        rows = _rows(got.subset(b), data)
        assert rows == list(range(rows[0], rows[0] + len(rows)))
        _same(got.subset(b), data.subset(np.array(rows)))
    c = minari.load_dataset(DATASET).storage.metadata["compogen"]
    assert (c["transitions"], c["source_transitions"], c["source_episodes"], c["subsample_seed"]) == (len(got), 2500, 13, 5)
    # no episode fits: the first of the random order, cut, ends in a timeout
    publish_file(path, max_transitions=50, seed=5, overwrite=True)
    cut = read_minari(DATASET)
    rows = _rows(cut, data)
    assert len(cut) == 50 and rows == list(range(rows[0], rows[0] + 50)) and cut.timeouts[-1] and not cut.timeouts[:-1].any()
    # independent transitions: a uniform random subset of rows
    path, data = transitions_file
    publish_file(path, max_transitions=25, seed=5, overwrite=True)
    got = read_minari(DATASET)
    rows = _rows(got, data)
    assert len(got) == 25 and rows == sorted(set(rows))
    _same(got, data.subset(np.array(rows)))


def test_stale_staging_of_a_killed_publish_is_removed(minari_root, builtin_file):
    stale = minari_root / f".{BUILTIN_TASK}-v0.999999999.abc.tmp"
    stale.mkdir(parents=True)
    (stale / "junk").write_text("x")
    publish_file(builtin_file[0])
    assert not stale.exists()


def test_composuite_data_publishes_with_the_composuite_env_spec(minari_root, tmp_path):
    import minari

    data = random_episodes((400, 400, 400), obs_dim=93, action_dim=8)
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
    meta = minari.load_dataset(dataset_id).storage.metadata
    gen = meta["compogen"]["generator"]
    assert gen["weights_sha256"] == read_config(run)["files"]["ema.safetensors"]["sha256"]
    assert gen["arch"] == "mlp" and gen["step"] == 4 and gen["seed"] == 7 and gen["sampler"]["steps"] == 2
    assert meta["algorithm_name"] == "compogen-mlp" and meta["compogen"]["layout"] == "transitions"  # generate's rows are independent
    np.testing.assert_array_equal(to_d4rl(dataset_id)["actions"], read_synthetic(out).actions)
