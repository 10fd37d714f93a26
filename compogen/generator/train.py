"""Train a diffusion generator on a pool of transitions (real, synthetic or both).

>>> run = train_generator(pool, suite.transition_layout(), "runs/scdit", TrainConfig(arch="sc-dit", preset="small"))  # doctest: +SKIP

Minibatches are drawn with replacement from the pool's rows and packed on the
fly with :meth:`TransitionLayout.pack` (no flat copy of the pool). All
randomness (init, batches, noise levels, noise) derives from ``seed``; the
RNG state is checkpointed, so a resumed run ends with the same weights as an
uninterrupted one.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from compogen.config import Config
from compogen.data.normalizer import Normalizer
from compogen.data.suite_io import check_dims
from compogen.data.transitions import Transitions
from compogen.errors import CheckpointError, CompogenError, DataError
from compogen.generator.architectures import build_denoiser, check_arch
from compogen.generator.checkpoint import compogen_version, has_checkpoint, read_checkpoint, write_checkpoint
from compogen.generator.edm import EDMConfig
from compogen.generator.minibatch import Minibatches
from compogen.generator.optim import AbsentElementGuard, make_adamw, update_ema
from compogen.generator.presets import GeneratorPreset, get_preset
from compogen.layouts.transition import TransitionLayout
from compogen.progress import bar as tqdm

__all__ = ["TrainConfig", "data_summary", "fit_normalizer", "iter_packed", "train_generator", "update_ema"]


def iter_packed(pool: Transitions, layout: TransitionLayout, chunk: int = 65536) -> Iterator[np.ndarray]:
    """The pool as flat ``[s, a, r, s', d]`` chunks."""
    for i in range(0, len(pool), chunk):
        sl = slice(i, i + chunk)
        yield layout.pack(pool.observations[sl], pool.actions[sl], pool.rewards[sl], pool.next_observations[sl], pool.terminals[sl])


def fit_normalizer(pool: Transitions, layout: TransitionLayout) -> Normalizer:
    """Per-dim standardisation fitted on the whole pool; ``done`` left as is."""
    return Normalizer.fit(iter_packed(pool, layout), skip=layout.d)


def data_summary(pool: Transitions, layout: TransitionLayout) -> dict[str, Any]:
    """Tasks and row counts (recorded in the checkpoint)."""
    counts = pool.counts()
    return {"transitions": len(pool), "tasks": {layout.space.task_id(t): int(c) for t, c in counts.items()}}


def _lr_lambda(preset: GeneratorPreset):
    total, warm = preset.steps, preset.warmup_steps

    def f(k: int) -> float:
        if k < warm:
            return (k + 1) / warm
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (k - warm) / max(1, total - warm))))

    return f


def _check_pool(pool: Transitions, layout: TransitionLayout) -> None:
    if len(pool) == 0:
        raise DataError("cannot train a generator on an empty pool")
    check_dims(pool, layout.obs_dim, layout.action_dim, "pool", "the layout")
    if not pool.tasks:
        raise DataError("pool has no tasks (Transitions.tasks is empty): the generator needs each row's task")
    for t in pool.tasks:
        if t not in layout.space:
            raise DataError(f"pool task {t} is not in the layout's task space")


@dataclass(frozen=True)
class TrainConfig(Config):
    """Which generator to train and how; the data and the output folder are :func:`train_generator`'s arguments."""

    arch: str = "sc-dit"
    """Denoiser: mlp, dit, semantic-dit, sc-dit."""
    preset: str | GeneratorPreset = "small"
    """Size and budget preset (a name or a :class:`GeneratorPreset`)."""
    steps: int | None = None
    """Override the preset's step budget."""
    seed: int = 0
    """Seed of initialisation, minibatches, noise levels and noise."""
    bf16: bool = False
    """bf16 autocast (measured slower than fp32 for the small presets on a 2-core CPU)."""
    device: str = "cpu"
    """torch device."""
    edm: EDMConfig = field(default_factory=EDMConfig)
    """Noise-level settings."""
    log_every: int = 50
    """Steps between loss-log entries."""


