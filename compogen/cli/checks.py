"""Checks the commands run on their arguments before any work, so that a bad path or device
fails at once with one line (exit 2) instead of after minutes of training or sampling."""

from __future__ import annotations

import os
from pathlib import Path

from compogen.devices import check_device
from compogen.errors import CompogenError

__all__ = ["check_output_file", "check_output_dir", "check_device"]

HDF5_SUFFIXES = (".h5", ".hdf5")


def _writable_parent(path: Path) -> None:
    parent = path.parent
    while not parent.exists():  # created later; its first existing ancestor must be writable
        parent = parent.parent
    if not parent.is_dir():
        raise CompogenError(f"{path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CompogenError(f"{path}: cannot write in {parent} (permission denied)")


def check_output_file(path: Path, overwrite: bool = False, suffixes: tuple[str, ...] = HDF5_SUFFIXES) -> Path:
    """An output file: the right suffix, not a directory, not an existing file unless ``overwrite``, writable."""
    path = Path(path)
    if path.is_dir():
        raise CompogenError(f"--out {path} is a directory; give a file name like {path / ('out' + suffixes[0])}")
    if suffixes and path.suffix.lower() not in suffixes:
        raise CompogenError(f"--out {path}: expected a {' or '.join(suffixes)} file (the format written is HDF5)")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; use --overwrite to replace it")
    if path.exists() and not os.access(path, os.W_OK):
        raise CompogenError(f"{path}: cannot replace it (permission denied)")
    _writable_parent(path)
    return path


def check_output_dir(path: Path) -> Path:
    """An output directory: not a file, and writable (or creatable)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CompogenError(f"--out {path} is a file, expected a directory")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise CompogenError(f"{path}: cannot write in it (permission denied)")
    else:
        _writable_parent(path)
    return path
