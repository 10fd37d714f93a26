"""How a benchmark hands over its result: the Markdown table printed, and with ``--out`` written next to its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(lines: list[str], out: str | None, data: Any) -> str:
    """Print ``lines`` as one Markdown text; with ``out``, write it there and ``data`` as JSON beside it."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        Path(out).write_text(text)
        Path(out).with_suffix(".json").write_text(json.dumps(data, indent=1))
    return text
