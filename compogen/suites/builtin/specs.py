"""The kinds of element of the built-in suite: frozen dataclasses of geometry and physics constants.

The instances (the catalogue) are in :mod:`.elements`. Distances are metres, masses kilograms, angles radians.
"""

from __future__ import annotations

from dataclasses import dataclass

from compogen.suites.builtin.dimensions import FINGER_HALF_LEN, PALM_THICK

__all__ = ["ArmSpec", "ObjectSpec", "ObstacleSpec", "ObjectiveSpec"]


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
