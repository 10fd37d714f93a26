"""EDM preconditioning identities, loss weight, schedules, training noise."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from compogen.generator.edm import EDMConfig, EDMDenoiser, karras_sigmas, loss_weight, preconditioning


class Zero(nn.Module):
    def forward(self, x, c_noise, cond, return_intermediates=False):
        return torch.zeros_like(x)


class Probe(nn.Module):
    """Records what the backbone receives."""

    def forward(self, x, c_noise, cond, return_intermediates=False):
        self.x, self.c_noise = x, c_noise
        return torch.ones_like(x)


def test_preconditioning_limits_and_identities():
    sigma = torch.tensor([1e-6, 0.002, 0.5, 1.0, 3.0, 80.0], dtype=torch.float64)
    c_skip, c_out, c_in, c_noise = preconditioning(sigma, 1.0)
    assert c_skip[0] == pytest.approx(1.0, abs=1e-9) and c_out[0] == pytest.approx(0.0, abs=1e-5)
    assert c_skip[-1] < 2e-4 and c_out[-1] == pytest.approx(1.0, abs=1e-4)
    assert c_skip[3] == pytest.approx(0.5) and c_out[3] == pytest.approx(1 / math.sqrt(2))
    # unit-variance input to the network and unit-variance training target (σ_data = 1)
    torch.testing.assert_close(c_in**2 * (sigma**2 + 1.0), torch.ones_like(sigma))
    # the network's effective training target (x0 - c_skip·x)/c_out has unit variance
    torch.testing.assert_close(((1 - c_skip) ** 2 + c_skip**2 * sigma**2) / c_out**2, torch.ones_like(sigma))
    torch.testing.assert_close(c_noise, sigma.log() / 4)
    # λ(σ) = 1 / c_out², the EDM effective weight
    torch.testing.assert_close(loss_weight(sigma), 1 / c_out**2)
    torch.testing.assert_close(loss_weight(torch.tensor([2.0]), 0.5), torch.tensor([(4 + 0.25) / (2 * 0.5) ** 2]))


def test_zero_backbone_returns_c_skip_x():
    den = EDMDenoiser(Zero())
    x = torch.randn(5, 7)
    sigma = torch.tensor([0.01, 0.3, 1.0, 7.0, 80.0])
    out = den(x, sigma, torch.zeros(5, 16))
    torch.testing.assert_close(out, preconditioning(sigma)[0][:, None] * x)


def test_backbone_gets_scaled_input_and_c_noise():
    probe = Probe()
    den = EDMDenoiser(probe, EDMConfig(sigma_data=0.5))
    x = torch.randn(3, 4)
    out = den(x, 2.0, torch.zeros(3, 16))
    c_skip, c_out, c_in, c_noise = preconditioning(torch.tensor(2.0), 0.5)
    torch.testing.assert_close(probe.x, c_in * x)
    torch.testing.assert_close(probe.c_noise, torch.full((3,), float(c_noise)))
    torch.testing.assert_close(out, c_skip * x + c_out)


def test_karras_schedule():
    s = karras_sigmas(128)
    assert len(s) == 129 and s[0] == pytest.approx(80.0) and s[-2] == pytest.approx(0.002) and s[-1] == 0
    assert bool((s[:-1] > s[1:]).all())
    mid = (80 ** (1 / 7) + 0.5 * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7
    assert karras_sigmas(3)[1] == pytest.approx(mid)


def test_training_noise_distribution():
    den = EDMDenoiser(Zero())
    ls = den.sample_sigma(40000, torch.Generator().manual_seed(0)).log()
    assert ls.mean().item() == pytest.approx(-1.2, abs=0.03)
    assert ls.std().item() == pytest.approx(1.2, abs=0.03)


def test_loss_is_weighted_mse():
    """With a zero backbone D = c_skip·(x0+σε): check the loss against a direct computation."""
    den = EDMDenoiser(Zero())
    x0 = torch.randn(6, 5)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    loss = den.loss(x0, torch.zeros(6, 16), generator=g1)
    sigma = den.sample_sigma(6, g2)
    eps = torch.randn(x0.shape, generator=g2)
    d = preconditioning(sigma)[0][:, None] * (x0 + sigma[:, None] * eps)
    ref = (loss_weight(sigma) * ((d - x0) ** 2).mean(1)).mean()
    torch.testing.assert_close(loss, ref)


class MaskProbe(nn.Module):
    """Records what a mask-taking backbone receives; its output is 0 on the first dim, 5 elsewhere."""

    def forward(self, x, c_noise, cond, return_intermediates=False, known=None):
        self.x, self.known = x, known
        out = torch.full_like(x, 5.0)
        out[:, 0] = 0.0
        return out


def test_masked_loss_feeds_known_dims_clean_and_scores_the_others():
    """Conditioning-mask training: known dims reach the backbone unnoised with their mask, and their error
    (large here by construction) does not enter the loss; a row with no known dim is the plain loss."""
    probe = MaskProbe()
    den = EDMDenoiser(probe)
    x0, sigma, eps = torch.randn(4, 3), torch.tensor([0.5, 1.0, 2.0, 4.0]), torch.randn(4, 3)
    known = torch.zeros(4, 3, dtype=torch.bool)
    known[:2, 1:] = True  # rows 0-1: dims 1-2 given
    loss = den.row_losses(x0, torch.zeros(4, 16), sigma, eps, known=known)
    c_skip, c_out, c_in, _ = preconditioning(sigma)
    torch.testing.assert_close(probe.x[:2, 1:], (c_in[:, None] * x0)[:2, 1:])  # clean
    torch.testing.assert_close(probe.x[2:], (c_in[:, None] * (x0 + sigma[:, None] * eps))[2:])  # noised
    assert torch.equal(probe.known, known)
    d0 = c_skip * (x0[:, 0] + sigma * eps[:, 0])  # dim 0: the backbone outputs 0
    torch.testing.assert_close(loss[:2], loss_weight(sigma[:2]) * (d0[:2] - x0[:2, 0]) ** 2)
    plain = den.row_losses(x0, torch.zeros(4, 16), sigma, eps, known=torch.zeros(4, 3, dtype=torch.bool))
    torch.testing.assert_close(loss[2:], plain[2:])
