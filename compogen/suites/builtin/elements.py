"""The elements of the built-in suite: arms, objects, obstacles, objectives.

The world is a vertical plane (x forward, z up). A table surface is the plane
``z = 0``; the object starts in front of the robot and the goal lies further
forward. Every element is a small frozen dataclass of geometry and physics
constants (the classes: :mod:`.specs`; the shared dimensions: :mod:`.dimensions`,
re-exported here); the MJCF builder (:mod:`.mjcf`), the world (:mod:`.world`) and
the scripted experts (:mod:`.expert`) read them from here, nothing is duplicated.

Distances are metres, masses kilograms, angles radians.
"""

from __future__ import annotations

from compogen.suites.builtin.dimensions import (
    DOOR_HIGH,
    DOOR_LOW,
    FINGER_HALF_LEN,
    FINGER_HALF_THICK,
    FINGER_MAX,
    GOAL_X,
    GOALWALL_OFFSET,
    MAX_JOINTS,
    OBJECT_X,
    OBSTACLE_OFFSET,
    PALM_THICK,
    PUSH_GOAL_X,
    WALL_HALF_THICK,
)
from compogen.suites.builtin.specs import ArmSpec, ObjectiveSpec, ObjectSpec, ObstacleSpec

__all__ = [
    "ArmSpec",
    "ObjectSpec",
    "ObstacleSpec",
    "ObjectiveSpec",
    "ARMS",
    "OBJECTS",
    "OBSTACLES",
    "OBJECTIVES",
    "MAX_JOINTS",
    "FINGER_MAX",
    "FINGER_HALF_LEN",
    "FINGER_HALF_THICK",
    "PALM_THICK",
    "OBJECT_X",
    "GOAL_X",
    "PUSH_GOAL_X",
    "OBSTACLE_OFFSET",
    "GOALWALL_OFFSET",
    "DOOR_LOW",
    "DOOR_HIGH",
    "WALL_HALF_THICK",
]

#: Arm order follows CompoSuite's robot axis by position (IIWA, Jaco, Panda, Kinova3).
ARMS: dict[str, ArmSpec] = {
    a.name: a
    for a in (
        ArmSpec(
            "FiveLink",
            base=(0.0, 0.36),
            links=(0.32, 0.28, 0.18, 0.07, 0.06),
            link_mass=0.6,
            kp=300.0,
            kv=15.0,
            damping=2.5,
            delta_scale=0.10,
            home=(0.16, 0.30),
            rgba="0.55 0.6 0.8 1",
        ),
        ArmSpec(
            "ThreeLink",
            base=(0.05, 0.22),
            links=(0.40, 0.36, 0.055),
            link_mass=1.0,
            kp=500.0,
            kv=25.0,
            damping=5.0,
            delta_scale=0.08,
            home=(0.20, 0.28),
            rgba="0.8 0.55 0.45 1",
        ),
        ArmSpec(
            "FourLink",
            base=(-0.06, 0.28),
            links=(0.36, 0.32, 0.16, 0.06),
            link_mass=0.8,
            kp=400.0,
            kv=20.0,
            damping=3.75,
            delta_scale=0.09,
            home=(0.14, 0.30),
            rgba="0.5 0.75 0.5 1",
        ),
        ArmSpec(
            "SixLink",
            base=(0.02, 0.48),
            links=(0.24, 0.22, 0.18, 0.14, 0.08, 0.05),
            link_mass=0.4,
            kp=200.0,
            kv=10.0,
            damping=1.5,
            delta_scale=0.12,
            home=(0.18, 0.32),
            rgba="0.75 0.7 0.4 1",
        ),
    )
}

