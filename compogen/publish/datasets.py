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
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from compogen.data import Transitions, check_for_suite, read_for_suite, read_synthetic_attrs
from compogen.data.minari_io import EPISODES, TRANSITIONS, episode_bounds, write_minari_storage
from compogen.errors import CompogenError, DataError
from compogen.generator.checkpoint import has_checkpoint
from compogen.install import code_provenance as _code_provenance
from compogen.install import git as _git
from compogen.install import install_hint, requirement
from compogen.io import atomic_dir, file_sha256
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

#: The Minari namespace of compogen's datasets.
NAMESPACE = "compogen"
#: The namespace of datasets that a run's validation did not admit (``publish --run --all``).
NOT_ADMITTED_NAMESPACE = "compogen-not-admitted"
#: ``layout`` values of :func:`publish`: episodes when the rows are episodes, else one-step episodes;
#: episodes or refuse; one-step episodes of independent transitions.
LAYOUT_CHOICES = ("auto", EPISODES, TRANSITIONS)
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


def datasets_root() -> Path:
    """Minari's datasets root (``MINARI_DATASETS_PATH``, else ``~/.minari/datasets``)."""
    from minari.storage.datasets_root_dir import get_dataset_path

    return Path(get_dataset_path())


def _describe(task_id: str, suite: Suite, n: int, layout: str, episodes: int, prov: dict[str, Any]) -> str:
    gen = prov.get("generator") or {}
    val = prov.get("validation") or {}
    real = prov.get("collection")
    if real:
        noise = f" with action noise {real['noise']}" if real.get("noise") is not None else ""
        what = (
            f"REAL {'episodes' if layout == EPISODES else 'transitions'} for the {suite.name} task {task_id}, collected in the "
            f"simulator by compogen's scripted expert{noise} (compogen collect, seed {real.get('seed')}); not synthetic."
        )
        if layout == EPISODES:
            how = (
                f"{episodes} episodes, {n} steps: each Minari episode is one collected episode, observations[t + 1] is the next "
                "state of step t, and terminations/truncations are set on its last step only (layout 'episodes')."
            )
        else:
            how = f"{n} transitions, each its own one-step Minari episode [s, s'] (layout 'transitions')."
        return f"{what} {how} Provenance: metadata['compogen']."
    made = f"compogen's {gen['arch']} diffusion generator" if gen.get("arch") else "a compogen generator"
    if gen.get("iteration") is not None:
        made += f" (self-improvement round {gen['iteration']})"
    if layout == EPISODES:
        what = f"SYNTHETIC episodes for the {suite.name} task {task_id}, generated by {made}; not collected in the simulator."
        how = (
            f"{episodes} episodes, {n} steps: each Minari episode is one generated episode, observations[t + 1] is the next "
            "state of step t, and terminations/truncations are set on its last step only (layout 'episodes')."
        )
    else:
        what = f"SYNTHETIC transitions for the {suite.name} task {task_id}, generated by {made}; not collected in the simulator."
        how = (
            f"{n} independent transitions (s, a, r, s', done), not trajectories: each is its own one-step Minari episode "
            "[s, s'], so observations[1] is its exact next state; terminations = [done], truncations = [not done] "
            "(layout 'transitions')."
        )
    lines = [what, how]
    if val.get("success") is not None:
        ci = f" [{val['ci_low']:.2f}, {val['ci_high']:.2f}]" if val.get("ci_low") is not None else ""
        tau = f" against threshold tau={val['tau']:.2f}" if val.get("tau") is not None else ""
        verdict = "admitted" if val.get("admitted") else "not admitted"
        lines.append(f"Offline RL trained on it reached success {val['success']:.2f}{ci} in the real simulator{tau} ({verdict}).")
    lines.append("Provenance: metadata['compogen'].")
    return " ".join(lines)


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
    task_id = suite.task_id(task)
    if dataset_id is not None:
        check_dataset_id(dataset_id)
    if layout not in LAYOUT_CHOICES:
        raise CompogenError(f"layout must be one of {', '.join(LAYOUT_CHOICES)}, got {layout!r}")
    if max_transitions is not None and max_transitions < 1:
        raise CompogenError(f"max_transitions must be >= 1, got {max_transitions}")
    if len(data.tasks) == 1 and data.tasks[0] != task:
        raise DataError(f"the data are of task {suite.task_id(data.tasks[0])}, not {task_id}")
    data = check_for_suite(data, suite, task, name=task_id)
    if not len(data):
        raise DataError(f"{task_id}: no transitions to publish")
    _check_actions(data, suite.action_space(), task_id)
    bounds = episode_bounds(data) if layout != TRANSITIONS else None
    if layout == EPISODES and bounds is None:
        raise DataError(
            f"{task_id}: the rows are not episodes (inside an episode next_observations[t] != observations[t + 1]); "
            "publish independent transitions with layout='transitions' (--layout transitions)"
        )
    layout = TRANSITIONS if bounds is None else EPISODES
    root = Path(root) if root is not None else datasets_root()
    if dataset_id is not None and (root / dataset_id).exists() and not overwrite:
        raise CompogenError(f"Minari dataset {dataset_id} exists in {root}; pass --overwrite (overwrite=True) to replace it")
    source_n, source_episodes = len(data), (len(bounds) if bounds is not None else None)
    if max_transitions is not None and source_n > max_transitions:
        data = _subsample(data, bounds, max_transitions, seed)
        bounds = episode_bounds(data) if layout == EPISODES else None
    prov = dict(provenance or {})
    content = _content_sha256(data, layout)
    admitted = (prov.get("validation") or {}).get("admitted") is not False
    dataset_id = check_dataset_id(_resolve_id(dataset_id, task_id, admitted, root, content, overwrite))
    if dry_run:
        return dataset_id
    final = root / dataset_id
    from compogen.version import __version__

    refs = suite.reference_scores(task)
    spec = _env_spec(suite, task)
    code = _code_provenance()
    episodes = len(bounds) if bounds is not None else len(data)
    meta: dict[str, Any] = {
        "dataset_id": dataset_id,
        "description": f"{_describe(task_id, suite, len(data), layout, episodes, prov)} To load it, install compogen: {install_hint(code=code)}.",
        "eval_env_spec": spec.to_json(),
        "requirements": [requirement(code=code)],
        **standard_metadata(
            "scripted-expert" if prov.get("collection") else (prov.get("generator") or {}).get("arch"),
            author,
            author_email,
            code_permalink or code["permalink"],
        ),
        "compogen": {
            "synthetic": not prov.get("collection"),
            "layout": layout,
            "task": task_id,
            "suite": suite.name,
            "transitions": len(data),
            "source_transitions": source_n,
            "source_episodes": source_episodes,
            "subsample_seed": int(seed) if len(data) < source_n else None,
            "content_sha256": content,
            "compogen_version": __version__,
            "code": code,
            "install": install_hint(code=code),
            **prov,
        },
    }
    if refs is not None:
        meta["ref_min_score"], meta["ref_max_score"] = float(refs[0]), float(refs[1])
        n_ref = suite.reference_episodes(task)
        if n_ref is not None:
            meta["num_episodes_average_score"] = int(n_ref)
    try:
        with atomic_dir(final, stage_in=root, replace=overwrite) as stage:
            write_minari_storage(stage / "data", data, suite.observation_space(), suite.action_space(), meta, spec, layout)
            _ensure_namespace(dataset_id)
    except FileExistsError:
        raise CompogenError(f"Minari dataset {dataset_id} appeared in {root} while publishing; pass --overwrite to replace it") from None
    return dataset_id


