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
from compogen.generator.architectures import ARCHITECTURES, build_denoiser, check_arch
from compogen.generator.checkpoint import compogen_version, has_checkpoint, read_checkpoint, write_checkpoint
from compogen.generator.early_stop import SCORED_ROWS, denoising_loss, fixed_draws, split_kept_out
from compogen.generator.edm import EDMConfig
from compogen.generator.minibatch import Minibatches, iter_packed
from compogen.generator.optim import AbsentElementGuard, make_adamw, update_ema
from compogen.generator.presets import GeneratorPreset, get_preset
from compogen.layouts.transition import TransitionLayout
from compogen.progress import bar as tqdm
from compogen.suites.base import SUCCESS_REWARD

__all__ = ["TrainConfig", "conditioning_masks", "data_summary", "factor_dropout", "fit_normalizer", "iter_packed", "train_generator", "update_ema"]


def fit_normalizer(pool: Transitions, layout: TransitionLayout) -> Normalizer:
    """Per-dim standardisation fitted on the whole pool; ``done`` left as is."""
    return Normalizer.fit(iter_packed(pool, layout), skip=layout.d)


def data_summary(pool: Transitions, layout: TransitionLayout) -> dict[str, Any]:
    """Tasks and row counts, and the terminals without the success reward (failures; none means the generator's own
    such terminals are noise, :class:`~compogen.data.conform.SpaceBounds`), recorded in the checkpoint."""
    counts = pool.counts()
    return {
        "transitions": len(pool),
        "tasks": {layout.space.task_id(t): int(c) for t, c in counts.items()},
        "failure_terminals": int((pool.terminals & (pool.rewards < SUCCESS_REWARD)).sum()),
    }


