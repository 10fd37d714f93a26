"""Atomic file writes: write to a temporary file beside the target, then rename; and the identity
check of a run directory (made with the same settings, or refused)."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from compogen.errors import CompogenError

__all__ = ["RunIdentity", "atomic_dir", "atomic_files", "atomic_path", "atomic_write_text", "atomic_write_json", "file_sha256"]


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
    with atomic_path(path) as tmp, open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def _staging(path: Path, where: Path) -> Iterator[Path]:
    """A fresh hidden folder ``.<name>.<pid>.*.tmp`` for ``path`` in ``where``, removed on exit; those of
    writers that were killed (their pid is gone) are removed first."""
    where.mkdir(parents=True, exist_ok=True)
    _remove_stale(path, where)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=where))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
    with _staging(path, where) as tmp:
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


@contextlib.contextmanager
def atomic_files(folder: str | os.PathLike, tag: str, last: Sequence[str] = (), remove: Sequence[str] = ()) -> Iterator[Path]:
    """Yield an empty hidden staging folder inside ``folder``; on success move the files written into
    it into ``folder``, replacing those of the same names, the names in ``last`` last (a manifest
    that commits the others).

    Before anything moves every staged file is synced and gets the mode a plain ``open()`` would
    give it, then the names in ``remove`` are deleted from ``folder``. On an error before that,
    ``folder`` is left as it was. The staging folder (``.<tag>.<pid>.*.tmp``) is always removed,
    and those of writers killed with SIGKILL are removed by the next write.
    """
    folder = Path(folder)
    with _staging(folder / tag, folder) as tmp:
        yield tmp
        names = sorted(p.name for p in tmp.iterdir())
        order = [n for n in names if n not in last] + [n for n in last if n in names]
        mode = 0o666 & ~_umask()
        for n in order:
            if (tmp / n).is_symlink() or not (tmp / n).is_file():
                raise ValueError(f"atomic_files stages plain files only, got {tmp / n}")
            os.chmod(tmp / n, mode)
            with open(tmp / n, "rb") as f:
                os.fsync(f.fileno())
        for n in remove:
            with contextlib.suppress(FileNotFoundError):
                (folder / n).unlink()
        for n in order:
            os.replace(tmp / n, folder / n)


_ABSENT = object()


def _without(record: Any, field: str) -> Any:
    """``record`` less the dotted ``field`` (``"config.steps"``: the key ``steps`` of ``record["config"]``)."""
    head, _, rest = field.partition(".")
    if not isinstance(record, dict) or head not in record:
        return record
    if not rest:
        return {k: v for k, v in record.items() if k != head}
    return {**record, head: _without(record[head], rest)}


def _differences(old: Any, new: Any, prefix: str = "", defaults: Any = None) -> list[str]:
    """Dotted names of the fields in which two JSON values differ (nested objects are compared field by
    field). A field ``old`` lacks is no difference when ``new`` holds its value in ``defaults`` (a field
    added to the settings after ``old`` was written)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        d = defaults if isinstance(defaults, dict) else {}
        for k in sorted(set(old) | set(new), key=str):
            if k not in old and k in d and d[k] == new[k]:
                continue
            out += _differences(old.get(k, _ABSENT), new.get(k, _ABSENT), f"{prefix}{k}.", d.get(k))
        return out
    return [] if old == new else [prefix[:-1]]


class RunIdentity:
    """The settings a run directory was made with, kept as a JSON object in ``path/file``.

    :meth:`check` refuses (writing nothing) a directory whose saved settings differ from ``identity``
    in a field not in ``ignore``: dotted names into nested objects, e.g. ``("seeds", "config.steps")``
    for settings that may change between calls (more seeds, a run extended to more steps). The error
    is one line naming the differing fields. ``defaults`` (the identity's shape, e.g. a config's
    defaults) lets a directory written before a field existed resume when the field keeps its default.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        identity: dict[str, Any],
        ignore: Sequence[str] = (),
        file: str = "config.json",
        what: str = "a run",
        hint: str = "use a new --out directory",
        defaults: dict[str, Any] | None = None,
    ):
        self.path, self.identity, self.ignore, self.defaults = Path(path), identity, tuple(ignore), defaults
        self.file, self.what, self.hint = self.path / file, what, hint

    def read(self) -> dict[str, Any] | None:
        """The saved settings; None when there are none yet."""
        try:
            saved = json.loads(self.file.read_text())
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            raise CompogenError(f"{self.path} is a file, expected a run directory") from None
        except ValueError as e:
            raise CompogenError(f"{self.file}: corrupt JSON ({e})") from None
        if not isinstance(saved, dict):
            raise CompogenError(f"{self.file}: expected a JSON object (the settings of {self.what})")
        return saved

    def differences(self, saved: dict[str, Any]) -> list[str]:
        """The fields (dotted names) in which ``saved`` differs from this identity, ignored ones left out."""
        old, new = saved, self.identity
        for field in self.ignore:
            old, new = _without(old, field), _without(new, field)
        return _differences(old, new, defaults=self.defaults)

    def refuse_other(self, saved: dict[str, Any] | None) -> dict[str, Any] | None:
        """``saved`` (settings read elsewhere, e.g. nested in a state file), after refusing other
        settings than this identity's in one line naming the fields."""
        diff = self.differences(saved) if saved is not None else []
        if diff:
            shown = ", ".join(diff[:8]) + (f", and {len(diff) - 8} more" if len(diff) > 8 else "")
            raise CompogenError(f"{self.path} holds {self.what} with other settings ({shown}); {self.hint}")
        return saved

    def check(self) -> dict[str, Any] | None:
        """The saved settings (None when none), after refusing other settings than this identity's."""
        return self.refuse_other(self.read())

    def write(self) -> None:
        """Save this identity (atomically), creating the directory."""
        atomic_write_json(self.file, self.identity)


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
