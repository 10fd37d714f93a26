"""Fixtures: a private Minari root and synthetic files of both suites."""

from __future__ import annotations

import pytest
from random_data import random_transitions

from compogen.data import write_synthetic

BUILTIN_TASK = "fivelink-plate-none-push"
COMPOSUITE_TASK = "iiwa-plate-none-push"
__all__ = ["BUILTIN_TASK", "COMPOSUITE_TASK", "random_transitions"]


@pytest.fixture
def minari_root(tmp_path, monkeypatch):
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return root


@pytest.fixture
def builtin_file(tmp_path):
    data = random_transitions(2500)
    path = tmp_path / "synthetic.h5"
    write_synthetic(path, data, {"task": BUILTIN_TASK, "seed": 3})
    return path, data


def tree(root) -> list[str]:
    """Every path under ``root`` (hidden ones too)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []
