"""The online RL figures: success bands inside [0, 1], legend entries as given, marks on their own axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from compogen.online import plot_curves


def _curve(successes):
    return [{"env_steps": 1000 * i, "success": s, "mean_return": 10.0 * s} for i, s in enumerate(successes)]


def _figure(monkeypatch, tmp_path, *args, **kwargs):
    figures, close = [], plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: figures.append(fig))
    plot_curves(*args, path=tmp_path / "c.png", **kwargs)
    monkeypatch.undo()
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    return figures[0], close


def test_success_bands_stay_in_0_1_and_the_legend_says_what_each_curve_is(monkeypatch, tmp_path):
    runs = {"RLPD from synthetic data": [_curve([0, 1, 1]), _curve([1, 0.2, 1]), _curve([0, 1, 0.3])], "SAC from scratch": [_curve([0, 0, 0])] * 2}
    fig, close = _figure(monkeypatch, tmp_path, runs, title="t", xlabel="environment steps of online training")
    success, returns = fig.axes[:2]
    ys = np.concatenate([p.get_paths()[0].vertices[:, 1] for p in success.collections])
    assert ys.min() == 0.0 and ys.max() == 1.0  # the band reaches both ends and stays inside
    assert max(p.get_paths()[0].vertices[:, 1].max() for p in returns.collections) == 10.0  # returns are not clipped to [0, 1]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == ["RLPD from synthetic data (3 seeds)", "SAC from scratch (2 seeds)"]
    assert "standard error" in labels[-1] and "[0, 1]" in labels[-1]
    assert success.get_xlabel() == "environment steps of online training"
    close(fig)


def test_marks_on_their_own_labelled_axis(monkeypatch, tmp_path):
    runs = {"RLPD": [_curve([0, 0.5, 0.6])]}
    marks = {"loop best-so-far": (3500, 0.4)}
    fig, close = _figure(monkeypatch, tmp_path, runs, marks=marks, xlabel="online steps", marks_xlabel="evaluation steps")
    top = [a for a in fig.axes if a.get_xlabel() == "evaluation steps"]
    assert len(top) == 1 and top[0].collections[0].get_offsets().tolist() == [[3500.0, 0.4]]
    assert top[0].get_xlim() == fig.axes[0].get_xlim()  # one scale: the costs compare
    assert "loop best-so-far" in [t.get_text() for t in fig.legends[0].get_texts()]
    close(fig)
