"""``compogen collect``: expert datasets from a suite's scripted experts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor

import typer

from compogen.suites import DEFAULT_SUITE, get_suite

__all__ = ["register", "collect"]


def _worker(suite_name: str, task_id: str, path: str, episodes: int, noise: float, seed: int, overwrite: bool, queue) -> dict:
    from compogen.suites.builtin.collect import CollectConfig, collect_task

    suite = get_suite(suite_name)
    cfg = CollectConfig(episodes=episodes, noise=noise, seed=seed, overwrite=overwrite)
    return collect_task(suite, suite.parse(task_id), path, cfg, progress=(lambda n: queue.put(n)) if queue is not None else None)


def collect(
    tasks: str = typer.Option(..., "--tasks", help="Split spec or task ids: iiwa:train14, all, fivelink-box-none-push, ..."),
    out: str = typer.Option(..., "--out", help="Dataset root; files go to <out>/expert/<Robot>_<Object>_<Obstacle>_<Objective>/data.hdf5."),
    episodes: int = typer.Option(100, "--episodes", min=1, help="Episodes per task."),
    noise: float = typer.Option(0.1, "--noise", min=0.0, help="Std of Gaussian action noise (state coverage)."),
    suite: str = typer.Option(DEFAULT_SUITE, "--suite", help="Suite name."),
    seed: int = typer.Option(0, "--seed", help="Episode e of every task resets with seed+e."),
    workers: int = typer.Option(2, "--workers", min=1, help="Processes (one task per process at a time)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files."),
    dtype: str = typer.Option("expert", "--type", help="Dataset type folder under --out."),
) -> None:
    """Roll out the suite's scripted expert with action noise and write one dataset per task."""
    import multiprocessing as mp

    from tqdm import tqdm

    from compogen.data import dataset_path

    s = get_suite(suite)
    if not hasattr(s, "expert"):
        from compogen.errors import CompogenError

        raise CompogenError(f"suite {suite!r} has no scripted expert; collect works on: builtin")
    task_list = s.tasks(tasks)
    paths = {t: dataset_path(out, t, s.space, dtype) for t in task_list}
    if not overwrite:
        existing = [str(p) for p in paths.values() if p.exists()]
        if existing:
            raise FileExistsError(f"{existing[0]} exists ({len(existing)} files); use --overwrite to replace")
    t0 = time.perf_counter()
    results = []
    bar = tqdm(total=len(task_list) * episodes, unit="ep", desc=f"collect {len(task_list)} tasks")
    with mp.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(max_workers=min(workers, len(task_list)), mp_context=mp.get_context("spawn")) as pool:
            futs = [pool.submit(_worker, s.name, s.task_id(t), str(paths[t]), episodes, noise, seed, overwrite, queue)
                    for t in task_list]
            pending = set(futs)
            while pending:
                while not queue.empty():
                    bar.update(queue.get())
                done = {f for f in pending if f.done()}
                for f in done:
                    results.append(f.result())
                pending -= done
                time.sleep(0.1)
            while not queue.empty():
                bar.update(queue.get())
    bar.close()
    elapsed = time.perf_counter() - t0
    for r in sorted(results, key=lambda r: r["task"]):
        print(f"{r['task']:40s} success {r['success_rate']:.2f}  transitions {r['transitions']}")
    mean = sum(r["success_rate"] for r in results) / len(results)
    print(json.dumps({"tasks": len(results), "episodes": episodes, "noise": noise, "mean_success": round(mean, 4),
                      "seconds": round(elapsed, 1), "out": out}))


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
