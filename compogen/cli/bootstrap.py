"""``compogen bootstrap``: the main job, Algorithm 1 from nothing.

Collects expert data for the training tasks if it is missing (built-in suite),
then trains, generates, validates and iterates into one run directory. Run the
same command again to resume an interrupted run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import typer

from compogen.cli.options import episodes_option, noise_option, quiet_option, seed_option
from compogen.config import given
from compogen.loop.config import LOOP_PRESETS, loop_preset

__all__ = ["bootstrap", "register"]


def bootstrap(
    preset: str = typer.Option("quick", help=f"Run preset: {', '.join(LOOP_PRESETS)}."),
    out: Path | None = typer.Option(None, help="Run directory (default: runs/<preset>-<suite>-<arch>)."),
    data: Path | None = typer.Option(None, help="Real-data root (default: data/<suite>)."),
    suite: str | None = typer.Option(None, help="Suite: builtin (default) or composuite."),
    arch: str | None = typer.Option(None, help="Denoiser: mlp, dit, semantic-dit, sc-dit."),
    train: str | None = typer.Option(None, help="Split spec of the real-data tasks (default iiwa:train14)."),
    targets: str | None = typer.Option(None, help="Split spec of the target tasks."),
    eval_: str | None = typer.Option(
        None,
        "--eval",
        help="Split spec of the held-out tasks the metrics average over (default: the targets if --targets is given, else the preset's).",
    ),
    iterations: int | None = typer.Option(None, help="Maximum rounds."),
    generator_changes: str | None = typer.Option(
        None,
        help="Changes to the generator preset, field=value,... (LoopConfig.generator_changes), e.g. dit_hidden=256:"
        " the sc-dit at the MLP's parameter count (benchmarks/results/zero_shot_eqparams.md).",
    ),
    generator_keep_out: int | None = typer.Option(
        None,
        help="Early stopping of each round's generator on this many pool tasks kept out of its data"
        " (LoopConfig.generator_keep_out; default 0: none).",
    ),
    generators: int | None = typer.Option(
        None,
        help="Candidate generators per round, each with its own seed; every target's dataset of each is validated and"
        " the best counts (LoopConfig.generators; default 1). Costs this many trainings and validations per round.",
    ),
    generator_init: str | None = typer.Option(
        None,
        help="Where each round's generator starts (LoopConfig.generator_init): scratch (default, Algorithm 1) or previous"
        " (the last round's weights and normaliser, a warm start).",
    ),
    executor: str | None = typer.Option(None, help="local, ray or slurm."),
    workers: int | None = typer.Option(None, help="Local worker processes for per-task jobs."),
    retries: int | None = typer.Option(None, help="Retries of a failing task job."),
    device: str | None = typer.Option(None, help="Torch device of generator training, sampling and validation (default cpu; cuda on a GPU)."),
    proxy_min_mean_reward: float | None = typer.Option(
        None,
        help="Validate only the synthetic datasets whose mean reward is at least this; the others cost no simulator steps"
        " and are generated again next round (LoopConfig.proxy_min_mean_reward). Default: validate all.",
    ),
    synthesis: str | None = typer.Option(
        None,
        help="What each round generates per target (LoopConfig.synthesis): transitions (default), samples_per_task independent"
        " transitions; episodes, whole episodes chained through the generator until at least samples_per_task transitions"
        " (validated 0.350 vs 0.375 on 4 held-out tasks at ~3.5x the generation time: benchmarks/results/episodes.md).",
    ),
    seed: int | None = seed_option(None, "Diffusion seed (default: the preset's); collection uses it too."),
    episodes: int | None = episodes_option(None),
    noise: float | None = noise_option(None),
    quiet: bool = quiet_option(),
) -> None:
    """Run Algorithm 1 end to end (collect if needed, train, generate, validate, iterate)."""
    from compogen.loop.bootstrap import run_bootstrap

    cfg = loop_preset(preset)
    suite_name = suite or cfg.suite
    cfg = cfg.replace(
        **given(
            suite=suite_name,
            arch=arch,
            train=train,
            targets=targets,
            iterations=iterations,
            generator_changes=generator_changes,
            generator_keep_out=generator_keep_out,
            generators=generators,
            generator_init=generator_init,
            executor=executor,
            workers=workers,
            retries=retries,
            device=device,
            seed=seed,
            data=str(data or Path("data") / suite_name),
            collect_episodes=episodes,
            collect_noise=noise,
            proxy_min_mean_reward=proxy_min_mean_reward,
            synthesis=synthesis,
        ),
        # the preset's held-out set goes with the preset's targets: with --targets and no --eval, the metrics follow the targets
        **({"eval": eval_} if targets or eval_ else {}),
    )
    out = out or Path("runs") / f"{preset}-{cfg.suite}-{cfg.arch}"
    state = run_bootstrap(cfg, out)
    admitted = sorted(e["task"] for e in (state or {}).get("pool", []))
    if admitted:
        from compogen.cli.publish import how_to_load
        from compogen.publish import default_dataset_id

        print(f"\n{len(admitted)} admitted datasets, not published yet. Publish them as Minari datasets:")
        print(f"  compogen publish --run {out}")
        print("Once published, load them with the ids `compogen publish` prints (v0 for a first publish, the next version for new content):")
        print(textwrap.indent(how_to_load([default_dataset_id(t) for t in admitted]), "  "))
    else:
        print(f"\nno dataset admitted; to publish the latest dataset of every target anyway: compogen publish --run {out} --all")


def register(app: typer.Typer) -> None:
    app.command("bootstrap")(bootstrap)
