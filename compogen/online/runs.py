"""Several seeds of one online setting into one results directory, with a CSV and a plot.

::

    OUT/config.json           the OnlineConfig, task and data sources
    OUT/seed_<s>/             one run per seed (curve.csv, checkpoint/, result.json)
    OUT/results.csv           every evaluation of every seed
    OUT/curves.png            success and return against environment steps (mean ± s.e. over seeds)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from compogen.data import Transitions, load_pool
from compogen.errors import CompogenError
from compogen.io import RunIdentity, atomic_path, atomic_write_text
from compogen.online.config import OnlineConfig
from compogen.online.trainer import CURVE_FIELDS, read_curve, run_online
from compogen.rl.adapters import load_transitions
from compogen.suites import suite_for_task

__all__ = ["load_offline", "plot_curves", "run_seeds", "write_results"]


def load_offline(
    sources: Sequence[Any] = (), real_data: str | Path | None = None, real_tasks: str | None = None, task: str | None = None
) -> Transitions | None:
    """Offline transitions from datasets (Minari ids, synthetic files, Transitions) and/or a real-data
    root restricted to ``real_tasks`` (a split spec such as ``iiwa:train14``), concatenated."""
    parts = [load_transitions(s) for s in sources]
    if real_data is not None:
        if not real_tasks:
            raise CompogenError("--real-data needs --real-tasks (e.g. iiwa:train14)")
        suite = suite_for_task(task) if task else None
        if suite is None:
            raise CompogenError("--real-data needs the task, to know the suite")
        parts.append(load_pool(real_data, suite.tasks(real_tasks), suite))
    if not parts:
        return None
    return Transitions.concatenate(parts) if len(parts) > 1 else parts[0]


def write_results(out: str | Path, seeds: Sequence[int], label: str | None = None) -> list[dict[str, float]]:
    """``results.csv`` (every evaluation of every seed) and ``curves.png`` of a results directory."""
    out = Path(out)
    rows = []
    for s in seeds:
        rows += [{"seed": s, **r} for r in read_curve(out / f"seed_{s}")]
    fields = ["seed", *CURVE_FIELDS]
    text = "\n".join([",".join(fields)] + [",".join(f"{r[f]:.6g}" if isinstance(r[f], float) else str(r[f]) for f in fields) for r in rows])
    atomic_write_text(out / "results.csv", text + "\n")
    cfg = json.loads((out / "config.json").read_text()) if (out / "config.json").is_file() else {}
    plot_curves({label or cfg.get("label", out.name): [read_curve(out / f"seed_{s}") for s in seeds]}, out / "curves.png", title=cfg.get("task", ""))
    return rows


def run_seeds(
    config: OnlineConfig,
    task: str,
    out: str | Path,
    offline: Transitions | None,
    seeds: Sequence[int],
    sources: dict[str, Any] | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Run (or resume) every seed into ``out/seed_<s>``; then write ``results.csv`` and ``curves.png``."""
    out = Path(out)
    suite = suite_for_task(task)
    meta = {"task": suite.task_id(task), "label": config.algo, "seeds": list(seeds), "config": config.to_dict(), "sources": sources or {}}
    identity = RunIdentity(out, meta, ignore=("seeds", "config.steps"), what="runs")  # more seeds or steps may be added
    identity.check()
    identity.write()
    results = []
    for s in seeds:
        results.append(run_online(config, task, out / f"seed_{s}", offline, seed=s, progress=progress, log=log))
        write_results(out, [x for x in seeds if (out / f"seed_{x}" / "curve.csv").is_file()])
    return results


