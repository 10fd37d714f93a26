"""compogen: iterative compositional data generation for robot control.

Trains compositional diffusion generators of RL transitions on a few tasks,
generates data for unseen task combinations, keeps what trains good policies,
and iterates (Algorithm 1 of Pham et al. 2026).
"""

from compogen.data import (
    Normalizer,
    OfflineDatasetWriter,
    SyntheticWriter,
    TransitionLayout,
    Transitions,
    load_pool,
    read_offline_dataset,
    read_synthetic,
)
from compogen.errors import CheckpointError, CompogenError, DataError, UnknownTaskError
from compogen.publish import OfflineEnv, offline_env, publish, publish_file, publish_run
from compogen.suites import DEFAULT_SUITE, ObservationLayout, Suite, get_suite
from compogen.tasks import AXES, COMPOSUITE_SPACE, Task, TaskSpace, resolve_tasks

__version__ = "0.1.0"

# gymnasium.make("compogen/<robot>-<object>-<obstacle>-<objective>-v0") after `import compogen`, for both
# suites (string entry points: MuJoCo or CompoSuite is imported only when an env is made).
from compogen.suites.builtin.registration import register_envs as _register_builtin
from compogen.suites.composuite import register_envs as _register_composuite

_register_builtin()
_register_composuite()

__all__ = [
    "AXES",
    "COMPOSUITE_SPACE",
    "CheckpointError",
    "CompogenError",
    "DEFAULT_SUITE",
    "DataError",
    "Normalizer",
    "OfflineEnv",
    "ObservationLayout",
    "OfflineDatasetWriter",
    "Suite",
    "SyntheticWriter",
    "Task",
    "TaskSpace",
    "TransitionLayout",
    "Transitions",
    "UnknownTaskError",
    "get_suite",
    "load_pool",
    "offline_env",
    "publish",
    "publish_file",
    "publish_run",
    "read_offline_dataset",
    "read_synthetic",
    "resolve_tasks",
]
