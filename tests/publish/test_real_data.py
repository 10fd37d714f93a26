"""`publish --data` on real data: compogen collect output is published as real, an unattributed offline file is refused."""

from __future__ import annotations

import numpy as np
import pytest

from compogen.cli import main
from compogen.data import OfflineDatasetWriter
from compogen.suites import suite_for_task

from .conftest import BUILTIN_TASK, tree

SUITE = suite_for_task(BUILTIN_TASK)


def _offline_file(path, attrs, episodes=3, steps=20):
    rng = np.random.default_rng(0)
    dim, adim = SUITE.observation_layout.dim, SUITE.action_dim
    with OfflineDatasetWriter(path, dim, adim, attrs=attrs) as w:
        for _ in range(episodes):
            obs = rng.normal(size=(steps + 1, dim))
            w.add_episode(obs, rng.uniform(-1, 1, (steps, adim)), rng.normal(size=steps), np.zeros(steps), terminated=False)
    return path


@pytest.fixture
def real_file(tmp_path):
    attrs = {"suite": SUITE.name, "task": BUILTIN_TASK, "policy": "scripted_expert", "noise": 0.1, "seed": 5}
    return _offline_file(tmp_path / "expert.hdf5", attrs)


def test_real_data_is_published_as_real(minari_root, real_file, capsys):
    import minari

    assert main(["publish", "--data", str(real_file), "--id", "mine/real-push-v0"]) == 0
    assert "3 Minari episodes, 60 steps (layout 'episodes'" in capsys.readouterr().out
    meta = minari.load_dataset("mine/real-push-v0").storage.metadata
    desc = meta["description"]
    assert desc.startswith("REAL episodes") and "collected in the simulator by compogen's scripted expert" in desc
    assert "SYNTHETIC" not in desc and "not collected" not in desc and "generated" not in desc
    assert meta["compogen"]["synthetic"] is False and meta["compogen"]["generator"] is None
    assert meta["compogen"]["collection"]["policy"] == "scripted_expert" and meta["compogen"]["collection"]["seed"] == 5
    assert meta["algorithm_name"] == "compogen-scripted-expert"


def test_synthetic_data_stays_synthetic(minari_root, builtin_file):
    import minari

    assert main(["publish", "--data", str(builtin_file[0]), "--id", "mine/syn-push-v0"]) == 0
    meta = minari.load_dataset("mine/syn-push-v0").storage.metadata
    assert meta["description"].startswith("SYNTHETIC") and meta["compogen"]["synthetic"] is True


@pytest.mark.parametrize(
    "attrs, message",
    [({"task": BUILTIN_TASK}, "does not record who collected it"), ({"task": BUILTIN_TASK, "policy": "sac"}, "collected by policy 'sac'")],
)
def test_unattributed_real_data_is_refused(minari_root, tmp_path, capsys, attrs, message):
    path = _offline_file(tmp_path / "other.hdf5", attrs)
    assert main(["publish", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compogen: error:") and message in err and len(err.strip().splitlines()) == 1
    assert tree(minari_root) == []
