"""Simulator-free data scores (``compogen.validation.proxy``)."""

import numpy as np
import pytest

from compogen.data import Transitions
from compogen.validation.proxy import disagreement


def _data(seed: int, bias: float = 0.0, n: int = 3000) -> Transitions:
    """Actions a smooth function of the state plus noise 0.1 (the expert data's), shifted by ``bias``."""
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n, 4))
    a = np.tanh(s[:, :2] @ np.array([[1.0, -0.5], [0.5, 1.0]])) + rng.normal(0, 0.1, (n, 2)) + bias
    return Transitions(s, a, np.zeros(n), s, np.zeros(n))


def test_disagreement_finds_the_generator_biased_away_from_its_peers():
    peers = [_data(1), _data(2)]
    fair, biased = disagreement(_data(0), peers), disagreement(_data(3, bias=0.3), peers)
    assert biased < fair  # higher is better
    # the fair one's gap is the noise of its own action (0.1 per dim, 2 dims: ~0.13) plus the neighbours' error;
    # with a bias of norm 0.42 the gap is about sqrt(0.13^2 + 0.42^2) = 0.44
    assert -fair < 0.25 and 0.38 < -biased < 0.52
    # seeded
    assert disagreement(_data(0), peers, seed=5) == disagreement(_data(0), peers, seed=5)
    with pytest.raises(ValueError, match="at least one other"):
        disagreement(_data(0), [])
