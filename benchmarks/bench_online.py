"""Online RL warm starts on the built-in suite: the paper's Figures 11 and 10.

    # Figure 11: RLPD from a low-success synthetic dataset vs SAC from scratch
    # (--control-seeds: also RLPD with 8,000 noisy expert transitions of the target task itself)
    python benchmarks/bench_online.py warmstart --run RUN_DIR [--tasks auto] [--seeds 0,1,2] [--steps 20000] [--control-seeds 0]

    # Figure 10: RLPD whose offline half is the training tasks' expert data vs the loop's best-so-far
    python benchmarks/bench_online.py real --run RUN_DIR --real-data DATA_ROOT [--tasks all] [--seeds 0] [--steps 10000]

    # re-draw the PNGs of a result file (its JSON keeps every seed's curve) without running anything
    python benchmarks/bench_online.py warmstart --replot benchmarks/results/online_warmstart.json

RUN_DIR is a finished `compogen bootstrap` run: its synthetic datasets, their validation
success, the environment steps its validation spent per task and its training split.
``--tasks auto`` picks the two targets whose latest dataset scored lowest above zero
(preferring 0.05-0.2). Runs go to --out (default /tmp/bench-online/<mode>) as
``<task>/<algo>/seed_<s>`` (resumable), one process per run on --workers processes, one
torch thread each. Results: benchmarks/results/online_<mode><tag>.md, .json and a PNG per task.
Runs in --out are resumed, and extended when --steps grows.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
EXPERT, EXPERT_TRANSITIONS = "expert", 8_000


def _job(args: tuple) -> dict:
    import torch

    torch.set_num_threads(1)
    from compogen.online import load_offline, online_preset, run_online

    task, algo, seed, steps, out, sources, real_data, real_tasks = args
    config = online_preset(f"{algo.split('-')[0]}-cpu", steps=steps)
    if sources == [EXPERT]:  # the control: the target task's own expert data, as the validator calibration collects it
        from compogen.rl.rollout import expert_transitions
        from compogen.suites import get_suite

        offline = expert_transitions(get_suite("builtin"), task, EXPERT_TRANSITIONS, noise=0.1, seed=0)
    else:
        offline = load_offline(sources, real_data, real_tasks, task) if (sources or real_data) else None
    t0 = time.perf_counter()
    res = run_online(config, task, out, offline, seed=seed, progress=False, log=lambda _: None)
    return {**res, "seconds": time.perf_counter() - t0, "offline_rows": len(offline) if offline is not None else 0}


def _run_info(run: Path) -> tuple[dict, dict]:
    state = json.loads((run / "state.json").read_text())
    config = json.loads((run / "config.json").read_text())
    return state, config


def _latest(run: Path, state: dict, task: str) -> tuple[int, dict] | None:
    """The latest round that generated data for ``task`` and its validation record."""
    for h in reversed(state["history"]):
        if task in h["results"] and (run / "iterations" / f"{h['iteration']:03d}" / "synthetic" / f"{task}.h5").is_file():
            return h["iteration"], h["results"][task]
    return None


def _eval_steps(state: dict, task: str) -> int:
    """Environment steps the loop's validation spent on ``task`` over all rounds."""
    return int(sum(h["results"].get(task, {}).get("env_steps", 0) for h in state["history"]))


