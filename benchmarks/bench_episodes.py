"""Chained synthetic episodes against independent transitions: does the validator train as well on them?

For each task: whole episodes synthesised by chaining the generator's conditional
(:func:`compogen.generator.episodes.synthesize_episodes`, initial states from the simulator's reset),
batches of ``--batch-episodes`` until at least the loop preset's ``samples_per_task`` transitions; then
the same number of independent transitions (:func:`compogen.generator.generate`), with the loop's
sampler. Both are validated with the loop's validation preset and RL seeds.

    python benchmarks/bench_episodes.py --model /tmp/cg/mlp-laptop-5000-s0 --out benchmarks/results/episodes.md

``--policy-arm`` adds a third arm: episodes whose actions come from the independent arm's validated policy (its best
actor, seed ``rl_seeds[0]``, plus the expert data's action noise) and whose ``(r, s', d)`` the generator gives
(``synthesize_episodes(policy=...)``), as many transitions again.

``--combine A.json,B.json`` runs nothing: it regroups the rows of earlier runs (each run with its own ``--tasks``) into
the loop preset's training and held-out tasks and writes one table, so the benchmark can run in parts side by side.
A task's episodes are seeded by its position in its run's list, so parts give other draws than one whole run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> None:
    from report import command, emit

    from compogen.data import Transitions
    from compogen.generator import Generator
    from compogen.generator.episodes import initial_states, synthesize_episodes
    from compogen.loop.config import loop_preset
    from compogen.rl.policy_io import load_policy, policy_path
    from compogen.rl.rollout import CollectConfig
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="generator run directory (required unless --combine)")
    ap.add_argument("--combine", default=None, help="comma list of this benchmark's JSONs: regroup their rows, run nothing")
    ap.add_argument("--loop-preset", default="standard")
    ap.add_argument("--tasks", default=None, help="split spec (default: the preset's training then held-out tasks)")
    ap.add_argument("--batch-episodes", type=int, default=48)
    ap.add_argument("--policy-arm", action="store_true", help="add episodes driven by the independent arm's validated policy")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="torch device of the generator (synthesis and independent samples)")
    ap.add_argument("--validation-device", default="cpu", help="torch device of the batched validator")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    lc = loop_preset(args.loop_preset)
    if args.combine:
        suite = get_suite("builtin")
        split = {suite.task_id(t): "training" for t in suite.tasks(lc.train)} | {suite.task_id(t): "held-out" for t in suite.tasks(lc.eval)}
        rows = [r | {"group": split.get(r["task"], "other")} for f in args.combine.split(",") for r in json.loads(Path(f).read_text())]
        groups = [g for g in ("training", "held-out", "other") if any(r["group"] == g for r in rows)]
        head = [f"- the rows of {args.combine.replace(',', ', ')}, regrouped into the `{args.loop_preset}` preset's training and held-out tasks"]
        emit(
            [
                "# Chained synthetic episodes against independent transitions (validator success)",
                "",
                command(__file__, argv),
                "",
                *head,
                *_tables(rows, groups),
            ],
            args.out,
            rows,
        )
        return
    if not args.model:
        ap.error("--model is required (unless --combine)")
    gen = Generator.load(args.model, args.device)
    suite = get_suite(gen.config["suite"])
    groups = {"custom": suite.tasks(args.tasks)} if args.tasks else {"training": suite.tasks(lc.train), "held-out": suite.tasks(lc.eval)}
    vcfg = vpreset(lc.validation_preset, device=args.validation_device, **({"steps": lc.validation_steps} if lc.validation_steps else {}))
    rows, t0 = [], time.perf_counter()
    kept = tempfile.TemporaryDirectory(prefix="bench-episodes-policies-")  # the independent arm's actors
    policies = Path(kept.name)

    def chain(task, i, min_n, policy=None):
        parts, n, e0 = [], 0, 0
        while n < min_n:
            init = initial_states(suite, task, args.batch_episodes, seed=i, start=e0)
            parts.append(synthesize_episodes(gen, task, init, suite.horizon, lc.sampler, lc.sampler_steps, seed=i, start=e0, policy=policy))
            n += len(parts[-1])
            e0 += args.batch_episodes
        return Transitions.concatenate(parts)

    def score(name, items, group_rows, out_dir=None):
        res = validate_many(suite, items, vcfg, seeds=list(lc.rl_seeds), progress=False, max_policies=8, out_dir=out_dir)
        for r, row in zip(res, group_rows, strict=True):
            row[name] = r.success_rate
        print(f"{group_rows[0]['group']} {name}: mean {np.mean([r.success_rate for r in res]):.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)

    for group, tasks in groups.items():
        chained, indep = [], []
        for i, task in enumerate(tasks):
            t1 = time.perf_counter()
            ep = chain(task, i, lc.samples_per_task)
            t_chain = time.perf_counter() - t1
            t1 = time.perf_counter()
            ind = gen.sample(task, len(ep), lc.sampler, lc.sampler_steps, seed=1000 + i)
            t_ind = time.perf_counter() - t1
            chained.append((task, ep))
            indep.append((task, ind))
            ends = ep.terminals | ep.timeouts
            rows.append(
                {
                    "group": group,
                    "task": suite.task_id(task),
                    "transitions": len(ep),
                    "episodes": int(ends.sum()),
                    "terminated": float(ep.terminals.sum() / ends.sum()),
                    "chain_s": t_chain,
                    "independent_s": t_ind,
                }
            )
            print(
                f"{group} {rows[-1]['task']}: {len(ep)} transitions in {rows[-1]['episodes']} episodes ({t_chain:.0f} s; independent {t_ind:.0f} s)",
                flush=True,
            )

        group_rows = [r for r in rows if r["group"] == group]
        score("chained", chained, group_rows)
        score("independent", indep, group_rows, out_dir=policies)
        if args.policy_arm:  # the independent arm's validated actors drive the episodes
            driven = []
            for i, ((task, ind), row) in enumerate(zip(indep, group_rows, strict=True)):
                t1 = time.perf_counter()
                actor, _ = load_policy(policy_path(policies, row["task"], lc.rl_seeds[0]))
                driven.append((task, chain(task, 10_000 + i, len(ind), policy=actor)))
                row["policy_s"] = time.perf_counter() - t1
            score("policy", driven, group_rows)
    kept.cleanup()

    info = gen.info()
    lines = [
        "# Chained synthetic episodes against independent transitions (validator success)",
        "",
        command(__file__, argv),
        "",
        f"- generator `{args.model}` ({info['arch']}, {info['preset']}, step {info['step']}); sampler `{lc.sampler}` ({lc.sampler_steps} steps)",
        f"- per task: episodes of up to {suite.horizon} steps until >= {lc.samples_per_task} transitions, and as many independent transitions;"
        f" validation `{lc.validation_preset}` ({vcfg.algo}, {vcfg.steps} steps), RL seeds {list(lc.rl_seeds)}",
        *(
            [
                "- policy arm: episodes (as many transitions as the independent arm) whose actions are the independent arm's best"
                f" validated actor (RL seed {lc.rl_seeds[0]}) plus noise {CollectConfig.noise}, with (r, s', d) from the generator given (s, a)"
            ]
            if args.policy_arm
            else []
        ),
        f"- machine {platform.machine()}, {args.threads} threads, torch {torch.__version__}, devices {args.device} / {args.validation_device}",
    ]
    emit(lines + _tables(rows, list(groups)), args.out, rows)


def _tables(rows: list[dict], groups: list[str]) -> list[str]:
    """The summaries per group (means, intervals, how often an episode arm >= independent) and the per-task table."""
    from bench_zero_shot import ci95

    def against_independent(g: list[dict], arm: str) -> str:
        x, d = np.array([r[arm] for r in g]), np.array([r["independent"] for r in g])
        (xl, xh), (dl, dh) = ci95(x), ci95(d)
        return f"| {g[0]['group']} | {len(g)} | {x.mean():.3f} [{xl:.2f}, {xh:.2f}] | {d.mean():.3f} [{dl:.2f}, {dh:.2f}] | {int((x >= d).sum())} of {len(g)} |"

    lines = [
        "",
        "| tasks | n | chained success [95 % CI] | independent success [95 % CI] | chained >= independent | episodes ending in a terminal | chain s / independent s per task |",
        "|---|---:|---|---|---:|---:|---|",
    ]
    for group in groups:
        g = [r for r in rows if r["group"] == group]
        lines.append(
            against_independent(g, "chained")
            + f" {np.mean([r['terminated'] for r in g]):.2f} | {np.mean([r['chain_s'] for r in g]):.1f} / {np.mean([r['independent_s'] for r in g]):.1f} |"
        )
    if any("policy" in r for r in rows):
        lines += [
            "",
            "| tasks | n | policy-driven episodes [95 % CI] | independent [95 % CI] | policy-driven >= independent | policy-driven s per task |",
            "|---|---:|---|---|---:|---:|",
        ]
        for group in groups:
            g = [r for r in rows if r["group"] == group and "policy" in r]
            if g:
                lines.append(against_independent(g, "policy") + f" {np.mean([r['policy_s'] for r in g]):.1f} |")
    pol = any("policy" in r for r in rows)
    lines += [
        "",
        "| task | group | transitions | episodes | chained | independent |" + (" policy-driven |" if pol else ""),
        "|---|---|---:|---:|---:|---:|" + ("---:|" if pol else ""),
    ]
    lines += [
        f"| {r['task']} | {r['group']} | {r['transitions']} | {r['episodes']} | {r['chained']:.2f} | {r['independent']:.2f} |"
        + (f" {r['policy']:.2f} |" if pol else "")
        for r in rows
    ]
    return lines


if __name__ == "__main__":
    main()
