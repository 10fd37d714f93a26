"""Where offline datasets live: CompoSuite's folder layout (see :mod:`compogen.data.offline`).

::

    <root>/<type>/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5
    <root>/<type>-<robot>-offline-comp-data/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5   (per-robot downloads)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from compogen.errors import DataError
from compogen.tasks.space import Task, TaskSpace

__all__ = ["DEFAULT_TYPE", "dataset_path", "find_datasets"]

DEFAULT_TYPE = "expert"
_PER_ROBOT = re.compile(r"^(?P<type>[a-z0-9]+)-(?P<robot>[a-z0-9]+)-offline-comp-data$", re.I)


def dataset_path(root: str | os.PathLike, task: Task, space: TaskSpace, type: str = DEFAULT_TYPE) -> Path:
    """Where compogen writes ``task``'s dataset: ``<root>/<type>/<Folder>/data.hdf5``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", type) or ".." in type:
        raise DataError(f"dataset type {type!r} must be one folder name (letters, digits, '_', '-', '.'), like expert or medium")
    return Path(root) / type / space.folder_name(task) / "data.hdf5"


def find_datasets(root: str | os.PathLike, space: TaskSpace, type: str | None = None) -> dict[Task, Path]:
    """All task datasets under ``root`` (either layout, or ``root`` being a type folder)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: dataset root is not a directory")
    found: dict[Task, Path] = {}
    candidates: list[Path] = []
    for sub in sorted(root.iterdir()):
        if not sub.is_dir():
            continue
        m = _PER_ROBOT.match(sub.name)
        if (m and (type is None or m["type"].lower() == type.lower())) or (
            not m and "_" not in sub.name and (type is None or sub.name.lower() == type.lower())
        ):
            candidates += sorted(p for p in sub.iterdir() if p.is_dir())
        elif "_" in sub.name:
            candidates.append(sub)  # root is itself a type folder
    for folder in candidates:
        f = folder / "data.hdf5"
        if not f.is_file():
            continue
        task = _task_from_folder(folder, space)
        if task in found:
            raise DataError(f"two datasets for task {space.task_id(task)}: {found[task]} and {f}")
        found[task] = f
    return found


def _task_from_folder(folder: Path, space: TaskSpace) -> Task:
    parts = folder.name.split("_")
    if len(parts) != 4:
        raise DataError(f"{folder}: task folder name must be Robot_Object_Obstacle_Objective, got {folder.name!r}")
    try:
        return space.task(*parts)
    except ValueError as e:
        raise DataError(f"{folder}: bad task folder name ({e})") from None
