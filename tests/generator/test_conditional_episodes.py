"""Conditional sampling keeps the given dims exact; synthetic episodes chain exactly and reproduce by seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compogen.data import read_synthetic, read_synthetic_attrs
from compogen.generator import ARCHITECTURES, Generator, TrainConfig, train_generator
from compogen.generator.conditional import sample_conditional
from compogen.generator.episodes import EPISODES, episode_bounds, generate_episodes, initial_states, synthesize_episodes
from compogen.generator.presets import get_preset
from compogen.generator.samplers import get_sampler
from compogen.suites import get_suite

SUITE = get_suite("builtin")
TRAIN = ["fivelink-box-none-push", "threelink-plate-objectwall-shelf"]
UNSEEN = "fivelink-plate-objectwall-push"


@pytest.fixture(scope="module")
def expert_pool():
    from compogen.data import Transitions
    from compogen.rl import expert_transitions

    return Transitions.concatenate([expert_transitions(SUITE, t, 300, seed=0) for t in TRAIN])


@pytest.fixture(scope="module", params=[*ARCHITECTURES, "mlp+masks"])
def model(request, tmp_path_factory, expert_pool):
    """Each denoiser (conditionals by inpainting), and the MLP trained with conditioning masks (learnt conditionals)."""
    out = tmp_path_factory.mktemp(request.param) / "run"
    arch, preset = ("mlp", get_preset("tiny", cond_masks=0.5)) if request.param == "mlp+masks" else (request.param, "tiny")
    train_generator(expert_pool, SUITE.transition_layout(), out, TrainConfig(arch=arch, preset=preset, steps=6), suite="builtin", progress=False)
    return Generator.load(out)


def test_inpainting_holds_known_dims_on_their_noising_path():
    """With an exact denoiser of a point mass, the free dims come out at the mass and the known dims exact."""
    dim, n = 6, 5
    target = torch.arange(dim, dtype=torch.float32)
    calls = []

    def point_mass(x, sigma, cond):
        calls.append(x.clone())
        return target.expand(len(x), -1).clone()

    known = torch.randn(n, dim)
    mask = torch.tensor([True, False, True, False, False, False])
    for name in ("fast", "heun", "paper"):
        x = sample_conditional(get_sampler(name, 4), point_mass, torch.arange(n), torch.zeros(n, 1), known, mask, seed=3)
        torch.testing.assert_close(x[:, mask], known[:, mask], rtol=0, atol=0)
        torch.testing.assert_close(x[:, ~mask], target[~mask].expand(n, -1))
    with pytest.raises(ValueError, match="guidance"):
        sample_conditional(get_sampler("fast", 4), point_mass, torch.arange(n), torch.zeros(n, 1), known, mask, seed=3, guidance=1.0, clean=True)
    # the denoiser always saw the known dims at x0 + sigma * eps with the sample's initial noise
    from compogen.generator.rng import counter_normal

    eps = counter_normal(3, torch.arange(n), 0, dim)[:, mask]
    ratio = (calls[0][:, mask] - known[:, mask]) / eps
    assert torch.allclose(ratio, ratio[0, 0].expand_as(ratio), rtol=1e-4)


def test_mask_trained_sampling_gives_the_known_dims_clean_with_their_mask():
    dim, n = 6, 5
    seen = []

    def masked(x, sigma, cond, known=None):
        seen.append((x.clone(), known))
        return torch.zeros_like(x)

    known = torch.randn(n, dim)
    mask = torch.tensor([True, False, True, False, False, False])
    x = sample_conditional(get_sampler("fast", 4), masked, torch.arange(n), torch.zeros(n, 1), known, mask, seed=3, clean=True)
    torch.testing.assert_close(x[:, mask], known[:, mask], rtol=0, atol=0)
    for xin, k in seen:
        torch.testing.assert_close(xin[:, mask], known[:, mask], rtol=0, atol=0)
        assert torch.equal(k, mask.expand(n, -1))


def test_sample_given_keeps_the_given_columns(model):
    obs = initial_states(SUITE, UNSEEN, 4, seed=1)
    a = np.random.default_rng(0).uniform(-1, 1, (4, SUITE.action_dim)).astype(np.float32)
    t = model.sample_given(UNSEEN, obs, sampler="fast", steps=3, seed=1)
    np.testing.assert_array_equal(t.observations, obs)
    assert np.abs(t.actions).max() <= 1.0 and t.terminals.dtype == bool
    t2 = model.sample_given(UNSEEN, obs, a, sampler="fast", steps=3, seed=1)
    np.testing.assert_array_equal(t2.actions, a)
    np.testing.assert_array_equal(t2.observations, obs)
    lo = SUITE.transition_layout().observation_layout
    sp = SUITE.space
    assert (lo.indicator_from_obs(t2.next_observations, sp) == sp.indicator(UNSEEN)).all()
    # row i depends on (seed, index[i]) only: the same row alone gives the same values (without guidance, whose
    # batched gradients round differently)
    batch = model.sample_given(UNSEEN, obs, a, sampler="fast", steps=3, seed=1, guidance=0.0)
    alone = model.sample_given(UNSEEN, obs[2:3], a[2:3], sampler="fast", steps=3, seed=1, index=np.array([2]), guidance=0.0)
    np.testing.assert_allclose(alone.next_observations[0], batch.next_observations[2], atol=1e-5)


def test_episodes_chain_exactly_and_reproduce(model):
    init = initial_states(SUITE, UNSEEN, 3, seed=0)
    ep = synthesize_episodes(model, UNSEEN, init, horizon=6, sampler="fast", steps=2, seed=5)
    bounds = episode_bounds(ep)
    assert bounds is not None and len(bounds) == 3
    for b in bounds:
        obs, nxt = ep.observations[b], ep.next_observations[b]
        np.testing.assert_array_equal(nxt[:-1], obs[1:])  # observations[t + 1] is the s' of step t, bit for bit
        flags = ep.terminals[b] | ep.timeouts[b]
        assert flags[-1] and not flags[:-1].any()  # flags only at the episode's end
        assert (len(obs) == 6 and ep.timeouts[b][-1]) or ep.terminals[b][-1]
    np.testing.assert_array_equal(ep.observations[bounds[0]][0], init[0])
    rerun = synthesize_episodes(model, UNSEEN, init, horizon=6, sampler="fast", steps=2, seed=5)
    np.testing.assert_array_equal(rerun.observations, ep.observations)
    # without guidance an episode does not depend on the episodes beside it
    plain = synthesize_episodes(model, UNSEEN, init, horizon=6, sampler="fast", steps=2, seed=5, guidance=0.0)
    again = synthesize_episodes(model, UNSEEN, init[1:], horizon=6, sampler="fast", steps=2, seed=5, start=1, guidance=0.0)
    np.testing.assert_allclose(again.observations, plain.observations[episode_bounds(plain)[0].stop :], atol=1e-5)
    other = synthesize_episodes(model, UNSEEN, init, horizon=6, sampler="fast", steps=2, seed=6)
    assert not np.allclose(other.actions[:3], ep.actions[:3])


def test_loose_transitions_are_not_episodes(expert_pool):
    assert episode_bounds(expert_pool) is not None  # real rollouts chain
    shuffled = expert_pool.subset(np.random.default_rng(0).permutation(len(expert_pool)))
    assert episode_bounds(shuffled) is None


def test_generate_episodes_writes_an_episodic_file(tmp_path, model):
    out = generate_episodes(model, UNSEEN, 3, tmp_path / "ep.h5", sampler="fast", steps=2, seed=0, batch_episodes=2, progress=False)
    a = read_synthetic_attrs(out)
    assert a["layout"] == EPISODES and a["episodes"] == 3 and a["task"] == UNSEEN
    data = read_synthetic(out)
    assert len(data) == a["transitions"] and (data.terminals | data.timeouts).sum() == 3
    bounds = episode_bounds(data)
    assert bounds is not None and len(bounds) == 3
    # the file holds what the in-memory synthesis gives (episodes 0-1, then 2, as written)
    first = synthesize_episodes(model, UNSEEN, initial_states(SUITE, UNSEEN, 2, seed=0), SUITE.horizon, "fast", steps=2, seed=0)
    np.testing.assert_array_equal(data.timeouts[: len(first)], first.timeouts)
    np.testing.assert_allclose(data.observations[: len(first)], first.observations, atol=1e-6)


def test_model_env_passes_gymnasium_checks_and_reproduces(model):
    from gymnasium.utils.env_checker import check_env

    from compogen.generator.model_env import ModelEnv

    env = ModelEnv(model, UNSEEN, sampler="fast", steps=2, horizon=4)
    sim = SUITE.make_env(UNSEEN)
    assert env.observation_space == sim.observation_space and env.action_space == sim.action_space
    check_env(env, skip_render_check=True)

    def run(seed):
        obs, _ = env.reset(seed=seed)
        out, rng = [obs], np.random.default_rng(0)
        for _ in range(4):
            obs, r, term, trunc, info = env.step(rng.uniform(-1, 1, SUITE.action_dim).astype(np.float32))
            out.append(obs)
            assert env.observation_space.contains(obs) and isinstance(info["success"], bool)
            if term or trunc:
                return np.stack(out), term, trunc
        raise AssertionError("the horizon did not truncate")

    a, b, c = run(7), run(7), run(8)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:] == b[1:] and (a[2] or a[1])
    assert not np.array_equal(a[0][0], c[0][0])


def test_cli_generate_episodes(tmp_path, model, capsys):
    import json

    from compogen.cli import main

    if model.config["arch"] != "mlp":
        pytest.skip("one architecture is enough for the command")
    out = tmp_path / "ep.h5"
    code = main(["generate", "--model", str(model.model_dir), "--task", UNSEEN, "--episodes", "2", "--steps", "2", "--out", str(out), "--quiet"])
    assert code in (0, None)
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["layout"] == EPISODES and summary["episodes"] == 2
    assert episode_bounds(read_synthetic(out)) is not None
    for extra in ([], ["--n", "5", "--episodes", "2"]):
        args = ["generate", "--model", str(model.model_dir), "--task", UNSEEN, "--out", str(tmp_path / "x.h5"), *extra]
        assert main(args) == 2 and "exactly one of --n" in capsys.readouterr().err
    assert not (tmp_path / "x.h5").exists()


def _actor_file(path, task, seed=0):
    """A random one-layer actor in the validator's file format, for ``task``."""
    from compogen.data.normalizer import Normalizer
    from compogen.rl.policy_io import policy_tensors, save_policy

    lay = SUITE.transition_layout()
    g = torch.Generator().manual_seed(seed)
    w, b = torch.randn(lay.action_dim, lay.obs_dim, generator=g) * 0.3, torch.randn(lay.action_dim, generator=g) * 0.3
    norm = Normalizer(np.zeros(lay.obs_dim, np.float32), np.ones(lay.obs_dim, np.float32))
    return save_policy(path, policy_tensors([(w, b)], norm), {"task": task})


