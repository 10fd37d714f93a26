"""All four architectures train and generate; streamed files; the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from compogen.cli import main
from compogen.data import OfflineDatasetWriter, dataset_path, read_synthetic, read_synthetic_attrs
from compogen.errors import CompogenError, DataError
from compogen.generator import ARCHITECTURES, Generator, TrainConfig, generate, train_generator
from compogen.generator.checkpoint import read_config
from compogen.suites import get_suite

from .conftest import TASK_A, TASK_B, UNSEEN, make_pool


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_arch_trains_and_generates_unseen_task(tmp_path, layout, arch):
    pool = make_pool(layout)
    run = train_generator(pool, layout, tmp_path / "run", TrainConfig(arch=arch, preset="tiny", seed=0, steps=8), progress=False)
    cfg = read_config(run)
    assert cfg["step"] == 8 and all(np.isfinite(loss) for _, loss in cfg["training"]["loss_log"])
    out = generate(run, UNSEEN, 10, tmp_path / "s.h5", sampler="fast", steps=4, seed=2, batch_size=4, progress=False)
    t = read_synthetic(out)
    assert len(t) == 10 and t.terminals.dtype == bool
    for k in ("observations", "actions", "rewards", "next_observations"):
        assert np.isfinite(getattr(t, k)).all(), k
    lo = layout.observation_layout
    assert (lo.indicator_from_obs(t.observations, layout.space) == layout.space.indicator(UNSEEN)).all()
    assert (lo.indicator_from_obs(t.next_observations, layout.space) == layout.space.indicator(UNSEEN)).all()
    # values inside the task's spaces (the random pool's actions are N(0, 1), so some samples needed clipping)
    assert np.abs(t.actions).max() <= 1.0 and t.rewards.min() >= 0.0 and t.rewards.max() <= 1.0
    a = read_synthetic_attrs(out)
    assert a["conform"]["actions_clipped"] > 0 and a["conform"]["bounds"]["action_high"] == 1.0
    assert a["task"] == UNSEEN and a["seed"] == 2 and a["sampler"]["name"] == "fast" and a["sampler"]["steps"] == 4
    assert a["sampler"]["denoiser_calls"] == 4 and a["model"]["arch"] == arch and a["transitions"] == 10
    # the file equals the in-memory sample (same seed, another batch size)
    mem = Generator.load(run).sample(UNSEEN, 10, "fast", steps=4, seed=2, batch_size=10)
    np.testing.assert_allclose(mem.actions, t.actions, atol=1e-4)


def test_training_learns_something(tmp_path, layout):
    """Loss decreases over a short run on structured data (mlp, a few dozen steps)."""
    pool = make_pool(layout, n=600)
    run = train_generator(pool, layout, tmp_path / "r", TrainConfig(arch="mlp", preset="tiny", seed=0, steps=60), progress=False)
    log = read_config(run)["training"]["loss_log"]
    assert log[-1][1] < log[0][1]


def test_bf16_training_runs(tmp_path, layout):
    run = train_generator(
        make_pool(layout), layout, tmp_path / "r", TrainConfig(arch="sc-dit", preset="tiny", seed=0, bf16=True, steps=3), progress=False
    )
    assert read_config(run)["training"]["bf16"] is True
    t = Generator.load(run).sample(TASK_A, 4, "fast", steps=3, bf16=True)
    assert np.isfinite(t.observations).all()


def test_bad_inputs(tmp_path, layout):
    pool = make_pool(layout)
    with pytest.raises(CompogenError, match="unknown architecture"):
        train_generator(pool, layout, tmp_path / "r", TrainConfig(arch="unet", preset="tiny"), progress=False)
    with pytest.raises(CompogenError, match="unknown generator preset"):
        train_generator(pool, layout, tmp_path / "r", TrainConfig(arch="mlp", preset="huge"), progress=False)
    with pytest.raises(DataError, match="empty"):
        train_generator(pool.subset(slice(0, 0)), layout, tmp_path / "r", TrainConfig(arch="mlp", preset="tiny"), progress=False)
    run = train_generator(pool, layout, tmp_path / "r", TrainConfig(arch="mlp", preset="tiny", steps=1), progress=False)
    with pytest.raises(CompogenError, match="unknown sampler"):
        generate(run, TASK_A, 3, tmp_path / "x.h5", sampler="euler", progress=False)
    with pytest.raises(CompogenError, match="unknown"):
        generate(run, "iiwa-box-none-fly", 3, tmp_path / "x.h5", progress=False)
    assert not (tmp_path / "x.h5").exists()


def _write_dataset(root, suite, task, rng, episodes=3, T=20):
    lay = suite.transition_layout()
    path = dataset_path(root, task, suite.space)
    block = suite.observation_layout.obs_task_block(suite.space.indicator(task), suite.space)
    with OfflineDatasetWriter(path, lay.obs_dim, lay.action_dim) as w:
        for _ in range(episodes):
            obs = rng.normal(size=(T + 1, lay.obs_dim)).astype(np.float32)
            obs[:, suite.observation_layout.task_id_start : suite.observation_layout.task_id_stop] = block
            w.add_episode(obs, rng.normal(size=(T, lay.action_dim)), rng.random(T), np.zeros(T), terminated=True)


def test_cli_train_and_generate(tmp_path, capsys):
    from compogen.suites import get_suite

    suite = get_suite("composuite")
    rng = np.random.default_rng(0)
    for t in (TASK_A, TASK_B):
        _write_dataset(tmp_path / "data", suite, suite.parse(t), rng)
    code = main(
        [
            "train",
            "--data",
            str(tmp_path / "data"),
            "--tasks",
            f"{TASK_A},{TASK_B}",
            "--arch",
            "semantic-dit",
            "--preset",
            "tiny",
            "--out",
            str(tmp_path / "run"),
            "--suite",
            "composuite",
            "--seed",
            "1",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out.strip().splitlines()[-1])
    assert d["step"] == 6 and d["tasks"] == 2 and d["transitions"] == 2 * 3 * 20
    code = main(
        [
            "generate",
            "--model",
            str(tmp_path / "run"),
            "--task",
            UNSEEN,
            "--n",
            "5",
            "--out",
            str(tmp_path / "g.h5"),
            "--sampler",
            "fast",
            "--steps",
            "3",
            "--seed",
            "4",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    g = json.loads(out.strip().splitlines()[-1])
    assert g["transitions"] == 5 and g["denoiser_calls"] == 3 and len(read_synthetic(tmp_path / "g.h5")) == 5
    # a synthetic file can join the pool of the next round
    code = main(
        [
            "train",
            "--data",
            str(tmp_path / "data"),
            "--tasks",
            TASK_A,
            "--synthetic",
            str(tmp_path / "g.h5"),
            "--arch",
            "sc-dit",
            "--preset",
            "tiny",
            "--out",
            str(tmp_path / "run2"),
            "--suite",
            "composuite",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1])["tasks"] == 2
    # errors are one line
    code = main(["generate", "--model", str(tmp_path / "nope"), "--task", UNSEEN, "--n", "5", "--out", str(tmp_path / "h.h5")])
    _, err = capsys.readouterr()
    assert code == 2 and "no such model directory" in err and len(err.strip().splitlines()) == 1


def test_factor_dropout_zeroes_whole_axis_blocks(layout):
    """Each row keeps or loses each axis' one-hot block as a whole, at about the asked rate."""
    import torch

    from compogen.generator.train import factor_dropout

    sp = layout.space
    blocks = [(o, len(e)) for o, e in zip(sp.indicator_offsets(), sp.elements, strict=True)]
    cond = torch.as_tensor(sp.indicators([sp.parse(TASK_A)] * 4000), dtype=torch.float32)
    out = factor_dropout(cond, blocks, 0.25, torch.Generator().manual_seed(0))
    kept = torch.stack([out[:, o : o + n].sum(1) for o, n in blocks], 1)
    assert set(kept.unique().tolist()) == {0.0, 1.0}  # a block is whole or gone
    assert abs(1 - kept.mean().item() - 0.25) < 0.03
    assert torch.equal(out[kept.bool().all(1)], cond[kept.bool().all(1)])


