"""Worker-process pools that stop with their parent.

``concurrent.futures.ProcessPoolExecutor`` used as a context manager waits for
every queued job on exit, even after Ctrl-C; :func:`process_pool` instead drops
the queue and terminates the workers when the body raises (Ctrl-C included), so
no worker outlives an interrupted command or writes files after it.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
from contextlib import contextmanager
from typing import Iterator

__all__ = ["process_pool", "kill_pool", "exit_on_sigterm"]


def _terminate(signum, frame):  # noqa: ARG001
    raise SystemExit(128 + signum)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit``, so ``finally`` blocks run (temporary files are removed)."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)


def kill_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Drop queued jobs and terminate the running workers now."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=5)


def _guarded(fn, *args, **kwargs):
    """Run a job in a worker; on SIGTERM, Ctrl-C or ``sys.exit`` the worker ends for good once the job's
    ``finally`` blocks have run (``concurrent.futures`` would otherwise report it and take the next job)."""
    try:
        return fn(*args, **kwargs)
    except SystemExit as e:
        os._exit(e.code if isinstance(e.code, int) else 1)
    except KeyboardInterrupt:
        os._exit(130)


class _Pool(cf.ProcessPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):
        return super().submit(_guarded, fn, *args, **kwargs)


@contextmanager
def process_pool(workers: int) -> Iterator[cf.ProcessPoolExecutor]:
    """A ``spawn`` process pool of ``workers`` processes, killed if the body raises.

    Workers turn SIGTERM into ``SystemExit`` (temporary files are removed) and then exit.
    """
    pool = _Pool(max_workers=max(1, int(workers)), mp_context=mp.get_context("spawn"), initializer=exit_on_sigterm)
    try:
        yield pool
    except BaseException:
        kill_pool(pool)
        raise
    pool.shutdown(wait=True)
