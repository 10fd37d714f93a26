"""The run's PNG shows the admitted tasks; the standard preset's generator budget grows with the pool."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from compogen.generator.presets import get_preset
from compogen.loop.config import LoopConfig
from compogen.loop.metrics import _plot_tasks, compute_metrics, write_metrics
from compogen.loop.stages import round_steps

EVAL = ["a", "b", "c", "d"]
HISTORY = [
    {"iteration": 0, "tau": 0.8, "admitted": ["a"], "results": {t: {"success": s} for t, s in zip(EVAL, [0.9, 0.1, 0.0, 0.5], strict=True)}},
    {"iteration": 1, "tau": 0.8, "admitted": ["b", "d"], "results": {t: {"success": s} for t, s in zip(EVAL[1:], [0.95, 0.2, 0.85], strict=True)}},
]


def test_task_panel_marks_each_admitting_round_and_leaves_admitted_tasks_blank_afterwards():
    rows, _ = compute_metrics(HISTORY, EVAL, 14, 64)
    fig, ax = plt.subplots()
    _plot_tasks(ax, rows, [0, 1])
    boxes = sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches if isinstance(p, Rectangle))
    assert boxes == [(0, 0), (1, 1), (3, 1)]  # (task row, iteration) of a@0, b@1, d@1
    grid = ax.images[0].get_array()
    assert grid.mask[0, 1] and not grid.mask[0, 0]  # a was not evaluated again after admission
    assert np.isclose(grid[3, 1], 0.85) and np.isclose(grid[2, 0], 0.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == EVAL
    plt.close(fig)


def test_write_metrics_png_is_written(tmp_path):
    write_metrics(tmp_path, HISTORY, EVAL, 14, 64, "t")
    assert (tmp_path / "progress.png").read_bytes()[:4] == b"\x89PNG"


def test_round_steps_scale_with_the_pool_only_when_asked():
    plain = LoopConfig(generator_preset="laptop", generator_steps=None)
    assert round_steps(plain, 14, 27) is None
    assert round_steps(plain.replace(generator_steps=300), 14, 27) == 300
    scaled = plain.replace(scale_generator_steps=True)
    base = get_preset("laptop").steps
    assert round_steps(scaled, 14, 14) == base  # round 0: the preset's budget
    assert round_steps(scaled, 14, 24) == round(base * 24 / 14)
    assert round_steps(scaled.replace(generator_steps=700), 14, 28) == 1400
    assert LoopConfig.from_dict(scaled.to_dict()).scale_generator_steps  # stored with the run


def test_panels_say_what_their_axes_mean_and_draw_a_given_baseline(tmp_path, monkeypatch):
    from compogen.loop.metrics import plot_metrics

    figures, close = [], plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figures.append(fig))
    _, summary = compute_metrics(HISTORY, EVAL, 14, 64)
    plot_metrics(summary, tmp_path / "a.png", baseline=0.52)
    plot_metrics(summary, tmp_path / "b.png")
    with_bc, without = (f.axes[:6] for f in figures)
    assert all(a.get_xlabel().startswith("round") and a.get_ylabel() for a in with_bc)
    assert with_bc[0].get_ylabel() == "mean success rate\n(4 held-out tasks)"
    bc = [line for a in with_bc[:2] for line in a.get_lines() if line.get_label().startswith("multi-task BC")]
    assert len(bc) == 2 and all(set(line.get_ydata()) == {0.52} for line in bc)
    assert not [line for a in without for line in a.get_lines() if line.get_label().startswith("multi-task BC")]
    for f in figures:
        close(f)
