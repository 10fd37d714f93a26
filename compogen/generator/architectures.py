"""Denoisers by name: ``mlp``, ``dit``, ``semantic-dit``, ``sc-dit``.

>>> from compogen.suites import get_suite
>>> lay = get_suite("composuite").transition_layout()
>>> net = build_denoiser("sc-dit", lay, "tiny")
>>> type(net.backbone).__name__
'DiTDenoiser'
"""

from __future__ import annotations

from torch import nn

from compogen.generator.dit import DiTDenoiser
from compogen.generator.edm import EDMConfig, EDMDenoiser
from compogen.generator.mlp import ResidualMLPDenoiser
from compogen.generator.presets import GeneratorPreset, get_preset
from compogen.layouts.transition import TransitionLayout
from compogen.registry import Registry

__all__ = ["ARCHITECTURES", "PAPER_PARAMS", "build_backbone", "build_denoiser", "check_arch", "count_parameters"]

#: Architecture name → (family, DiT tokenisation).
ARCHITECTURES: Registry[tuple[str, str | None]] = Registry(
    "architecture",
    {
        "mlp": ("mlp", None),
        "dit": ("dit", "patch"),
        "semantic-dit": ("dit", "semantic"),
        "sc-dit": ("dit", "compositional"),
    },
)

#: Parameter counts the paper reports (Table 1) for the CompoSuite layout.
PAPER_PARAMS = {"mlp": 25_880_000, "sc-dit": 26_220_000}


def check_arch(arch: str) -> str:
    ARCHITECTURES[arch]
    return arch


def build_backbone(arch: str, layout: TransitionLayout, preset: str | GeneratorPreset) -> nn.Module:
    """The raw network ``F(x_in, c_noise, cond)`` of ``arch`` sized by ``preset``."""
    family, tok = ARCHITECTURES[check_arch(arch)]
    p = get_preset(preset)
    if family == "mlp":
        return ResidualMLPDenoiser(layout.dim, layout.cond_dim, width=p.mlp_width, depth=p.mlp_depth)
    return DiTDenoiser(
        layout,
        tok,
        hidden=p.dit_hidden,
        depth=p.dit_depth,
        heads=p.dit_heads,
        mlp_ratio=p.dit_mlp_ratio,
        tokens=p.dit_tokens,
        pos_std=p.dit_pos_std,
        zero_decoder=p.dit_zero_decoder,
        task_cond=p.dit_task_cond or tok != "compositional",  # the other DiTs know the task only this way
    )


def build_denoiser(arch: str, layout: TransitionLayout, preset: str | GeneratorPreset, edm: EDMConfig | None = None) -> EDMDenoiser:
    """``arch``'s backbone wrapped in EDM preconditioning."""
    return EDMDenoiser(build_backbone(arch, layout, preset), edm)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
