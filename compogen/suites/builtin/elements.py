"""The elements of the built-in suite: arms, objects, obstacles, objectives.

The world is a vertical plane (x forward, z up). A table surface is the plane
``z = 0``; the object starts in front of the robot and the goal lies further
forward. Every element is a small frozen dataclass of geometry and physics
constants; the MJCF builder (:mod:`.mjcf`), the env (:mod:`.env`) and the
scripted experts (:mod:`.expert`) read them from here, nothing is duplicated.

Distances are metres, masses kilograms, angles radians.
"""

from __future__ import annotations

from dataclasses import dataclass

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
]

# ---------------------------------------------------------------------------------------
# Gripper (shared by every arm): a palm and two parallel fingers sliding in the plane.
#: Largest opening of one finger (inner face to the gripper's centre line); gap = 2 * this.
FINGER_MAX = 0.055
#: Half-length of a finger along the hand's axis.
FINGER_HALF_LEN = 0.025
#: Half-thickness of a finger (across the gap).
FINGER_HALF_THICK = 0.006
#: Thickness of the palm along the hand's axis; the fingers hang below it.
PALM_THICK = 0.02
#: Arms have at most this many joints; actions and proprioception are padded to it.
MAX_JOINTS = 6

# Nominal positions (randomized at reset by a few centimetres).
#: x of the object's centre at reset (before the random offset).
OBJECT_X = 0.40
#: x of the goal structure's centre (bin, shelf, can) for the carrying objectives.
GOAL_X = 0.66
#: x of the push target's centre.
PUSH_GOAL_X = 0.60
#: The object-side obstacles (ObjectWall, ObjectDoor) stand this far behind the object's centre.
OBSTACLE_OFFSET = 0.10
#: The GoalWall stands this far in front of the goal's centre (towards the robot).
GOALWALL_OFFSET = 0.14


@dataclass(frozen=True)
class ArmSpec:
    """A planar serial arm rotating in the x-z plane, with the shared gripper at its tip."""

    #: Element name (also the task-id token, lower-cased).
    name: str
    #: Shoulder position (x, z) in the world.
    base: tuple[float, float]
    #: Length of every link; the last one ends at the palm.
    links: tuple[float, ...]
    #: Mass of each link (kg).
    link_mass: float
    #: Position-servo stiffness (N m / rad) of every joint.
    kp: float
    #: Position-servo damping (N m s / rad).
    kv: float
    #: Joint damping (N m s / rad).
    damping: float
    #: Largest joint-target change per control step for an action of 1 (rad).
    delta_scale: float
    #: Home position of the gripper's grasp point (x, z), gripper pointing down.
    home: tuple[float, float]
    #: Colour of the links (for rendering).
    rgba: str = "0.6 0.6 0.7 1"

    @property
    def num_joints(self) -> int:
        return len(self.links)

    @property
    def hand_reach(self) -> float:
        """Distance from the last joint to the grasp point (the ``ee`` site)."""
        return self.links[-1] + PALM_THICK + FINGER_HALF_LEN


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


@dataclass(frozen=True)
class ObjectSpec:
    """A rigid object that slides in the plane (x and z joints), made of a few boxes."""

    #: Element name.
    name: str
    #: Boxes ``(x_center, z_center, half_x, half_z)`` in the object's frame (origin at its bottom centre).
    boxes: tuple[tuple[float, float, float, float], ...]
    #: Total mass (kg), spread over the boxes by volume.
    mass: float
    #: Grasp point (x, z) in the object's frame where the gripper's grasp point goes.
    grasp: tuple[float, float]
    #: Width between the fingers' inner faces when grasping (the part squeezed).
    grasp_width: float
    #: Opening used while approaching the grasp (finger inner face to centre line).
    pregrasp_open: float
    #: Half extent in x of the whole object (for pushing and goal tolerances).
    half_width: float
    #: Height of the object.
    height: float
    #: Height (gripper grasp point) at which the closed gripper pushes the object.
    push_z: float
    rgba: str = "0.8 0.3 0.3 1"


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


@dataclass(frozen=True)
class ObstacleSpec:
    """A static obstacle made of boxes ``(x_center, z_center, half_x, half_z)`` in its own frame.

    ``state`` is what the observation reports besides the obstacle's x position:
    for walls the solid span ``(z_low, z_high)``, for the door the opening span.
    """

    name: str
    boxes: tuple[tuple[float, float, float, float], ...]
    #: Two numbers reported in the observation (see class docstring).
    span: tuple[float, float]
    #: Placed relative to the object ("object") or to the goal ("goal"); "" for none.
    anchor: str


#: Door opening: the gripper fits through when its fingertips are above DOOR_LOW and its palm below DOOR_HIGH.
DOOR_LOW, DOOR_HIGH = 0.10, 0.24
WALL_HALF_THICK = 0.01

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


@dataclass(frozen=True)
class ObjectiveSpec:
    """Where the object must end up.

    ``boxes`` are the static goal structure in the goal's frame; ``surface`` the
    height the object rests on at the goal; ``half_range`` how far the object's
    centre may be from the goal's centre in x; ``rim`` the height the carried
    object must clear to enter.
    """

    name: str
    boxes: tuple[tuple[float, float, float, float], ...]
    surface: float
    half_range: float
    rim: float
    #: The object must be carried (lifting allowed) or pushed (lifting fails the episode).
    carried: bool
    #: The object is released above the goal and falls in (Trashcan).
    drop: bool = False


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
