"""Fixtures of the loop tests: the stand-in stages importable (here and in worker processes), tiny real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compogen.suites import get_suite

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _importable(monkeypatch):
    """``fake_stages`` importable in this process and in the loop's worker processes."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))


@pytest.fixture(scope="module")
def real_data(tmp_path_factory):
    """A tiny real-data root of CompoSuite's IIWA training split (``fake_stages.write_fake_real_data``)."""
    from fake_stages import write_fake_real_data

    return write_fake_real_data(tmp_path_factory.mktemp("real"), get_suite("composuite"))