OBJECTS: dict[str, ObjectSpec] = {
    o.name: o
    for o in (
        # A cube grasped across its middle.
        ObjectSpec(
            "Box",
            boxes=((0.0, 0.025, 0.025, 0.025),),
            mass=0.25,
            grasp=(0.0, 0.032),
            grasp_width=0.05,
            pregrasp_open=0.042,
            half_width=0.025,
            height=0.05,
            push_z=0.030,
            rgba="0.85 0.3 0.3 1",
        ),
        # Upright: a heavy wide weight with a thin handle on top; grasped at the handle, high.
        ObjectSpec(
            "Dumbbell",
            boxes=((0.0, 0.015, 0.035, 0.015), (0.0, 0.065, 0.01, 0.035)),
            mass=0.5,
            grasp=(0.0, 0.077),
            grasp_width=0.02,
            pregrasp_open=0.024,
            half_width=0.035,
            height=0.10,
            push_z=0.030,
            rgba="0.3 0.3 0.85 1",
        ),
        # Thin and wide: the fingers must open wide and reach down to the table.
        ObjectSpec(
            "Plate",
            boxes=((0.0, 0.014, 0.04, 0.014),),
            mass=0.15,
            grasp=(0.0, 0.034),
            grasp_width=0.08,
            pregrasp_open=0.052,
            half_width=0.04,
            height=0.028,
            push_z=0.030,
            rgba="0.9 0.8 0.3 1",
        ),
        # An open box (floor and two side walls); grasped by its near wall.
        ObjectSpec(
            "Hollowbox",
            boxes=((0.0, 0.005, 0.04, 0.005), (-0.035, 0.035, 0.005, 0.025), (0.035, 0.035, 0.005, 0.025)),
            mass=0.2,
            grasp=(-0.035, 0.045),
            grasp_width=0.01,
            pregrasp_open=0.02,
            half_width=0.04,
            height=0.06,
            push_z=0.030,
            rgba="0.3 0.75 0.4 1",
        ),
    )
}

OBSTACLES: dict[str, ObstacleSpec] = {
    o.name: o
    for o in (
        ObstacleSpec("None", boxes=(), span=(0.0, 0.0), anchor=""),
        # A tall wall right behind the object: the arm must come from above.
        ObstacleSpec("ObjectWall", boxes=((0.0, 0.10, WALL_HALF_THICK, 0.10),), span=(0.0, 0.20), anchor="object"),
        # A doorway behind the object: a low wall and a lintel; the gripper must pass between them.
        ObstacleSpec(
            "ObjectDoor",
            boxes=((0.0, DOOR_LOW / 2, WALL_HALF_THICK, DOOR_LOW / 2), (0.0, (DOOR_HIGH + 0.6) / 2, WALL_HALF_THICK, (0.6 - DOOR_HIGH) / 2)),
            span=(DOOR_LOW, DOOR_HIGH),
            anchor="object",
        ),
        # A wall in front of the goal (for Push: the stop wall right behind the target, see objectives).
        ObstacleSpec("GoalWall", boxes=((0.0, 0.10, WALL_HALF_THICK, 0.10),), span=(0.0, 0.20), anchor="goal"),
    )
}

OBJECTIVES: dict[str, ObjectiveSpec] = {
    o.name: o
    for o in (
        # A bin with low walls on the table.
        ObjectiveSpec(
            "PickPlace", boxes=((-0.09, 0.02, 0.005, 0.02), (0.09, 0.02, 0.005, 0.02)), surface=0.0, half_range=0.04, rim=0.04, carried=True
        ),
        # A target zone on the table (no structure); lifting the object ends the episode.
        ObjectiveSpec("Push", boxes=(), surface=0.0, half_range=0.025, rim=0.0, carried=False),
        # A raised shelf.
        ObjectiveSpec("Shelf", boxes=((0.0, 0.06, 0.08, 0.06),), surface=0.12, half_range=0.06, rim=0.12, carried=True),
        # A tall can: the object is dropped in from above, the gripper stays outside.
        ObjectiveSpec(
            "Trashcan", boxes=((-0.07, 0.08, 0.005, 0.08), (0.07, 0.08, 0.005, 0.08)), surface=0.0, half_range=0.06, rim=0.16, carried=True, drop=True
        ),
    )
}
