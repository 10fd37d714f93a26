"""Transitions, their flat layout and normalizer, offline and synthetic files on disk."""

from compogen.data.normalizer import Normalizer
from compogen.data.offline import (
    DEFAULT_TYPE,
    OfflineDatasetWriter,
    dataset_path,
    find_datasets,
    load_pool,
    read_offline_dataset,
    summarize_offline_dataset,
)
from compogen.data.suite_io import check_dims, check_for_suite, read_for_suite
from compogen.data.synthetic import SyntheticWriter, read_synthetic, read_synthetic_attrs, write_synthetic
from compogen.data.transitions import Transitions
from compogen.layouts.transition import Token, TransitionLayout

__all__ = [
    "DEFAULT_TYPE",
    "Normalizer",
    "OfflineDatasetWriter",
    "SyntheticWriter",
    "Token",
    "TransitionLayout",
    "Transitions",
    "check_dims",
    "check_for_suite",
    "dataset_path",
    "find_datasets",
    "load_pool",
    "read_for_suite",
    "read_offline_dataset",
    "read_synthetic",
    "read_synthetic_attrs",
    "summarize_offline_dataset",
    "write_synthetic",
]
