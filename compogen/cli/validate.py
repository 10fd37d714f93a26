"""``compogen validate``: offline RL on a synthetic data file, evaluated in the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from compogen.cli.options import quiet_option, seeds_option
from compogen.errors import CompogenError
from compogen.suites import DEFAULT_SUITE, get_suite

__all__ = ["validate_cmd", "register"]


def _table(res) -> str:
    lines = [
        f"{res.task}  algo={res.algo}  backend={res.backend}  transitions={res.n_transitions}",
        f"{'seed':>5} {'success':>8} {'95% CI':>15} {'return':>8} {'best step':>10} {'env steps':>10}",
    ]
    for s in res.seeds:
        lines.append(
            f"{s.seed:>5} {s.success_rate:>8.2f} {f'[{s.ci_low:.2f}, {s.ci_high:.2f}]':>15} {s.mean_return:>8.2f} {s.best_step:>10} {s.env_steps:>10}"
        )
    lo, hi = res.pooled_interval
    lines.append(f"{'mean':>5} {res.success_rate:>8.2f} {f'[{lo:.2f}, {hi:.2f}]':>15} {res.mean_return:>8.2f} {'':>10} {res.env_steps:>10}")
    return "\n".join(lines)


def _folder_task(suite, path: Path) -> str | None:
    """The task a real dataset's folder (``Robot_Object_Obstacle_Objective``) names, if any."""
    try:
        return suite.task_id(suite.space.task(*path.parent.name.split("_")))
    except (ValueError, TypeError):
        return None


def validate_cmd(
    data: Path = typer.Option(..., "--data", help="Synthetic data file (.h5 or SynthER-style .npz) or a real dataset's data.hdf5 (calibration)."),
    task: str | None = typer.Option(None, "--task", help="Task id, e.g. fivelink-box-none-push (default: the file's 'task' attribute)."),
    algo: str | None = typer.Option(None, "--algo", help="Offline RL algorithm: td3bc, bc or iql (default: the preset's)."),
    seeds: Any = seeds_option(None, "Comma-separated RL seeds (default: the preset's)."),
    preset_name: str = typer.Option("quick", "--preset", help="Validation preset: paper, cpu, quick, tiny."),
    suite: str = typer.Option(DEFAULT_SUITE, "--suite", help="Suite name."),
    backend: str = typer.Option("batched", "--backend", help="batched (all seeds together) or d3rlpy."),
    steps: int | None = typer.Option(None, "--steps", help="Override the preset's gradient steps."),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Save the best policy per seed here (safetensors)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    quiet: bool = quiet_option(),
) -> None:
    """Train offline RL on one task's synthetic transitions with several seeds; report success rates."""
    from compogen.cli.data import is_synthetic
    from compogen.data import read_for_suite, read_offline_dataset, read_synthetic_attrs
    from compogen.validation import preset, validate

    s = get_suite(suite)
    if not data.is_file():
        raise CompogenError(f"{data}: no such data file")
    synthetic = is_synthetic(data)
    if task is None:
        task = read_synthetic_attrs(data).get("task") if synthetic else _folder_task(s, data)
        if not task:
            raise CompogenError(f"{data}: no 'task' attribute; pass --task")
    t = s.parse(task)
    overrides = {"algo": algo} if algo else {}
    if steps is not None:
        overrides.update(steps=steps, eval_every=min(preset(preset_name).eval_every, steps))
    cfg = preset(preset_name, **overrides)
    if synthetic:
        transitions = read_for_suite(data, s, t)
    else:
        transitions = read_offline_dataset(data, task=t, obs_dim=s.observation_layout.dim, action_dim=s.action_dim)
    res = validate(s, t, transitions, cfg, seeds=seeds, backend=backend, out_dir=out_dir, progress=not quiet and not as_json)
    if as_json:
        print(json.dumps(res.to_dict()))
    else:
        print(_table(res))


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
