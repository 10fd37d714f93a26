"""Adapters into d3rlpy, D4RL-style arrays and stable-baselines3: exact round trips from every source."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from random_data import random_transitions

from compogen.data import Transitions, write_synthetic
from compogen.errors import DataError
from compogen.rl import fill_sb3_buffer, load_transitions, to_d3rlpy, to_d4rl, to_sb3_buffer

OBS, ACT = 48, 7


def _data(n=300, seed=0) -> Transitions:
    return random_transitions(n, OBS, ACT, seed=seed, terminal_rate=0.2)


@pytest.fixture
def minari_root(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    return tmp_path / "minari"


def _ordinary_minari(dataset_id: str, lengths=(5, 7, 4), seed=0):
    """A Minari dataset of ordinary trajectories (next state = observations[t + 1]) and the true transitions."""
    import minari
    from minari.data_collector import EpisodeBuffer

    rng = np.random.default_rng(seed)
    bufs, rows = [], []
    for i, n in enumerate(lengths):
        obs = rng.normal(size=(n + 1, OBS)).astype(np.float32)
        act = rng.uniform(-1, 1, (n, ACT)).astype(np.float32)
        rew = rng.normal(size=n).astype(np.float32)
        term = np.zeros(n, bool)
        trunc = np.zeros(n, bool)
        (term if i % 2 == 0 else trunc)[-1] = True
        bufs.append(EpisodeBuffer(observations=obs, actions=act, rewards=rew, terminations=term, truncations=trunc))
        rows.append(Transitions(obs[:-1], act, rew, obs[1:], term, trunc))
    # the env spec of a built-in task (48-dim observations, 7-dim actions): d3rlpy's loader needs one
    env = "compogen/fivelink-plate-none-push-v0"
    info = dict(author="t", author_email="t", code_permalink="t", algorithm_name="t", description="t", ref_min_score=0.0, ref_max_score=1.0)
    minari.create_dataset_from_buffers(dataset_id, bufs, env=env, eval_env=env, **info)
    return Transitions.concatenate(rows)


def _same(a: Transitions, b: dict):
    for key in ("observations", "actions", "rewards", "next_observations", "terminals"):
        np.testing.assert_array_equal(b[key], getattr(a, key), err_msg=key)


def test_d4rl_from_transitions_file_and_npz(tmp_path):
    data = _data()
    _same(data, to_d4rl(data))
    write_synthetic(tmp_path / "s.h5", data)
    got = to_d4rl(tmp_path / "s.h5")
    _same(data, got)
    assert got["observations"].dtype == np.float32 and got["terminals"].dtype == bool
    np.savez(tmp_path / "s.npz", **data.as_dict())
    _same(data, to_d4rl(str(tmp_path / "s.npz")))


def test_ordinary_minari_episodes_read_exactly_within_episodes(minari_root):
    truth = _ordinary_minari("test/ordinary-v0")
    got = to_d4rl("test/ordinary-v0")
    _same(truth, got)
    np.testing.assert_array_equal(got["timeouts"], truth.timeouts)
    # the next state of an episode's last step is the final observation, never the next episode's first
    assert not np.array_equal(got["next_observations"][4], got["observations"][5])


@pytest.mark.filterwarnings("ignore")
def test_d3rlpy_get_minari_shifts_observations_but_ours_does_not(minari_root):
    """Regression: d3rlpy.datasets.get_minari concatenates the (T + 1)-long observation arrays of all
    episodes against T actions, so every episode after the first is misaligned by the episodes before it."""
    import d3rlpy

    truth = _ordinary_minari("test/shift-v0")
    theirs, _ = d3rlpy.datasets.get_minari("test/shift-v0")
    second = theirs.episodes[1]
    assert not np.array_equal(second.observations[0], truth.observations[5])  # shifted ...
    np.testing.assert_array_equal(second.observations[0], truth.next_observations[4])  # ... by one row
    ours = to_d3rlpy("test/shift-v0")
    picker = ours.transition_picker
    for i in range(len(truth)):
        t = picker(ours.episodes[0], i)
        np.testing.assert_array_equal(t.observation, truth.observations[i])
        np.testing.assert_array_equal(t.next_observation, truth.next_observations[i])
        assert t.terminal == float(truth.terminals[i]) and t.reward[0] == truth.rewards[i]


def test_d3rlpy_buffer_returns_every_stored_row():
    data = _data(64)
    buf = to_d3rlpy(data)
    assert buf.transition_count == 64
    for i in range(64):
        t = buf.transition_picker(buf.episodes[0], i)
        np.testing.assert_array_equal(t.observation, data.observations[i])
        np.testing.assert_array_equal(t.action, data.actions[i])
        np.testing.assert_array_equal(t.next_observation, data.next_observations[i])
        assert t.terminal == float(data.terminals[i])


def test_d3rlpy_dump_is_refused_and_pickle_round_trips_exactly(tmp_path):
    """d3rlpy's dump/load keeps only episodes: the reloaded buffer's next states are observations[t + 1],
    not the stored ones. to_d3rlpy's buffer refuses dump (nothing written); pickle keeps them."""
    import pickle

    from d3rlpy.dataset import InfiniteBuffer, ReplayBuffer

    data = _data(32)
    buf = to_d3rlpy(data)
    path = tmp_path / "buffer.h5"
    with open(path, "w+b") as f, pytest.raises(DataError, match="dump/load drops"):
        buf.dump(f)
    assert path.stat().st_size == 0
    # why: the same episodes through d3rlpy's plain dump/load lose the stored next states
    with open(path, "w+b") as f:
        ReplayBuffer.dump(buf, f)
    with open(path, "rb") as f:
        reloaded = ReplayBuffer.load(f, InfiniteBuffer())
    ep = reloaded.episodes[0]
    lost = reloaded.transition_picker(ep, 0).next_observation
    np.testing.assert_array_equal(lost, data.observations[1])
    assert not np.array_equal(lost, data.next_observations[0])
    # pickle keeps the picker: every row exact
    back = pickle.loads(pickle.dumps(buf))
    assert back.transition_count == 32
    for i in range(32):
        t = back.transition_picker(back.episodes[0], i)
        np.testing.assert_array_equal(t.next_observation, data.next_observations[i])
        assert t.terminal == float(data.terminals[i])


