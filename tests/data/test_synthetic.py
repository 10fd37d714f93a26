import numpy as np
import pytest

from compogen.data import SyntheticWriter, Transitions, read_synthetic, read_synthetic_attrs, write_synthetic
from compogen.errors import DataError
from compogen.tasks import Task


def _data(rng, n=50):
    return Transitions(
        observations=rng.normal(size=(n, 5)).astype(np.float32),
        actions=rng.normal(size=(n, 2)).astype(np.float32),
        rewards=rng.normal(size=n).astype(np.float32),
        next_observations=rng.normal(size=(n, 5)).astype(np.float32),
        terminals=rng.uniform(size=n) < 0.1,
    )


def test_streamed_round_trip_and_attrs(tmp_path, rng):
    d = _data(rng)
    p = tmp_path / "s.h5"
    with SyntheticWriter(p, 5, 2, attrs={"task": "iiwa-box-none-push", "sampler": {"name": "heun", "steps": 18}}) as w:
        w.append(**d.subset(slice(0, 20)).as_dict())
        w.append(**d.subset(slice(20, 50)).as_dict())
    back = read_synthetic(p, task=Task("IIWA", "Box", "None", "Push"))
    for k, v in d.as_dict().items():
        assert np.array_equal(getattr(back, k), v), k
    attrs = read_synthetic_attrs(p)
    assert attrs["sampler"]["steps"] == 18 and attrs["transitions"] == 50


def test_npz_synther_contract(tmp_path, rng):
    d = _data(rng)
    np.savez(tmp_path / "samples_0.npz", **d.as_dict())
    back = read_synthetic(tmp_path / "samples_0.npz")
    assert np.array_equal(back.next_observations, d.next_observations)


def test_bad_synthetic_inputs(tmp_path, rng):
    d = _data(rng)
    bad = d.as_dict()
    bad["rewards"] = bad["rewards"].copy()
    bad["rewards"][3] = np.nan
    with pytest.raises(DataError, match="rewards contains NaN"), SyntheticWriter(tmp_path / "x.h5", 5, 2) as w:
        w.append(**bad)
    assert not (tmp_path / "x.h5").exists()
    np.savez(tmp_path / "nokey.npz", observations=d.observations)
    with pytest.raises(DataError, match="missing keys"):
        read_synthetic(tmp_path / "nokey.npz")
    write_synthetic(tmp_path / "ok.h5", d)
    raw = (tmp_path / "ok.h5").read_bytes()
    (tmp_path / "trunc.h5").write_bytes(raw[: len(raw) // 3])
    with pytest.raises(DataError, match="trunc.h5"):
        read_synthetic(tmp_path / "trunc.h5")
    with pytest.raises(DataError, match="expected 7"):
        read_synthetic(tmp_path / "ok.h5", obs_dim=7)


def test_concatenate_merges_tasks(rng):
    a, b = _data(rng, 10), _data(rng, 6)
    ta, tb = Task("IIWA", "Box", "None", "Push"), Task("Jaco", "Box", "None", "Push")
    a.tasks, b.tasks = [ta], [tb]
    c = Transitions.concatenate([a, b, a])
    assert c.tasks == [ta, tb] and c.counts() == {ta: 20, tb: 6}
    assert np.array_equal(c.select(tb).observations, b.observations)


def test_check_finite_names_key_and_row(rng):
    d = _data(rng)
    d.next_observations[7, 2] = np.inf
    with pytest.raises(DataError, match="next_observations contains NaN or Inf \\(first at row 7, 1 rows\\)"):
        d.check_finite()


def test_a_failing_final_flush_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch, rng):
    """Disk full shows up when the file is flushed on close: the error propagates, the old file survives."""
    import errno

    import h5py

    path = tmp_path / "s.h5"
    path.write_bytes(b"old data")
    real_close = h5py.File.close
    calls = []

    def full_disk(self):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_close(self)

    monkeypatch.setattr(h5py.File, "close", full_disk)
    with pytest.raises(OSError, match="No space left"), SyntheticWriter(path, obs_dim=3, action_dim=2) as w:
        w.append(rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), np.zeros(4), rng.normal(size=(4, 3)), np.zeros(4))
    monkeypatch.setattr(h5py.File, "close", real_close)
    assert path.read_bytes() == b"old data"
    assert [p.name for p in tmp_path.iterdir()] == ["s.h5"]


def test_cli_reports_os_errors_in_one_line(capsys, monkeypatch):
    import errno

    import compogen.cli.tasks as tasks_cmd
    from compogen.cli import main

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/x.h5")

    monkeypatch.setattr(tasks_cmd, "_describe", full)
    assert main(["tasks", "list", "--split", "iiwa:train14", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "compogen: error: No space left on device: /data/x.h5"


def test_non_numeric_columns_are_refused_with_one_clear_error(tmp_path):
    import h5py

    path = tmp_path / "strings.h5"
    with h5py.File(path, "w") as f:
        f["observations"] = np.array([["a"] * 3] * 4, dtype="S3")
        f["next_observations"] = np.zeros((4, 3))
        f["actions"] = np.zeros((4, 2))
        f["rewards"] = np.zeros(4)
        f["terminals"] = np.zeros(4)
    with pytest.raises(DataError, match="observations must be numeric"):
        read_synthetic(path)
