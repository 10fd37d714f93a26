"""Fixtures: the CompoSuite layout (no CompoSuite install needed) and random pools."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.data import Transitions
from compogen.suites import get_suite

TASK_A = "iiwa-box-none-push"
TASK_B = "jaco-plate-objectwall-shelf"  # no element in common with TASK_A
UNSEEN = "kinova3-hollowbox-goalwall-trashcan"


@pytest.fixture(scope="session")
def layout():
    return get_suite("composuite").transition_layout()


def make_pool(layout, tasks=(TASK_A, TASK_B), n=400, seed=0) -> Transitions:
    """Random transitions with correct task-id dims; per-task offsets so tasks differ."""
    sp = layout.space
    tasks = [sp.parse(t) for t in tasks]
    rng = np.random.default_rng(seed)
    ti = rng.integers(0, len(tasks), n).astype(np.int16)
    obs = (rng.normal(size=(n, layout.obs_dim)) + ti[:, None]).astype(np.float32)
    nxt = (obs + 0.1 * rng.normal(size=obs.shape)).astype(np.float32)
    block = layout.observation_layout.obs_task_block(sp.indicators(tasks)[ti], sp)
    lo = layout.observation_layout
    obs[:, lo.task_id_start : lo.task_id_stop] = block
    nxt[:, lo.task_id_start : lo.task_id_stop] = block
    return Transitions(
        obs,
        rng.normal(size=(n, layout.action_dim)).astype(np.float32),
        rng.random(n).astype(np.float32),
        nxt,
        rng.random(n) < 0.2,
        task_index=ti,
        tasks=tasks,
    )


@pytest.fixture
def pool(layout):
    return make_pool(layout)
