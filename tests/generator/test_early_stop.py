"""Early stopping on kept-out training tasks: the split, the pick, resuming, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.torch import load_file

from compogen.errors import CompogenError
from compogen.generator import Generator, TrainConfig, train_generator
from compogen.generator.checkpoint import read_checkpoint, read_config
from compogen.generator.early_stop import SCORED_ROWS, denoising_loss, fixed_draws, split_kept_out

from .conftest import make_pool

# Two robots x two objects (the other axes shared): any one task can go without losing an element.
SQUARE = ["iiwa-box-none-push", "iiwa-plate-none-push", "jaco-box-none-push", "jaco-plate-none-push"]


def _tasks(layout, data):
    return {layout.space.task_id(t) for t in data.tasks}


def test_the_split_keeps_every_element_is_seeded_and_refuses_what_it_cannot_do(layout):
    pool = make_pool(layout, tasks=SQUARE, n=800)
    trained, kept = split_kept_out(pool, 1, seed=0)
    assert len(kept.tasks) == 1 and _tasks(layout, trained) | _tasks(layout, kept) == set(SQUARE)
    assert len(trained) + len(kept) == len(pool)
    assert _tasks(layout, split_kept_out(pool, 1, seed=0)[1]) == _tasks(layout, kept)  # the seed decides
    assert {next(iter(_tasks(layout, split_kept_out(pool, 1, seed=s)[1]))) for s in range(20)} == set(SQUARE)
    for seed in range(5):  # two tasks can go only as a diagonal (sharing neither robot nor object)
        a, b = split_kept_out(pool, 2, seed=seed)[1].tasks
        assert a.robot != b.robot and a.object != b.object
    with pytest.raises(CompogenError, match="no draw of 3"):  # one task would be left: it lacks an element
        split_kept_out(pool, 3, seed=0)
    with pytest.raises(CompogenError, match="no draw of 1"):  # TASK_A and TASK_B share no element
        split_kept_out(make_pool(layout), 1, seed=0)
    with pytest.raises(CompogenError, match="1 <= keep_out < the pool's 4 tasks"):
        split_kept_out(pool, 4, seed=0)


def test_training_ends_with_the_ema_of_the_lowest_kept_out_loss(tmp_path, layout):
    pool = make_pool(layout, tasks=SQUARE, n=800)
    cfg = TrainConfig(arch="mlp", preset="tiny", steps=12, keep_out=1, keep_out_every=2)
    run = train_generator(pool, layout, tmp_path / "r", cfg, progress=False)
    info = read_config(run)
    early = info["training"]["early_stop"]
    trained, kept = split_kept_out(pool, 1, seed=0)
    assert early["tasks"] == [layout.space.task_id(t) for t in kept.tasks] and set(info["training"]["data"]["tasks"]) == _tasks(layout, trained)
    assert [s for s, _ in early["curve"]] == [2, 4, 6, 8, 10, 12]
    best_step, best_loss = min(early["curve"], key=lambda c: c[1])
    assert (early["best_step"], early["best_loss"]) == (best_step, best_loss)
    # what is sampled is the pick: re-scored on the same draws it gives the recorded best loss
    ck = read_checkpoint(run)
    draws = fixed_draws(kept, layout, ck.normalizer, SCORED_ROWS, 0, cfg.edm)
    assert denoising_loss(Generator.load(run).denoiser, draws) == pytest.approx(best_loss, rel=1e-5)
    assert not (run / "best.safetensors").exists() and "best.safetensors" not in info["files"]


def test_an_interrupted_early_stopping_run_resumes_to_the_same_pick(tmp_path, layout):
    pool = make_pool(layout, tasks=SQUARE, n=800)
    cfg = TrainConfig(arch="mlp", preset="tiny", steps=12, keep_out=1, keep_out_every=2)
    whole = train_generator(pool, layout, tmp_path / "whole", cfg, progress=False)
    part = train_generator(pool, layout, tmp_path / "part", cfg, stop_at=6, progress=False)
    assert (part / "best.safetensors").exists() and read_checkpoint(part, with_training_state=True).best is not None
    train_generator(pool, layout, part, cfg, progress=False)
    a, b = read_config(whole)["training"]["early_stop"], read_config(part)["training"]["early_stop"]
    assert a == b
    wa, wb = load_file(whole / "ema.safetensors"), load_file(part / "ema.safetensors")
    assert all(np.array_equal(wa[k].numpy(), wb[k].numpy()) for k in wa)
    with pytest.raises(CompogenError, match="keep_out_every must be >= 1"):
        train_generator(pool, layout, tmp_path / "bad", cfg.replace(keep_out_every=0), progress=False)


def test_cli_train_keep_out_prints_the_pick(tmp_path, capsys):
    from compogen.cli import main
    from compogen.suites import get_suite

    from .test_train_generate import _write_dataset

    suite = get_suite("composuite")
    rng = np.random.default_rng(0)
    for t in SQUARE:
        _write_dataset(tmp_path / "data", suite, suite.parse(t), rng)
    out = tmp_path / "run"
    args = ["train", "--data", str(tmp_path / "data"), "--tasks", ",".join(SQUARE), "--suite", "composuite", "--arch", "mlp"]
    assert main([*args, "--preset", "tiny", "--steps", "4", "--keep-out", "1", "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    early = read_config(out)["training"]["early_stop"]
    assert printed["kept_out"] == early["tasks"] and printed["sampled_step"] == early["best_step"] and printed["tasks"] == 3
