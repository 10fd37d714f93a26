"""Algorithm 1 (Pham et al. 2026): the self-improvement loop, its settings, run directory and executors."""

from compogen.loop.bootstrap import run_bootstrap
from compogen.loop.config import LOOP_PRESETS, LoopConfig, loop_preset
from compogen.loop.executor import EXECUTORS, JobOutcome, LocalExecutor, RayExecutor, SubmititExecutor, make_executor
from compogen.loop.metrics import compute_metrics, format_table, write_metrics
from compogen.loop.records import PoolEntry, Round, RunState, TaskResult, as_rounds
from compogen.loop.rundir import RunDir
from compogen.loop.runner import check_state, load_state, make_stages, resolve_run_tasks, run_loop, run_task_job
from compogen.loop.schedule import ScheduleState, ThresholdSchedule, advance
from compogen.loop.stages import DiffusionStages, round_steps

__all__ = [
    "DiffusionStages",
    "EXECUTORS",
    "JobOutcome",
    "LOOP_PRESETS",
    "LocalExecutor",
    "LoopConfig",
    "PoolEntry",
    "RayExecutor",
    "Round",
    "RunDir",
    "RunState",
    "ScheduleState",
    "SubmititExecutor",
    "TaskResult",
    "ThresholdSchedule",
    "advance",
    "as_rounds",
    "check_state",
    "compute_metrics",
    "format_table",
    "load_state",
    "loop_preset",
    "make_executor",
    "make_stages",
    "resolve_run_tasks",
    "round_steps",
    "run_bootstrap",
    "run_loop",
    "run_task_job",
    "write_metrics",
]
