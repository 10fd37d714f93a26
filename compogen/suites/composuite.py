"""CompoSuite (Mendez et al. 2022) as a compogen suite.

The metadata (task space, observation layout) needs nothing beyond numpy; making
an env needs the optional extra ``composuite`` (installed from compogen's repository, not PyPI: :func:`compogen.install.install_hint`; robosuite
1.4, old gym, Python < 3.12).
"""

from __future__ import annotations

from typing import Any

from compogen.layouts.observation import COMPOSUITE_OBSERVATION_LAYOUT
from compogen.suites.base import Suite, register_task_envs
from compogen.tasks.space import COMPOSUITE_SPACE, Task

__all__ = ["CompoSuiteSuite", "make_registered", "register_envs"]


def make_registered(task_id: str, **kwargs: Any):
    """Entry point of the registered ids (needs the optional extra)."""
    from compogen.suites.composuite_env import CompoSuiteEnv

    return CompoSuiteEnv(task_id, **kwargs)


def register_envs() -> list[str]:
    """Register ``compogen/<robot>-<object>-<obstacle>-<objective>-v0`` for CompoSuite's 256 tasks
    (idempotent; nothing of CompoSuite is imported). The horizon is CompoSuiteEnv's default env_horizon."""
    return register_task_envs(COMPOSUITE_SPACE, "compogen.suites.composuite:make_registered", CompoSuiteSuite.horizon)


class CompoSuiteSuite(Suite):
    """CompoSuite's 256 tasks: 93-dim observations, 8-dim actions, horizon 500."""

    name = "composuite"
    space = COMPOSUITE_SPACE
    observation_layout = COMPOSUITE_OBSERVATION_LAYOUT
    action_dim = 8
    horizon = 500

    def make_env(self, task: Task | str, **kwargs: Any):
        from compogen.suites.composuite_env import CompoSuiteEnv

        return CompoSuiteEnv(self.parse(task), **kwargs)
