"""``compogen online``: RLPD or SAC on one task, warm-started from (synthetic) offline data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from compogen.cli.options import quiet_option, seeds_option
from compogen.config import given

__all__ = ["online", "register"]


def online(
    task: str = typer.Option(..., "--task", help="Task id to learn online, e.g. fivelink-plate-none-push."),
    dataset: list[str] | None = typer.Option(None, "--dataset", help="Offline data: Minari id or synthetic file (repeatable)."),
    real_data: Path | None = typer.Option(None, "--real-data", help="Real-data root to add to the offline data (with --real-tasks)."),
    real_tasks: str | None = typer.Option(None, "--real-tasks", help="Split spec of the real-data tasks, e.g. iiwa:train14."),
    algo: str = typer.Option("rlpd", "--algo", help="rlpd (needs offline data) or sac (from scratch, or a buffer pre-filled with --dataset)."),
    preset: str | None = typer.Option(None, "--preset", help="rlpd-paper, sac-paper, rlpd-cpu, sac-cpu, tiny (default: <algo>-cpu)."),
    steps: int | None = typer.Option(None, "--steps", min=1, help="Environment steps per seed."),
    utd: int | None = typer.Option(None, "--utd", min=1, help="Critic updates per environment step."),
    num_envs: int | None = typer.Option(None, "--num-envs", min=1, help="Environments stepped together."),
    eval_every: int | None = typer.Option(None, "--eval-every", min=1, help="Evaluate and checkpoint every N environment steps."),
    seeds: Any = seeds_option("0", "RL seeds, e.g. 0,1,2 (run one after another)."),
    out: Path | None = typer.Option(None, "--out", help="Results directory (default runs/online-<algo>-<task>)."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="torch.set_num_threads."),
    quiet: bool = quiet_option(),
) -> None:
    """Online RL with periodic evaluation, checkpoints (rerun to resume; a larger --steps extends a run), a CSV and a PNG."""
    import torch

    from compogen.errors import CompogenError
    from compogen.online import ALGOS, load_offline, online_preset, run_seeds
    from compogen.suites import suite_for_task

    if algo not in ALGOS:
        raise CompogenError(f"--algo must be one of {', '.join(ALGOS)}, got {algo!r}")
    suite = suite_for_task(task)
    task_id = suite.task_id(task)
    config = online_preset(preset or f"{algo}-cpu", algo=algo, **given(steps=steps, utd=utd, num_envs=num_envs, eval_every=eval_every))
    if algo == "rlpd" and not dataset and real_data is None:
        raise CompogenError("--algo rlpd needs offline data: --dataset ID_OR_FILE and/or --real-data ROOT --real-tasks SPEC")
    if threads:
        torch.set_num_threads(threads)
    offline = load_offline(dataset or [], real_data, real_tasks, task_id)
    out = out or Path("runs") / f"online-{algo}-{task_id}"
    sources = {"dataset": list(dataset or []), "real_data": str(real_data) if real_data else None, "real_tasks": real_tasks}
    results = run_seeds(config, task_id, out, offline, seeds, sources)
    for r in results:
        print(f"seed {r['seed']}: final success {r['final_success']:.2f}, best {r['best_success']:.2f} after {r['env_steps']} environment steps")
    print(f"results: {out / 'results.csv'}, {out / 'curves.png'}")


def register(app: typer.Typer) -> None:
    app.command("online")(online)