def _summary(rows: list[dict]) -> tuple[float, float]:
    x = np.array(rows, float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


TRAIN_AXIS = "environment steps of online training"
EVAL_AXIS = "★ environment steps the loop spent evaluating policies (validation)"


def _label(mode: str, algo: str, row: dict) -> str:
    """Legend entry of one algorithm: where its offline data came from."""
    if mode == "real":
        return f"RLPD, offline half: the training tasks' real expert data ({row['real_tasks']})"
    if algo == "rlpd":
        return f"RLPD from synthetic data (the loop's round-{row['round']} dataset, validation success {row['dataset_success']:.2f})"
    if algo == "sac":
        return "SAC from scratch (no offline data)"
    return f"RLPD from {EXPERT_TRANSITIONS:,} expert transitions of the task itself (control)"


def _plot(mode: str, row: dict, curves: dict[str, list], path: Path) -> None:
    """One task's figure: Figure 11 (warm starts) or Figure 10 (real data against the loop's evaluation cost)."""
    from compogen.online import plot_curves

    marks = {}
    if mode == "real":
        marks[f"loop best-so-far success after {row['loop_eval_steps']:,} evaluation steps (top axis)"] = (
            row["loop_eval_steps"],
            row["loop_best_success"],
        )
    labelled = {_label(mode, a, row): c for a, c in curves.items()}
    plot_curves(labelled, path, title=row["task"], marks=marks, xlabel=TRAIN_AXIS, marks_xlabel=EVAL_AXIS if marks else None)


def _curve(c: list[dict]) -> list[dict]:
    return [{"env_steps": int(r["env_steps"]), "success": r["success"], "mean_return": r["mean_return"]} for r in c]


def replot(mode: str, result: Path) -> None:
    """Re-draw every task's PNG from a result file's JSON (rows written since the curves are kept in it)."""
    name = result.stem
    for row in json.loads(result.read_text())["rows"]:
        curves = {a: v["curves"] for a, v in row.items() if isinstance(v, dict) and "curves" in v}
        if not curves:
            raise SystemExit(f"{result}: row {row['task']} keeps no curves (written before they were kept); rerun the benchmark")
        png = result.parent / f"{name}_{row['task']}.png"
        _plot(mode, row, curves, png)
        print(f"wrote {png}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["warmstart", "real"])
    p.add_argument("--run", type=Path, help="the bootstrap run (needed unless --replot)")
    p.add_argument("--replot", type=Path, default=None, help="re-draw the PNGs of this result JSON and stop")
    p.add_argument("--real-data", type=Path)
    p.add_argument("--tasks", default=None)
    p.add_argument("--seeds", default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--tag", default="", help="suffix of the result files (online_<mode><tag>.md), e.g. _50k")
    p.add_argument("--control-seeds", default="", help="warmstart: seeds of RLPD with the target task's own expert data")
    args = p.parse_args()
    if args.replot is not None:
        return replot(args.mode, args.replot)
    if args.run is None:
        p.error("--run is required")
    from compogen.online import read_curve, write_results

    state, run_cfg = _run_info(args.run)
    name = f"online_{args.mode}{args.tag}"
    out = args.out or Path("/tmp/bench-online") / args.mode
    seeds = [int(s) for s in (args.seeds or ("0,1,2" if args.mode == "warmstart" else "0")).split(",")]
    steps = args.steps or (20_000 if args.mode == "warmstart" else 10_000)
    control_seeds = [int(s) for s in args.control_seeds.split(",") if s.strip()] if args.mode == "warmstart" else []
    targets = sorted(state["history"][0]["results"])
    jobs, meta = [], {}
    if args.mode == "warmstart":
        if args.tasks in (None, "auto"):
            scored = [(t, *_latest(args.run, state, t)) for t in targets if _latest(args.run, state, t)]
            low = sorted((r["success"], t) for t, _, r in scored if r["success"] > 0 and t not in state["solved"])
            preferred = [x for x in low if 0.05 <= x[0] <= 0.2] + [x for x in low if not 0.05 <= x[0] <= 0.2]
            tasks = [t for _, t in preferred[:2]]
        else:
            tasks = args.tasks.split(",")
        if not tasks:
            raise SystemExit("no target with a non-zero, non-admitted dataset in this run")
        for t in tasks:
            k, rec = _latest(args.run, state, t)
            path = args.run / "iterations" / f"{k:03d}" / "synthetic" / f"{t}.h5"
            meta[t] = {"dataset": str(path), "round": k, "dataset_success": rec["success"], "loop_eval_steps": _eval_steps(state, t)}
            for s in seeds:
                jobs.append((t, "rlpd", s, steps, str(out / t / "rlpd" / f"seed_{s}"), [str(path)], None, None))
                jobs.append((t, "sac", s, steps, str(out / t / "sac" / f"seed_{s}"), [], None, None))
            for s in control_seeds:  # first: the longest runs
                jobs.insert(0, (t, "rlpd-expert", s, steps, str(out / t / "rlpd-expert" / f"seed_{s}"), [EXPERT], None, None))
    else:
        if args.real_data is None:
            raise SystemExit("real needs --real-data")
        tasks = targets if args.tasks in (None, "all") else args.tasks.split(",")
        for t in tasks:
            best = max((h["results"].get(t, {}).get("success", 0.0) for h in state["history"]), default=0.0)
            meta[t] = {"loop_best_success": best, "loop_eval_steps": _eval_steps(state, t), "real_tasks": run_cfg["train"]}
            for s in seeds:
                jobs.append((t, "rlpd", s, steps, str(out / t / "rlpd" / f"seed_{s}"), [], str(args.real_data), run_cfg["train"]))
    print(f"{len(jobs)} runs of {steps} environment steps on {args.workers} processes: {', '.join(tasks)}", flush=True)
    t0 = time.perf_counter()
    done = []
    with ProcessPoolExecutor(args.workers) as pool:
        for res in pool.map(_job, jobs):
            done.append(res)
            print(
                f"  {res['task']} {res['algo']} seed {res['seed']}: best {res['best_success']:.2f}, final {res['final_success']:.2f} ({res['seconds']:.0f} s)",
                flush=True,
            )
    wall = time.perf_counter() - t0
    # run time recorded by the runs themselves (kept across resumes and extensions)
    run_s = sum(json.loads((Path(job[4]) / "result.json").read_text())["wall_s"] for job in jobs)

    RESULTS.mkdir(parents=True, exist_ok=True)
    algos = (["rlpd", "sac"] + (["rlpd-expert"] if control_seeds else [])) if args.mode == "warmstart" else ["rlpd"]
    table = []
    for t in tasks:
        curves = {}
        for a in algos:
            a_seeds = control_seeds if a == "rlpd-expert" else seeds
            (out / t / a / "config.json").write_text(json.dumps({"task": t, "label": a}))
            write_results(out / t / a, a_seeds, label=a)
            curves[a] = [read_curve(out / t / a / f"seed_{s}") for s in a_seeds]
        row = {"task": t, **meta[t]}
        _plot(args.mode, row, curves, RESULTS / f"{name}_{t}.png")
        for a in algos:
            finals = [c[-1]["success"] for c in curves[a]]
            bests = [max(r["success"] for r in c) for c in curves[a]]
            first = [next((r["env_steps"] for r in c if r["success"] >= 0.8), None) for c in curves[a]]
            ends = [c[-1]["mean_return"] for c in curves[a]]
            row[a] = {
                "final": _summary(finals),
                "best": _summary(bests),
                "return_end": _summary(ends),
                "steps_to_0.8": first,
                "per_seed_final": finals,
                "curves": [_curve(c) for c in curves[a]],  # for --replot
            }
        table.append(row)
    (RESULTS / f"{name}.json").write_text(
        json.dumps({"steps": steps, "seeds": seeds, "wall_s": wall, "run_s": run_s, "rows": table}, indent=1) + "\n"
    )
    cmd = (
        f"python benchmarks/bench_online.py {args.mode} --run RUN"
        + (" --real-data DATA" if args.mode == "real" else "")
        + f" --tasks {','.join(tasks)} --seeds {','.join(map(str, seeds))} --steps {steps} --workers {args.workers}"
        + (f" --control-seeds {','.join(map(str, control_seeds))}" if control_seeds else "")
        + (f" --tag {args.tag}" if args.tag else "")
    )
    lines = [
        f"# Online RL on the built-in suite: {'Figure 11 (warm start from a low-success synthetic dataset)' if args.mode == 'warmstart' else 'Figure 10 (RLPD with the training tasks expert data)'}",
        "",
        f"Command: `{cmd}`",
        "",
    ]
    lines.append(
        f"Presets `rlpd-cpu` / `sac-cpu` (64-wide networks; RLPD: 10 critics, UTD 2, batch 128, 50/50 symmetric sampling; SAC: 2 critics, UTD 1, 2,000 random steps; both standardise observations with the offline data's statistics and value a success as an absorbing state), {steps:,} environment steps per run, seeds {seeds}, evaluation every 2,000 steps on 10 episodes (deterministic policy). Run time {run_s / 60:.0f} min in all over {len(jobs)} runs, one torch thread each ({args.workers} processes; this invocation {wall / 60:.1f} min). Mean ± standard error over seeds."
    )
    lines.append("")
    if args.mode == "warmstart":
        lines += [
            "| task | dataset success (loop validation, round) | RLPD final | RLPD best | RLPD steps to 0.8 (per seed) | RLPD return at the end | SAC final | SAC best | SAC return at the end |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in table:
            lines.append(
                f"| {r['task']} | {r['dataset_success']:.2f} (round {r['round']}) | {r['rlpd']['final'][0]:.2f} ± {r['rlpd']['final'][1]:.2f} | {r['rlpd']['best'][0]:.2f} ± {r['rlpd']['best'][1]:.2f} | {r['rlpd']['steps_to_0.8']} | {r['rlpd']['return_end'][0]:.0f} ± {r['rlpd']['return_end'][1]:.0f} | {r['sac']['final'][0]:.2f} ± {r['sac']['final'][1]:.2f} | {r['sac']['best'][0]:.2f} ± {r['sac']['best'][1]:.2f} | {r['sac']['return_end'][0]:.0f} ± {r['sac']['return_end'][1]:.0f} |"
            )
        if control_seeds:
            lines += [
                "",
                f"Control: RLPD whose offline half is {EXPERT_TRANSITIONS:,} noisy expert transitions of the target task itself (seeds {control_seeds}): how far the same RL budget gets with the best possible data.",
                "",
                "| task | final | best | return at the end | steps to 0.8 |",
                "|---|---|---|---|---|",
            ]
            for r in table:
                c = r["rlpd-expert"]
                lines.append(
                    f"| {r['task']} | {c['final'][0]:.2f} ± {c['final'][1]:.2f} | {c['best'][0]:.2f} ± {c['best'][1]:.2f} | {c['return_end'][0]:.0f} ± {c['return_end'][1]:.0f} | {c['steps_to_0.8']} |"
                )
    else:
        lines += ["| task | loop best-so-far success | loop eval env steps | RLPD final | RLPD best |", "|---|---|---|---|---|"]
        for r in table:
            lines.append(
                f"| {r['task']} | {r['loop_best_success']:.2f} | {r['loop_eval_steps']:,} | {r['rlpd']['final'][0]:.2f} ± {r['rlpd']['final'][1]:.2f} | {r['rlpd']['best'][0]:.2f} ± {r['rlpd']['best'][1]:.2f} |"
            )
        lines += [
            "",
            f"Means over tasks: loop {np.mean([r['loop_best_success'] for r in table]):.3f} with {np.mean([r['loop_eval_steps'] for r in table]):,.0f} eval steps per task; RLPD final {np.mean([r['rlpd']['final'][0] for r in table]):.3f} after {steps:,} steps.",
        ]
    lines += ["", "Plots: " + ", ".join(f"`{name}_{t}.png`" for t in tasks)]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
