"""The three stages of a round, as Algorithm 1 uses them: train, generate, validate.

:class:`DiffusionStages` is the real pipeline (EDM generator + offline-RL
validation). A study swaps in its own class in code, ``run_loop(config, out,
stages=MyStages)`` (never by a name in a file); the tests use cheap stand-ins.
Every stages class has the methods of :class:`Stages`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from compogen.data import Transitions
from compogen.tasks import Task

__all__ = ["DiffusionStages", "Stages", "round_steps"]


class Stages(Protocol):
    """What the runner calls; a class is built as ``cls(config, suite)`` (in each worker process)."""

    def train(self, pool: Transitions, out_dir: Path, seed: int, init_from: Path | None = None) -> dict[str, Any]:
        """Train the round's generator on ``pool`` into ``out_dir``; returns facts for the round's marker.
        ``init_from`` (only passed with ``generator_init="previous"``, from round 1 on): the previous round's
        generator, to start from."""
        ...

    def generate(self, model_dir: Path, task: Task, n: int, out_file: Path, seed: int) -> None:
        """Write synthetic data of ``task`` to ``out_file``: ``n`` transitions (:class:`DiffusionStages`: at least
        ``n`` with ``synthesis="episodes"``), which the runner reads back for :meth:`validate`."""
        ...

    def validate(self, task: Task, data: Transitions, seeds: list[int], iteration: int, policy_dir: Path | None = None) -> dict[str, Any]:
        """Score ``data`` for ``task``: a plain dict, the task's validation record (its JSON in the run
        directory). A stage that trains policies may keep each seed's best actor in ``policy_dir`` (a stages class
        without the parameter is called without it)
        (:class:`DiffusionStages` does, as ``<policy_dir>/<task>/seed<k>.safetensors``; ``compogen publish --run``
        drives its episodes with them). It needs ``success`` (in [0, 1]); the run keeps the scores named by
        :class:`~compogen.loop.records.TaskResult` in its history (read once, at the job's boundary, by
        :meth:`TaskResult.from_record <compogen.loop.records.TaskResult.from_record>`). ``iteration`` is the
        round: :class:`DiffusionStages` does not use it (a dataset is scored the same in any round); a
        study's stages may (the test stand-ins make success grow with it)."""
        ...


def round_steps(config, n_real: int, n_pool: int) -> int | None:
    """Generator training steps of a round whose pool holds ``n_pool`` tasks (``n_real`` of them real).

    None keeps the preset's budget; with ``scale_generator_steps`` the budget grows with the pool.
    """
    if not config.scale_generator_steps:
        return config.generator_steps
    base = config.generator_steps or config.generator.steps
    return max(base, round(base * n_pool / max(1, n_real)))


class DiffusionStages:
    """Train a diffusion generator, sample a task, validate with TD3+BC / IQL."""

    def __init__(self, config, suite):
        self.config, self.suite = config, suite

    def train(self, pool: Transitions, out_dir: Path, seed: int, init_from: Path | None = None) -> dict[str, Any]:
        from compogen.generator import TrainConfig, train_generator

        cfg = self.config
        steps = round_steps(cfg, len(self.suite.tasks(cfg.train)), len(pool.tasks))
        train_generator(
            pool,
            self.suite.transition_layout(),
            out_dir,
            TrainConfig(
                arch=cfg.arch,
                preset=cfg.generator,
                seed=seed,
                bf16=cfg.bf16,
                steps=steps,
                device=cfg.device,
                keep_out=cfg.generator_keep_out,
                init_from=None if init_from is None else str(init_from),
            ),
            suite=self.suite.name,
            progress=True,
        )
        return {"rows": len(pool), "tasks": len(pool.tasks), "steps": steps, **({"init_from": str(init_from)} if init_from else {})}

    def generate(self, model_dir: Path, task: Task, n: int, out_file: Path, seed: int) -> None:
        """``n`` independent transitions of ``task``, or with ``synthesis="episodes"`` whole chained
        episodes until at least ``n`` transitions (an episodic file, ``attrs["layout"] == "episodes"``)."""
        from compogen.generator import Generator, generate, generate_episodes
        from compogen.generator.episodes import episodes_for

        cfg = self.config
        same = {"sampler": cfg.sampler, "steps": cfg.sampler_steps, "seed": seed, "device": cfg.device, "progress": False, "bf16": cfg.bf16}
        if cfg.synthesis == "transitions":
            generate(model_dir, task, n, out_file, **same)
            return
        gen = Generator.load(model_dir, cfg.device)
        generate_episodes(gen, task, episodes_for(n, self.suite.horizon), out_file, suite=self.suite, min_transitions=n, **same)

    def validate(self, task: Task, data: Transitions, seeds: list[int], iteration: int, policy_dir: Path | None = None) -> dict[str, Any]:
        from compogen.validation import preset, validate

        cfg = self.config
        overrides = {"device": cfg.device, **({"algo": cfg.algo} if cfg.algo else {})}
        if cfg.validation_steps:
            overrides["steps"] = cfg.validation_steps
        vcfg = preset(cfg.validation_preset, **overrides)
        result = validate(self.suite, task, data, vcfg, seeds=seeds, backend=cfg.validation_backend, out_dir=policy_dir, progress=False)
        out = result.to_dict()
        out.pop("config", None)
        out["success"] = result.success_rate
        out["per_seed"] = [s.success_rate for s in result.seeds]
        return out
