"""``Transitions``: columns of RL transitions, possibly from several tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = ["Transitions", "check_finite"]

KEYS = ("observations", "actions", "rewards", "next_observations", "terminals")


def check_finite(name: str, columns: dict[str, np.ndarray], rows: np.ndarray | None = None) -> None:
    """The one NaN/Inf check of row-aligned columns: :class:`DataError` naming the column and the first bad
    row (``rows[i]`` when ``rows`` maps positions to file rows) and how many rows are bad."""
    for key, column in columns.items():
        arr = np.asarray(column)
        if np.isfinite(arr).all():
            continue
        bad = ~np.isfinite(arr.reshape(len(arr), -1)).all(1)
        first = int(np.argmax(bad))
        raise DataError(f"{name}: {key} contains NaN or Inf (first at row {int(rows[first]) if rows is not None else first}, {int(bad.sum())} rows)")


@dataclass
class Transitions:
    """Transition columns; ``task_index[i]`` indexes ``tasks`` for row ``i``.

    ``observations``/``next_observations`` are full suite observations (task-id
    dims included), float32; ``terminals``/``timeouts`` are bool.
    """

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_observations: np.ndarray
    terminals: np.ndarray
    timeouts: np.ndarray | None = None
    task_index: np.ndarray | None = None
    tasks: list[Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.observations)
        if self.timeouts is None:
            self.timeouts = np.zeros(n, dtype=bool)
        if self.task_index is None:
            if len(self.tasks) > 1:
                raise DataError("Transitions of several tasks need task_index")
            self.task_index = np.zeros(n, dtype=np.int16)
        self.validate()

    def __len__(self) -> int:
        return len(self.observations)

    def validate(self, name: str = "transitions") -> Transitions:
        """Check shapes, dtypes and finiteness; raise :class:`DataError` naming the problem."""
        n = len(self.observations)
        if self.observations.ndim != 2:
            raise DataError(f"{name}: observations must be 2-D [N, obs_dim], got shape {list(self.observations.shape)}")
        if self.next_observations.shape != self.observations.shape:
            raise DataError(f"{name}: next_observations shape {list(self.next_observations.shape)} != observations {list(self.observations.shape)}")
        if self.actions.ndim != 2 or len(self.actions) != n:
            raise DataError(f"{name}: actions must be [{n}, action_dim], got {list(self.actions.shape)}")
        for key in ("rewards", "terminals", "timeouts", "task_index"):
            arr = getattr(self, key)
            if arr.shape != (n,):
                raise DataError(f"{name}: {key} must have shape [{n}], got {list(arr.shape)}")
        if len(self.task_index) and self.tasks and (self.task_index.min() < 0 or self.task_index.max() >= len(self.tasks)):
            raise DataError(f"{name}: task_index out of range for {len(self.tasks)} tasks")
        return self

    @property
    def obs_dim(self) -> int:
        return self.observations.shape[1]

    @property
    def action_dim(self) -> int:
        return self.actions.shape[1]

    def check_finite(self, name: str = "transitions") -> Transitions:
        check_finite(name, {k: getattr(self, k) for k in ("observations", "actions", "rewards", "next_observations")})
        return self

    def subset(self, rows: np.ndarray | slice) -> Transitions:
        """Rows ``rows`` (a copy for index arrays, a view for slices)."""
        return Transitions(
            self.observations[rows],
            self.actions[rows],
            self.rewards[rows],
            self.next_observations[rows],
            self.terminals[rows],
            self.timeouts[rows],
            self.task_index[rows],
            list(self.tasks),
        )

    def select(self, task: Task) -> Transitions:
        """The rows of one task, as a single-task ``Transitions``."""
        if task not in self.tasks:
            raise DataError(f"no data for task {task}; have {len(self.tasks)} tasks")
        out = self.subset(np.flatnonzero(self.task_index == self.tasks.index(task)))
        out.task_index = np.zeros(len(out), dtype=np.int16)
        out.tasks = [task]
        return out

    def counts(self) -> dict[Task, int]:
        """Rows per task."""
        c = np.bincount(self.task_index, minlength=len(self.tasks))
        return {t: int(k) for t, k in zip(self.tasks, c, strict=False)}  # bincount runs longer on an out-of-range index: known tasks only

    @classmethod
    def concatenate(cls, parts: Sequence[Transitions]) -> Transitions:
        """Join pools; tasks are merged (a task present in two parts keeps one index)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            raise DataError("nothing to concatenate")
        tasks: list[Task] = []
        for p in parts:
            tasks += [t for t in p.tasks if t not in tasks]
        remap = [np.array([tasks.index(t) for t in p.tasks] or [0], dtype=np.int16) for p in parts]

        def cat(key):
            return np.concatenate([getattr(p, key) for p in parts])

        return cls(
            cat("observations"),
            cat("actions"),
            cat("rewards"),
            cat("next_observations"),
            cat("terminals"),
            cat("timeouts"),
            np.concatenate([m[p.task_index] for m, p in zip(remap, parts, strict=True)]),
            tasks,
        )

    def as_dict(self) -> dict[str, np.ndarray]:
        """The SynthER/D4RL-style key contract."""
        return {k: getattr(self, k) for k in KEYS}
