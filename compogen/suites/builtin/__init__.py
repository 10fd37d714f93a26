"""compogen's built-in MuJoCo suite (planar arms, real contacts, scripted experts).

Importing this package does not import MuJoCo; making an env does.
"""

from compogen.suites.builtin.layout import ACTION_DIM, BUILTIN_SPACE, HORIZON, OBS_DIM, OBSERVATION_LAYOUT
from compogen.suites.builtin.registration import register_envs
from compogen.suites.builtin.suite import BuiltinSuite

__all__ = ["ACTION_DIM", "BUILTIN_SPACE", "BuiltinSuite", "HORIZON", "OBS_DIM", "OBSERVATION_LAYOUT", "register_envs"]
