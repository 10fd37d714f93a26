"""Success of an episode and the Wilson score interval of a success rate."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from compogen.suites.base import SUCCESS_REWARD, success_steps

__all__ = ["SUCCESS_REWARD", "episode_success", "success_steps", "wilson_interval"]


def episode_success(rewards: Sequence[float] | np.ndarray, threshold: float = SUCCESS_REWARD) -> bool:
    """True when the reward reaches ``threshold`` (1) at some step of the episode (:func:`success_steps`).

    >>> episode_success([0.0, 0.3, 1.0, 0.0]), episode_success([0.0, 0.99]), episode_success([])
    (True, False, False)
    """
    return bool(success_steps(rewards, threshold).any())


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval ``(low, high)`` for ``successes`` out of ``n`` trials.

    ``z=1.96`` gives the 95 % interval. With ``n == 0`` the interval is ``(0, 1)``.

    >>> [round(x, 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    successes, n = int(successes), int(n)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"wilson_interval: need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    center = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)
