"""Multi-task behaviour cloning: the baselines a compositional generator has to beat.

A policy (full observation, task id included -> action, MSE) trained on the pooled real data of
the training tasks and run zero-shot on other tasks. ``arch="mlp"``: one MLP (:class:`Policy`);
``arch="sc"``: the paper's semantic compositional RL baseline (Appendix B.2, trained here with BC
like the MLP): per-element encoders of the state factors, one adaLN-Zero transformer block
conditioned on the task (hidden 72, 4 heads, MLP ratio 1.2), mean pooling and a feed-forward head
(:class:`SemanticCompositionalPolicy`). Shared by ``bench_builtin_composition.py``,
``bench_zero_shot.py`` and ``bench_bootstrap_quick.py --baseline``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from compogen.data.normalizer import observation_normalizer
from compogen.rl.evaluate import evaluate as run_episodes
from compogen.seeding import isolated_global_rng


class Policy(nn.Module):
    """MLP 3x256 with the pool's observation normalisation built in."""

    def __init__(self, mu: torch.Tensor, sd: torch.Tensor, act_dim: int, width: int = 256):
        super().__init__()
        self.register_buffer("mu", mu)
        self.register_buffer("sd", sd)
        d = mu.shape[0]
        self.net = nn.Sequential(
            nn.Linear(d, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Linear(width, act_dim),
            nn.Tanh(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mu) / self.sd)


class SemanticCompositionalPolicy(nn.Module):
    """Tokens: each state factor (object, obstacle, goal, proprioception) through its own element's
    encoder (:class:`~compogen.generator.tokenizers.ElementLinear`); one DiT block with adaLN-Zero on
    the task indicator; mean over tokens; ``Linear -> ReLU -> Linear -> tanh`` to the action."""

    def __init__(self, mu, sd, act_dim: int, obs_layout, space, hidden: int = 72, heads: int = 4, mlp_ratio: float = 1.2, width: int = 256):
        super().__init__()
        from compogen.generator.dit import DiTBlock
        from compogen.generator.tokenizers import ElementLinear
        from compogen.tasks.space import AXES

        self.register_buffer("mu", mu)
        self.register_buffer("sd", sd)
        self.factors = [(f.start, f.stop) for f in obs_layout.factors]
        self.maps = nn.ModuleList(
            ElementLinear(len(space.axis_elements(f.axis)), f.stop - f.start, hidden, AXES.index(f.axis))
            if f.axis
            else nn.Linear(f.stop - f.start, hidden)
            for f in obs_layout.factors
        )
        self.id_slice = (obs_layout.task_id_start, obs_layout.task_id_stop)
        self.register_buffer("perm_inv", torch.as_tensor(np.argsort(obs_layout.task_id_permutation(space))))
        self.offsets, self.sizes = list(space.indicator_offsets()), [len(e) for e in space.elements]
        self.pos = nn.Parameter(torch.randn(1, len(self.factors), hidden) * 0.02)
        self.task_emb = nn.Linear(space.indicator_dim, hidden)
        self.block = DiTBlock(hidden, heads, mlp_ratio)
        self.ada = nn.Linear(hidden, 6 * hidden)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)
        self.head = nn.Sequential(nn.Linear(hidden, width), nn.ReLU(), nn.Linear(width, act_dim), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cond = x[:, self.id_slice[0] : self.id_slice[1]][:, self.perm_inv]
        elements = torch.stack([cond[:, o : o + n].argmax(1) for o, n in zip(self.offsets, self.sizes, strict=True)], 1)
        z = (x - self.mu) / self.sd
        toks = [m(z[:, a:b], elements[:, m.axis]) if hasattr(m, "axis") else m(z[:, a:b]) for m, (a, b) in zip(self.maps, self.factors, strict=True)]
        h, _ = self.block(torch.stack(toks, 1) + self.pos, self.ada(nn.functional.silu(self.task_emb(cond))))
        return self.head(h.mean(1))


def evaluate(suite, policy: nn.Module, task, episodes: int, seed: int = 1000) -> float:
    """Success rate of ``policy`` (deterministic) over ``episodes`` episodes of ``task``: the validator's
    evaluation (:func:`compogen.rl.evaluate.evaluate`; episode i resets with ``seed + i``)."""

    def act(obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return policy(torch.as_tensor(obs, dtype=torch.float32)).numpy()

    return run_episodes(suite, task, act, episodes=episodes, seed=seed).success_rate


def train_multitask_bc(
    pool,
    steps: int,
    seed: int = 0,
    batch_size: int = 256,
    lr: float = 1e-3,
    on_eval: Callable[[int, nn.Module], None] | None = None,
    eval_every: int | None = None,
    arch: str = "mlp",
    suite=None,
) -> tuple[nn.Module, float]:
    """Train on ``pool`` (a :class:`compogen.data.Transitions` of several tasks); returns (policy, final loss).

    ``on_eval(step, policy)`` is called every ``eval_every`` steps and at the end (policy in eval mode).
    ``arch``: ``mlp`` or ``sc`` (needs ``suite`` for its observation layout and task space).
    """
    with isolated_global_rng():  # the caller's global torch stream is left as it was
        torch.manual_seed(seed)
        X = torch.as_tensor(pool.observations, dtype=torch.float32)
        Y = torch.as_tensor(pool.actions, dtype=torch.float32)
        norm = observation_normalizer(pool.observations)  # the validators' normalisation
        mean, std = torch.as_tensor(norm.mean), torch.as_tensor(norm.std)
        if arch == "sc":
            policy = SemanticCompositionalPolicy(mean, std, Y.shape[1], suite.observation_layout, suite.space)
        else:
            policy = Policy(mean, std, Y.shape[1])
        opt = torch.optim.Adam(policy.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        g = torch.Generator().manual_seed(seed)
        loss = torch.tensor(float("nan"))
        for step in range(1, steps + 1):
            idx = torch.randint(0, len(X), (batch_size,), generator=g)
            loss = ((policy(X[idx]) - Y[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if on_eval is not None and eval_every and (step % eval_every == 0 or step == steps):
                policy.eval()
                on_eval(step, policy)
                policy.train()
        policy.eval()
        return policy, float(loss.item())


def baseline_success(
    suite, pool, tasks: Sequence, steps: int, evals: int, episodes: int, seed: int = 0, arch: str = "mlp"
) -> dict[str, dict[str, float]]:
    """Per task: success of the final policy and the best over ``evals`` evenly spaced checkpoints.

    The best-of-checkpoints number is what the loop's validator reports for a task (it keeps the
    best of its evaluations), so it is the fair comparison for the loop's best-so-far success.
    """
    best = {suite.task_id(t): 0.0 for t in tasks}
    last: dict[str, float] = {}

    def on_eval(step: int, policy: nn.Module) -> None:
        for t in tasks:
            k = suite.task_id(t)
            s = evaluate(suite, policy, t, episodes, seed=1000 + step)
            best[k] = max(best[k], s)
            last[k] = s

    train_multitask_bc(pool, steps, seed, on_eval=on_eval, eval_every=max(1, steps // evals), arch=arch, suite=suite)
    return {k: {"best": best[k], "final": last[k]} for k in best}
