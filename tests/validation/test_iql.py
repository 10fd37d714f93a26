"""IQL (the alternative algorithm) runs through d3rlpy and saves a loadable deterministic actor."""

from __future__ import annotations

import numpy as np
import torch

from compogen.validation import load_policy, preset, validate


def test_iql_via_d3rlpy_saves_loadable_policy(toy_suite, toy_task, toy_data, tmp_path):
    cfg = preset("tiny", algo="iql", steps=20, eval_every=10, eval_episodes=2)
    torch.manual_seed(11), np.random.seed(11)
    expected = torch.rand(4), np.random.rand(4)
    torch.manual_seed(11), np.random.seed(11)
    res = validate(toy_suite, toy_task, toy_data, cfg, seeds=[0], backend="batched", out_dir=tmp_path, progress=False)
    # d3rlpy.seed ran inside the call only: the caller's global random streams are as they were
    assert torch.equal(torch.rand(4), expected[0]) and np.array_equal(np.random.rand(4), expected[1])
    assert res.algo == "iql" and res.backend == "d3rlpy"  # the batched validator trains TD3+BC only
    (s,) = res.seeds
    assert [h.step for h in s.history] == [10, 20]
    assert s.success_rate == max(h.success_rate for h in s.history)  # the best evaluation is kept
    assert s.successes == round(s.success_rate * s.episodes) and s.episodes == 2
    policy, meta = load_policy(s.weights_path)
    assert meta["config"]["algo"] == "iql"
    a = policy(toy_data.observations[:5])
    assert a.shape == (5, 2) and np.all(np.abs(a) <= 1.0)
