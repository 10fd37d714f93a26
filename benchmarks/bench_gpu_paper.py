"""The ``paper`` preset on a GPU against the paper's Table 8 (one RTX A6000).

Times, on ``--device``:

* training: ms per step of the ``paper`` generator preset (batch 1024) for ``sc-dit`` and ``mlp``, the
  bare step (loss, backward, clip, fused AdamW with the absent-element guard, EMA; one minibatch on
  the device) and ``train_generator``'s own loop (minibatches packed on the CPU from the 14 training
  tasks' real data, then moved); extrapolated to the paper's 100,000 steps;
* generation: ``generate()`` of ``--gen-n`` transitions of one held-out task with the paper's
  128-step sampler and with ``fast``, at the paper's generator batch (25,000), extrapolated to
  1M transitions; the counter-based noise is drawn on the CPU (it is device-independent by design),
  so its share is timed apart (paper batch: 25,000; ``--gen-batch``);
* validation: the batched TD3+BC validator with the ``paper`` validation preset (Table 3), P policies
  trained together, timed at two step counts so that the per-step cost is apart from evaluation;
  extrapolated to the paper's 50,000 steps per policy.

Weights are those of a short training run: timing does not depend on them.

    python benchmarks/bench_gpu_paper.py --device cuda --work /tmp/cg --out benchmarks/results/gpu_paper.md
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

#: The paper's Table 8 (hours on one RTX A6000): monolithic (mlp) and S+C DiT (sc-dit).
TABLE8_H = {"train": {"mlp": 0.98, "sc-dit": 4.12}, "generate_1m": {"mlp": 0.23, "sc-dit": 2.40}, "policy": 0.28}
PAPER_TRAIN_STEPS = 100_000
PAPER_POLICY_STEPS = 50_000


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv=None) -> None:
    from bench_generator_fidelity import real_pool
    from bench_generator_speed import flops_per_sample, make_step, time_blocks

    from compogen.data import read_synthetic
    from compogen.generator import TrainConfig, generate, train_generator
    from compogen.generator.architectures import build_denoiser, count_parameters
    from compogen.generator.presets import get_preset
    from compogen.generator.rng import counter_normal
    from compogen.generator.samplers import get_sampler
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--preset", default="paper", help="generator preset")
    ap.add_argument("--archs", default="sc-dit,mlp")
    ap.add_argument("--step-blocks", type=int, default=3)
    ap.add_argument("--block-steps", type=int, default=10)
    ap.add_argument("--loop-steps", type=int, default=200, help="train_generator steps timed (after 20 warm-up steps)")
    ap.add_argument("--gen-n", type=int, default=10_000, help="transitions timed per sampler (the time scales linearly)")
    ap.add_argument("--gen-batch", type=int, default=10_000, help="generation batch (the paper's: 25,000)")
    ap.add_argument("--samplers", default="paper,fast")
    ap.add_argument("--val-preset", default="paper")
    ap.add_argument("--val-policies", type=int, default=8, help="policies trained together (tasks x 1 seed)")
    ap.add_argument("--val-n", type=int, default=10_000, help="transitions per policy's dataset")
    ap.add_argument("--val-steps", default="500,1500", help="two step counts; the difference gives ms per step")
    ap.add_argument("--episodes", type=int, default=100)
    ap.add_argument("--work", default="/tmp/compogen-gpu")
    ap.add_argument("--sections", default="train,validate", help="train (with generation), validate")
    ap.add_argument("--merge", default=None, help="JSON of an earlier run whose sections this run does not time")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    sections = args.sections.split(",")
    dev = args.device
    suite = get_suite("builtin")
    layout = suite.transition_layout()
    train = suite.tasks("iiwa:train14")
    heldout = suite.tasks("iiwa:test")
    work = Path(args.work)
    pool = real_pool(suite, train, work / "data", args.episodes)
    name = torch.cuda.get_device_name() if dev.startswith("cuda") else platform.machine()
    res: dict = {"device": name, "torch": torch.__version__, "preset": args.preset, "train": {}, "generate": {}, "validate": {}}
    if args.merge:
        res.update({k: v for k, v in json.loads(Path(args.merge).read_text()).items() if k in ("train", "generate", "validate") and v})

    def save():
        if args.out:
            Path(args.out).with_suffix(".json").write_text(json.dumps(res, indent=1))

    p = get_preset(args.preset)
    for arch in args.archs.split(",") if "train" in sections else []:
        b = p.batch_size
        cond = torch.as_tensor(layout.space.indicators([train[i % len(train)] for i in range(b)])).to(dev)
        x = torch.randn(b, layout.dim, generator=torch.Generator().manual_seed(1)).to(dev)
        torch.manual_seed(0)
        net = build_denoiser(arch, layout, p).to(dev)
        ms = time_blocks({"s": make_step("new", net, p, arch, x, cond)}, args.block_steps, args.step_blocks)["s"] * 1e3
        row = {
            "params": count_parameters(net),
            "batch": b,
            "step_ms": ms,
            "fwd_flops_per_sample": flops_per_sample(net.cpu(), x[:64].cpu(), cond[:64].cpu()),
        }
        del net
        model = work / f"gpu-{arch}-{args.preset}"
        cfg = TrainConfig(arch=arch, preset=args.preset, seed=0, device=dev)
        train_generator(pool, layout, model, cfg, suite=suite.name, resume=False, stop_at=20, progress=False)
        sync(dev)
        t0 = time.perf_counter()
        train_generator(pool, layout, model, cfg, suite=suite.name, resume=True, stop_at=20 + args.loop_steps, progress=False)
        sync(dev)
        row["loop_ms"] = (time.perf_counter() - t0) / args.loop_steps * 1e3  # includes one checkpoint write
        row["train_h_paper_steps"] = row["loop_ms"] * PAPER_TRAIN_STEPS / 3.6e6
        row["table8_h"] = TABLE8_H["train"].get(arch)
        res["train"][arch] = row
        print(arch, json.dumps(row), flush=True)
        save()

        for sname in filter(None, args.samplers.split(",")):
            out = work / f"gpu-{arch}-{sname}.h5"
            generate(model, heldout[0], min(1000, args.gen_n), out, sampler=sname, batch_size=args.gen_batch, progress=False, device=dev)  # warm-up
            sync(dev)
            t0 = time.perf_counter()
            generate(model, heldout[0], args.gen_n, out, sampler=sname, batch_size=args.gen_batch, progress=False, device=dev)
            sync(dev)
            s = time.perf_counter() - t0
            n = len(read_synthetic(out, task=heldout[0], obs_dim=suite.observation_layout.dim, action_dim=suite.action_dim))
            calls = get_sampler(sname).denoiser_calls
            t0 = time.perf_counter()
            counter_normal(0, torch.arange(args.gen_batch), 1, layout.dim)
            noise_s = (time.perf_counter() - t0) * calls / args.gen_batch * n  # one draw per call (upper bound)
            g = {
                "n": n,
                "seconds": s,
                "denoiser_calls": calls,
                "per_1m_h": s / n * 1e6 / 3600,
                "cpu_noise_s_est": noise_s,
                "table8_h": TABLE8_H["generate_1m"].get(arch),
            }
            res["generate"][f"{arch}/{sname}"] = g
            print(arch, sname, json.dumps(g), flush=True)
            save()

    # validation: P policies (one per training task, seed 0) on its real data (the timing does not depend on the data)
    if "validate" in sections:
        tasks = train[: args.val_policies]
        items = [(t, pool.select(t)) for t in tasks]
        warm = vpreset(args.val_preset, steps=50, eval_every=50, eval_episodes=1, device=dev)
        validate_many(suite, items, warm, seeds=[0], progress=False, max_policies=len(items))
        times = {}
        for st in [int(s) for s in args.val_steps.split(",")]:
            vcfg = vpreset(args.val_preset, steps=st, eval_every=st, device=dev)
            t0 = time.perf_counter()
            validate_many(suite, items, vcfg, seeds=[0], progress=False, max_policies=len(items))
            sync(dev)
            times[st] = time.perf_counter() - t0
        (s1, t1), (s2, t2) = sorted(times.items())
        per_step = (t2 - t1) / (s2 - s1)
        vc = vpreset(args.val_preset)
        res["validate"] = {
            "policies": len(items),
            "algo": vc.algo,
            "batch": vc.batch_size,
            "seconds": {str(k): v for k, v in times.items()},
            "ms_per_step_all_policies": per_step * 1e3,
            "policy_h_paper_steps_each_in_group": per_step * PAPER_POLICY_STEPS / 3600,
            "eval_and_setup_s": t1 - per_step * s1,
            "table8_h": TABLE8_H["policy"],
        }
        print("validate", json.dumps(res["validate"]), flush=True)
        save()

    lines = [
        f"# The `{args.preset}` preset on {name} against the paper's Table 8 (one RTX A6000)",
        "",
        command(__file__, argv),
        "",
        f"torch {torch.__version__}, fp32 (TF32 off: torch's default). Extrapolations: training to {PAPER_TRAIN_STEPS:,} steps,"
        f" generation to 1M transitions at batch {args.gen_batch:,}, policies to {PAPER_POLICY_STEPS:,} steps.",
        "",
        "| arch | params | fwd MFLOP/sample | batch | bare step ms | train_generator ms/step | 100k steps h | Table 8 h | Table 8 ÷ here |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for arch, r in res["train"].items():
        ref = r["table8_h"]
        lines.append(
            f"| {arch} | {r['params'] / 1e6:.1f}M | {r['fwd_flops_per_sample'] / 1e6:.1f} | {r['batch']} | {r['step_ms']:.1f} | {r['loop_ms']:.1f} |"
            f" {r['train_h_paper_steps']:.2f} | {ref} | {ref / r['train_h_paper_steps']:.1f}x |"
        )
    lines += [
        "",
        "| arch / sampler | denoiser calls | transitions timed | s | 1M h | Table 8 h | Table 8 ÷ here | CPU noise (est.) s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k, g in res["generate"].items():
        ref = g["table8_h"]
        lines.append(
            f"| {k} | {g['denoiser_calls']} | {g['n']:,} | {g['seconds']:.1f} | {g['per_1m_h']:.3f} | {ref} | {ref / g['per_1m_h']:.1f}x | {g['cpu_noise_s_est']:.1f} |"
        )
    v = res["validate"] or None
    lines += (
        []
        if v is None
        else [
            "",
            f"Validation ({v['algo']}, batch {v['batch']}): {v['policies']} policies trained together, {v['ms_per_step_all_policies']:.1f} ms per step"
            f" for all of them; {PAPER_POLICY_STEPS:,} steps take {v['policy_h_paper_steps_each_in_group']:.3f} h for the group"
            f" ({v['policy_h_paper_steps_each_in_group'] / v['policies']:.4f} h per policy) against Table 8's {v['table8_h']} h per task"
            f" (evaluation and setup at the shorter run: {v['eval_and_setup_s']:.0f} s).",
        ]
    )
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
