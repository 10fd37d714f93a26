"""Generator checkpoints: one directory, loadable without executing code.

Layout of a run directory::

    config.json        architecture, preset, EDM settings, layout, suite, normalizer,
                       training-data summary, compogen version, step, file sizes + sha256
    ema.safetensors    EMA weights (used for sampling)
    model.safetensors  raw weights (resume)
    optimizer.pt       optimizer + LR-scheduler state + RNG states
                       (``torch.load(weights_only=True)``)
    best.safetensors   while a run that keeps tasks out for early stopping trains: the EMA
                       weights of their lowest loss so far (at the run's end they become
                       ema.safetensors and this file goes)

Files are first written to a hidden staging directory inside the run directory
(:func:`compogen.io.atomic_files`) and then renamed into place, ``config.json``
last, so a reader never sees a new config pointing at half-written weights; the
staging directories of interrupted writes are removed by the next write. :func:`read_checkpoint` checks sizes,
hashes, keys and shapes and raises :class:`~compogen.errors.CheckpointError`
naming the file and the problem.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from compogen.data.normalizer import Normalizer
from compogen.errors import CheckpointError, CompogenError
from compogen.generator.architectures import build_denoiser, check_arch
from compogen.generator.dit import upgrade_state_dict
from compogen.generator.edm import EDMConfig, EDMDenoiser
from compogen.generator.presets import GeneratorPreset
from compogen.io import atomic_files, file_sha256
from compogen.layouts.transition import TransitionLayout
from compogen.registry import UnknownName

__all__ = ["CONFIG", "Checkpoint", "FORMAT", "compogen_version", "has_checkpoint", "read_checkpoint", "write_checkpoint", "read_config"]

FORMAT = "compogen-generator"
FORMAT_VERSION = 1
CONFIG = "config.json"
EMA = "ema.safetensors"
MODEL = "model.safetensors"
OPTIMIZER = "optimizer.pt"
BEST = "best.safetensors"
STAGING = "ckpt"
"""Tag of the staging folders of a write (``.ckpt.<pid>.*.tmp`` in the run directory; never read as a checkpoint)."""
_REQUIRED = ("format", "format_version", "arch", "preset", "edm", "layout", "normalizer", "step", "files")


def compogen_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("compogen")
    except PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def has_checkpoint(run_dir: str | os.PathLike) -> bool:
    return (Path(run_dir) / CONFIG).is_file()


@dataclass
class Checkpoint:
    """A loaded checkpoint: config plus the networks (and training state if asked)."""

    dir: Path
    config: dict[str, Any]
    layout: TransitionLayout
    normalizer: Normalizer
    preset: GeneratorPreset
    edm: EDMConfig
    ema: EDMDenoiser
    model: EDMDenoiser | None = None
    train_state: dict[str, Any] | None = None
    best: EDMDenoiser | None = None
    """With the training state of an unfinished early-stopping run: the EMA weights of the lowest kept-out loss so far."""

    @property
    def arch(self) -> str:
        return self.config["arch"]

    @property
    def step(self) -> int:
        return int(self.config["step"])


def _contiguous(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().contiguous().cpu() for k, v in sd.items()}


def write_checkpoint(
    run_dir: str | os.PathLike,
    config: dict[str, Any],
    model: EDMDenoiser,
    ema: EDMDenoiser,
    train_state: dict[str, Any] | None,
    best: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write weights, training state, the early-stopping pick ``best`` (a state dict) when given, and
    ``config.json`` (completed with file hashes) atomically; a file not given is removed."""
    run_dir = Path(run_dir)
    for legacy in run_dir.glob(".ckpt-*"):  # staging folders of older versions' interrupted writes
        if legacy.is_dir() and not legacy.is_symlink():
            shutil.rmtree(legacy, ignore_errors=True)
    removed = ([OPTIMIZER] if train_state is None else []) + ([BEST] if best is None else [])
    with atomic_files(run_dir, STAGING, last=(CONFIG,), remove=removed) as tmp:  # config last: it commits the new files
        meta = {"format": FORMAT, "arch": str(config["arch"]), "step": str(config["step"])}
        save_file(_contiguous(ema.state_dict()), tmp / EMA, metadata=meta)
        save_file(_contiguous(model.state_dict()), tmp / MODEL, metadata=meta)
        names = [EMA, MODEL]
        if best is not None:
            save_file(_contiguous(best), tmp / BEST, metadata=meta)
            names.append(BEST)
        if train_state is not None:
            torch.save(train_state, tmp / OPTIMIZER)
            names.append(OPTIMIZER)
        files = {n: {"bytes": (tmp / n).stat().st_size, "sha256": file_sha256(tmp / n)} for n in names}
        cfg = {"format": FORMAT, "format_version": FORMAT_VERSION, **config, "files": files}
        (tmp / CONFIG).write_text(json.dumps(cfg, indent=1) + "\n")
    return run_dir


