"""Validation results: one :class:`SeedResult` per RL seed, grouped in a :class:`TaskValidation`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from compogen.rl.metrics import wilson_interval

__all__ = ["EvalPoint", "SeedResult", "TaskValidation"]


@dataclass
class EvalPoint:
    """One evaluation during training."""

    step: int
    success_rate: float
    mean_return: float


@dataclass
class SeedResult:
    """The best evaluation of one (task, seed) policy and its training history."""

    seed: int
    #: Best success rate over the evaluations (the policy kept).
    success_rate: float
    successes: int
    episodes: int
    #: 95 % Wilson interval of the best evaluation.
    ci_low: float
    ci_high: float
    #: Mean episode return of the best evaluation.
    mean_return: float
    #: Gradient step of the best evaluation.
    best_step: int
    #: Environment steps spent by all evaluations of this policy.
    env_steps: int
    history: list[EvalPoint] = field(default_factory=list)
    #: Wall-clock seconds of training and evaluation (shared runs: the run's time / policies).
    seconds: float = 0.0
    #: Saved best policy weights (safetensors), if asked for.
    weights_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SeedResult:
        d = dict(d)
        d["history"] = [EvalPoint(**h) for h in d.get("history", [])]
        return cls(**d)


@dataclass
class TaskValidation:
    """All seeds of one task's validation."""

    task: str
    algo: str
    backend: str
    n_transitions: int
    seeds: list[SeedResult]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def success_rate(self) -> float:
        """Mean over seeds of each seed's best success rate (the paper's per-task number)."""
        return float(np.mean([s.success_rate for s in self.seeds])) if self.seeds else 0.0

    @property
    def success_std(self) -> float:
        return float(np.std([s.success_rate for s in self.seeds])) if self.seeds else 0.0

    @property
    def pooled_interval(self) -> tuple[float, float]:
        """Wilson interval of all seeds' best-evaluation episodes pooled."""
        return wilson_interval(sum(s.successes for s in self.seeds), sum(s.episodes for s in self.seeds))

    @property
    def mean_return(self) -> float:
        return float(np.mean([s.mean_return for s in self.seeds])) if self.seeds else 0.0

    @property
    def env_steps(self) -> int:
        return int(sum(s.env_steps for s in self.seeds))

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.pooled_interval
        return {
            "task": self.task,
            "algo": self.algo,
            "backend": self.backend,
            "n_transitions": self.n_transitions,
            "success_rate": self.success_rate,
            "success_std": self.success_std,
            "ci_low": lo,
            "ci_high": hi,
            "mean_return": self.mean_return,
            "env_steps": self.env_steps,
            "seeds": [s.to_dict() for s in self.seeds],
            "config": self.config,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaskValidation:
        return cls(d["task"], d["algo"], d["backend"], int(d["n_transitions"]), [SeedResult.from_dict(s) for s in d["seeds"]], d.get("config", {}))
