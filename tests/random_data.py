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


def random_episodes(lengths=(5, 7, 4), obs_dim: int = 48, action_dim: int = 7, seed: int = 0, open_last: bool = False) -> Transitions:
    """Episodes of ``lengths`` steps, chained (``next_observations[t] == observations[t + 1]`` inside an
    episode) and in the suites' spaces (actions in [-1, 1]); they end by turns in a terminal and a
    timeout, except that with ``open_last`` the last one ends with no flag (the data end inside it)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        obs = rng.normal(size=(n + 1, obs_dim)).astype(np.float32)
        term, tout = np.zeros(n, bool), np.zeros(n, bool)
        if not (open_last and i == len(lengths) - 1):
            (term if i % 2 == 0 else tout)[-1] = True
        act = rng.uniform(-1, 1, (n, action_dim)).astype(np.float32)
        parts.append(Transitions(obs[:-1], act, rng.normal(size=n).astype(np.float32), obs[1:], term, tout))
    return Transitions.concatenate(parts)
