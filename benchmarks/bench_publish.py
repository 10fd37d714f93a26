"""Publishing synthetic data as Minari datasets: publish time, load time and disk size.

    python benchmarks/bench_publish.py [--sizes 10000,100000] [--one-step-sizes 10000] [--episode-length 200] [--repeats 3]

For each size: episodes of --episode-length steps (the built-in suite's horizon), published
as Minari episodes (layout "episodes", what `compogen publish` writes for episodic data) and,
for --one-step-sizes, the same rows as independent transitions, one per Minari episode
(layout "transitions"). Reference in the same run: the same transitions written to and read
from compogen's synthetic .h5 file.
"publish" = compogen.publish (checks, staging, Minari storage, rename); "load" =
minari.load_dataset + every episode read into exact Transitions (compogen.rl.to_d4rl).
Built-in suite sizes: 48-dim observations, 7-dim actions. Times: median of --repeats.
Writes benchmarks/results/publish.md and publish.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
TASK = "fivelink-plate-none-shelf"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _episodes(n: int, length: int):
    """``n`` rows of chained episodes of ``length`` steps (the last one shorter if need be), each ending
    in a timeout: random values with the built-in suite's shapes."""
    from compogen.data import Transitions

    rng = np.random.default_rng(0)
    starts = np.arange(0, n, length)
    obs = rng.normal(size=(n + len(starts), 48)).astype(np.float32)
    rows = np.arange(n) + np.searchsorted(starts, np.arange(n), side="right") - 1  # episode e's rows skip e final observations
    timeouts = np.zeros(n, bool)
    timeouts[np.minimum(starts + length, n) - 1] = True
    return Transitions(
        obs[rows], rng.uniform(-1, 1, (n, 7)).astype(np.float32), rng.uniform(size=n).astype(np.float32), obs[rows + 1], np.zeros(n, bool), timeouts
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--one-step-sizes", default="10000")
    p.add_argument("--episode-length", type=int, default=200)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    work = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    os.environ["MINARI_DATASETS_PATH"] = str(work / "minari")

    from compogen.data import read_synthetic, write_synthetic
    from compogen.publish import publish
    from compogen.rl import to_d4rl

    rows = []
    sizes = [int(s) for s in args.sizes.split(",") if s]
    one_step = {int(s) for s in args.one_step_sizes.split(",") if s}
    try:
        for n in sizes:
            data = _episodes(n, args.episode_length)
            raw = sum(getattr(data, k).nbytes for k in ("observations", "actions", "rewards", "next_observations", "terminals"))
            h5 = work / f"s{n}.h5"
            w = _median_time(lambda: write_synthetic(h5, data), args.repeats)
            r = _median_time(lambda: read_synthetic(h5), args.repeats)
            rows.append({"n": n, "layout": "synthetic .h5 (reference)", "publish_s": w, "load_s": r, "bytes": h5.stat().st_size, "raw_bytes": raw})
            for layout in ["episodes"] + (["transitions"] if n in one_step else []):
                dataset_id = f"bench/n{n}-{layout}-v0"
                reps = args.repeats if layout == "episodes" else 1
                pub = _median_time(lambda: publish(data, TASK, dataset_id=dataset_id, overwrite=True, layout=layout), reps)
                got: dict = {}
                load = _median_time(lambda: got.update(to_d4rl(dataset_id)), reps)
                assert np.array_equal(got["next_observations"], data.next_observations)
                size = _size(work / "minari" / dataset_id)
                label = f"Minari, episodes of {args.episode_length} steps" if layout == "episodes" else "Minari, 1 transition per episode"
                rows.append({"n": n, "layout": label, "publish_s": pub, "load_s": load, "bytes": size, "raw_bytes": raw})
                print(f"{n:>7} {label:<40} publish {pub:7.2f} s  load {load:7.2f} s  {size / 1e6:8.1f} MB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "publish.json").write_text(json.dumps(rows, indent=1) + "\n")
    ref = {r["n"]: r for r in rows if "reference" in r["layout"]}
    lines = [
        "# Publishing synthetic data as Minari datasets",
        "",
        f"Command: `python benchmarks/bench_publish.py --sizes {args.sizes} --one-step-sizes {args.one_step_sizes} --episode-length {args.episode_length} --repeats {args.repeats}`",
        "",
        "Built-in suite shapes (48-dim observations, 7-dim actions), minari 0.5.4 HDF5 backend, 2-core machine.",
        "publish = `compogen.publish` (checks, hidden staging folder, Minari storage, rename); load = `minari.load_dataset`",
        "+ every episode read into exact transitions (`compogen.rl.to_d4rl`). Ratios against compogen's own synthetic",
        "`.h5` file of the same transitions, written and read in the same run. Medians of the repeats (one run for the one-step layout).",
        "",
        "| transitions | layout | publish s | load s | disk MB | bytes/transition | publish / .h5 | load / .h5 | disk / raw arrays |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b = ref[r["n"]]
        lines.append(
            f"| {r['n']:,} | {r['layout']} | {r['publish_s']:.2f} | {r['load_s']:.2f} | {r['bytes'] / 1e6:.1f} | {r['bytes'] / r['n']:.0f} | "
            f"{r['publish_s'] / b['publish_s']:.1f}x | {r['load_s'] / b['load_s']:.1f}x | {r['bytes'] / r['raw_bytes']:.2f} |"
        )
    (RESULTS / "publish.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
