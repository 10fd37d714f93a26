"""The records a run passes between its stages and keeps in ``state.json``: typed, checked once.

* :class:`TaskResult`: one target's scores in one round (what the run keeps of a job's validation record);
* :class:`Round`: one round of Algorithm 1 as the history holds it;
* :class:`PoolEntry`: one admitted dataset of the pool;
* :class:`RunState`: the state before the next round (the schedule's :class:`ScheduleState`, the pool, the history).

``to_dict`` gives back exactly the JSON the run writes (same keys, same order, same values), so a run
directory written before these records existed resumes unchanged. Optional fields are None where the
record has no such key, and ``to_dict`` leaves them out.

>>> r = TaskResult.from_record({"success": 0.9, "failed": False, "seeds": [], "algo": "iql"})
>>> r.success, r.to_dict()
(0.9, {'success': 0.9, 'failed': False})
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compogen.config import Config
from compogen.errors import CompogenError
from compogen.loop.schedule import ScheduleState, ThresholdSchedule

__all__ = ["TaskResult", "Round", "PoolEntry", "RunState", "as_rounds"]


def _present(record: Config) -> dict[str, Any]:
    """The record's fields in order, without the optional ones it does not hold (None)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if getattr(record, f.name) is not None}


@dataclass(frozen=True)
class TaskResult(Config):
    """One target's validation in one round: the scores the run keeps in its history."""

    success: float
    """Success rate in [0, 1]; above τ, the task's dataset is admitted."""
    failed: bool | None = None
    """True when the job failed (its ``success`` is then 0)."""
    env_steps: int | None = None
    per_seed: list[float] | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    mean_return: float | None = None
    skipped: bool | None = None
    """True when the dataset was not validated: its mean reward was below ``proxy_min_mean_reward``
    (:class:`~compogen.loop.config.LoopConfig`), so ``success`` is 0 and ``env_steps`` 0."""
    candidate: int | None = None
    """With several generators per round (``LoopConfig.generators``): the candidate whose dataset this is
    (the best of the round's); ``env_steps`` then counts every candidate's validation."""

    def __post_init__(self) -> None:
        if not isinstance(self.success, numbers.Real) or isinstance(self.success, bool):
            raise ValueError(f"success must be a number, got {self.success!r}")

    def to_dict(self) -> dict[str, Any]:
        return _present(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TaskResult:
        """The scores of a job's validation record (a stage's dict: its other keys are not kept here)."""
        if not isinstance(record, Mapping) or "success" not in record:
            raise CompogenError(f"TaskResult: a validation record needs 'success', got {record!r:.200}")
        return cls.from_dict({f.name: record[f.name] for f in dataclasses.fields(cls) if f.name in record})


@dataclass(frozen=True)
class Round(Config):
    """One round of Algorithm 1 in the run's history."""

    iteration: int
    tau: float
    """τ the round's results were judged against."""
    admitted: tuple[str, ...]
    """Targets admitted in this round (sorted)."""
    results: Mapping[str, TaskResult]
    """The round's results per target it evaluated, in evaluation order."""
    tau_next: float | None = None
    patience: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"iteration": self.iteration, "tau": self.tau, "tau_next": self.tau_next, "patience": self.patience}
        d = {k: v for k, v in d.items() if v is not None}
        return {**d, "admitted": list(self.admitted), "results": {t: r.to_dict() for t, r in self.results.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Round:
        if not isinstance(d, dict) or not isinstance(d.get("results"), dict) or not isinstance(d.get("admitted"), list):
            raise CompogenError(f"Round: expected an object with an 'admitted' list and a 'results' object, got {d!r:.200}")
        results = {t: TaskResult.from_dict(r) for t, r in d["results"].items()}
        return super().from_dict({**d, "admitted": tuple(d["admitted"]), "results": results})


def as_rounds(history: Iterable[Round | Mapping[str, Any]]) -> list[Round]:
    """A history as :class:`Round` records (its entries may be the dicts ``state.json`` holds)."""
    return [h if isinstance(h, Round) else Round.from_dict(dict(h)) for h in history]


@dataclass(frozen=True)
class PoolEntry(Config):
    """One admitted synthetic dataset: its task, its file (relative to the run directory), round and success."""

    task: str
    file: str
    iteration: int | None = None
    success: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _present(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PoolEntry:
        if not isinstance(d, dict) or not isinstance(d.get("task"), str) or not isinstance(d.get("file"), str):
            raise CompogenError(f"pool entries need 'task' and 'file' strings, got {d!r}")
        return super().from_dict(d)


_STATE_TYPES = {"iteration": int, "solved": list, "tau": (int, float), "patience": int, "done": bool, "pool": list, "history": list}
"""``state.json``'s keys, in the order the run writes them, and their JSON types."""


@dataclass(frozen=True)
class RunState(Config):
    """A run's state before round ``iteration`` (its ``state.json``)."""

    iteration: int = 0
    schedule: ScheduleState = field(default_factory=ScheduleState)
    """Solved targets, τ, patience counter, done (:mod:`compogen.loop.schedule`)."""
    pool: tuple[PoolEntry, ...] = ()
    """The admitted datasets, in admission order."""
    history: tuple[Round, ...] = ()

    @classmethod
    def initial(cls, schedule: ThresholdSchedule) -> RunState:
        """Before the first round."""
        return cls(0, ScheduleState.initial(schedule))

    def to_dict(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            **self.schedule.to_record(),
            "pool": [e.to_dict() for e in self.pool],
            "history": [h.to_dict() for h in self.history],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "RunState") -> RunState:
        """The state a ``state.json`` holds; ``where`` (the file) prefixes every refusal."""
        if not isinstance(d, dict):
            raise CompogenError(f"{where}: expected a JSON object")
        unknown = sorted(set(d) - set(_STATE_TYPES))
        if unknown:
            raise CompogenError(f"{where}: unknown keys {unknown}; valid: {', '.join(_STATE_TYPES)}")
        for key, kind in _STATE_TYPES.items():
            if key not in d:
                raise CompogenError(f"{where}: missing {key!r}")
            if not isinstance(d[key], kind) or (kind is int and isinstance(d[key], bool)):
                raise CompogenError(f"{where}: {key!r} has the wrong type ({type(d[key]).__name__})")
        if not all(isinstance(t, str) for t in d["solved"]):
            raise CompogenError(f"{where}: 'solved' must list task ids, got {d['solved']!r:.200}")
        try:
            pool = tuple(PoolEntry.from_dict(e) for e in d["pool"])
            history = tuple(Round.from_dict(h) for h in d["history"])
        except CompogenError as e:
            raise CompogenError(f"{where}: {e}") from None
        return cls(d["iteration"], ScheduleState.from_record(d), pool, history)

    def check_run(self, where: str, run_path: Path, target_ids: list[str]) -> RunState:
        """Refuse solved tasks or pool entries that are not targets of the run, and pool files outside
        ``run_path`` (a hand-edited state cannot point the pool at other files); return self."""
        unknown = [t for t in sorted(self.schedule.solved) if t not in target_ids]
        if unknown:
            raise CompogenError(f"{where}: solved tasks {unknown[:3]} are not targets of this run")
        root = run_path.resolve()
        for entry in self.pool:
            if entry.task not in target_ids:
                raise CompogenError(f"{where}: pool entry task {entry.task!r} is not a target of this run")
            if root not in (run_path / entry.file).resolve().parents:
                raise CompogenError(f"{where}: pool file {entry.file!r} lies outside the run directory")
        return self
