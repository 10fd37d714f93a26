"""Loop presets resolve to the tasks they promise."""

from __future__ import annotations

from compogen.loop.config import LOOP_PRESETS, LoopConfig, loop_preset
from compogen.loop.runner import resolve_run_tasks
from compogen.suites import get_suite
from compogen.validation import preset as validation_preset


def test_standard_preset_targets_the_32_held_out_tasks_over_three_rounds():
    suite = get_suite("builtin")
    cfg = loop_preset("standard")
    train, targets, evals, _ = resolve_run_tasks(cfg, suite)
    assert len(train) == 14 and len(targets) == 32 and targets == evals
    assert not set(train) & set(targets)
    assert cfg.iterations >= 3


def test_presets_round_trip_and_name_real_validation_presets():
    for name, cfg in LOOP_PRESETS.items():
        assert LoopConfig.from_dict(cfg.to_dict()) == cfg, name
        validation_preset(cfg.validation_preset)  # raises on an unknown name
    quick = loop_preset("quick")
    assert len(resolve_run_tasks(quick, get_suite("builtin"))[1]) == 8
