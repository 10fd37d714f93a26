"""Actions at the clip, real against generated, per arm (how often each action dimension sits at +-1), and the
expert episodes' lengths.

    python benchmarks/bench_action_stats.py --pairs FiveLink=/tmp/fid-fivelink,ThreeLink=/tmp/fid-threelink \\
        --model mlp-laptop-5000-s0 --out benchmarks/results/action_stats.md

Reads what ``bench_generator_fidelity.py`` left in each ``--work`` folder (the expert data of the training tasks
under ``data/`` and the generator's ``samples-*.h5`` under ``--model``); trains and validates nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _episode_lengths(data) -> np.ndarray:
    """Lengths of the episodes of an expert file (:func:`~compogen.data.minari_io.episode_bounds`)."""
    from compogen.data.minari_io import episode_bounds

    bounds = episode_bounds(data)
    if bounds is None:
        raise SystemExit("error: the expert data's rows are not episodes")
    return np.array([b.stop - b.start for b in bounds])


def main(argv=None) -> None:
    from report import command, emit

    from compogen.data import read_offline_dataset, read_synthetic

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", required=True, help="comma list of ARM=WORK folders")
    ap.add_argument("--model", default="mlp-laptop-5000-s0", help="the generator's folder inside each WORK")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    lines = ["# Actions at the clip (|a| >= 0.999), real against generated, per action dimension", "", command(__file__, argv), ""]
    rows = []
    for pair in args.pairs.split(","):
        arm, _, work = pair.partition("=")
        files = sorted(Path(work, "data").rglob(f"{arm}_*/data.hdf5"))
        samples = sorted(Path(work, args.model).glob("samples-*.h5"))
        if not files or not samples:
            raise SystemExit(f"error: no expert data or samples of {arm} in {work}")
        expert = [read_offline_dataset(f) for f in files]
        real = np.concatenate([d.actions for d in expert])
        gen = np.concatenate([read_synthetic(f).actions for f in samples])
        lengths = np.concatenate([_episode_lengths(d) for d in expert])
        for name, a in (("real", real), ("generated", gen)):
            rows.append(
                {
                    "arm": arm,
                    "data": name,
                    "rows": len(a),
                    "at_clip": (np.abs(a) >= 0.999).mean(0).round(3).tolist(),
                    "mean_abs": np.abs(a).mean(0).round(3).tolist(),
                }
            )
        rows[-2]["episode_lengths"] = {"episodes": len(lengths), "mean": float(lengths.mean()), "p90": float(np.percentile(lengths, 90))}
    dims = len(rows[0]["at_clip"])
    lines += [
        "| arm | data | rows | "
        + " | ".join(f"a{i} at clip" for i in range(dims))
        + " | "
        + " | ".join(f"a{i} mean abs" for i in range(dims))
        + " |",
        "|---|---|---:|" + "---:|" * (2 * dims),
    ]
    for r in rows:
        lines.append(f"| {r['arm']} | {r['data']} | {r['rows']} | " + " | ".join(f"{x:.3f}" for x in r["at_clip"] + r["mean_abs"]) + " |")
    lines += ["", "Expert episodes (real data):", "", "| arm | episodes | mean length | 90th percentile |", "|---|---:|---:|---:|"]
    for r in rows:
        if "episode_lengths" in r:
            e = r["episode_lengths"]
            lines.append(f"| {r['arm']} | {e['episodes']} | {e['mean']:.1f} | {e['p90']:.0f} |")
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