def _plot_runs(axes, runs: dict[str, list[list[dict[str, float]]]]) -> tuple[bool, float]:
    """Per label, the mean success and return over seeds with a ± standard-error band (success clipped
    to [0, 1]). Returns whether any band was drawn and the largest x plotted."""
    banded, xmax = False, 0.0
    for label, given in runs.items():
        curves = [c for c in given if c]
        if not curves:
            continue
        n = min(len(c) for c in curves)
        x = np.array([c[i]["env_steps"] for i in range(n) for c in curves[:1]])
        xmax = max(xmax, float(x.max()))
        for ax, key in zip(axes, ("success", "mean_return"), strict=True):
            y = np.array([[c[i][key] for i in range(n)] for c in curves])
            mean = y.mean(0)
            se = y.std(0, ddof=1) / np.sqrt(len(y)) if len(y) > 1 else np.zeros_like(mean)
            low, high = mean - se, mean + se
            if key == "success":  # a success rate lies in [0, 1], and so does its band
                low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
            (line,) = ax.plot(x, mean, label=f"{label} ({len(curves)} seed{'s' if len(curves) > 1 else ''})")
            if len(curves) > 1:
                ax.fill_between(x, low, high, color=line.get_color(), alpha=0.25, linewidth=0)
                banded = True
    return banded, xmax


def _plot_marks(axes, marks: dict[str, tuple[float, float]] | None, marks_xlabel: str | None, xmax: float):
    """The marks as stars on the success axes (on a top x axis named ``marks_xlabel`` if given).
    Returns the axes they sit on and the largest x so far."""
    mark_ax = axes[0]
    if marks and marks_xlabel:
        xmax = max([xmax] + [float(steps) for steps, _ in marks.values()])
        mark_ax = axes[0].twiny()
        mark_ax.set_xlabel(marks_xlabel, color="tab:red")
        mark_ax.tick_params(axis="x", colors="tab:red")
    for label, (steps, success) in (marks or {}).items():
        mark_ax.scatter([steps], [success], marker="*", s=150, zorder=5, color="tab:red", label=label)
    return mark_ax, xmax


def _legend(fig, axes, mark_ax, banded: bool) -> None:
    """One legend below both panels: the curves, the marks and (if any band was drawn) what a band is."""
    from matplotlib.patches import Patch

    handles, labels = axes[0].get_legend_handles_labels()
    if mark_ax is not axes[0]:
        more = mark_ax.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    if banded:
        handles.append(Patch(color="grey", alpha=0.25, linewidth=0))
        labels.append("band: ± 1 standard error over seeds (success clipped to [0, 1])")
    rows = (len(labels) + 1) // 2
    fig.legend(handles, labels, loc="lower center", ncol=2 if len(labels) > 1 else 1, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.055 * rows + 0.01, 1, 1))


def plot_curves(
    runs: dict[str, list[list[dict[str, float]]]],
    path: str | Path,
    title: str = "",
    marks: dict[str, tuple[float, float]] | None = None,
    xlabel: str = "environment steps",
    marks_xlabel: str | None = None,
) -> None:
    """Success and mean return against environment steps: per label the mean over seeds with a
    ± standard-error band (curves are aligned on their evaluation points; success bands clipped to
    [0, 1]). ``marks``: extra labelled points (x, success), e.g. the loop's best-so-far success at the
    environment steps its validation spent; with ``marks_xlabel`` they sit on a top x axis of that
    name (same scale as the bottom one), for steps that count something else than ``xlabel``'s."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    banded, xmax = _plot_runs(axes, runs)
    mark_ax, xmax = _plot_marks(axes, marks, marks_xlabel, xmax)
    axes[0].set(xlabel=xlabel, ylabel="success rate (deterministic policy)", ylim=(-0.02, 1.02), title=f"{title} success")
    axes[1].set(xlabel=xlabel, ylabel="mean episode return", title=f"{title} return")
    if mark_ax is not axes[0]:
        for ax in (axes[0], mark_ax):
            ax.set_xlim(-0.03 * xmax, 1.05 * xmax)
    for ax in axes:
        ax.grid(alpha=0.3)
    _legend(fig, axes, mark_ax, banded)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
