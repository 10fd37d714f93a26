"""Speed of the built-in suite on one core: single-env steps/s, vector-env steps/s, reset time.

    /work/venv/bin/python benchmarks/bench_builtin_speed.py [--steps 20000]

Random actions; episodes reset when they end. Writes benchmarks/results/builtin_speed.md.
Run with the machine otherwise idle for stable numbers (it uses one process).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
TASKS = ["fivelink-box-none-pickplace", "threelink-dumbbell-objectdoor-shelf", "fourlink-plate-goalwall-push",
         "sixlink-hollowbox-objectwall-trashcan"]


def single(suite, task: str, steps: int) -> tuple[float, float]:
    env = suite.make_env(task)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, size=(steps, suite.action_dim)).astype(np.float32)
    env.reset(seed=0)
    t0 = time.perf_counter()
    for a in actions:
        _, _, term, trunc, _ = env.step(a)
        if term or trunc:
            env.reset()
    sps = steps / (time.perf_counter() - t0)
    n = 300
    t0 = time.perf_counter()
    for i in range(n):
        env.reset(seed=i)
    return sps, (time.perf_counter() - t0) / n


def vector(suite, task: str, steps: int, num_envs: int) -> float:
    venv = suite.make_vector_env(task, num_envs)
    venv.reset(seed=0)
    rng = np.random.default_rng(0)
    iters = max(1, steps // num_envs)
    actions = rng.uniform(-1, 1, size=(iters, num_envs, suite.action_dim)).astype(np.float32)
    t0 = time.perf_counter()
    for a in actions:
        venv.step(a)
    return iters * num_envs / (time.perf_counter() - t0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--num-envs", type=int, default=16)
    args = p.parse_args()
    import torch  # noqa: F401  (not used; keep thread settings consistent with other benchmarks)

    from compogen.suites import get_suite

    suite = get_suite("builtin")
    rows = []
    for task in TASKS:
        sps, reset_s = single(suite, task, args.steps)
        vsps = vector(suite, task, args.steps, args.num_envs)
        sync = suite.__class__.__mro__[1].make_vector_env(suite, task, args.num_envs)  # gymnasium SyncVectorEnv reference
        sync.reset(seed=0)
        rng = np.random.default_rng(0)
        iters = max(1, args.steps // (4 * args.num_envs))
        t0 = time.perf_counter()
        for _ in range(iters):
            sync.step(rng.uniform(-1, 1, size=(args.num_envs, suite.action_dim)).astype(np.float32))
        ssps = iters * args.num_envs / (time.perf_counter() - t0)
        rows.append((task, sps, reset_s * 1e3, vsps, ssps))
        print(rows[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Built-in suite: speed on one core",
        "",
        f"Command: `python benchmarks/bench_builtin_speed.py --steps {args.steps} --num-envs {args.num_envs}`",
        f"(one process; CPU: {os.cpu_count()} logical cores shared with other jobs; random actions).",
        "Reference in the same run: gymnasium SyncVectorEnv over the same single envs.",
        "CompoSuite (robosuite) on this machine: ~125-160 steps/s (issue text).",
        "",
        f"| task | single env steps/s | reset ms | BuiltinVectorEnv({args.num_envs}) steps/s | SyncVectorEnv({args.num_envs}) steps/s |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {t} | {a:.0f} | {b:.2f} | {c:.0f} | {d:.0f} |" for t, a, b, c, d in rows]
    arr = np.array([r[1:] for r in rows])
    lines += ["", f"Mean: single {arr[:, 0].mean():.0f} steps/s, reset {arr[:, 1].mean():.2f} ms, "
              f"vector {arr[:, 2].mean():.0f} steps/s, sync-vector {arr[:, 3].mean():.0f} steps/s."]
    (RESULTS / "builtin_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
