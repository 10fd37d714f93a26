"""Gymnasium ids ``compogen/<robot>-<object>-<obstacle>-<objective>-v0`` for the built-in suite.

Registration is cheap: entry points are strings, MuJoCo is imported only when
an env is made.
"""

from __future__ import annotations

from compogen.suites.base import register_task_envs
from compogen.suites.builtin.layout import BUILTIN_SPACE, HORIZON

__all__ = ["register_envs", "make_registered"]


def make_registered(task_id: str, **kwargs):
    """Entry point used by the registered ids."""
    from compogen.suites.builtin.env import BuiltinEnv

    task = BUILTIN_SPACE.parse(task_id)
    return BuiltinEnv(task, BUILTIN_SPACE.indicator(task), **kwargs)


def register_envs() -> list[str]:
    """Register all 256 tasks (idempotent); returns the ids."""
    return register_task_envs(BUILTIN_SPACE, "compogen.suites.builtin.registration:make_registered", HORIZON)
