"""`compogen publish --run` on a real run directory (cheap stand-in stages) and `--data` from the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.cli import main
from compogen.data import read_synthetic
from compogen.loop.config import LoopConfig
from compogen.loop.runner import run_loop
from compogen.publish import default_dataset_id, publish_run
from compogen.rl import to_d4rl
from compogen.suites import get_suite

from .conftest import BUILTIN_TASK, EPISODE_LENGTHS, tree

SUITE = get_suite("composuite")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from loop.fake_stages import FakeStages, fake_loop_config, write_fake_real_data

    real = write_fake_real_data(tmp_path_factory.mktemp("real"), SUITE)
    cfg = fake_loop_config(real, iterations=2, samples_per_task=120)
    out = tmp_path_factory.mktemp("run")
    state = run_loop(cfg, out, stages=FakeStages, log=lambda _: None)
    assert state["pool"] and len(state["solved"]) < 8, "the stand-in run should admit some targets but not all"
    return out, state


def test_publish_run_publishes_exactly_the_admitted_datasets(minari_root, finished_run):
    import minari

    out, state = finished_run
    ids = publish_run(out, log=lambda _: None)
    assert ids == sorted(default_dataset_id(e["task"]) for e in state["pool"])
    assert sorted(minari.list_local_datasets()) == ids
    for entry in state["pool"]:
        dataset_id = default_dataset_id(entry["task"])
        np.testing.assert_array_equal(to_d4rl(dataset_id)["observations"], read_synthetic(out / entry["file"]).observations)
        meta = minari.load_dataset(dataset_id).storage.metadata
        val = meta["compogen"]["validation"]
        hist = state["history"][entry["iteration"]]
        assert val["admitted"] and val["iteration"] == entry["iteration"] and val["success"] == entry["success"] and val["tau"] == hist["tau"]
        assert "admitted" in meta["description"] and meta["compogen"]["generator"]["iteration"] == entry["iteration"]
        assert minari.load_dataset(dataset_id).env_spec.entry_point == "compogen.suites.composuite:make_registered"


def test_publish_run_of_several_generators_publishes_each_admitted_candidates_data(minari_root, tmp_path):
    """With LoopConfig.generators = 2 a target's admitted dataset may be candidate 1's: that file is published."""
    import minari
    from loop.fake_stages import FakeStages, fake_loop_config, write_fake_real_data

    real = write_fake_real_data(tmp_path / "real", SUITE)
    out = tmp_path / "run"
    state = run_loop(fake_loop_config(real, iterations=2, samples_per_task=120, generators=2), out, stages=FakeStages, log=lambda _: None)
    candidates = {e["task"]: state["history"][e["iteration"]]["results"][e["task"]]["candidate"] for e in state["pool"]}
    assert 1 in candidates.values(), "the stand-in run should admit some candidate-1 datasets"
    ids = publish_run(out, log=lambda _: None)
    assert ids == sorted(default_dataset_id(t) for t in candidates)
    for entry in state["pool"]:
        dataset_id = default_dataset_id(entry["task"])
        np.testing.assert_array_equal(to_d4rl(dataset_id)["observations"], read_synthetic(out / entry["file"]).observations)
        assert minari.load_dataset(dataset_id).storage.metadata["compogen"]["generator"]["candidate"] == candidates[entry["task"]]


def test_publish_run_all_adds_the_latest_dataset_of_every_other_target(minari_root, finished_run):
    import minari

    out, state = finished_run
    ids = publish_run(out, all=True, log=lambda _: None)
    assert len(ids) == 8
    last = state["history"][-1]["iteration"]
    not_admitted = [t for t in state["history"][-1]["results"] if t not in state["solved"]]
    pool = {e["task"] for e in state["pool"]}
    assert sorted(ids) == sorted(default_dataset_id(t, admitted=t in pool) for t in state["history"][-1]["results"])
    for t in not_admitted:
        assert f"compogen-not-admitted/{t}-v0" in ids and default_dataset_id(t) not in ids  # visible in the namespace
        c = minari.load_dataset(default_dataset_id(t, admitted=False)).storage.metadata["compogen"]
        assert c["validation"]["iteration"] == last and not c["validation"]["admitted"]
    # a second publish of the same content is refused before anything is written, unless --overwrite
    before = tree(minari_root)
    assert main(["publish", "--run", str(out)]) == 2
    assert tree(minari_root) == before
    assert main(["publish", "--run", str(out), "--overwrite"]) == 0
    assert tree(minari_root) == before  # replaced in place: still v0


def test_cli_publish_data(minari_root, builtin_file, transitions_file, capsys):
    import minari

    path, data = builtin_file
    who = ["--author", "Ada", "--author-email", "ada@example.org", "--code-permalink", "https://example.org/c"]
    assert main(["publish", "--data", str(path), "--id", "mine/plate-push-v3", *who]) == 0
    out = capsys.readouterr().out
    assert "published mine/plate-push-v3: 13 Minari episodes, 2500 steps (layout 'episodes': whole episodes)" in out
    assert "minari.load_dataset('mine/plate-push-v3')" in out
    ds = minari.load_dataset("mine/plate-push-v3")
    meta = ds.storage.metadata
    assert ds.total_episodes == len(EPISODE_LENGTHS) and meta["compogen"]["task"] == BUILTIN_TASK
    assert meta["author"] == {"Ada"} and meta["author_email"] == {"ada@example.org"} and meta["code_permalink"] == "https://example.org/c"
    # independent transitions: one-step episodes, chosen explicitly or because the rows do not chain
    for args, n in (([str(path), "--layout", "transitions", "--max-transitions", "40"], 40), ([str(transitions_file[0])], 60)):
        assert main(["publish", "--data", *args, "--id", "mine/steps-v0", "--overwrite"]) == 0
        assert f"published mine/steps-v0: {n} Minari episodes, {n} steps (layout 'transitions'" in capsys.readouterr().out
        assert minari.load_dataset("mine/steps-v0").storage.metadata["compogen"]["layout"] == "transitions"
    assert main(["publish", "--data", str(transitions_file[0]), "--layout", "episodes"]) == 2
    assert "not episodes" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "exactly one of --data"),
        (["--run", "x", "--data", "y"], "exactly one of --data"),
        (["--run", "x", "--id", "a/b-v0"], "go with --data"),
        (["--data", "nope.h5", "--all"], "--all goes with --run"),
        (["--data", "nope.h5"], "no such file"),
        (["--data", "nope.h5", "--id", "UPPER-v0"], "bad dataset id"),
        (["--data", "nope.h5", "--layout", "chunks"], "--layout must be one of auto, episodes, transitions"),
        (["--run", "/nonexistent/run"], "no such run directory"),
        (["--data", "nope.h5", "--episode-actions", "generator"], "--episode-actions goes with --run"),
        (["--run", "x", "--episode-actions", "expert"], "episode actions must be one of policy, generator"),
    ],
)
def test_cli_publish_bad_input(minari_root, capsys, args, message):
    assert main(["publish", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert tree(minari_root) == []


def test_publish_run_writes_episodes_from_the_rounds_generator(minari_root, tmp_path):
    """With the round's generator in the run, ``publish --run`` publishes whole synthetic episodes
    (at least as many transitions as the validated file) and says what was validated."""
    import minari
    from loop.fake_stages import FakeStages, write_fake_real_data

    from compogen.data.minari_io import episode_bounds, read_minari
    from compogen.generator import TrainConfig, train_generator
    from compogen.loop.rundir import RunDir
    from compogen.rl import expert_transitions

    suite = get_suite("builtin")
    real = write_fake_real_data(tmp_path / "real", suite)
    cfg = LoopConfig(
        suite="builtin", data=str(real), train="iiwa:train14", targets="iiwa:test8", eval="iiwa:test8", iterations=2, samples_per_task=150, workers=0
    )
    out = tmp_path / "run"
    state = run_loop(cfg, out, stages=FakeStages, log=lambda _: None)
    assert state["pool"]
    k = state["pool"][0]["iteration"]
    pool = expert_transitions(suite, "fivelink-box-none-push", 200)
    gen_dir = RunDir(out).generator(k)
    train_generator(
        pool, suite.transition_layout(), gen_dir, TrainConfig(arch="mlp", preset="tiny", steps=4), suite="builtin", resume=False, progress=False
    )
    entry = state["pool"][0]
    ids = publish_run(out, log=lambda _: None)
    dataset_id = default_dataset_id(entry["task"])
    assert dataset_id in ids
    data = read_minari(dataset_id)
    assert len(data) >= 150 and episode_bounds(data) is not None
    meta = minari.load_dataset(dataset_id).storage.metadata["compogen"]
    assert meta["layout"] == "episodes" and "not validated themselves" in meta["validation"]["validated_data"]
    # --layout transitions publishes the validated file itself
    ids = publish_run(out, log=lambda _: None, layout="transitions", overwrite=True)
    np.testing.assert_array_equal(read_minari(dataset_id).observations, read_synthetic(out / entry["file"]).observations)
