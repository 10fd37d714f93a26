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


def _actions(files: list[Path]) -> np.ndarray:
    import h5py

    if not files:
        raise SystemExit("error: no data files found")
    parts = []
    for f in files:
        with h5py.File(f, "r") as h:
            parts.append(h["actions"][:])
    return np.concatenate(parts)


def _episode_lengths(files: list[Path]) -> np.ndarray:
    import h5py

    out = []
    for f in files:
        with h5py.File(f, "r") as h:
            ends = np.flatnonzero(h["terminals"][:].astype(bool) | h["timeouts"][:].astype(bool))
        out.append(np.diff(np.r_[-1, ends]))
    return np.concatenate(out)


def main(argv=None) -> None:
    from report import command, emit

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
        real = _actions(files)
        lengths = _episode_lengths(files)
        gen = _actions(sorted(Path(work, args.model).glob("samples-*.h5")))
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
