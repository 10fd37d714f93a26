"""benchmarks/bench_online.py's stable-baselines3 SAC control: a tiny run end to end, and --merge into an old result file."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("stable_baselines3")

from compogen.online import online_preset, read_curve  # noqa: E402
from compogen.suites import get_suite  # noqa: E402

TASK = "fivelink-plate-none-shelf"
BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_online.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_online", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_online"] = module  # its process pool pickles its functions by module name
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_online"]


def test_sb3_sac_runs_end_to_end_and_is_kept_when_finished(bench, tmp_path):
    config = online_preset("sac-cpu", steps=200, eval_every=100, eval_episodes=2, random_steps=100, learning_starts=100)
    res = bench.run_sb3_sac(config, TASK, tmp_path / "run", seed=0)
    curve = read_curve(tmp_path / "run")
    assert [r["env_steps"] for r in curve] == [0, 100, 200]  # step 0, then every eval_every, like run_online
    assert all(0.0 <= r["success"] <= 1.0 and r["eval_env_steps"] > 0 for r in curve)
    assert [r["updates"] for r in curve] == [0, 0, 100]  # SB3 learns after learning_starts
    assert res["algo"] == "sb3-sac" and res["env_steps"] == 200 and res["final_success"] == curve[-1]["success"]
    assert res["identity"]["settings"] == bench.sb3_settings(config)
    assert res["identity"]["settings"]["policy_kwargs"] == {"net_arch": [64, 64]} and res["identity"]["settings"]["batch_size"] == 128
    before = (tmp_path / "run" / "curve.csv").stat().st_mtime_ns
    assert bench.run_sb3_sac(config, TASK, tmp_path / "run", seed=0) == json.loads((tmp_path / "run" / "result.json").read_text())
    assert (tmp_path / "run" / "curve.csv").stat().st_mtime_ns == before  # finished: not run again


def test_absorbing_success_adds_the_bonus_to_a_terminal_success_only(bench):
    env = get_suite("builtin").make_env(TASK)
    wrapped = bench.AbsorbingSuccess(env, gamma=0.9)
    for (reward, terminated), want in [((1.0, True), 1.0 + 0.9 / 0.1), ((1.0, False), 1.0), ((0.5, True), 0.5)]:
        wrapped.env = SimpleNamespace(step=lambda action, r=reward, d=terminated: (None, r, d, False, {}))
        assert wrapped.step(None)[1] == pytest.approx(want)
    env.close()


def _legacy(tmp_path: Path, steps: int) -> Path:
    """A result file as bench_online wrote it before it kept curves (no curves, no invocations)."""
    entry = {"final": [0.0, 0.0], "best": [0.0, 0.0], "return_end": [5.0, 1.0], "steps_to_0.8": [None], "per_seed_final": [0.0]}
    row = {"task": TASK, "dataset": "gone.h5", "round": 1, "dataset_success": 0.3, "loop_eval_steps": 100, "rlpd": dict(entry), "sac": dict(entry)}
    path = tmp_path / "online_warmstart_t.json"
    path.write_text(json.dumps({"steps": steps, "seeds": [0], "wall_s": 60.0, "run_s": 120.0, "rows": [row]}))
    cmd = f"python benchmarks/bench_online.py warmstart --run RUN --tasks {TASK} --seeds 0 --steps {steps} --workers 2"
    path.with_suffix(".md").write_text(f"# old\n\nCommand: `{cmd}`\n")
    return path


def test_merge_adds_sb3_sac_to_an_old_result_file(bench, tmp_path):
    result = _legacy(tmp_path, steps=200)
    bench.merge(result, ["sb3-sac"], tmp_path / "runs", workers=1)
    data = json.loads(result.read_text())
    row = data["rows"][0]
    assert [r["env_steps"] for r in row["sb3-sac"]["curves"][0]] == [0, 200]  # sac-cpu evaluates every 2,000 steps and at the end
    assert "curves" not in row["sac"] and row["rlpd"]["final"] == [0.0, 0.0]  # the old entries are kept as they were
    assert data["algos"] == ["rlpd", "sac", "sb3-sac"] and [i["runs"] for i in data["invocations"]] == [2, 1]
    assert data["invocations"][0]["command"].endswith("--workers 2") and data["run_s"] == pytest.approx(120.0 + data["invocations"][1]["run_s"])
    md = result.with_suffix(".md").read_text()
    assert "| SB3 SAC final | SB3 SAC best | SB3 SAC return at the end |" in md and "--merge" in md and "SB3 SAC: stable-baselines3" in md
    assert (tmp_path / f"online_warmstart_t_{TASK}_merged.png").read_bytes()[:4] == b"\x89PNG"
    bench.merge(result, ["sb3-sac"], tmp_path / "runs", workers=1)  # nothing left to run: unchanged
    assert json.loads(result.read_text())["invocations"] == data["invocations"]