def test_factor_dropout_trains_mlp_and_is_refused_by_sc_dit(tmp_path, layout):
    from compogen.generator.presets import get_preset

    pool = make_pool(layout)
    preset = get_preset("tiny", cond_dropout=0.2)
    base = train_generator(pool, layout, tmp_path / "a", TrainConfig(arch="mlp", preset="tiny", steps=4), progress=False)
    run = train_generator(pool, layout, tmp_path / "b", TrainConfig(arch="mlp", preset=preset, steps=4), progress=False)
    assert read_config(run)["preset"]["cond_dropout"] == 0.2
    assert read_config(run)["training"]["loss_log"] != read_config(base)["training"]["loss_log"]
    with pytest.raises(CompogenError, match="cond_dropout"):
        train_generator(pool, layout, tmp_path / "c", TrainConfig(arch="sc-dit", preset=preset, steps=2), progress=False)
    with pytest.raises(CompogenError, match="cond_dropout must be in"):
        get_preset("tiny", cond_dropout=1.0)


def test_conditioning_masks_give_s_or_s_and_a():
    from compogen.generator.train import conditioning_masks

    layout = get_suite("builtin").transition_layout()
    known = conditioning_masks(8000, layout, 0.5, torch.Generator().manual_seed(0))
    s_known, a_known = known[:, layout.s], known[:, layout.a]
    assert bool((s_known.all(1) | ~s_known.any(1)).all()) and bool((a_known.all(1) | ~a_known.any(1)).all())  # whole blocks
    assert not bool((a_known[:, 0] & ~s_known[:, 0]).any())  # a is only given with s
    assert not bool(known[:, layout.a.stop :].any())  # r, s' and d are never given
    assert abs(s_known[:, 0].float().mean().item() - 0.5) < 0.03 and abs(a_known[:, 0].float().mean().item() - 0.25) < 0.03


