"""One derivation of seeds, and library calls that leave the caller's global random state alone."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from compogen.seeding import derive, isolated_global_rng, numpy_rng, torch_generator


def test_derived_seeds_are_pinned_and_separate_streams():
    # pinned: every recorded result depends on these numbers, so the derivation must not drift
    assert derive(0, "evaluation", 0) == 693080764
    assert derive(1, "evaluation", 0) == 1781109330
    seeds = {derive(s, name, k) for s in (0, 1) for name in ("evaluation", "online envs") for k in range(50)}
    assert len(seeds) == 200 and all(0 <= s < 2**31 for s in seeds)
    assert derive(2**32 - 1, "generate", 3, "iiwa-box-none-push") == derive(2**32 - 1, "generate", 3, "iiwa-box-none-push")


def test_numpy_rng_of_integer_keys_is_default_rng_of_the_list():
    # collected expert data (rl/rollout.py) were drawn from default_rng([seed, task_index])
    for seed, key in ((0, 0), (3, 17), (2**32 - 1, 5)):
        np.testing.assert_array_equal(numpy_rng(seed, key).normal(size=8), np.random.default_rng([seed, key]).normal(size=8))


def test_torch_generator_is_seeded_with_the_derived_seed():
    a = torch.rand(4, generator=torch_generator(2, "stream"))
    assert torch.equal(a, torch.rand(4, generator=torch.Generator().manual_seed(derive(2, "stream"))))


@pytest.mark.parametrize("bad", [-1, 1.5, None, (1,)])
def test_a_key_that_is_not_a_natural_number_or_a_string_is_refused(bad):
    with pytest.raises(ValueError, match="seed keys"):
        derive(0, bad)


def test_isolated_global_rng_gives_every_global_generator_back():
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    expected = (torch.rand(3), np.random.rand(3), random.random())
    torch.manual_seed(1), np.random.seed(1), random.seed(1)
    with isolated_global_rng():
        torch.manual_seed(99), np.random.seed(99), random.seed(99)
        torch.rand(10), np.random.rand(10), random.random()
    got = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(got[0], expected[0]) and np.array_equal(got[1], expected[1]) and got[2] == expected[2]
