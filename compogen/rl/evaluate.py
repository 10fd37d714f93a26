"""Roll policies out in a suite's simulator and score them (the validators, online RL and the baselines).

Success of an episode is the paper's: the reward reaches 1 at some step
(:func:`compogen.suites.base.success_steps`, the rule of ``episode_success``).
Several policies (each with its own envs, e.g. the batched validator's P
policies) can be stepped together so that one batched forward pass serves all
of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from compogen.rl.metrics import wilson_interval
from compogen.seeding import derive
from compogen.suites.base import Suite, success_steps
from compogen.tasks.space import Task

__all__ = ["EvalResult", "EvalEnvs", "evaluate", "evaluate_many", "make_eval_envs", "eval_seed"]

Policy = Callable[[np.ndarray], np.ndarray]


@dataclass
class EvalResult:
    """Outcome of ``episodes`` evaluation episodes of one policy."""

    episodes: int
    successes: int
    success_rate: float
    ci_low: float
    ci_high: float
    mean_return: float
    env_steps: int

    @classmethod
    def from_episodes(cls, successes: Sequence[bool], returns: Sequence[float], env_steps: int) -> EvalResult:
        n, k = len(successes), int(np.sum(successes))
        lo, hi = wilson_interval(k, n)
        return cls(n, k, k / n if n else 0.0, lo, hi, float(np.mean(returns)) if n else 0.0, int(env_steps))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def eval_seed(seed: int, round_: int = 0) -> int:
    """First env seed of evaluation round ``round_`` of RL seed ``seed`` (episode i uses this + i)."""
    return derive(seed, "evaluation", round_)


EvalEnvs = gym.vector.VectorEnv
"""The envs one policy is evaluated in (``suite.make_vector_env``)."""


def make_eval_envs(suite: Suite, task: Task | str, num_envs: int) -> EvalEnvs:
    """``num_envs`` copies of ``task``'s env, stepped together (:meth:`Suite.make_vector_env`)."""
    return suite.make_vector_env(task, num_envs)


def evaluate_many(
    envs: Sequence[EvalEnvs],
    act: Callable[[np.ndarray], np.ndarray],
    episodes: int,
    first_seeds: Sequence[int],
    max_steps: int,
) -> list[EvalResult]:
    """Run ``episodes`` episodes for each of ``P = len(envs)`` policies, stepping all together.

    ``envs[p]`` are policy p's vector envs (all with the same ``num_envs`` n); ``act`` maps
    observations ``[P, n, obs_dim]`` to actions ``[P, n, action_dim]``. Episodes run in waves
    of n; episode i of policy p resets with seed ``first_seeds[p] + i``. An episode ends on
    ``terminated``/``truncated`` or after ``max_steps`` steps; steps after its end are ignored
    (vector envs auto-reset) and not counted in ``env_steps``.
    """
    P = len(envs)
    if P == 0:
        return []
    n = envs[0].num_envs
    succ = [[] for _ in range(P)]
    rets = [[] for _ in range(P)]
    steps = np.zeros(P, dtype=np.int64)
    for start in range(0, episodes, n):
        m = min(n, episodes - start)
        obs = np.stack([e.reset(seed=[int(first_seeds[p]) + start + i for i in range(n)])[0] for p, e in enumerate(envs)])
        active = np.zeros((P, n), dtype=bool)
        active[:, :m] = True
        ret = np.zeros((P, n))
        won = np.zeros((P, n), dtype=bool)
        for _ in range(max_steps):
            if not active.any():
                break
            actions = np.asarray(act(obs.astype(np.float32, copy=False)), dtype=np.float32)
            nxt = []
            for p, e in enumerate(envs):
                if not active[p].any():  # this policy's episodes are over: do not step its envs
                    nxt.append(obs[p])
                    continue
                o, r, term, trunc, _ = e.step(actions[p])
                r = np.asarray(r, np.float64)
                a = active[p]
                ret[p] += np.where(a, r, 0.0)
                won[p] |= a & success_steps(r)
                steps[p] += int(a.sum())
                active[p] = a & ~(np.asarray(term, bool) | np.asarray(trunc, bool))
                nxt.append(o)
            obs = np.stack(nxt)
        for p in range(P):
            succ[p] += won[p, :m].tolist()
            rets[p] += ret[p, :m].tolist()
    return [EvalResult.from_episodes(succ[p], rets[p], int(steps[p])) for p in range(P)]


def evaluate(
    suite: Suite,
    task: Task | str,
    policy: Policy,
    episodes: int = 10,
    seed: int = 0,
    num_envs: int | None = None,
    max_steps: int | None = None,
    envs: EvalEnvs | None = None,
) -> EvalResult:
    """Success rate (Wilson 95 % interval), mean return and env steps of ``policy`` on ``task``.

    ``policy`` maps an observation batch ``[n, obs_dim]`` to an action batch ``[n, action_dim]``.
    Episode i is reset with seed ``seed + i``; ``num_envs`` (default: ``episodes``) envs are
    stepped together. Pass ``envs`` to reuse already-built vector envs.
    """
    own = envs is None
    if own:
        envs = make_eval_envs(suite, task, int(num_envs or episodes))
    try:
        (res,) = evaluate_many([envs], lambda o: np.asarray(policy(o[0]))[None], episodes, [seed], int(max_steps or suite.horizon))
    finally:
        if own:
            envs.close()
    return res
