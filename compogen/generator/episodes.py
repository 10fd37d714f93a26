"""Whole synthetic episodes: the joint generator chained through its own conditional.

Episode ``e`` starts at an initial state of the task (by default the simulator's ``reset``, which
draws from the task's initial-state distribution without stepping the dynamics), then repeats:
sample ``(a, r, s', d)`` given ``s`` (:meth:`Generator.sample_given`), and continue from ``s'``, until
``d`` or the suite's horizon (a timeout). So ``observations[t + 1]`` *is* the ``s'`` of step ``t``,
bit for bit, and any episode reader (Minari's, d3rlpy's, ``obs[:-1]``/``obs[1:]``) reads exact
transitions.

With a ``policy`` (an actor file written by the validator, or any ``obs -> actions`` callable) the actions come
from the policy plus Gaussian noise (by default the expert data's, :attr:`CollectConfig.noise`), and the generator
gives ``(r, s', d)`` given ``(s, a)``: rollouts of that policy in the generator's dynamics. The generator's own
``a | s`` is biased (``benchmarks/results/conditional*.md``), and episodes chained through it validate worse than
independent samples (``benchmarks/results/episodes_fivelink_30.md``); its dynamics are accurate.

The result is an episodic :class:`~compogen.data.Transitions`: rows in episode order, an episode
ends at the first row with ``terminals | timeouts``. Episode ``e``'s step ``t`` draws its noise from
sample index ``e·horizon + t``, so an episode depends only on ``(seed, e)`` and its initial state:
bit for bit when rerun alike, and whatever the number of episodes run side by side up to float rounding
(exact without guidance; with it, batched gradients round differently, about 1e-5 per step).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from compogen.data.minari_io import EPISODES, episode_bounds
from compogen.data.synthetic import write_synthetic
from compogen.data.transitions import Transitions
from compogen.errors import CompogenError
from compogen.generator.rng import counter_normal
from compogen.generator.samplers import SamplerConfig, get_sampler
from compogen.progress import bar as tqdm
from compogen.rl.rollout import CollectConfig
from compogen.tasks.space import Task

Policy = Callable[[np.ndarray], np.ndarray]

__all__ = [
    "EPISODES",
    "episode_bounds",
    "episodes_for",
    "generate_episodes",
    "initial_states",
    "noisy_actions",
    "reset_seed",
    "synthesize_episodes",
]  # the first two re-exported from data


def episodes_for(transitions: int, horizon: int) -> int:
    """The fewest episodes that can hold ``transitions`` (each at most ``horizon`` steps): the count to ask
    :func:`generate_episodes` for, with ``min_transitions=transitions`` adding batches when episodes end early."""
    return max(1, -(-int(transitions) // int(horizon)))


def reset_seed(seed: int, episode: int) -> int:
    """The env seed of episode ``episode``'s initial state (``suite.make_env(task).reset(seed=...)`` replays it)."""
    return int(np.random.SeedSequence([int(seed), int(episode)]).generate_state(1)[0])


def initial_states(suite: Any, task: Task | str, n: int, seed: int = 0, start: int = 0) -> np.ndarray:
    """``n`` initial observations ``[n, obs_dim]`` of ``task`` (episodes ``start .. start+n-1``): ``reset`` of
    its env with :func:`reset_seed`."""
    env = suite.make_env(task)
    try:
        return np.stack([np.asarray(env.reset(seed=reset_seed(seed, start + i))[0], dtype=np.float32) for i in range(n)])
    finally:
        env.close()


#: The counter-noise stream of a policy's action noise: past every sampler's streams (0 and one per step).
ACTION_NOISE_STREAM = 1 << 20


