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

__all__ = ["app", "main", "package_version"]

app = typer.Typer(
    name="compogen",
    help="Iterative compositional data generation for robot control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    """The installed package's version (:mod:`compogen.version`)."""
    from compogen.version import __version__

    return __version__


def _print_version(value: bool) -> None:
    if value:
        print(f"compogen {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Iterative compositional data generation for robot control."""


# Order = order in --help.
_MODULES = [
    "compogen.cli.tasks",
    "compogen.cli.data",
    "compogen.cli.collect",
    "compogen.cli.train",
    "compogen.cli.generate",
    "compogen.cli.analyze",
    "compogen.cli.validate",
    "compogen.cli.bootstrap",
    "compogen.cli.publish",
    "compogen.cli.online",
]

for _name in _MODULES:
    importlib.import_module(_name).register(app)


def _classes(name: str) -> tuple[type, ...]:
    """``name`` from click and from typer's bundled copy of it (typer >= 0.29 raises its own)."""
    found = []
    for module in ("click.exceptions", "typer._click.exceptions", "typer.exceptions"):
        try:
            cls = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return tuple(found)


_CLICK_ERROR, _EXIT, _ABORT = _classes("ClickException"), _classes("Exit"), _classes("Abort")
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT)."""
TERMINATED = 143
"""Exit status after SIGTERM (128 + SIGTERM)."""


def _error(message: str) -> int:
    print(f"compogen: error: {message}", file=sys.stderr)
    return 2


def _os_message(e: OSError) -> str:
    where = f": {e.filename}" if getattr(e, "filename", None) else ""
    return f"{e.strerror or type(e).__name__}{where}" if e.strerror else str(e)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning expected errors into one-line messages.

    Usage errors and expected failures print ``compogen: error: ...`` and exit 2;
    Ctrl-C prints ``compogen: interrupted`` and exits 130; SIGTERM exits 143. Run as the program
    (``argv`` None: the ``compogen`` script, ``python -m compogen.cli``), an interrupted or terminated
    command ends as soon as its own cleanup is done (:func:`_end_now`).
    """
    import signal

    from compogen.parallel import exit_on_sigterm

    previous = signal.getsignal(signal.SIGTERM), sys.unraisablehook
    exit_on_sigterm()
    try:
        code = _run(argv)
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        sys.unraisablehook = previous[1]
    if argv is None and code in (INTERRUPTED, TERMINATED):
        _end_now(code)
    return code


def _end_now(code: int) -> None:
    """End the process with ``code`` now. The command's ``finally`` blocks have already stopped its workers
    and removed its partial files; the ``atexit`` handlers run and the output is flushed, and then the
    interpreter's teardown (collecting every loaded module's objects) is skipped: it was 10 of the 11 s
    between a signal and the exit of ``compogen collect`` on a loaded 2-core machine (0.6 s idle)."""
    import atexit
    import contextlib
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def _run(argv: list[str] | None) -> int:
    try:
        rv = app(args=argv, standalone_mode=False)
    except CompogenError as e:
        return _error(str(e))
    except OSError as e:  # missing/unwritable paths, disk full
        return _error(_os_message(e))
    except KeyboardInterrupt:
        rv = INTERRUPTED
    except SystemExit as e:  # typer's own exits (--help), SIGTERM
        if e.code == TERMINATED:
            print("compogen: terminated", file=sys.stderr)
        return int(e.code or 0) if not isinstance(e.code, str) else _error(e.code)
    except _ABORT:
        rv = INTERRUPTED
    except _EXIT as e:
        rv = int(getattr(e, "exit_code", 0) or 0)
    except _CLICK_ERROR as e:
        if type(e).__name__ == "NoArgsIsHelpError" and getattr(e, "ctx", None) is not None:
            print(e.ctx.get_help())
            return 2
        hint = ""
        ctx = getattr(e, "ctx", None)
        if ctx is not None and getattr(ctx, "command_path", None):
            hint = f" (see '{ctx.command_path} --help')"
        print(f"compogen: error: {e.format_message()}{hint}", file=sys.stderr)
        return int(getattr(e, "exit_code", 2) or 2)
    if rv == INTERRUPTED:  # typer turns Ctrl-C into Exit(130), which the non-standalone call returns
        print("compogen: interrupted", file=sys.stderr)
        return INTERRUPTED
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
