"""The README's conditional-sampling snippet runs, with a tiny generator standing in for runs/gen."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _snippet() -> str:
    section = (ROOT / "README.md").read_text().split("### Conditional sampling, synthetic episodes, a model-mode env", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.filterwarnings("ignore")
def test_readme_conditional_snippet_runs(tmp_path, monkeypatch):
    from compogen.data import Transitions
    from compogen.generator import TrainConfig, train_generator
    from compogen.rl import expert_transitions
    from compogen.suites import get_suite

    suite = get_suite("builtin")
    pool = Transitions.concatenate([expert_transitions(suite, t, 200) for t in ("fivelink-box-none-push", "threelink-plate-none-shelf")])
    train_generator(
        pool, suite.transition_layout(), tmp_path / "runs" / "gen", TrainConfig(arch="mlp", preset="tiny", steps=4), suite="builtin", progress=False
    )
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "__readme__"}
    exec(compile(_snippet(), "README conditional snippet", "exec"), scope)
    assert scope["step"].observations.shape == scope["s0"].shape
    assert scope["env"].observation_space == suite.make_env("fivelink-plate-none-push").observation_space
