"""Publishing: synthetic data as Minari datasets and virtual offline envs."""

from compogen.publish.datasets import NAMESPACE, check_dataset_id, datasets_root, default_dataset_id, publish, publish_file, publish_run
from compogen.publish.offline_env import OfflineEnv, offline_env

__all__ = [
    "NAMESPACE",
    "OfflineEnv",
    "check_dataset_id",
    "datasets_root",
    "default_dataset_id",
    "offline_env",
    "publish",
    "publish_file",
    "publish_run",
]
