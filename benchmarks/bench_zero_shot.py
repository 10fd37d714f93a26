"""Zero-shot (iteration 0): does the compositional generator beat the plain one, and multi-task BC?

For each ``--archs`` entry ``arch:preset:steps`` and each diffusion seed: trains the generator on
the real data of the 14 training tasks (collected as ``compogen bootstrap`` does), generates the
loop preset's ``samples_per_task`` transitions for each held-out task with the loop's sampler and
validates them with the loop's validation preset: the loop's first round, run per architecture.
With ``--baseline-steps``, multi-task policies on the same real data (``--baselines``: ``mlp``, the
MLP; ``sc``, the paper's semantic compositional RL architecture; both trained with BC) are
evaluated on the same tasks the way the validator evaluates (best of its checkpoints;
:mod:`multitask_bc`).

An ``--archs`` entry may override preset fields: ``sc-dit:laptop:2500:dit_tokens=paired,lr_dit=1e-3``;
separate such entries with ``;``. ``keep_out=K`` among them trains with early stopping on K kept-out
training tasks (``TrainConfig.keep_out``). ``--reuse A.json,B.json`` takes the runs (and baselines) of
earlier runs of this benchmark whose entry and seed match, instead of training them again.

    python benchmarks/bench_zero_shot.py --loop-preset standard --tasks iiwa:test8 \\
        --archs mlp:laptop:5000,sc-dit:cpu:5000 --seeds 0,1 --baseline-steps 15000 \\
        --out benchmarks/results/zero_shot.md
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from report import command  # noqa: E402

from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from


def ci95(x) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (tasks resampled)."""
    x = np.asarray(x, float)
    rng = np.random.default_rng(0)
    means = x[rng.integers(0, len(x), (5000, len(x)))].mean(1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def model_dir(work: Path, spec: str, seed: int) -> Path:
    """The folder of an ``--archs`` entry's generator of diffusion seed ``seed`` (its zero-shot samples beside it)."""
    arch, gp, steps, *over = spec.split(":")
    return work / f"{arch}-{gp}-{steps}-{'-'.join(over).replace('=', '').replace(',', '-')}-s{seed}".replace("--", "-")


def train_cell(run: dict) -> str:
    where = "" if run.get("device", "cpu").startswith("cpu") else f" ({run.get('device_name', run['device'])})"
    return ("reused" if run["reused"] else f"{run['train_s']:.0f}") + where


def main(argv=None) -> None:
    from bench_generator_fidelity import real_pool
    from bench_generator_heldout import parse_config
    from bench_generator_speed import flops_per_sample
    from multitask_bc import baseline_success

    from compogen.data import read_synthetic
    from compogen.generator import TrainConfig, generate, train_generator
    from compogen.generator.architectures import count_parameters
    from compogen.generator.checkpoint import read_checkpoint
    from compogen.loop.config import LoopConfig, loop_preset
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loop-preset", default="standard")
    ap.add_argument("--loop-changes", default="", help="LoopConfig changes, e.g. train=iiwa:train14@ThreeLink,eval=iiwa:test@ThreeLink")
    ap.add_argument(
        "--archs",
        default="mlp:laptop:5000,sc-dit:cpu:5000",
        help="list of arch:generator-preset:steps[:changes], by commas (by semicolons when an entry has changes)",
    )
    ap.add_argument("--seeds", default="0,1", help="diffusion seeds")
    ap.add_argument("--tasks", default=None, help="held-out tasks (default: the loop preset's eval tasks)")
    ap.add_argument("--episodes", type=int, default=100, help="expert episodes per training task")
    ap.add_argument("--baseline-steps", type=int, default=0, help="multi-task BC steps (0: no baseline)")
    ap.add_argument("--baselines", default="mlp", help="comma list of multi-task policy architectures: mlp, sc")
    ap.add_argument("--baseline-seeds", default="0", help="comma list of seeds of each multi-task policy (its mean is reported)")
    ap.add_argument("--reuse", default=None, help="comma list of JSONs of earlier runs: matching runs and baselines are taken from them")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="torch device of generator training and generation (noise is device-independent)")
    ap.add_argument("--validation-device", default="cpu", help="torch device of the batched validator")
    ap.add_argument("--work", default="/tmp/compogen-zero-shot")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    lc = loop_preset(args.loop_preset).replace(**LoopConfig.parse_changes(args.loop_changes))
    suite = get_suite(lc.suite)
    train = suite.tasks(lc.train)
    tasks = suite.tasks(args.tasks or lc.eval)
    vcfg = vpreset(lc.validation_preset, device=args.validation_device, **({"steps": lc.validation_steps} if lc.validation_steps else {}))
    work = Path(args.work)
    pool = real_pool(suite, train, work / "data", args.episodes)
    layout = suite.transition_layout()
    ids = [suite.task_id(t) for t in tasks]

    old = {"runs": [], "baseline_seeds": {}}  # baseline_seeds: {arch: {seed: per-task results}}
    for f in args.reuse.split(",") if args.reuse else []:  # earlier files first; a later file's baselines win
        prev_run = json.loads(Path(f).read_text())
        old["runs"] += [{**r, "from": r.get("from", f)} for r in prev_run["runs"]]
        if "baseline_seeds" in prev_run:  # "baselines" there is the mean over these seeds
            seeded = {b: {int(k): v for k, v in per.items()} for b, per in prev_run["baseline_seeds"].items()}
        else:  # older files: one run of seed 0 ("baseline": the MLP's, before "baselines" held several)
            seeded = {b: {0: v} for b, v in (prev_run.get("baselines") or {}).items()}
            if prev_run.get("baseline"):
                seeded.setdefault("mlp", {0: prev_run["baseline"]})
        for b, per in seeded.items():
            old["baseline_seeds"].setdefault(b, {}).update(per)
    specs = [x for x in (args.archs.split(";") if (";" in args.archs or "=" in args.archs) else args.archs.split(",")) if x]
    runs = []  # one per (arch, seed)
    for spec in specs:
        arch, gp, steps, *over = spec.split(":")
        # TrainConfig's early-stopping fields (keep_out=2) go to TrainConfig, the rest change the preset
        changes = [x for o in over for x in o.split(",") if x]
        train_over = TrainConfig.parse_changes(",".join(x for x in changes if x.split("=")[0] in ("keep_out", "keep_out_every")))
        _, _, preset = parse_config(":".join([arch, gp, ",".join(x for x in changes if x.split("=")[0] not in train_over)]))
        label = f"{arch} ({gp}, {steps} steps{'; ' + ','.join(over) if over else ''})"  # one row group per entry
        for seed in [int(s) for s in args.seeds.split(",")]:
            prev = [r for r in old["runs"] if r.get("spec", f"{r['arch']}:{r['preset']}:{r['steps']}") == spec and r["seed"] == seed]
            if prev:
                runs.append({**prev[0], "spec": spec, "label": label})
                print(f"{label} seed {seed}: taken from {prev[0]['from']}", flush=True)
                continue
            model = model_dir(work, spec, seed)
            reused = (model / "config.json").exists()  # an identical earlier run (same data, settings, seed): resumed/reused
            t0 = time.perf_counter()
            train_generator(
                pool,
                layout,
                model,
                TrainConfig(arch=arch, preset=preset, seed=seed, steps=int(steps), device=args.device, **train_over),
                suite=suite.name,
                progress=True,
            )
            train_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            items = []
            for i, t in enumerate(tasks):
                path = model / f"zs-{ids[i]}-{lc.samples_per_task}.h5"
                if not path.exists():
                    generate(
                        model,
                        t,
                        lc.samples_per_task,
                        path,
                        sampler=lc.sampler,
                        steps=lc.sampler_steps,
                        seed=seed * 1000 + i,
                        progress=False,
                        device=args.device,
                    )
                items.append((t, read_synthetic(path, task=t, obs_dim=suite.observation_layout.dim, action_dim=suite.action_dim)))
            gen_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            res = validate_many(suite, items, vcfg, seeds=list(lc.rl_seeds), progress=False, max_policies=8)
            val_s = time.perf_counter() - t0
            sr = [r.success_rate for r in res]
            net = read_checkpoint(model).ema
            x = torch.zeros(8, layout.dim)
            cond = torch.as_tensor(layout.space.indicators([tasks[0]] * 8))
            runs.append(
                {
                    "spec": spec,
                    "label": label,
                    "params": count_parameters(net),
                    "fwd_flops_per_sample": flops_per_sample(net, x, cond),
                    "arch": arch,
                    "preset": gp,
                    "steps": int(steps),
                    "seed": seed,
                    "success": dict(zip(ids, sr, strict=True)),
                    "train_s": train_s,
                    "reused": reused,
                    "generate_s": gen_s,
                    "validate_s": val_s,
                    "device": f"{args.device}/{args.validation_device}",
                    "device_name": torch.cuda.get_device_name()
                    if torch.cuda.is_available() and args.device.startswith("cuda")
                    else platform.machine(),
                }
            )
            if args.out:  # each finished run is kept at once (a later --reuse of this file picks it up)
                Path(args.out).with_suffix(".json").write_text(json.dumps({"runs": runs, "baselines": {}}, indent=1))
            print(
                f"{label} seed {seed}: mean {np.mean(sr):.3f}, >tau0 {sum(s > TAU0 for s in sr)}/{len(sr)}, >0 {sum(s > 0 for s in sr)}"
                f" (train {train_s:.0f} s, generate {gen_s:.0f} s, validate {val_s:.0f} s)",
                flush=True,
            )

    bases, base_seeds = {}, {}  # bases: per task, the mean over seeds; base_seeds: {arch: {seed: per task}}
    if args.baseline_steps:
        n_evals = max(1, vcfg.steps // vcfg.eval_every)
        for b in args.baselines.split(","):
            for seed in [int(x) for x in args.baseline_seeds.split(",")]:
                res = old["baseline_seeds"].get(b, {}).get(seed)
                if res is None:
                    t0 = time.perf_counter()
                    res = baseline_success(suite, pool, tasks, args.baseline_steps, evals=n_evals, episodes=vcfg.eval_episodes, seed=seed, arch=b)
                    print(
                        f"multi-task BC ({b}) seed {seed}: mean {np.mean([r['best'] for r in res.values()]):.3f}, {time.perf_counter() - t0:.0f} s",
                        flush=True,
                    )
                base_seeds.setdefault(b, {})[seed] = res
                if args.out:  # one file per finished baseline too: a long run keeps what it measured
                    Path(args.out).with_suffix(".json").write_text(json.dumps({"runs": runs, "baseline_seeds": base_seeds}, indent=1))
            per = base_seeds[b].values()
            bases[b] = {k: {m: float(np.mean([r[k][m] for r in per])) for m in ("best", "final")} for k in ids}
    base_names = {"mlp": "multi-task BC (MLP)", "sc": "multi-task BC (semantic compositional)"}

    lines = [
        "# Zero-shot on held-out tasks: generator architectures against multi-task policies",
        "",
        command(__file__, argv),
        "",
        f"- real data: {len(train)} training tasks x {args.episodes} expert episodes (noise 0.1), {len(pool)} transitions",
        f"- per held-out task: {lc.samples_per_task} synthetic transitions, sampler `{lc.sampler}` ({lc.sampler_steps or 'default'} steps),"
        f" validation `{lc.validation_preset}` ({vcfg.algo}, {vcfg.steps} steps, best of {max(1, vcfg.steps // vcfg.eval_every)}"
        f" evaluations x {vcfg.eval_episodes} episodes), RL seeds {list(lc.rl_seeds)}",
        f"- {len(tasks)} held-out tasks; intervals: 95 % bootstrap over tasks; machine {platform.machine()}, {args.threads} threads, torch {torch.__version__}",
    ]
    if runs:  # none when only baselines were asked for
        lines += [
            "",
            "| generator | seed | steps | params | fwd MFLOP/sample | train s (device) | generate s | mean success [95 % CI] | tasks > tau0 | tasks > 0 |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
    for r in runs:
        r.setdefault("label", f"{r['arch']} ({r['preset']})")
        sr = list(r["success"].values())
        lo, hi = ci95(sr)
        size = f"{r['params'] / 1e6:.2f}M | {r['fwd_flops_per_sample'] / 1e6:.2f}" if "params" in r else "– | –"
        lines.append(
            f"| {r['label']} | {r['seed']} | {r['steps']} | {size} | {train_cell(r)} | {r['generate_s']:.0f} |"
            f" {np.mean(sr):.3f} [{lo:.2f}, {hi:.2f}] | {sum(s > TAU0 for s in sr)} | {sum(s > 0 for s in sr)} |"
        )
    archs = list(dict.fromkeys(r["label"] for r in runs))
    per_seed = {a: np.array([[r["success"][k] for k in ids] for r in runs if r["label"] == a]) for a in archs}
    per_arch = {a: v.mean(axis=0) for a, v in per_seed.items()}
    lines += ["", "Mean over seeds (interval: bootstrap over tasks of the seed-mean per task):", ""]
    lines += ["| generator | seeds | mean success [95 % CI] | seed means |", "|---|---:|---|---|"]
    for a, v in per_arch.items():
        lo, hi = ci95(v)
        lines.append(f"| {a} | {len(per_seed[a])} | {v.mean():.3f} [{lo:.2f}, {hi:.2f}] | {', '.join(f'{m:.3f}' for m in per_seed[a].mean(1))} |")
    for b, res in bases.items():
        v = np.array([res[k]["best"] for k in ids])
        lo, hi = ci95(v)
        seed_means = ", ".join(f"{np.mean([r[k]['best'] for k in ids]):.3f}" for r in base_seeds[b].values())
        lines.append(
            f"| {base_names[b]} ({args.baseline_steps} steps, best of checkpoints) | {len(base_seeds[b])} |"
            f" {v.mean():.3f} [{lo:.2f}, {hi:.2f}] | {seed_means} |"
        )
    for a1 in archs[1:]:  # each later entry against the first, paired by task
        a0 = archs[0]
        w1, w0 = int((per_arch[a1] > per_arch[a0]).sum()), int((per_arch[a0] > per_arch[a1]).sum())
        lo, hi = ci95(per_arch[a1] - per_arch[a0])
        lines += [
            "",
            f"Per task, `{a1}` beats `{a0}` on {w1} tasks, loses on {w0}, ties on {len(ids) - w0 - w1}; mean difference"
            f" {(per_arch[a1] - per_arch[a0]).mean():+.3f} [{lo:+.2f}, {hi:+.2f}] (paired by task).",
        ]
    for a1 in archs if bases else []:  # each generator against each multi-task policy, paired by task
        lines += ["", f"`{a1}` against the multi-task policies, task by task (interval: bootstrap over tasks):", ""]
        for b, res in bases.items():
            diff = per_arch[a1] - np.array([res[k]["best"] for k in ids])
            lo, hi = ci95(diff)
            w1, w0 = int((diff > 0).sum()), int((diff < 0).sum())
            lines.append(
                f"- {base_names[b]}: mean difference {diff.mean():+.3f} [{lo:+.2f}, {hi:+.2f}] (paired by task);"
                f" better on {w1} tasks, worse on {w0}, tied on {len(ids) - w0 - w1}."
            )
    head = " | ".join(archs + [base_names[b] for b in bases])
    lines += ["", f"| task | {head} |", "|---|" + "---:|" * (len(archs) + len(bases))]
    for j, k in enumerate(ids):
        cells = [f"{per_arch[a][j]:.2f}" for a in archs] + [f"{bases[b][k]['best']:.2f}" for b in bases]
        lines.append(f"| {k} | {' | '.join(cells)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        Path(args.out).with_suffix(".json").write_text(json.dumps({"runs": runs, "baselines": bases, "baseline_seeds": base_seeds}, indent=1))


if __name__ == "__main__":
    main()
