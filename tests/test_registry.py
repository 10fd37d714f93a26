"""Every kind of named thing is looked up one way and refused with one error form."""

from __future__ import annotations

import pytest

from compogen.errors import CompogenError
from compogen.generator import GENERATOR_PRESETS, SAMPLERS, get_preset, get_sampler
from compogen.generator.architectures import ARCHITECTURES, check_arch
from compogen.loop import LOOP_PRESETS, loop_preset
from compogen.registry import Registry, UnknownName
from compogen.suites import SUITES, get_suite
from compogen.validation import VALIDATION_PRESETS, preset


@pytest.mark.parametrize(
    "lookup,registry,kind",
    [
        (get_preset, GENERATOR_PRESETS, "generator preset"),
        (get_sampler, SAMPLERS, "sampler"),
        (check_arch, ARCHITECTURES, "architecture"),
        (loop_preset, LOOP_PRESETS, "loop preset"),
        (preset, VALIDATION_PRESETS, "validation preset"),
        (get_suite, SUITES, "suite"),
    ],
)
def test_unknown_names_are_refused_in_one_form(lookup, registry, kind):
    with pytest.raises(UnknownName) as e:
        lookup("nope")
    assert str(e.value) == f"unknown {kind} 'nope'; valid: {', '.join(registry)}"
    assert isinstance(e.value, CompogenError) and "nope" not in registry and registry.get("nope") is None
    first = next(iter(registry))
    assert lookup(first) is not None and first in registry


def test_registry_is_a_mapping_in_registration_order():
    r = Registry("thing", {"b": 2, "a": 1})
    r.register("c", 3)
    assert list(r) == ["b", "a", "c"] and dict(r) == {"b": 2, "a": 1, "c": 3} and len(r) == 3


def test_every_settings_dataclass_has_one_round_trip_and_one_refusal():
    from compogen.generator.edm import EDMConfig
    from compogen.generator.presets import GeneratorPreset
    from compogen.loop import LoopConfig
    from compogen.rl import CollectConfig
    from compogen.validation import ValidationConfig

    for cls in (EDMConfig, GeneratorPreset, LoopConfig, CollectConfig, ValidationConfig):
        base = GENERATOR_PRESETS["tiny"] if cls is GeneratorPreset else cls()
        assert cls.from_dict(base.to_dict()) == base, cls
        with pytest.raises(CompogenError, match=f"{cls.__name__}: unknown settings \\['bogus'\\]"):
            cls.from_dict({**base.to_dict(), "bogus": 1})
        with pytest.raises(CompogenError, match=f"{cls.__name__}: unknown settings"):
            base.replace(bogus=1)
    # replace uses every given value (None included); CLI overrides drop the options not given first
    from compogen.config import given

    assert LoopConfig().replace(targets=None).targets is None
    assert LoopConfig().replace(**given(targets=None, seed=3)).seed == 3


def test_parse_changes_types_fields_and_refuses_unknown_ones():
    from compogen.generator.presets import GeneratorPreset, get_preset

    changes = GeneratorPreset.parse_changes("dit_tokens=split,dit_mlp_ratio=4,dit_zero_decoder=false,steps=7")
    p = get_preset("laptop").replace(**changes)
    assert (p.dit_tokens, p.dit_mlp_ratio, p.dit_zero_decoder, p.steps) == ("split", 4.0, False, 7)
    assert GeneratorPreset.parse_changes("") == {}
    for bad in ("stepz=1", "steps=many", "steps"):
        with pytest.raises(CompogenError, match="GeneratorPreset"):
            GeneratorPreset.parse_changes(bad)
    # optional scalars (a loop's target spec) take text too, and "none" unsets them
    from compogen.loop.config import LoopConfig

    assert LoopConfig.parse_changes("targets=iiwa:test@ThreeLink,eval=none,seed=2") == {"targets": "iiwa:test@ThreeLink", "eval": None, "seed": 2}


def test_every_settings_registry_creates_a_preset_with_changes_in_one_form():
    from compogen.online.config import ONLINE_PRESETS, online_preset

    for registry, lookup in (
        (GENERATOR_PRESETS, get_preset),
        (LOOP_PRESETS, loop_preset),
        (VALIDATION_PRESETS, preset),
        (ONLINE_PRESETS, online_preset),
    ):
        first = next(iter(registry))
        base = registry[first]
        assert registry.create(first) is base  # no changes: the entry itself
        changed = lookup(first, seed=7) if hasattr(base, "seed") else lookup(first, steps=base.steps + 1)
        assert changed != base and registry[first] == base  # a copy: the registered preset is untouched
        with pytest.raises(CompogenError, match="unknown settings \\['bogus'\\]"):
            registry.create(first, bogus=1)
