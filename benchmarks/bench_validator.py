"""Validator throughput: policies per hour, sequential d3rlpy vs the batched validator.

Same data (one task's transitions), same steps, batch size and networks for every
run; each policy is trained and evaluated as in a real validation (``eval_every``,
``eval_episodes`` in the suite's envs). Policies/hour = policies / wall time.
A train-only section times gradient steps alone (ms per policy-step).

    python benchmarks/bench_validator.py                       # builtin suite, cpu-preset sizes
    python benchmarks/bench_validator.py --preset quick --out benchmarks/results/validator_quick.md
    python benchmarks/bench_validator.py --suite toy --steps 200 --P 1,4   # fast smoke run
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from report import command  # noqa: E402

from compogen.data import Transitions  # noqa: E402
from compogen.rl.adapters import to_d3rlpy  # noqa: E402
from compogen.suites import get_suite, register_suite  # noqa: E402
from compogen.validation import preset  # noqa: E402
from compogen.validation.batched import BatchedTD3BC, run_batched  # noqa: E402
from compogen.validation.d3rlpy_validator import make_algo, run_d3rlpy  # noqa: E402
from compogen.validation.data import prepare  # noqa: E402


def task_data(suite, task, episodes: int, seed: int = 0) -> tuple[Transitions, str]:
    """Expert (noisy) transitions if the suite has a scripted expert, else random-policy ones."""
    env = suite.make_env(task)
    rng = np.random.default_rng(seed)
    expert = getattr(suite, "expert", None)
    source = "expert+noise(0.1)" if expert else "random policy"
    cols = {k: [] for k in ("o", "a", "r", "n", "d")}
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed * 10_000 + ep)
        pi = expert(task) if expert else None
        if pi is not None:
            pi.reset()
        for _ in range(suite.horizon):
            a = pi.act(obs) if pi is not None else rng.uniform(-1, 1, suite.action_dim)
            a = np.clip(np.asarray(a) + (0.1 * rng.standard_normal(suite.action_dim) if pi is not None else 0), -1, 1).astype(np.float32)
            nxt, r, term, trunc, _ = env.step(a)
            for k, v in zip("oarnd", (obs, a, r, nxt, term), strict=True):
                cols[k].append(v)
            obs = nxt
            if term or trunc:
                break
    env.close()
    data = Transitions(
        np.array(cols["o"], np.float32),
        np.array(cols["a"], np.float32),
        np.array(cols["r"], np.float32),
        np.array(cols["n"], np.float32),
        np.array(cols["d"], bool),
        tasks=[suite.parse(task)],
    )
    return data, source


def train_only(cfg, data, P_list, steps: int) -> dict:
    """ms per policy-step of pure gradient steps (after 3 warm-up steps)."""
    import d3rlpy

    out = {}
    d3rlpy.seed(0)
    buf = to_d3rlpy(data)
    algo = make_algo(cfg, data.observations)
    algo.build_with_dataset(buf)
    for _ in range(3):
        algo.update(buf.sample_transition_batch(cfg.batch_size))
    t = time.perf_counter()
    for _ in range(steps):
        algo.update(buf.sample_transition_batch(cfg.batch_size))
    out["d3rlpy"] = (time.perf_counter() - t) / steps * 1e3
    prep = prepare(data)
    for P in P_list:
        learner = BatchedTD3BC([prep] * P, list(range(P)), cfg)
        for _ in range(3):
            learner.step()
        t = time.perf_counter()
        for _ in range(steps):
            learner.step()
        out[f"batched P={P}"] = (time.perf_counter() - t) / steps * 1e3 / P
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="builtin")
    ap.add_argument("--task", default=None, help="default: the suite's first task")
    ap.add_argument("--preset", default="cpu", help="network/batch sizes from this validation preset")
    ap.add_argument("--steps", type=int, default=600, help="gradient steps per policy")
    ap.add_argument("--eval-every", type=int, default=300)
    ap.add_argument("--eval-episodes", type=int, default=None)
    ap.add_argument("--episodes", type=int, default=30, help="episodes of data to collect")
    ap.add_argument("--P", default="1,4,8,16", help="policies per batched run")
    ap.add_argument("--d3rlpy-policies", type=int, default=2, help="policies trained one after another with d3rlpy")
    ap.add_argument("--train-only-steps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    if args.suite == "toy":
        register_suite("toy", "tests.validation.toy_suite:ToySuite")
    suite = get_suite(args.suite)
    task = suite.parse(args.task) if args.task else next(iter(suite.space))
    over = dict(steps=args.steps, eval_every=args.eval_every, seeds=(0,))
    if args.eval_episodes:
        over["eval_episodes"] = args.eval_episodes
    cfg = preset(args.preset, **over)
    P_list = [int(p) for p in args.P.split(",")]
    data, source = task_data(suite, task, args.episodes)
    print(f"{suite.name} {suite.task_id(task)}: {len(data)} transitions ({source}), obs {data.obs_dim}, act {data.action_dim}", flush=True)

    # warm-up (imports, first calls, allocator), not timed
    run_d3rlpy(suite, task, data, 99, cfg.replace(steps=3, eval_every=3, eval_episodes=1), progress=False)
    run_batched(suite, [(task, prepare(data), 99)], cfg.replace(steps=3, eval_every=3, eval_episodes=1), progress=False)

    rows = []
    t0 = time.perf_counter()
    succ = []
    for seed in range(args.d3rlpy_policies):
        res, _ = run_d3rlpy(suite, task, data, seed, cfg, progress=False)
        succ.append(res.success_rate)
    wall = time.perf_counter() - t0
    ref = args.d3rlpy_policies / wall * 3600
    rows.append(("d3rlpy sequential", args.d3rlpy_policies, wall, ref, 1.0, float(np.mean(succ))))
    print(rows[-1], flush=True)
    prep = prepare(data)
    for P in P_list:
        t0 = time.perf_counter()
        out = run_batched(suite, [(task, prep, s) for s in range(P)], cfg, progress=False)
        wall = time.perf_counter() - t0
        pph = P / wall * 3600
        rows.append((f"batched P={P}", P, wall, pph, pph / ref, float(np.mean([r.success_rate for r, _ in out]))))
        print(rows[-1], flush=True)
    tr = train_only(cfg, data, P_list, args.train_only_steps)
    print(tr, flush=True)

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    lines = [
        f"# Validator throughput ({suite.name}, preset `{args.preset}` sizes)",
        "",
        command(__file__, argv),
        "",
        f"- machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, {args.threads} threads, load average at end {load}",
        f"- task {suite.task_id(task)}, {len(data)} transitions ({source}); obs {data.obs_dim}, act {data.action_dim}",
        f"- per policy: {cfg.steps} steps, batch {cfg.batch_size}, actor {list(cfg.actor_hidden)}, critics {list(cfg.critic_hidden)},"
        f" eval every {cfg.eval_every} steps with {cfg.eval_episodes} episodes (horizon {suite.horizon})",
        "",
        "| run | policies | wall s | policies/hour | vs d3rlpy | mean best success |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, n, wall, pph, ratio, s in rows:
        lines.append(f"| {name} | {n} | {wall:.1f} | {pph:.0f} | {ratio:.2f}x | {s:.2f} |")
    lines += ["", "Train only (gradient steps, no evaluation):", "", "| run | ms per policy-step | vs d3rlpy |", "|---|---:|---:|"]
    for name, ms in tr.items():
        lines.append(f"| {name} | {ms:.1f} | {tr['d3rlpy'] / ms:.2f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
