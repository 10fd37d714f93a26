"""The rows a dataset publishes and their layout: checked against the task, as episodes or one-step episodes, subsampled.

``layout="episodes"`` needs rows that chain as episodes (:func:`~compogen.data.minari_io.episode_bounds`);
``"transitions"`` publishes every row as its own one-step episode; ``"auto"`` the first when the rows are
episodes, else the second. ``max_transitions`` keeps whole episodes (the first of a random order that fit) or rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from compogen.data import Transitions, check_for_suite
from compogen.data.minari_io import EPISODES, TRANSITIONS, episode_bounds
from compogen.errors import CompogenError, DataError
from compogen.publish.ids import check_dataset_id
from compogen.suites import Suite
from compogen.tasks import Task

__all__ = ["LAYOUT_CHOICES"]

#: ``layout`` values of :func:`publish`: episodes when the rows are episodes, else one-step episodes;
#: episodes or refuse; one-step episodes of independent transitions.
LAYOUT_CHOICES = ("auto", EPISODES, TRANSITIONS)


@dataclass(frozen=True)
class _Rows:
    """The rows to publish, their layout and episode bounds (None: one-step episodes), and how many rows and
    episodes the data had before :func:`_subsample` (``subsample_seed``: its seed, None when it kept all)."""

    data: Transitions
    layout: str
    bounds: list[slice] | None
    source_transitions: int
    source_episodes: int | None
    subsample_seed: int | None

    @property
    def episodes(self) -> int:
        """How many Minari episodes the rows make."""
        return len(self.bounds) if self.bounds is not None else len(self.data)


def _check_options(dataset_id: str | None, layout: str, max_transitions: int | None) -> None:
    """:class:`CompogenError` unless the id (if given), ``layout`` and ``max_transitions`` are valid."""
    if dataset_id is not None:
        check_dataset_id(dataset_id)
    if layout not in LAYOUT_CHOICES:
        raise CompogenError(f"layout must be one of {', '.join(LAYOUT_CHOICES)}, got {layout!r}")
    if max_transitions is not None and max_transitions < 1:
        raise CompogenError(f"max_transitions must be >= 1, got {max_transitions}")


def _checked_rows(data: Transitions, suite: Suite, task: Task, layout: str) -> tuple[Transitions, str, list[slice] | None]:
    """``(data, layout, bounds)``: the data checked against the task, the layout ``"auto"`` resolves to, and the
    episode bounds (None for one-step episodes); :class:`DataError` for data that cannot be published so."""
    task_id = suite.task_id(task)
    if len(data.tasks) == 1 and data.tasks[0] != task:
        raise DataError(f"the data are of task {suite.task_id(data.tasks[0])}, not {task_id}")
    data = check_for_suite(data, suite, task, name=task_id)
    if not len(data):
        raise DataError(f"{task_id}: no transitions to publish")
    _check_actions(data, suite.action_space(), task_id)
    bounds = episode_bounds(data) if layout != TRANSITIONS else None
    if layout == EPISODES and bounds is None:
        raise DataError(
            f"{task_id}: the rows are not episodes (inside an episode next_observations[t] != observations[t + 1]); "
            "publish independent transitions with layout='transitions' (--layout transitions)"
        )
    return data, (TRANSITIONS if bounds is None else EPISODES), bounds


def _kept_rows(data: Transitions, layout: str, bounds: list[slice] | None, max_transitions: int | None, seed: int) -> _Rows:
    """The rows to publish: all of them, or a :func:`_subsample` of at most ``max_transitions``."""
    source_n, source_episodes = len(data), (len(bounds) if bounds is not None else None)
    if max_transitions is not None and source_n > max_transitions:
        data = _subsample(data, bounds, max_transitions, seed)
        bounds = episode_bounds(data) if layout == EPISODES else None
    return _Rows(data, layout, bounds, source_n, source_episodes, int(seed) if len(data) < source_n else None)


def _check_actions(data: Transitions, space: Any, name: str) -> None:
    """:class:`DataError` unless every action lies in the task's action space (a Minari dataset's
    ``action_space`` must contain its actions)."""
    low, high = np.asarray(space.low, np.float32), np.asarray(space.high, np.float32)
    out = ~((data.actions >= low) & (data.actions <= high)).all(axis=1)
    if out.any():
        a = data.actions[out]
        raise DataError(
            f"{name}: {int(out.sum())} of {len(data)} actions lie outside the action space [{float(low.min()):g}, {float(high.max()):g}] "
            f"(min {float(a.min()):.3g}, max {float(a.max()):.3g}); bring them in with compogen.data.conform.conform "
            "(compogen generate does) before publishing"
        )


def _subsample(data: Transitions, bounds: list[slice] | None, max_transitions: int, seed: int) -> Transitions:
    """At most ``max_transitions`` rows: random rows of independent transitions, or the whole episodes
    that come first in a random order and fit (if the first alone does not fit, its first rows,
    ending in a timeout)."""
    rng = np.random.default_rng(seed)
    if bounds is None:
        return data.subset(np.sort(rng.choice(len(data), max_transitions, replace=False)))
    order = rng.permutation(len(bounds))
    lengths = np.array([bounds[i].stop - bounds[i].start for i in order])
    k = int(np.searchsorted(np.cumsum(lengths), max_transitions, side="right"))
    if k == 0:
        first = bounds[order[0]]
        out = data.subset(np.arange(first.start, first.start + max_transitions))
        out.timeouts[-1] = True
        return out
    keep = sorted(order[:k], key=lambda i: bounds[i].start)
    return data.subset(np.concatenate([np.arange(bounds[i].start, bounds[i].stop) for i in keep]))
