"""Generator fidelity: does synthetic data of the *training* tasks train policies like real data does?

1. Collects noisy expert data of the 14 training tasks (``iiwa:train14`` on the built-in suite,
   ``--episodes`` per task, as ``compogen bootstrap`` does) into ``--work``.
2. Trains ``--arch`` with the loop preset's generator settings (``--loop-preset``; ``--preset``
   and ``--steps`` override) on that pool.
3. For each training task generates the loop's ``samples_per_task`` transitions with the loop's
   sampler, and validates them exactly like real data of the same size (same validation preset,
   same seeds): per task the synthetic and real success, their ratio, and per-token distances
   (sliced W1 / MMD in normalised units, see ``bench_generator.compare``).

    python benchmarks/bench_generator_fidelity.py --arch mlp --loop-preset quick \\
        --out benchmarks/results/generator_fidelity_mlp_quick.md
    python benchmarks/bench_generator_fidelity.py --arch mlp --preset tiny --steps 20 --tasks iiwa:train2 --episodes 5  # smoke

``--preset-changes cond_masks=0.5`` trains with conditioning masks, so the hybrid samples the learnt conditional.

``--hybrid`` adds a third dataset per task: the real data's states with the generator's actions given them
(``Generator.sample_given``, inpainting), validated the same way. It measures the inpainted conditional policy
``a | s`` on states known to be right, the half of a transition the validator's BC learns from. Inpainting is a
different sampler from the joint one, so the hybrid can fail where joint samples pass (measured:
``generator_fidelity_mlp_hybrid.md``).

Target (issue 8): synthetic data passes tau0 = 0.8 on >= 12 of the 14 training tasks.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import command, emit  # noqa: E402

from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from


class LongerEpisodes:
    """A suite whose episodes run ``horizon`` steps before truncation (the built-in world uses the horizon for
    nothing else): validation with it says how much of a policy's failure is running out of time."""

    def __init__(self, suite, horizon: int):
        self._suite, self.horizon = suite, horizon

    def __getattr__(self, name: str):
        return getattr(self._suite, name)

    def make_env(self, task, **kwargs):
        return self._suite.make_env(task, horizon=self.horizon, **kwargs)

    def make_vector_env(self, task, num_envs: int, **kwargs):
        return self._suite.make_vector_env(task, num_envs, horizon=self.horizon, **kwargs)


def real_pool(suite, tasks, data_root: Path, episodes: int):
    """Noisy expert data of ``tasks`` (collected into ``data_root`` as ``compogen bootstrap`` does, reused if there)."""
    from compogen.data import find_datasets, load_pool
    from compogen.rl.rollout import CollectConfig, collect

    found = find_datasets(data_root, suite.space, "expert") if (data_root / "expert").exists() else {}
    missing = [t for t in tasks if t not in found]
    if missing:
        collect(suite, missing, data_root, CollectConfig(episodes=episodes, noise=0.1, seed=0), workers=2)
    return load_pool(data_root, tasks, suite)