def train_generator(  # noqa: PLR0915 -- one training loop, read top to bottom (setup, resume, steps, checkpoints)
    pool: Transitions,
    layout: TransitionLayout,
    out_dir: str | os.PathLike,
    config: TrainConfig,
    *,
    suite: str | None = None,
    resume: bool = True,
    stop_at: int | None = None,
    progress: bool = True,
) -> Path:
    """Train ``config.arch`` sized by ``config.preset`` on ``pool``; checkpoints go to ``out_dir``.

    ``stop_at`` stops (and checkpoints) early at that step, keeping the learning-rate schedule of the
    full budget, so a later call with ``resume=True`` continues identically. With ``resume`` and a
    checkpoint in ``out_dir``, training continues from it (architecture, preset, layout and data must
    match; :class:`CheckpointError` otherwise). ``suite`` is recorded in the checkpoint. Returns ``out_dir``.
    """
    arch, seed, bf16, device, edm, log_every = config.arch, config.seed, config.bf16, config.device, config.edm, config.log_every
    steps, preset = config.steps, config.preset
    check_arch(arch)
    preset = get_preset(preset).override(steps=steps)
    if preset.steps < 1:
        raise CompogenError(f"steps must be >= 1, got {preset.steps}")
    out_dir = Path(out_dir)
    _check_pool(pool, layout)
    summary = data_summary(pool, layout)
    gen = torch.Generator().manual_seed(int(seed))

    ck = read_checkpoint(out_dir, with_training_state=True, arch=arch, layout=layout) if resume and has_checkpoint(out_dir) else None
    if ck is not None:
        cfg = ck.config
        if cfg["preset"] != preset.to_dict():
            raise CheckpointError(
                f"{out_dir / 'config.json'}: preset differs from the requested one ({cfg['preset'].get('name')} vs {preset.name}); use another --out or resume=False"
            )
        if cfg.get("training", {}).get("data") != summary:
            raise CheckpointError(
                f"{out_dir / 'config.json'}: checkpoint was trained on other data ({len(cfg.get('training', {}).get('data', {}).get('tasks', {}))} tasks); use another --out or resume=False"
            )
        normalizer, model, ema = ck.normalizer, ck.model, ck.ema
        ema.requires_grad_(False)
        start = ck.step
        seed = cfg["training"]["seed"]
        loss_log = list(cfg["training"].get("loss_log", []))
    else:
        normalizer = fit_normalizer(pool, layout)
        with torch.random.fork_rng():
            torch.manual_seed(int(seed))
            model = build_denoiser(arch, layout, preset, edm)
        ema = copy.deepcopy(model).requires_grad_(False)
        start = 0
        loss_log = []
    model.to(device).train()
    ema.to(device).eval()
    opt = make_adamw(model.parameters(), lr=preset.lr(arch), weight_decay=preset.weight_decay(arch))
    guard = AbsentElementGuard(model, opt, getattr(model.backbone, "element_indices", None))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _lr_lambda(preset))
    if ck is not None:
        st = ck.train_state
        try:
            opt.load_state_dict(st["optimizer"])
            sched.load_state_dict(st["scheduler"])
            gen.set_state(st["rng"])
        except (KeyError, ValueError, RuntimeError, TypeError) as e:
            raise CheckpointError(f"{out_dir / 'optimizer.pt'}: optimizer state does not fit the model ({e})") from None

    batches = Minibatches(pool, layout, normalizer, device)
    end = preset.steps if stop_at is None else min(int(stop_at), preset.steps)
    n = len(pool)

    def config(step: int) -> dict[str, Any]:
        return {
            "arch": arch,
            "preset": preset.to_dict(),
            "edm": edm.to_dict(),
            "layout": layout.to_dict(),
            "suite": suite,
            "normalizer": normalizer.to_dict(),
            "training": {"data": summary, "seed": int(seed), "bf16": bool(bf16), "loss_log": loss_log},
            "compogen_version": compogen_version(),
            "step": int(step),
        }

    def save(step: int) -> None:
        state = {"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "rng": gen.get_state(), "step": int(step)}
        write_checkpoint(out_dir, config(step), model, ema, state)

    bar = tqdm(total=end, initial=start, desc=f"train {arch}/{preset.name}", disable=not progress, dynamic_ncols=True)
    running, count = 0.0, 0
    step = start
    while step < end:
        idx = np.sort(torch.randint(n, (preset.batch_size,), generator=gen).numpy())
        x0, cond = batches.batch(idx)
        loss = model.loss(x0, cond, generator=gen, autocast_bf16=bf16)
        if not torch.isfinite(loss):
            raise DataError(f"training loss became {loss.item()} at step {step} (check the data or lower the learning rate)")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], preset.grad_clip)
        guard.step(cond)
        sched.step()
        step += 1
        update_ema(ema, model, min(preset.ema_decay, (1 + step) / (10 + step)))
        running += loss.item()
        count += 1
        if step % log_every == 0 or step == end:
            loss_log.append([step, running / count])
            bar.set_postfix(loss=f"{running / count:.4f}", lr=f"{sched.get_last_lr()[0]:.2e}")
            running, count = 0.0, 0
        bar.update(1)
        if step % preset.checkpoint_every == 0 or step == end:
            save(step)
    bar.close()
    if not has_checkpoint(out_dir):  # nothing to do (e.g. steps already reached): still leave a checkpoint
        save(step)
    return out_dir
