"""One fit, two conventions for small deviations: the generator's (replace by 1) and the policies' (add eps)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.data.normalizer import OBSERVATION_EPS, Normalizer, observation_normalizer
from compogen.errors import DataError


@pytest.fixture
def obs():
    x = np.random.default_rng(3).normal(size=(400, 6)).astype(np.float32) * np.float32([1, 2, 3, 4, 5, 6]) + 50
    x[:, 2] = 4.0  # a constant dim
    return x


def test_the_policies_convention_is_std_plus_eps_exactly(obs):
    norm = observation_normalizer(obs)
    x = obs.astype(np.float64)
    np.testing.assert_array_equal(norm.mean, x.mean(0).astype(np.float32))
    np.testing.assert_array_equal(norm.std, (x.std(0) + OBSERVATION_EPS).astype(np.float32))
    assert norm.std[2] == np.float32(OBSERVATION_EPS)  # a constant dim is divided by eps
    raw = Normalizer.fit(obs, min_std=0.0)  # what d3rlpy's scaler is given (it adds eps itself)
    np.testing.assert_array_equal(raw.std, x.std(0).astype(np.float32))
    off = observation_normalizer(obs, enabled=False)
    assert (off.mean == 0).all() and (off.std == 1).all()


def test_the_generators_convention_passes_constant_dims_through(obs):
    norm = Normalizer.fit(obs)
    assert norm.std[2] == 1.0 and norm.mean[2] == 4.0
    chunked = Normalizer.fit(obs[i : i + 64] for i in range(0, len(obs), 64))
    np.testing.assert_allclose(chunked.mean, norm.mean, rtol=1e-6)
    np.testing.assert_allclose(chunked.std, norm.std, rtol=1e-5)


def test_normalize_is_the_same_on_numpy_and_torch(obs):
    norm = observation_normalizer(obs)
    np.testing.assert_array_equal(norm.normalize(torch.as_tensor(obs)).numpy(), norm.normalize(obs))
    stacked = Normalizer(np.stack([norm.mean, norm.mean])[:, None], np.stack([norm.std, norm.std])[:, None])
    np.testing.assert_array_equal(stacked.normalize(np.stack([obs, obs]))[1], norm.normalize(obs))


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.zeros(3), np.array([[1.0, np.inf]])])
def test_empty_flat_or_infinite_data_is_refused(bad):
    with pytest.raises(DataError, match="cannot fit a normalizer"):
        Normalizer.fit(bad)