def test_sb3_buffer_round_trip_and_sac_trains_from_it():
    from stable_baselines3 import SAC

    data = _data(200)
    buf = to_sb3_buffer(data, buffer_size=500)
    assert buf.pos == 200 and not buf.full and not buf.optimize_memory_usage
    np.testing.assert_array_equal(buf.observations[:200, 0], data.observations)
    np.testing.assert_array_equal(buf.next_observations[:200, 0], data.next_observations)
    np.testing.assert_array_equal(buf.actions[:200, 0], data.actions)
    np.testing.assert_array_equal(buf.rewards[:200, 0], data.rewards)
    np.testing.assert_array_equal(buf.dones[:200, 0], data.terminals.astype(np.float32))
    sample = buf.sample(50)
    assert sample.observations.shape == (50, OBS) and set(np.unique(sample.dones.numpy())) <= {0.0, 1.0}

    env = gym.make("compogen/fivelink-plate-none-push-v0")
    model = SAC("MlpPolicy", env, buffer_size=500, learning_starts=0, batch_size=32, device="cpu", policy_kwargs={"net_arch": [16]})
    from stable_baselines3.common.logger import Logger

    model.set_logger(Logger(folder=None, output_formats=[]))
    fill_sb3_buffer(model.replay_buffer, data)
    before = [p.detach().clone() for p in model.critic.parameters()]
    model.train(gradient_steps=2, batch_size=32)
    assert any(not np.array_equal(a.numpy(), b.detach().numpy()) for a, b in zip(before, model.critic.parameters(), strict=True))
    assert model.replay_buffer.pos == 200


def test_sb3_actions_scaled_into_sac_space_and_buffer_limits():
    from stable_baselines3.common.buffers import ReplayBuffer

    data = _data(40)
    data.actions = (data.actions * 2 + 3).astype(np.float32)  # env actions in [1, 5]
    space = gym.spaces.Box(1.0, 5.0, (ACT,), np.float32)
    buf = to_sb3_buffer(data, action_space=space)
    np.testing.assert_allclose(buf.actions[:, 0], (data.actions - 1) / 2 - 1, atol=1e-6)
    assert buf.full and buf.pos == 0  # exactly filled
    obs_space = gym.spaces.Box(-np.inf, np.inf, (OBS,), np.float32)
    two = ReplayBuffer(60, obs_space, space, n_envs=2)  # SB3 keeps buffer_size // n_envs = 30 slots
    fill_sb3_buffer(two, data, space)
    np.testing.assert_array_equal(two.observations[:20].reshape(40, OBS), data.observations)
    with pytest.raises(DataError, match="room for 10 more slots"):
        fill_sb3_buffer(two, data, space)
    with pytest.raises(DataError, match="optimize_memory_usage"):
        fill_sb3_buffer(ReplayBuffer(100, obs_space, space, optimize_memory_usage=True, handle_timeout_termination=False), data)
    with pytest.raises(DataError, match="whole slots"):
        fill_sb3_buffer(ReplayBuffer(100, obs_space, space, n_envs=3), data)


def test_load_transitions_refuses_unknown_sources(minari_root):
    with pytest.raises(DataError, match="cannot read transitions from a dict"):
        load_transitions({"observations": 1})
    with pytest.raises(DataError, match="cannot load Minari dataset"):
        load_transitions("nobody/nothing-v0")
    with pytest.raises(DataError, match="no such synthetic data file"):
        load_transitions("missing.h5")
