"""Random transitions with a suite's shapes: test data for code that must not care what the numbers mean."""

from __future__ import annotations

import numpy as np

from compogen.data import Transitions


def random_transitions(n: int, obs_dim: int = 48, action_dim: int = 7, seed: int = 0, terminal_rate: float = 0.1) -> Transitions:
    """``n`` transitions: normal observations, next observations and rewards; actions uniform in
    [-1, 1]; each row terminal with probability ``terminal_rate``."""
    rng = np.random.default_rng(seed)
    return Transitions(
        rng.normal(size=(n, obs_dim)).astype(np.float32),
        rng.uniform(-1, 1, (n, action_dim)).astype(np.float32),
        rng.normal(size=n).astype(np.float32),
        rng.normal(size=(n, obs_dim)).astype(np.float32),
        rng.uniform(size=n) < terminal_rate,
    )
