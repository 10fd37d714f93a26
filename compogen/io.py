"""Atomic file writes: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

__all__ = ["atomic_dir", "atomic_path", "atomic_write_text", "atomic_write_json", "file_sha256"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(path: Path, where: Path | None = None) -> None:
    """Remove temporary files or folders of ``path`` (in ``where``, default its folder) left by writers
    that were killed (their pid is gone)."""
    head = f".{path.name}."
    for f in (where or path.parent).glob(f"{glob.escape(head)}*.tmp"):
        pid = f.name[len(head) :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                shutil.rmtree(f) if f.is_dir() and not f.is_symlink() else f.unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    On any error the temporary file is removed and ``path`` is left untouched.
    The file gets the mode a plain ``open()`` would give it (0666 less the umask);
    temporary files of writers killed with SIGKILL are removed by the next write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=suffix + ".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        os.close(fd)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, stage_in: str | os.PathLike | None = None, replace: bool = False) -> Iterator[Path]:
    """Yield an empty hidden staging folder; on success rename it to ``path`` (a folder).

    ``stage_in`` (default ``path``'s parent) must be on the same filesystem. With
    ``replace`` an existing ``path`` is moved aside and removed only after the new
    folder is in place; without it an existing ``path`` raises ``FileExistsError``.
    On any error the staging folder is removed and ``path`` is left as it was.
    """
    path = Path(path)
    where = Path(stage_in) if stage_in is not None else path.parent
    where.mkdir(parents=True, exist_ok=True)
    _remove_stale(path, where)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=where))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        path.parent.mkdir(parents=True, exist_ok=True)
        old = None
        if path.exists():
            if not replace:
                raise FileExistsError(f"{path} exists")
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.old.", suffix=".tmp", dir=where))
            os.replace(path, old / path.name)
        try:
            os.rename(tmp, path)
        except BaseException:
            if old is not None:  # put the old folder back
                os.replace(old / path.name, path)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
