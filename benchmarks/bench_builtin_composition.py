"""Does composition matter on the built-in suite? Multi-task behaviour cloning, train vs held-out tasks.

    python benchmarks/bench_builtin_composition.py [--episodes 100] [--noise 0.1] [--steps 15000]

1. Collects noisy expert data (``compogen collect`` code path) for the 14 tasks of
   ``iiwa:train14`` mapped to the built-in suite (first arm, FiveLink), into --data.
2. Trains one MLP policy (obs incl. the 16-dim task id -> action, MSE) on all 14 tasks.
3. Evaluates it (no noise) on the 14 training tasks and on the 32 tasks of ``iiwa:test``
   (same arm, unseen object/obstacle/objective combinations).

Writes benchmarks/results/builtin_composition.md and .json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from multitask_bc import evaluate, train_multitask_bc  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _collect(args) -> dict:
    from compogen.rl.rollout import CollectConfig, collect_task
    from compogen.suites import get_suite

    task_id, path, episodes, noise, seed = args
    suite = get_suite("builtin")
    return collect_task(suite, suite.parse(task_id), path, CollectConfig(episodes, noise, seed, overwrite=True))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--episodes", type=int, default=100, help="expert episodes per training task")
    p.add_argument("--noise", type=float, default=0.1)
    p.add_argument("--steps", type=int, default=15000, help="gradient steps")
    p.add_argument("--eval-episodes", type=int, default=20)
    p.add_argument("--data", default="/tmp/compogen_bench_builtin_composition")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    from compogen.data import dataset_path, load_pool
    from compogen.suites import get_suite

    suite = get_suite("builtin")
    train, test = suite.tasks("iiwa:train14"), suite.tasks("iiwa:test")
    t0 = time.perf_counter()
    jobs = [(suite.task_id(t), str(dataset_path(args.data, t, suite.space)), args.episodes, args.noise, args.seed) for t in train]
    with ProcessPoolExecutor(args.workers) as pool:
        collected = list(pool.map(_collect, jobs))
    t_collect = time.perf_counter() - t0
    pool_data = load_pool(args.data, train, suite)
    t1 = time.perf_counter()
    policy, final_loss = train_multitask_bc(pool_data, args.steps, seed=args.seed)
    t_train = time.perf_counter() - t1
    t2 = time.perf_counter()
    train_sr = {suite.task_id(t): evaluate(suite, policy, t, args.eval_episodes) for t in train}
    test_sr = {suite.task_id(t): evaluate(suite, policy, t, args.eval_episodes) for t in test}
    t_eval = time.perf_counter() - t2
    res = {
        "train_tasks": len(train),
        "test_tasks": len(test),
        "transitions": len(pool_data),
        "expert_data_success": float(np.mean([c["success_rate"] for c in collected])),
        "bc_train_success": float(np.mean(list(train_sr.values()))),
        "bc_heldout_success": float(np.mean(list(test_sr.values()))),
        "final_loss": final_loss,
        "seconds": {"collect": t_collect, "train": t_train, "eval": t_eval},
        "args": vars(args),
        "per_task_train": train_sr,
        "per_task_heldout": test_sr,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "builtin_composition.json").write_text(json.dumps(res, indent=2) + "\n")
    lines = [
        "# Built-in suite: composition matters (multi-task BC, iiwa:train14 -> iiwa:test, arm FiveLink)",
        "",
        f"Command: `python benchmarks/bench_builtin_composition.py --episodes {args.episodes} --noise {args.noise} "
        f"--steps {args.steps} --eval-episodes {args.eval_episodes}`",
        "",
        f"- expert data: {len(train)} tasks x {args.episodes} episodes, action noise {args.noise}, "
        f"{len(pool_data)} transitions, data success {res['expert_data_success']:.3f}",
        f"- MLP 3x256 on the full observation (task id included), MSE, {args.steps} steps, batch 256; final loss {final_loss:.4f}",
        f"- **BC success on the 14 training tasks: {res['bc_train_success']:.3f}**",
        f"- **BC success on the 32 held-out tasks: {res['bc_heldout_success']:.3f}**",
        f"- time: collect {t_collect:.0f} s, train {t_train:.0f} s, eval {t_eval:.0f} s ({args.eval_episodes} episodes per task)",
        "",
        "| task | split | BC success |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | train | {v:.2f} |" for k, v in train_sr.items()]
    lines += [f"| {k} | held-out | {v:.2f} |" for k, v in test_sr.items()]
    (RESULTS / "builtin_composition.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:9]))


if __name__ == "__main__":
    main()
