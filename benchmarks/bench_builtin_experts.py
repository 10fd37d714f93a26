"""Expert and random-policy success of the built-in suite over seeded episodes, for all 256 tasks.

    /work/venv/bin/python benchmarks/bench_builtin_experts.py [--episodes 50] [--workers 2] [--tasks all]

Writes benchmarks/results/builtin_experts.md (full table + summary) and builtin_experts.csv.
Expert episodes use seeds 0..E-1 without action noise; the random policy (uniform
actions) uses the same env seeds.
"""

from __future__ import annotations

import argparse
import csv
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def run_task(args: tuple[str, int, int]) -> dict:
    task_id, episodes, random_episodes = args
    from compogen.suites import get_suite
    from compogen.suites.base import SUCCESS_REWARD

    suite = get_suite("builtin")
    env = suite.make_env(task_id)
    expert = suite.expert(task_id)
    wins, lengths, returns = 0, [], []
    for e in range(episodes):
        obs, _ = env.reset(seed=e)
        expert.reset()
        ret = 0.0
        for t in range(suite.horizon):  # noqa: B007 -- t is read after the loop (episode length)
            obs, r, term, trunc, info = env.step(expert.act(obs))
            ret += r
            if term or trunc:
                break
        wins += int(r >= SUCCESS_REWARD)  # the library's definition (the episode ends on success)
        lengths.append(t + 1)
        returns.append(ret)
    rng = np.random.default_rng(0)
    rwins, rreturns = 0, []
    for e in range(random_episodes):
        env.reset(seed=e)
        ret = 0.0
        for _ in range(suite.horizon):
            obs, r, term, trunc, info = env.step(rng.uniform(-1, 1, suite.action_dim))
            ret += r
            if term or trunc:
                break
        rwins += int(r >= SUCCESS_REWARD)
        rreturns.append(ret)
    return {
        "task": task_id,
        "expert_success": wins / episodes,
        "mean_length": float(np.mean(lengths)),
        "random_success": rwins / max(random_episodes, 1),
        "expert_return": float(np.mean(returns)),
        "random_return": float(np.mean(rreturns)) if rreturns else float("nan"),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--episodes", type=int, default=50)
    p.add_argument("--random-episodes", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tasks", default="all")
    p.add_argument("--reference-out", default=None, help="also write the per-task reference returns (random, expert) to this CSV")
    args = p.parse_args()
    from tqdm import tqdm

    from compogen.suites import get_suite

    suite = get_suite("builtin")
    tasks = [suite.task_id(t) for t in suite.tasks(args.tasks)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(tqdm(pool.map(run_task, [(t, args.episodes, args.random_episodes) for t in tasks]), total=len(tasks)))
    elapsed = time.perf_counter() - t0
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "builtin_experts.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    if args.reference_out:  # the suite's packaged reference scores (Minari ref_min_score / ref_max_score)
        with open(args.reference_out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["task", "random_return", "expert_return", "random_episodes", "expert_episodes"])
            w.writerows([[r["task"], f"{r['random_return']:.4f}", f"{r['expert_return']:.4f}", args.random_episodes, args.episodes] for r in rows])
    es = np.array([r["expert_success"] for r in rows])
    rs = np.array([r["random_success"] for r in rows])
    lines = [
        "# Built-in suite: scripted expert success",
        "",
        f"Command: `python benchmarks/bench_builtin_experts.py --episodes {args.episodes} --random-episodes {args.random_episodes} --workers {args.workers} --tasks {args.tasks}"
        + (f" --reference-out {args.reference_out}`" if args.reference_out else "`"),
        "",
        f"- tasks: {len(rows)}; expert episodes per task: {args.episodes} (env seeds 0..{args.episodes - 1}, no action noise)",
        f"- expert success: min {es.min():.2f}, mean {es.mean():.3f}; tasks below 0.9: {int((es < 0.9).sum())}",
        f"- random-policy success ({args.random_episodes} episodes per task): mean {rs.mean():.3f}, max {rs.max():.2f}",
        f"- mean return: expert {np.mean([r['expert_return'] for r in rows]):.2f}, random {np.mean([r['random_return'] for r in rows]):.2f}",
        f"- wall time: {elapsed:.0f} s on {args.workers} processes",
        "",
        "| task | expert success | mean length | random success | expert return | random return |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['task']} | {r['expert_success']:.2f} | {r['mean_length']:.0f} | {r['random_success']:.2f} | {r['expert_return']:.2f} | {r['random_return']:.2f} |"
        for r in rows
    ]
    (RESULTS / "builtin_experts.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:8]))


if __name__ == "__main__":
    main()
