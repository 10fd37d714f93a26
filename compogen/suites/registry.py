"""Suites by name, imported lazily so that optional extras stay optional."""

from __future__ import annotations

import importlib
from functools import lru_cache

from compogen.errors import CompogenError
from compogen.suites.base import Suite

__all__ = ["DEFAULT_SUITE", "available_suites", "get_suite", "register_suite"]

#: The suite every command uses unless told otherwise.
DEFAULT_SUITE = "builtin"

# name -> "module:attribute" of a zero-argument factory returning a Suite
_REGISTRY: dict[str, str] = {
    "builtin": "compogen.suites.builtin:BuiltinSuite",
    "composuite": "compogen.suites.composuite:CompoSuiteSuite",
}


def register_suite(name: str, target: str) -> None:
    """Register ``"module:factory"`` under ``name`` (third-party suites)."""
    _REGISTRY[name] = target
    get_suite.cache_clear()


def available_suites() -> list[str]:
    return sorted(_REGISTRY)


@lru_cache(maxsize=None)
def get_suite(name: str = DEFAULT_SUITE) -> Suite:
    """The suite registered as ``name``."""
    if isinstance(name, Suite):
        return name
    key = str(name).lower()
    if key not in _REGISTRY:
        raise CompogenError(f"unknown suite {name!r}; valid: {', '.join(available_suites())}")
    module, attr = _REGISTRY[key].split(":")
    return getattr(importlib.import_module(module), attr)()
