"""``compogen tasks show|list``."""

from __future__ import annotations

import json

import typer

from compogen.cli.options import quiet_option
from compogen.suites import DEFAULT_SUITE, get_suite

__all__ = ["show", "list_", "register"]

tasks_app = typer.Typer(help="Look up tasks and splits.", no_args_is_help=True)


def _describe(suite, task) -> dict:
    return {
        "id": suite.task_id(task),
        "robot": task.robot,
        "object": task.object,
        "obstacle": task.obstacle,
        "objective": task.objective,
        "indicator": suite.space.indicator(task).astype(int).tolist(),
    }


@tasks_app.command("show")
def show(
    task: str = typer.Argument(..., help="Task id, e.g. fivelink-plate-none-push (any case)."),
    suite: str = typer.Option(DEFAULT_SUITE, help="Suite name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = quiet_option(),
) -> None:
    """Canonical id, the four elements and the 16-dim indicator of TASK."""
    s = get_suite(suite)
    d = _describe(s, s.parse(task))
    if as_json:
        print(json.dumps(d))
    else:
        for k, v in d.items():
            print(f"{k:10s} {v}")


@tasks_app.command("list")
def list_(
    split: str = typer.Option("all", help="Split spec: all, iiwa:train14, iiwa:test, default:0:train, ..."),
    suite: str = typer.Option(DEFAULT_SUITE, help="Suite name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = quiet_option(),
) -> None:
    """The tasks of a split."""
    s = get_suite(suite)
    tasks = s.tasks(split)
    if as_json:
        print(json.dumps([_describe(s, t) for t in tasks]))
    else:
        for t in tasks:
            print(s.task_id(t))


def register(app: typer.Typer) -> None:
    app.add_typer(tasks_app, name="tasks")
