"""Publishing a self-improvement run: the datasets it admitted (with ``all``, also the latest of every other target).

By default a round's dataset is whole episodes sampled anew from the round's generator (:func:`_run_episodes`):
their actions come from the best actor the round's validation trained on the task's independent transitions (kept
in ``iterations/<k>/policies``) plus the expert data's noise, and their ``(r, s', d)`` from the generator given
``(s, a)``; a run without saved actors, or ``episode_actions="generator"``, chains the generator's own ``a | s``
(measured worse: ``benchmarks/results/episodes_fivelink_policy46.md``). The validation that admitted the round's
independent transitions is recorded with it. A run that
synthesised episodes itself (``LoopConfig.synthesis = "episodes"``) publishes the validated episodes as they are.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compogen.data import read_synthetic_attrs
from compogen.data.minari_io import EPISODES, TRANSITIONS
from compogen.errors import CompogenError
from compogen.generator.checkpoint import has_checkpoint
from compogen.publish.files import publish_file
from compogen.publish.metadata import layout_summary
from compogen.suites import suite_for_task

__all__ = ["publish_run"]

#: Where a run's published episodes take their actions from (see the module docstring).
EPISODE_ACTIONS = ("policy", "generator")

#: One dataset to publish: ``(task id, round, admitted, the round's validation results for the task, provenance)``.
_Job = tuple[str, int, bool, dict[str, Any], dict[str, Any]]


def publish_run(
    run_dir: str | Path, all: bool = False, log: Callable[[str], None] = print, episode_actions: str = "policy", **kwargs: Any
) -> list[str]:
    """Publish the datasets a self-improvement run admitted as ``compogen/<task-id>-vN`` (with ``all``, also
    the latest dataset of every target it did not admit, as ``compogen-not-admitted/<task-id>-vN``); return
    the ids. Versions follow :func:`publish`; every dataset is checked before any is written.
    ``episode_actions``: ``"policy"`` (the round's validated actor where the run kept one) or ``"generator"``."""
    if episode_actions not in EPISODE_ACTIONS:
        raise CompogenError(f"episode actions must be one of {', '.join(EPISODE_ACTIONS)}, got {episode_actions!r}")
    rd, config, target_ids, state = _read_run(run_dir)
    history = {h["iteration"]: h for h in state["history"]}
    chosen = _chosen(rd, state, history, target_ids, all)
    if not chosen:
        log(f"{rd.path}: the run admitted no dataset" + ("" if all else " (--all publishes the latest dataset of every target)"))
        return []
    jobs = []
    for t, (k, admitted) in sorted(chosen.items()):
        res = (history.get(k) or {}).get("results", {}).get(t, {})
        jobs.append((t, k, admitted, res, _run_provenance(rd, config, history, k, admitted, res)))
    return _publish_jobs(rd, config, jobs, log, episode_actions, kwargs)


def _read_run(run_dir: str | Path) -> tuple[Any, Any, list[str], dict[str, Any]]:
    """``(run dir, loop config, target task ids, checked state)`` of a run's finished round."""
    from compogen.loop.config import LoopConfig
    from compogen.loop.rundir import RunDir
    from compogen.loop.runner import check_state, resolve_run_tasks
    from compogen.suites import get_suite

    rd = RunDir(run_dir)
    if not rd.path.is_dir():
        raise CompogenError(f"--run {rd.path}: no such run directory")
    raw = rd.read_json(rd.config_file)
    state = rd.read_json(rd.state_file)
    if raw is None or state is None:
        raise CompogenError(f"{rd.path}: not a finished round of a run (config.json and state.json are needed)")
    config = LoopConfig.from_dict(raw)
    suite = get_suite(config.suite)
    _, targets, _, _ = resolve_run_tasks(config, suite)
    target_ids = [suite.task_id(t) for t in targets]
    return rd, config, target_ids, check_state(state, rd, target_ids)


def _chosen(rd: Any, state: dict[str, Any], history: dict[int, Any], target_ids: list[str], all_targets: bool) -> dict[str, tuple[int, bool]]:
    """``{task id: (round, admitted)}``: the pool's admitted datasets; with ``all_targets`` also the latest
    round's dataset of every other target that has one."""
    chosen: dict[str, tuple[int, bool]] = {e["task"]: (int(e["iteration"]), True) for e in state["pool"]}
    if all_targets:
        for t in target_ids:
            if t in chosen:
                continue
            rounds = [k for k in sorted(history) if rd.synthetic(k, t).is_file()]
            if rounds:
                chosen[t] = (rounds[-1], False)
    return chosen


def _run_provenance(rd: Any, config: Any, history: dict[int, Any], k: int, admitted: bool, res: dict[str, Any]) -> dict[str, Any]:
    """``metadata["compogen"]``'s record of round ``k``'s validation, its generator round and the run."""
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
    return {
        "validation": validation,
        "generator": {"iteration": k, **({"candidate": res["candidate"]} if "candidate" in res else {})},
        "run": {"dir": str(rd.path.resolve()), "seed": config.seed},
    }


def _best_actor(rd: Any, config: Any, k: int, g: int, task_id: str, res: dict[str, Any]) -> tuple[Path, int] | None:
    """``(actor file, RL seed)`` of the best seed's actor round ``k``'s validation kept for ``task_id``, if any."""
    from compogen.rl.policy_io import policy_path

    seeds = list(config.rl_seeds)
    per_seed = res.get("per_seed") or []
    best = seeds[max(range(len(per_seed)), key=per_seed.__getitem__)] if len(per_seed) == len(seeds) else seeds[0]
    path = policy_path(rd.policies(k, g), task_id, best)
    return (path, best) if path.is_file() else None


def _publish_jobs(rd: Any, config: Any, jobs: list[_Job], log: Callable[[str], None], episode_actions: str, kwargs: dict[str, Any]) -> list[str]:
    """Check every job's dataset (episodes sampled into a hidden folder of the run), then publish them all."""
    ids = []
    with tempfile.TemporaryDirectory(prefix=".episodes-", dir=rd.path) as tmp:
        sources = {}
        for t, k, _, res, prov in jobs:
            g = res.get("candidate") or 0  # the round's generator whose dataset was validated best
            source = rd.synthetic(k, t, g)
            validated = read_synthetic_attrs(source)
            if validated.get("layout") == EPISODES:
                prov["validation"]["validated_data"] = "these episodes (the run synthesised whole episodes)"
            elif kwargs.get("layout", "auto") != TRANSITIONS and has_checkpoint(rd.generator(k, g)):
                actor = _best_actor(rd, config, k, g, t, res) if episode_actions == "policy" else None
                source = _run_episodes(rd.generator(k, g), t, validated, config, Path(tmp) / f"{t}.h5", None if actor is None else actor[0])
                prov["validation"]["validated_data"] = (
                    "independent transitions of the same generator and round (this dataset's episodes are not validated themselves)"
                )
                if actor is not None:  # the file records its actions' source and noise; the run names the actor in it
                    prov["episode_actions"] = {"from": "validated actor", "file": str(actor[0].relative_to(rd.path)), "rl_seed": actor[1]}
            sources[t] = source
            publish_file(source, t, provenance=prov, dry_run=True, **kwargs)  # refuse before publishing any
        for t, k, admitted, res, prov in jobs:
            dataset_id = publish_file(sources[t], t, provenance=prov, **kwargs)
            verdict = f"{'admitted' if admitted else 'not admitted'}, success {res.get('success', float('nan')):.2f}"
            log(f"published {dataset_id}: {t} round {k} ({verdict}); {layout_summary(dataset_id, kwargs.get('root'))}")
            ids.append(dataset_id)
    return ids


def _run_episodes(model_dir: Path, task_id: str, validated: dict[str, Any], config: Any, out: Path, actor: Path | None = None) -> Path:
    """Whole episodes of ``task_id`` from a run's round generator, at least as many transitions as the
    round's validated file (its attributes: ``validated``), with the run's sampler and seed, driven by ``actor``
    when given: what ``publish --run`` publishes by default."""
    from compogen.generator.episodes import episodes_for, generate_episodes
    from compogen.generator.generate import Generator

    n = int(validated.get("transitions") or config.samples_per_task)
    episodes = episodes_for(n, suite_for_task(task_id).horizon)
    return generate_episodes(
        Generator.load(model_dir),
        task_id,
        episodes,
        out,
        sampler=config.sampler,
        steps=config.sampler_steps,
        seed=config.seed,
        progress=False,
        min_transitions=n,
        policy=actor,
    )
