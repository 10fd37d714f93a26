"""Generator benchmarks (issue 4): parameters, training and sampling speed, sampler quality.

Sections (``--section``, default ``all``), each writing
``benchmarks/results/generator_<section>.json``; ``generator_results.md`` is
rebuilt from whatever JSON files exist:

* ``params``     — parameter counts of every architecture × preset (CompoSuite and built-in layouts);
* ``train``      — training steps/s per architecture and preset, fp32 vs bf16 autocast
                   (CompoSuite layout, 164 dims, minibatches mixing 14 tasks);
* ``throughput`` — transitions/s per denoiser call (inference) fp32 / bf16 / torch.compile,
                   and the time to generate 100k transitions with the paper sampler (255 calls)
                   vs the fast sampler (40 calls), extrapolated from the per-call time and
                   checked against a measured end-to-end ``generate()`` run;
* ``memory``     — peak RSS of a fresh process generating 10k / 100k / 400k transitions;
* ``quality``    — built-in suite: expert data collected here, an sc-dit trained on 4 tasks,
                   samples of the paper / fast / heun samplers vs held-out real episodes:
                   per-token sliced Wasserstein-1 and MMD (normalised units), reward mean,
                   success-transition and done rates; references: real-vs-real (noise floor)
                   and a per-dim Gaussian fit of the real data (a poor generator).

Timings use ``torch.set_num_threads(--threads)`` on a shared 2-core machine; the
1-minute load average is recorded next to each section (other engineers' jobs).

    python benchmarks/bench_generator.py --section all --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from compogen.data import OfflineDatasetWriter, Transitions, dataset_path, load_pool
from compogen.generator import ARCHITECTURES, GENERATOR_PRESETS, Generator, TrainConfig, build_denoiser, count_parameters, generate, train_generator
from compogen.generator.architectures import PAPER_PARAMS
from compogen.generator.samplers import get_sampler
from compogen.suites import get_suite

RESULTS = Path(__file__).parent / "results"


def load() -> float:
    return round(os.getloadavg()[0], 2)


def env_info(threads: int) -> dict:
    return {
        "torch": torch.__version__,
        "threads": threads,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }


def random_pool(layout, tasks, n: int, seed: int = 0) -> Transitions:
    sp = layout.space
    rng = np.random.default_rng(seed)
    ti = rng.integers(0, len(tasks), n).astype(np.int16)
    obs = rng.normal(size=(n, layout.obs_dim)).astype(np.float32)
    lo = layout.observation_layout
    obs[:, lo.task_id_start : lo.task_id_stop] = lo.obs_task_block(sp.indicators(tasks)[ti], sp)
    return Transitions(
        obs,
        rng.normal(size=(n, layout.action_dim)).astype(np.float32),
        rng.random(n).astype(np.float32),
        obs.copy(),
        rng.random(n) < 0.1,
        task_index=ti,
        tasks=list(tasks),
    )


# ----------------------------------------------------------------------------------- params
def bench_params(args) -> dict:
    out = {}
    for suite in ("composuite", "builtin"):
        lay = get_suite(suite).transition_layout()
        out[suite] = {
            "dim": lay.dim,
            "counts": {a: {p: count_parameters(build_denoiser(a, lay, p)) for p in GENERATOR_PRESETS} for a in ARCHITECTURES},
        }
    out["paper_reported"] = PAPER_PARAMS
    out["paper_rel_error"] = {a: (out["composuite"]["counts"][a]["paper"] - v) / v for a, v in PAPER_PARAMS.items()}
    return out


def interleaved_best(fns: dict, min_block_s: float, blocks: int, max_reps: int = 1000) -> dict:
    """Seconds per call of each function: blocks of calls alternate between the functions
    (so bursts of load from other processes hit all alike) and the fastest block counts."""
    reps = {}
    for k, f in fns.items():  # warm-up, and size each block to about min_block_s
        f()
        t0 = time.perf_counter()
        f()
        reps[k] = max(1, min(max_reps, int(min_block_s / max(time.perf_counter() - t0, 1e-6))))
    best = {k: float("inf") for k in fns}
    for _ in range(blocks):
        for k, f in fns.items():
            t0 = time.perf_counter()
            for _ in range(reps[k]):
                f()
            best[k] = min(best[k], (time.perf_counter() - t0) / reps[k])
    return best


# ----------------------------------------------------------------------------------- train
def bench_train(args) -> dict:
    lay = get_suite("composuite").transition_layout()
    tasks = get_suite("composuite").tasks("iiwa:train14") if True else None
    rows = []
    for preset in args.presets:
        p = GENERATOR_PRESETS[preset]
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(p.batch_size, lay.dim, generator=gen)
        cond = torch.as_tensor(lay.space.indicators([tasks[i % len(tasks)] for i in range(p.batch_size)]))
        for arch in ARCHITECTURES:
            torch.manual_seed(0)
            net = build_denoiser(arch, lay, p)
            opt = torch.optim.AdamW(net.parameters(), lr=p.lr(arch), weight_decay=p.weight_decay(arch))
            row = {"arch": arch, "preset": preset, "batch": p.batch_size, "params": count_parameters(net)}

            def step(bf16):
                loss = net.loss(x, cond, generator=gen, autocast_bf16=bf16)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()

            big = preset == "paper"
            sec = interleaved_best({"fp32": lambda: step(False), "bf16": lambda: step(True)}, 0.1 if big else args.block_s, 1 if big else args.blocks)
            for k, dt in sec.items():
                row[k] = {"steps_per_s": 1 / dt, "transitions_per_s": p.batch_size / dt}
            row["bf16_speedup"] = row["bf16"]["steps_per_s"] / row["fp32"]["steps_per_s"]
            row["load"] = load()
            row["est_hours_full_budget_fp32"] = p.steps / row["fp32"]["steps_per_s"] / 3600
            print(json.dumps(row), flush=True)
            rows.append(row)
    return {
        "rows": rows,
        "note": "mixed-task minibatches (14 IIWA train tasks); time per optimizer step incl. clip + AdamW; fp32 and bf16 blocks interleaved, fastest block of each (paper preset: 1 timed step after 2 warm-up steps)",
    }


# ----------------------------------------------------------------------------------- throughput
def time_calls(fn, x, sigma, cond, reps: int) -> float:
    with torch.no_grad():
        fn(x, sigma, cond)
        t0 = time.perf_counter()
        for _ in range(reps):
            fn(x, sigma, cond)
    return (time.perf_counter() - t0) / reps


def bench_throughput(args) -> dict:
    lay = get_suite("composuite").transition_layout()
    task = "iiwa-box-none-push"
    rows = []
    for preset in args.presets:
        b = 1024 if preset == "paper" else 4096
        x = torch.randn(b, lay.dim)
        sigma = torch.full((b,), 0.5)
        cond = torch.as_tensor(lay.space.indicator(task)).expand(b, -1)
        for arch in ARCHITECTURES:
            torch.manual_seed(0)
            net = build_denoiser(arch, lay, preset).eval()
            row = {"arch": arch, "preset": preset, "batch": b}

            def bf(x, s, c):
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    return net(x, s, c)

            with torch.no_grad():
                big = preset == "paper"
                sec = interleaved_best(
                    {"fp32": lambda: net(x, sigma, cond), "bf16": lambda: bf(x, sigma, cond)}, 0.1 if big else args.block_s, 1 if big else args.blocks
                )
            row["fp32"], row["bf16"] = b / sec["fp32"], b / sec["bf16"]
            if args.compile and preset in args.compile_presets and arch in args.compile_archs:
                try:
                    t0 = time.perf_counter()
                    comp = torch.compile(net, dynamic=False)
                    with torch.no_grad():
                        comp(x, sigma, cond)
                    row["compile_seconds"] = time.perf_counter() - t0
                    with torch.no_grad():
                        sec = interleaved_best(
                            {"eager": lambda: net(x, sigma, cond), "compiled": lambda: comp(x, sigma, cond)}, args.block_s, args.blocks
                        )
                    row["compiled_fp32"] = b / sec["compiled"]
                    row["eager_fp32_same_run"] = b / sec["eager"]
                except Exception as e:  # noqa: BLE001 -- no compiler available etc.: reported in the row, the benchmark goes on
                    row["compile_error"] = f"{type(e).__name__}: {str(e)[:200]}"
            best = max(row["fp32"], row["bf16"])
            for name in ("paper", "fast", "heun"):
                calls = get_sampler(name).denoiser_calls
                row[f"gen_100k_{name}_s"] = 100_000 * calls / best
            row["load"] = load()
            print(json.dumps(row), flush=True)
            rows.append(row)
    # end-to-end check of the extrapolation with a real generate() call (small preset sc-dit)
    e2e = []
    if args.no_e2e:
        return {
            "rows": rows,
            "end_to_end": e2e,
            "note": "transitions/s per denoiser call = batch / seconds per call (no grad; fp32/bf16 blocks interleaved, fastest block)",
        }
    with tempfile.TemporaryDirectory() as d:
        pool = random_pool(lay, [lay.space.parse(task)], 512)
        for arch in ("sc-dit", "mlp"):
            run = train_generator(pool, lay, Path(d) / arch, TrainConfig(arch=arch, preset="small", steps=1), progress=False)
            for name in ("fast", "paper"):
                n = 4096 if name == "fast" else 1024
                t0 = time.perf_counter()
                generate(run, task, n, Path(d) / "g.h5", sampler=name, batch_size=4096, progress=False)
                dt = time.perf_counter() - t0
                e2e.append(
                    {"arch": arch, "preset": "small", "sampler": name, "n": n, "seconds": dt, "extrapolated_100k_s": dt * 100_000 / n, "load": load()}
                )
                print(json.dumps(e2e[-1]), flush=True)
    return {
        "rows": rows,
        "end_to_end": e2e,
        "note": "transitions/s per denoiser call = batch / seconds per call (no grad; fp32/bf16 blocks interleaved, fastest block); gen_100k_* = 100k × calls / best(fp32, bf16) throughput, i.e. extrapolated",
    }


# ----------------------------------------------------------------------------------- memory
_MEM_CHILD = """
import resource, sys, torch
torch.set_num_threads(1)
from compogen.generator import generate
generate(sys.argv[1], "iiwa-box-none-push", int(sys.argv[2]), sys.argv[3], sampler="fast", steps=2, batch_size=1024, progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory(args) -> dict:
    """Peak RSS of a fresh process running ``generate()`` for growing n (tiny sc-dit, 2-step sampler)."""
    import subprocess

    lay = get_suite("composuite").transition_layout()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        pool = random_pool(lay, [lay.space.parse("iiwa-box-none-push")], 512)
        run = train_generator(pool, lay, Path(d) / "run", TrainConfig(arch="sc-dit", preset="tiny", steps=1), progress=False)
        for n in (10_000, 100_000, 400_000):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", _MEM_CHILD, str(run), str(n), str(Path(d) / "g.h5")], capture_output=True, text=True, check=True
            )
            rss_mb = int(out.stdout.strip().splitlines()[-1]) / 1024
            size_mb = (Path(d) / "g.h5").stat().st_size / 2**20
            rows.append({"n": n, "peak_rss_mb": rss_mb, "file_mb": size_mb, "seconds": time.perf_counter() - t0})
            print(json.dumps(rows[-1]), flush=True)
    return {"rows": rows, "note": "batch_size 1024; the in-memory size of n transitions is n*(2*93+8+2)*4 bytes"}


