"""Validator calibration: does each validation preset pass *real* expert data of every held-out task?

For each task of ``--tasks`` (default: the 32 held-out tasks ``iiwa:test``) this collects
``--transitions`` noisy expert transitions (as many as the loop generates per task), then
validates them exactly as the loop validates synthetic data (the batched validator with the
preset's algorithm and settings, every seed of ``--seeds``). Per task it reports each seed's best success with its
95 % Wilson interval, whether the seeds' intervals overlap, the spread between seeds, and
seconds per policy. The summary gives the share of tasks above τ0 = 0.8 (mean over seeds).

    python benchmarks/bench_validator_calibration.py --presets quick,cpu \\
        --out benchmarks/results/validator_calibration.md
    python benchmarks/bench_validator_calibration.py --presets tiny --tasks iiwa:test2 --seeds 0  # smoke run
    # the alpha ablation of the README (overrides as preset:key=value:...)
    python benchmarks/bench_validator_calibration.py --tasks iiwa:test4 --seeds 0 --group 4 \
        --presets quick:algo=td3bc:alpha=2.5:steps=6000:eval_every=1500,quick:algo=td3bc:alpha=0.1:steps=6000:eval_every=1500

Work is spread over ``--workers`` processes (one torch thread each), each validating
``--group`` tasks (all seeds) per batched run.
"""

from __future__ import annotations

import argparse
import ast
import csv
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from report import command  # noqa: E402

from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from


def parse_preset(spec: str):
    """``name[:key=value]...`` -> the validation preset with those overrides (numbers parsed)."""
    from compogen.validation import preset

    name, *pairs = spec.split(":")
    over = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        try:
            over[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            over[key] = value  # a plain string such as td3bc
    return preset(name, **over)


def _run_group(args) -> list[dict]:
    preset_name, task_ids, seeds, n, noise = args
    import torch

    torch.set_num_threads(1)
    from compogen.rl.rollout import expert_transitions
    from compogen.suites import get_suite
    from compogen.validation import validate_many

    suite = get_suite("builtin")
    items = [(t, expert_transitions(suite, t, n, noise=noise, seed=0)) for t in task_ids]
    t0 = time.perf_counter()
    results = validate_many(suite, items, parse_preset(preset_name), seeds=seeds, progress=False)
    secs = (time.perf_counter() - t0) / (len(task_ids) * len(seeds))
    rows = []
    for (task_id, data), res in zip(items, results, strict=True):
        seeds_out = [(s.seed, s.success_rate, s.ci_low, s.ci_high, s.best_step) for s in res.seeds]
        lows, highs = [s[2] for s in seeds_out], [s[3] for s in seeds_out]
        rows.append(
            {
                "preset": preset_name,
                "task": task_id,
                "transitions": len(data),
                "data_success": float((data.rewards >= 1.0).sum() / (data.terminals | data.timeouts).sum()),
                "success": res.success_rate,
                "per_seed": [round(s[1], 2) for s in seeds_out],
                "intervals": [(round(s[2], 2), round(s[3], 2)) for s in seeds_out],
                "best_steps": [s[4] for s in seeds_out],
                "spread": max(s[1] for s in seeds_out) - min(s[1] for s in seeds_out),
                "agree": max(lows) <= min(highs),
                "sec_per_policy": secs,
            }
        )
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default="quick,cpu")
    ap.add_argument("--tasks", default="iiwa:test", help="split spec on the built-in suite")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--transitions", type=int, default=8000, help="expert transitions per task (the quick loop's samples_per_task)")
    ap.add_argument("--noise", type=float, default=0.1, help="expert action noise (as `compogen collect`)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--group", type=int, default=4, help="tasks per batched run")
    ap.add_argument("--out", default=None, help="markdown file (a .csv is written beside it)")
    args = ap.parse_args(argv)

    from compogen.suites import get_suite

    suite = get_suite("builtin")
    tasks = [suite.task_id(t) for t in suite.tasks(args.tasks)]
    seeds = [int(s) for s in args.seeds.split(",")]
    lines = [
        "# Validator calibration: real expert data of held-out tasks",
        "",
        command(__file__, argv),
        "",
        f"- {len(tasks)} tasks ({args.tasks}), {args.transitions} expert transitions each (noise {args.noise}), RL seeds {seeds}",
        f"- machine: {platform.machine()}, {args.workers} worker processes x 1 torch thread",
        "- success of a task: mean over seeds of each seed's best evaluation; `agree`: the seeds' 95 % Wilson intervals overlap",
        "",
    ]
    all_rows = []
    for name in args.presets.split(","):
        cfg = parse_preset(name)
        t0 = time.perf_counter()
        groups = [tasks[i : i + args.group] for i in range(0, len(tasks), args.group)]
        rows: list[dict] = []
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for part in pool.map(_run_group, [(name, g, seeds, args.transitions, args.noise) for g in groups]):
                rows += part
                for r in part:
                    print(f"{name} {r['task']:40s} success {r['success']:.2f} seeds {r['per_seed']} agree {r['agree']}", flush=True)
        wall = time.perf_counter() - t0
        all_rows += rows
        passed = sum(r["success"] > TAU0 for r in rows)
        agree = sum(r["agree"] for r in rows)
        lines += [
            f"## preset `{name}`",
            "",
            f"settings: algo {cfg.algo}, alpha {cfg.alpha}, {cfg.steps} steps, batch {cfg.batch_size}, actor {list(cfg.actor_hidden)},"
            f" critics {list(cfg.critic_hidden)}, eval every {cfg.eval_every} steps x {cfg.eval_episodes} episodes",
            "",
            f"**success > {TAU0} on {passed}/{len(rows)} tasks ({passed / len(rows):.0%})**; seeds agree on {agree}/{len(rows)}"
            f" ({agree / len(rows):.0%}); mean success {np.mean([r['success'] for r in rows]):.3f};"
            f" {np.mean([r['sec_per_policy'] for r in rows]):.1f} s per policy; wall {wall / 60:.1f} min",
            "",
            "| task | transitions | data success | success | per seed | 95 % intervals | best step | spread | agree | s/policy |",
            "|---|---:|---:|---:|---|---|---|---:|---|---:|",
        ]
        for r in rows:
            lines.append(
                f"| {r['task']} | {r['transitions']} | {r['data_success']:.2f} | {r['success']:.2f} | {r['per_seed']} | {r['intervals']} | {r['best_steps']} |"
                f" {r['spread']:.2f} | {'yes' if r['agree'] else 'no'} | {r['sec_per_policy']:.1f} |"
            )
        lines.append("")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        with open(out.with_suffix(".csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(all_rows[0]))
            w.writeheader()
            w.writerows(all_rows)


if __name__ == "__main__":
    main()