def _same_data(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two :func:`data_summary` records name the same data (a record of an older version lacks the failure count)."""
    return all(a.get(k) == b.get(k) for k in ("transitions", "tasks"))


def _lr_lambda(preset: GeneratorPreset):
    total, warm = preset.steps, preset.warmup_steps

    def f(k: int) -> float:
        if k < warm:
            return (k + 1) / warm
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (k - warm) / max(1, total - warm))))

    return f


def factor_dropout(cond: torch.Tensor, blocks: list[tuple[int, int]], p: float, generator: torch.Generator) -> torch.Tensor:
    """``cond`` with each row's one-hot block ``(offset, size)`` zeroed with probability ``p`` (independently
    per row and block); draws from ``generator`` on the CPU, so a run is the same on every device."""
    keep = (torch.rand((cond.shape[0], len(blocks)), generator=generator) >= p).to(device=cond.device, dtype=cond.dtype)
    sizes = torch.tensor([n for _, n in blocks], device=cond.device)
    return cond * keep.repeat_interleave(sizes, dim=1)


def conditioning_masks(n: int, layout: TransitionLayout, p: float, generator: torch.Generator) -> torch.Tensor:
    """Known dims (bool ``[n, dim]``) of conditioning-mask training: each row independently gets, with probability
    ``p / 2`` each, ``s`` known or ``s`` and ``a`` known, else nothing (the joint loss); drawn on the CPU from
    ``generator``."""
    u = torch.rand(n, generator=generator)
    known = torch.zeros((n, layout.dim), dtype=torch.bool)
    known[:, layout.s] = (u < p)[:, None]
    known[:, layout.a] = (u < p / 2)[:, None]
    return known


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
    keep_out: int = 0
    """Early stopping without target data: this many training tasks are kept out of the data (drawn by ``seed``
    among those whose removal loses no element), their denoising loss is scored every ``keep_out_every`` steps
    and the run ends with the EMA weights of the lowest (:mod:`compogen.generator.early_stop`). Measured in
    ``benchmarks/results/generator_heldout.md`` with 2 kept-out tasks: it picks the MLP's best held-out step, but
    stops the 256-wide sc-dit early (step 600 against its best 1,500; still better than its last step).
    0: train on every task and keep the last EMA."""
    keep_out_every: int = 250
    """Steps between scorings of the kept-out tasks."""
    init_from: str | None = None
    """A trained generator's directory whose EMA weights and normaliser start this run (a warm start: the
    optimiser, schedule and EMA warm-up start fresh; architecture, sizes and layout must match). The loop's
    ``generator_init="previous"``. None: a fresh initialisation from ``seed``."""


@dataclass
class _Session:
    """What a training run carries from step to step (fresh, or resumed from a checkpoint)."""

    arch: str
    preset: GeneratorPreset
    config: TrainConfig
    seed: int
    normalizer: Normalizer
    model: nn.Module
    ema: nn.Module
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LambdaLR
    guard: AbsentElementGuard
    gen: torch.Generator
    start: int
    loss_log: list
    #: ``(offset, size)`` of each axis' one-hot block in the task indicator (factor dropout).
    blocks: list[tuple[int, int]]
    #: The transitions' layout (conditioning masks).
    layout: TransitionLayout
    #: Early stopping (``keep_out > 0``): the record kept in config.json (kept-out tasks, curve, best step and loss)
    #: and the EMA weights of the best step so far.
    early: dict[str, Any] | None = None
    best: dict[str, torch.Tensor] | None = None


def _check_resumable(cfg: dict[str, Any], preset: GeneratorPreset, summary: dict[str, Any], out_dir: Path) -> None:
    if cfg["preset"] != preset.to_dict():
        raise CheckpointError(
            f"{out_dir / 'config.json'}: preset differs from the requested one ({cfg['preset'].get('name')} vs {preset.name}); use another --out or resume=False"
        )
    if not _same_data(cfg.get("training", {}).get("data") or {}, summary):
        raise CheckpointError(
            f"{out_dir / 'config.json'}: checkpoint was trained on other data ({len(cfg.get('training', {}).get('data', {}).get('tasks', {}))} tasks); use another --out or resume=False"
        )


def _open_session(
    pool: Transitions, layout: TransitionLayout, out_dir: Path, config: TrainConfig, preset: GeneratorPreset, summary: dict[str, Any], resume: bool
) -> _Session:
    """A fresh model, or the checkpoint in ``out_dir`` (checked against the request), with its optimiser state."""
    arch, seed = config.arch, config.seed
    gen = torch.Generator().manual_seed(int(seed))
    ck = read_checkpoint(out_dir, with_training_state=True, arch=arch, layout=layout) if resume and has_checkpoint(out_dir) else None
    if ck is not None:
        _check_resumable(ck.config, preset, summary, out_dir)
        normalizer, model, ema = ck.normalizer, ck.model, ck.ema
        ema.requires_grad_(False)
        start, seed = ck.step, ck.config["training"]["seed"]
        loss_log = list(ck.config["training"].get("loss_log", []))
        early = ck.config["training"].get("early_stop")
    elif config.init_from is not None:
        normalizer, model = _warm_start(Path(config.init_from), arch, layout, preset, config.edm)
        ema = copy.deepcopy(model).requires_grad_(False)
        start, loss_log, early = 0, [], None
    else:
        normalizer = fit_normalizer(pool, layout)
        with torch.random.fork_rng():
            torch.manual_seed(int(seed))
            model = build_denoiser(arch, layout, preset, config.edm)
        ema = copy.deepcopy(model).requires_grad_(False)
        start, loss_log, early = 0, [], None
    model.to(config.device).train()
    ema.to(config.device).eval()
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
    sp = layout.space
    blocks = [(o, len(e)) for o, e in zip(sp.indicator_offsets(), sp.elements, strict=True)]
    best = {k: v.clone() for k, v in ck.best.state_dict().items()} if ck is not None and ck.best is not None else None
    return _Session(arch, preset, config, int(seed), normalizer, model, ema, opt, sched, guard, gen, start, loss_log, blocks, layout, early, best)


def _warm_start(src: Path, arch: str, layout: TransitionLayout, preset: GeneratorPreset, edm: EDMConfig) -> tuple[Normalizer, nn.Module]:
    """The normaliser and a trainable copy of the EMA weights of the generator in ``src``.

    The normaliser is kept, not refit: the weights were learnt in its coordinates (a refit on a grown pool
    would shift every input the network has learnt)."""
    ck = read_checkpoint(src, arch=arch, layout=layout)
    if ck.preset.to_dict() | {"steps": 0} != preset.to_dict() | {"steps": 0} or ck.edm != edm:  # only the budget may differ
        raise CheckpointError(
            f"{src / 'config.json'}: preset or noise settings differ from this run's ({ck.preset.name!r} vs {preset.name!r}); init_from needs equal ones"
        )
    return ck.normalizer, copy.deepcopy(ck.ema).requires_grad_(True)


def _save(s: _Session, out_dir: Path, layout: TransitionLayout, summary: dict[str, Any], suite: str | None, step: int) -> None:
    """Checkpoint ``s`` at ``step`` (its config.json records what :func:`_open_session` checks on resume)."""
    record = {
        "arch": s.arch,
        "preset": s.preset.to_dict(),
        "edm": s.config.edm.to_dict(),
        "layout": layout.to_dict(),
        "suite": suite,
        "normalizer": s.normalizer.to_dict(),
        "training": {
            "data": summary,
            "seed": s.seed,
            "bf16": bool(s.config.bf16),
            "loss_log": s.loss_log,
            **({"init_from": str(s.config.init_from)} if s.config.init_from else {}),
            **({"early_stop": s.early} if s.early is not None else {}),
        },
        "compogen_version": compogen_version(),
        "step": int(step),
    }
    state = {"optimizer": s.opt.state_dict(), "scheduler": s.sched.state_dict(), "rng": s.gen.get_state(), "step": int(step)}
    finished = step >= s.preset.steps
    write_checkpoint(out_dir, record, s.model, s.ema, state, best=None if finished else s.best)


class _EarlyStop:
    """Scores the EMA on the kept-out tasks and keeps the best weights in the session; at the end of the
    budget the best weights become the EMA (what is sampled)."""

    def __init__(self, s: _Session, kept: Transitions, layout: TransitionLayout, config: TrainConfig):
        self.s = s
        ids = [layout.space.task_id(t) for t in kept.tasks]
        if s.early is None:
            s.early = {"tasks": ids, "every": config.keep_out_every, "curve": [], "best_step": None, "best_loss": None}
        elif s.early.get("tasks") != ids:
            raise CheckpointError(f"checkpoint kept out {s.early.get('tasks')}, this run keeps out {ids}; use another --out or resume=False")
        self.draws = fixed_draws(kept, layout, s.normalizer, SCORED_ROWS, config.seed, config.edm)

    def score(self, step: int) -> None:
        s, early = self.s, self.s.early
        loss = denoising_loss(s.ema, self.draws)
        early["curve"].append([step, loss])
        if early["best_loss"] is None or loss < early["best_loss"]:
            early["best_step"], early["best_loss"] = step, loss
            s.best = {k: v.detach().clone() for k, v in s.ema.state_dict().items()}
        if step >= s.preset.steps and s.best is not None:
            s.ema.load_state_dict(s.best)  # the run ends with the pick: ema.safetensors holds it, best.safetensors goes


def _step(s: _Session, x0: torch.Tensor, cond: torch.Tensor, step: int) -> float:
    """One update of ``s`` on ``(x0, cond)`` (loss, backward, clip, AdamW with the absent-element guard,
    schedule, EMA); ``step`` is the number of updates before this one. Returns the loss."""
    if s.preset.cond_dropout > 0:
        cond = factor_dropout(cond, s.blocks, s.preset.cond_dropout, s.gen)
    known = conditioning_masks(len(x0), s.layout, s.preset.cond_masks, s.gen).to(x0.device) if s.preset.cond_masks > 0 else None
    loss = s.model.loss(x0, cond, generator=s.gen, autocast_bf16=s.config.bf16, known=known)
    if not torch.isfinite(loss):
        raise DataError(f"training loss became {loss.item()} at step {step} (check the data or lower the learning rate)")
    s.opt.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_([p for p in s.model.parameters() if p.grad is not None], s.preset.grad_clip)
    s.guard.step(cond)
    s.sched.step()
    update_ema(s.ema, s.model, min(s.preset.ema_decay, (2 + step) / (11 + step)))
    return loss.item()


def train_generator(
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
    check_arch(config.arch)
    preset = get_preset(config.preset).override(steps=config.steps)
    if preset.steps < 1:
        raise CompogenError(f"steps must be >= 1, got {preset.steps}")
    if preset.cond_masks > 0 and ARCHITECTURES[config.arch].family != "mlp":
        raise CompogenError(f"cond_masks={preset.cond_masks}: only the mlp takes a conditioning mask; use 0 for {config.arch}")
    if preset.cond_dropout > 0 and ARCHITECTURES[config.arch].tokenizer == "compositional":
        raise CompogenError(f"cond_dropout={preset.cond_dropout}: {config.arch} reads each axis' element from the task indicator; use 0")
    out_dir = Path(out_dir)
    _check_pool(pool, layout)
    if config.keep_out_every < 1:
        raise CompogenError(f"keep_out_every must be >= 1, got {config.keep_out_every}")
    kept = None
    if config.keep_out:
        pool, kept = split_kept_out(pool, config.keep_out, config.seed)
    summary = data_summary(pool, layout)
    s = _open_session(pool, layout, out_dir, config, preset, summary, resume)
    stopper = _EarlyStop(s, kept, layout, config) if kept is not None else None
    batches = Minibatches(pool, layout, s.normalizer, config.device)
    end = preset.steps if stop_at is None else min(int(stop_at), preset.steps)
    bar = tqdm(total=end, initial=s.start, desc=f"train {config.arch}/{preset.name}", disable=not progress, dynamic_ncols=True)
    running, count = 0.0, 0
    step = s.start
    while step < end:
        idx = np.sort(torch.randint(len(pool), (preset.batch_size,), generator=s.gen).numpy())
        running += _step(s, *batches.batch(idx), step)
        step, count = step + 1, count + 1
        if step % config.log_every == 0 or step == end:
            s.loss_log.append([step, running / count])
            bar.set_postfix(loss=f"{running / count:.4f}", lr=f"{s.sched.get_last_lr()[0]:.2e}")
            running, count = 0.0, 0
        bar.update(1)
        if stopper is not None and (step % config.keep_out_every == 0 or step == preset.steps):
            stopper.score(step)
        if step % preset.checkpoint_every == 0 or step == end:
            _save(s, out_dir, layout, summary, suite, step)
    bar.close()
    if not has_checkpoint(out_dir):  # nothing to do (e.g. steps already reached): still leave a checkpoint
        _save(s, out_dir, layout, summary, suite, step)
    return out_dir
