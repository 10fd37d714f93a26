"""Algorithm 1's bookkeeping, as pure functions: solved set, threshold τ, patience c.

One round (lines 8–12 of the paper's Algorithm 1)::

    solved' = solved ∪ {t : sr(t) > τ}
    c = c + 1 if solved' == solved else 0
    if c >= C: τ = max(τ − Δτ, τ_min); c = 0
    done = targets ⊆ solved'

>>> s = ScheduleState.initial(ThresholdSchedule())
>>> s = advance(s, {"a": 0.9, "b": 0.3}, ThresholdSchedule(), targets=["a", "b"])
>>> sorted(s.solved), s.tau, s.patience, s.done
(['a'], 0.8, 0, False)
>>> s = advance(s, {"b": 0.75}, ThresholdSchedule(), targets=["a", "b"])
>>> round(s.tau, 2), s.patience
(0.7, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

__all__ = ["ThresholdSchedule", "ScheduleState", "advance"]


@dataclass(frozen=True)
class ThresholdSchedule:
    """Quality-threshold settings of Algorithm 1 (the paper's Table 4)."""

    tau0: float = 0.8
    """Initial success threshold τ0: a task is admitted when its success rate is > τ."""
    tau_min: float = 0.5
    """Lower bound τ_min of the threshold."""
    delta_tau: float = 0.1
    """Δτ: how much τ drops when patience runs out."""
    patience: int = 1
    """C: rounds without a newly solved task before τ drops."""

    def __post_init__(self) -> None:
        if not (0 <= self.tau_min <= self.tau0 <= 1) or self.delta_tau < 0 or self.patience < 1:
            raise ValueError(f"bad threshold schedule {self}: need 0 <= tau_min <= tau0 <= 1, delta_tau >= 0, patience >= 1")


@dataclass(frozen=True)
class ScheduleState:
    """State between rounds: what is solved, the current τ and patience counter."""

    solved: frozenset = field(default_factory=frozenset)
    tau: float = ThresholdSchedule.tau0
    patience: int = 0
    done: bool = False

    @classmethod
    def initial(cls, schedule: ThresholdSchedule) -> ScheduleState:
        """Before the first round: nothing solved, τ = τ0."""
        return cls(frozenset(), schedule.tau0, 0, False)

    def to_record(self) -> dict:
        """The fields as a run's ``state.json`` holds them (solved tasks sorted)."""
        return {"solved": sorted(self.solved), "tau": self.tau, "patience": self.patience, "done": self.done}

    @classmethod
    def from_record(cls, record: Mapping) -> ScheduleState:
        """The state held in ``record`` (a run's state; other keys are ignored)."""
        return cls(frozenset(record["solved"]), record["tau"], record["patience"], record["done"])


def advance(state: ScheduleState, success: Mapping[str, float], schedule: ThresholdSchedule, targets: Iterable[str]) -> ScheduleState:
    """Apply one round's success rates (of the unsolved targets) to ``state``."""
    newly = {t for t, sr in success.items() if sr > state.tau and t not in state.solved}
    solved = state.solved | newly
    c = state.patience + 1 if not newly else 0
    tau = state.tau
    if c >= schedule.patience:
        tau = max(round(tau - schedule.delta_tau, 10), schedule.tau_min)
        c = 0
    return replace(state, solved=frozenset(solved), tau=tau, patience=c, done=set(targets) <= solved)
