"""Data read for, and checked against, a suite: the one place of the suite's observation and action dims."""

from __future__ import annotations

import os

from compogen.data.synthetic import read_synthetic
from compogen.data.transitions import Transitions
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = ["check_dims", "check_for_suite", "read_for_suite"]


def read_for_suite(path: str | os.PathLike, suite, task: Task | str | None = None) -> Transitions:
    """A synthetic file (``.h5``/``.npz``) of ``task`` (rows unlabelled when ``None``), refused unless its
    observation and action dims are ``suite``'s and its values finite."""
    return read_synthetic(
        path,
        task=suite.parse(task) if task is not None else None,
        obs_dim=suite.observation_layout.dim,
        action_dim=suite.action_dim,
    )


def check_dims(data: Transitions, obs_dim: int, action_dim: int, name: str = "data", against: str = "the suite") -> None:
    """:class:`DataError` unless ``data`` has ``obs_dim`` observation and ``action_dim`` action dims;
    the message names the data, the dims it has and the ones ``against`` has."""
    if data.obs_dim != obs_dim:
        raise DataError(f"{name}: observations have {data.obs_dim} dims, {against} has {obs_dim}")
    if data.action_dim != action_dim:
        raise DataError(f"{name}: actions have {data.action_dim} dims, {against} has {action_dim}")


def check_for_suite(data: Transitions, suite, task: Task | str | None = None, name: str = "data") -> Transitions:
    """``data`` checked against ``suite``: a :class:`Transitions` of consistent shapes (narrowed to ``task``'s
    rows when it holds several tasks), with the suite's observation and action dims and no NaN/Inf.
    Returns the (narrowed) data; raises :class:`DataError` with a one-line message naming the problem."""
    if not isinstance(data, Transitions):
        raise DataError(f"{name}: expected compogen.data.Transitions, got {type(data).__name__}")
    data.validate(name)
    if task is not None and len(data.tasks) > 1:
        task = suite.parse(task)
        if task not in data.tasks:
            raise DataError(f"{name}: no rows for task {suite.task_id(task)} among its {len(data.tasks)} tasks")
        data = data.select(task)
    check_dims(data, suite.observation_layout.dim, suite.action_dim, name, f"suite {suite.name!r}")
    return data.check_finite(name)
