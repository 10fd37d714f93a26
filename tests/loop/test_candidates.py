"""``LoopConfig.generators``: several candidate generators per round, the best dataset per target counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compogen.errors import CompogenError
from compogen.loop.runner import run_loop
from compogen.suites import get_suite

HERE = Path(__file__).parent
SUITE = get_suite("composuite")


def _run(real_data, out: Path, **kw) -> tuple[dict, list[str]]:
    from fake_stages import FakeStages, fake_loop_config

    logs: list[str] = []
    state = run_loop(fake_loop_config(real_data, iterations=2, **kw), out, log=logs.append, stages=FakeStages)
    return state, logs


def _record(run: Path, k: int, task: str, folder: str = "validation") -> dict:
    rec = json.loads((run / "iterations" / f"{k:03d}" / folder / f"{task}.json").read_text())
    rec.pop("timing")
    return rec


def test_round_result_is_the_best_candidate_and_the_pool_holds_its_data(real_data, tmp_path):
    run = tmp_path / "run"
    state, logs = _run(real_data, run, generators=2)
    differ = 0
    for h in state["history"]:
        k = h["iteration"]
        assert (run / "iterations" / f"{k:03d}" / "generator.json").is_file()
        assert (run / "iterations" / f"{k:03d}" / "generator-g1.json").is_file()
        for task, res in h["results"].items():
            a, b = _record(run, k, task), _record(run, k, task, "validation-g1")
            differ += a["success"] != b["success"]
            best = 0 if a["success"] >= b["success"] else 1
            assert res["candidate"] == best
            assert res["success"] == max(a["success"], b["success"])
            assert res["env_steps"] == a["env_steps"] + b["env_steps"]
            assert (task in h["admitted"]) == (res["success"] > h["tau"])
    assert differ > 0, "the candidates' seeds differ, so some of their datasets must validate differently"
    for entry in state["pool"]:
        k = entry["iteration"]
        g = state["history"][k]["results"][entry["task"]]["candidate"]
        assert entry["file"] == f"iterations/{k:03d}/{'synthetic' if g == 0 else 'synthetic-g1'}/{entry['task']}.h5"
        assert (run / entry["file"]).is_file()
    assert any("(generator 2)" in line for line in logs)
    # resuming a finished run trains, generates and validates nothing
    again, logs2 = _run(real_data, run, generators=2)
    assert again == state and not any("training" in line or "generating" in line for line in logs2)


def test_one_generator_writes_what_it_always_wrote_and_is_candidate_zero(real_data, tmp_path):
    one, _ = _run(real_data, tmp_path / "one")
    two, _ = _run(real_data, tmp_path / "two", generators=2)
    assert not list((tmp_path / "one").glob("iterations/*/*-g1*"))
    assert all("candidate" not in r for h in one["history"] for r in h["results"].values())
    # candidate 0 of a two-generator run is the one-generator run's generator: same round-0 datasets and records
    for task in one["history"][0]["results"]:
        assert _record(tmp_path / "one", 0, task) == _record(tmp_path / "two", 0, task)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_generators_below_one_or_not_an_integer_refused(real_data, tmp_path, bad):
    with pytest.raises(CompogenError, match="generators must be an integer >= 1"):
        _run(real_data, tmp_path / "run", generators=bad)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("generators", [1, 2])
def test_generator_init_previous_starts_each_round_from_the_same_candidates_last_weights(real_data, tmp_path, generators):
    run = tmp_path / "run"
    _run(real_data, run, generators=generators, generator_init="previous")
    for g in range(generators):
        name = "generator" if g == 0 else f"generator-g{g}"
        inits = [json.loads((run / "iterations" / f"{k:03d}" / name / "model.json").read_text())["init_from"] for k in (0, 1)]
        assert inits == [None, str(run / "iterations" / "000" / name)]
    _run(real_data, tmp_path / "cold")  # the default (Algorithm 1): every round from scratch
    assert json.loads((tmp_path / "cold" / "iterations" / "001" / "generator" / "model.json").read_text())["init_from"] is None
    with pytest.raises(CompogenError, match="unknown generator_init 'last'"):
        _run(real_data, tmp_path / "bad", generator_init="last")


def test_stages_without_policy_dir_still_run(real_data, tmp_path):
    """A study's stages written before ``validate`` took ``policy_dir`` are called without it."""
    from fake_stages import FakeStages, fake_loop_config

    class OldStages(FakeStages):
        def validate(self, task, data, seeds, iteration):
            return super().validate(task, data, seeds, iteration)

    state = run_loop(fake_loop_config(real_data, iterations=1), tmp_path / "run", log=lambda _: None, stages=OldStages)
    results = state["history"][0]["results"]
    assert results and not any(r.get("failed") for r in results.values())  # a TypeError would fail every job
