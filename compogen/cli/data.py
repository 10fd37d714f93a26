"""``compogen data inspect``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compogen.data import find_datasets, read_synthetic, read_synthetic_attrs, summarize_offline_dataset
from compogen.errors import DataError
from compogen.suites import DEFAULT_SUITE, get_suite

data_app = typer.Typer(help="Inspect datasets on disk.", no_args_is_help=True)


def _summaries(root: Path, suite_name: str, type_: str | None) -> list[dict]:
    suite = get_suite(suite_name)
    if root.is_file():
        try:
            return [summarize_offline_dataset(root)]
        except DataError as offline_err:
            try:
                data = read_synthetic(root)
            except DataError:
                raise offline_err from None
            attrs = read_synthetic_attrs(root)
            return [{
                "path": str(root),
                "task": attrs.get("task"),
                "transitions": len(data),
                "reward_mean": float(data.rewards.mean()) if len(data) else 0.0,
                "success_transition_rate": float((data.rewards >= 1.0).mean()) if len(data) else 0.0,
                "done_rate": float(data.terminals.mean()) if len(data) else 0.0,
            }]
    found = find_datasets(root, suite.space, type_)
    if not found:
        raise DataError(f"{root}: no datasets found (expected <root>/<type>/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5)")
    return [{"task": suite.task_id(t), **summarize_offline_dataset(p)} for t, p in found.items()]


@data_app.command("inspect")
def inspect(
    root: Path = typer.Argument(..., help="Dataset root, a task folder's data.hdf5, or a synthetic file."),
    suite: str = typer.Option(DEFAULT_SUITE, help="Suite the data belongs to."),
    type_: str = typer.Option(None, "--type", help="Dataset type folder (expert, medium, ...); default: all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per task: transitions, episodes, success rate, mean episode return."""
    rows = _summaries(root, suite, type_)
    if as_json:
        print(json.dumps(rows))
        return
    if "episodes" in rows[0]:
        print(f"{'task':40s} {'transitions':>11s} {'episodes':>8s} {'success':>8s} {'return':>8s}")
        for r in rows:
            print(f"{str(r.get('task') or r['path']):40s} {r['transitions']:11d} {r['episodes']:8d} {r['success_rate']:8.3f} {r['mean_return']:8.2f}")
    else:
        for r in rows:
            print("  ".join(f"{k}={v}" for k, v in r.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
