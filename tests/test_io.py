"""compogen.io: a run directory's identity check, and the staging folders of atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from compogen.errors import CompogenError
from compogen.io import RunIdentity, atomic_files


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=False, text=True).stdout)


IDENTITY = {"task": "t", "seeds": [0, 1], "config": {"lr": 0.001, "steps": 100, "algo": "sac"}}


def test_identity_is_written_once_and_the_same_identity_is_accepted(tmp_path):
    run = RunIdentity(tmp_path / "run", IDENTITY)
    assert run.check() is None  # nothing saved yet
    run.write()
    assert json.loads((tmp_path / "run" / "config.json").read_text()) == IDENTITY
    assert RunIdentity(tmp_path / "run", json.loads(json.dumps(IDENTITY))).check() == IDENTITY


def test_ignored_fields_may_differ_at_any_depth(tmp_path):
    RunIdentity(tmp_path, IDENTITY).write()
    longer = {**IDENTITY, "seeds": [0, 1, 2], "config": {**IDENTITY["config"], "steps": 500}}
    assert RunIdentity(tmp_path, longer, ignore=("seeds", "config.steps")).check() == IDENTITY
    with pytest.raises(CompogenError, match=r"other settings \(config\.steps\)"):
        RunIdentity(tmp_path, longer, ignore=("seeds",)).check()


def test_a_different_field_is_refused_naming_it_and_nothing_is_written(tmp_path):
    RunIdentity(tmp_path, IDENTITY).write()
    before = (tmp_path / "config.json").read_bytes()
    other = {**IDENTITY, "task": "u", "config": {**IDENTITY["config"], "lr": 0.01, "steps": 7}, "new": 1}
    with pytest.raises(CompogenError) as e:
        RunIdentity(tmp_path, other, ignore=("config.steps",), what="runs").check()
    msg = str(e.value)
    assert msg == f"{tmp_path} holds runs with other settings (config.lr, new, task); use a new --out directory"
    assert "\n" not in msg and (tmp_path / "config.json").read_bytes() == before
    less = {k: v for k, v in IDENTITY.items() if k != "seeds"}  # a missing field differs too
    with pytest.raises(CompogenError, match=r"other settings \(seeds\)"):
        RunIdentity(tmp_path, less).check()


def test_many_differences_stay_one_line(tmp_path):
    RunIdentity(tmp_path, {f"k{i:02d}": i for i in range(12)}).write()
    with pytest.raises(CompogenError, match=r"\(k00, .*k07, and 4 more\)"):
        RunIdentity(tmp_path, {f"k{i:02d}": -i - 1 for i in range(12)}).check()


@pytest.mark.parametrize(("text", "needle"), [("{not json", "corrupt JSON"), ("[1, 2]", "expected a JSON object")])
def test_a_malformed_identity_file_is_one_clear_error(tmp_path, text, needle):
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(CompogenError, match=needle):
        RunIdentity(tmp_path, IDENTITY).check()


def test_a_file_instead_of_a_run_directory_is_refused(tmp_path):
    (tmp_path / "run").write_text("x")
    with pytest.raises(CompogenError, match="is a file, expected a run directory"):
        RunIdentity(tmp_path / "run", IDENTITY).check()


def test_atomic_files_commit_last_remove_and_leave_the_folder_alone_on_error(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "gone").write_text("old")
    with atomic_files(tmp_path, "w", last=("manifest",), remove=("gone",)) as tmp:
        (tmp / "manifest").write_text("m")
        (tmp / "data").write_text("d")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "keep.txt", "manifest"]
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o666 & ~_umask()
    with pytest.raises(RuntimeError), atomic_files(tmp_path, "w", remove=("keep.txt",)) as tmp:
        (tmp / "data").write_text("half")
        raise RuntimeError
    assert (tmp_path / "data").read_text() == "d" and (tmp_path / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "keep.txt", "manifest"]  # no staging folder left


def test_atomic_files_clear_staging_folders_of_killed_writers_only(tmp_path):
    stale = tmp_path / f".w.{_dead_pid()}.abc12345.tmp"
    (stale / "data").parent.mkdir()
    (stale / "data").write_text("half written")
    mine = tmp_path / f".w.{os.getpid()}.zzz.tmp"  # a live writer's folder is kept
    mine.mkdir()
    with atomic_files(tmp_path, "w") as tmp:
        (tmp / "data").write_text("d")
    assert not stale.exists() and mine.exists()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
