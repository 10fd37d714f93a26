"""Speed of the built-in suite on one core: single-env steps/s, vector-env steps/s, reset time.

    /work/venv/bin/python benchmarks/bench_builtin_speed.py [--steps 20000]

Random actions; episodes reset when they end. Writes benchmarks/results/builtin_speed.md.
Rates are steps per second of this process's CPU time (``time.process_time``), i.e. per
core, so that other jobs sharing the machine do not distort them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
TASKS = [
    "fivelink-box-none-pickplace",
    "threelink-dumbbell-objectdoor-shelf",
    "fourlink-plate-goalwall-push",
    "sixlink-hollowbox-objectwall-trashcan",
]


def single(suite, task: str, steps: int) -> tuple[float, float]:
    env = suite.make_env(task)
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, size=(steps, suite.action_dim)).astype(np.float32)
    env.reset(seed=0)
    t0 = time.process_time()
    for a in actions:
        _, _, term, trunc, _ = env.step(a)
        if term or trunc:
            env.reset()
    sps = steps / (time.process_time() - t0)
    n = 300
    t0 = time.process_time()
    for i in range(n):
        env.reset(seed=i)
    return sps, (time.process_time() - t0) / n


def vector(suite, task: str, steps: int, num_envs: int) -> float:
    venv = suite.make_vector_env(task, num_envs)
    venv.reset(seed=0)
    rng = np.random.default_rng(0)
    iters = max(1, steps // num_envs)
    actions = rng.uniform(-1, 1, size=(iters, num_envs, suite.action_dim)).astype(np.float32)
    t0 = time.process_time()
    for a in actions:
        venv.step(a)
    return iters * num_envs / (time.process_time() - t0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--num-envs", type=int, default=16)
    args = p.parse_args()
    from compogen.suites import get_suite

    suite = get_suite("builtin")
    rows = []
    for task in TASKS:
        sps, reset_s = single(suite, task, args.steps)
        vsps = vector(suite, task, args.steps, args.num_envs)
        vsps_big = vector(suite, task, args.steps, 4 * args.num_envs)
        sync = suite.__class__.__mro__[1].make_vector_env(suite, task, args.num_envs)  # gymnasium SyncVectorEnv reference
        sync.reset(seed=0)
        rng = np.random.default_rng(0)
        iters = max(1, args.steps // (4 * args.num_envs))
        t0 = time.process_time()
        for _ in range(iters):
            sync.step(rng.uniform(-1, 1, size=(args.num_envs, suite.action_dim)).astype(np.float32))
        ssps = iters * args.num_envs / (time.process_time() - t0)
        rows.append((task, sps, reset_s * 1e3, vsps, vsps_big, ssps))
        print(rows[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Built-in suite: speed on one core",
        "",
        f"Command: `python benchmarks/bench_builtin_speed.py --steps {args.steps} --num-envs {args.num_envs}`",
        f"(one process, rates per second of process CPU time; {os.cpu_count()} logical cores shared with other jobs; random actions).",
        "Reference in the same run: gymnasium SyncVectorEnv over the same single envs.",
        "CompoSuite (robosuite) on this machine: ~125-160 steps/s (issue text).",
        "",
        f"| task | single env steps/s | reset ms | BuiltinVectorEnv({args.num_envs}) steps/s | "
        f"BuiltinVectorEnv({4 * args.num_envs}) steps/s | SyncVectorEnv({args.num_envs}) steps/s |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {t} | {a:.0f} | {b:.2f} | {c:.0f} | {e:.0f} | {d:.0f} |" for t, a, b, c, e, d in rows]
    arr = np.array([r[1:] for r in rows])
    lines += [
        "",
        f"Mean: single {arr[:, 0].mean():.0f} steps/s, reset {arr[:, 1].mean():.2f} ms, "
        f"vector({args.num_envs}) {arr[:, 2].mean():.0f} steps/s, vector({4 * args.num_envs}) {arr[:, 3].mean():.0f} steps/s, "
        f"sync-vector({args.num_envs}) {arr[:, 4].mean():.0f} steps/s.",
        "",
        f"Load average during the run: {os.getloadavg()[0]:.1f} (2 cores shared with other engineers' jobs).",
    ]
    (RESULTS / "builtin_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