def test_policy_episodes_take_the_policys_noisy_actions(tmp_path, model):
    from compogen.generator.episodes import noisy_actions
    from compogen.rl.policy_io import load_policy

    policy, _ = load_policy(_actor_file(tmp_path / "p.safetensors", UNSEEN))
    init = initial_states(SUITE, UNSEEN, 3, seed=0)
    exact = synthesize_episodes(model, UNSEEN, init, horizon=5, sampler="fast", steps=2, seed=3, policy=policy, action_noise=0.0)
    np.testing.assert_allclose(exact.actions, policy(exact.observations), atol=1e-5)  # every action is the policy's, in chained states
    for b in episode_bounds(exact):
        np.testing.assert_array_equal(exact.next_observations[b][:-1], exact.observations[b][1:])
    noisy = synthesize_episodes(model, UNSEEN, init, horizon=5, sampler="fast", steps=2, seed=3, policy=policy, action_noise=0.3)
    again = synthesize_episodes(model, UNSEEN, init, horizon=5, sampler="fast", steps=2, seed=3, policy=policy, action_noise=0.3)
    np.testing.assert_array_equal(noisy.actions, again.actions)
    dev = noisy.actions - policy(noisy.observations)
    inside = np.abs(policy(noisy.observations)) < 0.5  # away from the clip at +-1 the noise is the asked Gaussian
    assert 0.2 < dev[inside].std() < 0.4 and np.abs(noisy.actions).max() <= 1.0
    # a row's noise depends only on (seed, index)
    a = np.zeros((4, 2), np.float32)
    np.testing.assert_array_equal(noisy_actions(a, 0.1, 1, np.arange(4))[2:], noisy_actions(a[2:], 0.1, 1, np.array([2, 3])))