def noisy_actions(actions: np.ndarray, noise: float, seed: int, index: np.ndarray, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """``actions`` plus Gaussian noise of std ``noise``, clipped to ``[low, high]``; row ``i``'s noise depends only
    on ``(seed, index[i])`` (:func:`~compogen.generator.rng.counter_normal`, stream :data:`ACTION_NOISE_STREAM`)."""
    a = np.asarray(actions, dtype=np.float32)
    if noise > 0:
        a = a + np.float32(noise) * counter_normal(seed, np.asarray(index), ACTION_NOISE_STREAM, a.shape[1]).numpy()
    return np.clip(a, low, high)


def synthesize_episodes(  # noqa: PLR0913 -- the sampler options of sample_given plus the episode start and the policy
    generator: Any,
    task: Task | str,
    initial: np.ndarray,
    horizon: int,
    sampler: str | SamplerConfig = "fast",
    steps: int | None = None,
    seed: int = 0,
    start: int = 0,
    progress: bool = False,
    guidance: float = 1.0,
    bf16: bool = False,
    policy: Policy | None = None,
    action_noise: float = CollectConfig.noise,
) -> Transitions:
    """One episode per row of ``initial`` (``[E, obs_dim]``), run side by side; episode ``i`` is
    episode number ``start + i`` for the noise; ``guidance``, ``bf16``: see :meth:`Generator.sample_given`.
    ``policy``: actions from ``policy(s)`` plus ``action_noise`` (:func:`noisy_actions`) instead of the
    generator's. Returns an episodic :class:`Transitions` with timeouts."""
    if horizon < 1:
        raise CompogenError(f"horizon must be >= 1, got {horizon}")
    if action_noise < 0:
        raise CompogenError(f"action noise must be >= 0, got {action_noise}")
    cfg = sampler if isinstance(sampler, SamplerConfig) else get_sampler(sampler, steps)
    task = generator.layout.space.parse(task)
    s = np.asarray(initial, dtype=np.float32).copy()
    n_ep = len(s)
    keys = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    cols: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    episode: list[np.ndarray] = []
    active = np.arange(n_ep)
    box = generator.bounds
    bar = tqdm(total=horizon, desc=f"episodes x{n_ep}", disable=not progress)
    for t in range(horizon):
        if not len(active):
            break
        index = (start + active) * horizon + t
        act = None
        if policy is not None:
            act = noisy_actions(policy(s[active]), action_noise, seed, index, box.action_low, box.action_high)
        tr = generator.sample_given(task, s[active], act, sampler=cfg, seed=seed, index=index, guidance=guidance, bf16=bf16)
        tr.timeouts = np.full(len(active), t == horizon - 1) & ~tr.terminals
        for k in keys:
            cols[k].append(getattr(tr, k))
        episode.append(active)
        s[active] = tr.next_observations
        active = active[~(tr.terminals | tr.timeouts)]
        bar.update(1)
    bar.close()
    order = np.argsort(np.concatenate(episode), kind="stable")  # rows were appended step by step: regroup by episode
    cols = {k: np.concatenate(v)[order] for k, v in cols.items()}
    return Transitions(**cols, tasks=[task])


def generate_episodes(  # noqa: PLR0913 -- the options of generate() (sampler, steps, seed, device, bf16, progress) plus the episode counts
    model: Any,
    task: Task | str,
    episodes: int,
    out_path: str | os.PathLike,
    suite: Any = None,
    sampler: str = "fast",
    steps: int | None = None,
    seed: int = 0,
    batch_episodes: int = 64,
    device: str = "cpu",
    progress: bool = True,
    min_transitions: int = 0,
    bf16: bool = False,
    policy: str | os.PathLike | None = None,
    action_noise: float = CollectConfig.noise,
) -> Path:
    """Write ``episodes`` synthetic episodes of ``task`` to ``out_path`` (a synthetic HDF5 file with a
    ``timeouts`` column and ``attrs["layout"] == "episodes"``), ``batch_episodes`` at a time; more
    batches follow until the file holds at least ``min_transitions`` transitions. ``bf16``: sample under
    bf16 autocast (recorded in the file). ``policy``: an actor file (the validator's
    ``<out_dir>/<task>/seed<k>.safetensors`` of :func:`~compogen.validation.validate`) whose noisy actions drive the episodes (see :func:`synthesize_episodes`)."""
    from compogen.generator.generate import Generator
    from compogen.rl.policy_io import load_policy
    from compogen.suites.registry import get_suite, suite_for_task

    gen = model if isinstance(model, Generator) else Generator.load(model, device)
    if episodes < 1:
        raise CompogenError(f"episodes must be >= 1, got {episodes}")
    if suite is None:
        suite = get_suite(gen.config["suite"]) if gen.config.get("suite") else suite_for_task(task)
    task = gen.layout.space.parse(task)
    cfg = get_sampler(sampler, steps)
    act, actions = None, "generator"
    if policy is not None:
        act, meta = load_policy(policy)
        if meta.get("task") not in (None, suite.task_id(task)):
            raise CompogenError(f"policy {policy} was trained for {meta['task']}, not {suite.task_id(task)}")
        actions = {"policy": str(policy), "policy_task": meta.get("task"), "noise": float(action_noise)}
    t0 = time.time()
    parts = []
    e0, total = 0, 0
    bar = tqdm(total=episodes, desc=f"episodes {suite.task_id(task)}", disable=not progress)
    while e0 < episodes or total < min_transitions:
        k = min(batch_episodes, episodes - e0) if e0 < episodes else batch_episodes
        init = initial_states(suite, task, k, seed, start=e0)
        parts.append(synthesize_episodes(gen, task, init, suite.horizon, cfg, seed=seed, start=e0, bf16=bf16, policy=act, action_noise=action_noise))
        e0, total = e0 + k, total + len(parts[-1])
        bar.update(k)
    bar.close()
    data = Transitions.concatenate(parts)
    attrs = {
        "task": suite.task_id(task),
        "layout": EPISODES,
        "episodes": int(e0),
        "transitions": len(data),
        "initial_states": "env.reset",
        "actions": actions,
        "horizon": int(suite.horizon),
        "sampler": {"name": sampler, **cfg.to_dict()},
        "seed": int(seed),
        "bf16": bool(bf16),
        "model": gen.info(),
        "seconds": round(time.time() - t0, 3),
    }
    write_synthetic(out_path, data, attrs)
    return Path(out_path)
