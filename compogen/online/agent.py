"""RLPD (Ball et al. 2023), written for compogen; SAC is the same agent with 2 critics and no offline data.

Per environment step: ``utd`` critic updates, each on its own minibatch, with the
target ``r + γ (1 - d) (min over a random subset of the target critics of
Q(s', a') - α log π(a'|s'))`` (a success that ends the episode: an absorbing
state, see :mod:`compogen.rl.targets`) and a Polyak update of the target critics after
each; then one actor and one temperature update on the last minibatch (the
actor maximises the ensemble's mean Q minus α log π; α is tuned towards the
target entropy, −|A|/2 by default).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from compogen.data.normalizer import Normalizer
from compogen.online.config import OnlineConfig
from compogen.online.networks import EnsembleCritic, TanhGaussianActor
from compogen.rl.targets import td_target

__all__ = ["Agent"]

Batch = dict[str, torch.Tensor]


class Agent:
    """Actor, critic ensemble, target critics, temperature and their optimizers."""

    def __init__(self, config: OnlineConfig, obs_dim: int, action_dim: int, device: str = "cpu", obs_norm: Normalizer | None = None):
        """``obs_norm`` standardises every observation the agent sees (None: identity)."""
        self.config = config
        self.device = torch.device(device)
        c = config
        self.obs_norm = obs_norm if obs_norm is not None else Normalizer.identity(obs_dim)
        self.actor = TanhGaussianActor(obs_dim, action_dim, c.hidden).to(self.device)
        self.critic = EnsembleCritic(obs_dim, action_dim, c.hidden, c.critics, c.layer_norm).to(self.device)
        self.target = copy.deepcopy(self.critic).requires_grad_(False)
        self.log_alpha = torch.tensor(np.log(c.init_temperature), dtype=torch.float32, device=self.device, requires_grad=True)
        self.target_entropy = float(c.target_entropy) if c.target_entropy is not None else -action_dim / 2.0
        # fused Adam: one kernel per step instead of a handful per tensor (most of an update's time on a CPU)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=c.actor_lr, fused=True)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=c.critic_lr, fused=True)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=c.temperature_lr)
        self._critic_params = list(self.critic.parameters())
        self._target_params = list(self.target.parameters())

    @property
    def alpha(self) -> torch.Tensor:
        return self.log_alpha.exp()

    def normalize(self, obs: torch.Tensor) -> torch.Tensor:
        return self.obs_norm.normalize(obs)

    # -- acting ---------------------------------------------------------------------
    @torch.no_grad()
    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Actions in [-1, 1] for an observation batch ``[n, obs_dim]``."""
        a, _ = self.actor(self.normalize(torch.as_tensor(obs, dtype=torch.float32, device=self.device)), deterministic)
        return a.cpu().numpy()

    # -- learning -------------------------------------------------------------------
    def target_q(self, batch: Batch, subset: torch.Tensor) -> torch.Tensor:
        """The critic target ``[B]`` using target critics ``subset`` (indices into the ensemble)."""
        with torch.no_grad():
            next_a, next_logp = self.actor(batch["next_observations"])
            q = self.target(batch["next_observations"], next_a)[subset].min(0).values
            if self.config.backup_entropy:
                q = q - self.alpha * next_logp
            return td_target(batch["rewards"], batch["terminals"], q, self.config.gamma, self.config.absorbing_success)

    def update_critic(self, batch: Batch, generator: torch.Generator | None = None) -> float:
        c = self.config
        subset = torch.randperm(c.critics, generator=generator)[: c.critic_subsample]
        y = self.target_q(batch, subset.to(self.device))
        q = self.critic(batch["observations"], batch["actions"])
        loss = ((q - y.unsqueeze(0)) ** 2).mean()
        self.critic_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.critic_opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(self._target_params, self._critic_params, c.tau)
        return float(loss.detach())

    def update_actor(self, batch: Batch) -> tuple[float, float]:
        obs = batch["observations"]
        a, logp = self.actor(obs)
        q = self.critic(obs, a).mean(0)
        actor_loss = (self.alpha.detach() * logp - q).mean()
        self.actor_opt.zero_grad(set_to_none=True)
        actor_loss.backward()
        self.actor_opt.step()
        alpha_loss = (self.alpha * (-logp.detach() - self.target_entropy)).mean()
        self.alpha_opt.zero_grad(set_to_none=True)
        alpha_loss.backward()
        self.alpha_opt.step()
        return float(actor_loss.detach()), float(alpha_loss.detach())

    def update(self, batches: list[Batch], generator: torch.Generator | None = None) -> dict[str, float]:
        """``len(batches)`` critic updates, then one actor + temperature update on the last batch
        (batches hold raw observations; the agent standardises them)."""
        batches = [
            {**b, "observations": self.normalize(b["observations"]), "next_observations": self.normalize(b["next_observations"])} for b in batches
        ]
        critic = [self.update_critic(b, generator) for b in batches]
        actor, _ = self.update_actor(batches[-1])
        return {"critic_loss": float(np.mean(critic)), "actor_loss": actor, "alpha": float(self.alpha.detach())}

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything to resume (tensors and plain containers: loadable with ``weights_only=True``)."""
        return {
            "actor": self.actor.state_dict(),
            "critic": self.critic.state_dict(),
            "target": self.target.state_dict(),
            "log_alpha": self.log_alpha.detach().clone(),
            "obs_mean": torch.as_tensor(self.obs_norm.mean, dtype=torch.float32).clone(),
            "obs_std": torch.as_tensor(self.obs_norm.std, dtype=torch.float32).clone(),
            "actor_opt": self.actor_opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "alpha_opt": self.alpha_opt.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.actor.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        self.target.load_state_dict(state["target"])
        with torch.no_grad():
            self.log_alpha.copy_(state["log_alpha"])
        self.obs_norm = Normalizer(state["obs_mean"].cpu().numpy(), state["obs_std"].cpu().numpy())
        self.actor_opt.load_state_dict(state["actor_opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        self.alpha_opt.load_state_dict(state["alpha_opt"])
