"""compogen's built-in MuJoCo suite: 4 arms x 4 objects x 4 obstacles x 4 objectives.

The world is a vertical plane (x forward, z up) simulated by MuJoCo with real
contacts and gravity: a table (``z = 0``), an object that slides and falls in the
plane, static obstacles and goal structures, and a planar arm whose two-finger
gripper grasps by friction. Only the hand (palm, fingers) collides; the links
move beside the work plane. Objects translate (x, z) without rotating.

Elements (names of objects, obstacles and objectives are CompoSuite's):

- robots: ``FiveLink``, ``ThreeLink``, ``FourLink``, ``SixLink`` — planar arms with
  that many revolute joints, different link lengths, shoulder positions/heights,
  link masses, servo gains and joint speed limits (position 0 plays IIWA's part in
  the paper's splits, 1 Jaco, 2 Panda, 3 Kinova3).
- objects: ``Box`` (cube, grasped across), ``Dumbbell`` (heavy wide base, thin
  handle grasped high), ``Plate`` (thin and wide: open wide, reach low),
  ``Hollowbox`` (open box grasped by its near wall).
- obstacles: ``None``; ``ObjectWall`` (tall wall behind the object: approach from
  above); ``ObjectDoor`` (a low wall plus a lintel behind the object: the gripper
  must pass through the opening); ``GoalWall`` (a wall in front of the goal that
  the carried object must clear; for Push, where nothing may be lifted, it is a
  stop wall right behind the target).
- objectives: ``PickPlace`` (into a low bin), ``Push`` (slide to a target zone;
  lifting the object more than 2 cm ends the episode as a failure), ``Shelf``
  (onto a raised shelf), ``Trashcan`` (drop into a tall can; at success the
  gripper is above the rim).

Observation, action and reward: see :mod:`compogen.suites.builtin.env`.
Gymnasium ids: ``compogen/<robot>-<object>-<obstacle>-<objective>-v0`` after
:func:`register_envs`. Scripted experts: :meth:`BuiltinSuite.expert`.
Importing this package does not import MuJoCo; making an env does.
"""

from compogen.suites.builtin.layout import ACTION_DIM, BUILTIN_SPACE, HORIZON, OBS_DIM, OBSERVATION_LAYOUT
from compogen.suites.builtin.registration import register_envs
from compogen.suites.builtin.suite import BuiltinSuite

__all__ = ["ACTION_DIM", "BUILTIN_SPACE", "BuiltinSuite", "HORIZON", "OBS_DIM", "OBSERVATION_LAYOUT", "register_envs"]
