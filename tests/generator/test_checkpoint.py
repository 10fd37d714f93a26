"""Checkpoint round trip, resume equality, corrupt or mismatched checkpoints rejected."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from compogen.errors import CheckpointError
from compogen.generator import Generator, TrainConfig, read_checkpoint, train_generator
from compogen.generator.presets import get_preset

from .conftest import TASK_A, make_pool


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from compogen.suites import get_suite

    lay = get_suite("composuite").transition_layout()
    d = tmp_path_factory.mktemp("run")
    torch.set_num_threads(1)
    train_generator(make_pool(lay), lay, d, TrainConfig(arch="sc-dit", preset="tiny", seed=1), progress=False, suite="composuite")
    return d


def _weights(d, name):
    return load_file(d / name)


def test_round_trip(run, layout):
    ck = read_checkpoint(run, with_training_state=True, arch="sc-dit", layout=layout)
    assert ck.step == get_preset("tiny").steps and ck.arch == "sc-dit"
    cfg = json.loads((run / "config.json").read_text())
    for key in ("arch", "preset", "layout", "suite", "normalizer", "training", "compogen_version", "step", "edm"):
        assert key in cfg
    assert cfg["training"]["data"]["tasks"] and cfg["suite"] == "composuite"
    sd = _weights(run, "ema.safetensors")
    for k, v in ck.ema.state_dict().items():
        assert torch.equal(v, sd[k])
    assert set(ck.train_state) >= {"optimizer", "scheduler", "rng"}
    # the EMA differs from the raw weights (EMA is really tracked)
    raw = _weights(run, "model.safetensors")
    assert any(not torch.equal(raw[k], sd[k]) for k in sd)
    # loading twice samples identically
    a = Generator.load(run).sample_flat(TASK_A, 3, "fast", steps=3)
    b = Generator.load(run).sample_flat(TASK_A, 3, "fast", steps=3)
    assert (a == b).all()


@pytest.mark.parametrize("arch", ["sc-dit", "mlp"])
def test_resume_continues_identically(tmp_path, layout, arch):
    pool = make_pool(layout)
    full, part = tmp_path / "full", tmp_path / "part"
    train_generator(pool, layout, full, TrainConfig(arch=arch, preset="tiny", seed=3), progress=False)
    train_generator(pool, layout, part, TrainConfig(arch=arch, preset="tiny", seed=3), progress=False, stop_at=2)
    assert read_checkpoint(part).step == 2
    train_generator(pool, layout, part, TrainConfig(arch=arch, preset="tiny", seed=3), progress=False)
    assert read_checkpoint(part).step == get_preset("tiny").steps
    for name in ("model.safetensors", "ema.safetensors"):
        a, b = _weights(full, name), _weights(part, name)
        assert all(torch.equal(a[k], b[k]) for k in a), name
    # and a differently seeded run does differ
    other = tmp_path / "other"
    train_generator(pool, layout, other, TrainConfig(arch=arch, preset="tiny", seed=4), progress=False)
    a, b = _weights(full, "model.safetensors"), _weights(other, "model.safetensors")
    assert any(not torch.equal(a[k], b[k]) for k in a)


def _copy(run, tmp_path):
    import shutil

    d = tmp_path / "copy"
    shutil.copytree(run, d)
    return d


def test_truncated_safetensors_rejected(run, tmp_path):
    d = _copy(run, tmp_path)
    p = d / "ema.safetensors"
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="ema.safetensors.*truncated"):
        Generator.load(d)


def test_garbage_safetensors_rejected_even_with_matching_hash(run, tmp_path):
    import hashlib

    d = _copy(run, tmp_path)
    p = d / "ema.safetensors"
    p.write_bytes(b"\x00" * 64)
    cfg = json.loads((d / "config.json").read_text())
    cfg["files"]["ema.safetensors"] = {"bytes": 64, "sha256": hashlib.sha256(b"\x00" * 64).hexdigest()}
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="ema.safetensors.*cannot read"):
        Generator.load(d)


def test_flipped_byte_rejected(run, tmp_path):
    d = _copy(run, tmp_path)
    p = d / "model.safetensors"
    b = bytearray(p.read_bytes())
    b[-5] ^= 0xFF
    p.write_bytes(bytes(b))
    with pytest.raises(CheckpointError, match="model.safetensors.*corrupt"):
        read_checkpoint(d, with_training_state=True)


def test_bad_json_rejected(run, tmp_path):
    d = _copy(run, tmp_path)
    (d / "config.json").write_text('{"arch": "sc-dit", ')
    with pytest.raises(CheckpointError, match="config.json.*JSON"):
        Generator.load(d)


def test_missing_dir_and_config(tmp_path):
    with pytest.raises(CheckpointError, match="no such model directory"):
        Generator.load(tmp_path / "nope")
    with pytest.raises(CheckpointError, match="config.json.*missing"):
        Generator.load(tmp_path)


def test_wrong_arch_rejected(run, tmp_path, layout):
    with pytest.raises(CheckpointError, match="architecture is 'sc-dit', expected 'mlp'"):
        read_checkpoint(run, arch="mlp")
    d = _copy(run, tmp_path)
    cfg = json.loads((d / "config.json").read_text())
    cfg["arch"] = "semantic-dit"  # weights are sc-dit's
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="ema.safetensors.*do not match the architecture"):
        Generator.load(d)
    cfg["arch"] = "sc-dit"
    cfg["preset"]["dit_hidden"] = 48  # shapes no longer fit
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="ema.safetensors.*shape"):
        Generator.load(d)
    cfg["arch"] = "resnet"  # the registry's one check, in the registry's words
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match=r"config.json: unknown architecture 'resnet'; valid: mlp, dit, semantic-dit, sc-dit$"):
        Generator.load(d)


def test_resume_mismatches_rejected(run, tmp_path, layout):
    d = _copy(run, tmp_path)
    pool = make_pool(layout)
    with pytest.raises(CheckpointError, match="architecture"):
        train_generator(pool, layout, d, TrainConfig(arch="mlp", preset="tiny", seed=1), progress=False)
    with pytest.raises(CheckpointError, match="preset"):
        train_generator(pool, layout, d, TrainConfig(arch="sc-dit", preset="tiny", seed=1, steps=10), progress=False)
    with pytest.raises(CheckpointError, match="other data"):
        train_generator(make_pool(layout, n=300), layout, d, TrainConfig(arch="sc-dit", preset="tiny", seed=1), progress=False)
    from compogen.data import TransitionLayout

    other = TransitionLayout(layout.space, layout.observation_layout, layout.action_dim + 1)
    with pytest.raises(CheckpointError, match="layout"):
        read_checkpoint(d, layout=other)


def test_optimizer_state_loads_without_pickle_code(run):
    # weights_only loading is what read_checkpoint uses; a pickle with code is refused

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    bad = run.parent / "evil"
    import shutil

    shutil.copytree(run, bad)
    p = bad / "optimizer.pt"
    torch.save({"x": Evil()}, p)
    cfg = json.loads((bad / "config.json").read_text())
    import hashlib

    cfg["files"]["optimizer.pt"] = {"bytes": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    (bad / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="optimizer.pt"):
        read_checkpoint(bad, with_training_state=True)


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda c: c["edm"].update(sigma_min="abc"), "sigma_min must be a finite number"),
        (lambda c: c["edm"].update(sigma_min=100.0), "sigma_min < sigma_max"),
        (lambda c: c.update(files=None), "'files' must be a JSON object"),
        (lambda c: c["files"].update({"ema.safetensors": 3}), "does not list ema.safetensors"),
        (lambda c: c.update(step="7"), "'step' must be a JSON integer"),
    ],
)
def test_malformed_config_values_rejected_with_one_clear_error(run, tmp_path, edit, needle):
    d = _copy(run, tmp_path)
    cfg = json.loads((d / "config.json").read_text())
    edit(cfg)
    (d / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match=needle):
        Generator.load(d)


def test_interrupted_writes_leave_the_checkpoint_and_their_staging_folders_are_cleared(run, tmp_path, monkeypatch):
    import shutil
    import subprocess
    import sys

    import compogen.generator.checkpoint as ckmod

    d = _copy(run, tmp_path)
    ck = read_checkpoint(d, with_training_state=True)
    config = {k: v for k, v in ck.config.items() if k not in ("format", "format_version", "files")}
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    # a writer killed mid-write (its pid is gone) left a complete-looking checkpoint in its staging
    # folder; an older version's writer left a `.ckpt-*` one
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=False, text=True).stdout)
    stale, legacy = d / f".ckpt.{dead}.abcd1234.tmp", d / ".ckpt-x1y2z3w4"
    for left in (stale, legacy):
        shutil.copytree(run, left)
    only = tmp_path / "only"  # staging folders are never read as a checkpoint
    shutil.copytree(run, only / stale.name)
    assert not ckmod.has_checkpoint(only)
    with pytest.raises(CheckpointError, match="config.json.*missing"):
        read_checkpoint(only)

    real = ckmod.save_file
    calls = []

    def fail_second(*args, **kwargs):  # the model weights fail after the EMA weights were written
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(ckmod, "save_file", fail_second)
    with pytest.raises(OSError, match="disk full"):
        ckmod.write_checkpoint(d, {**config, "step": 99}, ck.model, ck.ema, None)
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before  # untouched, no staging folder left
    assert read_checkpoint(d, with_training_state=True).step == ck.step

    monkeypatch.setattr(ckmod, "save_file", real)
    ckmod.write_checkpoint(d, {**config, "step": 99}, ck.model, ck.ema, None)  # no training state: optimizer.pt goes
    assert sorted(p.name for p in d.iterdir()) == ["config.json", "ema.safetensors", "model.safetensors"]
    assert read_checkpoint(d).step == 99
