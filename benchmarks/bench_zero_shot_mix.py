"""Zero-shot data of several generators mixed: do their biases average out in the policy?

    python benchmarks/bench_zero_shot_mix.py --reference benchmarks/results/zero_shot_samecode.json \\
        --mix "sc-dit:laptop:5000:dit_hidden=256@0+sc-dit:laptop:5000:dit_hidden=256@1+sc-dit:laptop:5000:dit_hidden=256@2" \\
        --work /tmp/loop-arch --out benchmarks/results/zero_shot_mix.md

Trains and generates nothing: it takes the zero-shot samples ``bench_zero_shot.py`` left beside each generator
(``--work``, members ``SPEC@SEED`` joined by ``+``) and validates, per held-out task, a dataset made of an equal
share of every member's samples, as many transitions as one member's (``--union``: all of them). The validator is
the loop's (the same preset, RL seeds and batched runs as ``bench_zero_shot.py``), so each mix compares with its
members' own zero-shot results and the multi-task policies of ``--reference``, task by task.

Why: a BC policy learns the mean action of its data in each state, and the generator's ``a | s`` is biased, not
just noisy (``action_precision.md``: a held bias of 0.2 per dimension costs the expert a third of its success,
noise of 0.2 a sixth). Generators of different seeds (or architectures) need not share their biases; mixed, the
policy averages them. Each member costs its own training and generation, so a mix of k generators is k times
the compute of one: the table says so and compares with the best member per task (what validating each member's
data and keeping the best, as the loop does with several generators per round, would reach at k times the
validation).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _members(mix: str) -> list[tuple[str, int]]:
    """``SPEC@SEED+SPEC@SEED`` -> [(spec, seed), ...]."""
    out = []
    for m in mix.split("+"):
        spec, sep, seed = m.rpartition("@")
        if not sep or not seed.isdigit():
            raise SystemExit(f"error: mix member {m!r} is not SPEC@SEED")
        out.append((spec, int(seed)))
    return out


def _mixed(parts: list, n: int, union: bool):
    """One dataset of ``n`` transitions, an equal share of each part's first rows (``union``: every row of all)."""
    from compogen.data import Transitions

    if union:
        return Transitions.concatenate(parts)
    k = len(parts)
    shares = [n // k + (i < n % k) for i in range(k)]
    for i, (d, m) in enumerate(zip(parts, shares, strict=True)):
        if m > len(d):
            raise SystemExit(f"error: member {i + 1} holds {len(d)} transitions, fewer than its share of {m}")
    return Transitions.concatenate([d.subset(slice(0, m)) for d, m in zip(parts, shares, strict=True)])


def main(argv=None) -> None:
    from bench_zero_shot import TAU0, ci95, model_dir
    from report import command, emit

    from compogen.data import read_synthetic
    from compogen.loop.config import loop_preset
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mix", action="append", required=True, help="members SPEC@SEED joined by +; repeat for several mixes")
    ap.add_argument("--reference", required=True, help="bench_zero_shot.py JSON holding every member's run and the multi-task policies")
    ap.add_argument("--union", action="store_true", help="every member's samples (k times the transitions), not an equal share")
    ap.add_argument("--rl-seeds", default=None, help="comma list of validation seeds (default: the loop preset's)")
    ap.add_argument(
        "--validate-members",
        action="store_true",
        help="validate each member's own samples with the same seeds too (default: its result in --reference)",
    )
    ap.add_argument("--loop-preset", default="standard")
    ap.add_argument("--work", default="/tmp/compogen-zero-shot")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    lc = loop_preset(args.loop_preset)
    suite = get_suite(lc.suite)
    tasks = suite.tasks(lc.eval)
    ids = [suite.task_id(t) for t in tasks]
    vcfg = vpreset(lc.validation_preset, **({"steps": lc.validation_steps} if lc.validation_steps else {}))
    rl_seeds = [int(x) for x in args.rl_seeds.split(",")] if args.rl_seeds else list(lc.rl_seeds)
    ref = json.loads(Path(args.reference).read_text())
    runs = {(r["spec"], r["seed"]): r["success"] for r in ref["runs"]}
    bases = {b: np.mean([[per[k]["best"] for k in ids] for per in seeds.values()], axis=0) for b, seeds in ref.get("baseline_seeds", {}).items()}
    base_names = {"mlp": "multi-task BC (MLP)", "sc": "multi-task BC (semantic compositional)"}

    def read(member: tuple[str, int], i: int):
        """Member ``(spec, seed)``'s zero-shot samples of held-out task ``i``."""
        path = model_dir(Path(args.work), *member) / f"zs-{ids[i]}-{lc.samples_per_task}.h5"
        return read_synthetic(path, task=tasks[i], obs_dim=suite.observation_layout.dim, action_dim=suite.action_dim)

    rows, own = [], {}
    for mix in args.mix:
        members = _members(mix)
        missing = [f"{s}@{d}" for s, d in members if (s, d) not in runs]
        if missing and not args.validate_members:
            raise SystemExit(f"error: {args.reference} has no run of {', '.join(missing)}")
        items = [(t, _mixed([read(m, i) for m in members], lc.samples_per_task, args.union)) for i, t in enumerate(tasks)]
        t0 = time.perf_counter()
        res = validate_many(suite, items, vcfg, seeds=rl_seeds, progress=False, max_policies=8)
        validate_s = time.perf_counter() - t0
        if args.validate_members:  # each member alone, the same seeds (a member shared by several mixes is validated once)
            for m in members:
                if m not in own:
                    alone = validate_many(suite, [(t, read(m, i)) for i, t in enumerate(tasks)], vcfg, seeds=rl_seeds, progress=False, max_policies=8)
                    own[m] = {k: r.success_rate for k, r in zip(ids, alone, strict=True)}
        single = np.array([[(own if args.validate_members else runs)[m][k] for k in ids] for m in members])
        rows.append(
            {
                "mix": mix,
                "members": [f"{s}@{d}" for s, d in members],
                "union": args.union,
                "transitions": int(np.mean([len(d) for _, d in items])),
                "success": {k: r.success_rate for k, r in zip(ids, res, strict=True)},
                "members_mean": dict(zip(ids, single.mean(0).tolist(), strict=True)),
                "members_best": dict(zip(ids, single.max(0).tolist(), strict=True)),
                "validate_s": validate_s,
            }
        )
        print(f"{mix}: mean {np.mean(list(rows[-1]['success'].values())):.3f} ({rows[-1]['validate_s']:.0f} s)", file=sys.stderr, flush=True)

    lines = [
        "# Zero-shot data of several generators mixed (validator success on the held-out tasks)",
        "",
        command(__file__, argv),
        "",
        f"- `{args.loop_preset}` preset's {len(ids)} held-out tasks, validation `{lc.validation_preset}`, RL seeds {rl_seeds};"
        f" members' samples from `{args.work}`; their own results "
        + ("validated here with the same seeds" if args.validate_members else f"from `{args.reference}`")
        + f"; the multi-task policies from `{args.reference}`",
        f"- per task: {'every member sample (union)' if args.union else f'an equal share of each member, {lc.samples_per_task} transitions in all'}",
        "",
        "| mix | members | mixed [95 % CI] | members' mean | best member per task | tasks > tau0 (mixed / members' mean) | mixed - members' mean (paired) |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        v, m, b = (np.array([r[key][k] for k in ids]) for key in ("success", "members_mean", "members_best"))
        lo, hi = ci95(v)
        dlo, dhi = ci95(v - m)
        lines.append(
            f"| {' + '.join(r['members'])} | {len(r['members'])} | {v.mean():.3f} [{lo:.2f}, {hi:.2f}] | {m.mean():.3f} | {b.mean():.3f} |"
            f" {int((v > TAU0).sum())} / {int((m > TAU0).sum())} | {(v - m).mean():+.3f} [{dlo:+.2f}, {dhi:+.2f}] |"
        )
    for r in rows if bases else []:
        v = np.array([r["success"][k] for k in ids])
        lines += ["", f"`{' + '.join(r['members'])}` against the multi-task policies (mean over their seeds), paired by task:", ""]
        for name, base in bases.items():
            d = v - base
            lo, hi = ci95(d)
            lines.append(
                f"- {base_names.get(name, name)} ({base.mean():.3f}): {d.mean():+.3f} [{lo:+.2f}, {hi:+.2f}];"
                f" better on {int((d > 0).sum())} tasks, worse on {int((d < 0).sum())}."
            )
    lines += ["", "| task | " + " | ".join(f"mix {i + 1}" for i in range(len(rows))) + " | " + " | ".join(base_names.get(b, b) for b in bases) + " |"]
    lines += ["|---|" + "---:|" * (len(rows) + len(bases))]
    for j, k in enumerate(ids):
        lines.append(
            f"| {k} | " + " | ".join(f"{r['success'][k]:.2f}" for r in rows) + " | " + " | ".join(f"{bases[b][j]:.2f}" for b in bases) + " |"
        )
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
