"""Fixtures: a private Minari root and synthetic files of both suites."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.data import Transitions, write_synthetic

BUILTIN_TASK = "fivelink-plate-none-push"
COMPOSUITE_TASK = "iiwa-plate-none-push"


def random_transitions(n: int, obs_dim: int = 48, action_dim: int = 7, seed: int = 0) -> Transitions:
    rng = np.random.default_rng(seed)
    return Transitions(
        rng.normal(size=(n, obs_dim)).astype(np.float32),
        rng.uniform(-1, 1, (n, action_dim)).astype(np.float32),
        rng.uniform(size=n).astype(np.float32),
        rng.normal(size=(n, obs_dim)).astype(np.float32),
        rng.uniform(size=n) < 0.1,
    )


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
