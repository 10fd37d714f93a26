"""Algorithm 1 of Pham et al. 2026: train on the pool, generate, validate, admit, repeat.

The run resumes from its directory: a finished generator (its marker file), a
finished task job (its validation JSON) and a finished round (``state.json``) are
never redone. All seeds derive from the config, so an interrupted and resumed run
ends with the same admitted tasks and metrics as one that never stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compogen.data import Transitions, load_pool, read_for_suite, read_synthetic_attrs
from compogen.errors import CompogenError
from compogen.loop.config import LoopConfig
from compogen.loop.executor import JobOutcome, make_executor
from compogen.loop.metrics import format_table, write_metrics
from compogen.loop.rundir import RunDir
from compogen.loop.schedule import ScheduleState, advance
from compogen.seeding import derive
from compogen.suites import get_suite
from compogen.tasks import Task
from compogen.tasks.splits import resolve_tasks

__all__ = ["run_loop", "run_task_job", "resolve_run_tasks", "make_stages", "check_state"]


def make_stages(config: LoopConfig, suite, stages: type | None = None):
    """The round's stages: compogen's :class:`DiffusionStages`, or a class a study passes in code
    (never a name read from a file, so a run directory cannot make compogen import a module)."""
    if stages is None:
        from compogen.loop.stages import DiffusionStages

        stages = DiffusionStages
    return stages(config, suite)


def _split_universe(train_spec: str, space) -> list[Task] | None:
    """All tasks of the split family that ``train_spec`` comes from (train ∪ test)."""
    head = train_spec.split(",", maxsplit=1)[0].strip()
    if ":" not in head:
        return None
    fields = head.split(":")
    base = ":".join(fields[:-1])
    return resolve_tasks(f"{base}:train,{base}:test", space)


def resolve_run_tasks(config: LoopConfig, suite) -> tuple[list[Task], list[Task], list[Task], int]:
    """(train, targets, eval, size of the run's task space) of a run. The task space, coverage's
    denominator, is every task of the arms the training and target tasks use (as in the paper:
    IIWA's 64 tasks, 14 training + 50 targets); held-out tasks of other arms do not count."""
    train = suite.tasks(config.train)
    universe = _split_universe(config.train, suite.space)
    if config.targets:
        targets = suite.tasks(config.targets)
    elif universe is not None:
        targets = [t for t in universe if t not in train]
    else:
        raise CompogenError("--targets is needed when --train is a plain task list")
    if config.eval:
        evals = suite.tasks(config.eval)
    elif config.targets:
        evals = list(targets)
    else:
        head = config.train.split(",")[0].strip()
        evals = [t for t in suite.tasks(":".join(head.split(":")[:-1]) + ":test") if t not in train]
    overlap = set(train) & set(targets)
    if overlap:
        raise CompogenError(f"targets overlap the training tasks: {[suite.task_id(t) for t in overlap][:5]}")
    arms = {t.robot for t in [*train, *targets]}
    return train, targets, evals, sum(t.robot in arms for t in suite.space)


def run_task_job(payload: dict[str, Any]) -> dict[str, Any]:
    """Generate + validate one task (runs in a worker process)."""
    config = LoopConfig.from_dict(payload["config"])
    if config.workers > 0:  # share the cores between worker processes instead of oversubscribing them
        import os

        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 1) // config.workers))
    suite = get_suite(config.suite)
    stages = make_stages(config, suite, payload.get("stages"))
    task = suite.parse(payload["task"])
    out = Path(payload["synthetic"])
    t0 = time.perf_counter()
    if not out.exists():
        stages.generate(Path(payload["model_dir"]), task, config.samples_per_task, out, payload["seed"])
    t1 = time.perf_counter()
    data = read_for_suite(out, suite, task)
    result = dict(stages.validate(task, data, list(config.rl_seeds), payload["iteration"]))
    result.update(task=payload["task"], failed=False, timing={"generate_s": t1 - t0, "validate_s": time.perf_counter() - t1})
    return result


def _pool(config: LoopConfig, suite, train: list[Task], state: dict, rd: RunDir) -> Transitions:
    admitted = []
    for entry in state["pool"]:
        task = suite.parse(entry["task"])
        path = rd.path / entry["file"]
        attrs = read_synthetic_attrs(path)
        if attrs.get("task") not in (None, entry["task"]):
            raise CompogenError(f"{rd.state_file}: pool entry {entry['file']} holds data of {attrs['task']}, not {entry['task']}")
        admitted.append((task, path))
    return load_pool(config.data, train, suite, synthetic=admitted)


_STATE_TYPES = {"iteration": int, "solved": list, "tau": (int, float), "patience": int, "done": bool, "pool": list, "history": list}


def check_state(state: Any, rd: RunDir, target_ids: list[str]) -> dict:
    """A run's ``state.json`` as written by this runner: types, solved tasks among the targets, pool files
    inside the run directory (a hand-edited state cannot point the pool at other files)."""
    where = rd.state_file
    if not isinstance(state, dict):
        raise CompogenError(f"{where}: expected a JSON object")
    for key, kind in _STATE_TYPES.items():
        if key not in state:
            raise CompogenError(f"{where}: missing {key!r}")
        if not isinstance(state[key], kind) or (kind is int and isinstance(state[key], bool)):
            raise CompogenError(f"{where}: {key!r} has the wrong type ({type(state[key]).__name__})")
    unknown = [t for t in state["solved"] if t not in target_ids]
    if unknown:
        raise CompogenError(f"{where}: solved tasks {unknown[:3]} are not targets of this run")
    root = rd.path.resolve()
    for entry in state["pool"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("task"), str) or not isinstance(entry.get("file"), str):
            raise CompogenError(f"{where}: pool entries need 'task' and 'file' strings, got {entry!r}")
        if entry["task"] not in target_ids:
            raise CompogenError(f"{where}: pool entry task {entry['task']!r} is not a target of this run")
        path = (rd.path / entry["file"]).resolve()
        if root not in path.parents:
            raise CompogenError(f"{where}: pool file {entry['file']!r} lies outside the run directory")
    return state


def _train_generator(config: LoopConfig, suite, stages, train: list[Task], state: dict, rd: RunDir, log: Callable[[str], None]) -> None:
    """Line 3 of Algorithm 1: train round k's generator on the pool (unless its marker says it is done)."""
    k = state["iteration"]
    if rd.read_json(rd.generator_marker(k)) is not None:
        return
    log(f"[iter {k}] training {config.arch} generator on {len(train)} real + {len(state['pool'])} synthetic tasks")
    t0 = time.perf_counter()
    info = stages.train(_pool(config, suite, train, state, rd), rd.generator(k), derive(config.seed, "train", k))
    rd.add_timing(f"iter{k}.train_s", time.perf_counter() - t0)
    rd.write_json(rd.generator_marker(k), {"iteration": k, **(info or {})})


def _generate_and_validate(config: LoopConfig, stage_cls, executor, rd: RunDir, k: int, todo: list[str], log) -> dict[str, dict]:
    """Lines 4-7: one job per unsolved target without a validation record yet; every target's record."""
    jobs = [
        {
            "config": config.to_dict(),
            "stages": stage_cls,
            "iteration": k,
            "task": t,
            "model_dir": str(rd.generator(k)),
            "synthetic": str(rd.synthetic(k, t)),
            "seed": derive(config.seed, "generate", k, t),
        }
        for t in todo
        if rd.read_json(rd.validation(k, t)) is None
    ]
    if jobs:
        log(f"[iter {k}] generating + validating {len(jobs)} of {len(todo)} unsolved tasks ({config.executor}, {config.workers} workers)")
        t0 = time.perf_counter()

        def done(i: int, outcome: JobOutcome) -> None:
            job = jobs[i]
            rec = dict(outcome.value) if outcome.ok else {"task": job["task"], "failed": True, "success": 0.0, "env_steps": 0, "error": outcome.error}
            rec["attempts"] = outcome.attempts
            rd.write_json(rd.validation(k, job["task"]), rec)
            tag = "FAILED" if rec["failed"] else f"success {rec['success']:.2f}"
            log(f"[iter {k}] {job['task']}: {tag}")

        executor.map(run_task_job, jobs, on_done=done)
        rd.add_timing(f"iter{k}.jobs_s", time.perf_counter() - t0)
    return {t: rd.read_json(rd.validation(k, t)) for t in todo}


def _admit(state: dict, results: dict[str, dict], schedule, target_ids: list[str], rd: RunDir) -> ScheduleState:
    """Lines 8-12: admit, patience, threshold, pool; the round goes into ``state`` (history included)."""
    k = state["iteration"]
    before = ScheduleState.from_record(state)
    after = advance(before, {t: r["success"] for t, r in results.items() if not r.get("failed")}, schedule, target_ids)
    newly = sorted(after.solved - before.solved)
    keep = ("success", "failed", "env_steps", "per_seed", "ci_low", "ci_high", "mean_return")
    state["history"].append(
        {
            "iteration": k,
            "tau": state["tau"],
            "tau_next": after.tau,
            "patience": after.patience,
            "admitted": newly,
            "results": {t: {key: r[key] for key in keep if key in r} for t, r in results.items()},
        }
    )
    state["pool"] += [
        {"task": t, "file": str(rd.synthetic(k, t).relative_to(rd.path)), "iteration": k, "success": results[t]["success"]} for t in newly
    ]
    state.update(iteration=k + 1, **after.to_record())
    return after


def run_loop(config: LoopConfig, out: str | Path, log: Callable[[str], None] = print, stages: type | None = None) -> dict[str, Any]:
    """Run (or resume) Algorithm 1 into directory ``out``; return the final state.

    ``stages``: a class with ``train``/``generate``/``validate`` (default :class:`DiffusionStages`).
    Everything is checked before the run directory is written.
    """
    config.check()
    suite = get_suite(config.suite)
    train, targets, evals, n_universe = resolve_run_tasks(config, suite)
    target_ids, eval_ids = [suite.task_id(t) for t in targets], [suite.task_id(t) for t in evals]
    rd = RunDir(out)
    rd.check(config.to_dict())
    stage_cls = stages
    stages = make_stages(config, suite, stage_cls)
    executor = make_executor(config.executor, workers=config.workers, retries=config.retries, folder=rd.path / "slurm")
    rd.init(config.to_dict())
    schedule = config.schedule
    saved = rd.read_json(rd.state_file)
    if saved is not None:
        state = check_state(saved, rd, target_ids)
    else:
        state = {"iteration": 0, **ScheduleState.initial(schedule).to_record(), "pool": [], "history": []}
    if state["iteration"] > 0:
        log(f"resuming {rd.path} at iteration {state['iteration']} ({len(state['solved'])} solved, tau {state['tau']:.2f})")
    title = f"{config.arch} on {config.suite} ({config.train})"
    while not state["done"] and state["iteration"] < config.iterations:
        k = state["iteration"]
        _train_generator(config, suite, stages, train, state, rd, log)
        results = _generate_and_validate(config, stage_cls, executor, rd, k, [t for t in target_ids if t not in state["solved"]], log)
        after = _admit(state, results, schedule, target_ids, rd)
        write_metrics(rd.path, state["history"], eval_ids, len(train), n_universe, title)
        rd.write_json(rd.state_file, state)
        log(
            f"[iter {k}] admitted {len(state['history'][-1]['admitted'])} tasks; solved {len(after.solved)}/{len(target_ids)}; tau -> {after.tau:.2f}"
        )
    log(format_table(state["history"], eval_ids, len(train), n_universe))
    return state
