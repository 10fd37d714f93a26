import numpy as np
import pytest

from compogen.data import Normalizer, TransitionLayout
from compogen.errors import DataError
from compogen.suites import get_suite
from compogen.tasks import COMPOSUITE_SPACE, Task


@pytest.fixture
def lay():
    return get_suite("composuite").transition_layout()


def _batch(lay, rng, task, n=32):
    obs = rng.normal(size=(n, 93)).astype(np.float32)
    nxt = rng.normal(size=(n, 93)).astype(np.float32)
    block = lay.observation_layout.obs_task_block(COMPOSUITE_SPACE.indicator(task), COMPOSUITE_SPACE)
    obs[:, 45:61] = block
    nxt[:, 45:61] = block
    return dict(
        observations=obs,
        actions=rng.uniform(-1, 1, size=(n, 8)).astype(np.float32),
        rewards=rng.uniform(size=n).astype(np.float32),
        next_observations=nxt,
        terminals=rng.uniform(size=n) < 0.2,
    )


def test_composuite_dims_and_tokens(lay):
    assert (lay.state_dim, lay.action_dim, lay.dim) == (77, 8, 164)
    names = [t.name for t in lay.tokens]
    assert names == ["s.object", "s.obstacle", "s.goal", "s.proprio", "a", "r", "s'.object", "s'.obstacle", "s'.goal", "s'.proprio", "d"]
    sizes = {t.name: t.size for t in lay.tokens}
    assert sizes["s.object"] == 14 and sizes["s.goal"] == 17 and sizes["s'.proprio"] == 32 and sizes["d"] == 1
    # tokens tile the flat vector exactly
    pos = 0
    for t in lay.tokens:
        assert t.start == pos
        pos = t.stop
    assert pos == lay.dim
    axes = {t.name: t.axis for t in lay.tokens}
    assert axes["s.goal"] == "objective" and axes["s'.proprio"] == "robot" and axes["a"] is None
    assert {t.factor for t in lay.tokens if t.kind in ("state", "next_state")} == {"object", "obstacle", "goal", "proprio"}


def test_pack_unpack_round_trip(lay, rng):
    task = Task("Jaco", "Dumbbell", "GoalWall", "Trashcan")
    b = _batch(lay, rng, task)
    flat = lay.pack(**b)
    assert flat.shape == (32, 164) and flat.dtype == np.float32
    # proprio of s sits right after the goal (task ids removed)
    assert np.array_equal(flat[:, 45:77], b["observations"][:, 61:93])
    out = lay.unpack(flat, task)
    for k in ("observations", "actions", "next_observations"):
        assert np.array_equal(out[k], b[k])
    assert np.allclose(out["rewards"], b["rewards"])
    assert np.array_equal(out["terminals"], b["terminals"])
    # per-row indicators work too
    out2 = lay.unpack(flat, np.tile(COMPOSUITE_SPACE.indicator(task), (32, 1)))
    assert np.array_equal(out2["observations"], b["observations"])


def test_pack_rejects_wrong_shapes(lay, rng):
    b = _batch(lay, rng, Task("IIWA", "Box", "None", "Push"))
    b["actions"] = b["actions"][:, :7]
    with pytest.raises(DataError, match="actions"):
        lay.pack(**b)
    with pytest.raises(DataError, match="164"):
        lay.unpack(np.zeros((3, 100)), Task("IIWA", "Box", "None", "Push"))


def test_layout_dict_round_trip(lay):
    assert TransitionLayout.from_dict(lay.to_dict()) == lay


def test_normalizer_streaming_matches_numpy_and_skips_done(lay, rng, tmp_path):
    x = (rng.normal(size=(5000, lay.dim)) * 3 + 100).astype(np.float32)
    x[:, lay.d] = rng.uniform(size=(5000, 1)) < 0.3
    x[:, 3] = 7.0  # constant dim
    norm = Normalizer.fit((x[i : i + 777] for i in range(0, 5000, 777)), skip=lay.d)
    assert np.allclose(norm.mean[:3], x[:, :3].mean(0), rtol=1e-5)
    assert np.allclose(norm.std[:3], x[:, :3].std(0), rtol=1e-4)
    assert norm.mean[lay.d.start] == 0 and norm.std[lay.d.start] == 1 and norm.std[3] == 1
    z = norm.normalize(x)
    assert np.array_equal(z[:, lay.d], x[:, lay.d])
    assert np.allclose(norm.denormalize(z), x, atol=1e-3)
    norm.save(tmp_path / "n.json")
    again = Normalizer.load(tmp_path / "n.json")
    assert np.array_equal(again.mean, norm.mean) and np.array_equal(again.std, norm.std)


def test_normalizer_rejects_nan_and_bad_files(tmp_path):
    with pytest.raises(DataError, match="NaN"):
        Normalizer.fit(np.array([[1.0, np.nan]]))
    (tmp_path / "bad.json").write_text('{"mean": [0], "std": [0]}')
    with pytest.raises(DataError):
        Normalizer.load(tmp_path / "bad.json")
