"""Algorithm 1 of Pham et al. 2026: train on the pool, generate, validate, admit, repeat.

The run resumes from its directory: a finished generator (its marker file), a
finished task job (its validation JSON) and a finished round (``state.json``) are
never redone. All seeds derive from the config, so an interrupted and resumed run
ends with the same admitted tasks and metrics as one that never stopped.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compogen.data import Transitions, load_pool, read_for_suite, read_synthetic_attrs
from compogen.errors import CompogenError
from compogen.loop.config import LoopConfig
from compogen.loop.executor import JobOutcome, make_executor
from compogen.loop.metrics import format_table, write_metrics
from compogen.loop.records import PoolEntry, Round, RunState, TaskResult
from compogen.loop.rundir import RunDir
from compogen.loop.schedule import ThresholdSchedule, advance
from compogen.seeding import derive
from compogen.suites import get_suite
from compogen.tasks import Task
from compogen.tasks.splits import resolve_tasks
from compogen.validation.proxy import data_scores

__all__ = ["run_loop", "run_task_job", "resolve_run_tasks", "make_stages", "check_state", "load_state"]


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
    scores = data_scores(data)  # simulator-free, kept in every record for later analyses
    floor = config.proxy_min_mean_reward
    if floor is not None and scores["mean_reward"] < floor:
        result = {"success": 0.0, "env_steps": 0, "skipped": True}  # not worth the simulator: retried next round
    else:
        keep = {"policy_dir": Path(payload["policies"])} if "policy_dir" in inspect.signature(stages.validate).parameters else {}
        result = dict(stages.validate(task, data, list(config.rl_seeds), payload["iteration"], **keep))  # a study's stages may not keep actors
    TaskResult.from_record(result)  # the stage's record holds the scores the run keeps (checked here, in the job)
    result.update(task=payload["task"], failed=False, proxy_scores=scores)
    if floor is not None:
        result["proxy_min_mean_reward"] = floor
    result["timing"] = {"generate_s": t1 - t0, "validate_s": time.perf_counter() - t1}
    return result


def _pool(config: LoopConfig, suite, train: list[Task], state: RunState, rd: RunDir) -> Transitions:
    admitted = []
    for entry in state.pool:
        task = suite.parse(entry.task)
        path = rd.path / entry.file
        attrs = read_synthetic_attrs(path)
        if attrs.get("task") not in (None, entry.task):
            raise CompogenError(f"{rd.state_file}: pool entry {entry.file} holds data of {attrs['task']}, not {entry.task}")
        admitted.append((task, path))
    return load_pool(config.data, train, suite, synthetic=admitted)


def load_state(state: Any, rd: RunDir, target_ids: list[str]) -> RunState:
    """A run's ``state.json`` (``state``, as read) checked once: its records, solved tasks and pool entries
    among the targets, pool files inside the run directory."""
    where = str(rd.state_file)
    return RunState.from_dict(state, where=where).check_run(where, rd.path, target_ids)


def check_state(state: Any, rd: RunDir, target_ids: list[str]) -> dict:
    """:func:`load_state` as the dict ``state.json`` holds (the same JSON when it was written by this runner)."""
    return load_state(state, rd, target_ids).to_dict()


def _seed(config: LoopConfig, stage: str, *keys: Any, g: int = 0) -> int:
    """The seed of a stage of candidate ``g`` (candidate 0's is every one-generator run's)."""
    return derive(config.seed, stage, *keys) if g == 0 else derive(config.seed, stage, *keys, "candidate", g)


def _train_generator(config: LoopConfig, suite, stages, train: list[Task], state: RunState, rd: RunDir, log: Callable[[str], None]) -> None:
    """Line 3 of Algorithm 1: train round k's generator(s) on the pool (each unless its marker says it is done)."""
    k = state.iteration
    for g in range(config.generators):
        if rd.read_json(rd.generator_marker(k, g)) is not None:
            continue
        which = f" {g + 1} of {config.generators}" if config.generators > 1 else ""
        log(f"[iter {k}] training {config.arch} generator{which} on {len(train)} real + {len(state.pool)} synthetic tasks")
        t0 = time.perf_counter()
        warm = {"init_from": rd.generator(k - 1, g)} if config.generator_init == "previous" and k > 0 else {}
        info = stages.train(_pool(config, suite, train, state, rd), rd.generator(k, g), _seed(config, "train", k, g=g), **warm)
        rd.add_timing(f"iter{k}.train_s" if g == 0 else f"iter{k}.g{g}.train_s", time.perf_counter() - t0)
        rd.write_json(rd.generator_marker(k, g), {"iteration": k, **(info or {})})


