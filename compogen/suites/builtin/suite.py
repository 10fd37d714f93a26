"""The built-in suite: 4 planar arms x 4 objects x 4 obstacles x 4 objectives on MuJoCo."""

from __future__ import annotations

from typing import Any

from compogen.suites.base import Suite
from compogen.suites.builtin.layout import ACTION_DIM, BUILTIN_SPACE, HORIZON, OBSERVATION_LAYOUT
from compogen.tasks.space import Task

__all__ = ["BuiltinSuite"]


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

    def gym_id(self, task: Task | str) -> str:
        """Gymnasium id, e.g. ``compogen/fivelink-box-none-push-v0``."""
        return f"compogen/{self.task_id(task)}-v0"
