"""The built-in suite: 4 planar arms x 4 objects x 4 obstacles x 4 objectives on MuJoCo."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

from compogen.suites.base import Suite
from compogen.suites.builtin.layout import ACTION_DIM, BUILTIN_SPACE, HORIZON, OBSERVATION_LAYOUT
from compogen.suites.builtin.rules import DENSE_REWARD_MAX
from compogen.tasks.space import Task

__all__ = ["BuiltinSuite"]

_REFERENCE = Path(__file__).with_name("reference_scores.csv")


@lru_cache(maxsize=1)
def _reference_rows() -> dict[str, dict[str, str]]:
    if not _REFERENCE.is_file():
        return {}
    with open(_REFERENCE, newline="") as f:
        return {row["task"]: row for row in csv.DictReader(f)}


class BuiltinSuite(Suite):
    """compogen's default suite: planar MuJoCo arms; layouts in :mod:`compogen.suites.builtin.env`.

    >>> s = BuiltinSuite()
    >>> s.task_id(s.parse("fivelink-box-none-push"))
    'fivelink-box-none-push'
    """

    name = "builtin"
    space = BUILTIN_SPACE
    observation_layout = OBSERVATION_LAYOUT
    action_dim = ACTION_DIM
    horizon = HORIZON
    dense_reward_max = DENSE_REWARD_MAX

    def make_env(self, task: Task | str, **kwargs: Any):
        """A :class:`~compogen.suites.builtin.env.BuiltinEnv` (kwargs: ``horizon``, ``render_mode``)."""
        from compogen.suites.builtin.env import BuiltinEnv

        task = self.parse(task)
        return BuiltinEnv(task, self.space.indicator(task), **kwargs)

    def make_vector_env(self, task: Task | str, num_envs: int, **kwargs: Any):
        """``num_envs`` copies of ``task`` stepped in one process (:class:`BuiltinVectorEnv`)."""
        from compogen.suites.builtin.env import BuiltinVectorEnv

        task = self.parse(task)
        return BuiltinVectorEnv(task, self.space.indicator(task), num_envs, **kwargs)

    has_expert = True

    def expert(self, task: Task | str, config=None):
        """Scripted expert (:class:`~compogen.suites.builtin.expert.ScriptedExpert`): ``reset()``,
        ``act(obs) -> action`` for ``obs`` of shape [obs_dim] or a batch [num_envs, obs_dim]."""
        from compogen.suites.builtin.expert import ScriptedExpert

        return ScriptedExpert(self.parse(task), config)

    def reference_scores(self, task: Task | str) -> tuple[float, float] | None:
        """(random-policy, scripted-expert) mean return over 50 seeded episodes each, measured by
        ``benchmarks/bench_builtin_experts.py --reference-out`` (file ``reference_scores.csv``).

        None where the expert's return does not exceed the random policy's (41 of 256 tasks, mostly
        Push): the staged reward pays every step near the goal, the expert's episode ends on success
        while a random policy collects reward for all 200 steps, so a return scale would be upside
        down there. Success rates are the measure that means the same on every task."""
        row = _reference_rows().get(self.task_id(task))
        refs = (float(row["random_return"]), float(row["expert_return"])) if row else None
        return refs if refs is not None and refs[1] > refs[0] else None

    def reference_episodes(self, task: Task | str) -> int | None:
        """Episodes per policy behind :meth:`reference_scores` (the fewer of the two), None without them."""
        if self.reference_scores(task) is None:
            return None
        row = _reference_rows()[self.task_id(task)]
        return min(int(row["random_episodes"]), int(row["expert_episodes"]))