# ----------------------------------------------------------------------------------- quality
def collect(suite, tasks, root: Path, episodes: int, seed: int, type_: str = "expert") -> dict:
    lay = suite.transition_layout()
    stats = {}
    for k, task in enumerate(tasks):
        env, ex = suite.make_env(task), suite.expert(task)
        succ = 0
        with OfflineDatasetWriter(dataset_path(root, task, suite.space, type_), lay.obs_dim, lay.action_dim) as w:
            for ep in range(episodes):
                ex.reset()
                o, _ = env.reset(seed=seed + 1000 * k + ep)
                obs, acts, rews, sucs = [o], [], [], []
                while True:
                    a = ex.act(o)
                    o, r, te, tr, info = env.step(a)
                    obs.append(o)
                    acts.append(a)
                    rews.append(r)
                    sucs.append(info["success"])
                    if te or tr:
                        break
                succ += bool(info["success"])
                w.add_episode(np.array(obs), np.array(acts), np.array(rews), np.array(sucs), terminated=bool(te))
        stats[suite.task_id(task)] = {"episodes": episodes, "success_rate": succ / episodes}
    return stats


def sliced_w1(a: np.ndarray, b: np.ndarray, n_proj: int = 64, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    m = min(len(a), len(b))
    a, b = a[rng.permutation(len(a))[:m]], b[rng.permutation(len(b))[:m]]
    d = rng.normal(size=(a.shape[1], n_proj))
    d /= np.linalg.norm(d, axis=0, keepdims=True)
    pa, pb = np.sort(a @ d, axis=0), np.sort(b @ d, axis=0)
    return float(np.abs(pa - pb).mean())


def mmd_rbf(a: np.ndarray, b: np.ndarray, n: int = 1500, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    a = torch.as_tensor(a[rng.permutation(len(a))[:n]], dtype=torch.float64)
    b = torch.as_tensor(b[rng.permutation(len(b))[:n]], dtype=torch.float64)
    z = torch.cat([a, b])
    d2 = torch.cdist(z, z) ** 2
    pos = d2[d2 > 0]
    bw = pos.median() if pos.numel() else torch.tensor(1.0, dtype=torch.float64)
    k = torch.exp(-d2 / bw)
    na = len(a)
    kaa, kbb, kab = k[:na, :na], k[na:, na:], k[:na, na:]
    m = kaa.sum() / (na * na) + kbb.sum() / (len(b) ** 2) - 2 * kab.mean()
    return float(m.clamp_min(0).sqrt())


def compare(layout, norm, gen_flat: np.ndarray, real_flat: np.ndarray) -> dict:
    g, r = norm.normalize(gen_flat), norm.normalize(real_flat)
    g[:, layout.d] = g[:, layout.d] > 0.5
    per = {}
    for t in layout.tokens:
        sl = slice(t.start, t.stop)
        per[t.name] = {"sw1": sliced_w1(g[:, sl], r[:, sl]), "mmd": mmd_rbf(g[:, sl], r[:, sl])}
    out = {
        "tokens": per,
        "mean_sw1": float(np.mean([v["sw1"] for v in per.values()])),
        "mean_mmd": float(np.mean([v["mmd"] for v in per.values()])),
        "joint_sw1": sliced_w1(g, r),
        "joint_mmd": mmd_rbf(g, r),
        "reward_mean": float(gen_flat[:, layout.r].mean()),
        "success_rate": float((gen_flat[:, layout.r] >= 0.95).mean()),
        "done_rate": float((gen_flat[:, layout.d] > 0.5).mean()),
    }
    return out


def flat(layout, t: Transitions) -> np.ndarray:
    return layout.pack(t.observations, t.actions, t.rewards, t.next_observations, t.terminals)


def bench_quality(args) -> dict:
    suite = get_suite("builtin")
    lay = suite.transition_layout()
    sp = suite.space
    train_ids = ["fivelink-box-none-push", "fivelink-plate-objectwall-push", "threelink-box-objectwall-pickplace", "threelink-plate-none-pickplace"]
    unseen_ids = ["fivelink-box-objectwall-pickplace"]
    train_tasks, unseen = [sp.parse(t) for t in train_ids], [sp.parse(t) for t in unseen_ids]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench_gen_"))
    t0 = time.perf_counter()
    stats = collect(suite, train_tasks + unseen, work / "train", args.episodes, seed=0)
    collect(suite, train_tasks + unseen, work / "heldout", max(10, args.episodes // 2), seed=10**6)
    t_collect = time.perf_counter() - t0
    pool = load_pool(work / "train", train_tasks, suite)
    held = load_pool(work / "heldout", train_tasks + unseen, suite)
    real_train_unseen = load_pool(work / "train", unseen, suite)
    print(f"collected {len(pool)} train / {len(held)} held-out transitions in {t_collect:.0f}s", flush=True)
    res = {
        "train_tasks": train_ids,
        "unseen_tasks": unseen_ids,
        "expert": stats,
        "train_transitions": len(pool),
        "heldout_transitions": len(held),
        "collect_seconds": t_collect,
        "archs": {},
    }
    for arch in args.quality_archs:
        run = work / f"run-{arch}"
        reused = (run / "config.json").exists()
        t0 = time.perf_counter()
        train_generator(
            pool,
            lay,
            run,
            TrainConfig(arch=arch, preset=args.quality_preset, seed=0, steps=args.quality_steps, bf16=args.bf16),
            progress=not args.quiet,
            suite="builtin",
        )
        t_train = time.perf_counter() - t0
        g = Generator.load(run)
        norm = g.normalizer
        per_task = {}
        for task in train_tasks[: args.eval_train_tasks] + unseen:
            tid = sp.task_id(task)
            real = flat(lay, held.select(task))
            entry = {"real_heldout_n": len(real)}
            # references: other real episodes of the task (noise floor) and a per-dim Gaussian fit (poor generator)
            ref = flat(lay, (pool if task in train_tasks else real_train_unseen).select(task))
            entry["ref_real_vs_real"] = compare(lay, norm, ref, real)
            rng = np.random.default_rng(0)
            gauss = (rng.normal(size=(args.n_samples, lay.dim)) * ref.std(0) + ref.mean(0)).astype(np.float32)
            entry["ref_gaussian_fit"] = compare(lay, norm, gauss, real)
            for name in args.samplers:
                t1 = time.perf_counter()
                x = g.sample_flat(task, args.n_samples, name, seed=1, batch_size=args.n_samples)
                entry[name] = compare(lay, norm, x, real)
                entry[name]["seconds"] = time.perf_counter() - t1
                entry[name]["denoiser_calls"] = get_sampler(name).denoiser_calls
            entry["real"] = {
                "reward_mean": float(real[:, lay.r].mean()),
                "success_rate": float((real[:, lay.r] >= 0.95).mean()),
                "done_rate": float((real[:, lay.d] > 0.5).mean()),
            }
            per_task[tid] = entry
            print(
                tid,
                json.dumps(
                    {
                        k: (v.get("mean_sw1"), v.get("mean_mmd"), v.get("reward_mean"), v.get("done_rate"))
                        for k, v in entry.items()
                        if isinstance(v, dict)
                    }
                ),
                flush=True,
            )
        res["archs"][arch] = {
            "preset": args.quality_preset,
            "steps": g.config["step"],
            "reused_checkpoint": reused,
            "train_seconds": t_train,
            "tasks": per_task,
            "load": load(),
        }
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return res


# ----------------------------------------------------------------------------------- report
def markdown() -> str:
    L = [
        "# Generator benchmarks",
        "",
        "Written by `benchmarks/bench_generator.py` (see its docstring for the setup).",
        "",
        "Machine: 2 cores shared with other engineers' jobs (the `load` column is the 1-minute load average). "
        "With 2 torch threads under that load, OpenMP threads wait on each other at barriers and timings swing by up to 10x "
        "(a direct check: 40 sc-dit/cpu training steps took 3.3-6.4 s with 1 thread, 19.9 s with 2); the 1-thread tables are the "
        "more trustworthy ones. On this CPU (avx512_bf16, no AMX) bf16 autocast made training slower (0.3-0.8x of fp32) in every measurement; for sampling it ranged 0.7-1.25x (faster only for the small-width DiTs).",
        "",
    ]
    f = RESULTS / "generator_params.json"
    if f.exists():
        d = json.loads(f.read_text())
        L += [
            "## Parameter counts",
            "",
            "| arch | " + " | ".join(GENERATOR_PRESETS) + " | paper (reported) |",
            "|---" * (len(GENERATOR_PRESETS) + 2) + "|",
        ]
        for a in ARCHITECTURES:
            c = d["result"]["composuite"]["counts"][a]
            rep = PAPER_PARAMS.get(a)
            cells = " | ".join(f"{c[p] / 1e6:.3f}M" for p in GENERATOR_PRESETS)
            L.append(f"| {a} | {cells} | " + (f"{rep / 1e6:.2f}M (ours {(c['paper'] - rep) / rep:+.1%})" if rep else "–") + " |")
        L += ["", "CompoSuite layout (dim 164).", ""]
    for f in sorted(RESULTS.glob("generator_train*.json")):
        d = json.loads(f.read_text())
        L += [
            f"## Training speed ({d['env']['threads']} thread(s))",
            "",
            f"threads={d['env']['threads']}; {d['result']['note']}",
            "",
            "| arch | preset | batch | fp32 steps/s | bf16 steps/s | bf16 speed-up | full budget fp32 (h) | load |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in d["result"]["rows"]:
            L.append(
                f"| {r['arch']} | {r['preset']} | {r['batch']} | {r['fp32']['steps_per_s']:.2f} | {r['bf16']['steps_per_s']:.2f} | {r['bf16_speedup']:.2f}× | {r['est_hours_full_budget_fp32']:.1f} | {r['load']} |"
            )
        L.append("")
    for f in sorted(RESULTS.glob("generator_throughput*.json")):
        d = json.loads(f.read_text())
        L += [
            f"## Sampling speed ({d['env']['threads']} thread(s))",
            "",
            f"threads={d['env']['threads']}; {d['result']['note']}",
            "",
            "| arch | preset | batch | fp32 tr/s/call | bf16 tr/s/call | compiled fp32 | 100k paper (255 calls) | 100k fast (40 calls) | load |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in d["result"]["rows"]:
            comp = f"{r['compiled_fp32']:.0f}" if "compiled_fp32" in r else ("error" if "compile_error" in r else "–")
            L.append(
                f"| {r['arch']} | {r['preset']} | {r['batch']} | {r['fp32']:.0f} | {r['bf16']:.0f} | {comp} | {r['gen_100k_paper_s'] / 60:.1f} min | {r['gen_100k_fast_s'] / 60:.1f} min | {r['load']} |"
            )
        if not d["result"].get("end_to_end"):
            L.append("")
            continue
        L += [
            "",
            "End-to-end `generate()` (measured on n transitions, scaled to 100k):",
            "",
            "| arch | preset | sampler | n | seconds | → 100k | load |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in d["result"]["end_to_end"]:
            L.append(
                f"| {r['arch']} | {r['preset']} | {r['sampler']} | {r['n']} | {r['seconds']:.1f} | {r['extrapolated_100k_s'] / 60:.1f} min | {r['load']} |"
            )
        L.append("")
    f = RESULTS / "generator_memory.json"
    if f.exists():
        d = json.loads(f.read_text())
        L += ["## Peak memory of `generate()`", "", d["result"]["note"], "", "| n | peak RSS (MB) | file (MB) |", "|---|---|---|"]
        for r in d["result"]["rows"]:
            L.append(f"| {r['n']} | {r['peak_rss_mb']:.0f} | {r['file_mb']:.1f} |")
        L.append("")
    f = RESULTS / "generator_quality.json"
    if f.exists():
        d = json.loads(f.read_text())["result"]
        L += [
            "## Sampler quality (built-in suite)",
            "",
            f"Train tasks {d['train_tasks']} ({d['train_transitions']} expert transitions), unseen {d['unseen_tasks']}; "
            f"held-out: {d['heldout_transitions']} transitions of other expert episodes. Metrics in normalised units, mean over the 11 tokens "
            "(sliced W1 with 64 directions; MMD with an RBF kernel, median bandwidth); lower is better.",
            "",
        ]
        for arch, a in d["archs"].items():
            steps = a["steps"] or GENERATOR_PRESETS[a["preset"]].steps
            how = (
                "checkpoint reused from --workdir (trained by an earlier run of the same command)"
                if a.get("reused_checkpoint", a["train_seconds"] < 60)
                else f"trained in {a['train_seconds']:.0f} s"
            )
            L += [
                f"### {arch} (preset {a['preset']}, {steps} steps; {how})",
                "",
                "| task | generator | calls | mean SW1 | mean MMD | joint SW1 | reward mean | success rate | done rate |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for tid, e in a["tasks"].items():
                for k in ["ref_real_vs_real", "ref_gaussian_fit"] + [s for s in e if s in ("paper", "fast", "heun", "dpmpp-2m")]:
                    v = e[k]
                    L.append(
                        f"| {tid} | {k} | {v.get('denoiser_calls', '')} | {v['mean_sw1']:.3f} | {v['mean_mmd']:.3f} | {v['joint_sw1']:.3f} | {v['reward_mean']:.3f} | {v['success_rate']:.3f} | {v['done_rate']:.3f} |"
                    )
                r = e["real"]
                L.append(f"| {tid} | real held-out | | | | | {r['reward_mean']:.3f} | {r['success_rate']:.3f} | {r['done_rate']:.3f} |")
            L.append("")
    return "\n".join(L) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--section", default="all", choices=["all", "params", "train", "throughput", "memory", "quality", "report"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--presets", nargs="+", default=["cpu", "small", "paper"])
    ap.add_argument("--block-s", type=float, default=1.5, help="seconds per timing block")
    ap.add_argument("--blocks", type=int, default=3, help="interleaved timing blocks per variant (fastest counts)")
    ap.add_argument("--no-e2e", action="store_true", help="skip the end-to-end generate() timing")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile (slow to compile)")
    ap.add_argument("--compile-archs", nargs="+", default=["mlp", "sc-dit"])
    ap.add_argument("--compile-presets", nargs="+", default=["small"])
    ap.add_argument("--episodes", type=int, default=30, help="expert episodes per task for the quality check")
    ap.add_argument("--quality-archs", nargs="+", default=["sc-dit"])
    ap.add_argument("--quality-preset", default="cpu")
    ap.add_argument("--quality-steps", type=int, default=None)
    ap.add_argument("--samplers", nargs="+", default=["paper", "fast", "heun"])
    ap.add_argument("--n-samples", type=int, default=2000)
    ap.add_argument("--eval-train-tasks", type=int, default=4, help="evaluate on this many of the 4 train tasks (plus the unseen one)")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast when training the quality-check model")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sections = (
        ["params", "train", "throughput", "memory", "quality"] if args.section == "all" else ([] if args.section == "report" else [args.section])
    )
    for s in sections:
        t0 = time.perf_counter()
        load0 = load()
        result = globals()[f"bench_{s}"](args)
        out = {
            "section": s,
            "env": env_info(args.threads),
            "load_before": load0,
            "load_after": load(),
            "seconds": time.perf_counter() - t0,
            "argv": sys.argv[1:],
            "result": result,
        }
        tag = "" if args.threads == 2 else f"_t{args.threads}"
        (RESULTS / f"generator_{s}{tag}.json").write_text(json.dumps(out, indent=1) + "\n")
    (RESULTS / "generator_results.md").write_text(markdown())
    print(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
