"""Loop presets resolve to the tasks they promise."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.loop.config import LOOP_PRESETS, LoopConfig, loop_preset
from compogen.loop.runner import resolve_run_tasks
from compogen.suites import get_suite
from compogen.validation import preset as validation_preset


def test_standard_preset_targets_the_32_held_out_tasks_over_three_rounds():
    suite = get_suite("builtin")
    cfg = loop_preset("standard")
    train, targets, evals, _ = resolve_run_tasks(cfg, suite)
    assert len(train) == 14 and len(targets) == 32 and targets == evals
    assert not set(train) & set(targets)
    assert cfg.iterations >= 3


def test_presets_round_trip_and_name_real_validation_presets():
    for name, cfg in LOOP_PRESETS.items():
        assert LoopConfig.from_dict(cfg.to_dict()) == cfg, name
        validation_preset(cfg.validation_preset)  # raises on an unknown name
    quick = loop_preset("quick")
    assert len(resolve_run_tasks(quick, get_suite("builtin"))[1]) == 8


@pytest.mark.parametrize(
    "args,eval_spec",
    [([], "iiwa:test"), (["--targets", "iiwa:middle"], None), (["--targets", "iiwa:middle", "--eval", "iiwa:test8"], "iiwa:test8")],
)
def test_bootstrap_metrics_follow_targets_unless_eval_says_otherwise(monkeypatch, args, eval_spec):
    from compogen.cli import main
    from compogen.loop import bootstrap

    seen = []
    monkeypatch.setattr(bootstrap, "run_bootstrap", lambda cfg, out, **kw: seen.append(cfg))
    assert main(["bootstrap", "--preset", "standard", *args]) == 0
    assert seen[0].eval == eval_spec
    suite = get_suite("builtin")
    _, targets, evals, n_space = resolve_run_tasks(seen[0], suite)
    assert evals == (suite.tasks(eval_spec) if eval_spec else targets)
    assert n_space == 64  # the first arm's tasks: 14 training tasks + 50 possible targets


def test_coverage_counts_the_runs_arms_only():
    suite = get_suite("builtin")
    cfg = LoopConfig(train="iiwa:train14", targets="threelink-box-none-push", eval="all")
    assert resolve_run_tasks(cfg, suite)[3] == 128  # FiveLink's and ThreeLink's tasks, not the 256 held-out ones'


def test_laptop_presets_name_a_generator_that_trains(tmp_path):
    """quick/standard name an architecture and generator preset that build, train and sample."""
    import json

    from compogen.generator import Generator, TrainConfig, train_generator
    from compogen.generator.presets import get_preset
    from compogen.generator.samplers import get_sampler
    from tests.generator.conftest import make_pool

    suite = get_suite("builtin")
    layout = suite.transition_layout()
    train = suite.tasks("iiwa:train14")[:2]
    for name in ("quick", "standard"):
        cfg = loop_preset(name)
        gp = get_preset(cfg.generator_preset).override(steps=2, checkpoint_every=2)
        out = train_generator(
            make_pool(layout, tasks=[suite.task_id(t) for t in train]),
            layout,
            tmp_path / name,
            TrainConfig(arch=cfg.arch, preset=gp),
            suite="builtin",
            progress=False,
        )
        saved = json.loads((out / "config.json").read_text())
        assert saved["arch"] == cfg.arch and saved["preset"]["name"] == cfg.generator_preset
        x = Generator.load(out).sample_flat(suite.tasks(cfg.targets)[0], 3, get_sampler(cfg.sampler, 2), None, 0, 0, 3, False)
        assert x.shape == (3, layout.dim) and np.isfinite(x).all()


def test_loop_config_checks_the_validation_backend_and_collection_settings():
    from compogen.errors import CompogenError

    assert LoopConfig(validation_backend="d3rlpy").check().validation_backend == "d3rlpy"
    with pytest.raises(CompogenError, match="validation_backend 'jax'"):
        LoopConfig(validation_backend="jax").check()
    with pytest.raises(CompogenError, match="collect_episodes >= 1"):
        LoopConfig(collect_episodes=0)
    c = LoopConfig(collect_episodes=7, collect_noise=0.3, seed=5).collect
    assert (c.episodes, c.noise, c.seed) == (7, 0.3, 5)


def test_the_run_device_reaches_training_sampling_and_validation(monkeypatch, tmp_path):
    import types

    import compogen.generator as gen_api
    import compogen.validation as val_api
    from compogen.loop.stages import DiffusionStages

    seen = {}
    monkeypatch.setattr(gen_api, "train_generator", lambda pool, layout, out, cfg, **_: seen.setdefault("train", cfg.device))
    monkeypatch.setattr(gen_api, "generate", lambda *a, **k: seen.setdefault("generate", k["device"]))
    result = types.SimpleNamespace(to_dict=dict, success_rate=1.0, seeds=[])
    monkeypatch.setattr(val_api, "validate", lambda suite, task, data, vcfg, **_: seen.setdefault("validate", vcfg.device) and result)
    suite = get_suite("builtin")
    stages = DiffusionStages(LoopConfig(device="cuda:3", generator_steps=1), suite)  # never run: the calls are stand-ins
    pool = type("Pool", (), {"tasks": suite.tasks("iiwa:train14"), "__len__": lambda self: 3})()
    stages.train(pool, tmp_path, seed=0)
    stages.generate(tmp_path, suite.tasks("iiwa:test")[0], 5, tmp_path / "x.h5", seed=0)
    stages.validate(suite.tasks("iiwa:test")[0], None, [0], 0)
    assert seen == {"train": "cuda:3", "generate": "cuda:3", "validate": "cuda:3"}


def test_generator_changes_reach_training_and_bad_ones_are_refused(monkeypatch, tmp_path):
    """``generator_changes`` resizes the run's generator (the preset is renamed ``<preset>*``) and
    ``generator_keep_out`` reaches its TrainConfig; the round budget
    follows the changed preset; an unknown field, a mistyped value or a renaming is refused by ``check``."""
    import compogen.generator as gen_api
    from compogen.errors import CompogenError
    from compogen.loop.stages import DiffusionStages, round_steps

    seen = {}
    monkeypatch.setattr(gen_api, "train_generator", lambda pool, layout, out, cfg, **_: seen.update(preset=cfg.preset, keep_out=cfg.keep_out))
    suite = get_suite("builtin")
    cfg = loop_preset("standard", arch="sc-dit", generator_changes="dit_hidden=48,steps=7", generator_keep_out=2).check()
    pool = type("Pool", (), {"tasks": suite.tasks("iiwa:train14"), "__len__": lambda self: 3})()
    DiffusionStages(cfg, suite).train(pool, tmp_path, seed=0)  # never run: train_generator is a stand-in
    assert (seen["preset"].dit_hidden, seen["preset"].steps, seen["preset"].name, seen["keep_out"]) == (48, 7, "laptop*", 2)
    assert round_steps(cfg.replace(scale_generator_steps=True), 14, 28) == 14
    assert loop_preset("standard").generator.dit_hidden != 48  # no changes: the preset itself
    for bad, match in [("dit_hiden=3", "unknown settings"), ("dit_hidden=x", "expects int"), ("name=x", "named by generator_preset")]:
        with pytest.raises(CompogenError, match=match):
            loop_preset("standard", generator_changes=bad).check()
    with pytest.raises(CompogenError, match="generator_keep_out must be an integer >= 0"):
        loop_preset("standard", generator_keep_out=-1).check()


def test_bootstrap_passes_generator_changes_to_the_run(monkeypatch):
    from compogen.cli import main
    from compogen.loop import bootstrap

    seen = []
    monkeypatch.setattr(bootstrap, "run_bootstrap", lambda cfg, out, **kw: seen.append(cfg))
    assert main(["bootstrap", "--preset", "standard", "--arch", "sc-dit", "--generator-changes", "dit_hidden=256"]) == 0
    assert seen[0].generator.dit_hidden == 256 and seen[0].generator_changes == "dit_hidden=256"
