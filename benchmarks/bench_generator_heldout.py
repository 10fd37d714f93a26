"""Compositional generalisation without a simulator: the denoising loss on held-out tasks' real data.

Each ``--configs`` entry ``arch:preset[:field=value,...]`` (fields of ``GeneratorPreset``) is trained
on the real data of the 14 training tasks with ``train_generator``; every ``--every`` steps its EMA
weights are scored with EDM's weighted denoising loss on fixed draws (rows, noise levels, noise) of
(a) the training tasks' data and (b) real expert data of the 32 held-out tasks, which no generator
sees. Loss on (b) rising while (a) falls is overfitting to the training tasks; the gap at equal
training time compares how well each design composes.

``--holdout-train K`` keeps K of the training tasks out of the generator's data and scores them too (c):
a signal a user has without any target task's data. The report says whether early stopping on (c)
picks the checkpoint that (b) would have picked.

    python benchmarks/bench_generator_heldout.py --configs mlp:laptop,sc-dit:laptop:dit_tokens=paired \\
        --steps 1500 --every 250 --out benchmarks/results/generator_heldout.md
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from report import command  # noqa: E402


def parse_config(spec: str):
    """``arch:preset[:k=v,...]`` → (label, arch, GeneratorPreset)."""
    from compogen.generator.presets import GeneratorPreset, get_preset

    arch, preset, *rest = spec.split(":")
    changes = GeneratorPreset.parse_changes(",".join(rest))
    return spec, arch, get_preset(preset).replace(**changes, name=f"{preset}*" if changes else preset)


def main(argv=None) -> None:
    from bench_generator_fidelity import real_pool

    from compogen.generator import TrainConfig, train_generator
    from compogen.generator.architectures import count_parameters
    from compogen.generator.checkpoint import read_checkpoint
    from compogen.generator.early_stop import denoising_loss, fixed_draws, split_kept_out
    from compogen.generator.edm import EDMConfig
    from compogen.suites import get_suite

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", required=True, help="comma list of arch:preset[:field=value,...]; separate entries with ';'")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rows", type=int, default=4096, help="scored rows per split")
    ap.add_argument("--holdout-train", type=int, default=0, help="training tasks kept out of the generator's data and scored (early-stopping signal)")
    ap.add_argument("--work", default="/tmp/compogen-zero-shot")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    suite = get_suite("builtin")
    train_tasks, test_tasks = suite.tasks("iiwa:train14"), suite.tasks("iiwa:test")
    work = Path(args.work)
    pool = real_pool(suite, train_tasks, work / "data", 100)
    held = real_pool(suite, test_tasks, work / "heldout-data", 10)
    kept_out = None
    if args.holdout_train:
        pool, kept_out = split_kept_out(pool, args.holdout_train, args.seed)
    layout = suite.transition_layout()
    edm = EDMConfig()  # noise levels drawn as in training
    rows = []
    for spec in args.configs.split(";"):
        label, arch, preset = parse_config(spec)
        tag = f"-out{args.holdout_train}" if args.holdout_train else ""
        out = work / "heldout" / f"{label.replace(':', '_').replace(',', '_').replace('=', '-')}-s{args.seed}-{args.steps}{tag}"
        curve, t_train = [], 0.0
        draws = None
        for stop in range(args.every, args.steps + 1, args.every):
            t0 = time.perf_counter()
            train_generator(pool, layout, out, TrainConfig(arch=arch, preset=preset, seed=args.seed, steps=args.steps), stop_at=stop, progress=False)
            t_train += time.perf_counter() - t0
            ck = read_checkpoint(out)
            if draws is None:
                draws = (fixed_draws(pool, layout, ck.normalizer, args.rows, 1, edm), fixed_draws(held, layout, ck.normalizer, args.rows, 2, edm))
                if kept_out is not None:
                    draws += (fixed_draws(kept_out, layout, ck.normalizer, args.rows, 3, edm),)
            lt, lh, *lk = (denoising_loss(ck.ema, d) for d in draws)
            point = {"step": stop, "train_s": t_train, "train_loss": lt, "heldout_loss": lh}
            if lk:
                point["kept_out_loss"] = lk[0]
            curve.append(point)
            extra = f", kept-out training-task loss {lk[0]:.4f}" if lk else ""
            print(f"{label} step {stop}: train-task loss {lt:.4f}, held-out loss {lh:.4f}{extra} ({t_train:.0f} s)", flush=True)
        rows.append({"config": label, "arch": arch, "params": count_parameters(ck.ema), "curve": curve})

    lines = [
        "# Held-out denoising loss: how well each generator design composes (no simulator)",
        "",
        command(__file__, argv),
        "",
        f"- trained on {len(pool.tasks)} training tasks x 100 expert episodes ({len(pool)} transitions); held-out: "
        f"{len(test_tasks)} tasks x 10 expert episodes ({len(held)} transitions), never trained on",
        *(
            [
                f"- kept out of the generator's data: {len(kept_out.tasks)} training tasks ({', '.join(suite.space.task_id(t) for t in kept_out.tasks)}; "
                f"{len(kept_out)} transitions), scored as a signal for early stopping"
            ]
            if kept_out is not None
            else []
        ),
        f"- EMA weights scored with EDM's weighted denoising loss on {args.rows} fixed rows per split (same rows, noise levels and noise for every model)",
        f"- seed {args.seed}; machine {platform.machine()}, {args.threads} threads, torch {torch.__version__}",
        "",
        "| config | params | train s | train-task loss | held-out loss | best held-out (step) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        last = r["curve"][-1]
        best = min(r["curve"], key=lambda c: c["heldout_loss"])
        lines.append(
            f"| `{r['config']}` | {r['params'] / 1e6:.2f}M | {last['train_s']:.0f} | {last['train_loss']:.4f} | {last['heldout_loss']:.4f} |"
            f" {best['heldout_loss']:.4f} ({best['step']}) |"
        )
    if kept_out is not None:
        lines += [
            "",
            "Early stopping on the kept-out training tasks (the checkpoint with their lowest loss) against the best and the last checkpoint, scored on the held-out tasks:",
            "",
            "| config | stop at (kept-out) | held-out loss there | best held-out (step) | last held-out |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in rows:
            pick = min(r["curve"], key=lambda c: c["kept_out_loss"])
            best = min(r["curve"], key=lambda c: c["heldout_loss"])
            lines.append(
                f"| `{r['config']}` | {pick['step']} | {pick['heldout_loss']:.4f} | {best['heldout_loss']:.4f} ({best['step']}) | {r['curve'][-1]['heldout_loss']:.4f} |"
            )
    third = " / kept-out training-task" if kept_out is not None else ""
    lines += ["", f"Curves (step: train-task / held-out{third} loss):", ""]
    for r in rows:
        lines.append(
            f"- `{r['config']}`: "
            + ", ".join(
                f"{c['step']}: {c['train_loss']:.3f} / {c['heldout_loss']:.3f}" + (f" / {c['kept_out_loss']:.3f}" if "kept_out_loss" in c else "")
                for c in r["curve"]
            )
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        Path(args.out).with_suffix(".json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