def _check_actions(data: Transitions, space: Any, name: str) -> None:
    """:class:`DataError` unless every action lies in the task's action space (a Minari dataset's
    ``action_space`` must contain its actions)."""
    low, high = np.asarray(space.low, np.float32), np.asarray(space.high, np.float32)
    out = ~((data.actions >= low) & (data.actions <= high)).all(axis=1)
    if out.any():
        a = data.actions[out]
        raise DataError(
            f"{name}: {int(out.sum())} of {len(data)} actions lie outside the action space [{float(low.min()):g}, {float(high.max()):g}] "
            f"(min {float(a.min()):.3g}, max {float(a.max()):.3g}); bring them in with compogen.data.conform.conform "
            "(compogen generate does) before publishing"
        )


def _subsample(data: Transitions, bounds: list[slice] | None, max_transitions: int, seed: int) -> Transitions:
    """At most ``max_transitions`` rows: random rows of independent transitions, or the whole episodes
    that come first in a random order and fit (if the first alone does not fit, its first rows,
    ending in a timeout)."""
    rng = np.random.default_rng(seed)
    if bounds is None:
        return data.subset(np.sort(rng.choice(len(data), max_transitions, replace=False)))
    order = rng.permutation(len(bounds))
    lengths = np.array([bounds[i].stop - bounds[i].start for i in order])
    k = int(np.searchsorted(np.cumsum(lengths), max_transitions, side="right"))
    if k == 0:
        first = bounds[order[0]]
        out = data.subset(np.arange(first.start, first.start + max_transitions))
        out.timeouts[-1] = True
        return out
    keep = sorted(order[:k], key=lambda i: bounds[i].start)
    return data.subset(np.concatenate([np.arange(bounds[i].start, bounds[i].stop) for i in keep]))


