"""A published dataset's metadata: Minari's own fields, the description, and ``metadata["compogen"]`` (provenance).

Minari's fields (author, email, code permalink, algorithm) are filled from the arguments, ``git`` and the
package (:func:`standard_metadata`); the description says whether the data are synthetic or real and which
layout they have; ``metadata["compogen"]`` records where the data came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compogen.data.minari_io import EPISODES, TRANSITIONS
from compogen.install import code_provenance as _code_provenance
from compogen.install import git as _git
from compogen.install import install_hint, requirement
from compogen.publish.ids import datasets_root
from compogen.publish.layout import _Rows
from compogen.suites import Suite
from compogen.tasks import Task

__all__ = ["layout_summary", "standard_metadata"]


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


def _dataset_metadata(
    dataset_id: str,
    suite: Suite,
    task: Task,
    rows: _Rows,
    prov: dict[str, Any],
    content: str,
    code: dict[str, Any],
    spec: Any,
    standard: dict[str, Any],
) -> dict[str, Any]:
    """The metadata Minari stores with the dataset: its id, description, env spec and requirements, Minari's
    ``standard`` fields, ``compogen`` (the layout, the source rows, ``content`` hash, the code and ``prov``)
    and the task's reference scores where the suite has them."""
    from compogen.version import __version__

    task_id, n = suite.task_id(task), len(rows.data)
    meta: dict[str, Any] = {
        "dataset_id": dataset_id,
        "description": f"{_describe(task_id, suite, n, rows.layout, rows.episodes, prov)} To load it, install compogen: {install_hint(code=code)}.",
        "eval_env_spec": spec.to_json(),
        "requirements": [requirement(code=code)],
        **standard,
        "compogen": {
            "synthetic": not prov.get("collection"),
            "layout": rows.layout,
            "task": task_id,
            "suite": suite.name,
            "transitions": n,
            "source_transitions": rows.source_transitions,
            "source_episodes": rows.source_episodes,
            "subsample_seed": rows.subsample_seed,
            "content_sha256": content,
            "compogen_version": __version__,
            "code": code,
            "install": install_hint(code=code),
            **prov,
        },
    }
    refs = suite.reference_scores(task)
    if refs is not None:
        meta["ref_min_score"], meta["ref_max_score"] = float(refs[0]), float(refs[1])
        n_ref = suite.reference_episodes(task)
        if n_ref is not None:
            meta["num_episodes_average_score"] = int(n_ref)
    return meta


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
