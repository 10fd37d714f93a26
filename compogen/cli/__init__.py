"""The ``compogen`` command. Each subcommand group lives in its own module.

A module listed in ``_MODULES`` exposes ``register(app: typer.Typer)``. Errors
derived from :class:`compogen.errors.CompogenError` (and a few other expected
ones) print as one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from compogen.errors import CompogenError

__all__ = ["app", "main"]

app = typer.Typer(
    name="compogen",
    help="Iterative compositional data generation for robot control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Order = order in --help.
_MODULES = [
    "compogen.cli.tasks",
    "compogen.cli.data",
    "compogen.cli.collect",
    "compogen.cli.train",
    "compogen.cli.generate",
    "compogen.cli.validate",
    "compogen.cli.bootstrap",
]

for _name in _MODULES:
    try:
        _mod = importlib.import_module(_name)
    except ModuleNotFoundError as _e:  # a command group not written yet
        if _e.name != _name:
            raise
        continue
    _mod.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning expected errors into one-line messages."""
    try:
        app(args=argv, standalone_mode=False)
    except (CompogenError, FileNotFoundError, FileExistsError, NotADirectoryError, PermissionError) as e:
        print(f"compogen: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("compogen: interrupted", file=sys.stderr)
        return 130
    except SystemExit as e:  # typer's own exits (--help)
        return int(e.code or 0)
    except Exception as e:  # click usage errors
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            return e.exit_code
        if isinstance(e, click.exceptions.Exit):
            return e.exit_code
        if isinstance(e, click.exceptions.Abort):
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
