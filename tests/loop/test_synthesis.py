"""``LoopConfig.synthesis``: a round writes independent transitions (default) or chained episodes (issue 18 §3)."""

from __future__ import annotations

import json
import types

import numpy as np
import pytest

from compogen.errors import CompogenError
from compogen.loop.config import SYNTHESES, LoopConfig
from compogen.suites import get_suite


def test_an_unknown_synthesis_is_refused_in_one_line():
    assert LoopConfig().synthesis == "transitions" and LoopConfig(synthesis="episodes").synthesis == "episodes"
    for make in (lambda: LoopConfig(synthesis="chains"), lambda: LoopConfig.from_dict({"synthesis": "chains"})):
        with pytest.raises(CompogenError) as e:
            make()
        assert str(e.value) == f"unknown synthesis 'chains'; valid: {', '.join(SYNTHESES)}" and "\n" not in str(e.value)


def test_bootstrap_passes_synthesis_to_the_run(tmp_path, monkeypatch, capsys):
    from compogen.cli import main
    from compogen.loop import bootstrap

    seen: list[LoopConfig] = []
    monkeypatch.setattr(bootstrap, "run_bootstrap", lambda cfg, out: seen.append(cfg) or {})
    assert main(["bootstrap", "--out", str(tmp_path / "run")]) == 0
    assert main(["bootstrap", "--out", str(tmp_path / "run"), "--synthesis", "episodes"]) == 0
    assert [c.synthesis for c in seen] == ["transitions", "episodes"]
    capsys.readouterr()
    assert main(["bootstrap", "--out", str(tmp_path / "run"), "--synthesis", "chains"]) == 2
    assert "unknown synthesis 'chains'; valid: transitions, episodes" in capsys.readouterr().err


def test_episodes_get_the_runs_sampler_seed_bf16_and_device(monkeypatch, tmp_path):
    """The episodes call takes today's settings, bf16 included (stand-in generator)."""
    import compogen.generator as gen_api
    from compogen.loop.stages import DiffusionStages

    given = []
    fake = types.SimpleNamespace()
    monkeypatch.setattr(gen_api.Generator, "load", classmethod(lambda cls, model_dir, device="cpu": given.append(device) or fake))
    seen = {}

    def episodes(gen, task, n_episodes, out, **kw):
        assert gen is fake
        seen.update(kw, episodes=n_episodes)

    monkeypatch.setattr(gen_api, "generate_episodes", episodes)
    suite = get_suite("builtin")
    cfg = LoopConfig(synthesis="episodes", sampler="paper", sampler_steps=7, bf16=True, device="cuda:3")
    DiffusionStages(cfg, suite).generate(tmp_path, suite.tasks("iiwa:test")[0], 450, tmp_path / "x.h5", seed=11)
    assert given == ["cuda:3"]
    assert seen == {
        "suite": suite,
        "sampler": "paper",
        "steps": 7,
        "seed": 11,
        "device": "cuda:3",
        "progress": False,
        "bf16": True,
        "min_transitions": 450,
        "episodes": -(-450 // suite.horizon),
    }


@pytest.mark.slow
def test_a_tiny_real_loop_generates_validates_and_resumes_with_episodes(tmp_path, monkeypatch):
    """Collect, train, synthesise chained episodes, validate them: the round's file is episodic and reads
    back as exact transitions; publishing the run publishes those validated episodes as they are; a run
    made before the field existed resumes at ``transitions`` only."""
    from compogen.data import read_for_suite, read_synthetic_attrs
    from compogen.generator.episodes import episode_bounds
    from compogen.loop.bootstrap import run_bootstrap
    from compogen.loop.runner import run_loop

    suite = get_suite("builtin")
    target = "fivelink-box-none-shelf"
    cfg = LoopConfig(
        suite="builtin",
        data=str(tmp_path / "data"),
        train="fivelink-box-none-push,fivelink-plate-none-shelf",
        targets=target,
        eval=target,
        iterations=1,
        generator_preset="tiny",
        samples_per_task=300,
        synthesis="episodes",
        validation_preset="tiny",
        rl_seeds=(0,),
        workers=0,
        tau0=0.0,
        tau_min=0.0,
        collect_episodes=2,
        collect_noise=0.1,
    )
    run = tmp_path / "run"
    run_bootstrap(cfg, run, log=lambda _: None)
    syn = run / "iterations" / "000" / "synthetic" / f"{target}.h5"
    attrs = read_synthetic_attrs(syn)
    assert attrs["layout"] == "episodes" and attrs["task"] == target and attrs["horizon"] == suite.horizon
    data = read_for_suite(syn, suite, target)  # what run_task_job validates
    assert len(data) == attrs["transitions"] >= 300 and np.isfinite(data.observations).all()
    bounds = episode_bounds(data)
    assert bounds is not None and len(bounds) == attrs["episodes"]
    assert max(b.stop - b.start for b in bounds) > 1  # some episodes chain (the tiny model often ends them at once)
    for b in bounds:  # observations[t + 1] is the s' of step t, bit for bit
        assert np.array_equal(data.observations[b][1:], data.next_observations[b][:-1])
        assert (data.terminals | data.timeouts)[b][-1] and not (data.terminals | data.timeouts)[b][:-1].any()
    rec = json.loads((run / "iterations" / "000" / "validation" / f"{target}.json").read_text())
    assert not rec["failed"] and rec["env_steps"] > 0 and 0.0 <= rec["success"] <= 1.0
    # publish: the validated episodes themselves, not episodes sampled anew
    import minari

    from compogen.publish.runs import publish_run

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    (dataset_id,) = publish_run(run, all=True, log=lambda _: None)
    ds = minari.load_dataset(dataset_id)
    assert ds.storage.metadata["compogen"]["validation"]["validated_data"].startswith("these episodes")
    assert ds.total_steps == len(data) and ds.total_episodes == len(bounds)
    first = next(iter(ds.iterate_episodes([0])))
    np.testing.assert_allclose(first.observations[:-1], data.observations[bounds[0]], rtol=0, atol=1e-6)
    # a config.json written before the field existed holds "transitions": resumed as such, episodes refused
    path = run / "config.json"
    old = json.loads(path.read_text())
    del old["synthesis"]
    path.write_text(json.dumps(old))
    run_loop(cfg.replace(synthesis="transitions"), run, log=lambda _: None)
    with pytest.raises(CompogenError, match=r"other settings \(synthesis\)"):
        run_loop(cfg, run, log=lambda _: None)
