"""The real ``compogen`` entry point: JSON outputs and one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from compogen.cli import main
from compogen.data import OfflineDatasetWriter, dataset_path
from compogen.suites import get_suite
from compogen.tasks import Task


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tasks_show_json(capsys):
    code, out, _ = run(capsys, "tasks", "show", "KINOVA3-plate-none-push", "--suite", "composuite", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["id"] == "kinova3-plate-none-push" and d["object"] == "Plate"
    assert d["indicator"] == [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]


def test_tasks_list_split_json(capsys):
    code, out, _ = run(capsys, "tasks", "list", "--split", "iiwa:train14", "--suite", "composuite", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 14 and rows[0]["id"] == "iiwa-box-objectdoor-trashcan"
    code, out, _ = run(capsys, "tasks", "list", "--split", "default:0:test", "--suite", "composuite", "--json")
    assert len(json.loads(out)) == 32


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["tasks", "show", "iiwa-mug-none-push", "--suite", "composuite"], "unknown object 'mug'"),
        (["tasks", "list", "--split", "iiwa:nope", "--suite", "composuite"], "bad split part"),
        (["tasks", "show", "iiwa-box-none-push", "--suite", "nosuch"], "unknown suite"),
        (["data", "inspect", "/nonexistent/dir", "--suite", "composuite"], "not a directory"),
    ],
)
def test_bad_input_one_line_error(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_data_inspect_json(capsys, tmp_path, rng):
    suite = get_suite("composuite")
    task = Task("IIWA", "Plate", "None", "Push")
    with OfflineDatasetWriter(dataset_path(tmp_path, task, suite.space), 93, 8) as w:
        for i in range(3):
            obs = np.zeros((11, 93), np.float32)
            obs[:, 45:61] = suite.observation_layout.obs_task_block(suite.space.indicator(task), suite.space)
            rew = np.full(10, 0.5, np.float32)
            suc = np.zeros(10, bool)
            suc[-1] = i < 2
            w.add_episode(obs, np.zeros((10, 8)), rew, suc, terminated=False)
    code, out, _ = run(capsys, "data", "inspect", str(tmp_path), "--suite", "composuite", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["task"] == "iiwa-plate-none-push" and row["transitions"] == 30 and row["episodes"] == 3
    assert row["success_rate"] == pytest.approx(2 / 3) and row["mean_return"] == pytest.approx(5.0)


def test_console_script_subprocess():
    r = subprocess.run(
        [sys.executable, "-m", "compogen.cli", "tasks", "show", "iiwa-box-bogus-push", "--suite", "composuite"],
        capture_output=True,
        check=False,
        text=True,
    )
    assert r.returncode == 2 and r.stderr.startswith("compogen: error: unknown obstacle") and "Traceback" not in r.stderr
