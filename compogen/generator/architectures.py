"""Denoisers by name: ``mlp``, ``dit``, ``semantic-dit``, ``sc-dit``.

Each name is an :class:`Architecture` record: its backbone builder ``(layout, preset) -> module`` and
which of a preset's optimiser settings it trains with, so building one is one lookup and one call.
Names are checked once, where they come in (:func:`check_arch`, or the lookup itself).

>>> from compogen.suites import get_suite
>>> lay = get_suite("composuite").transition_layout()
>>> net = build_denoiser("sc-dit", lay, "tiny")
>>> type(net.backbone).__name__
'DiTDenoiser'
>>> ARCHITECTURES["sc-dit"].lr(get_preset("tiny"))
0.001
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from operator import attrgetter

from torch import nn

from compogen.generator.dit import DiTDenoiser
from compogen.generator.edm import EDMConfig, EDMDenoiser
from compogen.generator.mlp import ResidualMLPDenoiser
from compogen.generator.presets import GeneratorPreset, get_preset
from compogen.layouts.transition import TransitionLayout
from compogen.registry import Registry

__all__ = ["ARCHITECTURES", "Architecture", "PAPER_PARAMS", "build_backbone", "build_denoiser", "check_arch", "count_parameters"]


@dataclass(frozen=True)
class Architecture:
    """One denoiser architecture: how to build its backbone, and its optimiser settings in a preset."""

    #: Registry name.
    name: str
    #: ``mlp`` or ``dit``: which of a preset's sizes (``mlp_*``/``dit_*``) and optimiser settings apply.
    family: str
    #: ``(layout, preset) -> backbone`` ``F(x_in, c_noise, cond)``.
    build: Callable[[TransitionLayout, GeneratorPreset], nn.Module]
    #: ``preset -> AdamW learning rate`` (the family's: ``lr_mlp`` or ``lr_dit``).
    lr: Callable[[GeneratorPreset], float]
    #: ``preset -> AdamW weight decay`` (the family's: ``wd_mlp`` or ``wd_dit``).
    weight_decay: Callable[[GeneratorPreset], float]
    #: DiT tokenisation (:data:`~compogen.generator.dit.TOKENIZERS`); None for the MLP.
    tokenizer: str | None = None


def _build_mlp(layout: TransitionLayout, p: GeneratorPreset) -> ResidualMLPDenoiser:
    return ResidualMLPDenoiser(layout.dim, layout.cond_dim, width=p.mlp_width, depth=p.mlp_depth, known_input=p.cond_masks > 0)


def _build_dit(tokenizer: str, layout: TransitionLayout, p: GeneratorPreset, *, task_cond: bool | None = None) -> DiTDenoiser:
    """A DiT with ``tokenizer``; ``task_cond`` None: the preset's ``dit_task_cond``."""
    return DiTDenoiser(
        layout,
        tokenizer,
        hidden=p.dit_hidden,
        depth=p.dit_depth,
        heads=p.dit_heads,
        mlp_ratio=p.dit_mlp_ratio,
        tokens=p.dit_tokens,
        pos_std=p.dit_pos_std,
        zero_decoder=p.dit_zero_decoder,
        task_cond=p.dit_task_cond if task_cond is None else task_cond,
    )


def _mlp(name: str) -> Architecture:
    return Architecture(name, "mlp", _build_mlp, attrgetter("lr_mlp"), attrgetter("wd_mlp"))


def _dit(name: str, tokenizer: str, task_cond: bool | None = None) -> Architecture:
    build = partial(_build_dit, tokenizer, task_cond=task_cond)
    return Architecture(name, "dit", build, attrgetter("lr_dit"), attrgetter("wd_dit"), tokenizer)


#: Architecture name → :class:`Architecture`.
ARCHITECTURES: Registry[Architecture] = Registry(
    "architecture",
    {
        a.name: a
        for a in (
            _mlp("mlp"),
            # The patch and semantic DiTs know the task only through the adaLN conditioning: always on.
            _dit("dit", "patch", task_cond=True),
            _dit("semantic-dit", "semantic", task_cond=True),
            # The compositional DiT also gets it from its per-element maps: adaLN task conditioning as the preset says.
            _dit("sc-dit", "compositional"),
        )
    },
)

#: Parameter counts the paper reports (Table 1) for the CompoSuite layout.
PAPER_PARAMS = {"mlp": 25_880_000, "sc-dit": 26_220_000}


def check_arch(arch: str) -> str:
    """``arch`` itself if it names an architecture (:class:`~compogen.registry.UnknownName` otherwise)."""
    ARCHITECTURES[arch]
    return arch


def build_backbone(arch: str, layout: TransitionLayout, preset: str | GeneratorPreset) -> nn.Module:
    """The raw network ``F(x_in, c_noise, cond)`` of ``arch`` sized by ``preset``."""
    return ARCHITECTURES[arch].build(layout, get_preset(preset))


def build_denoiser(arch: str, layout: TransitionLayout, preset: str | GeneratorPreset, edm: EDMConfig | None = None) -> EDMDenoiser:
    """``arch``'s backbone wrapped in EDM preconditioning."""
    return EDMDenoiser(build_backbone(arch, layout, preset), edm)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
