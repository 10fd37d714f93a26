"""``compogen generate``: sample synthetic transitions of one task to an HDF5 file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compogen.cli.options import quiet_option, seed_option

__all__ = ["generate", "register"]


def generate(
    model: Path = typer.Option(..., "--model", help="Run directory written by `compogen train`."),
    task: str = typer.Option(..., "--task", help="Task id, e.g. fivelink-plate-none-push (seen or unseen)."),
    n: int | None = typer.Option(None, "--n", min=1, help="Number of independent transitions (or --episodes)."),
    episodes: int | None = typer.Option(
        None,
        "--episodes",
        min=1,
        help="Number of whole episodes instead: initial states from the task's reset, then (a, r, s', d) given s, chained until done or the horizon.",
    ),
    batch_episodes: int = typer.Option(64, "--batch-episodes", min=1, help="Episodes synthesised side by side (with --episodes)."),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help="With --episodes: an actor file (`compogen validate --out-dir D` writes D/<task>/seed<k>.safetensors) whose noisy actions drive the episodes; the generator gives (r, s', d) given (s, a).",
    ),
    action_noise: float | None = typer.Option(
        None, "--action-noise", min=0.0, help="With --policy: std of the Gaussian noise added to its actions (default: the expert data's, 0.1)."
    ),
    out: Path = typer.Option(..., "--out", help="Output file (.h5 or .hdf5)."),
    sampler: str = typer.Option(
        "fast",
        "--sampler",
        help="fast (DPM-Solver++(2M), 40 calls; measured as good as paper or better), paper (stochastic Heun, 255 calls), heun, dpmpp-2m.",
    ),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Override the sampler's number of steps."),
    seed: int = seed_option(0, "Sample i depends only on (seed, i)."),
    batch_size: int = typer.Option(4096, "--batch-size", min=1, help="Transitions per batch (bounds memory)."),
    bf16: bool = typer.Option(False, "--bf16", help="bf16 autocast for the network."),
    device: str = typer.Option("cpu", "--device", help="torch device."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch.set_num_threads."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out file."),
    quiet: bool = quiet_option(),
) -> None:
    """Generate N independent transitions, or whole episodes, of TASK; prints a JSON summary."""
    import torch

    from compogen.cli.checks import check_device, check_output_file
    from compogen.data import read_synthetic_attrs
    from compogen.errors import CompogenError
    from compogen.generator import generate as run
    from compogen.generator.episodes import generate_episodes

    if (n is None) == (episodes is None):
        raise CompogenError("give exactly one of --n (independent transitions) and --episodes (whole episodes)")
    if policy is not None and episodes is None:
        raise CompogenError("--policy drives whole episodes: give --episodes")
    check_output_file(out, overwrite)
    check_device(device)
    if threads:
        torch.set_num_threads(threads)
    if episodes is None:
        path = run(model, task, n, out, sampler=sampler, steps=steps, seed=seed, batch_size=batch_size, bf16=bf16, device=device)
    else:
        path = generate_episodes(
            model,
            task,
            episodes,
            out,
            sampler=sampler,
            steps=steps,
            seed=seed,
            batch_episodes=batch_episodes,
            device=device,
            policy=policy,
            **({} if action_noise is None else {"action_noise": action_noise}),
        )
    a = read_synthetic_attrs(path)
    print(
        json.dumps(
            {
                "out": str(path),
                "task": a["task"],
                "layout": a.get("layout", "transitions"),
                **({"episodes": a["episodes"]} if "episodes" in a else {}),
                "transitions": a["transitions"],
                "sampler": a["sampler"]["name"],
                "denoiser_calls": a["sampler"]["denoiser_calls"],
                "seconds": a["seconds"],
            }
        )
    )


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
