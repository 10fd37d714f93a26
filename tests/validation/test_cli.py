"""``compogen validate`` on a synthetic file of the toy suite."""

from __future__ import annotations

import json

from compogen.cli import main
from compogen.data import write_synthetic


def test_cli_validate_json_and_table(toy_suite, toy_data, tmp_path, capsys):
    path = tmp_path / "toy.h5"
    write_synthetic(path, toy_data, attrs={"task": "iiwa-box-none-push"})
    args = ["validate", "--data", str(path), "--suite", "toy", "--preset", "tiny", "--steps", "20", "--seeds", "0,1"]
    assert main(args + ["--json", "--out-dir", str(tmp_path / "pol")]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["task"] == "iiwa-box-none-push" and [s["seed"] for s in d["seeds"]] == [0, 1]
    assert (tmp_path / "pol" / "iiwa-box-none-push" / "seed1.safetensors").is_file()
    assert main(args + ["--task", "iiwa-box-none-push", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "success" in out and "95% CI" in out and "mean" in out


def test_cli_validate_errors(toy_suite, toy_data, tmp_path, capsys):
    path = tmp_path / "toy.h5"
    write_synthetic(path, toy_data)
    assert main(["validate", "--data", str(path), "--suite", "toy", "--task", "iiwa-box-none-push", "--seeds", "a,b"]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(["validate", "--data", str(path), "--suite", "toy"]) == 2
    assert "pass --task" in capsys.readouterr().err
    assert main(["validate", "--data", str(tmp_path / "missing.h5"), "--suite", "toy", "--task", "iiwa-box-none-push"]) == 2
    assert main(["validate", "--data", str(path), "--suite", "toy", "--task", "iiwa-box-none-push", "--algo", "sac"]) == 2
    assert "algo" in capsys.readouterr().err
