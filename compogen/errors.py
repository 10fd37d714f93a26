"""Exceptions raised by compogen. The CLI prints them as one line, no traceback."""

from __future__ import annotations

__all__ = ["CompogenError", "UnknownTaskError", "DataError", "CheckpointError"]


class CompogenError(Exception):
    """Base class of every error compogen raises on bad input."""


class UnknownTaskError(CompogenError, ValueError):
    """A task id, element name or split name that does not exist."""


class DataError(CompogenError, ValueError):
    """A dataset file that is missing, truncated or inconsistent."""


class CheckpointError(CompogenError, ValueError):
    """A generator checkpoint that is corrupt or does not match."""