def test_cli_generate_policy_episodes(tmp_path, model, capsys, monkeypatch):
    from compogen.cli import main
    from compogen.rl.policy_io import load_policy

    if model.config["arch"] != "mlp":
        pytest.skip("one architecture is enough for the command")
    actor = _actor_file(tmp_path / "p.safetensors", UNSEEN)
    out = tmp_path / "ep.h5"
    base = ["generate", "--model", str(model.model_dir), "--task", UNSEEN, "--steps", "2", "--quiet"]
    assert main([*base, "--episodes", "2", "--policy", str(actor), "--action-noise", "0", "--out", str(out)]) in (0, None)
    data, attrs = read_synthetic(out), read_synthetic_attrs(out)
    assert attrs["actions"]["policy"] == str(actor) and attrs["actions"]["noise"] == 0.0
    np.testing.assert_allclose(data.actions, load_policy(actor)[0](data.observations), atol=1e-5)
    # publishing the file says where its actions came from
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    import minari

    from compogen.publish import publish_file

    meta = minari.load_dataset(publish_file(out, dataset_id="compogen/policy-test-v0")).storage.metadata["compogen"]
    assert meta["episode_actions"] == {"from": "actor", "file": "p.safetensors", "noise": 0.0}
    capsys.readouterr()
    other = _actor_file(tmp_path / "q.safetensors", TRAIN[0])
    assert main([*base, "--episodes", "2", "--policy", str(other), "--out", str(tmp_path / "x.h5")]) == 2
    assert f"trained for {TRAIN[0]}" in capsys.readouterr().err
    assert main([*base, "--n", "4", "--policy", str(actor), "--out", str(tmp_path / "x.h5")]) == 2
    assert "give --episodes" in capsys.readouterr().err
    assert not (tmp_path / "x.h5").exists()
