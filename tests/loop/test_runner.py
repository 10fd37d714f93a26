"""Algorithm 1's runner with cheap stand-in stages: resume, kill, retries, metrics."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compogen.errors import CompogenError
from compogen.loop.config import LoopConfig
from compogen.loop.runner import resolve_run_tasks, run_loop
from compogen.suites import get_suite

HERE = Path(__file__).parent
SUITE = get_suite("composuite")


def _config(real_data, **kw):
    from fake_stages import fake_loop_config

    return fake_loop_config(real_data, **{"iterations": 4, **kw})


def run_fake(cfg, out, **kw):
    from fake_stages import FakeStages

    return run_loop(cfg, out, stages=FakeStages, **kw)


def _results(run: Path) -> dict:
    state = json.loads((run / "state.json").read_text())
    return {
        "state": state,
        "metrics": (run / "metrics.csv").read_text(),
        "summary": (run / "summary.csv").read_text(),
    }


def test_default_targets_and_eval_for_iiwa_split():
    train, targets, evals, n = resolve_run_tasks(LoopConfig(suite="composuite"), SUITE)
    assert (len(train), len(targets), len(evals), n) == (14, 50, 32, 64)
    assert set(evals) <= set(targets)


def test_run_produces_state_metrics_plot_and_resumes_as_noop(real_data, tmp_path):
    cfg = _config(real_data)
    logs: list[str] = []
    state = run_fake(cfg, tmp_path / "run", log=logs.append)
    assert state["iteration"] >= 1 and state["history"]
    h0 = state["history"][0]
    assert h0["tau"] == 0.8 and set(h0["results"]) == {SUITE.task_id(t) for t in SUITE.tasks("iiwa:test8")}
    # the pool holds exactly the admitted tasks' synthetic files
    admitted = [t for h in state["history"] for t in h["admitted"]]
    assert [p["task"] for p in state["pool"]] == admitted and sorted(state["solved"]) == sorted(admitted)
    for p in state["pool"]:
        assert (tmp_path / "run" / p["file"]).is_file()
    # admitted tasks are not generated again in later rounds
    for i, h in enumerate(state["history"]):
        for later in state["history"][i + 1 :]:
            assert not set(h["admitted"]) & set(later["results"])
    summary = (tmp_path / "run" / "summary.csv").read_text().splitlines()
    assert len(summary) == 1 + len(state["history"])
    png = (tmp_path / "run" / "progress.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert any("held-out task" in line for line in logs)
    before = _results(tmp_path / "run")
    logs2: list[str] = []
    run_fake(cfg, tmp_path / "run", log=logs2.append)
    assert not any("training" in line or "generating" in line for line in logs2)
    assert _results(tmp_path / "run") == before


def test_other_settings_refused_on_existing_run(real_data, tmp_path):
    run_fake(_config(real_data, iterations=1), tmp_path / "run", log=lambda s: None)
    with pytest.raises(CompogenError, match="other settings"):
        run_fake(_config(real_data, iterations=1, tau0=0.9), tmp_path / "run", log=lambda s: None)


def test_run_made_before_a_field_existed_resumes_at_its_default(real_data, tmp_path):
    """A config.json written before a LoopConfig field was added resumes while the field keeps its
    default, and is refused (naming the field) when the field is set to something else."""
    cfg = _config(real_data, iterations=1)
    run_fake(cfg, tmp_path / "run", log=lambda s: None)
    path = tmp_path / "run" / "config.json"
    old = json.loads(path.read_text())
    del old["proxy_min_mean_reward"], old["scale_generator_steps"]
    path.write_text(json.dumps(old))
    run_fake(cfg, tmp_path / "run", log=lambda s: None)
    with pytest.raises(CompogenError, match=r"other settings \(proxy_min_mean_reward\)"):
        run_fake(cfg.replace(proxy_min_mean_reward=0.5), tmp_path / "run", log=lambda s: None)


def test_failing_task_is_retried_then_isolated(real_data, tmp_path):
    tasks = [SUITE.task_id(t) for t in SUITE.tasks("iiwa:test8")]
    cfg = _config(real_data, iterations=1, retries=1, extra={"fail": [tasks[0]], "flaky": [tasks[1]], "flaky_dir": str(tmp_path)})
    state = run_fake(cfg, tmp_path / "run", log=lambda s: None)

    def v(t):
        return json.loads((tmp_path / "run" / "iterations" / "000" / "validation" / f"{t}.json").read_text())

    assert v(tasks[0])["failed"] and v(tasks[0])["attempts"] == 2 and "always fails" in v(tasks[0])["error"]
    assert not v(tasks[1])["failed"] and v(tasks[1])["attempts"] == 2
    assert all(not v(t)["failed"] and v(t)["attempts"] == 1 for t in tasks[2:])
    assert tasks[0] not in state["solved"]
    assert state["history"][0]["results"][tasks[0]]["failed"]


def test_worker_processes_give_same_results_as_in_process(real_data, tmp_path):
    a = run_fake(_config(real_data, iterations=2, workers=0), tmp_path / "a", log=lambda s: None)
    b = run_fake(_config(real_data, iterations=2, workers=2), tmp_path / "b", log=lambda s: None)
    assert a["history"] == b["history"] and a["solved"] == b["solved"]


_SCRIPT = """
import json, sys
from compogen.loop.config import LoopConfig
from compogen.loop.runner import run_loop
from fake_stages import FakeStages
run_loop(LoopConfig.from_dict(json.loads(sys.argv[1])), sys.argv[2], log=lambda s: None, stages=FakeStages)
"""


def test_sigkill_anywhere_then_resume_gives_identical_results(real_data, tmp_path):
    cfg = _config(real_data, iterations=3, workers=2, extra={"sleep": 0.05})
    reference = tmp_path / "reference"
    run_fake(cfg, reference, log=lambda s: None)
    run = tmp_path / "killed"
    arg = json.dumps(cfg.to_dict())
    rng = np.random.default_rng(1)
    kills = 0
    for _ in range(3):  # kill at random moments, then let it finish
        p = subprocess.Popen([sys.executable, "-c", _SCRIPT, arg, str(run)], start_new_session=True)
        try:
            p.wait(timeout=float(rng.uniform(1.0, 3.0)))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
    assert kills >= 2, "the run finished before it could be killed twice; increase the stage sleep"
    subprocess.run([sys.executable, "-c", _SCRIPT, arg, str(run)], check=True, timeout=300)
    assert _results(run) == _results(reference)
    leftovers = [f for f in run.rglob("*.tmp")]
    # a kill can leave a temporary file in flight, never a half-written result
    assert all(f.name.startswith(".") for f in leftovers)


@pytest.mark.parametrize(
    "bad,needle",
    [
        ({"executor": "nope"}, "unknown executor"),
        ({"arch": "resnet"}, "unknown architecture"),
        ({"generator_preset": "huge"}, "unknown"),
        ({"validation_preset": "x"}, "unknown validation preset"),
    ],
)
def test_a_refused_run_writes_nothing_so_the_corrected_command_runs(real_data, tmp_path, bad, needle):
    with pytest.raises(CompogenError, match=needle):
        run_fake(_config(real_data, iterations=1, **bad), tmp_path / "run", log=lambda s: None)
    assert not (tmp_path / "run").exists()
    run_fake(_config(real_data, iterations=1), tmp_path / "run", log=lambda s: None)
    assert (tmp_path / "run" / "state.json").is_file()


def test_saved_config_names_no_module_and_a_planted_one_is_refused(real_data, tmp_path):
    cfg = _config(real_data, iterations=1)
    run_fake(cfg, tmp_path / "run", log=lambda s: None)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert "stages" not in saved and LoopConfig.from_dict(saved) == cfg
    planted = dict(saved, stages="os:system")
    with pytest.raises(CompogenError, match=r"unknown settings \['stages'\]"):
        LoopConfig.from_dict(planted)
    (tmp_path / "run" / "config.json").write_text(json.dumps(planted))
    with pytest.raises(CompogenError, match="other settings"):
        run_fake(cfg, tmp_path / "run", log=lambda s: None)


def test_refused_resume_collects_nothing(tmp_path):
    from compogen.loop.bootstrap import run_bootstrap

    cfg = LoopConfig(
        suite="builtin",
        data=str(tmp_path / "data"),
        train="fivelink-box-none-push",
        targets="fivelink-box-none-shelf",
        iterations=1,
        generator_preset="tiny",
        validation_preset="tiny",
        workers=0,
    )
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text(json.dumps(cfg.replace(seed=5).to_dict()))
    with pytest.raises(CompogenError, match="other settings"):
        run_bootstrap(cfg.replace(collect_episodes=2), tmp_path / "run", log=lambda s: None)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda s: s.update(tau="high"), "'tau' has the wrong type"),
        (lambda s: s.update(solved="all"), "'solved' has the wrong type"),
        (lambda s: s.pop("pool"), "missing 'pool'"),
        (lambda s: s.update(solved=["iiwa-box-none-push-x"]), "not targets of this run"),
        (
            lambda s: s["pool"].append({"task": s["history"][0]["results"] and next(iter(s["history"][0]["results"])), "file": "../../etc/passwd"}),
            "outside the run directory",
        ),
        (lambda s: s["pool"].append({"task": "iiwa-box-objectdoor-trashcan", "file": "x.h5"}), "not a target of this run"),
    ],
)
def test_hand_edited_state_is_refused_with_one_clear_error(real_data, tmp_path, edit, needle):
    cfg = _config(real_data, iterations=1)
    run_fake(cfg, tmp_path / "run", log=lambda s: None)
    path = tmp_path / "run" / "state.json"
    state = json.loads(path.read_text())
    edit(state)
    path.write_text(json.dumps(state))
    before = sorted(p.name for p in (tmp_path / "run").rglob("*"))
    with pytest.raises(CompogenError, match=needle):
        run_fake(cfg.replace(iterations=1), tmp_path / "run", log=lambda s: None)
    assert sorted(p.name for p in (tmp_path / "run").rglob("*")) == before


def test_custom_split_reports_metrics_over_its_targets_and_coverage_of_its_arm(tmp_path, monkeypatch):
    """Issue 22: the paper's IIWA split moved onto another arm, through ``compogen bootstrap``."""
    import csv
    from functools import partial

    from fake_stages import FakeStages, write_fake_real_data

    from compogen.cli import main
    from compogen.loop import bootstrap

    class SmallFakeStages(FakeStages):  # the preset's 8,000 samples per task are more than this test needs
        def generate(self, model_dir, task, n, out_file, seed):
            super().generate(model_dir, task, 100, out_file, seed)

    suite = get_suite("builtin")

    def moved(split):
        return ",".join(suite.task_id(t._replace(robot="ThreeLink")) for t in suite.tasks(split))

    train, targets = moved("iiwa:train14"), moved("iiwa:test")
    monkeypatch.setattr(bootstrap, "run_loop", partial(run_loop, stages=SmallFakeStages))
    data = write_fake_real_data(tmp_path / "data", suite, train)
    run = tmp_path / "run"
    argv = ["bootstrap", "--preset", "standard", "--train", train, "--targets", targets, "--data", str(data), "--out", str(run), "--workers", "0"]
    assert main(argv) == 0
    target_ids = targets.split(",")
    summary = list(csv.DictReader((run / "summary.csv").open()))
    assert summary and {r["task"] for r in csv.DictReader((run / "metrics.csv").open())} == set(target_ids)
    best = dict.fromkeys(target_ids, 0.0)
    admitted = 0
    for row in summary:  # against the per-task results on disk
        folder = run / "iterations" / f"{int(row['iteration']):03d}" / "validation"
        for t in target_ids:
            if (folder / f"{t}.json").is_file():
                best[t] = max(best[t], json.loads((folder / f"{t}.json").read_text())["success"])
        admitted += len(json.loads((run / "state.json").read_text())["history"][int(row["iteration"])]["admitted"])
        assert int(row["n_eval"]) == 32
        assert float(row["mean_best_success"]) == pytest.approx(np.mean(list(best.values())), abs=1e-6)
        assert int(row["solved_at_least_once"]) == sum(b > 0 for b in best.values()) > 0
        assert int(row["admitted_total"]) == admitted
        assert float(row["coverage"]) == pytest.approx((14 + admitted) / 64, abs=1e-6)  # ThreeLink's 64 tasks
    assert float(summary[-1]["mean_best_success"]) > 0
