"""Dataset ids: compogen's namespaces, id checks, Minari's datasets root, and the next version to publish.

``compogen/<task-id>-vN``: v0 first, the next version when the content (:func:`_content_sha256`) differs
from every published version; a version holding the same content is refused (:func:`_resolve_id`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from compogen.data import Transitions
from compogen.errors import CompogenError

__all__ = ["NAMESPACE", "NOT_ADMITTED_NAMESPACE", "check_dataset_id", "datasets_root", "default_dataset_id"]

#: The Minari namespace of compogen's datasets.
NAMESPACE = "compogen"
#: The namespace of datasets that a run's validation did not admit (``publish --run --all``).
NOT_ADMITTED_NAMESPACE = "compogen-not-admitted"
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*(/[a-z0-9][a-z0-9_.-]*)*-v\d+")


def default_dataset_id(task_id: str, admitted: bool = True, version: int = 0) -> str:
    """``compogen/<task-id>-v<version>`` (``compogen/fivelink-plate-none-push-v0``); a dataset a run's
    validation did not admit lives in ``compogen-not-admitted/``. :func:`publish` without an id takes the
    next version when the content differs from every published version (:func:`_resolve_id`)."""
    return f"{NAMESPACE if admitted else NOT_ADMITTED_NAMESPACE}/{task_id}-v{version}"


def check_dataset_id(dataset_id: str) -> str:
    """``dataset_id`` if it is a valid Minari id (``[namespace/]name-vN``, lower case); else :class:`CompogenError`."""
    from minari.namespace import NAMESPACE_REGEX

    namespace = dataset_id.rsplit("/", 1)[0] if isinstance(dataset_id, str) and "/" in dataset_id else None
    if (
        not isinstance(dataset_id, str)
        or not _ID.fullmatch(dataset_id)
        or any(p in (".", "..") for p in dataset_id.split("/"))
        or (namespace is not None and not NAMESPACE_REGEX.fullmatch(namespace))  # Minari's rule: 2+ characters, no dots
    ):
        raise CompogenError(
            f"bad dataset id {dataset_id!r}: expected [namespace/]name-vN in lower case, e.g. {default_dataset_id('fivelink-plate-none-push')}"
        )
    return dataset_id


def datasets_root() -> Path:
    """Minari's datasets root (``MINARI_DATASETS_PATH``, else ``~/.minari/datasets``)."""
    from minari.storage.datasets_root_dir import get_dataset_path

    return Path(get_dataset_path())


def _content_sha256(data: Transitions, layout: str) -> str:
    """What a dataset holds: its layout and every column, hashed."""
    h = hashlib.sha256(layout.encode())
    timeouts = data.timeouts if data.timeouts is not None else np.zeros(len(data), bool)
    for a in (data.observations, data.actions, data.rewards, data.next_observations, data.terminals, timeouts):
        h.update(str(np.asarray(a).dtype).encode() + str(np.shape(a)).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _published_versions(root: Path, name: str) -> dict[int, str | None]:
    """``{version: content sha256 or None}`` of the datasets ``<name>-v<version>`` in ``root``."""
    import json

    folder = root / name.rsplit("/", 1)[0] if "/" in name else root
    base = name.rsplit("/", 1)[-1]
    out: dict[int, str | None] = {}
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        m = re.fullmatch(re.escape(base) + r"-v(\d+)", p.name)
        if m and p.is_dir():
            try:
                meta = json.loads((p / "data" / "metadata.json").read_text())
                out[int(m[1])] = ((meta.get("compogen") or {}) if isinstance(meta, dict) else {}).get("content_sha256")
            except (OSError, ValueError):
                out[int(m[1])] = None
    return out


def _resolve_id(dataset_id: str | None, task_id: str, admitted: bool, root: Path, content: str, overwrite: bool) -> str:
    """The id to publish under. Given: itself (refused if it exists, unless ``overwrite``). Else
    ``<namespace>/<task-id>-vN``: v0 first, the next version when the content differs from every published
    version, refused when a version holds the same content (``overwrite`` replaces the latest version)."""
    if dataset_id is not None:
        if (root / dataset_id).exists() and not overwrite:
            raise CompogenError(f"Minari dataset {dataset_id} exists in {root}; pass --overwrite (overwrite=True) to replace it")
        return dataset_id
    name = default_dataset_id(task_id, admitted).rsplit("-v", 1)[0]
    versions = _published_versions(root, name)
    if not versions:
        return f"{name}-v0"
    latest = max(versions)
    if overwrite:
        return f"{name}-v{latest}"
    same = sorted(v for v, sha in versions.items() if sha == content)
    if same:
        raise CompogenError(
            f"Minari dataset {name}-v{same[-1]} in {root} holds the same content; pass --overwrite (overwrite=True) to replace {name}-v{latest}"
        )
    return f"{name}-v{latest + 1}"
