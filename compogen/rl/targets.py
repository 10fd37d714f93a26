"""How compogen's critics value a success: the rule shared by TD3+BC validation, RLPD and SAC.

Both suites pay :data:`~compogen.suites.base.SUCCESS_REWARD` on success. The built-in suite
also *ends* the episode there, while its staged rewards before success reach 0.9 per step.
Read literally, that MDP pays more for hovering near the goal (up to 0.9 / (1 − γ) = 90 at
γ = 0.99) than for succeeding (1), and return-maximising learners learn not to succeed.
The task's intent is that a placed object stays placed, so a transition that ends the
episode with a success is valued as entering an absorbing state that keeps paying
SUCCESS_REWARD: its reward gets ``γ · SUCCESS_REWARD / (1 − γ)`` added. Adding it to the
stored reward is exact for any learner whose target is ``r + γ (1 − d) V(s')`` (d3rlpy,
CORL, stable-baselines3). CompoSuite does not end episodes on success, so its data holds
no such transitions and nothing changes there.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

from compogen.suites.base import SUCCESS_REWARD

__all__ = ["absorbing_success_rewards", "td_target"]

Array = TypeVar("Array", np.ndarray, torch.Tensor)


def absorbing_success_rewards(rewards: Array, terminals: Array, gamma: float) -> Array:
    """``rewards`` (numpy or torch) with ``γ · SUCCESS_REWARD / (1 − γ)`` added where a
    transition ends the episode with a success (terminal and ``r ≥ SUCCESS_REWARD``)."""
    if not 0.0 <= gamma < 1.0:
        raise ValueError(f"an absorbing success needs 0 <= gamma < 1, got {gamma}")
    success = (terminals > 0) & (rewards >= SUCCESS_REWARD)
    bonus = gamma * SUCCESS_REWARD / (1.0 - gamma)
    if isinstance(rewards, torch.Tensor):
        return rewards + success.to(rewards.dtype) * bonus
    return (rewards + success * bonus).astype(np.asarray(rewards).dtype, copy=False)


def td_target(rewards: torch.Tensor, terminals: torch.Tensor, next_value: torch.Tensor, gamma: float, absorbing_success: bool = True) -> torch.Tensor:
    """``r + γ (1 − d) V(s')``, with ``r`` from :func:`absorbing_success_rewards` if ``absorbing_success``."""
    if absorbing_success:
        rewards = absorbing_success_rewards(rewards, terminals, gamma)
    return rewards + gamma * (1.0 - terminals) * next_value
