"""How well can a score that knows only the task (not the dataset) predict the validator's success?

An interaction-free quality score (issue 19 §3) is asked to reach Spearman ρ >= 0.6 against the
validator over (generator, task) datasets. Any score that depends on the task alone (its elements, its
neighbours among the training tasks, multi-task BC's success on it) is bounded by how much of the
success varies between tasks rather than between datasets of the same task. This measures that bound
from ``bench_zero_shot`` runs (several generators and seeds per task): each run's success predicted by
the mean success of the *other* runs on the same task (leave-one-run-out), plus a few task-only scores.

    python benchmarks/bench_proxy_ceiling.py --runs benchmarks/results/zero_shot_race.json --out benchmarks/results/proxy_ceiling.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def spearman(x, y) -> float:
    """Spearman ρ (average ranks for ties)."""

    def ranks(v):
        v = np.asarray(v, float)
        order = v.argsort(kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for u in np.unique(v):  # ties share their mean rank
            m = v == u
            r[m] = r[m].mean()
        return r

    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def main(argv=None) -> None:
    from report import command, emit

    from compogen.loop.config import loop_preset
    from compogen.suites import get_suite
    from compogen.validation.proxy import neighbours

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default="benchmarks/results/zero_shot_race.json")
    ap.add_argument("--loop-preset", default="standard")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    d = json.loads(Path(args.runs).read_text())
    runs = d["runs"]
    tasks = list(runs[0]["success"])
    S = np.array([[r["success"][t] for t in tasks] for r in runs])  # [runs, tasks]
    lc = loop_preset(args.loop_preset)
    suite = get_suite(lc.suite)
    train = [suite.task_id(t).split("-") for t in suite.tasks(lc.train)]

    scores = {
        "leave-one-run-out task mean (estimates the best task-only score)": np.array(
            [[np.delete(S[:, j], i).mean() for j in range(len(tasks))] for i in range(len(runs))]
        )
    }
    for name, k in (("training tasks sharing 3 of 4 elements", 3), ("training tasks sharing 2 of 4 elements", 2)):
        per_task = [neighbours(t.split("-"), train, shared=k) for t in tasks]
        scores[name] = np.tile(per_task, (len(runs), 1))
    for b, res in (d.get("baselines") or {}).items():
        scores[f"multi-task BC ({b}) success on the task"] = np.tile([res[t]["best"] for t in tasks], (len(runs), 1))
    between = S.mean(0).var() / S.var()
    lines = [
        "# The ceiling of task-only quality scores",
        "",
        command(__file__, argv),
        "",
        f"- {S.size} datasets: {len(runs)} runs (generator x seed) x {len(tasks)} held-out tasks, from `{args.runs}`",
        f"- share of the success variance between tasks (task means): {between:.2f}; the rest is between datasets of one task",
        "",
        "| task-only score | Spearman ρ with validator success |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {spearman(v.ravel(), S.ravel()):+.3f} |" for k, v in scores.items()]
    rows = [{"score": k, "spearman": spearman(v.ravel(), S.ravel())} for k, v in scores.items()]
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
