"""Networks of the online agents: a tanh-Gaussian actor and an ensemble of critics in one module.

The ensemble is built of :class:`~compogen.rl.networks.EnsembleLinear` layers (every member's
weights in one tensor ``[E, in, out]``, all members in one batched matmul), so 10 critics cost
little more than one on a CPU. Each member has its own LayerNorm affine parameters (RLPD's
critics are independent networks).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from compogen.rl.networks import EnsembleLinear

__all__ = ["EnsembleCritic", "TanhGaussianActor"]

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


class EnsembleCritic(nn.Module):
    """``E`` Q-networks ``Q_e(s, a)``: MLPs with optional LayerNorm after each hidden layer."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: tuple[int, ...], members: int, layer_norm: bool = True):
        super().__init__()
        self.members = members
        dims = [obs_dim + action_dim, *hidden]
        self.layers = nn.ModuleList(EnsembleLinear(members, a, b) for a, b in zip(dims[:-1], dims[1:], strict=True))
        self.norms = nn.ParameterList()
        self.layer_norm = layer_norm
        if layer_norm:
            for h in hidden:
                self.norms.append(nn.Parameter(torch.ones(members, 1, h)))
                self.norms.append(nn.Parameter(torch.zeros(members, 1, h)))
        self.out = EnsembleLinear(members, dims[-1], 1)

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """``[E, B]`` Q-values of ``obs [B, obs_dim]``, ``action [B, action_dim]``."""
        x = torch.cat([obs, action], dim=-1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if self.layer_norm:
                x = F.layer_norm(x, x.shape[-1:]) * self.norms[2 * i] + self.norms[2 * i + 1]
            x = F.relu(x)
        return self.out(x).squeeze(-1)


class TanhGaussianActor(nn.Module):
    """``a = tanh(mu + sigma * eps)``; log-probabilities include the tanh correction."""

    def __init__(self, obs_dim: int, action_dim: int, hidden: tuple[int, ...]):
        super().__init__()
        layers: list[nn.Module] = []
        d = obs_dim
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        self.trunk = nn.Sequential(*layers)
        self.mean = nn.Linear(d, action_dim)
        self.log_std = nn.Linear(d, action_dim)

    def forward(self, obs: torch.Tensor, deterministic: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """``(action, log_prob)`` for a batch of observations (log_prob of the sampled action)."""
        h = self.trunk(obs)
        mu = self.mean(h)
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (torch.tanh(self.log_std(h)) + 1.0)
        std = log_std.exp()
        u = mu if deterministic else mu + std * torch.randn_like(mu)
        log_prob = (-0.5 * ((u - mu) / std) ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        # log det of tanh: log(1 - tanh(u)^2) = 2 (log 2 - u - softplus(-2u)), numerically stable
        log_prob = log_prob - (2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))).sum(-1)
        return torch.tanh(u), log_prob