def read_config(run_dir: str | os.PathLike) -> dict[str, Any]:
    """``config.json`` of a run, validated; :class:`CheckpointError` when missing or malformed."""
    path = Path(run_dir) / CONFIG
    if not Path(run_dir).is_dir():
        raise CheckpointError(f"{run_dir}: no such model directory")
    if not path.is_file():
        raise CheckpointError(f"{path}: missing (not a compogen generator checkpoint)")
    try:
        cfg = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise CheckpointError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(cfg, dict):
        raise CheckpointError(f"{path}: expected a JSON object")
    missing = [k for k in _REQUIRED if k not in cfg]
    if missing:
        raise CheckpointError(f"{path}: missing keys {missing}")
    if cfg["format"] != FORMAT or cfg["format_version"] != FORMAT_VERSION:
        raise CheckpointError(f"{path}: format {cfg['format']!r} v{cfg['format_version']}, expected {FORMAT!r} v{FORMAT_VERSION}")
    for key, kind in (("edm", dict), ("layout", dict), ("normalizer", dict), ("preset", dict), ("files", dict), ("step", int)):
        if not isinstance(cfg[key], kind) or isinstance(cfg[key], bool):
            raise CheckpointError(f"{path}: {key!r} must be a JSON {'object' if kind is dict else 'integer'}, got {cfg[key]!r}")
    try:
        check_arch(cfg["arch"])
    except UnknownName as e:
        raise CheckpointError(f"{path}: {e}") from None
    return cfg


def _check_file(run_dir: Path, name: str, cfg: dict[str, Any]) -> Path:
    path = run_dir / name
    info = cfg["files"].get(name)
    if not isinstance(info, dict):
        raise CheckpointError(f"{run_dir / CONFIG}: does not list {name} (bytes and sha256)")
    if not path.is_file():
        raise CheckpointError(f"{path}: missing")
    size = path.stat().st_size
    if size != info.get("bytes"):
        raise CheckpointError(f"{path}: {size} bytes, config.json says {info.get('bytes')} (truncated or replaced)")
    if file_sha256(path) != info.get("sha256"):
        raise CheckpointError(f"{path}: sha256 does not match config.json (corrupt)")
    return path


def _load_weights(path: Path, net: EDMDenoiser) -> None:
    try:
        sd = load_file(path)
    except Exception as e:  # noqa: BLE001 -- safetensors raises its own error types; any read failure is a bad checkpoint
        raise CheckpointError(f"{path}: cannot read safetensors ({e})") from None
    sd = upgrade_state_dict(sd)
    want = net.state_dict()
    missing, extra = sorted(set(want) - set(sd)), sorted(set(sd) - set(want))
    if missing or extra:
        raise CheckpointError(f"{path}: weights do not match the architecture in config.json (missing {missing[:3]}, unexpected {extra[:3]})")
    bad = [(k, list(sd[k].shape), list(want[k].shape)) for k in want if sd[k].shape != want[k].shape]
    if bad:
        k, got, exp = bad[0]
        raise CheckpointError(
            f"{path}: weights do not match the architecture in config.json ({k} has shape {got}, the architecture needs {exp}; {len(bad)} mismatched tensors)"
        )
    net.load_state_dict(sd)


def read_checkpoint(
    run_dir: str | os.PathLike,
    with_training_state: bool = False,
    arch: str | None = None,
    layout: TransitionLayout | None = None,
    device: str | torch.device = "cpu",
) -> Checkpoint:
    """Load a run directory. ``arch``/``layout``, when given, must match the checkpoint's."""
    run_dir = Path(run_dir)
    cfg = read_config(run_dir)
    cpath = run_dir / CONFIG
    if arch is not None and cfg["arch"] != arch:
        raise CheckpointError(f"{cpath}: architecture is {cfg['arch']!r}, expected {arch!r}")
    try:
        lay = TransitionLayout.from_dict(cfg["layout"])
        norm = Normalizer.from_dict(cfg["normalizer"])
        preset = GeneratorPreset.from_dict(cfg["preset"])
        edm = EDMConfig(**cfg["edm"])
    except (CompogenError, TypeError, KeyError, ValueError) as e:
        raise CheckpointError(f"{cpath}: bad layout/normalizer/preset/edm entry ({e})") from None
    if layout is not None and lay != layout:
        raise CheckpointError(f"{cpath}: transition layout differs from the data's ({lay!r} vs {layout!r})")
    if norm.mean.shape != (lay.dim,):
        raise CheckpointError(f"{cpath}: normalizer has {norm.mean.shape[0]} dims, layout has {lay.dim}")
    ema = build_denoiser(cfg["arch"], lay, preset, edm)
    _load_weights(_check_file(run_dir, EMA, cfg), ema)
    ema.to(device).eval().requires_grad_(False)
    ck = Checkpoint(run_dir, cfg, lay, norm, preset, edm, ema)
    if with_training_state:
        model = build_denoiser(cfg["arch"], lay, preset, edm)
        _load_weights(_check_file(run_dir, MODEL, cfg), model)
        opath = _check_file(run_dir, OPTIMIZER, cfg)
        try:
            ck.train_state = torch.load(opath, map_location="cpu", weights_only=True)
        except Exception as e:  # noqa: BLE001 -- torch.load fails with many types (unpickling, EOF, runtime); all mean a bad file
            raise CheckpointError(f"{opath}: cannot load optimizer state ({e})") from None
        ck.model = model.to(device)
        if BEST in cfg["files"]:
            best = build_denoiser(cfg["arch"], lay, preset, edm)
            _load_weights(_check_file(run_dir, BEST, cfg), best)
            ck.best = best.to(device).eval().requires_grad_(False)
    return ck
