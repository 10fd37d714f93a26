"""Per-stage wall time of the main job: ``compogen bootstrap --preset quick`` from nothing.

Runs the real command in a fresh directory (expert data collected from scratch),
then reads the run's ``timings.json`` (collection, generator training, per-task
jobs per round) and the per-task ``generate_s`` / ``validate_s`` recorded in the
validation files. Writes ``benchmarks/results/bootstrap_quick.md``.

    python benchmarks/bench_bootstrap_quick.py [--keep DIR]
    python benchmarks/bench_bootstrap_quick.py --preset standard --baseline-steps 15000 \\
        --out benchmarks/results/bootstrap_standard.md

With ``--baseline-steps`` it also trains multi-task BC on the run's real data and compares
it with the loop's best-so-far success on the held-out tasks (:mod:`multitask_bc`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def baseline_lines(preset: str, data: Path, summary: str, steps: int) -> list[str]:
    """Multi-task BC on the run's real data, evaluated like the validator evaluates (best of its checkpoints)."""
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from multitask_bc import baseline_success

    from compogen.data import load_pool
    from compogen.loop.config import loop_preset
    from compogen.loop.runner import resolve_run_tasks
    from compogen.suites import get_suite
    from compogen.validation import preset as validation_preset

    torch.set_num_threads(2)
    cfg = loop_preset(preset)
    suite = get_suite(cfg.suite)
    train, _, evals, _ = resolve_run_tasks(cfg, suite)
    vcfg = validation_preset(cfg.validation_preset)
    evals_n = max(1, vcfg.steps // vcfg.eval_every)
    t0 = time.perf_counter()
    res = baseline_success(suite, load_pool(data, train, suite), evals, steps, evals=evals_n, episodes=vcfg.eval_episodes)
    secs = time.perf_counter() - t0
    rows = [r.split(",") for r in summary.strip().splitlines()]
    head, last = rows[0], rows[-1]
    loop_best = float(last[head.index("mean_best_success")])
    best = [v["best"] for v in res.values()]
    final = [v["final"] for v in res.values()]
    out = [
        "## Against multi-task BC on the same real data",
        "",
        f"MLP 3x256 behaviour cloning on the run's {len(train)} training tasks ({steps} steps), run zero-shot on the {len(evals)}"
        f" held-out tasks; evaluated like the validator: {evals_n} checkpoints x {vcfg.eval_episodes} episodes, best kept ({secs:.0f} s).",
        "",
        f"**loop best-so-far mean success {loop_best:.3f} vs multi-task BC {np.mean(best):.3f}** (best of checkpoints;"
        f" final policy {np.mean(final):.3f}); tasks > tau0 = 0.8: multi-task BC {sum(b > 0.8 for b in best)}/{len(best)}.",
        "",
        "| held-out task | multi-task BC best | final |",
        "|---|---:|---:|",
    ]
    out += [f"| {k} | {v['best']:.2f} | {v['final']:.2f} |" for k, v in res.items()]
    return out + [""]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--keep", default=None, help="Run in this directory and keep it.")
    ap.add_argument("--out", default="benchmarks/results/bootstrap_quick.md")
    ap.add_argument(
        "--baseline-steps", type=int, default=0, help="also train multi-task BC on the run's real data for this many steps and compare (0: skip)"
    )
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="compogen-bootstrap-"))
    work.mkdir(parents=True, exist_ok=True)
    run, data = work / "run", work / "data"
    cmd = [sys.executable, "-m", "compogen.cli", "bootstrap", "--preset", args.preset, "--out", str(run), "--data", str(data)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bootstrap failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    timings = json.loads((run / "timings.json").read_text())
    per_task = {"generate_s": [], "validate_s": []}
    for f in sorted(run.glob("iterations/*/validation/*.json")):
        rec = json.loads(f.read_text())
        for k, values in per_task.items():
            if "timing" in rec:
                values.append(rec["timing"][k])
    summary = (run / "summary.csv").read_text()
    table = proc.stdout[proc.stdout.find("held-out task") :]
    lines = [
        f"# `compogen bootstrap --preset {args.preset}`: wall time per stage",
        "",
        f"Command: `{' '.join(['compogen'] + cmd[3:])}` (fresh data directory; 2 cores; `nproc`={os.cpu_count()}).",
        "",
        f"**Total: {total:.0f} s ({total / 60:.1f} min).**",
        "",
        "| stage | seconds |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.1f} |" for k, v in sorted(timings.items())]
    for k, v in per_task.items():
        if v:
            lines.append(f"| per-task {k} (mean of {len(v)}, inside the jobs) | {sum(v) / len(v):.1f} |")
    lines += ["", "Summary per round (`summary.csv`):", "", "```", summary.strip(), "```", "", "Final table:", "", "```", table.strip(), "```", ""]
    if args.baseline_steps:
        lines += baseline_lines(args.preset, data, summary, args.baseline_steps)
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
