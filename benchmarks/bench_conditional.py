"""How good are the joint generator's conditionals? Against the simulator, on training and held-out tasks.

For each task, real expert episodes (noise 0.1) give states ``s`` and actions ``a`` with the
simulator's true ``(r, s', d)``. Then:

1. **dynamics** ``(r, s', d) | (s, a)``: error of the generated ``s'`` against the simulator's, per
   observation factor (RMSE over the factor's dims, and the same for the trivial guess ``s' = s``, a
   reference every useful model must beat), reward MAE, terminal accuracy;
2. **policy** ``a | s``: RMSE of the generated action against the (noisy) expert's action in the same
   state (the simulator cannot be set to an arbitrary state, so the action is not executed here); with
   ``--policy-draws K`` > 1 also the RMSE of the mean of K draws per state (its bias, plus 1/K of its spread)
   and the spread of the draws within a state (the expert's own action noise is 0.1 per dimension);
3. **model-mode env** (:class:`~compogen.generator.model_env.ModelEnv`): the expert's actions replayed in the
   model and in the simulator from the same initial state; the number of steps until the model's
   object position is more than ``--tol`` away from the simulator's (median over episodes).
4. with ``--policy-episodes E``: the generator **as a policy in the simulator**: from the task's reset, every
   step's action is drawn from ``a | s`` given the simulator's current state and executed there; the success
   rate over E episodes (the noisy expert reaches 0.99-1.0 on these tasks, ``builtin_experts.md``).

    python benchmarks/bench_conditional.py --model /tmp/cg/mlp-laptop-5000-s0 --out benchmarks/results/conditional.md
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from
#: Reconstruction-guidance weights compared for the dynamics (0: replacement only).
GUIDANCE = (0.0, 1.0)


def replay_divergence(gen, suite, task, episodes: int, tol: float, seed: int) -> list[int]:
    """Steps each expert episode's object position stays within ``tol`` of the simulator's in the model."""
    from compogen.generator.model_env import ModelEnv

    obj = suite.observation_layout.factor("object")
    pos = slice(obj.start, obj.start + 2)  # the object's position (x, z on the built-in suite)
    menv = ModelEnv(gen, task, suite=suite, sampler="fast", steps=20)
    sim, expert = suite.make_env(task), suite.expert(task)
    out = []
    for e in range(episodes):
        m_obs, _ = menv.reset(seed=seed + e)
        s_obs, _ = sim.reset(seed=menv.reset_seed)  # the simulator starts where the model starts
        assert np.array_equal(m_obs, s_obs)
        expert.reset()
        n = 0
        for _ in range(suite.horizon):
            a = expert.act(s_obs)
            m_obs, _, m_term, m_trunc, _ = menv.step(a)
            s_obs, _, s_term, s_trunc, _ = sim.step(a)
            if np.abs(m_obs[pos] - s_obs[pos]).max() > tol:
                break
            n += 1
            if s_term or s_trunc or m_term or m_trunc:
                break
        out.append(n)
    sim.close()
    menv.close()
    return out


def policy_success(gen, suite, task, episodes: int, sampler_steps: int, seed: int) -> float:
    """Success rate of the generator's ``a | s`` executed in the simulator, closed loop, over ``episodes`` episodes
    (env seeds ``seed + e``); each call draws fresh noise (disjoint row indices)."""
    from compogen.rl.evaluate import evaluate_many, make_eval_envs

    calls = itertools.count()

    def act(obs):  # [1, n, obs_dim] -> [1, n, action_dim]
        n = obs.shape[1]
        return gen.sample_given(task, obs[0], steps=sampler_steps, seed=seed, index=np.arange(n) + next(calls) * n).actions[None]

    envs = make_eval_envs(suite, task, episodes)
    try:
        return evaluate_many([envs], act, episodes, [seed], suite.horizon)[0].success_rate
    finally:
        envs.close()


def main(argv=None) -> None:
    from report import command, emit

    from compogen.generator import Generator
    from compogen.rl import expert_transitions
    from compogen.suites import get_suite

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--train-tasks", default="iiwa:train14")
    ap.add_argument("--heldout-tasks", default="iiwa:test")
    ap.add_argument("--rows", type=int, default=128, help="real transitions per task")
    ap.add_argument("--replays", type=int, default=3, help="model-env replays per task (0: none)")
    ap.add_argument("--policy-draws", type=int, default=1, help="actions drawn per real state (> 1: bias and spread)")
    ap.add_argument("--tol", type=float, default=0.05, help="object-factor divergence threshold (m)")
    ap.add_argument("--policy-episodes", type=int, default=0, help="episodes of the generator's a | s executed in the simulator (0: none)")
    ap.add_argument("--sampler-steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    gen = Generator.load(args.model)
    suite = get_suite(gen.config["suite"])
    factors = suite.observation_layout.factors
    rows, t0 = [], time.perf_counter()
    for group, spec in (("training", args.train_tasks), ("held-out", args.heldout_tasks)):
        for i, task in enumerate(suite.tasks(spec)):
            real = expert_transitions(suite, task, args.rows, noise=0.1, seed=10_000 + i)
            pick = np.random.default_rng(i).choice(len(real), size=min(args.rows, len(real)), replace=False)
            real = real.subset(np.sort(pick))
            row = {"group": group, "task": suite.task_id(task)}
            for g in GUIDANCE:
                dyn = gen.sample_given(task, real.observations, real.actions, steps=args.sampler_steps, seed=i, guidance=g)
                for f in factors:
                    sl = slice(f.start, f.stop)
                    row[f"rmse_{f.name}_g{g}"] = float(np.sqrt(((dyn.next_observations[:, sl] - real.next_observations[:, sl]) ** 2).mean()))
                row[f"reward_mae_g{g}"] = float(np.abs(dyn.rewards - real.rewards).mean())
                row[f"terminal_acc_g{g}"] = float((dyn.terminals == real.terminals).mean())
            for f in factors:
                sl = slice(f.start, f.stop)
                row[f"rmse0_{f.name}"] = float(np.sqrt(((real.observations[:, sl] - real.next_observations[:, sl]) ** 2).mean()))
            row["terminal_real"] = int(real.terminals.sum())
            # policy: actions generated given the real states, against the expert's (not executed: see the docstring)
            draws = np.stack(
                [
                    gen.sample_given(task, real.observations, steps=args.sampler_steps, seed=10_000 + i + 1_000_000 * k).actions
                    for k in range(args.policy_draws)
                ]
            )
            row["policy_action_rmse"] = float(np.sqrt(((draws[0] - real.actions) ** 2).mean()))
            if args.policy_draws > 1:
                row["policy_mean_rmse"] = float(np.sqrt(((draws.mean(0) - real.actions) ** 2).mean()))
                row["policy_spread"] = float(np.sqrt(draws.var(0, ddof=1).mean()))
            if args.policy_episodes:
                row["policy_success"] = policy_success(gen, suite, task, args.policy_episodes, args.sampler_steps, seed=20_000 + 1_000 * i)
            row["replay_steps"] = replay_divergence(gen, suite, task, args.replays, args.tol, seed=i) if args.replays else []
            rows.append(row)
            print(
                f"{group} {row['task']}: s' rmse object {row['rmse_object_g1.0']:.4f} (copy {row['rmse0_object']:.4f}),"
                f" proprio {row['rmse_proprio_g1.0']:.4f} / {row['rmse_proprio_g0.0']:.4f} unguided (copy {row['rmse0_proprio']:.4f}),"
                f" reward mae {row['reward_mae_g1.0']:.3f}, replay {row['replay_steps']} ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    info = gen.info()
    lines = [
        "# Conditional sampling against the simulator: dynamics, policy and model-env replays",
        "",
        command(__file__, argv),
        "",
        f"- generator `{args.model}` ({info['arch']}, {info['preset']}, step {info['step']}); sampler fast, {args.sampler_steps} steps;"
        + (" learnt conditionals (trained with conditioning masks; guidance unused)" if gen.mask_trained else " inpainting"),
        f"- per task {args.rows} real expert transitions (noise 0.1); replays: {args.replays} expert episodes, object within {args.tol} m",
        f"- machine {platform.machine()}, {args.threads} threads, torch {torch.__version__}",
        "",
        "Given the real (s, a): RMSE of the generated s' per factor (model / the copy-s reference), reward MAE and terminal"
        " accuracy, by reconstruction-guidance weight (0: replacement only). Then the generated action given s against the"
        " expert's, and the model-env replays (guidance 1):",
        "",
        "| tasks | guidance | n | " + " | ".join(f"{f.name} s' (model / copy)" for f in factors) + " | reward MAE | terminal acc |",
        "|---|---:|---:|" + "---|" * len(factors) + "---:|---:|",
    ]
    for group in ("training", "held-out"):
        g = [r for r in rows if r["group"] == group]
        if not g:
            continue
        for gw in GUIDANCE:
            cells = [f"{np.mean([r[f'rmse_{f.name}_g{gw}'] for r in g]):.4f} / {np.mean([r[f'rmse0_{f.name}'] for r in g]):.4f}" for f in factors]
            lines.append(
                f"| {group} | {gw} | {len(g)} | {' | '.join(cells)} | {np.mean([r[f'reward_mae_g{gw}'] for r in g]):.3f} |"
                f" {np.mean([r[f'terminal_acc_g{gw}'] for r in g]):.3f} |"
            )
    k = args.policy_draws
    extra = f" RMSE of the mean of {k} draws | spread of the draws in a state |" if k > 1 else ""
    if args.policy_episodes:
        extra += (
            f" success of the action drawn given s, executed in the simulator ({args.policy_episodes} episodes per task; tasks above tau0 = {TAU0}) |"
        )
    lines += [
        "",
        f"| tasks | generated-action RMSE against the expert's |{extra} replay steps before divergence (median [quartiles]) |",
        "|---|---:|" + ("---:|---:|" if k > 1 else "") + ("---:|" if args.policy_episodes else "") + "---|",
    ]
    for group in ("training", "held-out"):
        g = [r for r in rows if r["group"] == group]
        if g:
            steps = [s for r in g for s in r["replay_steps"]]
            q1, q2, q3 = np.percentile(steps, [25, 50, 75]) if steps else (np.nan,) * 3
            cells = f" {np.mean([r['policy_mean_rmse'] for r in g]):.3f} | {np.mean([r['policy_spread'] for r in g]):.3f} |" if k > 1 else ""
            if args.policy_episodes:
                ps = [r["policy_success"] for r in g]
                cells += f" {np.mean(ps):.3f} ({sum(x > TAU0 for x in ps)} of {len(ps)}) |"
            replay = f"{q2:.0f} [{q1:.0f}, {q3:.0f}]" if steps else "–"
            lines.append(f"| {group} | {np.mean([r['policy_action_rmse'] for r in g]):.3f} |{cells} {replay} |")
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
