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
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["process_pool", "kill_pool", "exit_on_sigterm"]


_stopping = False


def _terminate(signum, frame):  # noqa: ARG001
    global _stopping  # noqa: PLW0603 -- a process-wide flag set from the signal handler
    _stopping = True
    raise SystemExit(128 + signum)


def _redeliver(info) -> None:
    """A stop signal that lands in a finaliser or weakref callback is printed and lost by Python:
    deliver it again from a helper thread, so the main thread sees it at its next step."""
    import _thread
    import signal
    import sys
    import threading

    if issubclass(info.exc_type, KeyboardInterrupt):
        signum = signal.SIGINT
    elif issubclass(info.exc_type, SystemExit) and getattr(info.exc_value, "code", None) == 128 + signal.SIGTERM:
        signum = signal.SIGTERM
    else:
        sys.__unraisablehook__(info)
        return
    threading.Timer(0.01, _thread.interrupt_main, args=(signum,)).start()


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit``, so ``finally`` blocks run (temporary files are removed), and never
    lose Ctrl-C or SIGTERM to a finaliser."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = _redeliver


def kill_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Drop queued jobs and terminate the running workers now."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:  # first, so that no worker is handed another job or left talking to closed pipes
        if p.is_alive():
            p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.join(timeout=5)
        if p.is_alive():  # its SIGTERM was lost: no worker may outlive the pool
            p.kill()
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


def _watch_parent(parent: int) -> None:
    """In a worker: stop (as on SIGTERM, cleaning up) once the parent is gone, even if it was SIGKILLed."""
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="compogen-parent-watch", daemon=True).start()


def _worker_init(parent: int, initializer, initargs) -> None:
    exit_on_sigterm()
    _watch_parent(parent)
    if initializer is not None:
        initializer(*initargs)


class _Pool(cf.ProcessPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):
        return super().submit(_guarded, fn, *args, **kwargs)


@contextmanager
def process_pool(workers: int, initializer=None, initargs: tuple = ()) -> Iterator[cf.ProcessPoolExecutor]:
    """A ``spawn`` process pool of ``workers`` processes, killed if the body raises.

    Workers turn SIGTERM into ``SystemExit`` (temporary files are removed) and then exit; a worker whose
    parent died (even by SIGKILL) stops within a second the same way.
    """
    pool = _Pool(
        max_workers=max(1, int(workers)), mp_context=mp.get_context("spawn"), initializer=_worker_init, initargs=(os.getpid(), initializer, initargs)
    )
    try:
        yield pool
    except BaseException:
        kill_pool(pool)
        raise
    pool.shutdown(wait=True)