def test_conditioning_masks_train_an_mlp_only(tmp_path, layout):
    from compogen.generator.presets import get_preset

    pool = make_pool(layout)
    preset = get_preset("tiny", cond_masks=0.5)
    run = train_generator(pool, layout, tmp_path / "a", TrainConfig(arch="mlp", preset=preset, steps=4), progress=False)
    gen = Generator.load(run)
    plain = train_generator(pool, layout, tmp_path / "b", TrainConfig(arch="mlp", preset="tiny", steps=4), progress=False)
    assert gen.mask_trained and not Generator.load(plain).mask_trained
    # an all-False mask is the joint model: the mask embedding has no bias
    x, sigma, cond = torch.randn(3, layout.dim), torch.tensor([0.1, 1.0, 10.0]), torch.zeros(3, layout.cond_dim)
    with torch.no_grad():
        torch.testing.assert_close(gen.denoiser(x, sigma, cond, known=torch.zeros(3, layout.dim, dtype=torch.bool)), gen.denoiser(x, sigma, cond))
    with pytest.raises(CompogenError, match="cond_masks"):
        train_generator(pool, layout, tmp_path / "c", TrainConfig(arch="sc-dit", preset=preset, steps=2), progress=False)
    with pytest.raises(CompogenError, match="cond_masks must be in"):
        get_preset("tiny", cond_masks=1.0)


