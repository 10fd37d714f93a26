"""Fixtures: a private Minari root and synthetic files of both suites."""

from __future__ import annotations

import pytest
from random_data import random_episodes, random_transitions

from compogen.data import write_synthetic

BUILTIN_TASK = "fivelink-plate-none-push"
COMPOSUITE_TASK = "iiwa-plate-none-push"
#: 13 episodes, 2,500 steps; the last one is cut by the data's end (no flag).
EPISODE_LENGTHS = (200,) * 12 + (100,)
__all__ = ["BUILTIN_TASK", "COMPOSUITE_TASK", "EPISODE_LENGTHS", "random_episodes", "random_transitions"]


@pytest.fixture
def minari_root(tmp_path, monkeypatch):
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return root


@pytest.fixture
def builtin_file(tmp_path):
    """An episodic synthetic file (``layout: episodes``, with a timeouts column) of the built-in task."""
    data = random_episodes(EPISODE_LENGTHS, open_last=True)
    path = tmp_path / "synthetic.h5"
    write_synthetic(path, data, {"task": BUILTIN_TASK, "seed": 3, "layout": "episodes"})
    return path, data


@pytest.fixture
def transitions_file(tmp_path):
    """A synthetic file of 60 independent transitions of the built-in task."""
    data = random_transitions(60)
    path = tmp_path / "transitions.h5"
    write_synthetic(path, data, {"task": BUILTIN_TASK, "seed": 4})
    return path, data


def tree(root) -> list[str]:
    """Every path under ``root`` (hidden ones too)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []
