"""Bad input as a new user types it: one line on stderr, exit 2 (130 after Ctrl-C), no traceback,
and nothing already on disk changed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compogen.cli import main
from compogen.io import atomic_path, atomic_write_text
from compogen.loop.executor import LocalExecutor

TASK = "fivelink-box-none-push"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["generate", "--model", "x"], "Missing option"),
        (["generate", "--model", "x", "--task", TASK, "--n", "abc", "--out", "a.h5"], "'--n'"),
        (["nosuchcommand"], "No such command"),
        (["tasks", "list", "--bogus"], "No such option: --bogus"),
        (["collect", "--tasks", "iiwa:train14", "--out", "d", "--episodes", "0"], "'--episodes'"),
        (["collect", "--tasks", "iiwa:train14", "--out", "d", "--noise", "-1"], "'--noise'"),
        (["collect", "--tasks", "iiwa:train14", "--out", "d", "--workers", "0"], "'--workers'"),
        (["generate", "--model", "x", "--task", TASK, "--n", "5", "--out", "a.h5", "--seed", "-5"], "'--seed'"),
        (["train", "--data", "d", "--tasks", "iiwa:train14", "--out", "r", "--steps", "0"], "'--steps'"),
        (["train", "--data", "d", "--tasks", "iiwa:train14", "--out", "r", "--steps", "-1"], "'--steps'"),
        (["generate", "--model", "x", "--task", TASK, "--n", "5", "--out", "a.h5", "--device", "cuda:7"], "--device cuda:7"),
        (["bootstrap", "--preset", "quick", "--out", "runs/b", "--data", "dq", "--device", "cuda:7"], "device cuda:7"),
        (["bootstrap", "--preset", "quick", "--out", "runs/b", "--data", "dq", "--device", "tpu"], "device 'tpu'"),
        (["bootstrap", "--preset", "quick", "--out", "runs/b", "--data", "dq", "--generators", "0"], "generators must be an integer >= 1"),
        (["bootstrap", "--preset", "quick", "--out", "runs/b", "--data", "dq", "--generator-init", "last"], "unknown generator_init 'last'"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and needle in one_line(err)
    assert not any(tmp_path.iterdir())  # nothing written


def tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a directory)."""
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


HUGE = "99999999999999999999999"
SEED = "is not a seed: expected an integer 0 <= seed < 2**32"
BOOT = ["bootstrap", "--preset", "quick", "--train", TASK, "--targets", "fivelink-plate-none-push"]
DATA_FILE = "d/expert/FiveLink_Box_None_Push/data.hdf5"