def standard_metadata(
    arch: str | None = None, author: str | None = None, author_email: str | None = None, code_permalink: str | None = None
) -> dict[str, Any]:
    """Minari's own metadata fields, as ``minari show`` prints them: ``algorithm_name``, ``author``,
    ``author_email`` (given, else ``git config user.name`` / ``user.email``, else a line saying how to
    set them), ``code_permalink`` (given, else compogen's git remote at its commit, else compogen's
    version and commit, short: ``minari show`` prints it as a link) and ``minari_version``."""
    from minari import __version__ as minari_version

    not_set = "not recorded (pass {} to compogen publish, or set git config {})"
    return {
        "algorithm_name": f"compogen-{arch or 'generator'}",
        "author": {author or _git("config", "user.name") or not_set.format("--author", "user.name")},
        "author_email": {author_email or _git("config", "user.email") or not_set.format("--author-email", "user.email")},
        "code_permalink": code_permalink or _code_provenance()["permalink"],
        "minari_version": minari_version,
    }


def layout_summary(dataset_id: str, root: str | Path | None = None) -> str:
    """One line on how a published dataset is laid out, e.g. ``40 Minari episodes, 8000 steps (layout
    'episodes': generated episodes)``."""
    from minari.dataset.minari_storage import MinariStorage

    root = Path(root) if root is not None else datasets_root()
    meta = MinariStorage.read_raw_metadata(root / dataset_id / "data")
    layout = (meta.get("compogen") or {}).get("layout")
    what = {EPISODES: "whole episodes", TRANSITIONS: "independent transitions, one per episode"}.get(layout, "unknown")
    return f"{meta.get('total_episodes')} Minari episodes, {meta.get('total_steps')} steps (layout {layout!r}: {what})"


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


def publish_file(path: str | Path, task: Task | str | None = None, *, provenance: dict[str, Any] | None = None, **kwargs: Any) -> str:
    """Publish a synthetic file (``compogen generate`` output or SynthER-style ``.npz``) or a real one
    (``compogen collect`` output: scripted-expert episodes collected in the simulator, published as real,
    ``metadata["compogen"]["synthetic"] = False``); the task and the generator's (or collector's)
    provenance come from the file's metadata where it records them. A file in the offline format that
    does not record its collector is refused."""
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
    model = attrs.get("model") or {}
    if model and not model.get("weights_sha256"):  # files sampled before samples recorded the hash
        model = {**model, "weights_sha256": _checkpoint_sha256(model.get("model_dir"))}
    if (attrs.get("layout") == EPISODES or collection) and kwargs.get("layout", "auto") == "auto":
        kwargs["layout"] = EPISODES  # a file of episodes that no longer chain is refused, never published as transitions
    prov: dict[str, Any] = {
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
    }
    for key, value in (provenance or {}).items():
        prov[key] = {**(prov.get(key) or {}), **value} if isinstance(value, dict) else value
    return publish(data, task_id, provenance=prov, **kwargs)


def _checkpoint_sha256(model_dir: str | None) -> str | None:
    """The EMA weights' sha256 from a generator checkpoint's config, if the checkpoint is still there."""
    from compogen.generator.checkpoint import read_config

    if not model_dir or not (Path(model_dir) / "config.json").is_file():
        return None
    try:
        return ((read_config(model_dir).get("files") or {}).get("ema.safetensors") or {}).get("sha256")
    except CompogenError:
        return None


