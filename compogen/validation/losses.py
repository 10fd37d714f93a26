"""The batched validator's update rules, as pure functions of stacked tensors ``[P, B, ...]``.

Each loss is the sum over the P policies of each policy's own loss, so one backward pass gives
every policy exactly its own gradient. TD3+BC is d3rlpy 2.8.1's (Fujimoto & Gu 2021): target
smoothing noise, clipped double-Q target, actor loss
``-alpha / mean|Q1(s, pi(s))| * mean Q1(s, pi(s)) + mean (pi(s) - a)^2``; BC is that actor loss
without its Q term. Adding an algorithm to the batched backend means writing its loss here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from compogen.rl.targets import td_target

__all__ = ["bc_loss", "td3_target", "td3bc_actor_loss", "td3bc_critic_loss"]

Net = Callable[[torch.Tensor], torch.Tensor]


def _bc_terms(pi: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Each policy's mean squared error of its actions ``pi`` against the data's ``[P]``."""
    return (pi - actions).pow(2).mean((-1, -2))


def bc_loss(pi: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Behaviour cloning (d3rlpy's deterministic BC): mean squared error of tanh actions."""
    return _bc_terms(pi, actions).sum()


@torch.no_grad()
def td3_target(
    actor_targ: Net,
    critics_targ: Sequence[Net],
    next_obs: torch.Tensor,
    rewards: torch.Tensor,
    terminals: torch.Tensor,
    noise: torch.Tensor,
    policy_noise: float,
    noise_clip: float,
    gamma: float,
    absorbing_success: bool,
) -> torch.Tensor:
    """The critics' target ``[P, B, 1]``: the target actor's smoothed action (clipped noise), the
    minimum of the two target critics, and the TD target of :func:`compogen.rl.targets.td_target`."""
    a2 = torch.tanh(actor_targ(next_obs))
    a2 = (a2 + (policy_noise * noise).clamp(-noise_clip, noise_clip)).clamp(-1.0, 1.0)
    x2 = torch.cat([next_obs, a2], -1)
    q_t = torch.minimum(critics_targ[0](x2), critics_targ[1](x2)).squeeze(-1)  # [P, B]
    return td_target(rewards, terminals, q_t, gamma, absorbing_success).unsqueeze(-1)


def td3bc_critic_loss(q_values: Sequence[torch.Tensor], target: torch.Tensor) -> torch.Tensor:
    """Both critics' mean squared TD errors ``[P, B, 1]`` against ``target``."""
    return sum((q - target).pow(2).mean((-1, -2)).sum() for q in q_values)


def td3bc_actor_loss(q1: torch.Tensor, pi: torch.Tensor, actions: torch.Tensor, alpha: float) -> torch.Tensor:
    """TD3+BC's actor loss from ``q1 = Q1(s, pi(s))`` ``[P, B]`` (gradients only through ``pi``):
    Q scaled by ``alpha / mean|Q1|`` per policy, plus behaviour cloning."""
    lam = alpha / q1.abs().mean(-1).detach()
    return (-lam * q1.mean(-1) + _bc_terms(pi, actions)).sum()
