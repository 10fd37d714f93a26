"""Suites: task space + envs + observation layout (built-in MuJoCo suite, CompoSuite)."""

from compogen.layouts.observation import COMPOSUITE_OBSERVATION_LAYOUT, Factor, ObservationLayout
from compogen.suites.base import Suite
from compogen.suites.registry import DEFAULT_SUITE, SUITES, available_suites, get_suite, register_envs, register_suite, suite_for_task

__all__ = [
    "COMPOSUITE_OBSERVATION_LAYOUT",
    "DEFAULT_SUITE",
    "Factor",
    "ObservationLayout",
    "SUITES",
    "Suite",
    "available_suites",
    "get_suite",
    "register_envs",
    "register_suite",
    "suite_for_task",
]
