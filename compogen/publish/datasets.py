"""Synthetic data as Minari datasets: ``minari.load_dataset("compogen/<task-id>-v0")``.

A published dataset is an ordinary Minari dataset (HDF5 backend) in Minari's own
root (``MINARI_DATASETS_PATH``, else ``~/.minari/datasets``) whose env specs point
at the task's real simulator, so ``dataset.recover_environment()`` works in a
fresh process after ``import compogen``. Data that are episodes (rows chained as
:func:`~compogen.data.minari_io.episode_bounds` says, e.g. ``generate_episodes`` output)
become Minari episodes; independent transitions become one-step episodes
(``layout="transitions"``, or by default when the rows are not episodes). Either way
``observations[t + 1]`` is the next state of step ``t`` and flags mark episode ends only
(:mod:`compogen.data.minari_io`). The description and ``metadata["compogen"]`` say which
layout it is and record where the data came from; Minari's own fields (author, email,
code permalink, algorithm) are filled from the arguments, ``git`` and the package.

A publish is atomic: the dataset is built in a hidden folder of the datasets root
and renamed into place, so a failed or interrupted publish leaves nothing that
``minari list local`` could trip over.

The parts: :mod:`~compogen.publish.ids` (ids, namespaces, versions), :mod:`~compogen.publish.layout` (the rows
and their layout), :mod:`~compogen.publish.metadata` (Minari's fields, description, provenance),
:mod:`~compogen.publish.files` (a data file) and :mod:`~compogen.publish.runs` (a self-improvement run); this
module checks, names and writes one dataset, and re-exports them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compogen.data import Transitions
from compogen.data.minari_io import write_minari_storage
from compogen.errors import CompogenError
from compogen.install import code_provenance as _code_provenance
from compogen.io import atomic_dir
from compogen.publish.files import publish_file
from compogen.publish.ids import (
    NAMESPACE,
    NOT_ADMITTED_NAMESPACE,
    _content_sha256,
    _resolve_id,
    check_dataset_id,
    datasets_root,
    default_dataset_id,
)
from compogen.publish.layout import LAYOUT_CHOICES, _check_options, _checked_rows, _kept_rows, _Rows
from compogen.publish.metadata import _dataset_metadata, layout_summary, standard_metadata
from compogen.publish.runs import publish_run
from compogen.suites import Suite, suite_for_task
from compogen.tasks import Task

__all__ = [
    "LAYOUT_CHOICES",
    "NAMESPACE",
    "NOT_ADMITTED_NAMESPACE",
    "check_dataset_id",
    "datasets_root",
    "default_dataset_id",
    "layout_summary",
    "publish",
    "publish_file",
    "publish_run",
    "standard_metadata",
]


def publish(  # noqa: PLR0913 -- all but data and task are keyword-only options of the one publish call
    data: Transitions,
    task: Task | str,
    *,
    dataset_id: str | None = None,
    overwrite: bool = False,
    max_transitions: int | None = None,
    layout: str = "auto",
    seed: int = 0,
    provenance: dict[str, Any] | None = None,
    root: str | Path | None = None,
    author: str | None = None,
    author_email: str | None = None,
    code_permalink: str | None = None,
    dry_run: bool = False,
) -> str:
    """Publish one task's transitions as a Minari dataset; return its id.

    The id: ``dataset_id`` if given (refused if it exists, unless ``overwrite``); else
    ``compogen/<task-id>-vN`` (``compogen-not-admitted/...`` when ``provenance["validation"]["admitted"]``
    is False), v0 first and the next version when the content differs from every published version; a
    version with the same content is refused (``overwrite`` replaces the latest). ``dry_run``: check
    everything and return the id, writing nothing.

    ``layout``: ``"episodes"`` writes the data's episodes as Minari episodes (the rows must be
    episodes: :func:`~compogen.data.minari_io.episode_bounds`), ``"transitions"`` writes every
    transition as its own one-step episode (independent transitions; about 15 KB and a few ms
    each), ``"auto"`` the first when the rows are episodes, else the second.
    ``max_transitions`` keeps a uniform random subset (``seed``) of larger data: whole episodes
    (the first of a random order that fit), or rows. ``provenance`` lands in
    ``metadata["compogen"]`` (generator, validation, source file). ``author``, ``author_email``
    and ``code_permalink`` default to ``git config user.name`` / ``user.email`` and compogen's
    git remote at its commit (:func:`standard_metadata`). Actions must lie in the task's action
    space (generated data do: :mod:`compogen.data.conform`).
    """
    suite = suite_for_task(task if isinstance(task, str) else "-".join(task))
    task = suite.parse(task)
    _check_options(dataset_id, layout, max_transitions)
    data, layout, bounds = _checked_rows(data, suite, task, layout)
    root = Path(root) if root is not None else datasets_root()
    if dataset_id is not None and (root / dataset_id).exists() and not overwrite:
        raise CompogenError(f"Minari dataset {dataset_id} exists in {root}; pass --overwrite (overwrite=True) to replace it")
    rows = _kept_rows(data, layout, bounds, max_transitions, seed)
    prov = dict(provenance or {})
    content = _content_sha256(rows.data, layout)
    admitted = (prov.get("validation") or {}).get("admitted") is not False
    dataset_id = check_dataset_id(_resolve_id(dataset_id, suite.task_id(task), admitted, root, content, overwrite))
    if dry_run:
        return dataset_id
    spec = _env_spec(suite, task)
    code = _code_provenance()
    arch = "scripted-expert" if prov.get("collection") else (prov.get("generator") or {}).get("arch")
    standard = standard_metadata(arch, author, author_email, code_permalink or code["permalink"])
    meta = _dataset_metadata(dataset_id, suite, task, rows, prov, content, code, spec, standard)
    _write(root, dataset_id, rows, suite, meta, spec, overwrite)
    return dataset_id


def _write(root: Path, dataset_id: str, rows: _Rows, suite: Suite, meta: dict[str, Any], spec: Any, overwrite: bool) -> None:
    """Write the dataset in a hidden folder of ``root`` and rename it into place (replacing one with its id if ``overwrite``)."""
    try:
        with atomic_dir(root / dataset_id, stage_in=root, replace=overwrite) as stage:
            write_minari_storage(stage / "data", rows.data, suite.observation_space(), suite.action_space(), meta, spec, rows.layout)
            _ensure_namespace(dataset_id)
    except FileExistsError:
        raise CompogenError(f"Minari dataset {dataset_id} appeared in {root} while publishing; pass --overwrite to replace it") from None


def _env_spec(suite: Suite, task: Task):
    import gymnasium as gym

    from compogen.suites import register_envs

    register_envs()
    return gym.spec(suite.env_id(task))


def _ensure_namespace(dataset_id: str) -> None:
    from minari.namespace import create_namespace, list_local_namespaces

    if "/" not in dataset_id:
        return
    namespace = dataset_id.rsplit("/", 1)[0]
    if namespace not in list_local_namespaces():
        create_namespace(
            namespace,
            description="Data published by compogen: synthetic (generated episodes, or independent transitions as one-step "
            "episodes) or real (scripted-expert episodes collected in the simulator); metadata['compogen'] says which.",
        )
