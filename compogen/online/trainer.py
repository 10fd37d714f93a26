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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from compogen.data import Transitions, check_for_suite
from compogen.data.normalizer import observation_normalizer
from compogen.errors import CompogenError
from compogen.io import RunIdentity, atomic_dir, atomic_write_json, atomic_write_text
from compogen.online.agent import Agent
from compogen.online.config import OnlineConfig
from compogen.online.replay import ReplayBuffer, SymmetricSampler
from compogen.rl.evaluate import eval_seed, evaluate
from compogen.seeding import derive, isolated_global_rng, numpy_rng, torch_generator
from compogen.suites import suite_for_task

__all__ = ["CURVE_FIELDS", "make_buffers", "read_curve", "run_online", "write_curve"]

CURVE_FIELDS = ["env_steps", "success", "ci_low", "ci_high", "mean_return", "eval_env_steps", "updates", "alpha", "wall_s"]


def read_curve(run_dir: str | Path) -> list[dict[str, float]]:
    """The evaluations of a run directory (``curve.csv``), as numbers."""
    path = Path(run_dir) / "curve.csv"
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_curve(run_dir: Path, rows: list[dict[str, Any]]) -> None:
    """``curve.csv`` of ``rows`` (one per evaluation, :data:`CURVE_FIELDS`), written atomically; :func:`read_curve` reads it."""
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


def _open_run(config: OnlineConfig, task: str, out: Path, offline: Transitions | None, seed: int):
    """(suite, task id, the run's identity, its saved state or None), after checking everything."""
    config.check()
    suite = suite_for_task(task)
    task_id = suite.task_id(task)
    if config.algo == "rlpd" and (offline is None or len(offline) == 0):
        raise CompogenError("rlpd needs offline data (--dataset or --real-data)")
    if offline is not None:
        check_for_suite(offline, suite, name=f"offline data for {task_id}")
    identity = {"task": task_id, "seed": int(seed), "config": config.to_dict(), "offline_rows": len(offline) if offline is not None else 0}
    state = out / "checkpoint" / "state.json"
    saved = json.loads(state.read_text()) if state.is_file() else None
    # a run may be extended to more steps; any other difference is refused, naming the fields
    if saved is not None:
        RunIdentity(out, identity, ignore=("config.steps",), hint="use a new output directory").refuse_other(saved["identity"])
    if saved is not None and saved["env_steps"] > config.steps:
        raise CompogenError(f"{out} already holds {saved['env_steps']} environment steps, more than steps={config.steps}")
    return suite, task_id, identity, saved


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
    ``stop_after``: return after that many environment steps (tests; the run stays resumable).
    The caller's global random state is left as it was."""
    out = Path(out)
    suite, task_id, identity, saved = _open_run(config, task, out, offline, seed)
    out.mkdir(parents=True, exist_ok=True)
    with isolated_global_rng():
        run = _OnlineRun(config, suite, task_id, out, offline, int(seed), identity)
        if saved is not None:
            run.resume(saved)
            log(f"resuming {out} at {run.t} environment steps")
        if not run.train(progress, stop_after):
            return {"stopped": True, "env_steps": run.t}
    return run.finish()


