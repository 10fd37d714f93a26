"""Per-stage wall time of the main job: ``compogen bootstrap --preset quick`` from nothing.

Runs the real command in a fresh directory (expert data collected from scratch),
then reads the run's ``timings.json`` (collection, generator training, per-task
jobs per round) and the per-task ``generate_s`` / ``validate_s`` recorded in the
validation files. Writes ``benchmarks/results/bootstrap_quick.md``.

    python benchmarks/bench_bootstrap_quick.py [--keep DIR]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--keep", default=None, help="Run in this directory and keep it.")
    ap.add_argument("--out", default="benchmarks/results/bootstrap_quick.md")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="compogen-bootstrap-"))
    work.mkdir(parents=True, exist_ok=True)
    run, data = work / "run", work / "data"
    cmd = [sys.executable, "-m", "compogen.cli", "bootstrap", "--preset", args.preset, "--out", str(run), "--data", str(data)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bootstrap failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    timings = json.loads((run / "timings.json").read_text())
    per_task = {"generate_s": [], "validate_s": []}
    for f in sorted(run.glob("iterations/*/validation/*.json")):
        rec = json.loads(f.read_text())
        for k in per_task:
            if "timing" in rec:
                per_task[k].append(rec["timing"][k])
    summary = (run / "summary.csv").read_text()
    table = proc.stdout[proc.stdout.find("held-out task"):]
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
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
