"""Online RL warm starts on the built-in suite: the paper's Figures 11 and 10.

    # Figure 11: RLPD from a low-success synthetic dataset vs SAC from scratch
    # (--control-seeds: also RLPD with 8,000 noisy expert transitions of the target task itself;
    #  --algos rlpd,sac,sb3-sac: also stable-baselines3's SAC from scratch, an independent control)
    python benchmarks/bench_online.py warmstart --run RUN_DIR [--tasks auto] [--seeds 0,1,2] [--steps 20000] [--control-seeds 0] [--algos rlpd,sac]

    # Figure 10: RLPD whose offline half is the training tasks' expert data vs the loop's best-so-far
    python benchmarks/bench_online.py real --run RUN_DIR --real-data DATA_ROOT [--tasks all] [--seeds 0] [--steps 10000]

    # add algorithms that need no offline data (sac, sb3-sac) to a finished result file: runs only
    # those, on its tasks, seeds and steps, and rewrites its .md, .json and PNGs
    python benchmarks/bench_online.py warmstart --merge benchmarks/results/online_warmstart_40k.json --algos sb3-sac

    # re-draw the PNGs of a result file (its JSON keeps every seed's curve) without running anything
    python benchmarks/bench_online.py warmstart --replot benchmarks/results/online_warmstart.json

RUN_DIR is a finished `compogen bootstrap` run: its synthetic datasets, their validation
success, the environment steps its validation spent per task and its training split.
``--tasks auto`` picks the two targets whose latest dataset scored lowest above zero
(preferring 0.05-0.2). Runs go to --out (default /tmp/bench-online/<mode>) as
``<task>/<algo>/seed_<s>`` (resumable), one process per run on --workers processes, one
torch thread each. Results: benchmarks/results/online_<mode><tag>.md, .json and a PNG per task.
Runs in --out are resumed, and extended when --steps grows (compogen's runs; a stable-baselines3
run is kept when finished with the same settings and otherwise redone from the start).

``sb3-sac`` is stable-baselines3's SAC, sized like the ``sac-cpu`` preset where SB3 can express it
(:func:`sb3_settings`) and otherwise at SB3's defaults, trained on the same task env with the same
absorbing success as compogen's critics, and evaluated by compogen's own :func:`evaluate` at the
same steps, on the same episodes and evaluation seeds as compogen's runs.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import gymnasium as gym
import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
EXPERT, EXPERT_TRANSITIONS = "expert", 8_000
#: Algorithms of warmstart mode (rlpd-expert comes with --control-seeds); the ones needing no offline data can be merged.
WARMSTART_ALGOS, SCRATCH_ALGOS = ("rlpd", "sac", "sb3-sac"), ("sac", "sb3-sac")
#: Every algorithm in the order of results and plot colours (the control before sb3-sac keeps the older plots' colours).
ORDER = ("rlpd", "sac", "rlpd-expert", "sb3-sac")
#: Column headings of the algorithms in the markdown table.
NAMES = {"rlpd": "RLPD", "sac": "compogen SAC", "sb3-sac": "SB3 SAC", "rlpd-expert": "control"}
#: What stable-baselines3's SAC leaves at its defaults where compogen's ``sac-cpu`` differs.
SB3_DIFFERENCES = (
    "one learning rate 3e-4 for actor, critics and α (SB3 has one; `sac-cpu`'s critics use 1e-3); "
    "entropy coefficient α autotuned from 1.0 towards a target entropy of −|A| (SB3's `auto`; `sac-cpu`: from 0.2 towards −|A|/2); "
    "critics without LayerNorm (SB3's MlpPolicy; `sac-cpu`'s critics have it); "
    "training episodes run on from SB3's own env seeding (compogen resets its training env at every evaluation)"
)


# -- stable-baselines3's SAC --------------------------------------------------------------------


class AbsorbingSuccess(gym.Wrapper):
    """The task env with compogen's absorbing success in its rewards (:mod:`compogen.rl.targets`):
    a step that ends the episode with a success pays ``γ · SUCCESS_REWARD / (1 − γ)`` more, which is
    exactly compogen's critic target for a learner whose target is ``r + γ (1 − d) V(s')`` (SB3's)."""

    def __init__(self, env: gym.Env, gamma: float):
        super().__init__(env)
        self.gamma = gamma

    def step(self, action):
        from compogen.rl.targets import absorbing_success_rewards

        obs, reward, terminated, truncated, info = self.env.step(action)
        reward = absorbing_success_rewards(np.array([reward], np.float64), np.array([float(terminated)]), self.gamma)[0]
        return obs, float(reward), terminated, truncated, info


def sb3_settings(config) -> dict:
    """SB3 SAC keyword arguments of an ``OnlineConfig`` (the ``sac-cpu`` preset): its network width,
    batch, random/learning-start steps, γ, τ, updates per step and a buffer that holds every step;
    everything else at SB3's defaults (:data:`SB3_DIFFERENCES`)."""
    return {
        "policy_kwargs": {"net_arch": list(config.hidden)},
        "batch_size": config.batch_size,
        "learning_starts": max(config.random_steps, config.learning_starts),  # SB3 acts at random until it learns
        "gamma": config.gamma,
        "tau": config.tau,
        "train_freq": 1,
        "gradient_steps": config.utd,
        "buffer_size": config.steps,
    }


def run_sb3_sac(config, task: str, out: str | Path, seed: int = 0) -> dict:
    """stable-baselines3's SAC from scratch on ``task`` for ``config.steps`` environment steps, evaluated
    like :func:`compogen.online.run_online` (at step 0 and every ``config.eval_every`` steps, on
    ``config.eval_episodes`` episodes with :func:`eval_seed` ``(seed, k)``, deterministic policy), into
    ``out`` (``curve.csv``, ``result.json``). A finished run of the same settings is returned as it is."""
    import stable_baselines3
    import torch
    from stable_baselines3 import SAC

    from compogen.io import atomic_write_json
    from compogen.online.trainer import write_curve
    from compogen.rl.evaluate import eval_seed, evaluate
    from compogen.seeding import isolated_global_rng
    from compogen.suites import suite_for_task

    out, suite = Path(out), suite_for_task(task)
    task_id, settings = suite.task_id(task), sb3_settings(config)
    identity = {"task": task_id, "seed": int(seed), "steps": config.steps, "eval_every": config.eval_every, "eval_episodes": config.eval_episodes}
    identity.update(settings=settings, absorbing_success=config.absorbing_success, stable_baselines3=stable_baselines3.__version__)
    if (out / "result.json").is_file() and json.loads((out / "result.json").read_text()).get("identity") == identity:
        return json.loads((out / "result.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    history, t0 = [], time.perf_counter()
    with isolated_global_rng():
        env = suite.make_env(task_id)
        model = SAC(  # a copy of the settings: SB3 adds to policy_kwargs
            "MlpPolicy",
            AbsorbingSuccess(env, config.gamma) if config.absorbing_success else env,
            seed=int(seed),
            device="cpu",
            **copy.deepcopy(settings),
        )

        def evaluation(k: int) -> None:
            res = evaluate(suite, task_id, lambda o: model.predict(o, deterministic=True)[0], config.eval_episodes, seed=eval_seed(seed, k))
            t = int(model.num_timesteps)
            row = {"env_steps": t, "success": float(res.success_rate), "ci_low": float(res.ci_low), "ci_high": float(res.ci_high)}
            row.update(
                mean_return=float(res.mean_return), eval_env_steps=int(res.env_steps), updates=max(0, t - settings["learning_starts"]) * config.utd
            )
            row.update(alpha=float(torch.exp(model.log_ent_coef.detach()).item()), wall_s=float(time.perf_counter() - t0))
            history.append(row)
            write_curve(out, history)

        evaluation(0)
        k = 1
        while model.num_timesteps < config.steps:  # learn up to the next evaluation, then evaluate
            model.learn(min(k * config.eval_every, config.steps) - model.num_timesteps, reset_num_timesteps=False)
            evaluation(k)
            k += 1
        env.close()
    result = {"task": task_id, "algo": "sb3-sac", "seed": int(seed), "env_steps": int(model.num_timesteps)}
    result.update(final_success=history[-1]["success"], best_success=max(r["success"] for r in history), updates=history[-1]["updates"])
    result.update(wall_s=history[-1]["wall_s"], identity=identity)
    atomic_write_json(out / "result.json", result)
    return result


# -- runs -----------------------------------------------------------------------------------------


def _job(args: tuple) -> dict:
    import torch

    torch.set_num_threads(1)
    from compogen.online import load_offline, online_preset, run_online

    task, algo, seed, steps, out, sources, real_data, real_tasks = args
    t0 = time.perf_counter()
    if algo == "sb3-sac":
        res = run_sb3_sac(online_preset("sac-cpu", steps=steps), task, out, seed=seed)
        return {**res, "seconds": time.perf_counter() - t0, "offline_rows": 0}
    config = online_preset(f"{algo.split('-')[0]}-cpu", steps=steps)
    if sources == [EXPERT]:  # the control: the target task's own expert data, as the validator calibration collects it
        from compogen.rl.rollout import expert_transitions
        from compogen.suites import get_suite

        offline = expert_transitions(get_suite("builtin"), task, EXPERT_TRANSITIONS, noise=0.1, seed=0)
    else:
        offline = load_offline(sources, real_data, real_tasks, task) if (sources or real_data) else None
    res = run_online(config, task, out, offline, seed=seed, progress=False, log=lambda _: None)
    return {**res, "seconds": time.perf_counter() - t0, "offline_rows": len(offline) if offline is not None else 0}


def _run_jobs(jobs: list[tuple], workers: int) -> tuple[float, float]:
    """Run (or resume) the jobs on ``workers`` processes; (wall seconds, run seconds the runs recorded)."""
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        for res in pool.map(_job, jobs):
            print(
                f"  {res['task']} {res['algo']} seed {res['seed']}: best {res['best_success']:.2f}, final {res['final_success']:.2f} ({res['seconds']:.0f} s)",
                flush=True,
            )
    # run time recorded by the runs themselves (kept across resumes and extensions)
    return time.perf_counter() - t0, sum(json.loads((Path(job[4]) / "result.json").read_text())["wall_s"] for job in jobs)


def _collect(out: Path, task: str, algo: str, seeds: list[int]) -> list[list[dict]]:
    """Every seed's curve of ``out/task/algo`` (and its results.csv / curves.png there)."""
    from compogen.online import read_curve, write_results

    (out / task / algo).mkdir(parents=True, exist_ok=True)
    (out / task / algo / "config.json").write_text(json.dumps({"task": task, "label": algo}))
    write_results(out / task / algo, seeds, label=algo)
    return [read_curve(out / task / algo / f"seed_{s}") for s in seeds]


def _run_info(run: Path) -> tuple[dict, dict]:
    state = json.loads((run / "state.json").read_text())
    config = json.loads((run / "config.json").read_text())
    return state, config


def _latest(run: Path, state: dict, task: str) -> tuple[int, dict] | None:
    """The latest round that generated data for ``task`` and its validation record."""
    for h in reversed(state["history"]):
        if task in h["results"] and (run / "iterations" / f"{h['iteration']:03d}" / "synthetic" / f"{task}.h5").is_file():
            return h["iteration"], h["results"][task]
    return None


def _eval_steps(state: dict, task: str) -> int:
    """Environment steps the loop's validation spent on ``task`` over all rounds."""
    return int(sum(h["results"].get(task, {}).get("env_steps", 0) for h in state["history"]))


def _summary(rows: list[dict]) -> tuple[float, float]:
    x = np.array(rows, float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


def _stats(curves: list[list[dict]]) -> dict:
    """One algorithm's entry in a result row: final, best and end-of-run return over seeds, and the curves."""
    finals = [c[-1]["success"] for c in curves]
    return {
        "final": _summary(finals),
        "best": _summary([max(r["success"] for r in c) for c in curves]),
        "return_end": _summary([c[-1]["mean_return"] for c in curves]),
        "steps_to_0.8": [next((r["env_steps"] for r in c if r["success"] >= 0.8), None) for c in curves],
        "per_seed_final": finals,
        "curves": [_curve(c) for c in curves],  # for --replot
    }


# -- plots ----------------------------------------------------------------------------------------

TRAIN_AXIS = "environment steps of online training"
EVAL_AXIS = "★ environment steps the loop spent evaluating policies (validation)"


def _label(mode: str, algo: str, row: dict) -> str:
    """Legend entry of one algorithm: where its offline data came from."""
    if mode == "real":
        return f"RLPD, offline half: the training tasks' real expert data ({row['real_tasks']})"
    if algo == "rlpd":
        return f"RLPD from synthetic data (the loop's round-{row['round']} dataset, validation success {row['dataset_success']:.2f})"
    if algo == "sac":
        return "SAC from scratch (compogen's SAC, no offline data)"
    if algo == "sb3-sac":
        return "SAC from scratch (stable-baselines3, no offline data)"
    return f"RLPD from {EXPERT_TRANSITIONS:,} expert transitions of the task itself (control)"


def _plot(mode: str, row: dict, curves: dict[str, list], path: Path) -> None:
    """One task's figure: Figure 11 (warm starts) or Figure 10 (real data against the loop's evaluation cost)."""
    from compogen.online import plot_curves

    marks = {}
    if mode == "real":
        marks[f"loop best-so-far success after {row['loop_eval_steps']:,} evaluation steps (top axis)"] = (
            row["loop_eval_steps"],
            row["loop_best_success"],
        )
    labelled = {_label(mode, a, row): c for a, c in curves.items()}
    plot_curves(labelled, path, title=row["task"], marks=marks, xlabel=TRAIN_AXIS, marks_xlabel=EVAL_AXIS if marks else None)


def _plot_with_ends(mode: str, row: dict, algos: list[str], steps: int, path: Path) -> None:
    """Figure 11 of a result file that keeps the curves of some algorithms only (files written before
    curves were kept, extended by --merge): curves where kept (mean ± s.e. over seeds, success band
    clipped to [0, 1]); elsewhere the end of the runs, final success (●, ± s.e.) and best (△) and the
    final return, placed just right of the last step so that they do not hide each other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from compogen.io import atomic_path

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ends = 0
    for i, a in enumerate(algos):
        color, entry, n = colors[i % len(colors)], row[a], len(row[a]["per_seed_final"])
        label = f"{_label(mode, a, row)} ({n} seed{'s' if n > 1 else ''})"
        if "curves" in entry:
            c = entry["curves"]
            x = np.array([r["env_steps"] for r in c[0]][: min(map(len, c))])
            for ax, key in zip(axes, ("success", "mean_return"), strict=True):
                y = np.array([[r[key] for r in s[: len(x)]] for s in c])
                mean, se = y.mean(0), (y.std(0, ddof=1) / np.sqrt(len(y)) if len(y) > 1 else np.zeros(len(x)))
                low, high = (np.clip(mean - se, 0, 1), np.clip(mean + se, 0, 1)) if key == "success" else (mean - se, mean + se)
                ax.plot(x, mean, color=color, label=label if key == "success" else None)
                ax.fill_between(x, low, high, color=color, alpha=0.25, linewidth=0)
            continue
        ends += 1
        x = steps * (1 + 0.012 * ends)
        for ax, key in zip(axes, ("final", "return_end"), strict=True):
            m, se = entry[key]
            low, high = (max(m - se, 0.0), min(m + se, 1.0)) if key == "final" else (m - se, m + se)
            kw = {"label": f"{label}: end of run only, curves not kept" if key == "final" else None}
            ax.errorbar([x], [m], yerr=[[m - low], [high - m]], fmt="o", color=color, capsize=4, **kw)
        axes[0].scatter([x], [entry["best"][0]], marker="^", s=60, facecolors="none", edgecolors=color, zorder=4)
    axes[0].set(xlabel=TRAIN_AXIS, ylabel="success rate (deterministic policy)", ylim=(-0.02, 1.02), title=f"{row['task']} success")
    axes[1].set(xlabel=TRAIN_AXIS, ylabel="mean episode return", title=f"{row['task']} return")
    for ax in axes:
        ax.set_xlim(-0.03 * steps, steps * (1.03 + 0.012 * ends))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    handles.append(Patch(color="grey", alpha=0.25, linewidth=0))
    labels.append("band: ± 1 standard error over seeds (success clipped to [0, 1])")
    if ends:
        handles.append(Line2D([], [], marker="^", color="grey", markerfacecolor="none", linestyle="none"))
        labels.append("end of run only: ● final (± s.e.), △ best evaluation per run, mean over seeds")
    fig.legend(handles, labels, loc="lower center", ncol=1, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.035 * len(labels) + 0.01, 1, 1))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def _png(results: Path, name: str, row: dict) -> Path:
    """A task's PNG: ``<name>_<task>.png``, or ``<name>_<task>_merged.png`` where some algorithm kept no
    curves (so that --merge does not overwrite the plot drawn when those runs were made)."""
    merged = any("curves" not in row[a] for a in _algos_of(row))
    return results / f"{name}_{row['task']}{'_merged' if merged else ''}.png"


def _draw(mode: str, row: dict, steps: int, path: Path) -> None:
    """One task's PNG from its result row: :func:`_plot` when every algorithm kept its curves."""
    algos = _algos_of(row)
    if all("curves" in row[a] for a in algos):
        _plot(mode, row, {a: row[a]["curves"] for a in algos}, path)
    else:
        _plot_with_ends(mode, row, algos, steps, path)
    print(f"wrote {path}")


def _curve(c: list[dict]) -> list[dict]:
    return [{"env_steps": int(r["env_steps"]), "success": r["success"], "mean_return": r["mean_return"]} for r in c]


def _algos_of(row: dict) -> list[str]:
    """The algorithms of a result row, in :data:`ORDER`."""
    return sorted((a for a, v in row.items() if isinstance(v, dict) and "per_seed_final" in v), key=ORDER.index)


def replot(mode: str, result: Path) -> None:
    """Re-draw every task's PNG from a result file's JSON (runs whose curves it does not keep: their ends)."""
    data = json.loads(result.read_text())
    for row in data["rows"]:
        _draw(mode, row, data["steps"], _png(result.parent, result.stem, row))


# -- report ---------------------------------------------------------------------------------------


def _cell(entry: dict, key: str) -> str:
    m, se = entry[key]
    return f"{m:.0f} ± {se:.0f}" if key == "return_end" else f"{m:.2f} ± {se:.2f}"


def _warmstart_table(table: list[dict], algos: list[str]) -> list[str]:
    """Figure 11's table: one column group per algorithm from scratch or warm-started (not the control)."""
    main = [a for a in WARMSTART_ALGOS if a in algos]
    head = ["task", "dataset success (loop validation, round)"]
    for a in main:
        head += (
            [f"{NAMES[a]} final", f"{NAMES[a]} best"]
            + ([f"{NAMES[a]} steps to 0.8 (per seed)"] if a == "rlpd" else [])
            + [f"{NAMES[a]} return at the end"]
        )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table:
        cells = [r["task"], f"{r['dataset_success']:.2f} (round {r['round']})"]
        for a in main:
            cells += [_cell(r[a], "final"), _cell(r[a], "best")] + ([str(r[a]["steps_to_0.8"])] if a == "rlpd" else []) + [_cell(r[a], "return_end")]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _sb3_note(steps: int) -> str:
    import stable_baselines3

    from compogen.online import online_preset

    s = sb3_settings(online_preset("sac-cpu", steps=steps))
    return (
        f"SB3 SAC: stable-baselines3 {stable_baselines3.__version__}'s `SAC('MlpPolicy')` from scratch, sized like `sac-cpu`: "
        f"networks {s['policy_kwargs']['net_arch']}, batch {s['batch_size']}, uniform random actions and no updates for the first "
        f"{s['learning_starts']:,} steps (SB3's `learning_starts`), γ {s['gamma']}, τ {s['tau']}, 1 update per environment step, buffer of "
        f"{s['buffer_size']:,}; trained on the same task env with compogen's absorbing success added to its rewards (`AbsorbingSuccess`, "
        "the same critic target as compogen's) and evaluated by compogen's `evaluate` at the same steps on the same 10 episodes "
        f"(evaluation seeds `eval_seed(seed, k)`) as compogen's runs. At SB3's defaults where they differ from `sac-cpu`: {SB3_DIFFERENCES}."
    )


def write_report(mode: str, name: str, data: dict, results: Path | None = None) -> None:
    """``<name>.json`` and ``<name>.md`` of a result (``data``: steps, seeds, control_seeds, algos,
    invocations, rows) and a PNG per task, in ``results`` (default :data:`RESULTS`)."""
    results = results or RESULTS
    results.mkdir(parents=True, exist_ok=True)
    steps, seeds, table, algos = data["steps"], data["seeds"], data["rows"], data["algos"]
    data["run_s"] = sum(i["run_s"] for i in data["invocations"])
    data["wall_s"] = sum(i["wall_s"] for i in data["invocations"])
    (results / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
    for r in table:
        _draw(mode, r, steps, _png(results, name, r))
    title = (
        "Figure 11 (warm start from a low-success synthetic dataset)"
        if mode == "warmstart"
        else "Figure 10 (RLPD with the training tasks expert data)"
    )
    lines = [f"# Online RL on the built-in suite: {title}", ""]
    for inv in data["invocations"]:
        lines.append(f"Command: `{inv['command']}`")
        lines.append(
            f"({', '.join(inv['algos'])}: {inv['runs']} runs, {inv['run_s'] / 60:.0f} min of run time, one torch thread each on {inv['workers']} process(es); this invocation {inv['wall_s'] / 60:.1f} min)"
        )
        lines.append("")
    lines.append(
        f"Presets `rlpd-cpu` / `sac-cpu` (64-wide networks; RLPD: 10 critics, UTD 2, batch 128, 50/50 symmetric sampling; SAC: 2 critics, UTD 1, 2,000 random steps; both standardise observations with the offline data's statistics and value a success as an absorbing state), {steps:,} environment steps per run, seeds {seeds}, evaluation every 2,000 steps on 10 episodes (deterministic policy). Run time {data['run_s'] / 60:.0f} min in all. Mean ± standard error over seeds."
    )
    if "sb3-sac" in algos:
        lines += ["", _sb3_note(steps)]
    if any("curves" not in r[a] for r in table for a in algos if a in r):
        kept, old = [a for a in algos if all("curves" in r[a] for r in table)], [a for a in algos if any("curves" not in r[a] for r in table)]
        lines += [
            "",
            f"The runs of {', '.join(old)} were made before bench_online kept every seed's curve in its JSON, and their run directories are gone: "
            f"the `_merged` plots show {', '.join(kept) or 'no'} curves with those runs' ends (final success ± s.e., best, final return), all that this file kept of them; "
            "their curves are in the plots drawn when they ran (`" + "`, `".join(f"{name}_{r['task']}.png" for r in table) + "`).",
        ]
    lines.append("")
    if mode == "warmstart":
        lines += _warmstart_table(table, algos)
        if "rlpd-expert" in algos:
            lines += [
                "",
                f"Control: RLPD whose offline half is {EXPERT_TRANSITIONS:,} noisy expert transitions of the target task itself (seeds {data['control_seeds']}): how far the same RL budget gets with the best possible data.",
                "",
                "| task | final | best | return at the end | steps to 0.8 |",
                "|---|---|---|---|---|",
            ]
            for r in table:
                c = r["rlpd-expert"]
                lines.append(f"| {r['task']} | {_cell(c, 'final')} | {_cell(c, 'best')} | {_cell(c, 'return_end')} | {c['steps_to_0.8']} |")
    else:
        lines += ["| task | loop best-so-far success | loop eval env steps | RLPD final | RLPD best |", "|---|---|---|---|---|"]
        for r in table:
            lines.append(
                f"| {r['task']} | {r['loop_best_success']:.2f} | {r['loop_eval_steps']:,} | {_cell(r['rlpd'], 'final')} | {_cell(r['rlpd'], 'best')} |"
            )
        lines += [
            "",
            f"Means over tasks: loop {np.mean([r['loop_best_success'] for r in table]):.3f} with {np.mean([r['loop_eval_steps'] for r in table]):,.0f} eval steps per task; RLPD final {np.mean([r['rlpd']['final'][0] for r in table]):.3f} after {steps:,} steps.",
        ]
    lines += ["", "Plots: " + ", ".join(f"`{_png(results, name, r).name}`" for r in table)]
    (results / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


# -- merge ----------------------------------------------------------------------------------------


def _legacy_invocation(data: dict, md: Path) -> dict:
    """The run record of a result file written before files kept it: its command (and --control-seeds)
    from the markdown beside it, its run count from the per-seed results."""
    text = md.read_text() if md.is_file() else ""
    command = re.search(r"^Command: `(.*)`$", text, re.M)
    command = command.group(1) if command else "(command not recorded)"
    workers = re.search(r"--workers (\d+)", command)
    algos = _algos_of(data["rows"][0])
    runs = sum(len(r[a]["per_seed_final"]) for r in data["rows"] for a in _algos_of(r))
    return {
        "command": command,
        "algos": algos,
        "runs": runs,
        "run_s": data["run_s"],
        "wall_s": data["wall_s"],
        "workers": int(workers.group(1)) if workers else None,
    }


def merge(result: Path, algos: list[str], out: Path, workers: int) -> None:
    """Run ``algos`` (no offline data needed) on the tasks, seeds and steps of ``result`` where its rows
    lack them, add them to its rows and rewrite its .json, .md and PNGs; nothing else is rerun."""
    data = json.loads(result.read_text())
    if "invocations" not in data:
        data["invocations"] = [_legacy_invocation(data, result.with_suffix(".md"))]
    if "control_seeds" not in data:
        seeds = re.search(r"\(seeds \[([\d, ]*)\]\)", result.with_suffix(".md").read_text()) if result.with_suffix(".md").is_file() else None
        data["control_seeds"] = [int(s) for s in seeds.group(1).split(",")] if seeds else []
    data.setdefault("algos", _algos_of(data["rows"][0]))
    steps, seeds = data["steps"], data["seeds"]
    new = [a for a in algos if any(a not in r for r in data["rows"])]
    if not new:
        print(f"{result} already holds {', '.join(algos)}: nothing to run")
    jobs = [
        (r["task"], a, s, steps, str(out / r["task"] / a / f"seed_{s}"), [], None, None)
        for a in new
        for r in data["rows"]
        if a not in r
        for s in seeds
    ]
    print(f"{len(jobs)} runs of {steps} environment steps on {workers} processes: {', '.join(new) or 'none'}", flush=True)
    wall, run_s = _run_jobs(jobs, workers) if jobs else (0.0, 0.0)
    for r in data["rows"]:
        for a in new:
            if a not in r:
                r[a] = _stats(_collect(out, r["task"], a, seeds))
    if new:
        cmd = f"python benchmarks/bench_online.py warmstart --merge {_repo_path(result)} --algos {','.join(new)} --workers {workers}"
        data["invocations"].append({"command": cmd, "algos": new, "runs": len(jobs), "run_s": run_s, "wall_s": wall, "workers": workers})
    data["algos"] = [a for a in ORDER if a in data["algos"] or a in new]
    if "sb3-sac" in data["algos"]:
        from compogen.online import online_preset

        data["sb3_settings"] = sb3_settings(online_preset("sac-cpu", steps=steps))
    write_report("warmstart", result.stem, data, result.parent)


def _repo_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(RESULTS.parent.parent))
    except ValueError:
        return str(path)


# -- main -----------------------------------------------------------------------------------------


def _warmstart_jobs(args, state: dict, targets: list[str], out: Path, seeds, steps, control_seeds, algos) -> tuple[list[str], list[tuple], dict]:
    if args.tasks in (None, "auto"):
        scored = [(t, *_latest(args.run, state, t)) for t in targets if _latest(args.run, state, t)]
        low = sorted((r["success"], t) for t, _, r in scored if r["success"] > 0 and t not in state["solved"])
        preferred = [x for x in low if 0.05 <= x[0] <= 0.2] + [x for x in low if not 0.05 <= x[0] <= 0.2]
        tasks = [t for _, t in preferred[:2]]
    else:
        tasks = args.tasks.split(",")
    if not tasks:
        raise SystemExit("no target with a non-zero, non-admitted dataset in this run")
    jobs, meta = [], {}
    for t in tasks:
        k, rec = _latest(args.run, state, t)
        path = args.run / "iterations" / f"{k:03d}" / "synthetic" / f"{t}.h5"
        meta[t] = {"dataset": str(path), "round": k, "dataset_success": rec["success"], "loop_eval_steps": _eval_steps(state, t)}
        for s in seeds:
            for a in algos:
                jobs.append((t, a, s, steps, str(out / t / a / f"seed_{s}"), [str(path)] if a == "rlpd" else [], None, None))
        for s in control_seeds:  # first: the longest runs
            jobs.insert(0, (t, "rlpd-expert", s, steps, str(out / t / "rlpd-expert" / f"seed_{s}"), [EXPERT], None, None))
    return tasks, jobs, meta


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["warmstart", "real"])
    p.add_argument("--run", type=Path, help="the bootstrap run (needed unless --replot or --merge)")
    p.add_argument("--replot", type=Path, default=None, help="re-draw the PNGs of this result JSON and stop")
    p.add_argument("--merge", type=Path, default=None, help="warmstart: add --algos (sac, sb3-sac) to this result JSON, running only those")
    p.add_argument("--algos", default=None, help=f"warmstart: algorithms among {','.join(WARMSTART_ALGOS)} (default rlpd,sac)")
    p.add_argument("--real-data", type=Path)
    p.add_argument("--tasks", default=None)
    p.add_argument("--seeds", default=None)
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--tag", default="", help="suffix of the result files (online_<mode><tag>.md), e.g. _50k")
    p.add_argument("--control-seeds", default="", help="warmstart: seeds of RLPD with the target task's own expert data")
    args = p.parse_args()
    algos = (args.algos or "rlpd,sac").split(",")
    if unknown := [a for a in algos if a not in WARMSTART_ALGOS]:
        p.error(f"unknown --algos {','.join(unknown)} (choose among {','.join(WARMSTART_ALGOS)})")
    if args.replot is not None:
        return replot(args.mode, args.replot)
    out = args.out or Path("/tmp/bench-online") / args.mode
    if args.merge is not None:
        if args.mode != "warmstart" or args.algos is None or [a for a in algos if a not in SCRATCH_ALGOS]:
            p.error(f"--merge is for warmstart and --algos among {','.join(SCRATCH_ALGOS)} (they need no offline data)")
        return merge(args.merge, algos, out, args.workers)
    if args.run is None:
        p.error("--run is required")

    state, run_cfg = _run_info(args.run)
    name = f"online_{args.mode}{args.tag}"
    seeds = [int(s) for s in (args.seeds or ("0,1,2" if args.mode == "warmstart" else "0")).split(",")]
    steps = args.steps or (20_000 if args.mode == "warmstart" else 10_000)
    control_seeds = [int(s) for s in args.control_seeds.split(",") if s.strip()] if args.mode == "warmstart" else []
    targets = sorted(state["history"][0]["results"])
    if args.mode == "warmstart":
        tasks, jobs, meta = _warmstart_jobs(args, state, targets, out, seeds, steps, control_seeds, algos)
        algos = [a for a in ORDER if a in algos or (a == "rlpd-expert" and control_seeds)]
    else:
        if args.real_data is None:
            raise SystemExit("real needs --real-data")
        tasks, jobs, meta, algos = targets if args.tasks in (None, "all") else args.tasks.split(","), [], {}, ["rlpd"]
        for t in tasks:
            best = max((h["results"].get(t, {}).get("success", 0.0) for h in state["history"]), default=0.0)
            meta[t] = {"loop_best_success": best, "loop_eval_steps": _eval_steps(state, t), "real_tasks": run_cfg["train"]}
            for s in seeds:
                jobs.append((t, "rlpd", s, steps, str(out / t / "rlpd" / f"seed_{s}"), [], str(args.real_data), run_cfg["train"]))
    print(f"{len(jobs)} runs of {steps} environment steps on {args.workers} processes: {', '.join(tasks)}", flush=True)
    wall, run_s = _run_jobs(jobs, args.workers)
    table = [{"task": t, **meta[t], **{a: _stats(_collect(out, t, a, control_seeds if a == "rlpd-expert" else seeds)) for a in algos}} for t in tasks]
    cmd = (
        f"python benchmarks/bench_online.py {args.mode} --run RUN"
        + (" --real-data DATA" if args.mode == "real" else "")
        + f" --tasks {','.join(tasks)} --seeds {','.join(map(str, seeds))} --steps {steps} --workers {args.workers}"
        + (f" --control-seeds {','.join(map(str, control_seeds))}" if control_seeds else "")
        + (f" --algos {args.algos}" if args.algos else "")
        + (f" --tag {args.tag}" if args.tag else "")
    )
    data = {"steps": steps, "seeds": seeds, "control_seeds": control_seeds, "algos": algos}
    data["invocations"] = [{"command": cmd, "algos": algos, "runs": len(jobs), "run_s": run_s, "wall_s": wall, "workers": args.workers}]
    if "sb3-sac" in algos:
        from compogen.online import online_preset

        data["sb3_settings"] = sb3_settings(online_preset("sac-cpu", steps=steps))
    write_report(args.mode, name, {**data, "rows": table})


if __name__ == "__main__":
    main()
