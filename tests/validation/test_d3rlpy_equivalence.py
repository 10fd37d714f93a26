"""The batched TD3+BC update is d3rlpy's TD3+BC update, step for step."""

from __future__ import annotations

import numpy as np
import torch

from compogen.rl.adapters import to_d3rlpy
from compogen.validation.batched import BatchedTD3BC
from compogen.validation.config import preset
from compogen.validation.d3rlpy_validator import make_algo
from compogen.validation.data import prepare


def _linears(module):
    return [(m.weight.detach().clone(), m.bias.detach().clone()) for m in module.modules() if isinstance(m, torch.nn.Linear)]


def test_replay_buffer_keeps_stored_next_observations(toy_data):
    data = toy_data.subset(np.arange(50))
    data.next_observations = data.next_observations + 100.0  # not the next row: would be lost by episode slicing
    buf = to_d3rlpy(data)
    assert buf.transition_count == len(data)
    for i in (0, 7, 49):
        t = buf._transition_picker(buf.episodes[0], i)
        np.testing.assert_array_equal(t.observation, data.observations[i])
        np.testing.assert_array_equal(t.next_observation, data.next_observations[i])
        assert t.terminal == float(data.terminals[i])
        assert float(t.reward[0]) == float(data.rewards[i])


def test_batched_step_matches_d3rlpy(toy_data):
    import d3rlpy

    cfg = preset("tiny", policy_noise=0.0, normalize_states=False, batch_size=32, actor_hidden=(16, 16), critic_hidden=(16, 16))
    d3rlpy.seed(3)
    buf = to_d3rlpy(toy_data)
    algo = make_algo(cfg, toy_data.observations)
    algo.build_with_dataset(buf)
    actor = _linears(algo.impl.policy)
    critics = [_linears(q) for q in algo.impl.q_function]
    other = prepare(toy_data.subset(np.arange(100)), normalize=False)
    learner = BatchedTD3BC([prepare(toy_data, normalize=False), other], [0, 1], cfg)
    learner.load_weights(0, actor, critics)
    B = cfg.batch_size
    for _ in range(5):  # actor updates at steps 0, 2, 4
        b = buf.sample_transition_batch(B)
        algo.update(b)
        own = learner.data.next_batch()  # the other policy keeps its own batch
        cols = [np.asarray(x, np.float32) for x in (b.observations, b.actions, b.rewards[:, 0], b.next_observations, b.terminals[:, 0])]
        batch = [torch.stack([torch.from_numpy(c), o[1]]) for c, o in zip(cols, own, strict=False)]  # own ends with the target noise
        batch.append(torch.zeros(2, B, 2))
        learner.step(tuple(batch))
    for (w, b), lw, lb in zip(_linears(algo.impl.policy), learner.actor.weights, learner.actor.biases, strict=True):
        torch.testing.assert_close(lw[0].detach().t(), w, atol=2e-5, rtol=1e-4)
        torch.testing.assert_close(lb[0, 0].detach(), b, atol=2e-5, rtol=1e-4)
    for j, q in enumerate(algo.impl.q_function):
        for (w, _), lw in zip(_linears(q), learner.critics[j].weights, strict=True):
            torch.testing.assert_close(lw[0].detach().t(), w, atol=2e-5, rtol=1e-4)
    # the weights really moved (the comparison is not of untouched initial values)
    assert not torch.allclose(_linears(algo.impl.policy)[0][0], actor[0][0])


def test_batched_bc_step_matches_d3rlpy_bc(toy_data):
    """``algo="bc"``: no critics, and each step is d3rlpy's deterministic BC step (MSE on tanh actions)."""
    import d3rlpy

    cfg = preset("tiny", algo="bc", normalize_states=False, batch_size=32, actor_hidden=(16, 16))
    d3rlpy.seed(5)
    buf = to_d3rlpy(toy_data)
    algo = make_algo(cfg, toy_data.observations)
    algo.build_with_dataset(buf)
    imitator = algo.impl._modules.imitator
    start = _linears(imitator)
    learner = BatchedTD3BC([prepare(toy_data, normalize=False)], [0], cfg)
    assert learner.bc_only and not hasattr(learner, "critics")
    learner.load_weights(0, start, [])
    B = cfg.batch_size
    for _ in range(4):
        b = buf.sample_transition_batch(B)
        algo.update(b)
        cols = [
            torch.from_numpy(np.asarray(x, np.float32))[None]
            for x in (b.observations, b.actions, b.rewards[:, 0], b.next_observations, b.terminals[:, 0])
        ]
        learner.step((*cols, torch.zeros(1, B, 2)))
    for (w, bias), lw, lb in zip(_linears(imitator), learner.actor.weights, learner.actor.biases, strict=True):
        torch.testing.assert_close(lw[0].detach().t(), w, atol=2e-5, rtol=1e-4)
        torch.testing.assert_close(lb[0, 0].detach(), bias, atol=2e-5, rtol=1e-4)
    assert not torch.allclose(_linears(imitator)[0][0], start[0][0])
