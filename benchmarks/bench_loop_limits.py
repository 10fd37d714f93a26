"""What limits the loop's later rounds? Task-level success across rounds and across generators (issue 19 §1).

Reads finished ``compogen bootstrap`` runs (``--runs``) and ``bench_zero_shot`` results (``--race``, its
``runs``: one validated dataset per held-out task and generator seed) and reports, with no new training:

- per run and round: how the validated tasks' success is distributed (0, in (0, τ0], above τ0);
- within a run: of the tasks at exactly 0 in a round, how many rise above 0 and above τ0 the next round
  (does a later round's generator reach the tasks the earlier one missed?);
- across generators: the tasks above τ0 for each zero-shot run, and their union over 2 seeds (mean over the
  pairs) and all seeds of one generator and over all runs: what a round with several candidate generators
  (``LoopConfig.generators``) would admit zero-shot.

    python benchmarks/bench_loop_limits.py --runs /tmp/loop-arch/mlp-5000 \\
        --race benchmarks/results/zero_shot_eqparams.json --out benchmarks/results/loop_limits.md
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from


def successes(results: dict) -> dict[str, float]:
    """Task -> validated success of one round's (or one zero-shot run's) results."""
    return {t: float(r["success"] if isinstance(r, dict) else r) for t, r in results.items() if not isinstance(r, dict) or "success" in r}


def history(run: Path) -> list[dict]:
    """The rounds a finished run recorded (its ``state.json``)."""
    return json.loads((run / "state.json").read_text())["history"]


def round_lines(run: Path, history: list[dict]) -> list[str]:
    lines = []
    for h in history:
        s = successes(h["results"])
        zero = sum(v == 0 for v in s.values())
        high = sum(v > TAU0 for v in s.values())
        lines.append(f"| {run.name} | {h['iteration']} | {len(s)} | {zero} | {len(s) - zero - high} | {high} | {len(h['admitted'])} |")
    return lines


def rescue_lines(run: Path, history: list[dict]) -> list[str]:
    lines = []
    for a, b in zip(history, history[1:], strict=False):
        before, after = successes(a["results"]), successes(b["results"])
        zero = [t for t, v in before.items() if v == 0 and t in after]
        up = sum(after[t] > 0 for t in zero)
        high = sum(after[t] > TAU0 for t in zero)
        lines.append(f"| {run.name} | {a['iteration']} -> {b['iteration']} | {len(zero)} | {up} | {high} |")
    return lines


def race_lines(race: Path) -> list[str]:
    runs = json.loads(race.read_text())["runs"]
    by: dict[str, list[set[str]]] = defaultdict(list)
    for r in runs:
        by[r["label"]].append({t for t, v in successes(r["success"]).items() if v > TAU0})
    lines = [
        f"| {label} | {', '.join(str(len(s)) for s in sets)} | {_mean_unions(sets, 2):.1f} | {len(set.union(*sets))} |" for label, sets in by.items()
    ]
    every = set.union(*(s for sets in by.values() for s in sets))
    n_tasks = len(runs[0]["success"])
    return [*lines, f"| all {len(runs)} runs | – | – | {len(every)} of {n_tasks} |"]


def _mean_unions(sets: list[set[str]], k: int) -> float:
    """The mean size of the union of ``k`` of ``sets`` over every such choice: the tasks above τ0 a round
    with ``k`` candidate generators (``LoopConfig.generators``) would admit zero-shot."""
    picks = list(combinations(sets, k)) or [tuple(sets)]
    return sum(len(set.union(*p)) for p in picks) / len(picks)


def main(argv=None) -> None:
    from report import command, emit

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="comma list of finished `compogen bootstrap` run directories")
    ap.add_argument("--race", required=True, help="comma list of bench_zero_shot result JSONs")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    runs = [Path(r) for r in args.runs.split(",")]
    histories = {run: history(run) for run in runs}  # each state.json read once
    lines = [
        "# What limits the loop's later rounds? Task-level success across rounds and generators",
        "",
        command(__file__, argv),
        "",
        f"Success is the validator's (τ0 = {TAU0}); no new training or validation.",
        "",
        "| run | round | tasks validated | at 0 | in (0, τ0] | above τ0 | admitted |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[line for run in runs for line in round_lines(run, histories[run])],
        "",
        "Tasks at 0 in a round, and what the next round's generator makes of them:",
        "",
        "| run | rounds | at 0 | next round > 0 | next round above τ0 |",
        "|---|---|---:|---:|---:|",
        *[line for run in runs for line in rescue_lines(run, histories[run])],
        "",
        "Zero-shot (round 0) datasets above τ0, per generator seed and their union:",
        "",
        "| generator | tasks above τ0 per seed | union of 2 seeds (mean) | union over seeds |",
        "|---|---|---:|---:|",
        *[line for race in args.race.split(",") for line in race_lines(Path(race))],
        "",
    ]
    emit(lines, args.out, {"runs": [str(r) for r in runs], "race": args.race})


if __name__ == "__main__":
    main()
