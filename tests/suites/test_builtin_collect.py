"""``compogen collect`` on the built-in suite writes readable expert datasets."""

from __future__ import annotations

import json

import h5py
import numpy as np

from compogen.cli import main
from compogen.data import dataset_path, read_offline_dataset, summarize_offline_dataset
from compogen.suites import get_suite


def test_collect_writes_dataset(tmp_path, capsys):
    suite = get_suite("builtin")
    rc = main(
        [
            "collect",
            "--tasks",
            "threelink-box-objectwall-push,fivelink-plate-none-trashcan",
            "--episodes",
            "3",
            "--noise",
            "0.1",
            "--out",
            str(tmp_path),
            "--workers",
            "1",
        ]
    )
    assert rc == 0
    for tid in ("threelink-box-objectwall-push", "fivelink-plate-none-trashcan"):
        task = suite.parse(tid)
        path = dataset_path(tmp_path, task, suite.space)
        assert path.parent.name == suite.space.folder_name(task)
        data = read_offline_dataset(path)
        assert data.observations.shape[1] == suite.observation_layout.dim and data.actions.shape[1] == suite.action_dim
        assert np.all(np.abs(data.actions) <= 1.0)
        assert data.terminals.sum() + data.timeouts.sum() == 3
        with h5py.File(path) as f:
            meta = json.loads(f.attrs["compogen"])
        assert meta["episodes"] == 3 and meta["noise"] == 0.1 and meta["task"] == tid
        assert meta["success_rate"] == summarize_offline_dataset(path)["success_rate"]  # recorded = what the file holds
    out = capsys.readouterr().out
    assert '"tasks": 2' in out
    # refuses to overwrite without --overwrite, leaving the files intact
    rc = main(["collect", "--tasks", "threelink-box-objectwall-push", "--episodes", "1", "--out", str(tmp_path)])
    assert rc == 2


def test_collect_unknown_task(tmp_path, capsys):
    rc = main(["collect", "--tasks", "iiwa-box-none-push", "--episodes", "1", "--out", str(tmp_path)])
    assert rc == 2 and "unknown robot" in capsys.readouterr().err
