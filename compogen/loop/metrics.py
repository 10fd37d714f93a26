"""Per-round metrics of a run (the paper's Figure 6 panels), CSVs, PNG and a terminal table."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from compogen.io import atomic_path, atomic_write_text
from compogen.loop.records import Round, TaskResult, as_rounds

__all__ = ["compute_metrics", "write_metrics", "plot_metrics", "format_table"]


def compute_metrics(
    history: Sequence[Round | Mapping[str, Any]], eval_ids: Sequence[str], n_train: int, n_universe: int
) -> tuple[list[dict], list[dict]]:
    """Per-task rows and per-round summary rows from a run's history (:class:`Round` records or the
    dicts ``state.json`` holds).

    A task admitted in an earlier round carries its admitted success forward
    (the paper's raw per-iteration metric); best-so-far is the running maximum.
    """
    rounds = as_rounds(history)
    rows: list[dict] = []
    summary: list[dict] = []
    carried: dict[str, float] = {}
    best = {t: 0.0 for t in eval_ids}
    initial: dict[str, float] = {}
    admitted_total = steps_total = 0
    for h in rounds:
        raw = {t: float(h.results[t].success) if t in h.results else carried.get(t, 0.0) for t in eval_ids}
        best.update({t: max(best[t], raw[t]) for t in eval_ids})
        if h.iteration == rounds[0].iteration:
            initial.update(raw)
        rows += _task_rows(h, raw, best)
        carried.update({t: float(h.results[t].success) for t in h.admitted})
        admitted_total += len(h.admitted)
        steps = int(sum(int(r.env_steps or 0) for r in h.results.values()))
        steps_total += steps
        easy = [t for t in eval_ids if initial.get(t, 0) > 0]
        hard = [t for t in eval_ids if initial.get(t, 0) <= 0]
        summary.append(
            {
                "iteration": h.iteration,
                "tau": h.tau,
                "mean_best_success": round(_mean(eval_ids, best), 6),
                "mean_raw_success": round(_mean(eval_ids, raw), 6),
                "mean_best_initially_successful": round(_mean(easy, best), 6),
                "mean_best_initially_unsolved": round(_mean(hard, best), 6),
                "n_initially_successful": len(easy),
                "solved_at_least_once": int(sum(best[t] > 0 for t in eval_ids)),
                "n_eval": len(eval_ids),
                "admitted_total": admitted_total,
                "coverage": round((n_train + admitted_total) / n_universe, 6),
                "env_steps": steps,
                "env_steps_cumulative": steps_total,
                "failed": int(sum(bool(r.failed) for r in h.results.values())),
                "skipped": int(sum(bool(r.skipped) for r in h.results.values())),
            }
        )
    return rows, summary


def _mean(tasks: Sequence[str], values: Mapping[str, float]) -> float:
    return float(np.mean([values[t] for t in tasks])) if tasks else float("nan")


def _task_rows(h: Round, raw: Mapping[str, float], best: Mapping[str, float]) -> list[dict]:
    """:func:`compute_metrics`' per-task rows of round ``h`` (one per held-out task, in ``raw``'s order)."""
    missing = TaskResult(0.0)
    return [
        {
            "iteration": h.iteration,
            "task": t,
            "evaluated": t in h.results,
            "success": round(raw[t], 6),
            "best_so_far": round(best[t], 6),
            "admitted": t in h.admitted,
            "failed": bool(h.results.get(t, missing).failed),
            "env_steps": int(h.results.get(t, missing).env_steps or 0),
            "skipped": bool(h.results.get(t, missing).skipped),
        }
        for t in raw
    ]


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


ROUND_AXIS = "round (0: generator trained on the real data only)"
"""The x axis of every panel: Algorithm 1's rounds."""
BASELINE_LABEL = "multi-task BC, same real data"


