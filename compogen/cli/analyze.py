"""``compogen analyze``: what a transformer generator learned (intervention influence, attention maps)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compogen.cli.options import quiet_option, seed_option

__all__ = ["analyze", "register"]


def analyze(
    model: Path | None = typer.Option(None, "--model", help="A generator run directory (dit, semantic-dit or sc-dit)."),
    run: Path | None = typer.Option(None, "--run", help="A `compogen bootstrap` run directory: every round's generator, one folder per round."),
    out: Path = typer.Option(..., "--out", help="Output folder for the CSVs and PNGs."),
    tasks: str | None = typer.Option(None, "--tasks", help="Split spec or task ids to average over (default: the generator's training tasks)."),
    n: int = typer.Option(100, "--n", min=1, help="Gaussian inputs per task."),
    seed: int = seed_option(0, "Seed of the Gaussian inputs."),
    quiet: bool = quiet_option(),
) -> None:
    """Intervention influence (encoders x decoders) and per-layer attention maps at sigma_midpoint (the paper's
    Figures 7-9); prints the files written as JSON."""
    from compogen.errors import CompogenError
    from compogen.generator.analysis import write_analysis
    from compogen.generator.checkpoint import has_checkpoint

    if (model is None) == (run is None):
        raise CompogenError("give exactly one of --model DIR or --run RUN_DIR")
    if out.exists() and not out.is_dir():
        raise CompogenError(f"--out {out} is a file; give a folder")
    if model is not None:
        if not has_checkpoint(model):
            raise CompogenError(f"--model {model}: no generator checkpoint there")
        jobs = [(model, out)]
    else:
        rounds = sorted(p for p in (run / "iterations").glob("*/generator") if has_checkpoint(p)) if run.is_dir() else []
        if not rounds:
            raise CompogenError(f"--run {run}: no round with a generator checkpoint")
        jobs = [(p, out / f"round{int(p.parent.name)}") for p in rounds]
    task_list = None
    if tasks:
        from compogen.generator.checkpoint import read_config
        from compogen.suites import get_suite

        task_list = get_suite(read_config(jobs[0][0]).get("suite") or "builtin").tasks(tasks)
    written = {str(src): [str(f) for f in write_analysis(src, dst, task_list, n, seed)] for src, dst in jobs}
    print(json.dumps(written))


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
