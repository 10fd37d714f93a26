"""The compositional task space: four axes of four elements, task ids, indicators.

A :class:`Task` is a tuple ``(robot, object, obstacle, objective)`` of element
names. A :class:`TaskSpace` knows the element names of one suite, converts task
ids (``"iiwa-plate-none-push"``) both ways and builds the 16-dim task indicator
in the paper's order (robot, object, obstacle, objective one-hots).

>>> space = COMPOSUITE_SPACE
>>> t = space.parse("kinova3-plate-none-push")
>>> t
Task(robot='Kinova3', object='Plate', obstacle='None', objective='Push')
>>> space.indicator(t).astype(int).tolist()
[0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]
>>> space.task_id(t)
'kinova3-plate-none-push'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from compogen.errors import UnknownTaskError

__all__ = ["AXES", "Task", "TaskSpace", "COMPOSUITE_SPACE"]

#: The four axes, in the order of the paper's task indicator (its Figure 3).
AXES: tuple[str, ...] = ("robot", "object", "obstacle", "objective")


class Task(NamedTuple):
    """One task: an element name per axis, spelled as its suite spells them."""

    robot: str
    object: str
    obstacle: str
    objective: str


@dataclass(frozen=True)
class TaskSpace:
    """Element names per axis; everything else (ids, indicators) derives from them."""

    elements: tuple[tuple[str, ...], ...]  # one tuple per axis, in AXES order

    def __post_init__(self) -> None:
        if len(self.elements) != len(AXES):
            raise ValueError(f"a task space needs {len(AXES)} axes, got {len(self.elements)}")
        for axis, names in zip(AXES, self.elements, strict=True):
            lowered = [n.lower() for n in names]
            if len(set(lowered)) != len(lowered) or any("-" in n or not n for n in names):
                raise ValueError(f"axis {axis!r}: element names must be unique, non-empty, without '-': {names}")

    # -- axes ---------------------------------------------------------------
    def axis_elements(self, axis: str) -> tuple[str, ...]:
        return self.elements[self.axis_index(axis)]

    @staticmethod
    def axis_index(axis: str) -> int:
        try:
            return AXES.index(axis)
        except ValueError:
            raise UnknownTaskError(f"unknown axis {axis!r}; valid axes: {', '.join(AXES)}") from None

    @property
    def indicator_dim(self) -> int:
        return sum(len(e) for e in self.elements)

    def indicator_offsets(self) -> tuple[int, ...]:
        """Start of each axis' one-hot block inside the indicator."""
        return tuple(int(x) for x in np.cumsum([0] + [len(e) for e in self.elements])[:-1])

    # -- tasks ----------------------------------------------------------------
    def __iter__(self) -> Iterator[Task]:
        for combo in itertools.product(*self.elements):
            yield Task(*combo)

    def __len__(self) -> int:
        return int(np.prod([len(e) for e in self.elements]))

    def __contains__(self, task: object) -> bool:
        return isinstance(task, tuple) and len(task) == len(AXES) and all(name in names for name, names in zip(task, self.elements, strict=True))

    def element(self, axis: str, name: str) -> str:
        """Canonical spelling of ``name`` on ``axis`` (case-insensitive)."""
        names = self.axis_elements(axis)
        for canonical in names:
            if canonical.lower() == str(name).lower():
                return canonical
        raise UnknownTaskError(f"unknown {axis} {name!r}; valid: {', '.join(names)}")

    def task(self, *elements: str) -> Task:
        """Build a task from four element names (any case)."""
        if len(elements) == 1 and not isinstance(elements[0], str):
            elements = tuple(elements[0])
        if len(elements) != len(AXES):
            raise UnknownTaskError(f"a task has {len(AXES)} elements ({', '.join(AXES)}), got {list(elements)}")
        return Task(*(self.element(axis, name) for axis, name in zip(AXES, elements, strict=True)))

    def parse(self, task: str | Sequence[str] | Task) -> Task:
        """Parse ``"iiwa-plate-none-push"`` (any case, ``_`` also accepted) or a 4-sequence."""
        if isinstance(task, str):
            text = task.strip()
            if text.endswith("-v0"):
                text = text[: -len("-v0")]
            if "/" in text:
                text = text.rsplit("/", 1)[1]
            parts = text.replace("_", "-").split("-")
            if len(parts) != len(AXES):
                raise UnknownTaskError(f"bad task id {task!r}: expected {'-'.join(AXES)}, e.g. {self.task_id(next(iter(self)))!r}")
            return self.task(*parts)
        return self.task(*task)

    def task_id(self, task: Task | Sequence[str] | str) -> str:
        """Canonical lower-case id, e.g. ``iiwa-plate-none-push``."""
        task = self.parse(task)
        return "-".join(name.lower() for name in task)

    def folder_name(self, task: Task | Sequence[str] | str) -> str:
        """Dataset folder name, CompoSuite style: ``IIWA_Plate_None_Push``."""
        return "_".join(self.parse(task))

    def indicator(self, task: Task | Sequence[str] | str) -> np.ndarray:
        """16-dim float32 one-hot indicator in the paper's order."""
        task = self.parse(task)
        out = np.zeros(self.indicator_dim, dtype=np.float32)
        for offset, names, name in zip(self.indicator_offsets(), self.elements, task, strict=True):
            out[offset + names.index(name)] = 1.0
        return out

    def indicators(self, tasks: Iterable[Task | str]) -> np.ndarray:
        return np.stack([self.indicator(t) for t in tasks]) if tasks else np.zeros((0, self.indicator_dim), np.float32)

    def from_indicator(self, indicator: np.ndarray) -> Task:
        """Inverse of :meth:`indicator` (argmax per block)."""
        indicator = np.asarray(indicator).reshape(-1)
        if indicator.shape[0] != self.indicator_dim:
            raise UnknownTaskError(f"indicator has {indicator.shape[0]} dims, expected {self.indicator_dim}")
        names = []
        for offset, elems in zip(self.indicator_offsets(), self.elements, strict=True):
            block = indicator[offset : offset + len(elems)]
            names.append(elems[int(np.argmax(block))])
        return Task(*names)

    def element_indices(self, task: Task | str) -> tuple[int, ...]:
        """Index of each element within its axis (for per-element modules)."""
        task = self.parse(task)
        return tuple(names.index(name) for names, name in zip(self.elements, task, strict=True))


#: CompoSuite's element names, exactly as CompoSuite spells them.
COMPOSUITE_SPACE = TaskSpace(
    elements=(
        ("IIWA", "Jaco", "Panda", "Kinova3"),
        ("Box", "Dumbbell", "Plate", "Hollowbox"),
        ("None", "ObjectWall", "ObjectDoor", "GoalWall"),
        ("PickPlace", "Push", "Shelf", "Trashcan"),
    )
)