def plot_metrics(
    summary: list[dict],
    path: Path,
    title: str = "",
    rows: list[dict] | None = None,
    baseline: float | None = None,
    baseline_label: str = BASELINE_LABEL,
) -> None:
    """The Figure 6 panels (best and raw success, by initial difficulty, solved once, coverage, τ) and,
    with ``rows`` (:func:`compute_metrics`' per-task rows), each held-out task's success per round
    with the round that admitted it marked. ``baseline``: a mean success on the same held-out tasks
    (e.g. multi-task BC on the run's real data), drawn as a horizontal line on the success panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    it = [s["iteration"] for s in summary]
    n_eval = summary[0]["n_eval"]
    n_easy = summary[0]["n_initially_successful"]
    fig = plt.figure(figsize=(19 if rows else 13, 7.5 if not rows else max(7.5, 0.22 * n_eval + 1.5)))
    grid = fig.add_gridspec(2, 4 if rows else 3, width_ratios=[1, 1, 1, 1.3] if rows else None)
    ax = [[fig.add_subplot(grid[r, c]) for c in range(3)] for r in range(2)]
    panels = _panels(ax, n_eval, n_easy)
    for a, series, name, ylabel, ylim in panels:
        for key, label in series:
            a.plot(it, [s[key] for s in summary], marker="o", label=label)
        a.set_title(name)
        a.set_xlabel(ROUND_AXIS, fontsize=8)
        a.set_ylabel(ylabel, fontsize=8)
        a.set_ylim(*ylim)
        a.set_xticks(it)
        a.grid(alpha=0.3)
    if baseline is not None:
        for a in (ax[0][0], ax[0][1]):
            a.axhline(baseline, color="tab:red", linestyle="--", linewidth=1.2, label=f"{baseline_label}: {baseline:.2f}")
    for a, series, *_ in panels:
        if len(series) > 1 or (baseline is not None and a in (ax[0][0], ax[0][1])):
            a.legend(fontsize=7, loc="best" if len(series) > 1 else "lower right")
    if rows:
        _plot_tasks(fig.add_subplot(grid[:, 3]), rows, it)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)


def _panels(ax: list[list[Any]], n_eval: int, n_easy: int) -> list[tuple[Any, list[tuple[str, str]], str, str, tuple[float, float]]]:
    """:func:`plot_metrics`' six panels: ``(axes, [(summary column, label)], title, y label, y limits)``."""
    mean_success = f"mean success rate\n({n_eval} held-out tasks)"
    return [
        (ax[0][0], [("mean_best_success", "loop")], "Success (best round so far, per task)", mean_success, (0, 1)),
        (ax[0][1], [("mean_raw_success", "loop")], "Success this round (admitted tasks keep their score)", mean_success, (0, 1)),
        (
            ax[0][2],
            [
                ("mean_best_initially_successful", f"success > 0 in round 0 ({n_easy} tasks)"),
                ("mean_best_initially_unsolved", f"no success in round 0 ({n_eval - n_easy} tasks)"),
            ],
            "Best success by initial difficulty",
            "mean best-so-far success rate",
            (0, 1),
        ),
        (
            ax[1][0],
            [("solved_at_least_once", "tasks")],
            "Tasks solved at least once",
            f"held-out tasks with success > 0\n(of {n_eval})",
            (0, max(1, n_eval)),
        ),
        (ax[1][1], [("coverage", "coverage")], "Coverage of the task space", "(real + admitted tasks) / all tasks", (0, 1)),
        (ax[1][2], [("tau", "τ")], "Quality threshold τ", "τ: success rate a dataset must beat", (0, 1)),
    ]


def _plot_tasks(a, rows: list[dict], iterations: list[int]) -> None:
    """Heat map of success per held-out task (rows) and round (columns); a box marks the admitting round."""
    from matplotlib.patches import Rectangle

    tasks = list(dict.fromkeys(r["task"] for r in rows))
    col = {k: j for j, k in enumerate(iterations)}
    grid = np.full((len(tasks), len(iterations)), np.nan)
    admitted: list[tuple[int, int]] = []
    for r in rows:
        i, j = tasks.index(r["task"]), col[r["iteration"]]
        grid[i, j] = r["success"] if r["evaluated"] else np.nan
        if r["admitted"]:
            admitted.append((i, j))
    im = a.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    for i, j in admitted:
        a.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
    a.set_yticks(range(len(tasks)))
    a.set_yticklabels(tasks, fontsize=7)
    a.set_xticks(range(len(iterations)))
    a.set_xticklabels([str(k) for k in iterations])
    a.set_xlabel("round", fontsize=8)
    n_adm = len(admitted)
    a.set_title(f"Success per held-out task ({n_adm} admitted: red box; blank: not evaluated)", fontsize=9)
    a.figure.colorbar(im, ax=a, fraction=0.05, pad=0.02).set_label("success rate", fontsize=8)


def write_metrics(
    run_path: Path,
    history,
    eval_ids,
    n_train: int,
    n_universe: int,
    title: str = "",
    baseline: float | None = None,
    baseline_label: str = BASELINE_LABEL,
) -> list[dict]:
    rows, summary = compute_metrics(history, eval_ids, n_train, n_universe)
    atomic_write_text(run_path / "metrics.csv", _csv(rows))
    atomic_write_text(run_path / "summary.csv", _csv(summary))
    if summary:
        plot_metrics(summary, run_path / "progress.png", title, rows, baseline, baseline_label)
    return summary


def format_table(history, eval_ids, n_train: int, n_universe: int) -> str:
    """Per held-out task best success and the round it was admitted, then per-round summary."""
    rows, summary = compute_metrics(history, eval_ids, n_train, n_universe)
    if not summary:
        return "(no completed round)"
    last = summary[-1]["iteration"]
    lines = [f"{'held-out task':40s} {'best':>6s} {'last':>6s} {'admitted':>9s}"]
    admitted_at = {t: h.iteration for h in as_rounds(history) for t in h.admitted}
    for r in rows:
        if r["iteration"] == last:
            a = admitted_at.get(r["task"])
            lines.append(f"{r['task']:40s} {r['best_so_far']:6.2f} {r['success']:6.2f} {('iter ' + str(a)) if a is not None else '-':>9s}")
    lines.append("")
    lines.append(f"{'iter':>4s} {'tau':>5s} {'best':>6s} {'raw':>6s} {'solved>0':>8s} {'coverage':>8s} {'env steps':>10s}")
    for s in summary:
        lines.append(
            f"{s['iteration']:4d} {s['tau']:5.2f} {s['mean_best_success']:6.3f} {s['mean_raw_success']:6.3f} "
            f"{s['solved_at_least_once']:4d}/{s['n_eval']:<3d} {s['coverage']:8.3f} {s['env_steps_cumulative']:10d}"
        )
    return "\n".join(lines)
