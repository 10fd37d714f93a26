"""Fixtures of the validation tests: the toy suite registered as ``toy``, one thread."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from compogen.suites.registry import get_suite, register_suite

# make ``tests.validation.toy_suite`` importable (the registry imports it by name)
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture(scope="session")
def toy_suite():
    register_suite("toy", "tests.validation.toy_suite:ToySuite")
    return get_suite("toy")


@pytest.fixture(scope="session")
def toy_task(toy_suite):
    return toy_suite.parse("iiwa-box-none-push")


@pytest.fixture(scope="session")
def toy_data(toy_task):
    from tests.validation.toy_suite import expert_transitions

    return expert_transitions(toy_task, episodes=100, noise=0.3, seed=0)
