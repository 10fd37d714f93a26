"""Sizes and the observation layout of the built-in suite (no MuJoCo import)."""

from __future__ import annotations

from types import SimpleNamespace

from compogen.layouts.observation import Factor, ObservationLayout
from compogen.suites.builtin.elements import ARMS, MAX_JOINTS, OBJECTIVES, OBJECTS, OBSTACLES
from compogen.tasks.space import AXES, TaskSpace

__all__ = ["BUILTIN_SPACE", "OBSERVATION_LAYOUT", "OBS_DIM", "ACTION_DIM", "HORIZON", "OBS"]

#: Element names; robots are the suite's own arms, the rest spelled as CompoSuite spells them.
BUILTIN_SPACE = TaskSpace(elements=(tuple(ARMS), tuple(OBJECTS), tuple(OBSTACLES), tuple(OBJECTIVES)))

#: Joint-target deltas (padded to the largest arm) + gripper.
ACTION_DIM = MAX_JOINTS + 1
#: Episode length limit (control steps of 0.02 s).
HORIZON = 200

PROPRIO_DIM = 2 * MAX_JOINTS + 6
_PROPRIO = 30
#: Named positions inside the observation: the env writes the entries in this order
#: (:func:`~compogen.suites.builtin.rules.observation_values`), the scripted expert reads them by name.
OBS = SimpleNamespace(
    object_x=0, object_z=1, obstacle_x=6, goal_x=10, task_id=slice(14, 30),
    joints=_PROPRIO, joint_vels=_PROPRIO + MAX_JOINTS,
    ee_x=_PROPRIO + 2 * MAX_JOINTS, ee_z=_PROPRIO + 2 * MAX_JOINTS + 1,
    pitch_cos=_PROPRIO + 2 * MAX_JOINTS + 2, pitch_sin=_PROPRIO + 2 * MAX_JOINTS + 3,
    finger=_PROPRIO + 2 * MAX_JOINTS + 4, finger_vel=_PROPRIO + 2 * MAX_JOINTS + 5,
)  # fmt: skip
OBS_DIM = _PROPRIO + PROPRIO_DIM

OBSERVATION_LAYOUT = ObservationLayout(
    dim=OBS_DIM,
    factors=(
        Factor("object", 0, 6, "object"),
        Factor("obstacle", 6, 10, "obstacle"),
        Factor("goal", 10, 14, "objective"),
        Factor("proprio", _PROPRIO, OBS_DIM, "robot"),
    ),
    task_id_start=OBS.task_id.start,
    task_id_stop=OBS.task_id.stop,
    task_id_order=AXES,
)
