"""Shared fixtures."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _minari_tmp(tmp_path_factory, monkeypatch):
    """Minari datasets go to a temporary folder in every test."""
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path_factory.mktemp("minari")))


@pytest.fixture
def rng():
    return np.random.default_rng(0)
