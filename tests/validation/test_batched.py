"""The batched validator: it learns, its policies are independent, it rejects bad data."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from compogen.data import Transitions
from compogen.errors import DataError
from compogen.validation import TaskValidation, evaluate, load_policy, preset, validate, validate_many, wilson_interval
from compogen.validation.batched import run_batched
from compogen.validation.data import prepare
from tests.validation.toy_suite import expert_transitions, random_policy

LEARN = preset("tiny", steps=1200, eval_every=400, batch_size=128, eval_episodes=10, actor_hidden=(64, 64), critic_hidden=(64, 64))


def test_batched_td3bc_learns_toy_task(toy_suite, toy_task, toy_data, tmp_path):
    res = validate(toy_suite, toy_task, toy_data, LEARN, seeds=[0, 1], backend="batched", out_dir=tmp_path, progress=False)
    assert [s.seed for s in res.seeds] == [0, 1] and res.backend == "batched"
    rand = evaluate(toy_suite, toy_task, random_policy(0), episodes=20, seed=123)
    k = sum(s.successes for s in res.seeds)
    n = sum(s.episodes for s in res.seeds)
    # clearly above random: the learned policies' interval lies above the random policy's
    assert wilson_interval(k, n)[0] > wilson_interval(rand.successes, rand.episodes)[1], (res.to_dict(), rand)
    for s in res.seeds:
        assert [h.step for h in s.history] == [400, 800, 1200]
        assert s.success_rate == max(h.success_rate for h in s.history)
        assert s.env_steps > 0 and (s.ci_low, s.ci_high) == pytest.approx(wilson_interval(s.successes, s.episodes))
    # the saved best policy reproduces the best evaluation's episodes
    best = res.seeds[0]
    policy, meta = load_policy(best.weights_path)
    assert meta["task"] == "iiwa-box-none-push" and meta["best_step"] == best.best_step
    from compogen.rl.evaluate import eval_seed

    r = [h.step for h in best.history].index(best.best_step)
    again = evaluate(toy_suite, toy_task, policy, episodes=LEARN.eval_episodes, seed=eval_seed(0, r))
    assert again.successes == best.successes
    # JSON round trip
    d = json.loads(json.dumps(res.to_dict()))
    assert TaskValidation.from_dict(d).to_dict() == res.to_dict()


def test_policy_independent_of_other_policies_data(toy_suite, toy_task, toy_data):
    cfg = preset("tiny", steps=60, eval_every=30, eval_episodes=3)
    other_task = toy_suite.parse("jaco-plate-objectwall-shelf")
    mine = prepare(toy_data)
    runs = []
    for variant in range(2):
        others = [prepare(expert_transitions(other_task, episodes=10 + 5 * variant, noise=0.1 + 0.4 * variant, seed=7 + variant)) for _ in range(2)]
        runs.append(run_batched(toy_suite, [(other_task, others[0], 5), (toy_task, mine, 0), (other_task, others[1], 6)], cfg, progress=False))
    (r0, s0), (r1, s1) = runs[0][1], runs[1][1]
    assert r0.history == r1.history and r0.successes == r1.successes
    for k in s0:
        assert torch.equal(s0[k], s1[k]), k
    # ...while the other policies did change
    assert not torch.equal(runs[0][0][1]["actor.0.weight"], runs[1][0][1]["actor.0.weight"])


def test_same_seed_same_result_and_seeds_differ(toy_suite, toy_task, toy_data):
    cfg = preset("tiny", steps=40, eval_every=40, eval_episodes=2)
    a = run_batched(toy_suite, [(toy_task, prepare(toy_data), 0), (toy_task, prepare(toy_data), 1)], cfg, progress=False)
    b = run_batched(toy_suite, [(toy_task, prepare(toy_data), 0)], cfg, progress=False)
    # same seed, different P: the same policy up to float rounding (kernels may block differently)
    torch.testing.assert_close(a[0][1]["actor.1.weight"], b[0][1]["actor.1.weight"], atol=1e-5, rtol=1e-4)
    assert not torch.equal(a[0][1]["actor.1.weight"], a[1][1]["actor.1.weight"])


def _broken(data: Transitions, **changes) -> Transitions:
    cols = {k: getattr(data, k).copy() for k in ("observations", "actions", "rewards", "next_observations", "terminals")}
    cols.update(changes)
    return Transitions(**cols, tasks=list(data.tasks))


def test_bad_input_errors(toy_suite, toy_task, toy_data):
    cfg = preset("tiny")
    obs = toy_data.observations.copy()
    obs[3, 1] = np.nan
    with pytest.raises(DataError, match="observations contains NaN"):
        validate(toy_suite, toy_task, _broken(toy_data, observations=obs), cfg, progress=False)
    act = toy_data.actions.copy()
    act[5, 0] = np.inf
    with pytest.raises(DataError, match="actions contains NaN or Inf"):
        validate(toy_suite, toy_task, _broken(toy_data, actions=act), cfg, progress=False)
    with pytest.raises(DataError, match="next_observations shape"):
        _broken(toy_data, next_observations=toy_data.next_observations[:, :5])
    with pytest.raises(DataError, match="rewards must have shape"):
        _broken(toy_data, rewards=toy_data.rewards[:-1])
    wrong_dim = _broken(toy_data, observations=toy_data.observations[:, :19], next_observations=toy_data.next_observations[:, :19])
    with pytest.raises(DataError, match="observations have 19 dims, suite 'toy' has 20"):
        validate(toy_suite, toy_task, wrong_dim, cfg, progress=False)
    wrong_act = _broken(toy_data, actions=np.zeros((len(toy_data), 3), np.float32))
    with pytest.raises(DataError, match="actions have 3 dims"):
        validate(toy_suite, toy_task, wrong_act, cfg, progress=False)
    with pytest.raises(DataError, match="no transitions"):
        validate(toy_suite, toy_task, toy_data.subset(slice(0, 0)), cfg, progress=False)
    two = Transitions.concatenate([toy_data, expert_transitions("jaco-plate-objectwall-shelf", episodes=3)])
    with pytest.raises(DataError, match="no rows for task kinova3"):
        validate(toy_suite, "kinova3-box-none-push", two, cfg, progress=False)
    from compogen.errors import CompogenError

    with pytest.raises(CompogenError, match="backend"):
        validate(toy_suite, toy_task, toy_data, cfg, backend="jax", progress=False)
    with pytest.raises(CompogenError, match="distinct"):
        validate(toy_suite, toy_task, toy_data, cfg, seeds=[1, 1], progress=False)


def test_validate_many_groups_tasks_and_seeds(toy_suite, toy_data):
    other = toy_suite.parse("jaco-plate-objectwall-shelf")
    pool = Transitions.concatenate([toy_data, expert_transitions(other, episodes=20)])
    cfg = preset("tiny", steps=20, eval_every=10, eval_episodes=2)
    out = validate_many(toy_suite, [("iiwa-box-none-push", pool), (other, pool)], cfg, seeds=[3, 4], max_policies=3, progress=False)
    assert [r.task for r in out] == ["iiwa-box-none-push", "jaco-plate-objectwall-shelf"]
    assert [[s.seed for s in r.seeds] for r in out] == [[3, 4], [3, 4]]
    assert out[0].n_transitions == len(toy_data) and out[1].n_transitions == len(pool) - len(toy_data)
