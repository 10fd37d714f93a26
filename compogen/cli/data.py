"""``compogen data inspect``: what a dataset root or file holds, after validating every file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from compogen.cli.options import quiet_option
from compogen.data import (
    find_datasets,
    load_pool,
    read_for_suite,
    read_offline_dataset,
    read_synthetic_attrs,
    summarize_offline_dataset,
)
from compogen.errors import DataError
from compogen.suites import available_suites, get_suite
from compogen.suites.base import success_steps

data_app = typer.Typer(help="Inspect datasets on disk.", no_args_is_help=True)

__all__ = ["detect_suite", "is_synthetic", "register", "inspect"]


def is_synthetic(path: Path) -> bool:
    """A synthetic file (SynthER keys, ``kind: synthetic``) rather than a real offline dataset."""
    if path.suffix == ".npz" or read_synthetic_attrs(path).get("kind") == "synthetic":
        return True
    import h5py

    with h5py.File(path, "r") as f:
        return "next_observations" in f and "successes" not in f


def detect_suite(path: Path, type_: str | None = None) -> str:
    """The suite whose task names a dataset root's folders (or a file's task) use."""
    path = Path(path)
    if path.is_file():
        if is_synthetic(path):
            attrs = read_synthetic_attrs(path)
            if (attrs.get("model") or {}).get("suite"):
                return attrs["model"]["suite"]
            names = [attrs["task"]] if attrs.get("task") else []
        else:
            names = [path.parent.name]
        for suite in available_suites():
            space = get_suite(suite).space
            for name in names:
                try:
                    space.parse(name) if "-" in name else space.task(*name.split("_"))
                    return suite
                except (ValueError, TypeError):
                    pass
        raise DataError(f"{path}: cannot tell which suite the data belongs to; pass --suite")
    tried = []
    for suite in available_suites():
        try:
            if find_datasets(path, get_suite(suite).space, type_):
                return suite
        except DataError as e:
            tried.append(str(e))
    if tried and all("not a directory" in t for t in tried):
        raise DataError(tried[0])
    raise DataError(
        f"{path}: no datasets of any suite ({', '.join(available_suites())}) found "
        "(expected <root>/<type>/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5)"
    )


def _synthetic_summary(path: Path, suite) -> dict:
    attrs = read_synthetic_attrs(path)
    data = read_for_suite(path, suite, attrs.get("task") or None)
    return {
        "path": str(path),
        "task": attrs.get("task"),
        "transitions": len(data),
        "reward_mean": float(data.rewards.mean()),
        "success_transition_rate": float(success_steps(data.rewards).mean()),
        "done_rate": float(data.terminals.mean()),
    }


def _summaries(root: Path, suite, type_: str | None) -> list[dict]:
    """Summaries of every dataset; each file is read whole and checked (dims, NaN/Inf, task ids)."""
    if root.is_file():
        if is_synthetic(root):
            return [_synthetic_summary(root, suite)]
        try:
            task = suite.space.task(*root.parent.name.split("_"))
        except (ValueError, TypeError):
            task = None
        read_offline_dataset(root, task, suite.observation_layout.dim, suite.action_dim)
        return [{"task": suite.task_id(task) if task else None, **summarize_offline_dataset(root)}]
    found = find_datasets(root, suite.space, type_)
    if not found:
        raise DataError(f"{root}: no datasets found (expected <root>/<type>/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5)")
    rows = []
    for task, path in found.items():
        load_pool(root, [task], suite, type=type_ or path.parent.parent.name)  # full check, one task in memory at a time
        rows.append({"task": suite.task_id(task), **summarize_offline_dataset(path)})
    return rows


@data_app.command("inspect")
def inspect(
    root: Path = typer.Argument(..., help="Dataset root, a task folder's data.hdf5, or a synthetic file."),
    suite: str | None = typer.Option(None, help="Suite the data belongs to (default: told by the folder names or the file)."),
    type_: str = typer.Option(None, "--type", help="Dataset type folder (expert, medium, ...); default: all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = quiet_option(),
) -> None:
    """Per task: transitions, episodes, success rate, mean episode return (every file validated first)."""
    if not root.exists():
        raise DataError(f"{root}: not a directory or file")
    s = get_suite(suite or detect_suite(root, type_))
    rows = _summaries(root, s, type_)
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