@pytest.mark.parametrize(
    "argv,needle",
    [  # issue 22's table, one row each, with otherwise valid arguments: refused while parsing
        (["collect", "--tasks", TASK, "--out", "o", "--episodes", "1", "--seed", "-1"], f"'--seed': '-1' {SEED}"),
        (BOOT + ["--episodes", "1", "--out", "runs/b", "--data", "dq", "--seed", "-1"], f"'--seed': '-1' {SEED}"),
        (["train", "--data", "d", "--tasks", TASK, "--out", "r", "--preset", "tiny", "--steps", "1", "--seed", HUGE], f"'--seed': '{HUGE}' {SEED}"),
        (
            ["online", "--task", TASK, "--algo", "sac", "--preset", "tiny", "--steps", "1", "--out", "on", "--seeds", HUGE],
            f"'--seeds': '{HUGE}' {SEED}",
        ),
        (["generate", "--model", "m", "--task", TASK, "--n", "5", "--out", "a.h5", "--seed", HUGE], f"'--seed': '{HUGE}' {SEED}"),
        (["validate", "--data", DATA_FILE, "--preset", "tiny", "--steps", "4", "--seeds", "-1"], f"'--seeds': '-1' {SEED}"),
        (BOOT + ["--episodes", "0", "--out", "runs/b0", "--data", "dq0"], "'--episodes'"),
        (BOOT + ["--episodes", "1", "--noise", "-1", "--out", "runs/b", "--data", "dq"], "'--noise'"),
    ],
    ids=["collect-seed", "bootstrap-seed", "train-seed", "online-seeds", "generate-seed", "validate-seeds", "bootstrap-episodes", "bootstrap-noise"],
)
def test_options_are_refused_while_parsing_and_nothing_changes(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    _builtin_dataset(tmp_path / "d")
    before = tree(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and needle in one_line(err)
    assert tree(tmp_path) == before


@pytest.mark.parametrize("option,value", [("--episodes", "0"), ("--noise", "-1"), ("--seed", "-1"), ("--seed", str(2**32))])
def test_collect_and_bootstrap_refuse_an_option_with_the_same_line(capsys, tmp_path, monkeypatch, option, value):
    monkeypatch.chdir(tmp_path)
    lines = []
    for argv in (["collect", "--tasks", TASK, "--out", "o"], BOOT):
        code, _, err = run(capsys, *argv, option, value)
        assert code == 2
        lines.append(one_line(err).split(" (see ")[0])
    assert lines[0] == lines[1] and not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    "name,needle", [("plate.npz", "expected a .h5 or .hdf5 file"), ("sub", "is a directory"), ("old.h5", "exists; use --overwrite")]
)
def test_generate_out_is_checked_before_sampling_and_old_files_survive(capsys, tmp_path, name, needle):
    (tmp_path / "sub").mkdir()
    (tmp_path / "old.h5").write_bytes(b"precious")
    code, _, err = run(capsys, "generate", "--model", str(tmp_path / "no-model"), "--task", TASK, "--n", "5", "--out", str(tmp_path / name))
    assert code == 2 and needle in one_line(err)
    assert (tmp_path / "old.h5").read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.h5", "sub"]


def test_train_out_must_be_a_directory(capsys, tmp_path):
    (tmp_path / "f").write_text("x")
    code, _, err = run(capsys, "train", "--data", str(tmp_path), "--tasks", "iiwa:train14", "--out", str(tmp_path / "f"))
    assert code == 2 and "is a file, expected a directory" in one_line(err)
    assert (tmp_path / "f").read_text() == "x"


def test_ctrl_c_exits_130_with_a_message(capsys, monkeypatch):
    import compogen.cli.tasks as tasks_cmd

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(tasks_cmd, "_describe", interrupted)
    code, _, err = run(capsys, "tasks", "list", "--split", "iiwa:train14", "--json")
    assert code == 130 and one_line(err) == "compogen: interrupted"


def test_in_process_executor_does_not_retry_ctrl_c():
    calls = []

    def job(x):
        calls.append(x)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        LocalExecutor(workers=0, retries=3).map(job, [1, 2])
    assert calls == [1]  # stopped at once: not retried, later jobs not started


def test_atomic_writes_respect_the_umask_and_clear_temporaries_of_killed_writers(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=False, text=True)
    stale = tmp_path / f".state.json.{int(dead.stdout)}.abc123.tmp"
    stale.write_text("half written")
    mine = tmp_path / f".state.json.{os.getpid()}.zzz.tmp"  # a live writer's file is kept
    mine.write_text("in progress")
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "state.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "state.json").stat().st_mode & 0o777 == 0o640
    assert not stale.exists() and mine.exists()
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "state.json") as tmp:
        tmp.write_text("broken")
        raise RuntimeError
    assert (tmp_path / "state.json").read_text() == "{}"


def _workers(pid: int) -> set[int]:
    """The worker processes (``multiprocessing`` spawn children) of process ``pid``, read from /proc."""
    children = set()
    for f in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the thread or process ended meanwhile
            children |= {int(c) for c in f.read_text().split()}
    found = set()
    for c in children:
        try:
            if b"multiprocessing.spawn" in Path(f"/proc/{c}/cmdline").read_bytes():
                found.add(c)
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_collect_stops_its_workers_and_leaves_no_partial_files(tmp_path, sig, code):
    out = tmp_path / "data"
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "compogen.cli", "collect", "--tasks", "iiwa:train14", "--episodes", "200", "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait for the workers to write: starting (imports, spawning) is what a busy machine slows down most,
    # so no fixed budget here; the command itself must still be running (2800 episodes take minutes)
    workers: set[int] = set()
    while not list(out.rglob("*.tmp")) and proc.poll() is None and time.monotonic() - started < 540:
        workers |= _workers(proc.pid)
        time.sleep(0.2)
    workers |= _workers(proc.pid)
    assert proc.poll() is None, "collect ended before it was interrupted"
    startup = time.monotonic() - started
    proc.send_signal(sig)
    # stopping (kill the workers, remove partial files, exit) is far less work than starting was, so
    # its deadline scales with how busy the machine is: the start-up time, and at least 30 s
    try:
        _, err = proc.communicate(timeout=max(30.0, startup))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"collect did not stop within {max(30.0, startup):.0f} s of the signal (it took {startup:.0f} s to start)") from None
    stopped = time.monotonic() - started - startup
    assert proc.returncode == code, (proc.returncode, stopped)
    # the command's own last word; a worker stopped mid-write can rarely add a line of its own
    # (BrokenPipeError or EBADF, seen in about 1 of 30 trials), hence "in" rather than "last"
    assert ("compogen: interrupted" if sig == signal.SIGINT else "compogen: terminated") in err.strip().splitlines()
    if Path("/proc").is_dir():
        assert workers and not [w for w in workers if _alive(w)]  # every worker it started is gone
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    snapshot = sorted(str(p) for p in out.rglob("*.hdf5"))
    time.sleep(2)  # no worker left behind to write later
    assert sorted(str(p) for p in out.rglob("*.hdf5")) == snapshot


