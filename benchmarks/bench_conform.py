"""Does bringing generated values into the task's spaces help the validator? (issue 21)

For each task, one file of raw generator samples (actions and rewards as sampled, terminals
thresholded) and the same samples after :func:`compogen.data.conform.conform` are validated with the
same settings and seeds. Raw files of earlier runs (``zs-<task>-<n>.h5`` of ``bench_zero_shot``,
written before conform existed) are reused; missing ones are sampled without conform.

    python benchmarks/bench_conform.py --model /tmp/hw-smoke/sc-dit-laptop-2600-s0 \\
        --out benchmarks/results/conform.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def raw_file(gen, suite, task, n: int, seed: int, lc) -> Path:
    """``n`` raw samples of ``task`` (no conform), written once next to the model."""
    from compogen.data import Transitions, write_synthetic

    tid = suite.task_id(task)
    from compogen.data import read_synthetic_attrs

    for name in (f"zs-{tid}-{n}.h5", f"raw-{tid}-{n}.h5"):
        path = gen.model_dir / name
        if path.exists() and "conform" not in read_synthetic_attrs(path):  # only files of raw samples
            return path
    flat = gen.sample_flat(task, n, lc.sampler, lc.sampler_steps, seed)
    d = gen.layout.unpack(flat, task)
    path = gen.model_dir / f"raw-{tid}-{n}.h5"
    write_synthetic(path, Transitions(**d, tasks=[task]), {"task": tid, "raw": True})
    return path


def main(argv=None) -> None:
    from bench_zero_shot import ci95
    from report import command, emit

    from compogen.data import read_synthetic
    from compogen.data.conform import conform
    from compogen.data.transitions import Transitions
    from compogen.generator import Generator
    from compogen.loop.config import loop_preset
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="trained generator run directory")
    ap.add_argument("--loop-preset", default="standard", help="tasks, sample count, sampler and validation settings")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--groups", default="training,held-out", help="which task groups: training, held-out")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    lc = loop_preset(args.loop_preset)
    suite = get_suite(lc.suite)
    gen = Generator.load(args.model)
    bounds = gen.bounds
    vcfg = vpreset(lc.validation_preset, **({"steps": lc.validation_steps} if lc.validation_steps else {}))
    groups = {"training": suite.tasks(lc.train), "held-out": suite.tasks(lc.eval)}
    groups = {k: v for k, v in groups.items() if k in args.groups.split(",")}
    rows, t0 = [], time.perf_counter()
    for group, tasks in groups.items():
        raw, fixed = [], []
        for i, task in enumerate(tasks):
            d = read_synthetic(raw_file(gen, suite, task, lc.samples_per_task, 1000 + i, lc), task=task)
            cols, counts = conform(d.as_dict(), bounds)
            raw.append((task, d))
            fixed.append((task, Transitions(**cols, tasks=[task])))
            a = d.actions
            rows.append(
                {
                    "group": group,
                    "task": suite.task_id(task),
                    "action_entries_out": float((np.abs(a) > bounds.action_high).mean()),
                    "rows_with_action_out": float((np.abs(a) > bounds.action_high).any(1).mean()),
                    "rewards_changed": counts["rewards_changed"] / len(d),
                    "reward_max": float(d.rewards.max()),
                }
            )
        for name, items in (("raw", raw), ("conformed", fixed)):
            res = validate_many(suite, items, vcfg, seeds=list(lc.rl_seeds), progress=False, max_policies=8)
            for r, row in zip(res, [r for r in rows if r["group"] == group], strict=True):
                row[name] = r.success_rate
            print(f"{group} {name}: mean {np.mean([r.success_rate for r in res]):.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)

    lines = [
        "# Generated values in the task's spaces: validator success with and without `conform`",
        "",
        command(__file__, argv),
        "",
        f"- generator: `{args.model}` ({gen.info()['arch']}, {gen.info()['preset']}, step {gen.info()['step']}); bounds {bounds.to_dict()}",
        f"- per task: {lc.samples_per_task} samples, sampler `{lc.sampler}`; validation `{lc.validation_preset}` ({vcfg.algo}, {vcfg.steps} steps),"
        f" RL seeds {list(lc.rl_seeds)}; the same samples, raw and conformed",
        "",
        "| tasks | n | action entries outside | rows with an action outside | rewards changed | raw success [95 % CI] | conformed success [95 % CI] | conformed better / worse / tie |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for group in groups:
        g = [r for r in rows if r["group"] == group]
        raw, fix = np.array([r["raw"] for r in g]), np.array([r["conformed"] for r in g])
        (rl, rh), (fl, fh) = ci95(raw), ci95(fix)
        lines.append(
            f"| {group} | {len(g)} | {np.mean([r['action_entries_out'] for r in g]):.1%} | {np.mean([r['rows_with_action_out'] for r in g]):.1%} |"
            f" {np.mean([r['rewards_changed'] for r in g]):.2%} | {raw.mean():.3f} [{rl:.2f}, {rh:.2f}] | {fix.mean():.3f} [{fl:.2f}, {fh:.2f}] |"
            f" {int((fix > raw).sum())} / {int((fix < raw).sum())} / {int((fix == raw).sum())} |"
        )
    lines += ["", "| task | group | actions outside | max reward | raw | conformed |", "|---|---|---:|---:|---:|---:|"]
    lines += [
        f"| {r['task']} | {r['group']} | {r['action_entries_out']:.1%} | {r['reward_max']:.3f} | {r['raw']:.2f} | {r['conformed']:.2f} |"
        for r in rows
    ]
    emit(lines, args.out, {"bounds": bounds.to_dict(), "rows": rows})


if __name__ == "__main__":
    main()
