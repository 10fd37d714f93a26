"""Batched TD3+BC: many independent (task, seed) policies trained in one run.

Every network is stored stacked over a leading policy dim ``P`` (critics over
``2P``) and evaluated with batched matmuls (``torch.baddbmm``), so one step
updates all policies. Each policy keeps its own data, state normalization,
random stream (``torch.Generator`` seeded from its RL seed) and Adam state; the
summed loss gives every policy exactly its own gradient, and Adam is
element-wise, so policy k's training does not depend on the other policies.

The update rule is TD3+BC as implemented by d3rlpy 2.8.1 (Fujimoto & Gu 2021):
target smoothing noise, clipped double-Q target, actor (and targets) updated every
``policy_delay`` steps starting at step 0, actor loss
``-alpha / mean|Q1(s, pi(s))| * mean Q1(s, pi(s)) + mean (pi(s) - a)^2``.
"""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

import numpy as np
import torch

from compogen.data.normalizer import Normalizer
from compogen.rl.targets import td_target
from compogen.seeding import torch_generator
from compogen.validation.config import BATCHED_ALGOS, ValidationConfig
from compogen.validation.data import PreparedData
from compogen.validation.policy_io import policy_tensors

__all__ = ["StackedMLP", "BatchedTD3BC", "policy_generator", "run_batched"]

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


class StackedMLP:
    """``G`` independent MLPs with the same widths: weights ``[G, in, out]``, ReLU between layers."""

    def __init__(self, sizes: Sequence[int], gens: Sequence[torch.Generator], device: torch.device, copies: int = 1):
        """Initialise like ``torch.nn.Linear`` (uniform +-1/sqrt(fan_in)), drawing net g from ``gens[g]``.

        ``copies`` nets are drawn per generator (stacked next to each other).
        """
        self.sizes = tuple(int(s) for s in sizes)
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        per_gen_w: list[list[torch.Tensor]] = []
        for g in gens:
            nets = []
            for _ in range(copies):
                layers = []
                for i, o in zip(self.sizes[:-1], self.sizes[1:]):
                    bound = 1.0 / math.sqrt(i)
                    w = (torch.rand(o, i, generator=g, device=g.device) * 2 - 1) * bound
                    b = (torch.rand(o, generator=g, device=g.device) * 2 - 1) * bound
                    layers.append((w.t().contiguous(), b))
                nets.append(layers)
            per_gen_w.extend(nets)
        for li in range(len(self.sizes) - 1):
            self.weights.append(torch.stack([net[li][0] for net in per_gen_w]).to(device).requires_grad_(True))
            self.biases.append(torch.stack([net[li][1] for net in per_gen_w]).unsqueeze(1).to(device).requires_grad_(True))

    @property
    def params(self) -> list[torch.Tensor]:
        return [t for pair in zip(self.weights, self.biases) for t in pair]

    def forward(self, x: torch.Tensor, detach: bool = False) -> torch.Tensor:
        """``x [G, B, in] -> [G, B, out]``; ``detach`` blocks gradients into the weights."""
        n = len(self.weights)
        for li, (w, b) in enumerate(zip(self.weights, self.biases)):
            if detach:
                w, b = w.detach(), b.detach()
            x = torch.baddbmm(b, x, w)
            if li < n - 1:
                x = torch.relu(x)
        return x

    def clone(self) -> "StackedMLP":
        out = object.__new__(StackedMLP)
        out.sizes = self.sizes
        out.weights = [w.detach().clone() for w in self.weights]
        out.biases = [b.detach().clone() for b in self.biases]
        return out


