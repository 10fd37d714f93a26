"""How precise must the actions be? The scripted expert's success with its actions perturbed, per arm.

    python benchmarks/bench_action_precision.py --arms FiveLink,ThreeLink --levels 0,0.1,0.2,0.3,0.5 --episodes 20

A candidate cause of the ThreeLink loop's weakness (README, "On a second split"): the same generator's data
trains much worse policies on ThreeLink than on FiveLink although its marginals are as close to real data. If
ThreeLink's tasks need more precise actions, the same action error costs more success there. Two kinds of
error, each with standard deviation ``sigma`` per action dimension, added to the expert's action and then
clipped to [-1, 1]: ``noise`` (independent every step: the expert data's own kind, sigma 0.1) and ``bias``
(one offset per episode, held for the whole episode: what a policy biased in a region of states does). The
generator's actions are measured 0.23-0.26 RMSE from the expert's given real states
(``generator_fidelity_mlp_hybrid.md``, ``generator_fidelity_mlp_threelink_hybrid.md``). Simulator only; trains nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compogen.loop.config import LoopConfig  # noqa: E402

TAU0 = LoopConfig().tau0  # the admission threshold the loop starts from
KINDS = ("noise", "bias")


def _success(env, expert, seed: int, sigma: float, kind: str, rng: np.random.Generator, horizon: int) -> bool:
    """One episode of the perturbed expert; True when it ends in the task's success."""
    obs, _ = env.reset(seed=seed)
    expert.reset()
    offset = None
    for _ in range(horizon):
        a = np.asarray(expert.act(obs), dtype=np.float64)
        if sigma > 0:
            if kind == "noise":
                a = a + rng.normal(0.0, sigma, size=a.shape)
            else:
                offset = rng.normal(0.0, sigma, size=a.shape) if offset is None else offset
                a = a + offset
        obs, _, terminated, truncated, info = env.step(np.clip(a, -1.0, 1.0).astype(np.float32))
        if terminated or truncated:
            return bool(info["success"])
    return False


def main(argv=None) -> None:
    from report import command, emit

    from compogen.suites import get_suite

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arms", default="FiveLink,ThreeLink", help="comma list of the built-in suite's robots")
    ap.add_argument("--tasks", default="iiwa:train14", help="split spec, put on each arm with @ARM")
    ap.add_argument("--levels", default="0,0.1,0.2,0.3,0.5", help="comma list of sigma")
    ap.add_argument("--episodes", type=int, default=20, help="episodes per task, level and kind")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    suite = get_suite("builtin")
    arms = [a for a in args.arms.split(",") if a]
    levels = [float(x) for x in args.levels.split(",") if x]
    rows, t0 = [], time.perf_counter()
    for arm in arms:
        for ti, task in enumerate(suite.tasks(f"{args.tasks}@{arm}")):
            env, expert = suite.make_env(task), suite.expert(task)
            for li, sigma in enumerate(levels):
                for ki, kind in enumerate(KINDS):
                    if sigma == 0 and ki > 0:
                        continue  # unperturbed: one kind is enough
                    rng = np.random.default_rng([ti, li, ki])
                    wins = sum(_success(env, expert, 10_000 + e, sigma, kind, rng, suite.horizon) for e in range(args.episodes))
                    rows.append(
                        {
                            "arm": arm,
                            "task": suite.task_id(task),
                            "sigma": sigma,
                            "kind": "none" if sigma == 0 else kind,
                            "success": wins / args.episodes,
                        }
                    )
            env.close()
            print(f"{suite.task_id(task)}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    lines = [
        "# The expert's success with perturbed actions, per arm (how precise the actions must be)",
        "",
        command(__file__, argv),
        "",
        f"- tasks `{args.tasks}` on each arm, {args.episodes} episodes per task, level and kind (env seeds 10,000 + e); "
        "`noise`: independent per step, `bias`: one offset per episode; both then clipped to [-1, 1]",
        f"- {time.perf_counter() - t0:.0f} s",
        "",
        "| arm | kind | " + " | ".join(f"sigma {s:g}" for s in levels) + " |",
        "|---|---|" + "---:|" * len(levels),
    ]
    for arm in arms:
        for kind in KINDS:
            cells = []
            for sigma in levels:
                sel = [r["success"] for r in rows if r["arm"] == arm and r["sigma"] == sigma and r["kind"] in (kind, "none")]
                cells.append(f"{np.mean(sel):.3f} ({sum(s > TAU0 for s in sel)}/{len(sel)})")
            lines.append(f"| {arm} | {kind} | " + " | ".join(cells) + " |")
    lines += ["", f"Cells: mean success over the tasks (tasks above the loop's threshold tau0 = {TAU0} of all)."]
    emit(lines, args.out, rows)


if __name__ == "__main__":
    main()
