"""The pool kept on the device gives the same minibatches as the pool gathered on the CPU per step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.generator.minibatch import _CHUNK, Minibatches
from compogen.generator.train import fit_normalizer

from .conftest import make_pool


@pytest.mark.parametrize("n", [400, _CHUNK + 37])  # one packing chunk, and rows across a chunk boundary
def test_resident_pool_gives_the_same_minibatches(layout, n):
    pool = make_pool(layout, n=n)
    norm = fit_normalizer(pool, layout)
    streamed, resident = Minibatches(pool, layout, norm, resident=False), Minibatches(pool, layout, norm, resident=True)
    assert resident.resident and not streamed.resident
    rng = np.random.default_rng(0)
    for idx in (np.sort(rng.integers(0, n, 64)), np.array([n - 1, 0, _CHUNK % n, n - 1])):
        (xa, ca), (xb, cb) = streamed.batch(idx), resident.batch(idx)
        assert xa.dtype == xb.dtype == torch.float32
        assert torch.equal(xa, xb) and torch.equal(ca, cb)
    # the rows are the normalised packed transitions, with their tasks' indicators
    x, c = resident.batch(np.array([5]))
    flat = layout.pack(pool.observations[[5]], pool.actions[[5]], pool.rewards[[5]], pool.next_observations[[5]], pool.terminals[[5]])
    assert np.allclose(x.numpy(), norm.normalize(flat), atol=1e-6)
    assert np.array_equal(c[0].numpy(), layout.space.indicator(pool.tasks[pool.task_index[5]]))


def test_cpu_training_streams_and_an_accelerator_keeps_the_pool(layout):
    pool = make_pool(layout, n=50)
    norm = fit_normalizer(pool, layout)
    assert not Minibatches(pool, layout, norm, "cpu").resident
    assert Minibatches(pool, layout, norm, "meta").resident  # any non-CPU device, when the pool fits
