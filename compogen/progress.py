"""Progress output that suits where it goes: every progress bar of compogen is made by :func:`bar`.

On a terminal it is tqdm's redrawn bar. Off a terminal (a log file, a pipe, a CI job) a redrawn bar
leaves a carriage return per update in the file, so there it prints one plain line when the bar
starts, at every ``EVERY_PERCENT`` percent, at least every ``MAX_SILENCE_S`` seconds, and when it
ends: a bar prints at most a dozen lines however long it runs (plus one per quiet stretch of
``MAX_SILENCE_S``). Nothing is printed when the bar is disabled, after :func:`set_quiet` (the
commands' ``--quiet``), or with the environment variable ``TQDM_DISABLE`` set to a true value.

Progress goes to stderr, so that what a command prints on stdout stays its result.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = ["EVERY_PERCENT", "MAX_SILENCE_S", "bar", "is_quiet", "set_quiet", "LineBar", "SilentBar"]

EVERY_PERCENT = 10
"""Off a terminal, a bar prints a line each time it passes a multiple of this percentage."""
MAX_SILENCE_S = 300.0
"""Off a terminal, a bar prints a line at least this often (seconds) while it moves, however slowly."""

_quiet = False


def set_quiet(quiet: bool) -> None:
    """No progress output at all from now on (``True``), or progress as suits the stream (``False``)."""
    global _quiet  # noqa: PLW0603 -- one process-wide switch, set once by the CLI
    _quiet = bool(quiet)


def is_quiet() -> bool:
    return _quiet or os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes", "on")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class SilentBar:
    """A bar that prints nothing (disabled or quiet), with the methods of a tqdm bar that compogen uses."""

    def __init__(self, iterable: Iterable | None = None, total: float | None = None, initial: float = 0, desc: str | None = None) -> None:
        self.iterable, self.total, self.n, self.desc = iterable, total, initial, desc or ""
        if self.total is None and iterable is not None and hasattr(iterable, "__len__"):
            self.total = len(iterable)
        self.postfix = ""

    def __iter__(self):
        for item in self.iterable if self.iterable is not None else ():
            yield item
            self.update(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: float = 1) -> None:
        self.n += n

    def set_postfix(self, ordered_dict: dict | None = None, refresh: bool = True, **kwargs: Any) -> None:
        items = {**(ordered_dict or {}), **kwargs}
        self.postfix = " ".join(f"{k}={v}" for k, v in items.items())

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = str(s)

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        self.desc = desc or ""

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass


class LineBar(SilentBar):
    """One line per ``EVERY_PERCENT`` percent (and per ``MAX_SILENCE_S`` of silence): for logs and pipes."""

    def __init__(
        self,
        iterable: Iterable | None = None,
        total: float | None = None,
        initial: float = 0,
        desc: str | None = None,
        unit: str = "it",
        file: TextIO | None = None,
        every_percent: float = EVERY_PERCENT,
        max_silence_s: float = MAX_SILENCE_S,
    ) -> None:
        super().__init__(iterable, total, initial, desc)
        self.unit, self.file = unit, file
        self.every, self.max_silence = every_percent, max_silence_s
        self.start_n, self.t0 = initial, time.monotonic()
        self.closed = False
        self._print()

    def _stream(self) -> TextIO:
        return self.file if self.file is not None else sys.stderr

    def _step(self) -> int:
        """How many ``every``-percent marks ``n`` has passed (-1 without a total)."""
        if not self.total:
            return -1
        return int(math.floor(100.0 * min(self.n, self.total) / self.total / self.every + 1e-9))

    def _line(self) -> str:
        elapsed = time.monotonic() - self.t0
        head = f"{self.desc}: " if self.desc else ""
        count = f"{self.n:g}/{self.total:g} {self.unit}" if self.total else f"{self.n:g} {self.unit}"
        parts = [f"{head}{100.0 * min(self.n, self.total) / self.total:3.0f}% ({count})" if self.total else f"{head}{count}"]
        parts.append(_duration(elapsed))
        done = self.n - self.start_n
        if self.total and done > 0 and self.n < self.total:
            parts.append(f"eta {_duration(elapsed / done * (self.total - self.n))}")
        if self.postfix:
            parts.append(self.postfix)
        return ", ".join(parts)

    def _print(self) -> None:
        stream = self._stream()
        print(self._line(), file=stream)
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.flush()
        self.printed_n, self.printed_step, self.printed_t = self.n, self._step(), time.monotonic()

    def update(self, n: float = 1) -> None:
        if self.closed:
            return
        self.n += n
        if self._step() > self.printed_step or (n and time.monotonic() - self.printed_t >= self.max_silence):
            self._print()

    def close(self) -> None:
        if self.closed:
            return
        if self.n != self.printed_n:
            self._print()
        self.closed = True


def bar(
    iterable: Iterable | None = None,
    *,
    total: float | None = None,
    initial: float = 0,
    desc: str | None = None,
    unit: str = "it",
    disable: bool = False,
    file: TextIO | None = None,
    **tqdm_kwargs: Any,
) -> Any:
    """A progress bar with tqdm's interface: tqdm's bar on a terminal, :class:`LineBar` off one,
    :class:`SilentBar` when ``disable`` or quiet. Extra keywords go to tqdm (on a terminal only)."""
    if disable or is_quiet():
        return SilentBar(iterable, total, initial, desc)
    stream = file if file is not None else sys.stderr
    if not _is_terminal(stream):
        return LineBar(iterable, total, initial, desc, unit, file)
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, initial=initial, desc=desc, unit=unit, file=file, **tqdm_kwargs)