class _OnlineRun:
    """One run between its checkpoints: agent, buffers, random streams, counters and curve."""

    def __init__(self, config: OnlineConfig, suite, task_id: str, out: Path, offline: Transitions | None, seed: int, identity: dict):
        self.config, self.suite, self.task_id, self.out, self.seed, self.identity = config, suite, task_id, out, seed, identity
        self.ckpt = out / "checkpoint"
        torch.manual_seed(seed)  # the agent's networks and action noise (the global stream, isolated by run_online)
        obs_dim, self.act_dim = suite.observation_layout.dim, suite.action_dim
        norm = observation_normalizer(offline.observations) if config.normalize_observations and offline is not None else None
        self.agent = Agent(config, obs_dim, self.act_dim, obs_norm=norm)
        offline_buf, self.online = make_buffers(config, offline, obs_dim, self.act_dim)
        self.rng = numpy_rng(seed, "online replay")  # random actions and minibatches
        self.subsets = torch_generator(seed, "online critic subsets")
        ratio = config.offline_ratio if offline_buf is not None else 0.0
        self.sampler = SymmetricSampler(offline_buf, self.online, config.batch_size, ratio, self.rng)
        self.t, self.k, self.updates, self.history, self.wall0 = 0, 0, 0, [], 0.0

    def resume(self, saved: dict[str, Any]) -> None:
        state = torch.load(self.ckpt / "agent.pt", weights_only=True)
        self.agent.load_state_dict(state["agent"])
        torch.set_rng_state(state["torch_rng"])
        self.subsets.set_state(state["subset_rng"])
        with np.load(self.ckpt / "buffer.npz") as z:
            self.online.load_state({key: z[key] for key in z.files})
        self.rng.bit_generator.state = saved["numpy_rng"]
        self.t, self.k, self.updates, self.history, self.wall0 = (
            saved["env_steps"],
            saved["evals"],
            saved["updates"],
            saved["history"],
            saved["wall_s"],
        )

    def evaluation(self) -> None:
        agent = self.agent
        res = evaluate(
            self.suite, self.task_id, lambda o: agent.act(o, deterministic=True), self.config.eval_episodes, seed=eval_seed(self.seed, self.k)
        )
        row = {"env_steps": int(self.t), "success": float(res.success_rate), "ci_low": float(res.ci_low), "ci_high": float(res.ci_high)}
        row.update(mean_return=float(res.mean_return), eval_env_steps=int(res.env_steps), updates=int(self.updates), alpha=float(self.last_alpha))
        self.history.append({**row, "wall_s": float(time.perf_counter() - self.t0)})
        write_curve(self.out, self.history)

    def checkpoint(self) -> None:
        with atomic_dir(self.ckpt, replace=True) as tmp:
            tensors = {"agent": self.agent.state_dict(), "torch_rng": torch.get_rng_state(), "subset_rng": self.subsets.get_state()}
            torch.save(tensors, tmp / "agent.pt")
            np.savez(tmp / "buffer.npz", **self.online.state())
            state = {"identity": self.identity, "env_steps": int(self.t), "evals": int(self.k), "updates": int(self.updates), "history": self.history}
            state.update(wall_s=float(time.perf_counter() - self.t0), numpy_rng=self.rng.bit_generator.state)
            (tmp / "state.json").write_text(json.dumps(state))

    def _evaluate_and_save(self) -> None:
        self.evaluation()
        self.k += 1
        self.checkpoint()

    def _store_and_update(self, obs, actions, step, ended: np.ndarray) -> int:
        """Store the step's transitions (not those of envs that auto-reset) and do their updates."""
        nxt, rew, term, trunc, _ = step
        keep = ~ended
        n = int(keep.sum())
        if n:
            self.online.add(obs[keep], actions[keep], np.asarray(rew)[keep], nxt[keep], np.asarray(term)[keep])
        cfg = self.config
        for _ in range(n):
            if len(self.online) >= max(cfg.learning_starts, 1):
                info = self.agent.update([self.sampler.sample() for _ in range(cfg.utd)], self.subsets)
                self.updates += cfg.utd
                self.last_alpha = info["alpha"]
        return n

    def train(self, progress: bool, stop_after: int | None) -> bool:
        """Act, store, update and evaluate up to ``config.steps`` environment steps; False when stopped
        at ``stop_after``. Training envs reset at every evaluation, with seeds of (seed, evaluation)."""
        from compogen.progress import bar as progress_bar

        cfg = self.config
        envs = self.suite.make_vector_env(self.task_id, cfg.num_envs)
        self.t0 = time.perf_counter() - self.wall0
        self.last_alpha = float(self.agent.alpha.detach())
        try:
            if self.k == 0:  # a new run (a saved one has evaluated at least once)
                self._evaluate_and_save()  # the starting point of the curve (environment step 0)
            obs, _ = envs.reset(seed=derive(self.seed, "online envs", self.k))
            ended = np.zeros(cfg.num_envs, bool)  # next step of these envs is the autoreset (no transition)
            desc = f"{cfg.algo} {self.task_id} seed {self.seed}"
            with progress_bar(total=cfg.steps, initial=self.t, unit="step", desc=desc, disable=not progress, dynamic_ncols=True) as bar:
                while self.t < cfg.steps:
                    if stop_after is not None and self.t >= stop_after:
                        return False
                    if self.t < cfg.random_steps:
                        actions = self.rng.uniform(-1.0, 1.0, (cfg.num_envs, self.act_dim)).astype(np.float32)
                    else:
                        actions = self.agent.act(obs)
                    step = envs.step(actions)
                    n = self._store_and_update(obs, actions, step, ended)
                    obs, ended = step[0], np.asarray(step[2], bool) | np.asarray(step[3], bool)
                    self.t += n
                    bar.update(n)
                    if self.t >= self.k * cfg.eval_every or self.t >= cfg.steps:
                        self._evaluate_and_save()
                        obs, _ = envs.reset(seed=derive(self.seed, "online envs", self.k))
                        ended[:] = False
                        bar.set_postfix(success=f"{self.history[-1]['success']:.2f}", ret=f"{self.history[-1]['mean_return']:.1f}")
        finally:
            envs.close()
        return True

    def finish(self) -> dict[str, Any]:
        h = self.history
        result = {"task": self.task_id, "algo": self.config.algo, "seed": self.seed, "env_steps": int(self.t)}
        result.update(final_success=h[-1]["success"], best_success=max(r["success"] for r in h), updates=int(self.updates), wall_s=h[-1]["wall_s"])
        atomic_write_json(self.out / "result.json", result)
        return result
