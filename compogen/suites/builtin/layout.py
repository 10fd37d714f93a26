"""Sizes and the observation layout of the built-in suite (no MuJoCo import)."""

from __future__ import annotations

from compogen.layouts.observation import Factor, ObservationLayout
from compogen.suites.builtin.elements import ARMS, MAX_JOINTS, OBJECTIVES, OBJECTS, OBSTACLES
from compogen.tasks.space import AXES, TaskSpace

__all__ = ["BUILTIN_SPACE", "OBSERVATION_LAYOUT", "OBS_DIM", "ACTION_DIM", "HORIZON", "SLICES"]

#: Element names; robots are the suite's own arms, the rest spelled as CompoSuite spells them.
BUILTIN_SPACE = TaskSpace(elements=(tuple(ARMS), tuple(OBJECTS), tuple(OBSTACLES), tuple(OBJECTIVES)))

#: Joint-target deltas (padded to the largest arm) + gripper.
ACTION_DIM = MAX_JOINTS + 1
#: Episode length limit (control steps of 0.02 s).
HORIZON = 200

PROPRIO_DIM = 2 * MAX_JOINTS + 6
SLICES = {
    "object": slice(0, 6),
    "obstacle": slice(6, 10),
    "goal": slice(10, 14),
    "task_id": slice(14, 30),
    "proprio": slice(30, 30 + PROPRIO_DIM),
}
OBS_DIM = 30 + PROPRIO_DIM

OBSERVATION_LAYOUT = ObservationLayout(
    dim=OBS_DIM,
    factors=(
        Factor("object", 0, 6, "object"),
        Factor("obstacle", 6, 10, "obstacle"),
        Factor("goal", 10, 14, "objective"),
        Factor("proprio", 30, OBS_DIM, "robot"),
    ),
    task_id_start=14,
    task_id_stop=30,
    task_id_order=AXES,
)
