"""One online RL run on one task: act, store, update, evaluate, checkpoint, resume.

A run directory holds ``curve.csv`` (one row per evaluation: environment steps,
success with its Wilson interval, mean return, evaluation steps, wall time),
``checkpoint/`` (agent, optimizers, RNG states, online buffer; replaced
atomically at every evaluation) and ``result.json`` once finished.

Every ``eval_every`` environment steps the run evaluates the deterministic
policy, writes a checkpoint and then resets its training envs with seeds derived
from (seed, evaluation index). A killed run restarts from its last checkpoint and,
because the uninterrupted run resets at the same points, ends with exactly the
same curve and weights (the partial episodes cut there count as time limits:
their transitions keep bootstrapping).
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from compogen.data import Transitions
from compogen.errors import CompogenError
from compogen.io import atomic_dir, atomic_write_json, atomic_write_text
from compogen.online.agent import Agent
from compogen.online.config import OnlineConfig
from compogen.online.replay import ReplayBuffer, SymmetricSampler
from compogen.suites import suite_for_task
from compogen.validation.data import normalization_stats
from compogen.validation.evaluate import eval_seed, evaluate

__all__ = ["CURVE_FIELDS", "make_buffers", "read_curve", "run_online", "without_steps"]

CURVE_FIELDS = ["env_steps", "success", "ci_low", "ci_high", "mean_return", "eval_env_steps", "updates", "alpha", "wall_s"]


def _env_seed(seed: int, k: int) -> int:
    return (7_919 * (int(seed) + 1) + 104_729 * int(k)) % (2**31 - 1)


def without_steps(record: dict[str, Any]) -> dict[str, Any]:
    """A run's (or results directory's) record without its length: runs may be extended to more steps."""
    return {**record, "config": {k: v for k, v in record["config"].items() if k != "steps"}}


def read_curve(run_dir: str | Path) -> list[dict[str, float]]:
    """The evaluations of a run directory (``curve.csv``), as numbers."""
    path = Path(run_dir) / "curve.csv"
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _write_curve(run_dir: Path, rows: list[dict[str, Any]]) -> None:
    lines = [",".join(CURVE_FIELDS)] + [",".join(f"{row[k]:.6g}" if isinstance(row[k], float) else str(row[k]) for k in CURVE_FIELDS) for row in rows]
    atomic_write_text(run_dir / "curve.csv", "\n".join(lines) + "\n")


def make_buffers(config: OnlineConfig, offline: Transitions | None, obs_dim: int, action_dim: int) -> tuple[ReplayBuffer | None, ReplayBuffer]:
    """(offline buffer, online buffer): RLPD keeps the offline data apart (symmetric sampling); SAC
    starts from an online buffer pre-filled with it (room for ``config.steps`` more transitions)."""
    if config.algo == "sac" and offline is not None:
        online = ReplayBuffer(config.steps + len(offline), obs_dim, action_dim)
        online.add(offline.observations, offline.actions, offline.rewards, offline.next_observations, offline.terminals)
        return None, online
    offline_buf = ReplayBuffer.from_transitions(offline) if offline is not None else None
    return offline_buf, ReplayBuffer(config.steps, obs_dim, action_dim)


def run_online(
    config: OnlineConfig,
    task: str,
    out: str | Path,
    offline: Transitions | None = None,
    seed: int = 0,
    progress: bool = True,
    log: Callable[[str], None] = print,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Train ``config.algo`` on ``task`` for ``config.steps`` environment steps into ``out``; resume if
    ``out`` holds a checkpoint of the same settings. RLPD samples half of every minibatch from
    ``offline``; SAC with ``offline`` starts from a replay buffer pre-filled with it.
    ``stop_after``: return after that many environment steps (tests; the run stays resumable)."""
    from compogen.progress import bar as progress_bar

    config.check()
    suite = suite_for_task(task)
    task_id = suite.task_id(task)
    if config.algo == "rlpd" and (offline is None or len(offline) == 0):
        raise CompogenError("rlpd needs offline data (--dataset or --real-data)")
    if offline is not None and (offline.obs_dim != suite.observation_layout.dim or offline.action_dim != suite.action_dim):
        raise CompogenError(
            f"offline data has obs {offline.obs_dim} / actions {offline.action_dim}, {task_id} has {suite.observation_layout.dim} / {suite.action_dim}"
        )
    out = Path(out)
    identity = {"task": task_id, "seed": int(seed), "config": config.to_dict(), "offline_rows": len(offline) if offline is not None else 0}
    ckpt = out / "checkpoint"
    saved = json.loads((ckpt / "state.json").read_text()) if (ckpt / "state.json").is_file() else None
    if saved is not None and without_steps(saved["identity"]) != without_steps(identity):
        raise CompogenError(f"{out} holds a run with other settings; use a new output directory")
    if saved is not None and saved["env_steps"] > config.steps:
        raise CompogenError(f"{out} already holds {saved['env_steps']} environment steps, more than steps={config.steps}")
    out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(seed)
    obs_dim, act_dim = suite.observation_layout.dim, suite.action_dim
    stats = normalization_stats(offline.observations) if config.normalize_observations and offline is not None else None
    agent = Agent(config, obs_dim, act_dim, obs_stats=stats)
    offline_buf, online = make_buffers(config, offline, obs_dim, act_dim)
    rng = np.random.default_rng([seed, 1])
    subsets = torch.Generator().manual_seed(int(seed) + 17)
    sampler = SymmetricSampler(offline_buf, online, config.batch_size, config.offline_ratio if offline_buf is not None else 0.0, rng)

    t, k, updates, history, wall0 = 0, 0, 0, [], 0.0
    if saved is not None:
        state = torch.load(ckpt / "agent.pt", weights_only=True)
        agent.load_state_dict(state["agent"])
        torch.set_rng_state(state["torch_rng"])
        subsets.set_state(state["subset_rng"])
        with np.load(ckpt / "buffer.npz") as z:
            online.load_state({key: z[key] for key in z.files})
        rng.bit_generator.state = saved["numpy_rng"]
        t, k, updates, history, wall0 = saved["env_steps"], saved["evals"], saved["updates"], saved["history"], saved["wall_s"]
        log(f"resuming {out} at {t} environment steps")

    envs = suite.make_vector_env(task_id, config.num_envs)
    t0 = time.perf_counter() - wall0
    last_alpha = float(agent.alpha.detach())

    def evaluation() -> None:
        res = evaluate(suite, task_id, lambda o: agent.act(o, deterministic=True), config.eval_episodes, seed=eval_seed(seed, k))
        history.append(
            {
                "env_steps": int(t),
                "success": float(res.success_rate),
                "ci_low": float(res.ci_low),
                "ci_high": float(res.ci_high),
                "mean_return": float(res.mean_return),
                "eval_env_steps": int(res.env_steps),
                "updates": int(updates),
                "alpha": float(last_alpha),
                "wall_s": float(time.perf_counter() - t0),
            }
        )
        _write_curve(out, history)

    def checkpoint() -> None:
        with atomic_dir(ckpt, replace=True) as tmp:
            torch.save({"agent": agent.state_dict(), "torch_rng": torch.get_rng_state(), "subset_rng": subsets.get_state()}, tmp / "agent.pt")
            np.savez(tmp / "buffer.npz", **online.state())
            state = {
                "identity": identity,
                "env_steps": int(t),
                "evals": int(k),
                "updates": int(updates),
                "history": history,
                "wall_s": float(time.perf_counter() - t0),
                "numpy_rng": rng.bit_generator.state,
            }
            (tmp / "state.json").write_text(json.dumps(state))

    try:
        if saved is None:
            evaluation()  # the starting point of the curve (environment step 0)
            k = 1
            checkpoint()
        obs, _ = envs.reset(seed=_env_seed(seed, k))
        ended = np.zeros(config.num_envs, bool)  # next step of these envs is the autoreset (no transition)
        bar = progress_bar(
            total=config.steps, initial=t, unit="step", desc=f"{config.algo} {task_id} seed {seed}", disable=not progress, dynamic_ncols=True
        )
        with bar:
            while t < config.steps:
                if stop_after is not None and t >= stop_after:
                    return {"stopped": True, "env_steps": t}
                if t < config.random_steps:
                    actions = rng.uniform(-1.0, 1.0, (config.num_envs, act_dim)).astype(np.float32)
                else:
                    actions = agent.act(obs)
                nxt, rew, term, trunc, _ = envs.step(actions)
                keep = ~ended
                n = int(keep.sum())
                if n:
                    online.add(obs[keep], actions[keep], np.asarray(rew)[keep], nxt[keep], np.asarray(term)[keep])
                ended = np.asarray(term, bool) | np.asarray(trunc, bool)
                obs = nxt
                for _ in range(n):
                    if len(online) >= max(config.learning_starts, 1):
                        info = agent.update([sampler.sample() for _ in range(config.utd)], subsets)
                        updates += config.utd
                        last_alpha = info["alpha"]
                t += n
                bar.update(n)
                if t >= k * config.eval_every or t >= config.steps:
                    evaluation()
                    k += 1
                    checkpoint()
                    obs, _ = envs.reset(seed=_env_seed(seed, k))
                    ended[:] = False
                    bar.set_postfix(success=f"{history[-1]['success']:.2f}", ret=f"{history[-1]['mean_return']:.1f}")
    finally:
        envs.close()
    result = {
        "task": task_id,
        "algo": config.algo,
        "seed": int(seed),
        "env_steps": int(t),
        "final_success": history[-1]["success"],
        "best_success": max(h["success"] for h in history),
        "updates": int(updates),
        "wall_s": history[-1]["wall_s"],
    }
    atomic_write_json(out / "result.json", result)
    return result
