"""Batched validator vs the d3rlpy validator on the same data: success rates agree within noise.

The update rule itself is checked step for step in ``test_d3rlpy_equivalence``; here the
two whole pipelines (own sampling, init, noise, evaluation, best-of selection) run on the
toy task and their pooled best success rates must have overlapping 95 % Wilson intervals
(4 seeds x 40 episodes each: a real gap of about 0.15 or more fails this check).
"""

from __future__ import annotations

from compogen.validation import preset, validate, wilson_interval

# Same config for both backends; a lighter alpha and a higher learning rate make the toy task's
# learning fast and seed-to-seed spread small, and 200 steps leaves success well below 1.
AGREE = preset(
    "tiny",
    steps=200,
    eval_every=200,
    batch_size=128,
    eval_episodes=40,
    alpha=0.25,
    actor_hidden=(64, 64),
    critic_hidden=(64, 64),
    actor_lr=1e-3,
    critic_lr=1e-3,
)


def test_batched_agrees_with_d3rlpy(toy_suite, toy_task, toy_data):
    seeds = [0, 1, 2, 3]
    b = validate(toy_suite, toy_task, toy_data, AGREE, seeds=seeds, backend="batched", progress=False)
    d = validate(toy_suite, toy_task, toy_data, AGREE, seeds=seeds, backend="d3rlpy", progress=False)
    assert b.backend == "batched" and d.backend == "d3rlpy"
    kb, nb = sum(s.successes for s in b.seeds), sum(s.episodes for s in b.seeds)
    kd, nd = sum(s.successes for s in d.seeds), sum(s.episodes for s in d.seeds)
    lo_b, hi_b = wilson_interval(kb, nb)
    lo_d, hi_d = wilson_interval(kd, nd)
    summary = f"batched {kb}/{nb} [{lo_b:.2f}, {hi_b:.2f}] vs d3rlpy {kd}/{nd} [{lo_d:.2f}, {hi_d:.2f}]"
    print(summary)
    assert lo_b <= hi_d and lo_d <= hi_b, summary
    # both actually learned (so agreement is not two failures agreeing)
    assert min(lo_b, lo_d) > wilson_interval(2, 40)[1], summary
    assert max(hi_b, hi_d) < 1.0, summary  # not both at the ceiling
