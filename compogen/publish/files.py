"""Publishing a data file: ``compogen generate`` output (synthetic) or ``compogen collect`` output (real).

The task and the generator's (or collector's) provenance come from the file's metadata where it records them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compogen.data import read_for_suite, read_synthetic_attrs
from compogen.data.minari_io import EPISODES
from compogen.errors import CompogenError, DataError
from compogen.io import file_sha256
from compogen.suites import suite_for_task
from compogen.tasks import Task

__all__ = ["publish_file"]


def publish_file(path: str | Path, task: Task | str | None = None, *, provenance: dict[str, Any] | None = None, **kwargs: Any) -> str:
    """Publish a synthetic file (``compogen generate`` output or SynthER-style ``.npz``) or a real one
    (``compogen collect`` output: scripted-expert episodes collected in the simulator, published as real,
    ``metadata["compogen"]["synthetic"] = False``); the task and the generator's (or collector's)
    provenance come from the file's metadata where it records them. A file in the offline format that
    does not record its collector is refused."""
    from compogen.publish.datasets import publish  # datasets re-exports publish_file: imported when called

    path = Path(path)
    attrs = read_synthetic_attrs(path) if path.is_file() else {}
    collection = _collection(path, attrs) if path.is_file() else None
    recorded = attrs.get("task")
    if task is None and recorded is None:
        raise CompogenError(f"{path}: the file does not record its task; pass --task")
    task_id = task if isinstance(task, str) else ("-".join(task) if task is not None else recorded)
    suite = suite_for_task(task_id)
    task_id = suite.task_id(task_id)
    if recorded is not None and suite.task_id(recorded) != task_id:
        raise CompogenError(f"{path} holds data of {recorded}, not {task_id}")
    data = read_for_suite(path, suite, task_id)
    if (attrs.get("layout") == EPISODES or collection) and kwargs.get("layout", "auto") == "auto":
        kwargs["layout"] = EPISODES  # a file of episodes that no longer chain is refused, never published as transitions
    prov = _file_provenance(path, attrs, collection)
    for key, value in (provenance or {}).items():
        prov[key] = {**(prov.get(key) or {}), **value} if isinstance(value, dict) else value
    return publish(data, task_id, provenance=prov, **kwargs)


def _file_provenance(path: Path, attrs: dict[str, Any], collection: dict[str, Any] | None) -> dict[str, Any]:
    """``metadata["compogen"]``'s record of the file: its name, hash and layout, and the generator that
    sampled it (a synthetic file) or how it was collected (a real one)."""
    model = attrs.get("model") or {}
    if model and not model.get("weights_sha256"):  # files sampled before samples recorded the hash
        model = {**model, "weights_sha256": _checkpoint_sha256(model.get("model_dir"))}
    return {
        "source": {"file": path.name, "sha256": file_sha256(path), "layout": attrs.get("layout")},
        "generator": {
            "arch": model.get("arch"),
            "preset": model.get("preset"),
            "step": model.get("step"),
            "weights_sha256": model.get("weights_sha256"),
            "train_tasks": model.get("train_tasks"),
            "sampler": attrs.get("sampler"),
            "seed": attrs.get("seed"),
            **({"initial_states": attrs["initial_states"], "horizon": attrs.get("horizon")} if attrs.get("initial_states") else {}),
        }
        if attrs and not collection
        else None,
        **({"collection": collection} if collection else {}),
        **({"episode_actions": _episode_actions(attrs["actions"])} if attrs.get("actions") and not collection else {}),
    }


def _episode_actions(actions: str | dict[str, Any]) -> dict[str, Any]:
    """``metadata["compogen"]["episode_actions"]`` of a file of synthesised episodes (its ``actions`` attribute):
    the generator's own ``a | s``, or an actor's actions plus Gaussian noise of the recorded std."""
    if actions == "generator":
        return {"from": "generator"}
    return {"from": "actor", "file": Path(actions["policy"]).name, "noise": actions.get("noise")}


def _collection(path: Path, attrs: dict[str, Any]) -> dict[str, Any] | None:
    """How a real file was collected (``compogen collect`` output records ``policy: scripted_expert``), None for a
    synthetic file; a file in the offline (real) format that does not say who collected it is refused."""
    if attrs.get("policy") == "scripted_expert":
        keys = ("policy", "noise", "seed", "episodes", "success_rate")
        return {"simulator": True, **{k: attrs.get(k) for k in keys}}
    if attrs.get("policy") is not None:
        raise DataError(
            f"{path}: real data collected by policy {attrs['policy']!r}; only compogen collect's scripted-expert data can be published as real"
        )
    if path.suffix != ".npz" and not attrs.get("model") and not attrs.get("sampler"):
        import h5py

        try:
            with h5py.File(path, "r") as f:
                offline = "successes" in f
        except (OSError, ValueError):
            offline = False
        if offline:
            raise DataError(
                f"{path}: an offline dataset that does not record who collected it (no 'policy' in its metadata); "
                "publish compogen collect output (real) or compogen generate output (synthetic)"
            )
    return None


def _checkpoint_sha256(model_dir: str | None) -> str | None:
    """The EMA weights' sha256 from a generator checkpoint's config, if the checkpoint is still there."""
    from compogen.generator.checkpoint import read_config

    if not model_dir or not (Path(model_dir) / "config.json").is_file():
        return None
    try:
        return ((read_config(model_dir).get("files") or {}).get("ema.safetensors") or {}).get("sha256")
    except CompogenError:
        return None