def _generate_and_validate(config: LoopConfig, stage_cls, executor, rd: RunDir, k: int, todo: list[str], log) -> dict[str, TaskResult]:
    """Lines 4-7: one job per unsolved target (and candidate generator) without a validation record yet;
    every target's result (its best candidate's)."""
    jobs = [
        {
            "config": config.to_dict(),
            "stages": stage_cls,
            "iteration": k,
            "task": t,
            "candidate": g,
            "model_dir": str(rd.generator(k, g)),
            "synthetic": str(rd.synthetic(k, t, g)),
            "policies": str(rd.policies(k, g)),
            "seed": _seed(config, "generate", k, t, g=g),
        }
        for t in todo
        for g in range(config.generators)
        if rd.read_json(rd.validation(k, t, g)) is None
    ]
    if jobs:
        n = len(todo) * config.generators
        log(f"[iter {k}] generating + validating {len(jobs)} of {n} datasets of unsolved tasks ({config.executor}, {config.workers} workers)")
        t0 = time.perf_counter()

        def done(i: int, outcome: JobOutcome) -> None:
            job = jobs[i]
            rec = dict(outcome.value) if outcome.ok else {"task": job["task"], "failed": True, "success": 0.0, "env_steps": 0, "error": outcome.error}
            rec["attempts"] = outcome.attempts
            rd.write_json(rd.validation(k, job["task"], job["candidate"]), rec)
            if rec["failed"]:
                tag = "FAILED"
            elif rec.get("skipped"):
                tag = f"not validated: mean reward {rec['proxy_scores']['mean_reward']:.4f} < proxy_min_mean_reward {config.proxy_min_mean_reward}"
            else:
                tag = f"success {rec['success']:.2f}"
            which = f" (generator {job['candidate'] + 1})" if config.generators > 1 else ""
            log(f"[iter {k}] {job['task']}{which}: {tag}")

        executor.map(run_task_job, jobs, on_done=done)
        rd.add_timing(f"iter{k}.jobs_s", time.perf_counter() - t0)
    return {t: _best_candidate(rd, k, t, config.generators) for t in todo}


def _best_candidate(rd: RunDir, k: int, t: str, generators: int) -> TaskResult:
    """Target ``t``'s round-``k`` result: its only record, or the best of its candidates' (the first among
    equals; failed ones last) with ``candidate`` set and the env steps of all of them."""
    results = [_read_result(rd, rd.validation(k, t, g)) for g in range(generators)]
    if generators == 1:
        return results[0]
    g = max(range(generators), key=lambda i: (not results[i].failed, results[i].success, -i))
    steps = sum(r.env_steps or 0 for r in results)
    return results[g].replace(candidate=g, env_steps=steps)


def _read_result(rd: RunDir, path: Path) -> TaskResult:
    try:
        return TaskResult.from_record(rd.read_json(path))
    except CompogenError as e:
        raise CompogenError(f"{path}: {e}") from None


def _admit(state: RunState, results: dict[str, TaskResult], schedule: ThresholdSchedule, target_ids: list[str], rd: RunDir) -> RunState:
    """Lines 8-12: admit, patience, threshold, pool; the state after the round (its history included)."""
    k, before = state.iteration, state.schedule
    after = advance(before, {t: r.success for t, r in results.items() if not r.failed}, schedule, target_ids)
    newly = sorted(after.solved - before.solved)
    done = Round(k, before.tau, tuple(newly), dict(results), tau_next=after.tau, patience=after.patience)
    admitted = tuple(PoolEntry(t, str(rd.synthetic(k, t, results[t].candidate or 0).relative_to(rd.path)), k, results[t].success) for t in newly)
    return state.replace(iteration=k + 1, schedule=after, pool=state.pool + admitted, history=(*state.history, done))


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
    rd.check(config.to_dict(), config.defaults())
    stage_cls = stages
    stages = make_stages(config, suite, stage_cls)
    executor = make_executor(config.executor, workers=config.workers, retries=config.retries, folder=rd.path / "slurm")
    rd.init(config.to_dict(), config.defaults())
    schedule = config.schedule
    saved = rd.read_json(rd.state_file)
    state = RunState.initial(schedule) if saved is None else load_state(saved, rd, target_ids)
    if state.iteration > 0:
        log(f"resuming {rd.path} at iteration {state.iteration} ({len(state.schedule.solved)} solved, tau {state.schedule.tau:.2f})")
    title = f"{config.arch} on {config.suite} ({config.train})"
    while not state.schedule.done and state.iteration < config.iterations:
        k = state.iteration
        _train_generator(config, suite, stages, train, state, rd, log)
        results = _generate_and_validate(config, stage_cls, executor, rd, k, [t for t in target_ids if t not in state.schedule.solved], log)
        state = _admit(state, results, schedule, target_ids, rd)
        summary = write_metrics(rd.path, state.history, eval_ids, len(train), n_universe, title)[-1]
        rd.write_json(rd.state_file, state.to_dict())
        after = state.schedule
        line = f"[iter {k}] admitted {len(state.history[-1].admitted)} tasks; solved {len(after.solved)}/{len(target_ids)}; tau -> {after.tau:.2f}"
        if config.proxy_min_mean_reward is not None:
            line += f"; {summary['skipped']} of {len(results)} validations skipped by the proxy; {summary['env_steps']} env steps"
        log(line)
    log(format_table(state.history, eval_ids, len(train), n_universe))
    return state.to_dict()