def main(argv=None) -> None:
    from bench_generator import compare, flat

    from compogen.data import read_synthetic
    from compogen.generator import Generator, TrainConfig, generate, train_generator
    from compogen.generator.checkpoint import has_checkpoint, read_config
    from compogen.generator.presets import GeneratorPreset, get_preset
    from compogen.generator.train import fit_normalizer
    from compogen.loop.config import loop_preset
    from compogen.rl.rollout import expert_transitions
    from compogen.suites import get_suite
    from compogen.validation import preset as vpreset
    from compogen.validation import validate_many

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="sc-dit")
    ap.add_argument("--loop-preset", default="quick", help="generator, sampler and validation settings come from this loop preset")
    ap.add_argument("--preset", default=None, help="override the generator preset")
    ap.add_argument("--steps", type=int, default=None, help="override the generator training steps")
    ap.add_argument("--preset-changes", default="", help="generator preset fields, e.g. cond_masks=0.5 (conditioning-mask training)")
    ap.add_argument("--samples", type=int, default=None, help="override samples per task")
    ap.add_argument("--tasks", default="iiwa:train14")
    ap.add_argument("--episodes", type=int, default=100, help="expert episodes per training task")
    ap.add_argument("--seed", type=int, default=0, help="diffusion seed")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default="/tmp/compogen-fidelity", help="data and model directory (reused if present)")
    ap.add_argument("--hybrid", action="store_true", help="also validate real states with generated actions given them")
    ap.add_argument(
        "--eval-horizon", type=int, default=None, help="validate with episodes of this many steps (a diagnostic: is failing running out of time?)"
    )
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    lc = loop_preset(args.loop_preset)
    changes = GeneratorPreset.parse_changes(args.preset_changes) if args.preset_changes else {}
    preset_name = args.preset or lc.generator_preset
    gen_preset = get_preset(preset_name, **changes)
    steps = args.steps or lc.generator_steps or gen_preset.steps
    n = args.samples or lc.samples_per_task
    vcfg = vpreset(lc.validation_preset, **({"steps": lc.validation_steps} if lc.validation_steps else {}))
    seeds = list(lc.rl_seeds)
    suite = get_suite("builtin")
    tasks = suite.tasks(args.tasks)
    work = Path(args.work)
    data_root = work / "data"
    t0 = time.perf_counter()
    pool = real_pool(suite, tasks, data_root, args.episodes)
    collect_s = time.perf_counter() - t0
    layout = suite.transition_layout()
    label = preset_name + "".join(f"-{k}{v}" for k, v in changes.items())
    model_dir = work / f"{args.arch}-{label}-{steps}-s{args.seed}"
    # a finished generator in --work is used as it is (config only, no weights: one trained by older code too)
    reused = has_checkpoint(model_dir) and read_config(model_dir).get("step", 0) >= steps
    t0 = time.perf_counter()
    if not reused:
        train_generator(
            pool, layout, model_dir, TrainConfig(arch=args.arch, preset=gen_preset, seed=args.seed, steps=steps), suite=suite.name, progress=True
        )
    train_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    synth = []
    for i, t in enumerate(tasks):
        path = model_dir / f"samples-{suite.task_id(t)}-{n}.h5"
        if not path.exists():
            generate(model_dir, t, n, path, sampler=lc.sampler, steps=lc.sampler_steps, seed=args.seed * 1000 + i, progress=False)
        synth.append(read_synthetic(path, task=t, obs_dim=suite.observation_layout.dim, action_dim=suite.action_dim))
    gen_s = time.perf_counter() - t0
    real = [expert_transitions(suite, t, n, seed=10_000) for t in tasks]  # held-out seeds: not the training episodes
    norm = fit_normalizer(pool, layout)
    dist = [compare(layout, norm, flat(layout, s), flat(layout, r)) for s, r in zip(synth, real, strict=True)]

    hybrid, t0 = [], time.perf_counter()
    if args.hybrid:  # real states, generated (a, r, s', d) given them
        gen = Generator.load(model_dir)
        hybrid = [
            gen.sample_given(t, r.observations, sampler=lc.sampler, steps=lc.sampler_steps, seed=args.seed * 1000 + 500 + i)
            for i, (t, r) in enumerate(zip(tasks, real, strict=True))
        ]
    hyb_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    vsuite = LongerEpisodes(suite, args.eval_horizon) if args.eval_horizon else suite
    res_s = validate_many(vsuite, list(zip(tasks, synth, strict=True)), vcfg, seeds=seeds, progress=False, max_policies=8)
    res_r = validate_many(vsuite, list(zip(tasks, real, strict=True)), vcfg, seeds=seeds, progress=False, max_policies=8)
    res_h = validate_many(vsuite, list(zip(tasks, hybrid, strict=True)), vcfg, seeds=seeds, progress=False, max_policies=8) if hybrid else []
    val_s = time.perf_counter() - t0

    rows = []
    for i, (t, s, r, d, x) in enumerate(zip(tasks, res_s, res_r, dist, real, strict=True)):
        rows.append(
            {
                "task": suite.task_id(t),
                "synthetic": s.success_rate,
                "real": r.success_rate,
                "ratio": s.success_rate / r.success_rate if r.success_rate else float("nan"),
                "sw1": d["mean_sw1"],
                "mmd": d["mean_mmd"],
                "reward_mean": d["reward_mean"],
                "done_rate": d["done_rate"],
                "tokens": {k: round(v["sw1"], 3) for k, v in d["tokens"].items()},
            }
        )
        if hybrid:
            rmse = float(np.sqrt(((hybrid[i].actions - x.actions) ** 2).mean()))
            rows[-1] |= {"hybrid": res_h[i].success_rate, "hybrid_action_rmse": rmse}
    passed = sum(r["synthetic"] > TAU0 for r in rows)
    real_passed = sum(r["real"] > TAU0 for r in rows)
    shown = "".join(f", {k}={v}" for k, v in changes.items())
    lines = [
        f"# Generator fidelity: `{args.arch}` on the training tasks",
        "",
        command(__file__, argv),
        "",
        f"- pool: {len(tasks)} tasks x {args.episodes} expert episodes (noise 0.1), {len(pool)} transitions; collect {collect_s:.0f} s",
        f"- generator: {args.arch}, preset `{preset_name}`{shown}, {steps} steps, seed {args.seed}; train {'reused from an earlier run in --work' if reused else f'{train_s:.0f} s ({args.threads} threads)'}",
        f"- samples: {n} per task, sampler `{lc.sampler}` ({lc.sampler_steps or 'default'} steps); generate {gen_s:.0f} s"
        + (f"; hybrid {hyb_s:.0f} s" if hybrid else ""),
        f"- validation: preset `{lc.validation_preset}` ({vcfg.algo}, {vcfg.steps} steps), seeds {seeds}; real data: {n} expert transitions"
        f" from other episodes; validate {val_s:.0f} s"
        + (f"; episodes of {args.eval_horizon} steps (the suite's: {suite.horizon})" if args.eval_horizon else ""),
        f"- machine: {platform.machine()}, torch {torch.__version__}",
        "",
        f"**synthetic data passes tau0 = {TAU0} on {passed}/{len(rows)} training tasks** (real data: {real_passed}/{len(rows)});"
        f" mean success synthetic {np.mean([r['synthetic'] for r in rows]):.3f}, real {np.mean([r['real'] for r in rows]):.3f}",
        "",
    ]
    if hybrid:
        h_passed = sum(r["hybrid"] > TAU0 for r in rows)
        lines += [
            f"**hybrid (real states, generated actions given them) passes on {h_passed}/{len(rows)}**; mean success"
            f" {np.mean([r['hybrid'] for r in rows]):.3f}; RMSE of its actions against the real ones"
            f" {np.mean([r['hybrid_action_rmse'] for r in rows]):.3f}",
            "",
        ]
    hcols = " hybrid | hybrid action RMSE |" if hybrid else ""
    lines += [
        f"| task | synthetic | real | ratio |{hcols} mean token sW1 | mean token MMD | reward mean | done rate |",
        "|---|---:|---:|---:|" + ("---:|---:|" if hybrid else "") + "---:|---:|---:|---:|",
    ]
    for r in rows:
        hcells = f" {r['hybrid']:.2f} | {r['hybrid_action_rmse']:.3f} |" if hybrid else ""
        lines.append(
            f"| {r['task']} | {r['synthetic']:.2f} | {r['real']:.2f} | {r['ratio']:.2f} |{hcells} {r['sw1']:.3f} | {r['mmd']:.3f} |"
            f" {r['reward_mean']:.3f} | {r['done_rate']:.4f} |"
        )
    lines += ["", "Per-token sliced W1 (normalised units):", "", "```"]
    lines += [f"{r['task']}: {json.dumps(r['tokens'])}" for r in rows]
    lines += ["```"]
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
