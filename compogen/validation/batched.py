"""Batched TD3+BC: many independent (task, seed) policies trained in one run.

Every network is stored stacked over a leading policy dim ``P`` (critics over
``2P``) as :class:`~compogen.rl.networks.StackedMLP` and evaluated with batched
matmuls, so one step updates all policies. Each policy keeps its own data, state
normalization, random stream (``torch.Generator`` seeded from its RL seed) and
Adam state; the summed loss gives every policy exactly its own gradient, and Adam
is element-wise, so policy k's training does not depend on the other policies.

The update rules (TD3+BC as implemented by d3rlpy 2.8.1, and BC) are the pure
functions of :mod:`compogen.validation.losses`; the actor (and the targets) are
updated every ``policy_delay`` steps starting at step 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from compogen.data.normalizer import Normalizer
from compogen.rl.networks import StackedMLP
from compogen.rl.policy_io import policy_tensors
from compogen.seeding import torch_generator
from compogen.validation.config import BATCHED_ALGOS, ValidationConfig
from compogen.validation.data import PreparedData
from compogen.validation.losses import bc_loss, td3_target, td3bc_actor_loss, td3bc_critic_loss

__all__ = ["BatchedTD3BC", "StackedData", "policy_generator", "run_batched"]

_CHUNK = 64  # gradient steps of random numbers drawn per policy at a time


def policy_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """The random stream of the policy trained with RL seed ``seed``."""
    return torch_generator(seed, "validation policy", device=device)


def _fused_ok(device: torch.device) -> bool:
    """Whether ``torch.optim.Adam(fused=True)`` works on ``device`` (CPU since torch 2.4)."""
    try:
        t = torch.zeros(2, device=device, requires_grad=True)
        opt = torch.optim.Adam([t], fused=True)
        t.grad = torch.ones_like(t)
        opt.step()
        return True
    except (RuntimeError, TypeError):
        return False


class StackedData:
    """P policies' datasets on one device and their minibatches ``[P, B, ...]``: policy p samples rows
    of ``datasets[p]`` and target-smoothing noise from ``gens[p]``, ``_CHUNK`` steps at a time (the
    same dataset given for several policies is stored once)."""

    def __init__(self, datasets: Sequence[PreparedData], gens: Sequence[torch.Generator], batch_size: int, device: torch.device):
        self.gens, self.batch_size, self.device = list(gens), int(batch_size), device
        self.obs_dim, self.act_dim = datasets[0].observations.shape[1], datasets[0].actions.shape[1]
        unique: list[PreparedData] = []
        which: list[int] = []
        for d in datasets:
            if d.observations.shape[1] != self.obs_dim or d.actions.shape[1] != self.act_dim:
                raise ValueError("all datasets of a batched run need the same observation and action sizes")
            k = next((i for i, u in enumerate(unique) if u is d), None)
            if k is None:
                unique.append(d)
                k = len(unique) - 1
            which.append(k)
        keys = ("observations", "actions", "rewards", "next_observations", "terminals")
        self.columns = [torch.from_numpy(np.concatenate([getattr(d, key) for d in unique])).to(device) for key in keys]
        starts = np.concatenate([[0], np.cumsum([len(d) for d in unique])[:-1]])
        self.sizes = [len(unique[k]) for k in which]
        self.offsets = torch.tensor([int(starts[k]) for k in which], dtype=torch.long, device=device)
        norms = [unique[k].obs_norm for k in which]
        #: Every policy's observation normalisation, stacked ``[P, 1, D]``.
        self.obs_norm = Normalizer(np.stack([n.mean for n in norms])[:, None], np.stack([n.std for n in norms])[:, None])
        self._pos = _CHUNK
        self._idx: torch.Tensor | None = None
        self._noise: torch.Tensor | None = None

    def _refill(self) -> None:
        B, A = self.batch_size, self.act_dim
        idx, noise = [], []
        for p, g in enumerate(self.gens):
            idx.append(torch.randint(self.sizes[p], (_CHUNK, B), generator=g, device=self.device))
            noise.append(torch.randn((_CHUNK, B, A), generator=g, device=self.device))
        self._idx = torch.stack(idx, 1) + self.offsets[None, :, None]  # [C, P, B]
        self._noise = torch.stack(noise, 1)  # [C, P, B, A]
        self._pos = 0

    def next_batch(self) -> tuple[torch.Tensor, ...]:
        """``(obs, actions, rewards, next_obs, terminals, noise)``, observations normalized."""
        if self._pos >= _CHUNK:
            self._refill()
        idx, noise = self._idx[self._pos], self._noise[self._pos]
        self._pos += 1
        return (*(c[idx] for c in self.columns), noise)


class BatchedTD3BC:
    """P TD3+BC (or BC) learners stepped together; policy p trains on ``datasets[p]`` with seed ``seeds[p]``."""

    def __init__(self, datasets: Sequence[PreparedData], seeds: Sequence[int], config: ValidationConfig, device: str | None = None):
        """Policy p trains on ``datasets[p]``; the same object given for several policies is stored once."""
        if len(datasets) != len(seeds) or not datasets:
            raise ValueError("BatchedTD3BC needs one seed per dataset and at least one dataset")
        self.cfg = config
        self.device = dev = torch.device(device or config.device)
        self.P = len(datasets)
        gens = [policy_generator(s, dev) for s in seeds]
        self.data = StackedData(datasets, gens, config.batch_size, dev)
        self.obs_dim, self.act_dim = self.data.obs_dim, self.data.act_dim
        #: ``algo="bc"``: the actor loss without its Q term, no critics at all.
        self.bc_only = config.algo == "bc"
        # per policy, in its own stream: actor, critic 1, critic 2 (then its minibatches)
        self.actor = StackedMLP((self.obs_dim, *config.actor_hidden, self.act_dim), gens, dev)
        fused = dict(fused=True) if _fused_ok(dev) else {}
        self.actor_opt = torch.optim.Adam(self.actor.params, lr=config.actor_lr, **fused)
        if not self.bc_only:
            c_sizes = (self.obs_dim + self.act_dim, *config.critic_hidden, 1)
            self.critics = [StackedMLP(c_sizes, gens, dev) for _ in range(2)]
            self.actor_targ = self.actor.clone()
            self.critics_targ = [c.clone() for c in self.critics]
            self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.params], lr=config.critic_lr, **fused)
        self.step_count = 0

    # -- training -------------------------------------------------------------------
    @staticmethod
    def _descend(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def step(self, batch: tuple[torch.Tensor, ...] | None = None) -> None:
        """One gradient step of every policy.

        ``batch`` (for tests) overrides the policies' own sampling: ``(obs, actions, rewards,
        next_obs, terminals, noise)`` shaped ``[P, B, ...]`` with normalized observations.
        """
        cfg = self.cfg
        o, a, r, o2, d, noise = self.data.next_batch() if batch is None else batch
        if self.bc_only:
            self._descend(self.actor_opt, bc_loss(torch.tanh(self.actor(o)), a))
            self.step_count += 1
            return
        y = td3_target(self.actor_targ, self.critics_targ, o2, r, d, noise, cfg.policy_noise, cfg.noise_clip, cfg.gamma, cfg.absorbing_success)
        x = torch.cat([o, a], -1)
        self._descend(self.critic_opt, td3bc_critic_loss([c(x) for c in self.critics], y))
        if self.step_count % cfg.policy_delay == 0:
            pi = torch.tanh(self.actor(o))
            q1 = self.critics[0](torch.cat([o, pi], -1), detach=True).squeeze(-1)  # [P, B]
            self._descend(self.actor_opt, td3bc_actor_loss(q1, pi, a, cfg.alpha))
            with torch.no_grad():
                for net, targ in ((self.critics[0], self.critics_targ[0]), (self.critics[1], self.critics_targ[1]), (self.actor, self.actor_targ)):
                    torch._foreach_lerp_(targ.params, [p.detach() for p in net.params], cfg.tau)
        self.step_count += 1

    def train(self, n: int, callback: Callable[[int], None] | None = None) -> None:
        for _ in range(n):
            self.step()
            if callback is not None:
                callback(1)

    @torch.no_grad()
    def load_weights(
        self, p: int, actor: Sequence[tuple[torch.Tensor, torch.Tensor]], critics: Sequence[Sequence[tuple[torch.Tensor, torch.Tensor]]]
    ) -> None:
        """Set policy p's actor and two critics (and their targets) from ``nn.Linear`` ``(weight, bias)`` pairs."""
        for li, (w, b) in enumerate(actor):
            for net in (self.actor,) if self.bc_only else (self.actor, self.actor_targ):
                net.weights[li][p] = w.t()
                net.biases[li][p, 0] = b
        for j, layers in enumerate(critics if not self.bc_only else ()):
            for li, (w, b) in enumerate(layers):
                for net in (self.critics[j], self.critics_targ[j]):
                    net.weights[li][p] = w.t()
                    net.biases[li][p, 0] = b

    # -- acting -----------------------------------------------------------------------
    @torch.no_grad()
    def act(self, obs: np.ndarray) -> np.ndarray:
        """Deterministic actions ``[P, n, A]`` for raw observations ``[P, n, obs_dim]``."""
        x = self.data.obs_norm.normalize(torch.as_tensor(obs, dtype=torch.float32, device=self.device))
        return torch.tanh(self.actor(x)).cpu().numpy()

    def actor_state(self, p: int) -> dict[str, torch.Tensor]:
        """Policy p's actor and normalization in the policy-file layout (CPU copies)."""
        layers = [(w[p].t(), b[p, 0]) for w, b in zip(self.actor.weights, self.actor.biases, strict=True)]
        norm = self.data.obs_norm
        return policy_tensors(layers, Normalizer(norm.mean[p, 0], norm.std[p, 0]))


# -- the batched validator ------------------------------------------------------------


def run_batched(
    suite,
    jobs: Sequence[tuple],
    config: ValidationConfig,
    progress: bool = True,
    desc: str = "validate (batched)",
):
    """Train and evaluate one TD3+BC policy per job ``(task, PreparedData, seed)`` in one batched run.

    Every ``config.eval_every`` steps (and at the end) each policy runs
    ``config.eval_episodes`` episodes in its task's envs; the best evaluation and its
    actor weights are kept. Returns ``[(SeedResult, best_actor_state)]`` in job order.
    """
    from compogen.validation.evaluate import train_and_keep_best

    if config.algo not in BATCHED_ALGOS:
        raise ValueError(f"the batched validator trains {' and '.join(BATCHED_ALGOS)} only, not {config.algo!r}")
    t0 = time.perf_counter()
    seeds = [int(j[2]) for j in jobs]
    learner = BatchedTD3BC([j[1] for j in jobs], seeds, config)
    return train_and_keep_best(
        suite,
        [j[0] for j in jobs],
        seeds,
        config,
        lambda n, tick: learner.train(n, callback=tick),
        learner.act,
        learner.actor_state,
        progress=progress,
        desc=desc,
        started=t0,
    )
