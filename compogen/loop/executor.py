"""Run per-task jobs (generate + validate) locally, on Ray, or on SLURM via submitit.

Every executor takes a picklable top-level function and a list of job payloads
and returns one :class:`JobOutcome` per job, in order. A job that raises is
retried up to ``retries`` times, then marked failed; it never aborts the batch.
``on_done`` is called in the parent as each job finishes (to persist results
at once, so that a killed run loses at most the jobs in flight).
"""

from __future__ import annotations

import concurrent.futures as cf
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compogen.errors import CompogenError
from compogen.install import install_hint
from compogen.parallel import process_pool

__all__ = ["JobOutcome", "Executor", "LocalExecutor", "RayExecutor", "SubmititExecutor", "EXECUTORS", "make_executor"]


@dataclass
class JobOutcome:
    """Result of one job: ``value`` on success, ``error`` (last attempt's) on failure."""

    ok: bool
    value: Any = None
    error: str | None = None
    attempts: int = 1


OnDone = Callable[[int, JobOutcome], None]


class Executor:
    """Base class: subclasses implement :meth:`_submit_round`."""

    def __init__(self, retries: int = 1):
        self.retries = int(retries)

    def map(self, fn: Callable[[Any], Any], jobs: Sequence[Any], on_done: OnDone | None = None) -> list[JobOutcome]:
        outcomes: list[JobOutcome | None] = [None] * len(jobs)
        attempts = [0] * len(jobs)
        pending = list(range(len(jobs)))
        while pending:
            for i in pending:
                attempts[i] += 1
            results = self._submit_round(fn, [(i, jobs[i]) for i in pending])
            retry = []
            for i, (ok, value) in results:
                if ok:
                    outcomes[i] = JobOutcome(True, value, None, attempts[i])
                elif attempts[i] <= self.retries:
                    retry.append(i)
                    continue
                else:
                    outcomes[i] = JobOutcome(False, None, value, attempts[i])
                if on_done is not None:
                    on_done(i, outcomes[i])
            pending = sorted(retry)
        return outcomes  # type: ignore[return-value]

    def _submit_round(self, fn, items):  # pragma: no cover - abstract
        raise NotImplementedError


#: Exceptions that stop the whole run at once (Ctrl-C, ``sys.exit``): never a job failure, never retried.
STOP = (KeyboardInterrupt, SystemExit)


def _call(fn, job):
    try:
        return True, fn(job)
    except Exception as e:  # noqa: BLE001 -- report every failure, retry decides; KeyboardInterrupt/SystemExit propagate
        return False, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}"


class LocalExecutor(Executor):
    """Worker processes on this machine (``workers=0``: run in this process)."""

    def __init__(self, workers: int = 1, retries: int = 1):
        super().__init__(retries)
        self.workers = int(workers)

    def _submit_round(self, fn, items):
        if self.workers <= 0:
            for i, job in items:
                yield i, _call(fn, job)
            return
        with process_pool(self.workers) as pool:
            futures = {pool.submit(_call, fn, job): i for i, job in items}
            for fut in cf.as_completed(futures):
                try:
                    value = fut.result()
                except STOP:  # the worker was interrupted with us (Ctrl-C reaches the process group)
                    raise KeyboardInterrupt from None
                except Exception as e:  # noqa: BLE001 -- a worker died (killed, out of memory): a failed job, not a failed run
                    value = (False, f"worker process failed: {type(e).__name__}: {e}")
                yield futures[fut], value


class RayExecutor(Executor):
    """Ray tasks (the ``ray`` extra: :func:`compogen.install.install_hint`); connects to ``address`` or starts Ray locally."""

    def __init__(self, retries: int = 1, address: str | None = None, num_cpus_per_job: float = 1.0):
        super().__init__(retries)
        try:
            import ray
        except ImportError:
            raise CompogenError(f"the Ray executor needs the extra: {install_hint('ray')}") from None
        if not ray.is_initialized():
            ray.init(address=address, ignore_reinit_error=True)
        self._ray = ray
        self._remote = ray.remote(num_cpus=num_cpus_per_job)(_call)

    def _submit_round(self, fn, items):
        ray = self._ray
        refs = {self._remote.remote(fn, job): i for i, job in items}
        remaining = list(refs)
        while remaining:
            done, remaining = ray.wait(remaining, num_returns=1)
            try:
                yield refs[done[0]], ray.get(done[0])
            except Exception as e:  # noqa: BLE001 -- a ray task that died (worker lost, out of memory): a failed job
                yield refs[done[0]], (False, f"ray task failed: {e}")


class SubmititExecutor(Executor):
    """SLURM jobs through submitit (the ``slurm`` extra: :func:`compogen.install.install_hint`)."""

    def __init__(self, folder: str | Path, retries: int = 1, **slurm: Any):
        super().__init__(retries)
        try:
            import submitit
        except ImportError:
            raise CompogenError(f"the SLURM executor needs the extra: {install_hint('slurm')}") from None
        self._ex = submitit.AutoExecutor(folder=str(folder))
        if slurm:
            self._ex.update_parameters(**slurm)

    def _submit_round(self, fn, items):
        jobs = [(i, self._ex.submit(_call, fn, job)) for i, job in items]
        for i, j in jobs:
            try:
                yield i, j.result()
            except Exception as e:  # noqa: BLE001 -- a SLURM job that died (preempted, out of memory): a failed job
                yield i, (False, f"slurm job failed: {e}")


EXECUTORS = ("local", "ray", "slurm")


def make_executor(name: str, workers: int = 1, retries: int = 1, folder: str | Path | None = None, **kwargs: Any) -> Executor:
    """``local`` (default), ``ray`` or ``slurm``."""
    name = name.lower()
    if name == "local":
        return LocalExecutor(workers=workers, retries=retries)
    if name == "ray":
        return RayExecutor(retries=retries, **kwargs)
    if name == "slurm":
        return SubmititExecutor(folder or "slurm_logs", retries=retries, **kwargs)
    raise CompogenError(f"unknown executor {name!r}; valid: {', '.join(EXECUTORS)}")