def _run_episodes(model_dir: Path, task_id: str, validated: Path, config: Any, out: Path) -> Path:
    """Whole episodes of ``task_id`` from a run's round generator, at least as many transitions as the
    round's validated file, with the run's sampler and seed: what ``publish --run`` publishes by default."""
    from compogen.data import read_synthetic_attrs as attrs_of
    from compogen.generator.episodes import generate_episodes
    from compogen.generator.generate import Generator

    gen = Generator.load(model_dir)
    n = int(attrs_of(validated).get("transitions") or config.samples_per_task)
    episodes = max(1, -(-n // suite_for_task(task_id).horizon))
    return generate_episodes(
        gen, task_id, episodes, out, sampler=config.sampler, steps=config.sampler_steps, seed=config.seed, progress=False, min_transitions=n
    )


def publish_run(run_dir: str | Path, all: bool = False, log: Callable[[str], None] = print, **kwargs: Any) -> list[str]:
    """Publish the datasets a self-improvement run admitted as ``compogen/<task-id>-vN`` (with ``all``, also
    the latest dataset of every target it did not admit, as ``compogen-not-admitted/<task-id>-vN``); return
    the ids. Versions follow :func:`publish`; every dataset is checked before any is written."""
    from compogen.loop.config import LoopConfig
    from compogen.loop.rundir import RunDir
    from compogen.loop.runner import check_state, resolve_run_tasks

    rd = RunDir(run_dir)
    if not rd.path.is_dir():
        raise CompogenError(f"--run {rd.path}: no such run directory")
    raw = rd.read_json(rd.config_file)
    state = rd.read_json(rd.state_file)
    if raw is None or state is None:
        raise CompogenError(f"{rd.path}: not a finished round of a run (config.json and state.json are needed)")
    config = LoopConfig.from_dict(raw)
    from compogen.suites import get_suite

    suite = get_suite(config.suite)
    _, targets, _, _ = resolve_run_tasks(config, suite)
    target_ids = [suite.task_id(t) for t in targets]
    state = check_state(state, rd, target_ids)
    history = {h["iteration"]: h for h in state["history"]}
    chosen: dict[str, tuple[int, bool]] = {e["task"]: (int(e["iteration"]), True) for e in state["pool"]}
    if all:
        for t in target_ids:
            if t in chosen:
                continue
            rounds = [k for k in sorted(history) if rd.synthetic(k, t).is_file()]
            if rounds:
                chosen[t] = (rounds[-1], False)
    if not chosen:
        log(f"{rd.path}: the run admitted no dataset" + ("" if all else " (--all publishes the latest dataset of every target)"))
        return []
    jobs = []
    for t, (k, admitted) in sorted(chosen.items()):
        res = (history.get(k) or {}).get("results", {}).get(t, {})
        validation = {
            "iteration": k,
            "admitted": admitted,
            "success": res.get("success"),
            "ci_low": res.get("ci_low"),
            "ci_high": res.get("ci_high"),
            "tau": (history.get(k) or {}).get("tau"),
            "preset": config.validation_preset,
            "algo": config.algo,
            "rl_seeds": list(config.rl_seeds),
        }
        prov = {"validation": validation, "generator": {"iteration": k}, "run": {"dir": str(rd.path.resolve()), "seed": config.seed}}
        jobs.append((t, k, admitted, res, prov))
    ids = []
    with tempfile.TemporaryDirectory(prefix=".episodes-", dir=rd.path) as tmp:
        sources = {}
        for t, k, _, _, prov in jobs:
            source = rd.synthetic(k, t)
            if kwargs.get("layout", "auto") != TRANSITIONS and has_checkpoint(rd.generator(k)):
                source = _run_episodes(rd.generator(k), t, source, config, Path(tmp) / f"{t}.h5")
                prov["validation"]["validated_data"] = (
                    "independent transitions of the same generator and round (this dataset's episodes are not validated themselves)"
                )
            sources[t] = source
            publish_file(source, t, provenance=prov, dry_run=True, **kwargs)  # refuse before publishing any
        for t, k, admitted, res, prov in jobs:
            dataset_id = publish_file(sources[t], t, provenance=prov, **kwargs)
            verdict = f"{'admitted' if admitted else 'not admitted'}, success {res.get('success', float('nan')):.2f}"
            log(f"published {dataset_id}: {t} round {k} ({verdict}); {layout_summary(dataset_id, kwargs.get('root'))}")
            ids.append(dataset_id)
    return ids