class BatchedTD3BC:
    """P TD3+BC (or BC) learners stepped together; policy p trains on ``datasets[p]`` with seed ``seeds[p]``."""

    def __init__(self, datasets: Sequence[PreparedData], seeds: Sequence[int], config: ValidationConfig, device: str | None = None):
        """Policy p trains on ``datasets[p]``; the same object given for several policies is stored once."""
        if len(datasets) != len(seeds) or not datasets:
            raise ValueError("BatchedTD3BC needs one seed per dataset and at least one dataset")
        self.cfg = config
        self.device = torch.device(device or config.device)
        self.P = len(datasets)
        self.obs_dim = datasets[0].observations.shape[1]
        self.act_dim = datasets[0].actions.shape[1]
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
        dev = self.device

        def cat(key):
            return torch.from_numpy(np.concatenate([getattr(d, key) for d in unique])).to(dev)

        self.d_obs, self.d_act, self.d_rew, self.d_next_obs, self.d_term = (
            cat("observations"),
            cat("actions"),
            cat("rewards"),
            cat("next_observations"),
            cat("terminals"),
        )
        starts = np.concatenate([[0], np.cumsum([len(d) for d in unique])[:-1]])
        self.sizes = [len(unique[k]) for k in which]
        self.offsets = torch.tensor([int(starts[k]) for k in which], dtype=torch.long, device=dev)
        norms = [unique[k].obs_norm for k in which]
        self.obs_norm = Normalizer(np.stack([n.mean for n in norms])[:, None], np.stack([n.std for n in norms])[:, None])  # [P, 1, D]
        self.gens = [policy_generator(s, dev) for s in seeds]
        a_sizes = (self.obs_dim, *config.actor_hidden, self.act_dim)
        c_sizes = (self.obs_dim + self.act_dim, *config.critic_hidden, 1)
        #: ``algo="bc"``: the actor loss without its Q term, no critics at all.
        self.bc_only = config.algo == "bc"
        # per policy, in its own stream: actor, critic 1, critic 2
        self.actor = StackedMLP(a_sizes, self.gens, dev)
        fused = dict(fused=True) if _fused_ok(dev) else {}
        self.actor_opt = torch.optim.Adam(self.actor.params, lr=config.actor_lr, **fused)
        if not self.bc_only:
            self.critics = [StackedMLP(c_sizes, self.gens, dev) for _ in range(2)]
            self.actor_targ = self.actor.clone()
            self.critics_targ = [c.clone() for c in self.critics]
            self.critic_opt = torch.optim.Adam([p for c in self.critics for p in c.params], lr=config.critic_lr, **fused)
        self.step_count = 0
        self._chunk_pos = _CHUNK
        self._idx_buf: torch.Tensor | None = None
        self._noise_buf: torch.Tensor | None = None

    # -- random streams -----------------------------------------------------------
    def _refill(self) -> None:
        B, A = self.cfg.batch_size, self.act_dim
        idx, noise = [], []
        for p, g in enumerate(self.gens):
            idx.append(torch.randint(self.sizes[p], (_CHUNK, B), generator=g, device=self.device))
            noise.append(torch.randn((_CHUNK, B, A), generator=g, device=self.device))
        self._idx_buf = torch.stack(idx, 1) + self.offsets[None, :, None]  # [C, P, B]
        self._noise_buf = torch.stack(noise, 1)  # [C, P, B, A]
        self._chunk_pos = 0

    def _next_batch(self):
        if self._chunk_pos >= _CHUNK:
            self._refill()
        idx = self._idx_buf[self._chunk_pos]
        noise = self._noise_buf[self._chunk_pos]
        self._chunk_pos += 1
        return self.d_obs[idx], self.d_act[idx], self.d_rew[idx], self.d_next_obs[idx], self.d_term[idx], noise

    # -- training -------------------------------------------------------------------
    def step(self, batch: tuple[torch.Tensor, ...] | None = None) -> None:
        """One gradient step of every policy.

        ``batch`` (for tests) overrides the policies' own sampling: ``(obs, actions, rewards,
        next_obs, terminals, noise)`` shaped ``[P, B, ...]`` with normalized observations.
        """
        cfg = self.cfg
        o, a, r, o2, d, noise = self._next_batch() if batch is None else batch
        if self.bc_only:
            pi = torch.tanh(self.actor.forward(o))
            self.actor_opt.zero_grad(set_to_none=True)
            (pi - a).pow(2).mean((-1, -2)).sum().backward()
            self.actor_opt.step()
            self.step_count += 1
            return
        with torch.no_grad():
            a2 = torch.tanh(self.actor_targ.forward(o2))
            a2 = (a2 + (cfg.policy_noise * noise).clamp(-cfg.noise_clip, cfg.noise_clip)).clamp(-1.0, 1.0)
            x2 = torch.cat([o2, a2], -1)
            q_t = torch.minimum(self.critics_targ[0].forward(x2), self.critics_targ[1].forward(x2)).squeeze(-1)  # [P, B]
            y = td_target(r, d, q_t, cfg.gamma, cfg.absorbing_success).unsqueeze(-1)
        x = torch.cat([o, a], -1)
        critic_loss = sum((c.forward(x) - y).pow(2).mean((-1, -2)).sum() for c in self.critics)
        self.critic_opt.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_opt.step()
        if self.step_count % cfg.policy_delay == 0:
            pi = torch.tanh(self.actor.forward(o))
            q1 = self.critics[0].forward(torch.cat([o, pi], -1), detach=True).squeeze(-1)  # [P, B]
            lam = cfg.alpha / q1.abs().mean(-1).detach()
            actor_loss = (-lam * q1.mean(-1) + (pi - a).pow(2).mean((-1, -2))).sum()
            self.actor_opt.zero_grad(set_to_none=True)
            actor_loss.backward()
            self.actor_opt.step()
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
        x = self.obs_norm.normalize(torch.as_tensor(obs, dtype=torch.float32, device=self.device))
        return torch.tanh(self.actor.forward(x)).cpu().numpy()

    def actor_state(self, p: int) -> dict[str, torch.Tensor]:
        """Policy p's actor and normalization in the policy-file layout (CPU copies)."""
        layers = [(w[p].t(), b[p, 0]) for w, b in zip(self.actor.weights, self.actor.biases)]
        return policy_tensors(layers, Normalizer(self.obs_norm.mean[p, 0], self.obs_norm.std[p, 0]))


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
