"""The Ray and submitit executors run a real (small) loop, with a failing task retried then isolated.

Skipped unless the extras are installed (``pip install -e ".[ray,slurm]"``); the submitit test uses
submitit's local executor (no SLURM needed), the Ray test a local 2-CPU Ray instance.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_runner import HERE, _config, run_fake  # the runner tests' helpers

from compogen.loop.config import LoopConfig
from compogen.loop.runner import run_loop
from compogen.suites import get_suite

SUITE = get_suite("composuite")


def _expect_retry_then_isolation(run: Path, state: dict, tasks: list[str]) -> None:
    v = lambda t: json.loads((run / "iterations" / "000" / "validation" / f"{t}.json").read_text())  # noqa: E731
    assert v(tasks[0])["failed"] and v(tasks[0])["attempts"] == 2 and "always fails" in v(tasks[0])["error"]
    assert not v(tasks[1])["failed"] and v(tasks[1])["attempts"] == 2
    assert all(not v(t)["failed"] and v(t)["attempts"] == 1 for t in tasks[2:])
    assert tasks[0] not in state["solved"]


def _reference(data_root, tmp_path, extra) -> dict:
    cfg = _config(data_root, iterations=2, workers=0, retries=1, extra=extra)
    return run_fake(cfg, tmp_path / "local", log=lambda s: None)


@pytest.fixture
def tasks():
    return [SUITE.task_id(t) for t in SUITE.tasks("iiwa:test8")]


def test_ray_executor_runs_the_loop_like_local_workers(real_data, tmp_path, tasks, monkeypatch):  # noqa: F811
    ray = pytest.importorskip("ray")
    from fake_stages import FakeStages

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]))
    extra = {"fail": [tasks[0]], "flaky": [tasks[1]], "flaky_dir": str(tmp_path / "flaky-ray")}
    (tmp_path / "flaky-ray").mkdir()
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    try:
        cfg = _config(real_data, iterations=2, executor="ray", retries=1, extra=extra)
        state = run_loop(cfg, tmp_path / "ray", log=lambda s: None, stages=FakeStages)
    finally:
        ray.shutdown()
    _expect_retry_then_isolation(tmp_path / "ray", state, tasks)
    (tmp_path / "flaky-local").mkdir()
    ref = _reference(real_data, tmp_path, dict(extra, flaky_dir=str(tmp_path / "flaky-local")))
    assert state["history"] == ref["history"] and state["solved"] == ref["solved"]


def test_submitit_local_executor_runs_the_loop_like_local_workers(real_data, tmp_path, tasks, monkeypatch):  # noqa: F811
    pytest.importorskip("submitit")
    from fake_stages import FakeStages

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]))
    extra = {"fail": [tasks[0]], "flaky": [tasks[1]], "flaky_dir": str(tmp_path / "flaky-slurm")}
    (tmp_path / "flaky-slurm").mkdir()
    cfg = _config(real_data, iterations=2, executor="slurm", retries=1, extra=extra)
    state = run_loop(cfg, tmp_path / "slurm", log=lambda s: None, stages=FakeStages)
    _expect_retry_then_isolation(tmp_path / "slurm", state, tasks)
    assert any((tmp_path / "slurm" / "slurm").iterdir())  # submitit's job folder
    (tmp_path / "flaky-local").mkdir()
    ref = _reference(real_data, tmp_path, dict(extra, flaky_dir=str(tmp_path / "flaky-local")))
    assert state["history"] == ref["history"] and state["solved"] == ref["solved"]
    assert LoopConfig.from_dict(json.loads((tmp_path / "slurm" / "config.json").read_text())).executor == "slurm"
