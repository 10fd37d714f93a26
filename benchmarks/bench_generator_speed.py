"""Training speed of the denoisers: the a0f8214 implementation against today's, in the same run.

For each generator preset and architecture: parameters, forward FLOPs per sample (torch's
``FlopCounterMode``; a training step costs about 3x), and milliseconds per training step
(loss, backward, clip, AdamW, EMA) with minibatches that mix the 14 training tasks:

* ``old``: the DiTs of commit a0f8214 (``tests/generator/reference_dit.py``: per-element maps looped
  in Python with a host sync, one adaLN linear per block), per-tensor AdamW, an EMA loop over tensors;
* ``new``: today's modules, fused AdamW with the absent-element guard, the batched EMA update.

Old and new blocks of steps alternate; each figure is the fastest block (the machine is shared).
The headline is the target of the compositional issue: the small sc-dit's steps/s relative to the
small mlp's, new against old.

    python benchmarks/bench_generator_speed.py --threads 1 --out benchmarks/results/generator_speed.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "generator"))
from report import command  # noqa: E402

# a0f8214's DiT settings at the small/laptop size: the rows that have an ``old`` counterpart.
A0F8214_DIT = "dit_tokens=split,dit_mlp_ratio=4,dit_hidden=128,dit_pos_std=0.02,dit_zero_decoder=false"


def old_backbone(arch, layout, p):
    import reference_dit as ref

    from compogen.generator.architectures import ARCHITECTURES, build_backbone

    entry = ARCHITECTURES[arch]
    if entry.family == "mlp":
        return build_backbone(arch, layout, p)
    if p.dit_tokens != "split":
        return None  # a0f8214 had one token per factor's s and s' only
    return ref.DiTDenoiser(layout, entry.tokenizer, hidden=p.dit_hidden, depth=p.dit_depth, heads=p.dit_heads, mlp_ratio=p.dit_mlp_ratio)


def new_backbone(arch, layout, p):
    from compogen.generator.architectures import build_backbone

    return build_backbone(arch, layout, p)


def flops_per_sample(net, x, cond) -> float:
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        net(x, torch.full((x.shape[0],), 0.5), cond)
    return fc.get_total_flops() / x.shape[0]


def make_step(kind, net, p, arch, x, cond):
    """A closure running one training step the way ``kind`` (old/new) trains."""
    from compogen.generator.optim import AbsentElementGuard, make_adamw, update_ema

    params = list(net.parameters())
    ema = [t.detach().clone() for t in params]
    if kind == "old":
        opt = torch.optim.AdamW(params, lr=p.lr(arch), weight_decay=p.weight_decay(arch), betas=(0.9, 0.999))
    else:
        opt = make_adamw(params, lr=p.lr(arch), weight_decay=p.weight_decay(arch))
        guard = AbsentElementGuard(net, opt, getattr(net.backbone, "element_indices", None))
        ema_net = _Params(ema)
        live = _Params(params)
    g = torch.Generator().manual_seed(0)

    def step():
        loss = net.loss(x, cond, generator=g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_([q for q in params if q.grad is not None], p.grad_clip)
        if kind == "old":
            opt.step()
            with torch.no_grad():
                for pe, pm in zip(ema, params, strict=True):
                    pe.lerp_(pm.detach(), 1 - p.ema_decay)
        else:
            guard.step(cond)
            update_ema(ema_net, live, p.ema_decay)
        loss.item()

    return step


class _Params(nn.Module):
    """A module holding given tensors as its parameters (the EMA update's interface)."""

    def __init__(self, tensors):
        super().__init__()
        self.params = nn.ParameterList([t if isinstance(t, nn.Parameter) else nn.Parameter(t, requires_grad=False) for t in tensors])


def time_blocks(steps: dict, n_steps: int, blocks: int) -> dict:
    best = {k: float("inf") for k in steps}
    for s in steps.values():  # warm-up
        s()
        s()
    for _ in range(blocks):
        for k, s in steps.items():
            t0 = time.perf_counter()
            for _ in range(n_steps):
                s()
            best[k] = min(best[k], (time.perf_counter() - t0) / n_steps)
    return best


def main(argv=None) -> None:
    from compogen.generator.architectures import count_parameters
    from compogen.generator.edm import EDMDenoiser
    from compogen.generator.presets import GeneratorPreset, get_preset
    from compogen.suites import get_suite

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default="cpu,small,laptop")
    ap.add_argument(
        "--archs",
        default=f"mlp;dit;semantic-dit;sc-dit;sc-dit:{A0F8214_DIT}",
        help="';' list of arch[:field=value,...] (GeneratorPreset fields applied to each preset)",
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5, help="steps per timed block")
    ap.add_argument("--blocks", type=int, default=3)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)

    suite = get_suite("builtin")
    layout = suite.transition_layout()
    tasks = suite.tasks("iiwa:train14")
    rows = []
    for pname in args.presets.split(","):
        base = get_preset(pname)
        b = base.batch_size
        cond = torch.as_tensor(layout.space.indicators([tasks[i % len(tasks)] for i in range(b)]))
        x = torch.randn(b, layout.dim, generator=torch.Generator().manual_seed(1))
        for spec in args.archs.split(";"):
            arch, _, over = spec.partition(":")
            p = base.replace(**GeneratorPreset.parse_changes(over))
            nets = {}
            for kind, build in (("old", old_backbone), ("new", new_backbone)):
                torch.manual_seed(0)
                bb = build(arch, layout, p)
                if bb is not None:
                    nets[kind] = EDMDenoiser(bb)
            steps = {k: make_step(k, n, p, arch, x, cond) for k, n in nets.items()}
            t = time_blocks(steps, args.steps, args.blocks)
            net = nets["new"]
            row = {
                "preset": pname,
                "arch": spec,
                "batch": b,
                "params": count_parameters(net),
                "fwd_flops_per_sample": flops_per_sample(net, x[:64], cond[:64]),
                "old_ms": t.get("old", float("nan")) * 1e3,
                "new_ms": t["new"] * 1e3,
                "load": round(os.getloadavg()[0], 2),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)

    def ratio(kind, pname, arch):
        r = {x["arch"]: x for x in rows if x["preset"] == pname}
        return r["mlp"][f"{kind}_ms"] / r[arch][f"{kind}_ms"] if arch in r and "mlp" in r else float("nan")

    lines = [
        "# Denoiser training speed: a0f8214 against today, same run",
        "",
        command(__file__, argv),
        "",
        f"Built-in layout ({layout.dim} dims); minibatches mixing the 14 training tasks; {args.threads} torch thread(s),"
        f" fastest of {args.blocks} alternating blocks of {args.steps} steps; machine {platform.machine()}, torch {torch.__version__}."
        " `dit_tokens=paired`: 5 tokens (a factor's s and s' in one token) instead of 11; such variants have no a0f8214"
        " counterpart.",
        "",
        "| preset | arch | params | fwd MFLOP/sample | old ms/step | new ms/step | speed-up | new steps/s ÷ mlp's | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        sp = r["old_ms"] / r["new_ms"]
        lines.append(
            f"| {r['preset']} | {r['arch']} | {r['params'] / 1e6:.3f}M | {r['fwd_flops_per_sample'] / 1e6:.2f} | {r['old_ms']:.1f} | {r['new_ms']:.1f} |"
            f" {sp:.2f}x | {ratio('new', r['preset'], r['arch']):.3f} | {r['load']} |"
        )
    if any(r["preset"] == "small" for r in rows):
        # a0f8214's small sc-dit: the row with an old counterpart (the paper's split tokens at this size).
        old = next(
            (
                ratio("old", "small", r["arch"])
                for r in rows
                if r["preset"] == "small" and r["arch"].startswith("sc-dit") and math.isfinite(r["old_ms"])
            ),
            float("nan"),
        )
        lines += ["", "Target (small preset): sc-dit steps/s ÷ mlp steps/s, new ÷ old, at least 2x:", ""]
        for arch in [a for a in args.archs.split(";") if a.startswith("sc-dit")]:
            new = ratio("new", "small", arch)
            lines.append(f"- `{arch}`: {new:.3f} against a0f8214's sc-dit {old:.3f}: **{new / old:.2f}x**")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        Path(args.out).with_suffix(".json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
