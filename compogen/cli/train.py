"""``compogen train``: fit a diffusion generator on offline (and admitted synthetic) data."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compogen.cli.options import quiet_option, seed_option
from compogen.errors import DataError
from compogen.loop.config import DEFAULT_ARCH
from compogen.suites import DEFAULT_SUITE, get_suite

__all__ = ["train", "register"]


def train(
    data: Path = typer.Option(..., "--data", help="Dataset root (<root>/<type>/<Robot>_<Obj>_<Obst>_<Objective>/data.hdf5)."),
    tasks: str = typer.Option(..., "--tasks", help="Training tasks: split spec (iiwa:train14, default:0:train) or comma-separated ids."),
    arch: str = typer.Option(DEFAULT_ARCH, "--arch", help="Denoiser: mlp, dit, semantic-dit, sc-dit."),
    preset: str = typer.Option("small", "--preset", help="Size/budget preset: paper, small, laptop, cpu, tiny."),
    out: Path = typer.Option(..., "--out", help="Run directory (checkpoints, config.json)."),
    suite: str = typer.Option(DEFAULT_SUITE, "--suite", help="Suite name."),
    type_: str = typer.Option("expert", "--type", help="Dataset type folder under --data."),
    synthetic: list[Path] | None = typer.Option(
        None, "--synthetic", help="Admitted synthetic file(s) to add to the pool (task read from the file's metadata); repeatable."
    ),
    seed: int = seed_option(0, "Seed of init, minibatches and noise."),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Override the preset's number of steps."),
    bf16: bool = typer.Option(
        False, "--bf16", help="bf16 autocast for the network (measured slower than fp32 for the small presets on a 2-core CPU)."
    ),
    keep_out: int = typer.Option(
        0,
        "--keep-out",
        min=0,
        help="Early stopping: keep this many training tasks out of the data and end with the EMA of their lowest"
        " denoising loss (TrainConfig.keep_out; 0: train on every task, keep the last EMA).",
    ),
    cond_masks: float = typer.Option(
        0.0,
        "--cond-masks",
        help="mlp only: train with conditioning masks on this fraction of rows (GeneratorPreset.cond_masks); a better"
        " dynamics model for ModelEnv (benchmarks/results/conditional_fivelink_masks.md), worse joint samples. 0: off.",
    ),
    resume: bool = typer.Option(True, "--resume/--no-resume", help="Continue from a checkpoint in --out."),
    device: str = typer.Option("cpu", "--device", help="torch device."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch.set_num_threads."),
    quiet: bool = quiet_option(),
) -> None:
    """Train a generator; prints the run directory and the final loss as JSON."""
    import torch

    from compogen.cli.checks import check_device, check_output_dir

    check_output_dir(out)
    check_device(device)
    from compogen.data import load_pool, read_synthetic_attrs
    from compogen.generator import TrainConfig, train_generator
    from compogen.generator.presets import get_preset

    gen_preset = get_preset(preset, cond_masks=cond_masks) if cond_masks else preset  # a bad value fails before the data load
    if threads:
        torch.set_num_threads(threads)
    s = get_suite(suite)
    task_list = s.tasks(tasks)
    admitted = []
    for path in synthetic or []:
        tid = read_synthetic_attrs(path).get("task")
        if not tid:
            raise DataError(f"{path}: synthetic file has no 'task' in its metadata")
        admitted.append((tid, path))
    pool = load_pool(data, task_list, s, type=type_, synthetic=admitted)
    train_generator(
        pool,
        s.transition_layout(),
        out,
        TrainConfig(
            arch=arch,
            preset=gen_preset,
            seed=seed,
            bf16=bf16,
            steps=steps,
            device=device,
            keep_out=keep_out,
        ),
        resume=resume,
        suite=s.name,
    )
    print(json.dumps(_summary(out, arch, preset)))


def _summary(out: Path, arch: str, preset: str) -> dict:
    """What a finished ``train`` prints: the run, its last step and loss, the data it was trained on."""
    from compogen.generator.checkpoint import read_config

    cfg = read_config(out)
    log = cfg["training"].get("loss_log") or [[cfg["step"], None]]
    data = cfg["training"]["data"]
    return {
        "run": str(out),
        "arch": arch,
        "preset": preset,
        "step": cfg["step"],
        "loss": log[-1][1],
        "tasks": len(data["tasks"]),
        "transitions": data["transitions"],
        **({"kept_out": early["tasks"], "sampled_step": early["best_step"]} if (early := cfg["training"].get("early_stop")) else {}),
    }


def register(app: typer.Typer) -> None:
    app.command("train")(train)