def _builtin_dataset(root: Path, task_id: str = TASK, obs_dim: int | None = None) -> Path:
    import numpy as np

    from compogen.data import OfflineDatasetWriter, dataset_path
    from compogen.suites import get_suite

    suite = get_suite("builtin")
    task = suite.parse(task_id)
    lay = suite.observation_layout
    dim = obs_dim or lay.dim
    path = dataset_path(root, task, suite.space)
    with OfflineDatasetWriter(path, dim, suite.action_dim) as w:
        obs = np.zeros((6, dim), np.float32)
        if dim == lay.dim:
            obs[:, lay.task_id_start : lay.task_id_stop] = lay.obs_task_block(suite.space.indicator(task), suite.space)
        w.add_episode(obs, np.zeros((5, suite.action_dim)), np.zeros(5), np.zeros(5, bool), terminated=False)
    return path


def test_data_inspect_detects_the_suite_from_folder_names(capsys, tmp_path):
    import json

    _builtin_dataset(tmp_path)
    code, out, _ = run(capsys, "data", "inspect", str(tmp_path), "--json")
    assert code == 0 and json.loads(out)[0]["task"] == TASK


@pytest.mark.parametrize("fault,needle", [("nan", "observations contains NaN or Inf (first at row 2, 1 rows)"), ("dims", "the suite expects 48")])
def test_data_inspect_refuses_broken_files_like_training_does(capsys, tmp_path, fault, needle):
    import h5py

    path = _builtin_dataset(tmp_path, obs_dim=40 if fault == "dims" else None)
    if fault == "nan":
        with h5py.File(path, "r+") as f:
            f["observations"][2, 0] = float("nan")
    before = path.read_bytes()
    for target in (tmp_path, path):
        code, _, err = run(capsys, "data", "inspect", str(target), "--suite", "builtin")
        assert code == 2 and needle in one_line(err)
    assert path.read_bytes() == before


def test_validate_accepts_a_real_dataset_and_reads_its_task_from_the_folder(capsys, tmp_path):
    import json

    path = _builtin_dataset(tmp_path)
    code, out, err = run(capsys, "validate", "--data", str(path), "--preset", "tiny", "--steps", "4", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["task"] == TASK and res["n_transitions"] == 5


@pytest.mark.parametrize("bad_type", ["../..", "/abs", "a/b", ".."])
def test_collect_type_cannot_leave_out(capsys, tmp_path, bad_type):
    out = tmp_path / "inside" / "data"
    code, _, err = run(capsys, "collect", "--tasks", TASK, "--out", str(out), "--episodes", "1", "--type", bad_type)
    assert code == 2 and "must be one folder name" in one_line(err)
    assert not any(tmp_path.rglob("*.hdf5"))


@pytest.mark.slow
def test_workers_stop_when_collect_is_killed_with_sigkill(tmp_path):
    """A parent killed outright cannot clean up; its workers notice and stop, leaving no files."""
    out = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "compogen.cli", "collect", "--tasks", "iiwa:train14", "--episodes", "200", "--out", str(out), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while not list(out.rglob("*.tmp")) and time.time() < deadline:
        time.sleep(0.2)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, check=False, text=True).stdout.split()
    assert children, "collect started no worker processes"
    proc.kill()
    proc.wait()
    time.sleep(4)  # workers poll their parent every 0.5 s
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert not alive, f"workers outlived their SIGKILLed parent: {alive}"
    assert not list(out.rglob("*.tmp")) and not list(out.rglob("*.hdf5"))
