"""The absorbing-success rule: only a success that ends the episode gains the value of staying there."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.rl import absorbing_success_rewards, td_target


def test_absorbing_success_rewards_numpy_and_torch_agree():
    # success ending the episode, success inside an episode (CompoSuite), failure ending it, plain step
    r = np.array([1.0, 1.0, 0.9, 0.5], np.float32)
    d = np.array([True, False, True, False])
    out = absorbing_success_rewards(r, d, 0.9)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [1.0 + 0.9 / 0.1, 1.0, 0.9, 0.5], rtol=1e-6)
    t = absorbing_success_rewards(torch.from_numpy(r), torch.from_numpy(d).float(), 0.9)
    np.testing.assert_allclose(t.numpy(), out)
    # the TD target of a terminal success is the value of an absorbing state paying 1 per step
    y = td_target(torch.tensor([1.0]), torch.tensor([1.0]), torch.tensor([123.0]), 0.99)
    torch.testing.assert_close(y, torch.tensor([1.0 / (1 - 0.99)]))
    with pytest.raises(ValueError, match="gamma"):
        absorbing_success_rewards(r, d, 1.0)
