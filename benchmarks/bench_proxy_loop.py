"""Which datasets of a loop run were worth validating? Simulator-free scores replayed over finished runs (issue 19 §3).

For every ``(round, task)`` dataset that finished ``compogen bootstrap`` runs validated (their
``iterations/NNN/validation/*.json`` and ``synthetic/*.h5``), scores that need no simulator step for
*this* dataset:

- the data's own scores (:func:`compogen.validation.proxy.data_scores`: ``success_rows``,
  ``terminal_rows``, ``mean_reward``);
- ``prev_best``: the task's best validated success in the run's earlier rounds (what the loop already
  paid for; round 0 has none, so round 0 is always validated by a rule on it);
- ``neighbours``: how many tasks of the round's pool (training tasks and tasks admitted before the round)
  share three of the task's four elements (the compositional neighbourhood the generator learned from).

Reported per score: Spearman ρ with the validator's success (rounds >= 1, where every score exists). Then the
simulator steps saved (of all the runs' validation steps, round 0 included) and the admitted datasets lost
(those the run admitted) by three kinds of rule: "validate a task again only if its best success so far
reaches x" (replayed round by round: a skipped task keeps its record, so it stays skipped), the same "or if
its neighbourhood grew since", and "validate only datasets whose score is at least x". An offline replay: a
skipped dataset counts as not admitted that round and nothing else changes.

    python benchmarks/bench_proxy_loop.py --runs /tmp/loop-arch/mlp-5000,/tmp/loop-arch/sc-dit-2600 \\
        --out benchmarks/results/proxy_loop.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_rows(run: Path, suite) -> list[dict]:
    """One row per validated ``(round, task)`` dataset of the finished run in ``run``."""
    from compogen.data import read_synthetic
    from compogen.loop.rundir import RunDir
    from compogen.validation.proxy import data_scores, neighbours

    config = json.loads((run / "config.json").read_text())
    history = json.loads((run / "state.json").read_text())["history"]
    pool = list(suite.tasks(config["train"]))
    best: dict[str, float] = {}
    rows = []
    for h in history:
        it = h["iteration"]
        admitted = set(h["admitted"])
        for task, res in sorted(h["results"].items()):
            file = RunDir(run).synthetic(it, task, res.get("candidate") or 0)  # the dataset the result is of
            if res.get("failed") or not file.exists() or "success" not in res:
                continue
            parsed = suite.parse(task)
            data = read_synthetic(file, task=parsed)
            rows.append(
                {
                    "run": run.name,
                    "round": it,
                    "task": task,
                    "success": float(res["success"]),
                    "env_steps": int(res["env_steps"]),
                    "admitted": task in admitted,
                    **data_scores(data),
                    "prev_best": best.get(task, np.nan),
                    "neighbours": neighbours(parsed, pool),
                }
            )
        for task, res in h["results"].items():
            if "success" in res:
                best[task] = max(best.get(task, 0.0), float(res["success"]))
        pool += [suite.parse(t) for t in sorted(admitted)]
    return rows


SCORES = ("success_rows", "terminal_rows", "mean_reward", "prev_best", "neighbours")


def _table(title: str, results: list[tuple[str, list[dict]]], rows: list[dict]) -> list[str]:
    total = sum(r["env_steps"] for r in rows)
    n_adm = sum(r["admitted"] for r in rows)
    lines = [title, "", "| x | validations skipped | simulator steps saved | admitted lost |", "|---:|---:|---:|---:|"]
    for x, skip in results:
        saved = sum(r["env_steps"] for r in skip) / total
        lines.append(f"| {x} | {len(skip)} of {len(rows)} | {saved:.0%} | {sum(r['admitted'] for r in skip)} of {n_adm} |")
    return [*lines, ""]


def static_rule(rows: list[dict], score: str) -> list[str]:
    """ "Validate a round >= 1 dataset only where ``score`` >= x", over the score's first distinct values."""
    later = [r for r in rows if r["round"] > 0]
    values = sorted({r[score] for r in later})[1:9]
    results = [(f"{x:.4g}", [r for r in later if r[score] < x]) for x in values]
    return _table(f"Validate a round >= 1 dataset only if `{score}` >= x (round 0 always validated):", results, rows)


def revisit_skips(rows: list[dict], x: float, growth: bool) -> list[dict]:
    """The datasets a loop would skip with "after round 0, validate a task again only if its best success in
    the rounds it *was* validated reaches ``x``" (and, with ``growth``, also when its compositional
    neighbourhood grew since its last validation). Replayed round by round: a skipped task's record stays."""
    best: dict[tuple, float] = {}
    seen: dict[tuple, int] = {}
    skipped = []
    for r in sorted(rows, key=lambda r: (r["run"], r["round"], r["task"])):
        key = (r["run"], r["task"])
        if r["round"] > 0 and best[key] < x and not (growth and r["neighbours"] > seen[key]):
            skipped.append(r)
            continue
        best[key] = max(best.get(key, 0.0), r["success"])
        seen[key] = r["neighbours"]
    return skipped


def revisit_rules(rows: list[dict]) -> list[str]:
    lines = []
    for growth, title in (
        (False, "Validate a task again only if its best success so far (over the rounds it was validated) is >= x:"),
        (True, "... or if its neighbourhood (pool tasks sharing 3 of 4 elements) grew since its last validation:"),
    ):
        xs = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
        lines += _table(title, [(f"{x:.1f}", revisit_skips(rows, x, growth)) for x in xs], rows)
    return lines


def main(argv=None) -> None:
    from report import command, emit

    from compogen.suites import get_suite
    from compogen.validation.proxy import spearman

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="comma list of finished `compogen bootstrap` run directories")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    suite = get_suite("builtin")
    rows = [r for run in args.runs.split(",") for r in run_rows(Path(run), suite)]
    later = [r for r in rows if r["round"] > 0]
    succ = np.array([r["success"] for r in later])
    rho = {k: spearman(np.array([r[k] for r in later], np.float64), succ) for k in SCORES}
    runs = sorted({r["run"] for r in rows})
    lines = [
        "# Which loop datasets were worth validating? Simulator-free scores replayed over finished runs",
        "",
        command(__file__, argv),
        "",
        f"- {len(rows)} validated datasets of {len(runs)} runs ({', '.join(runs)}); {len(later)} in rounds >= 1;"
        f" {sum(r['admitted'] for r in rows)} admitted; {sum(r['env_steps'] for r in rows):,} validation env steps",
        "",
        "| score | Spearman ρ with validator success (rounds >= 1) |",
        "|---|---:|",
        *[f"| `{k}` | {rho[k]:+.3f} |" for k in SCORES],
        "",
    ]
    lines += revisit_rules(rows)
    for k in ("neighbours", max(("success_rows", "terminal_rows", "mean_reward"), key=lambda k: rho[k])):
        lines += static_rule(rows, k)
    emit(lines, args.out, {"spearman": rho, "rows": rows})


if __name__ == "__main__":
    main()
