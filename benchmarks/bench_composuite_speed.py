"""Speed of real CompoSuite envs through :class:`compogen.suites.composuite_env.CompoSuiteEnv`.

Per task: construction time, reset time (CompoSuite's default hard reset, which
reloads the MuJoCo model, and ``hard_reset=False``), and env steps/s with
uniform random actions, through the adapter and, as the reference in the same
run, through CompoSuite's own gym wrapper underneath it, in alternating blocks
(so the ratio is the adapter's overhead). Also reports whether a soft reset
reproduces a hard one: same seed, same actions, in an env that ran an episode
before.

Skips (exit 0) when CompoSuite is not installed.

    python benchmarks/bench_composuite_speed.py --steps 1000 --resets 5 \
        --out benchmarks/results/composuite_speed.md
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

DEFAULT_TASKS = ["iiwa-box-none-push", "panda-plate-objectwall-pickplace", "jaco-dumbbell-goalwall-shelf", "kinova3-hollowbox-objectdoor-trashcan"]


def interleaved_steps_per_second(env, steps: int, block: int = 50, seed: int = 0) -> tuple[float, float]:
    """Random-action steps/s through the adapter and through CompoSuite's wrapper.

    Blocks of ``block`` steps alternate between the two on the same simulation, so
    that load from other processes on a shared machine hits both alike. Resets at
    episode ends are not timed.
    """
    actions = np.random.default_rng(seed).uniform(-1, 1, size=(steps, 8)).astype(np.float32)
    raw = env.composuite_env  # CompoSuite's old-gym wrapper, no adapter in between
    spent = {"adapter": 0.0, "raw": 0.0}
    done = {"adapter": 0, "raw": 0}
    env.reset(seed=seed)
    in_episode = 0
    for start in range(0, steps, block):
        for mode in ("adapter", "raw"):
            for a in actions[start : start + block]:
                t0 = time.perf_counter()
                if mode == "adapter":
                    _, _, terminated, truncated, _ = env.step(a)
                    over = terminated or truncated
                else:
                    over = raw.step(a.astype(np.float64))[2]
                spent[mode] += time.perf_counter() - t0
                done[mode] += 1
                in_episode += 1
                if over or in_episode >= env.horizon - 1:
                    env.reset()
                    in_episode = 0
    return done["adapter"] / spent["adapter"], done["raw"] / spent["raw"]


def mean_reset_seconds(env, resets: int, seed0: int) -> float:
    t0 = time.perf_counter()
    for i in range(resets):
        env.reset(seed=seed0 + i)
    return (time.perf_counter() - t0) / resets


def second_episode(env, steps: int = 20) -> np.ndarray:
    """Observations of a seeded episode run right after another one (fixed actions)."""
    actions = np.random.default_rng(1).uniform(-1, 1, size=(steps, 8)).astype(np.float32)
    out = []
    for seed in (1, 42):
        out = [env.reset(seed=seed)[0]]
        out += [env.step(a)[0] for a in actions]
    return np.array(out)


def bench_task(task: str, steps: int, resets: int) -> dict:
    from compogen.suites import get_suite

    suite = get_suite("composuite")
    t0 = time.perf_counter()
    env = suite.make_env(task)
    make_s = time.perf_counter() - t0
    hard_reset_s = mean_reset_seconds(env, resets, 100)
    hard_traj = second_episode(env)

    adapter_sps, raw_sps = interleaved_steps_per_second(env, steps)
    env.close()

    soft = suite.make_env(task, hard_reset=False)
    soft_reset_s = mean_reset_seconds(soft, resets, 100)
    soft_traj = second_episode(soft)
    soft.close()
    return {
        "task": task,
        "make_s": make_s,
        "hard_reset_s": hard_reset_s,
        "soft_reset_s": soft_reset_s,
        "adapter_sps": adapter_sps,
        "raw_sps": raw_sps,
        "soft_vs_hard_first_obs": float(np.max(np.abs(hard_traj[0] - soft_traj[0]))),
        "soft_vs_hard_traj": float(np.max(np.abs(hard_traj - soft_traj))),
    }


def to_markdown(rows: list[dict], args: argparse.Namespace, load: tuple[float, float]) -> str:
    lines = [
        "# CompoSuite env speed through the compogen adapter",
        "",
        f"Command: `python benchmarks/bench_composuite_speed.py --steps {args.steps} --resets {args.resets}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, shared 2-core box (other jobs running); "
        f"random actions, single env, one process; 1-min load average {load[0]:.1f} at start, {load[1]:.1f} at end "
        "(absolute rates scale with the load, the adapter/raw ratio does not).",
        "",
        "| task | make (s) | reset, hard (s) | reset, hard_reset=False (s) | steps/s adapter | steps/s CompoSuite wrapper | adapter/raw | soft vs hard: max abs diff, first obs / 20 steps |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['make_s']:.2f} | {r['hard_reset_s']:.3f} | {r['soft_reset_s']:.4f} | "
            f"{r['adapter_sps']:.0f} | {r['raw_sps']:.0f} | {r['adapter_sps'] / r['raw_sps']:.2f} | {r['soft_vs_hard_first_obs']:.1e} / {r['soft_vs_hard_traj']:.1e} |"
        )
    mean = lambda k: float(np.mean([r[k] for r in rows]))  # noqa: E731
    lines += [
        "",
        f"Mean over tasks: {mean('adapter_sps'):.0f} steps/s through the adapter vs {mean('raw_sps'):.0f} through "
        f"CompoSuite's wrapper; reset {mean('hard_reset_s'):.3f} s (hard, CompoSuite's default) vs "
        f"{mean('soft_reset_s'):.4f} s (hard_reset=False).",
        "",
        f"A 500-step episode therefore costs about {500 / mean('adapter_sps') + mean('hard_reset_s'):.1f} s with hard resets.",
        "",
        "Last column: the same seeded episode (fixed actions), run right after another episode, with "
        "hard_reset=False vs CompoSuite's default hard reset. A difference means a soft reset leaves "
        "state behind, so soft resets are faster but not equivalent to the hard resets the datasets were "
        "collected with.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=DEFAULT_TASKS)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--resets", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write a markdown table here")
    args = parser.parse_args()
    if importlib.util.find_spec("composuite") is None:
        print('skipped: CompoSuite is not installed (pip install "compogen[composuite]")')
        return 0
    load_start = os.getloadavg()[0]
    rows = []
    for task in args.tasks:
        rows.append(bench_task(task, args.steps, args.resets))
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rows[-1].items()}, flush=True)
    text = to_markdown(rows, args, (load_start, os.getloadavg()[0]))
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
