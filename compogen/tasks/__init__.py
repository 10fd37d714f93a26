"""Task space, task ids, indicators and splits."""

from compogen.tasks.space import AXES, COMPOSUITE_SPACE, Task, TaskSpace
from compogen.tasks.splits import PAPER_NUM_TRAIN, load_split, resolve_tasks, split_names, translate

__all__ = [
    "AXES",
    "COMPOSUITE_SPACE",
    "PAPER_NUM_TRAIN",
    "Task",
    "TaskSpace",
    "load_split",
    "resolve_tasks",
    "split_names",
    "translate",
]
