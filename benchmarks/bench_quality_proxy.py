"""Interaction-free data quality: which simulator-free score predicts the validator's success? (issue 19 §3)

Every ``(generator, task)`` dataset of ``bench_zero_shot`` runs (their JSON names the runs and holds the
validator's success; the synthetic files lie in ``--work``) gets scores computed from the data and the
generator alone (:mod:`compogen.validation.proxy`), no simulator:

- ``success_rows``: the fraction of transitions that pay the success reward (after ``conform`` a generated
  reward is exactly 1 only where the generator put it in the success band);
- ``terminal_rows``: the fraction flagged terminal;
- ``mean_reward``;
- ``consistency`` (with ``--consistency N``): minus the RMS gap, in the generator's normalised units, between
  the file's ``s'`` and a fresh ``s'`` given the file's ``(s, a)`` (conditional sampling), on N rows.
- ``disagreement`` (with ``--disagreement``): minus the distance between the file's actions and the mean action of
  the nearest states in the same task's files of the entry's other seeds (needs several seeds per entry).

Reported: Spearman rank correlation of each score with the validator's success over all datasets; and for
the best score, "validate only datasets scoring at least x": the validations (simulator steps) saved and
the admitted datasets (success > τ0) lost, per threshold.

    python benchmarks/bench_quality_proxy.py --runs benchmarks/results/zero_shot_race.json --work /tmp/cg \\
        --out benchmarks/results/quality_proxy.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from


def main(argv=None) -> None:
    from bench_zero_shot import model_dir
    from report import command, emit

    from compogen.data import read_synthetic
    from compogen.generator import Generator
    from compogen.suites import get_suite
    from compogen.validation.proxy import SCORES, consistency, data_scores, disagreement, spearman

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="bench_zero_shot result JSON")
    ap.add_argument("--work", default="/tmp/compogen-zero-shot")
    ap.add_argument("--consistency", type=int, default=0, help="rows per dataset for the consistency score (0: off)")
    ap.add_argument(
        "--disagreement", action="store_true", help="also score each dataset against the same task's datasets of the other seeds of its entry"
    )
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    suite = get_suite("builtin")
    runs = json.loads(Path(args.runs).read_text())["runs"]

    def read(run: dict, task: str):
        files = sorted(model_dir(Path(args.work), run["spec"], run["seed"]).glob(f"zs-{task}-*.h5"))
        return read_synthetic(files[0], task=suite.parse(task)) if files else None

    rows = []
    for run in runs:
        gen = Generator.load(model_dir(Path(args.work), run["spec"], run["seed"])) if args.consistency else None
        peers = [r for r in runs if r["spec"] == run["spec"] and r["seed"] != run["seed"]]
        for task, success in run["success"].items():
            data = read(run, task)
            if data is None:
                continue
            name = f"{run['label']} s{run['seed']}"
            row = {"run": name, "task": task, "success": success, **data_scores(data)}
            if gen is not None:
                row["consistency"] = consistency(gen, task, data, args.consistency, seed=0)
            if args.disagreement:
                others = [d for d in (read(r, task) for r in peers) if d is not None]
                if not others:
                    raise SystemExit(f"error: --disagreement needs another seed of {run['spec']} with samples of {task}")
                row["disagreement"] = disagreement(data, others)
            rows.append(row)
        print(f"{run['label']} seed {run['seed']}: {len(run['success'])} tasks", flush=True)
    names = [k for k in (*SCORES, "consistency", "disagreement") if k in rows[0]]
    succ = np.array([r["success"] for r in rows])
    rho = {k: spearman(np.array([r[k] for r in rows]), succ) for k in names}
    best = max(rho, key=lambda k: rho[k])
    score = np.array([r[best] for r in rows])
    admitted = succ > TAU0
    lines = [
        "# Interaction-free data quality: simulator-free scores against the validator's success",
        "",
        command(__file__, argv),
        "",
        f"- {len(rows)} datasets (generator x held-out task) from `{args.runs}`: {len({r['run'] for r in rows})} generators;"
        f" {int(admitted.sum())} pass τ0 = {TAU0}",
        "",
        "| score | Spearman ρ with validator success |",
        "|---|---:|",
        *[f"| `{k}` | {rho[k]:+.3f} |" for k in names],
        "",
        f"Validate only the datasets whose `{best}` is at least x (the others are skipped: no simulator steps):",
        "",
        "| x | validations skipped | admitted datasets lost | skipped datasets that would have failed |",
        "|---:|---:|---:|---:|",
    ]
    for q in (0.1, 0.2, 0.3, 0.4, 0.5):
        x = float(np.quantile(score, q))
        skip = score < x
        lost = int((skip & admitted).sum())
        prec = float((~admitted[skip]).mean()) if skip.any() else float("nan")
        lines.append(
            f"| {x:.4f} (quantile {q:.1f}) | {int(skip.sum())} of {len(rows)} ({skip.mean():.0%}) | {lost} of {int(admitted.sum())} | {prec:.0%} |"
        )
    safe = score[admitted].min() if admitted.any() else float("nan")
    lines += [
        "",
        f"The largest x that loses no admitted dataset: {safe:.4f}, skipping {int((score < safe).sum())} of {len(rows)} validations"
        f" ({(score < safe).mean():.0%} of the simulator steps at equal admitted datasets).",
    ]
    emit(lines, args.out, {"spearman": rho, "rows": rows})


if __name__ == "__main__":
    main()
