"""Validation config: the paper's Table 3 defaults, presets, checks."""

from __future__ import annotations

import pytest

from compogen.errors import CompogenError
from compogen.validation import VALIDATION_PRESETS, ValidationConfig, preset


def test_paper_preset_is_table_3():
    c = VALIDATION_PRESETS["paper"]
    assert (c.algo, c.steps, c.batch_size, c.actor_lr, c.critic_lr) == ("td3bc", 50_000, 1024, 3e-4, 3e-4)
    assert c.actor_hidden == (256, 256) and c.critic_hidden == (256, 256)
    assert (c.gamma, c.tau, c.alpha, c.policy_noise, c.noise_clip, c.policy_delay) == (0.99, 0.005, 2.5, 0.2, 0.5, 2)
    assert (c.eval_every, c.eval_episodes, c.normalize_states, c.seeds) == (5_000, 10, True, (0, 1, 2, 3, 4))
    assert c.eval_steps() == list(range(5_000, 50_001, 5_000))


def test_presets_scale_down_and_round_trip():
    for name in ("cpu", "quick", "tiny"):
        c = VALIDATION_PRESETS[name]
        assert c.steps < VALIDATION_PRESETS["paper"].steps and c.batch_size < VALIDATION_PRESETS["paper"].batch_size
        assert ValidationConfig.from_dict(c.to_dict()) == c
    assert preset("tiny", steps=250, eval_every=100).eval_steps() == [100, 200, 250]


def test_bad_config():
    with pytest.raises(CompogenError, match="algo"):
        ValidationConfig(algo="sac")
    with pytest.raises(CompogenError, match="steps"):
        ValidationConfig(steps=0)
    with pytest.raises(CompogenError, match="unknown validation preset"):
        preset("huge")
    with pytest.raises(CompogenError, match=r"ValidationConfig: unknown settings \[.stepz.\]"):
        ValidationConfig.from_dict({"stepz": 3})


def test_cpu_presets_validate_with_bc_and_the_loop_follows_the_preset():
    from compogen.loop.config import LoopConfig

    assert VALIDATION_PRESETS["quick"].algo == "bc" and VALIDATION_PRESETS["cpu"].algo == "bc"
    assert ValidationConfig(algo="bc").algo == "bc"
    # the loop's algo is unset by default, so the validation preset decides
    assert LoopConfig().algo is None
