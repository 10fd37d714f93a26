"""Suites by name, imported lazily so that optional extras stay optional."""

from __future__ import annotations

import importlib
from functools import cache

from compogen.errors import UnknownTaskError
from compogen.registry import Registry
from compogen.suites.base import Suite

__all__ = ["DEFAULT_SUITE", "SUITES", "available_suites", "get_suite", "register_envs", "register_suite", "suite_for_task"]

#: The suite every command uses unless told otherwise.
DEFAULT_SUITE = "builtin"

#: name -> ``"module:attribute"`` of a zero-argument factory returning a Suite (imported on first use).
SUITES: Registry[str] = Registry(
    "suite",
    {
        "builtin": "compogen.suites.builtin:BuiltinSuite",
        "composuite": "compogen.suites.composuite:CompoSuiteSuite",
    },
)


def register_suite(name: str, target: str) -> None:
    """Register ``"module:factory"`` under ``name`` (third-party suites)."""
    SUITES.register(name, target)
    get_suite.cache_clear()


def available_suites() -> list[str]:
    return sorted(SUITES)


@cache
def get_suite(name: str = DEFAULT_SUITE) -> Suite:
    """The suite registered as ``name``."""
    if isinstance(name, Suite):
        return name
    module, attr = SUITES[str(name).lower()].split(":")
    return getattr(importlib.import_module(module), attr)()


def register_envs() -> list[str]:
    """Register ``compogen/<robot>-<object>-<obstacle>-<objective>-v0`` for every task of both suites
    (idempotent; string entry points: MuJoCo or CompoSuite is imported only when an env is made).
    ``import compogen`` calls it; a module below the package root calls it rather than import the root."""
    from compogen.suites.builtin.registration import register_envs as builtin
    from compogen.suites.composuite import register_envs as composuite

    return [*builtin(), *composuite()]


def suite_for_task(task_id: str) -> Suite:
    """The suite whose task space holds ``task_id`` (task ids are unique across suites: their robots differ)."""
    for name in available_suites():
        suite = get_suite(name)
        try:
            suite.parse(task_id)
        except UnknownTaskError:
            continue
        return suite
    raise UnknownTaskError(f"task {task_id!r} belongs to no suite ({', '.join(available_suites())})")