def test_init_from_starts_from_a_trained_generator(tmp_path, layout):
    """A warm start takes the source's EMA weights and normaliser (not refit on the new pool), and trains on."""
    import torch

    from compogen.errors import CheckpointError
    from compogen.generator.checkpoint import read_checkpoint

    src = train_generator(make_pool(layout), layout, tmp_path / "src", TrainConfig(arch="mlp", preset="tiny", steps=60), progress=False)
    bigger = make_pool(layout, seed=1)  # other data: a refit normaliser would differ
    cfg = TrainConfig(arch="mlp", preset="tiny", steps=20, log_every=5, init_from=str(src))
    at0 = train_generator(bigger, layout, tmp_path / "at0", cfg, stop_at=0, progress=False)
    ck, ck0 = read_checkpoint(src), read_checkpoint(at0, with_training_state=True)
    assert all(torch.equal(a, b) for a, b in zip(ck.ema.state_dict().values(), ck0.model.state_dict().values(), strict=True))
    assert np.array_equal(ck0.normalizer.mean, ck.normalizer.mean)
    assert read_config(at0)["training"]["init_from"] == str(src)

    warm = train_generator(bigger, layout, tmp_path / "warm", cfg, progress=False)
    cold = train_generator(bigger, layout, tmp_path / "cold", cfg.replace(init_from=None), progress=False)
    first = [read_config(r)["training"]["loss_log"][0][1] for r in (warm, cold)]
    assert first[0] < first[1]  # the first five steps already start from what the source learnt
    with pytest.raises(CheckpointError, match="init_from needs equal"):
        train_generator(bigger, layout, tmp_path / "x", TrainConfig(arch="mlp", preset="laptop", steps=1, init_from=str(src)), progress=False)


def test_cli_train_with_conditioning_masks(tmp_path, capsys):
    suite = get_suite("composuite")
    rng = np.random.default_rng(0)
    for t in (TASK_A, TASK_B):
        _write_dataset(tmp_path / "data", suite, suite.parse(t), rng)
    args = ["train", "--data", str(tmp_path / "data"), "--tasks", f"{TASK_A},{TASK_B}", "--suite", "composuite", "--preset", "tiny"]
    assert main([*args, "--arch", "mlp", "--cond-masks", "0.5", "--out", str(tmp_path / "run")]) == 0
    assert read_config(tmp_path / "run")["preset"]["cond_masks"] == 0.5 and Generator.load(tmp_path / "run").mask_trained
    capsys.readouterr()
    assert main([*args, "--arch", "sc-dit", "--cond-masks", "0.5", "--out", str(tmp_path / "sc")]) != 0
    err = capsys.readouterr().err
    assert "cond_masks" in err and len(err.strip().splitlines()) == 1


def test_terminals_without_success_are_cleared_only_where_training_saw_none(tmp_path, layout):
    """A generator whose data never ended without success treats such terminals as noise; one that saw failures keeps them."""
    from compogen.data import Transitions

    failing = make_pool(layout)  # random terminals at random rewards: failures
    t = failing.terminals
    succeeding = Transitions(
        failing.observations,
        failing.actions,
        np.where(t, 1.0, 0.5 * failing.rewards).astype(np.float32),  # every terminal pays the success reward
        failing.next_observations,
        t,
        task_index=failing.task_index,
        tasks=failing.tasks,
    )
    for name, pool, keeps in (("failing", failing, True), ("succeeding", succeeding, False)):
        run = train_generator(pool, layout, tmp_path / name, TrainConfig(arch="mlp", preset="tiny", seed=0, steps=4), progress=False)
        assert read_config(run)["training"]["data"]["failure_terminals"] == (int((t & (pool.rewards < 1)).sum()) if keeps else 0)
        assert Generator.load(run).bounds.failure_terminals is keeps
        # what leaves the generator: rows with a terminal at a dense reward and at the success reward
        rew, term = np.array([0.3, 1.0], np.float32), np.array([1.0, 1.0], np.float32)
        flat = layout.pack(pool.observations[:2], pool.actions[:2], rew, pool.next_observations[:2], term)
        cols, counts = Generator.load(run).unpack(flat, layout.space.parse(UNSEEN))
        assert cols["terminals"].tolist() == [keeps, True] and counts["terminals_cleared"] == (0 if keeps else 1)
