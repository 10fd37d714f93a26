"""``compogen collect``: expert datasets from a suite's scripted experts."""

from __future__ import annotations

import json
import time

import typer

from compogen.cli.options import episodes_option, noise_option, quiet_option, seed_option
from compogen.suites import DEFAULT_SUITE, get_suite

__all__ = ["register", "collect"]


def collect(
    tasks: str = typer.Option(..., "--tasks", help="Split spec or task ids: iiwa:train14, all, fivelink-box-none-push, ..."),
    out: str = typer.Option(..., "--out", help="Dataset root; files go to <out>/expert/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5."),
    episodes: int = episodes_option(),
    noise: float = noise_option(),
    suite: str = typer.Option(DEFAULT_SUITE, "--suite", help="Suite name."),
    seed: int = seed_option(0, "Episode e of every task resets with seed+e."),
    workers: int = typer.Option(2, "--workers", min=1, help="Processes (one task per process at a time)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files."),
    dtype: str = typer.Option("expert", "--type", help="Dataset type folder under --out."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (summary and per-task results) on stdout, nothing else."),
    quiet: bool = quiet_option(),
) -> None:
    """Roll out the suite's scripted expert with action noise and write one dataset per task."""
    from compogen.rl.rollout import CollectConfig
    from compogen.rl.rollout import collect as collect_tasks

    s = get_suite(suite)
    t0 = time.perf_counter()
    cfg = CollectConfig(episodes=episodes, noise=noise, seed=seed, overwrite=overwrite)
    results = collect_tasks(s, s.tasks(tasks), out, cfg, workers=workers, type=dtype)
    elapsed = time.perf_counter() - t0
    mean = sum(r["success_rate"] for r in results) / len(results)
    summary = {"tasks": len(results), "episodes": episodes, "noise": noise, "mean_success": round(mean, 4), "seconds": round(elapsed, 1), "out": out}
    if as_json:
        print(json.dumps({**summary, "results": results}))
        return
    for r in results:
        print(f"{r['task']:40s} success {r['success_rate']:.2f}  transitions {r['transitions']}")
    print(json.dumps(summary))


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
