"""The typed records of a run read and write exactly the ``state.json`` the runner wrote before them."""

from __future__ import annotations

import copy
import json

import pytest

from compogen.errors import CompogenError
from compogen.io import atomic_write_json
from compogen.loop.metrics import compute_metrics, format_table
from compogen.loop.records import PoolEntry, Round, RunState, TaskResult
from compogen.loop.rundir import RunDir
from compogen.loop.runner import check_state, load_state
from compogen.loop.schedule import ThresholdSchedule

TARGETS = ["iiwa-box-none-pickplace", "iiwa-dumbbell-goalwall-shelf", "iiwa-dumbbell-objectdoor-push"]

# A state.json as run_loop wrote it (dict-based runner, commit e9b6053) after two rounds of FakeStages (a
# failed job included), with one result as DiffusionStages records it (confidence interval, mean return).
STATE = {
    "iteration": 2,
    "solved": ["iiwa-box-none-pickplace", "iiwa-dumbbell-objectdoor-push"],
    "tau": 0.7,
    "patience": 0,
    "done": False,
    "pool": [
        {
            "task": "iiwa-dumbbell-objectdoor-push",
            "file": "iterations/000/synthetic/iiwa-dumbbell-objectdoor-push.h5",
            "iteration": 0,
            "success": 0.85,
        },
        {"task": "iiwa-box-none-pickplace", "file": "iterations/001/synthetic/iiwa-box-none-pickplace.h5", "iteration": 1, "success": 0.7576},
    ],
    "history": [
        {
            "iteration": 0,
            "tau": 0.8,
            "tau_next": 0.8,
            "patience": 0,
            "admitted": ["iiwa-dumbbell-objectdoor-push"],
            "results": {
                "iiwa-box-none-pickplace": {"success": 0.6514, "failed": False, "env_steps": 200, "per_seed": [0.6514, 0.6514]},
                "iiwa-dumbbell-goalwall-shelf": {"success": 0.0, "failed": True, "env_steps": 0},
                "iiwa-dumbbell-objectdoor-push": {
                    "success": 0.85,
                    "failed": False,
                    "env_steps": 4000,
                    "per_seed": [0.8, 0.9],
                    "ci_low": 0.71,
                    "ci_high": 0.93,
                    "mean_return": 312.5,
                },
            },
        },
        {
            "iteration": 1,
            "tau": 0.8,
            "tau_next": 0.7,
            "patience": 0,
            "admitted": ["iiwa-box-none-pickplace"],
            "results": {
                "iiwa-box-none-pickplace": {"success": 0.7576, "failed": False, "env_steps": 200, "per_seed": [0.7576, 0.7576]},
                "iiwa-dumbbell-goalwall-shelf": {"success": 0.0, "failed": True, "env_steps": 0},
            },
        },
    ],
}


def test_a_state_json_written_by_the_dict_runner_round_trips_byte_for_byte(tmp_path):
    written = tmp_path / "state.json"
    atomic_write_json(written, STATE)  # as run_loop wrote it
    rd = RunDir(tmp_path)
    state = load_state(json.loads(written.read_text()), rd, TARGETS)
    assert isinstance(state.history[0].results[TARGETS[2]], TaskResult) and state.pool[0].iteration == 0
    again = tmp_path / "again.json"
    atomic_write_json(again, state.to_dict())
    assert again.read_bytes() == written.read_bytes()
    assert check_state(json.loads(written.read_text()), rd, TARGETS) == STATE


def test_records_hold_the_runs_values_and_build_the_same_dicts():
    state = RunState.from_dict(copy.deepcopy(STATE))
    assert state.iteration == 2 and state.schedule.solved == {TARGETS[0], TARGETS[2]} and state.schedule.tau == 0.7
    r = state.history[1].results[TARGETS[1]]
    assert (r.success, r.failed, r.env_steps, r.per_seed) == (0.0, True, 0, None)
    fresh = RunState.initial(ThresholdSchedule())
    assert fresh.to_dict() == {"iteration": 0, "solved": [], "tau": 0.8, "patience": 0, "done": False, "pool": [], "history": []}
    entry = PoolEntry("t", "f.h5")  # a hand-written entry without round or success stays without them
    assert entry.to_dict() == {"task": "t", "file": "f.h5"}


def test_a_stage_record_keeps_its_scores_in_history_order():
    record = {"task": "x", "algo": "iql", "success_rate": 0.5, "ci_low": 0.1, "ci_high": 0.9, "mean_return": 3.0, "env_steps": 10}
    record |= {"seeds": [], "success": 0.5, "per_seed": [0.5], "failed": False, "timing": {}, "attempts": 1}
    keep = ("success", "failed", "env_steps", "per_seed", "ci_low", "ci_high", "mean_return")
    assert list(TaskResult.from_record(record).to_dict().items()) == [(k, record[k]) for k in keep]
    assert TaskResult.from_record({"success": 1}).to_dict() == {"success": 1}  # a study's bare record
    with pytest.raises(CompogenError, match="needs 'success'"):
        TaskResult.from_record({"score": 0.5})
    with pytest.raises(CompogenError, match="success must be a number"):
        TaskResult.from_record({"success": "high"})


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda s: s.update(note="hi"), r"unknown keys \['note'\]"),
        (lambda s: s["history"][0]["results"][TARGETS[0]].update(score=1), "unknown settings"),
        (lambda s: s["history"][0].pop("results"), "'results' object"),
        (lambda s: s["pool"].append("x.h5"), "pool entries need 'task' and 'file' strings"),
        (lambda s: s["solved"].append(3), "'solved' must list task ids"),
    ],
)
def test_a_bad_state_is_refused_once_with_its_file_named(tmp_path, edit, needle):
    state = copy.deepcopy(STATE)
    edit(state)
    with pytest.raises(CompogenError, match=needle) as e:
        load_state(state, RunDir(tmp_path), TARGETS)
    assert str(e.value).startswith(str(tmp_path / "state.json"))


def test_metrics_read_round_records_and_history_dicts_alike():
    rounds = RunState.from_dict(copy.deepcopy(STATE)).history
    assert all(isinstance(h, Round) for h in rounds)
    assert compute_metrics(rounds, TARGETS, 14, 64) == compute_metrics(STATE["history"], TARGETS, 14, 64)
    assert format_table(rounds, TARGETS, 14, 64) == format_table(STATE["history"], TARGETS, 14, 64)
