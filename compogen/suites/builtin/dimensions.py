"""The built-in suite's shared dimensions: the gripper, nominal positions, walls and the door.

Distances are metres. The element catalogue (:mod:`.elements`) re-exports these.
"""

from __future__ import annotations

__all__ = [
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

#: Door opening: the gripper fits through when its fingertips are above DOOR_LOW and its palm below DOOR_HIGH.
DOOR_LOW, DOOR_HIGH = 0.10, 0.24
#: Half-thickness of the walls (ObjectWall, ObjectDoor, GoalWall).
WALL_HALF_THICK = 0.01
