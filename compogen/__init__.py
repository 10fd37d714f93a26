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
from compogen.suites import register_envs as _register_envs
from compogen.tasks import AXES, COMPOSUITE_SPACE, Task, TaskSpace, resolve_tasks
from compogen.version import __version__ as __version__

# gymnasium.make("compogen/<robot>-<object>-<obstacle>-<objective>-v0") after `import compogen`
_register_envs()

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
