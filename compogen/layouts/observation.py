"""Observation layout: which slice of a suite's observation holds which factor.

Every suite declares named factor slices (object, obstacle, goal, proprio, ...)
plus the slice holding the task-id one-hots, and which task axis selects the
element behind each factor (object→object, goal→objective, proprio→robot).
The generator, the normalizer and the validators read nothing else about a suite's
observation.

>>> from compogen.tasks import COMPOSUITE_SPACE
>>> lay = COMPOSUITE_OBSERVATION_LAYOUT
>>> lay.dim, lay.state_dim, [f.name for f in lay.factors]
(93, 77, ['object', 'obstacle', 'goal', 'proprio'])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from compogen.errors import CompogenError
from compogen.tasks.space import AXES, TaskSpace

__all__ = ["Factor", "ObservationLayout", "COMPOSUITE_OBSERVATION_LAYOUT"]


@dataclass(frozen=True)
class Factor:
    """A named slice ``[start, stop)`` of the observation and the axis selecting its element."""

    name: str
    start: int
    stop: int
    axis: str | None = None

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class ObservationLayout:
    """Factor slices and the task-id slice of a flat observation vector."""

    dim: int
    factors: tuple[Factor, ...]
    task_id_start: int
    task_id_stop: int
    #: Order of the axes' one-hot blocks inside the observation's task-id slice.
    task_id_order: tuple[str, ...] = AXES

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", tuple(Factor(**f) if isinstance(f, dict) else f for f in self.factors))
        object.__setattr__(self, "task_id_order", tuple(self.task_id_order))
        spans = sorted([(f.start, f.stop, f.name) for f in self.factors] + [(self.task_id_start, self.task_id_stop, "task_id")])
        pos = 0
        for start, stop, name in spans:
            if start != pos or stop <= start:
                raise CompogenError(f"observation layout: slice {name!r} [{start}:{stop}] leaves a gap or overlaps at {pos}")
            pos = stop
        if pos != self.dim:
            raise CompogenError(f"observation layout covers {pos} dims, but dim is {self.dim}")
        if sorted(self.task_id_order) != sorted(AXES):
            raise CompogenError(f"task_id_order must be a permutation of {AXES}, got {self.task_id_order}")
        for f in self.factors:
            if f.axis is not None and f.axis not in AXES:
                raise CompogenError(f"factor {f.name!r}: unknown axis {f.axis!r}")

    # -- derived sizes ------------------------------------------------------------
    @property
    def task_id_dim(self) -> int:
        return self.task_id_stop - self.task_id_start

    @property
    def state_dim(self) -> int:
        """Observation size without the task-id dims."""
        return self.dim - self.task_id_dim

    def state_index(self) -> np.ndarray:
        """Indices of the observation dims kept in the generator's state (task ids removed)."""
        return np.r_[0 : self.task_id_start, self.task_id_stop : self.dim]

    def state_factors(self) -> tuple[Factor, ...]:
        """Factors re-indexed into the stripped state vector, in observation order."""
        out = []
        for f in sorted(self.factors, key=lambda f: f.start):
            shift = self.task_id_dim if f.start >= self.task_id_stop else 0
            out.append(Factor(f.name, f.start - shift, f.stop - shift, f.axis))
        return tuple(out)

    def factor(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise KeyError(f"no factor {name!r}; factors: {[f.name for f in self.factors]}")

    # -- task ids -----------------------------------------------------------------
    def task_id_permutation(self, space: TaskSpace) -> np.ndarray:
        """``p`` such that ``obs[task_id] == indicator[p]`` for the paper-order indicator."""
        offsets = dict(zip(AXES, space.indicator_offsets(), strict=True))
        sizes = {axis: len(space.axis_elements(axis)) for axis in AXES}
        perm = np.concatenate([np.arange(offsets[a], offsets[a] + sizes[a]) for a in self.task_id_order])
        if perm.size != self.task_id_dim:
            raise CompogenError(f"task-id slice has {self.task_id_dim} dims, the task space needs {perm.size}")
        return perm

    def indicator_from_obs(self, obs: np.ndarray, space: TaskSpace) -> np.ndarray:
        """Paper-order indicator(s) read from observation(s) ``[..., dim]``."""
        block = np.asarray(obs)[..., self.task_id_start : self.task_id_stop]
        out = np.empty_like(block)
        out[..., self.task_id_permutation(space)] = block
        return out

    def obs_task_block(self, indicator: np.ndarray, space: TaskSpace) -> np.ndarray:
        """Observation-order task-id block for paper-order indicator(s)."""
        return np.asarray(indicator)[..., self.task_id_permutation(space)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["factors"] = [asdict(f) for f in self.factors]
        d["task_id_order"] = list(self.task_id_order)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ObservationLayout:
        return cls(**d)


#: CompoSuite's 93-dim observation (use_task_id_obs=True): object, obstacle, goal,
#: task ids (object, robot, obstacle, subtask), robot proprioception.
COMPOSUITE_OBSERVATION_LAYOUT = ObservationLayout(
    dim=93,
    factors=(
        Factor("object", 0, 14, "object"),
        Factor("obstacle", 14, 28, "obstacle"),
        Factor("goal", 28, 45, "objective"),
        Factor("proprio", 61, 93, "robot"),
    ),
    task_id_start=45,
    task_id_stop=61,
    task_id_order=("object", "robot", "obstacle", "objective"),
)
