"""How a benchmark hands over its result: the Markdown table printed, and with ``--out`` written next to its JSON."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any


def command(script: str, argv: list[str] | None) -> str:
    """The command that reproduces a run of ``script`` (its ``__file__``) with ``argv`` (default: this process's
    arguments), quoted for a shell and set as Markdown code: ```python benchmarks/NAME.py ARGS```."""
    args = argv if argv is not None else sys.argv[1:]
    return "`" + shlex.join(["python", f"benchmarks/{Path(script).name}", *args]) + "`"


def emit(lines: list[str], out: str | None, data: Any) -> str:
    """Print ``lines`` as one Markdown text; with ``out``, write it there and ``data`` as JSON beside it."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out:  # written to a temporary file, then renamed: an interrupted benchmark leaves the old results whole
        from compogen.io import atomic_write_text

        Path(out).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, text)
        atomic_write_text(Path(out).with_suffix(".json"), json.dumps(data, indent=1))
    return text
