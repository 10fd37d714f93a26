"""The real pipeline end to end at toy scale: collect, train, generate, validate, admit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from compogen.data import find_datasets, load_pool, read_synthetic, read_synthetic_attrs
from compogen.loop.bootstrap import run_bootstrap
from compogen.loop.config import LoopConfig
from compogen.suites import get_suite


def cfg_validation_episodes(cfg: LoopConfig) -> int:
    from compogen.validation import preset

    return preset(cfg.validation_preset).eval_episodes


@pytest.mark.slow
def test_bootstrap_builtin_tiny(tmp_path, monkeypatch):
    suite = get_suite("builtin")
    train = "fivelink-box-none-push,fivelink-plate-none-shelf"
    target = "fivelink-box-none-shelf"
    cfg = LoopConfig(
        suite="builtin",
        data=str(tmp_path / "data"),
        train=train,
        targets=target,
        eval=target,
        iterations=1,
        generator_preset="tiny",
        samples_per_task=300,
        validation_preset="tiny",
        rl_seeds=(0,),
        workers=0,
        tau0=0.0,
        tau_min=0.0,
    )
    logs: list[str] = []
    state = run_bootstrap(cfg.replace(collect_episodes=2, collect_noise=0.1), tmp_path / "run", log=logs.append)
    # real data was collected for the training tasks, as the run's config.json records
    assert set(find_datasets(tmp_path / "data", suite.space)) == set(suite.tasks(train))
    run = tmp_path / "run"
    saved = json.loads((run / "config.json").read_text())
    assert (saved["collect_episodes"], saved["collect_noise"]) == (2, 0.1)
    pool = load_pool(tmp_path / "data", suite.tasks(train), suite)
    ends = pool.terminals | pool.timeouts
    assert np.bincount(pool.task_index[ends]).tolist() == [2] * len(suite.tasks(train))
    assert (run / "iterations" / "000" / "generator.json").is_file()
    syn = run / "iterations" / "000" / "synthetic" / f"{target}.h5"
    data = read_synthetic(syn)
    assert len(data) == 300 and np.isfinite(data.observations).all()
    # task ids of the generated observations are the target's
    lay = suite.observation_layout
    assert np.array_equal(lay.indicator_from_obs(data.observations[:5], suite.space)[0], suite.space.indicator(suite.parse(target)))
    attrs = read_synthetic_attrs(syn)
    assert attrs["task"] == target and "sampler" in attrs and "seed" in attrs
    rec = json.loads((run / "iterations" / "000" / "validation" / f"{target}.json").read_text())
    assert not rec["failed"] and rec["env_steps"] > 0
    # the task's success is the mean over RL seeds of each seed's best evaluation (whole episodes)
    assert rec["success"] == pytest.approx(np.mean(rec["per_seed"]))
    episodes = cfg_validation_episodes(cfg)
    assert all(abs(s * episodes - round(s * episodes)) < 1e-9 for s in rec["per_seed"])
    # with τ = 0 a task is admitted exactly when its success is above 0
    admitted = state["history"][0]["admitted"]
    assert admitted == ([target] if rec["success"] > 0 else [])
    assert (run / "summary.csv").is_file() and (run / "progress.png").is_file()
    assert any("held-out task" in line for line in logs)
    # the run publishes as Minari datasets, with its real generator's and validation's provenance
    import minari

    from compogen.generator.checkpoint import read_config
    from compogen.publish import publish_run

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    ids = publish_run(run, all=True, log=lambda _: None)
    assert ids == [f"compogen{'' if admitted else '-not-admitted'}/{target}-v0"]  # not admitted: visible in the namespace
    meta = minari.load_dataset(ids[0]).storage.metadata["compogen"]
    assert meta["generator"]["weights_sha256"] == read_config(run / "iterations" / "000" / "generator")["files"]["ema.safetensors"]["sha256"]
    assert meta["validation"]["success"] == rec["success"] and meta["validation"]["admitted"] == bool(admitted)
    # the validation kept its actor, and the published episodes take their actions from it (noisy), not from a | s
    actor = run / "iterations" / "000" / "policies" / target / "seed0.safetensors"
    assert actor.is_file() and meta["episode_actions"] == {"from": "validated actor", "file": str(actor.relative_to(run)), "noise": 0.1, "rl_seed": 0}
    from compogen.data.minari_io import read_minari
    from compogen.rl.policy_io import load_policy

    published = read_minari(ids[0])
    policy, _ = load_policy(actor)
    gap = published.actions - policy(published.observations)
    inside = np.abs(policy(published.observations)) < 0.7  # away from the clip at +-1 the gap is the expert noise (std 0.1)
    assert 0.07 < gap[inside].std() < 0.13
    ids = publish_run(run, all=True, log=lambda _: None, episode_actions="generator", overwrite=True)
    assert minari.load_dataset(ids[0]).storage.metadata["compogen"]["episode_actions"] == {"from": "generator"}
    with pytest.raises(Exception, match="episode actions must be one of policy, generator"):
        publish_run(run, log=lambda _: None, episode_actions="expert")


def test_bootstrap_command_says_how_to_publish(tmp_path, monkeypatch, capsys):
    import compogen.loop.bootstrap as lb
    from compogen.cli import main

    states = iter([{"pool": [{"task": "fivelink-box-none-shelf"}]}, {"pool": []}])
    monkeypatch.setattr(lb, "run_bootstrap", lambda *a, **k: next(states))
    assert main(["bootstrap", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert f"compogen publish --run {tmp_path / 'r'}" in out and "minari.load_dataset('compogen/fivelink-box-none-shelf-v0')" in out
    assert main(["bootstrap", "--out", str(tmp_path / "r")]) == 0
    assert f"compogen publish --run {tmp_path / 'r'} --all" in capsys.readouterr().out
