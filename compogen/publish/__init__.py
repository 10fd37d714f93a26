"""Publishing: synthetic data as Minari datasets and virtual offline envs."""

from compogen.publish.datasets import (
    LAYOUT_CHOICES,
    NAMESPACE,
    check_dataset_id,
    datasets_root,
    default_dataset_id,
    layout_summary,
    publish,
    publish_file,
    publish_run,
    standard_metadata,
)
from compogen.publish.offline_env import OfflineEnv, offline_env

__all__ = [
    "LAYOUT_CHOICES",
    "NAMESPACE",
    "OfflineEnv",
    "check_dataset_id",
    "datasets_root",
    "default_dataset_id",
    "layout_summary",
    "offline_env",
    "publish",
    "publish_file",
    "publish_run",
    "standard_metadata",
]
