"""Settings of a self-improvement run (Algorithm 1) and its named presets."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from compogen.config import Config
from compogen.errors import CompogenError
from compogen.loop.executor import EXECUTORS
from compogen.loop.schedule import ThresholdSchedule
from compogen.registry import Registry
from compogen.rl.rollout import CollectConfig

if TYPE_CHECKING:
    from compogen.generator.presets import GeneratorPreset

__all__ = ["DEFAULT_ARCH", "GENERATOR_INITS", "LoopConfig", "LOOP_PRESETS", "SYNTHESES", "loop_preset"]

DEFAULT_ARCH = "sc-dit"
"""The denoiser used where none is named: ``compogen train --arch`` and :class:`LoopConfig` (the loop presets
name their own). Set here only, from what the benchmarks show best (the compositional comparison decides it)."""

#: What a round writes per target task (:attr:`LoopConfig.synthesis`).
SYNTHESES = ("transitions", "episodes")


#: Where a round's generator starts (:attr:`LoopConfig.generator_init`).
GENERATOR_INITS = ("scratch", "previous")


@dataclass(frozen=True)
class LoopConfig(Config):
    """Everything that decides what a run computes (the run directory stores it)."""

    suite: str = "builtin"
    """Suite name (``builtin`` or ``composuite``)."""
    data: str = "data"
    """Root of the real datasets (``<data>/expert/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5``)."""
    train: str = "iiwa:train14"
    """Split spec of the tasks with real data."""
    targets: str | None = None
    """Tasks to generate for; default: the split's other tasks (for ``iiwa:train14``: 18 middle + 32 test)."""
    eval: str | None = None
    """Tasks the metrics average over (held-out tasks); default: the targets when given, else the split's test part."""
    iterations: int = 5
    """Maximum number of rounds (the paper's K + 1)."""
    # Algorithm 1's threshold schedule, flat so that config.json and the CLI name them directly;
    # defaults and meaning live in ThresholdSchedule (the paper's Table 4).
    tau0: float = ThresholdSchedule.tau0
    """τ0: see :class:`ThresholdSchedule`."""
    tau_min: float = ThresholdSchedule.tau_min
    """τ_min: see :class:`ThresholdSchedule`."""
    delta_tau: float = ThresholdSchedule.delta_tau
    """Δτ: see :class:`ThresholdSchedule`."""
    patience: int = ThresholdSchedule.patience
    """C: see :class:`ThresholdSchedule`."""
    arch: str = DEFAULT_ARCH
    """Denoiser architecture: mlp, dit, semantic-dit, sc-dit."""
    generator_preset: str = "small"
    """Generator size/training preset (see compogen.generator presets)."""
    generator_changes: str = ""
    """Changes to the generator preset's fields, ``"field=value,..."`` (e.g. ``dit_hidden=256``, the sc-dit with
    the MLP's parameter count in ``benchmarks/results/zero_shot_eqparams.md``); empty keeps the preset."""
    generator_steps: int | None = None
    """Override the generator preset's training steps."""
    generator_keep_out: int = 0
    """Early stopping of each round's generator: this many pool tasks are kept out of its data and it ends
    with the EMA of their lowest denoising loss (``TrainConfig.keep_out``). 0 (every preset): train on the
    whole pool, keep the last EMA; not yet measured in the loop."""
    scale_generator_steps: bool = False
    """Scale the round's training steps by (pool tasks / real tasks), so that each task of a pool grown by
    admitted datasets gets as many updates as in round 0 (more steps per task decide fidelity:
    ``benchmarks/results/generator_sweep.md``). Measured in full ``standard`` runs with two loop seeds
    (``loop_init_scale_s1.md``): 15 / 9 admitted against the plain run's 12 / 9, best-so-far 0.567 against 0.556 on
    average, fewer tasks solved at least once (23.5 against 27.5): off in every preset."""
    generator_init: str = "scratch"
    """Where round k's generator starts: ``"scratch"`` (Algorithm 1, every preset: a fresh initialisation on the
    grown pool) or ``"previous"`` (round k-1's weights and normaliser, the same candidate's; a warm start,
    ``TrainConfig.init_from``). Measured worse than scratch in a full ``standard`` run (``loop_init_scale.md``: 11
    admitted against 12, best-so-far 0.522 against 0.588)."""
    generators: int = 1
    """Candidate generators per round: each is trained on the same pool with its own seed and makes its own
    dataset for every unsolved target; all are validated and a target's round result is its best candidate
    (its env steps the sum over candidates). Zero-shot, one seed's datasets pass τ0 on 4-15 held-out tasks
    and the union over seeds on 12-16 per architecture (``benchmarks/results/loop_limits.md``); costs this
    many trainings, samplings and validations per round. Measured once (``loop_arch.md``, standard, MLP): 2 ended
    at best-so-far 0.700 with 16 admitted against 0.584 and 12, in 68.5 minutes against 33.6. 1 (every preset):
    one generator."""
    device: str = "cpu"
    """Torch device of generator training and sampling and of the batched validator (``cuda`` on a GPU
    machine: the noise is device-independent, so a seed samples the same data up to float rounding)."""
    bf16: bool = False
    """bf16 autocast for generator training and sampling (measured slower than fp32 for the small presets on a 2-core CPU)."""
    samples_per_task: int = 20_000
    """Synthetic transitions generated per target task and round (paper: 1M)."""
    synthesis: str = "transitions"
    """What a round generates per target task: ``transitions``, ``samples_per_task`` independent
    transitions; ``episodes``, whole episodes chained through the generator's conditional
    (:func:`compogen.generator.generate_episodes`: initial states from the task's reset, then
    ``(a, r, s', d)`` given ``s`` until done or the horizon) until at least ``samples_per_task``
    transitions, with the same sampler, seed, bf16 and device. On 4 held-out tasks chained episodes
    validated 0.350 against 0.375 for as many independent transitions (chained >= independent on 2 of 4)
    and took about 3.5x the generation time (``benchmarks/results/episodes.md``), hence the default."""
    sampler: str = "fast"
    """``paper`` (stochastic Heun, 128 steps) or ``fast`` (deterministic few-step)."""
    sampler_steps: int | None = None
    """Sampler steps; None: the sampler's default."""
    validation_preset: str = "quick"
    """Offline-RL validation preset (see compogen.validation presets)."""
    validation_steps: int | None = None
    """Override the validation preset's gradient steps per policy."""
    algo: str | None = None
    """Validation algorithm (td3bc, bc, iql); None: the validation preset's."""
    validation_backend: str = "batched"
    """``batched`` (compogen's policies trained together) or ``d3rlpy`` (one policy at a time)."""
    rl_seeds: tuple[int, ...] = (0, 1)
    """RL seeds per task (paper: 0–4)."""
    proxy_min_mean_reward: float | None = None
    """Validate only the synthetic datasets whose mean reward (:func:`compogen.validation.proxy.data_scores`,
    read from the data alone) is at least this; a dataset below it is not validated (no simulator steps),
    scores success 0 that round and is generated again in the next, like a failed one. None validates every
    dataset. On the built-in suite's 64 race datasets, 0.2875 was the largest value that lost no admitted
    dataset, skipping 12 % of the validations (``benchmarks/results/quality_proxy.md``)."""
    seed: int = 0
    """Diffusion seed: generator training and sampling derive their seeds from it."""
    executor: str = "local"
    """Where per-task jobs run: local, ray, slurm."""
    workers: int = 2
    """Local worker processes for per-task jobs (0: in-process)."""
    retries: int = 1
    """Retries of a failing per-task job before it is marked failed."""
    # How the real data is collected when it is missing (flat, like the schedule; see :class:`CollectConfig`),
    # so that a run's config.json records how its real data was made.
    collect_episodes: int = CollectConfig.episodes
    """Expert episodes per training task."""
    collect_noise: float = CollectConfig.noise
    """Std of the Gaussian noise added to the expert's actions (state coverage)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form settings for a study's own stages (compogen's stages read none)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rl_seeds", tuple(int(s) for s in self.rl_seeds))
        if self.iterations < 1:
            raise CompogenError("iterations must be >= 1")
        if self.synthesis not in SYNTHESES:
            raise CompogenError(f"unknown synthesis {self.synthesis!r}; valid: {', '.join(SYNTHESES)}")
        x = self.proxy_min_mean_reward
        if x is not None:
            if not isinstance(x, numbers.Real) or isinstance(x, bool) or not math.isfinite(x) or x < 0:
                raise CompogenError(f"proxy_min_mean_reward must be a finite number >= 0 or None (validate everything), got {x!r}")
            object.__setattr__(self, "proxy_min_mean_reward", float(x))
        _ = self.schedule  # validates τ settings
        _ = self.collect  # validates the collection settings

    @property
    def generator(self) -> GeneratorPreset:
        """The generator preset with :attr:`generator_changes` applied (renamed ``<preset>*`` when changed)."""
        from compogen.generator.presets import GeneratorPreset, get_preset

        changes = GeneratorPreset.parse_changes(self.generator_changes)
        if "name" in changes:
            raise CompogenError("generator_changes: the preset is named by generator_preset, not changed")
        base = get_preset(self.generator_preset)
        return base.replace(**changes, name=f"{base.name}*") if changes else base

    @property
    def schedule(self) -> ThresholdSchedule:
        try:
            return ThresholdSchedule(**{f.name: getattr(self, f.name) for f in fields(ThresholdSchedule)})
        except ValueError as e:
            raise CompogenError(str(e)) from None

    @property
    def collect(self) -> CollectConfig:
        """The collection settings as :class:`~compogen.rl.rollout.CollectConfig` (seeded by :attr:`seed`)."""
        if self.collect_episodes < 1 or self.collect_noise < 0:
            raise CompogenError(f"need collect_episodes >= 1 and collect_noise >= 0, got {self.collect_episodes} and {self.collect_noise}")
        return CollectConfig(episodes=self.collect_episodes, noise=self.collect_noise, seed=self.seed)

    def check(self) -> LoopConfig:
        """Check every name (architecture, presets, sampler, executor, algorithm) before anything is written."""
        from compogen.devices import check_device
        from compogen.generator.architectures import check_arch
        from compogen.generator.samplers import get_sampler
        from compogen.validation import BACKENDS
        from compogen.validation import preset as validation_preset

        check_arch(self.arch)
        check_device(self.device, "device")
        _ = self.generator  # the preset's name and the changes' fields and values
        get_sampler(self.sampler, self.sampler_steps)
        validation_preset(self.validation_preset, **({"algo": self.algo} if self.algo else {}))
        if self.validation_backend not in BACKENDS:
            raise CompogenError(f"unknown validation_backend {self.validation_backend!r}; valid: {', '.join(BACKENDS)}")
        if self.executor not in EXECUTORS:
            raise CompogenError(f"unknown executor {self.executor!r}; valid: {', '.join(EXECUTORS)}")
        for name in ("samples_per_task", "generators", "retries", "workers", "generator_keep_out"):
            low = 1 if name in ("samples_per_task", "generators") else 0
            if not isinstance(getattr(self, name), int) or getattr(self, name) < low:
                raise CompogenError(f"{name} must be an integer >= {low}, got {getattr(self, name)!r}")
        if not self.rl_seeds:
            raise CompogenError("rl_seeds: give at least one RL seed")
        if self.generator_init not in GENERATOR_INITS:
            raise CompogenError(f"unknown generator_init {self.generator_init!r}; valid: {', '.join(GENERATOR_INITS)}")
        return self


_QUICK = LoopConfig(
    iterations=2,
    arch="mlp",
    generator_preset="laptop",
    samples_per_task=8_000,
    sampler_steps=20,
    validation_preset="quick",
    rl_seeds=(0,),
    targets="iiwa:test8",
    eval="iiwa:test8",
    workers=2,
)

#: ``quick``: a fresh 2-core machine, ≤ 15 minutes end to end, 8 held-out targets.
#: ``standard``: ≤ 90 minutes on 2 cores, the 32 held-out targets over 3 rounds.
#: Both use the ``mlp`` denoiser with the ``laptop`` generator preset: in the loop per architecture
#: (``benchmarks/results/loop_arch.md``) the MLP ends at best-so-far 0.584 against 0.562 for the sc-dit at
#: equal parameters (``generator_changes="dit_hidden=256"``; more admitted, 15 against 12, at 2.6x the
#: time: 86 of the standard preset's 90 minutes) and 0.487 for the lean sc-dit at equal wall-clock;
#: zero-shot the 256-wide sc-dit leads (0.526 against 0.393, ``zero_shot_eqparams.md``).
#: ``paper``: the paper's settings (Tables 1–4, sc-dit), for a GPU or a cluster.
LOOP_PRESETS: Registry[LoopConfig] = Registry(
    "loop preset",
    {
        "quick": _QUICK,
        "standard": _QUICK.replace(iterations=3, targets="iiwa:test", eval="iiwa:test"),
        "paper": LoopConfig(
            iterations=5,
            generator_preset="paper",
            bf16=False,
            samples_per_task=1_000_000,
            sampler="paper",
            validation_preset="paper",
            rl_seeds=(0, 1, 2, 3, 4),
        ),
    },
)


def loop_preset(name: str, **overrides: Any) -> LoopConfig:
    """The loop preset ``name`` with ``overrides``."""
    return LOOP_PRESETS.create(name, **overrides)
