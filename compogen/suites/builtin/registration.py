"""Gymnasium ids ``compogen/<robot>-<object>-<obstacle>-<objective>-v0`` for the built-in suite.

Registration is cheap: entry points are strings, MuJoCo is imported only when
an env is made.
"""

from __future__ import annotations

import gymnasium as gym

from compogen.suites.base import env_id as _env_id
from compogen.suites.builtin.layout import BUILTIN_SPACE, HORIZON

__all__ = ["register_envs", "make_registered"]


def make_registered(task_id: str, **kwargs):
    """Entry point used by the registered ids."""
    from compogen.suites.builtin.env import BuiltinEnv

    task = BUILTIN_SPACE.parse(task_id)
    return BuiltinEnv(task, BUILTIN_SPACE.indicator(task), **kwargs)


def register_envs() -> list[str]:
    """Register all 256 tasks (idempotent); returns the ids."""
    ids = []
    for task in BUILTIN_SPACE:
        tid = BUILTIN_SPACE.task_id(task)
        eid = _env_id(tid)
        ids.append(eid)
        if eid in gym.registry:
            continue
        gym.register(
            id=eid,
            entry_point="compogen.suites.builtin.registration:make_registered",
            kwargs={"task_id": tid},
            max_episode_steps=HORIZON,  # the env truncates itself there too; libraries read it from the spec
            disable_env_checker=True,
        )
    return ids
