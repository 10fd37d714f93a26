"""Append-only HDF5 columns written to a temporary file that replaces the target on close."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from compogen.io import atomic_path

__all__ = ["AtomicH5Writer"]


class AtomicH5Writer:
    """Resizable column datasets; ``path`` appears only when :meth:`finish` runs.

    ``columns`` maps a key to ``(row_shape, dtype)``. Subclasses validate their
    input, call :meth:`append_columns`, and implement ``close()`` with :meth:`finish`.
    Leaving the ``with`` block on an exception removes the temporary file and keeps
    whatever was at ``path`` before.
    """

    def __init__(self, path: str | os.PathLike, columns: dict[str, tuple[tuple[int, ...], Any]], chunk_rows: int = 4096):
        self.path = Path(path)
        self._ctx = atomic_path(self.path, suffix=self.path.suffix or ".h5")
        self._tmp = self._ctx.__enter__()
        try:  # a failure (or a stop signal) before the ``with`` block starts must not leave the temporary file
            self._f = h5py.File(self._tmp, "w")
            self._d = {
                k: self._f.create_dataset(k, shape=(0, *shape), maxshape=(None, *shape), dtype=dtype, chunks=(chunk_rows, *shape))
                for k, (shape, dtype) in columns.items()
            }
        except BaseException:
            if getattr(self, "_f", None) is not None:
                self._f.close()
            self._ctx.__exit__(*sys.exc_info())
            raise
        self.n = 0

    def append_columns(self, cols: dict[str, np.ndarray], n: int) -> None:
        """Append ``n`` rows; values are cast to each column's dtype."""
        for k, d in self._d.items():
            v = np.asarray(cols[k]).reshape(n, *d.shape[1:]).astype(d.dtype, copy=False)
            d.resize(self.n + n, axis=0)
            d[self.n :] = v
        self.n += n

    def finish(self, meta: dict[str, Any]) -> None:
        """Store ``meta`` as JSON in the ``compogen`` attribute and move the file into place."""
        try:
            self._f.attrs["compogen"] = json.dumps(meta)
            self._f.close()  # flushes: fails when the disk is full
        except BaseException:
            with contextlib.suppress(Exception):
                self._f.close()
            self._ctx.__exit__(*sys.exc_info())  # removes the temporary file; the old file stays
            raise
        self._ctx.__exit__(None, None, None)

    def close(self) -> None:  # pragma: no cover - subclasses define their metadata
        self.finish({})

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            try:
                self._f.close()
            finally:
                self._ctx.__exit__(exc_type, exc, tb)
