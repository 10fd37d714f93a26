"""Load time and peak memory of CompoSuite-format datasets (issue: foundation, §4).

Writes ``--tasks`` files of ``--rows`` transitions each in the layout of the
CompoSuite offline datasets (no ``next_observations`` key, 500-step episodes),
then loads them with :func:`compogen.data.load_pool` in a fresh process and
reports wall time and peak RSS growth against the float32 size of the result.

    python benchmarks/bench_data_load.py --rows 1000000 --tasks 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np


def write_file(path: Path, rows: int, task_block: np.ndarray, horizon: int = 500, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        obs = f.create_dataset("observations", (rows, 93), np.float32, chunks=(4096, 93))
        for a in range(0, rows, 100_000):
            b = min(a + 100_000, rows)
            x = rng.standard_normal((b - a, 93), dtype=np.float32)
            x[:, 45:61] = task_block
            obs[a:b] = x
        f["actions"] = rng.uniform(-1, 1, (rows, 8)).astype(np.float32)
        f["rewards"] = rng.uniform(0, 1, rows).astype(np.float32)
        f["successes"] = np.zeros(rows, bool)
        ends = (np.arange(rows) % horizon) == horizon - 1
        f["terminals"] = np.zeros(rows, bool)
        f["timeouts"] = ends


def child(root: str, n_tasks: int) -> None:
    from compogen.data import load_pool  # imported before the baseline is taken
    from compogen.suites import get_suite

    suite = get_suite("composuite")
    tasks = suite.tasks("iiwa:train14")[:n_tasks]
    base = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")  # current RSS, not the peak
    t0 = time.perf_counter()
    pool = load_pool(root, tasks, suite)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result = sum(getattr(pool, k).nbytes for k in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts", "task_index"))
    f32 = len(pool) * (2 * 93 + 8 + 1 + 1) * 4
    print(
        json.dumps(
            {
                "transitions": len(pool),
                "seconds": dt,
                "peak_rss_growth_bytes": peak - base,
                "result_bytes": result,
                "float32_result_bytes": f32,
                "peak_over_result": (peak - base) / result,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--tasks", type=int, default=1)
    ap.add_argument("--out", default="benchmarks/results/data_load.json")
    ap.add_argument("--child", default=None)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.tasks)
        return
    from compogen.suites import get_suite

    suite = get_suite("composuite")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for i, task in enumerate(suite.tasks("iiwa:train14")[: args.tasks]):
            block = suite.observation_layout.obs_task_block(suite.space.indicator(task), suite.space)
            write_file(Path(tmp) / "expert" / suite.space.folder_name(task) / "data.hdf5", args.rows, block, seed=i)
        write_s = time.perf_counter() - t0
        r = subprocess.run([sys.executable, __file__, "--child", tmp, "--tasks", str(args.tasks)], capture_output=True, text=True, check=True)
        res = json.loads(r.stdout.strip().splitlines()[-1])
    res.update(rows_per_task=args.rows, tasks=args.tasks, write_seconds=write_s)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2) + "\n")
    gb = 1024**3
    print(
        f"{res['transitions']:,} transitions from {args.tasks} file(s): load {res['seconds']:.1f} s, "
        f"peak RSS growth {res['peak_rss_growth_bytes'] / gb:.2f} GiB for a {res['result_bytes'] / gb:.2f} GiB result "
        f"(ratio {res['peak_over_result']:.2f})"
    )


if __name__ == "__main__":
    main()
