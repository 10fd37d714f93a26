"""Validation of synthetic data: offline RL on a task's transitions, evaluated in the simulator.

>>> from compogen.validation import wilson_interval
>>> [round(x, 3) for x in wilson_interval(10, 10)]
[0.722, 1.0]
"""

from compogen.rl.evaluate import EvalResult, evaluate, evaluate_many, make_eval_envs
from compogen.rl.metrics import SUCCESS_REWARD, episode_success, wilson_interval
from compogen.rl.policy_io import load_policy, save_policy
from compogen.validation.api import BACKENDS, validate, validate_many
from compogen.validation.config import VALIDATION_PRESETS, ValidationConfig, preset
from compogen.validation.results import EvalPoint, SeedResult, TaskValidation

__all__ = [
    "BACKENDS",
    "EvalPoint",
    "EvalResult",
    "VALIDATION_PRESETS",
    "SUCCESS_REWARD",
    "SeedResult",
    "TaskValidation",
    "ValidationConfig",
    "episode_success",
    "evaluate",
    "evaluate_many",
    "load_policy",
    "make_eval_envs",
    "preset",
    "save_policy",
    "validate",
    "validate_many",
    "wilson_interval",
]
