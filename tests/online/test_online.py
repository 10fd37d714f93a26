"""RLPD / SAC: symmetric sampling, the ensemble target, pre-filled buffers, resume after a kill, the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from random_data import random_transitions

from compogen.cli import main
from compogen.data import Normalizer, Transitions, write_synthetic
from compogen.errors import CompogenError
from compogen.online import Agent, OnlineConfig, ReplayBuffer, SymmetricSampler, online_preset, read_curve, run_online
from compogen.online.trainer import make_buffers

TASK = "fivelink-plate-none-shelf"


def _data(n, marker=0.0, seed=0) -> Transitions:
    """Random transitions whose first observation entry is ``marker`` (to tell sources apart)."""
    data = random_transitions(n, seed=seed)
    data.observations[:, 0] = marker
    return data


@pytest.mark.parametrize("ratio, offline_rows", [(0.5, 32), (0.25, 16), (0.0, 0), (1.0, 64)])
def test_symmetric_sampling_draws_the_stated_share_from_each_source(ratio, offline_rows):
    offline = ReplayBuffer.from_transitions(_data(500, marker=1.0))
    online = ReplayBuffer(1000, 48, 7)
    d = _data(300, marker=-1.0)
    online.add(d.observations, d.actions, d.rewards, d.next_observations, d.terminals)
    sampler = SymmetricSampler(offline, online, 64, ratio, np.random.default_rng(0))
    for _ in range(20):
        marks = sampler.sample()["observations"][:, 0].numpy()
        assert (marks == 1.0).sum() == offline_rows and (marks == -1.0).sum() == 64 - offline_rows
    # uniform within each source: every row can be drawn
    drawn = np.concatenate([sampler.sample()["observations"][:, 1].numpy() for _ in range(400)])
    if ratio > 0:
        assert len(np.intersect1d(drawn, offline.arrays["observations"][:, 1])) > 0.9 * 500
    if ratio < 1:
        assert len(np.intersect1d(drawn, online.arrays["observations"][:300, 1])) > 0.9 * 300


def test_sampling_before_any_online_data_uses_the_offline_data_only():
    offline = ReplayBuffer.from_transitions(_data(50, marker=1.0))
    sampler = SymmetricSampler(offline, ReplayBuffer(10, 48, 7), 16, 0.5, np.random.default_rng(0))
    assert sampler.split() == (16, 0) and (sampler.sample()["observations"][:, 0] == 1.0).all()


def test_ensemble_target_is_the_minimum_over_a_random_pair_of_target_critics():
    config = OnlineConfig(hidden=(16, 16), critics=10, critic_subsample=2, backup_entropy=False, gamma=0.9, absorbing_success=False)
    agent = Agent(config, 48, 7)
    with torch.no_grad():  # target critic e outputs the constant e
        agent.target.out.weight.zero_()
        agent.target.out.bias.copy_(torch.arange(10.0).view(10, 1, 1))
    batch = {k: torch.as_tensor(v) for k, v in ReplayBuffer.from_transitions(_data(8)).rows(np.arange(8)).items()}
    gen = torch.Generator().manual_seed(3)
    seen = set()
    for _ in range(30):
        state = gen.get_state()
        expected_subset = torch.randperm(10, generator=torch.Generator().set_state(state))[:2]
        assert len(set(expected_subset.tolist())) == 2
        y = agent.target_q(batch, expected_subset)
        want = batch["rewards"] + 0.9 * (1 - batch["terminals"]) * float(expected_subset.min())
        torch.testing.assert_close(y, want)
        agent.update_critic(batch, gen)  # consumes the same draw
        seen.add(tuple(sorted(expected_subset.tolist())))
        with torch.no_grad():  # keep the target constant for the next check
            agent.target.out.weight.zero_()
            agent.target.out.bias.copy_(torch.arange(10.0).view(10, 1, 1))
    assert len(seen) > 10  # the pair changes between updates


def test_entropy_backup_and_target_entropy():
    config = OnlineConfig(
        hidden=(16, 16), critics=4, critic_subsample=2, backup_entropy=True, gamma=0.5, init_temperature=0.3, absorbing_success=False
    )
    agent = Agent(config, 48, 7)
    assert agent.target_entropy == -3.5  # −|A| / 2
    batch = {k: torch.as_tensor(v) for k, v in ReplayBuffer.from_transitions(_data(8)).rows(np.arange(8)).items()}
    subset = torch.tensor([0, 3])
    torch.manual_seed(0)
    y = agent.target_q(batch, subset)
    torch.manual_seed(0)
    with torch.no_grad():
        a, logp = agent.actor(batch["next_observations"])
        q = agent.target(batch["next_observations"], a)[subset].min(0).values
    torch.testing.assert_close(y, batch["rewards"] + 0.5 * (1 - batch["terminals"]) * (q - 0.3 * logp))


@pytest.mark.parametrize("absorbing", [True, False])
def test_a_success_that_ends_the_episode_is_valued_as_an_absorbing_state(absorbing):
    config = OnlineConfig(hidden=(16, 16), critics=4, critic_subsample=2, backup_entropy=False, gamma=0.9, absorbing_success=absorbing)
    agent = Agent(config, 48, 7)
    with torch.no_grad():  # every target critic outputs 5
        agent.target.out.weight.zero_()
        agent.target.out.bias.fill_(5.0)
    obs = torch.zeros(4, 48)
    batch = {
        "observations": obs,
        "actions": torch.zeros(4, 7),
        "next_observations": obs,
        # success ending the episode, success inside an episode (CompoSuite), failure ending it, plain step
        "rewards": torch.tensor([1.0, 1.0, 0.9, 0.5]),
        "terminals": torch.tensor([1.0, 0.0, 1.0, 0.0]),
    }
    y = agent.target_q(batch, torch.tensor([0, 1]))
    first = 1.0 + 0.9 * 1.0 / (1 - 0.9) if absorbing else 1.0
    torch.testing.assert_close(y, torch.tensor([first, 1.0 + 0.9 * 5.0, 0.9, 0.5 + 0.9 * 5.0]))


def test_buffers_after_prefill():
    data = _data(120)
    rlpd = online_preset("tiny")
    offline, online = make_buffers(rlpd, data, 48, 7)
    assert len(offline) == 120 and len(online) == 0 and online.capacity == rlpd.steps
    np.testing.assert_array_equal(offline.arrays["next_observations"], data.next_observations)
    sac = online_preset("tiny", algo="sac")
    offline, online = make_buffers(sac, data, 48, 7)
    assert offline is None and len(online) == 120 and online.capacity == sac.steps + 120
    for key in ("observations", "actions", "rewards", "next_observations"):
        np.testing.assert_array_equal(online.arrays[key][:120], getattr(data, key), err_msg=key)
    np.testing.assert_array_equal(online.arrays["terminals"][:120], data.terminals.astype(np.float32))


def test_agent_standardises_observations_with_the_offline_statistics():
    data = _data(64, seed=4)
    mean, std = data.observations.mean(0), data.observations.std(0) + 0.5
    config = online_preset("tiny")
    torch.manual_seed(0)
    plain = Agent(config, 48, 7)
    torch.manual_seed(0)
    scaled = Agent(config, 48, 7, obs_norm=Normalizer(mean, std))
    obs = data.observations[:5]
    np.testing.assert_allclose(scaled.act(obs, deterministic=True), plain.act((obs - mean) / std, deterministic=True), rtol=1e-5, atol=1e-6)
    # an update sees standardised observations: both agents take the same step
    raw = {k: torch.as_tensor(v) for k, v in ReplayBuffer.from_transitions(data).rows(np.arange(32)).items()}
    m, sd = torch.as_tensor(mean), torch.as_tensor(std)
    norm = {**raw, "observations": (raw["observations"] - m) / sd, "next_observations": (raw["next_observations"] - m) / sd}
    torch.manual_seed(1)
    scaled.update([raw], torch.Generator().manual_seed(2))
    torch.manual_seed(1)
    plain.update([norm], torch.Generator().manual_seed(2))
    for a, b in zip(scaled.critic.parameters(), plain.critic.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    # the statistics travel with the checkpoint
    again = Agent(config, 48, 7)
    again.load_state_dict(scaled.state_dict())
    np.testing.assert_allclose(again.act(obs, deterministic=True), scaled.act(obs, deterministic=True))


def _weights(run_dir):
    return torch.load(run_dir / "checkpoint" / "agent.pt", weights_only=True)["agent"]


def _curve(run_dir):
    return [{k: v for k, v in row.items() if k != "wall_s"} for row in read_curve(run_dir)]


@pytest.mark.slow
def test_resume_after_a_kill_ends_exactly_like_an_uninterrupted_run(tmp_path):
    data = _data(400)
    write_synthetic(tmp_path / "d.h5", data, {"task": TASK})
    args = [
        "online",
        "--task",
        TASK,
        "--dataset",
        str(tmp_path / "d.h5"),
        "--preset",
        "tiny",
        "--steps",
        "300",
        "--eval-every",
        "100",
        "--threads",
        "1",
    ]
    assert main([*args, "--out", str(tmp_path / "straight")]) == 0
    # the same command in a process killed (SIGKILL) after its first checkpoint, then run again
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "compogen.cli", *args, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = killed / "seed_0" / "checkpoint" / "state.json"
    deadline = time.time() + 120
    while time.time() < deadline and not (state.is_file() and json.loads(state.read_text())["env_steps"] >= 100):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert json.loads(state.read_text())["env_steps"] < 300, "the run finished before it was killed"
    assert main([*args, "--out", str(killed)]) == 0
    assert _curve(killed / "seed_0") == _curve(tmp_path / "straight" / "seed_0")
    a, b = _weights(killed / "seed_0"), _weights(tmp_path / "straight" / "seed_0")
    for part in ("actor", "critic", "target"):
        for k in a[part]:
            torch.testing.assert_close(a[part][k], b[part][k], rtol=0, atol=0)
    assert (killed / "results.csv").is_file() and (killed / "curves.png").is_file()


def test_stopped_run_resumes_in_process(tmp_path):
    data = _data(300)
    cfg = online_preset("tiny", steps=200)
    torch.manual_seed(11)
    expected = torch.rand(4)
    torch.manual_seed(11)
    run_online(cfg, TASK, tmp_path / "a", data, seed=1, progress=False, log=lambda _: None)
    assert torch.equal(torch.rand(4), expected)  # the caller's global random stream is left alone
    assert run_online(cfg, TASK, tmp_path / "b", data, seed=1, progress=False, log=lambda _: None, stop_after=150)["stopped"]
    run_online(cfg, TASK, tmp_path / "b", data, seed=1, progress=False, log=lambda _: None)
    assert _curve(tmp_path / "a") == _curve(tmp_path / "b")
    with pytest.raises(CompogenError, match=r"other settings \(config\.utd\)"):
        run_online(cfg.replace(utd=3), TASK, tmp_path / "b", data, seed=1, progress=False, log=lambda _: None)


def test_a_finished_run_extended_to_more_steps_equals_a_longer_run(tmp_path):
    data = _data(300)
    quiet = dict(progress=False, log=lambda _: None)
    short, long = online_preset("tiny", steps=200), online_preset("tiny", steps=300)
    run_online(long, TASK, tmp_path / "long", data, seed=2, **quiet)
    run_online(short, TASK, tmp_path / "ext", data, seed=2, **quiet)
    assert _curve(tmp_path / "ext")[-1]["env_steps"] == 200
    result = run_online(long, TASK, tmp_path / "ext", data, seed=2, **quiet)
    assert result["env_steps"] == 300
    assert _curve(tmp_path / "ext") == _curve(tmp_path / "long")
    a, b = _weights(tmp_path / "long"), _weights(tmp_path / "ext")
    for part in ("actor", "critic", "target"):
        for k in a[part]:
            torch.testing.assert_close(a[part][k], b[part][k], rtol=0, atol=0)
    with pytest.raises(CompogenError, match="more than steps=200"):
        run_online(short, TASK, tmp_path / "ext", data, seed=2, **quiet)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--algo", "ppo"], "--algo must be one of"),
        (["--algo", "rlpd"], "needs offline data"),
        (["--algo", "sac", "--seeds", "0,x"], "--seeds"),
        (["--algo", "sac", "--seeds", "1,1"], "distinct"),
        (["--algo", "sac", "--preset", "nope"], "nope"),
        (["--algo", "sac", "--real-data", "x"], "--real-tasks"),
    ],
)
def test_online_bad_input(tmp_path, capsys, args, message):
    assert main(["online", "--task", TASK, "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
