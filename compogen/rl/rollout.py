"""Expert rollouts and data collection: a suite's scripted expert with Gaussian action noise.

Used by ``compogen collect``, ``compogen bootstrap`` and the benchmarks. A suite with
``has_expert`` (its ``expert(task)`` has ``reset()`` and ``act(obs)``) can be collected.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from compogen.config import Config
from compogen.seeding import numpy_rng
from compogen.tasks.space import Task

__all__ = ["CollectConfig", "collect", "collect_task", "expert_transitions", "rollout_expert"]


@dataclass(frozen=True)
class CollectConfig(Config):
    """What ``collect_task`` does for one task."""

    #: Episodes per task.
    episodes: int = 100
    #: Standard deviation of the Gaussian noise added to every expert action (then clipped to [-1, 1]).
    noise: float = 0.1
    #: Episode ``e`` resets the env with seed ``seed + e``; the noise stream is seeded from ``seed`` too.
    seed: int = 0
    #: Overwrite an existing dataset file.
    overwrite: bool = False


def rollout_expert(env, expert, seed: int, noise: float, rng: np.random.Generator):
    """One episode; returns ``(observations[T+1], actions[T], rewards[T], successes[T], terminated)``."""
    obs, _ = env.reset(seed=seed)
    expert.reset()
    observations, actions, rewards, successes = [obs], [], [], []
    while True:
        action = np.asarray(expert.act(obs), dtype=np.float64)
        if noise > 0:
            action = action + rng.normal(0.0, noise, size=action.shape)
        action = np.clip(action, -1.0, 1.0).astype(np.float32)
        obs, reward, terminated, truncated, info = env.step(action)
        observations.append(obs)
        actions.append(action)
        rewards.append(reward)
        successes.append(bool(info["success"]))
        if terminated or truncated:
            return np.stack(observations), np.stack(actions), np.asarray(rewards, np.float32), np.asarray(successes), bool(terminated)


def expert_transitions(suite, task: Task | str, n: int, noise: float = 0.1, seed: int = 0):
    """At least ``n`` noisy expert transitions of ``task`` in memory (whole episodes, env seeds ``seed + e``).

    The benchmarks use it to give real data the same size as the loop's synthetic data.
    """
    from compogen.data import Transitions

    task = suite.parse(task)
    env, expert = suite.make_env(task), suite.expert(task)
    rng = numpy_rng(seed, list(suite.space).index(task))
    cols: dict[str, list] = {k: [] for k in ("o", "a", "r", "n", "d", "t")}
    total, e = 0, 0
    while total < n:
        obs, act, rew, _, terminated = rollout_expert(env, expert, seed + e, noise, rng)
        done, timeout = np.zeros(len(act), bool), np.zeros(len(act), bool)
        done[-1], timeout[-1] = terminated, not terminated
        for k, v in zip("oarndt", (obs[:-1], act, rew, obs[1:], done, timeout), strict=True):
            cols[k].append(v)
        total += len(act)
        e += 1
    env.close()
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return Transitions(cat["o"], cat["a"], cat["r"].astype(np.float32), cat["n"], cat["d"], timeouts=cat["t"], tasks=[task])


def collect_task(suite, task: Task, path: str | os.PathLike, config: CollectConfig, progress: Callable[[int], None] | None = None) -> dict:
    """Write ``config.episodes`` noisy expert episodes of ``task`` to ``path``; returns a summary."""
    from compogen.data import OfflineDatasetWriter

    path = Path(path)
    if path.exists() and not config.overwrite:
        raise FileExistsError(f"{path} exists (use --overwrite to replace it)")
    env = suite.make_env(task)
    expert = suite.expert(task)
    task_index = list(suite.space).index(task)
    rng = numpy_rng(config.seed, task_index)
    attrs = {
        "suite": suite.name,
        "task": suite.task_id(task),
        "policy": "scripted_expert",
        "noise": config.noise,
        "seed": config.seed,
    }
    successes = 0
    steps = 0
    with OfflineDatasetWriter(path, suite.observation_layout.dim, suite.action_dim, attrs=attrs) as writer:
        for e in range(config.episodes):
            obs, act, rew, suc, terminated = rollout_expert(env, expert, config.seed + e, config.noise, rng)
            writer.add_episode(obs, act, rew, suc, terminated)
            successes += int(suc.any())
            steps += len(act)
            if progress is not None:
                progress(1)
    env.close()
    return {
        "task": suite.task_id(task),
        "path": str(path),
        "episodes": config.episodes,
        "transitions": steps,
        "success_rate": successes / max(config.episodes, 1),
    }


_progress_queue = None  # in a collect worker: where finished episodes are counted


def _set_progress_queue(queue) -> None:
    global _progress_queue  # noqa: PLW0603 -- set once per worker process by the pool initializer
    _progress_queue = queue


def _collect_worker(suite_name: str, task_id: str, path: str, config: CollectConfig) -> dict:
    from compogen.suites import get_suite

    suite = get_suite(suite_name)
    q = _progress_queue
    return collect_task(suite, suite.parse(task_id), path, config, progress=q.put if q is not None else None)


def collect(
    suite,
    tasks: list[Task],
    root: str | os.PathLike,
    config: CollectConfig = CollectConfig(),
    workers: int = 2,
    type: str = "expert",
    progress: bool = True,
) -> list[dict]:
    """Collect ``tasks`` into ``<root>/<type>/<Folder>/data.hdf5``, one process per task at a time.

    Refuses to replace existing files unless ``config.overwrite``. Returns one summary per task.
    """
    import multiprocessing as mp
    import time

    from compogen.data import dataset_path
    from compogen.parallel import process_pool
    from compogen.progress import bar as progress_bar

    if not suite.has_expert:
        suite.expert(tasks[0])  # raises the suite's one-line reason
    paths = {t: dataset_path(root, t, suite.space, type) for t in tasks}
    if not config.overwrite:
        existing = [str(p) for p in paths.values() if p.exists()]
        if existing:
            raise FileExistsError(f"{existing[0]} exists ({len(existing)} files); use --overwrite to replace")
    results = []
    bar = progress_bar(total=len(tasks) * config.episodes, unit="ep", desc=f"collect {len(tasks)} tasks", disable=not progress)
    queue = mp.get_context("spawn").SimpleQueue()  # handed to the workers at start: no manager process to outlive us
    with bar, process_pool(min(workers, len(tasks)), initializer=_set_progress_queue, initargs=(queue,)) as pool:
        pending = {pool.submit(_collect_worker, suite.name, suite.task_id(t), str(paths[t]), config) for t in tasks}
        while pending:
            while not queue.empty():
                bar.update(queue.get())
            done = {f for f in pending if f.done()}
            results += [f.result() for f in done]
            pending -= done
            time.sleep(0.05)
        while not queue.empty():
            bar.update(queue.get())
    return sorted(results, key=lambda r: r["task"])
