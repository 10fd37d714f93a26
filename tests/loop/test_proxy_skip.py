"""``LoopConfig.proxy_min_mean_reward``: datasets whose mean reward is below it are not validated (issue 19 §3)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from compogen.errors import CompogenError
from compogen.loop.config import LoopConfig
from compogen.loop.runner import run_loop
from compogen.suites import get_suite

HERE = Path(__file__).parent
SUITE = get_suite("composuite")
TASKS = [SUITE.task_id(t) for t in SUITE.tasks("iiwa:test8")]
PROMISING = TASKS[:3]
"""Their generated rewards are shifted by +1: mean reward about 1 (the others' about 0), success 1."""


def _run(real_data, out: Path, **kw) -> tuple[dict, list[tuple[int, str]], list[str]]:
    """Run the stand-in loop in-process; (state, the (round, task) of every validate() call, log lines)."""
    from fake_stages import FakeStages, fake_loop_config

    calls: list[tuple[int, str]] = []

    class CountingStages(FakeStages):
        def validate(self, task, data, seeds, iteration, policy_dir=None):
            calls.append((iteration, self.suite.task_id(task)))
            return super().validate(task, data, seeds, iteration, policy_dir)

    cfg = fake_loop_config(real_data, extra={"reward_shift": dict.fromkeys(PROMISING, 1.0)}, **kw)
    logs: list[str] = []
    state = run_loop(cfg, out, log=logs.append, stages=CountingStages)
    return state, calls, logs


def _record(run: Path, k: int, task: str) -> dict:
    return json.loads((run / "iterations" / f"{k:03d}" / "validation" / f"{task}.json").read_text())


def _summary(run: Path) -> list[dict]:
    return list(csv.DictReader((run / "summary.csv").open()))


def test_datasets_below_the_threshold_are_not_validated_admitted_or_forgotten(real_data, tmp_path):
    run = tmp_path / "run"
    state, calls, logs = _run(real_data, run, iterations=2, proxy_min_mean_reward=0.5)
    others = [t for t in TASKS if t not in PROMISING]
    assert calls == [(0, t) for t in PROMISING]  # no simulator for the others, in either round
    assert sorted(state["solved"]) == sorted(PROMISING) and sorted(e["task"] for e in state["pool"]) == sorted(PROMISING)
    assert set(state["history"][1]["results"]) == set(others)  # generated again in the next round
    for k in (0, 1):
        for t in others:
            rec = _record(run, k, t)
            assert (rec["success"], rec["failed"], rec["skipped"], rec["env_steps"]) == (0.0, False, True, 0)
            assert rec["proxy_scores"]["mean_reward"] < 0.5 and rec["proxy_min_mean_reward"] == 0.5
            assert set(rec["proxy_scores"]) == {"success_rows", "terminal_rows", "mean_reward"}
            assert state["history"][k]["results"][t] == {"success": 0.0, "failed": False, "env_steps": 0, "skipped": True}
    for t in PROMISING:
        rec = _record(run, 0, t)
        assert "skipped" not in rec and rec["proxy_scores"]["mean_reward"] >= 0.5 and rec["env_steps"] == 200
    summary = _summary(run)
    assert [(int(s["skipped"]), int(s["env_steps"])) for s in summary] == [(5, 600), (5, 0)]
    assert "5 of 8 validations skipped by the proxy; 600 env steps" in next(x for x in logs if x.startswith("[iter 0] admitted"))
    assert any("not validated: mean reward" in x for x in logs)


def test_without_a_threshold_every_dataset_is_validated_and_its_scores_recorded(real_data, tmp_path):
    run = tmp_path / "run"
    state, calls, logs = _run(real_data, run, iterations=1)
    assert calls == [(0, t) for t in TASKS]
    for t in TASKS:
        rec = _record(run, 0, t)
        assert "skipped" not in rec and "proxy_min_mean_reward" not in rec and "proxy_scores" in rec
        assert "skipped" not in state["history"][0]["results"][t]
    assert int(_summary(run)[0]["skipped"]) == 0
    assert not any("skipped by the proxy" in x for x in logs)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, True, "0.3"])
def test_a_bad_threshold_is_refused_in_one_line(bad):
    with pytest.raises(CompogenError, match="proxy_min_mean_reward must be a finite number >= 0 or None"):
        LoopConfig(proxy_min_mean_reward=bad)
    with pytest.raises(CompogenError, match="proxy_min_mean_reward"):
        LoopConfig.from_dict({"proxy_min_mean_reward": bad})


def test_bootstrap_passes_the_threshold_to_the_run(tmp_path, monkeypatch, capsys):
    from compogen.cli import main
    from compogen.loop import bootstrap

    seen: list[LoopConfig] = []
    monkeypatch.setattr(bootstrap, "run_bootstrap", lambda cfg, out: seen.append(cfg) or {})
    assert main(["bootstrap", "--out", str(tmp_path / "run"), "--proxy-min-mean-reward", "0.2875"]) == 0
    assert seen[0].proxy_min_mean_reward == 0.2875 and LoopConfig().proxy_min_mean_reward is None
    assert main(["bootstrap", "--out", str(tmp_path / "run"), "--proxy-min-mean-reward", "-1"]) == 2
    assert "proxy_min_mean_reward must be a finite number >= 0" in capsys.readouterr().err
