"""Named size presets: architecture size and training budget, in one registry.

A preset sizes both denoiser families (the MLP and the DiTs); the architecture
is picked separately by name (:data:`~compogen.generator.architectures.ARCHITECTURES`).
``paper`` is the paper's Table 1; ``small``/``cpu`` train in minutes on a laptop
CPU; ``tiny`` trains in seconds (tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compogen.config import Config, given
from compogen.generator.tokenizers import TOKENISATIONS
from compogen.registry import Registry

__all__ = ["GeneratorPreset", "GENERATOR_PRESETS", "get_preset"]


@dataclass(frozen=True)
class GeneratorPreset(Config):
    """Architecture size and training budget."""

    #: Registry name.
    name: str
    #: Residual MLP: width of every block.
    mlp_width: int
    #: Residual MLP: number of residual blocks.
    mlp_depth: int
    #: DiTs: token width.
    dit_hidden: int
    #: DiTs: number of adaLN-Zero blocks.
    dit_depth: int
    #: DiTs: attention heads.
    dit_heads: int
    #: Optimisation steps.
    steps: int
    #: Transitions per minibatch.
    batch_size: int
    #: AdamW learning rate for the MLP.
    lr_mlp: float = 3e-4
    #: AdamW learning rate for the DiTs.
    lr_dit: float = 1e-4
    #: AdamW weight decay for the MLP.
    wd_mlp: float = 0.0
    #: AdamW weight decay for the DiTs.
    wd_dit: float = 0.01
    #: Global gradient-norm clip.
    grad_clip: float = 1.0
    #: EMA decay of the sampling weights (per step, with warm-up ``min(decay, (1+k)/(10+k))``).
    ema_decay: float = 0.999
    #: Linear learning-rate warm-up steps before the cosine decay.
    warmup_steps: int = 0
    #: DiT MLP expansion ratio.
    dit_mlp_ratio: float = 4.0
    #: Semantic/compositional DiTs: ``split`` (the paper's 11 tokens) or ``paired`` (5 tokens: a factor's s and s' in one).
    dit_tokens: str = "split"
    #: DiTs: init std of the positional embeddings (0.02 as in DiT; 1.0: s and s' tokens apart at the tokens' scale).
    dit_pos_std: float = 0.02
    #: DiTs: zero-initialise the decoder (DiT's final-layer init); the denoiser starts at EDM's skip path.
    dit_zero_decoder: bool = False
    #: DiTs: condition the adaLN modulations on the task indicator as well as the noise level (the paper's
    #: ``u = E_t(t) + E_n(n)``). False: adaLN sees only the noise level, and the task reaches the compositional
    #: DiT only through its per-element encoders/decoders, so the shared blocks cannot key on task combinations (``dit`` and ``semantic-dit`` ignore it: they have no other way).
    dit_task_cond: bool = True
    #: Factor dropout: per training row and task axis, the probability of zeroing that axis' one-hot block of the
    #: task indicator, so the network also learns each element's effect without the others (sampling always
    #: gives the whole indicator). For denoisers that embed the indicator (``mlp``, ``dit``, ``semantic-dit``);
    #: ``sc-dit`` reads each axis' element from it and refuses a non-zero value.
    cond_dropout: float = 0.0
    #: Conditioning-mask training (``mlp`` only): the fraction of training rows whose ``s`` (half of them: ``s`` and
    #: ``a``) enters clean, marked by a mask input, with the loss on the other dims only. The model then samples
    #: ``(a, r, s', d)`` given ``s`` and ``(r, s', d)`` given ``(s, a)`` directly (:meth:`Generator.sample_given`,
    #: chained episodes, the model-mode env) instead of by inpainting the joint model; joint sampling is unchanged.
    #: 0: off (inpainting). Measured at 0.5 (``generator_fidelity_mlp_masks.md``): the learnt ``a | s`` trains BC no
    #: better than the inpainted one (1/14 training tasks past tau0 either way) and the joint samples get worse (6/14
    #: against 8/14), so every preset keeps 0. The learnt ``(r, s', d) | (s, a)`` is the better dynamics model
    #: (``conditional_fivelink_masks.md``: s' errors a third to a half lower than inpainting's): use it for ``ModelEnv``.
    cond_masks: float = 0.0
    #: Save a checkpoint every this many steps (and at the end).
    checkpoint_every: int = 5000

    def __post_init__(self) -> None:
        if self.dit_tokens not in TOKENISATIONS:
            raise ValueError(f"dit_tokens must be one of {TOKENISATIONS}, got {self.dit_tokens!r}")
        if not 0.0 <= self.cond_dropout < 1.0:
            raise ValueError(f"cond_dropout must be in [0, 1), got {self.cond_dropout}")
        if not 0.0 <= self.cond_masks < 1.0:
            raise ValueError(f"cond_masks must be in [0, 1), got {self.cond_masks}")

    def lr(self, arch: str) -> float:
        """AdamW learning rate of architecture ``arch`` (its registry entry picks ``lr_mlp`` or ``lr_dit``)."""
        from compogen.generator.architectures import ARCHITECTURES  # which imports this module

        return ARCHITECTURES[arch].lr(self)

    def weight_decay(self, arch: str) -> float:
        """AdamW weight decay of architecture ``arch`` (its registry entry picks ``wd_mlp`` or ``wd_dit``)."""
        from compogen.generator.architectures import ARCHITECTURES

        return ARCHITECTURES[arch].weight_decay(self)

    def override(self, **kw: Any) -> GeneratorPreset:
        """A copy with the given (not None) values."""
        return self.replace(**given(**kw))


#: The DiT design the CPU presets use, chosen on the held-out denoising loss
#: (benchmarks/results/generator_heldout.md) and training speed (generator_speed.md): 5 tokens instead of
#: 11, s and s' positions at the tokens' scale, DiT's zero-initialised decoder, half the block MLP width,
#: and (sc-dit only) the task reaching the blocks only through the per-element maps (held-out loss 0.337
#: against 0.350 with the paper's adaLN task conditioning, same training-task loss).
#: The ``paper`` preset keeps the paper's design.
LEAN_DIT = dict(dit_tokens="paired", dit_pos_std=1.0, dit_zero_decoder=True, dit_mlp_ratio=2.0, dit_task_cond=False)

GENERATOR_PRESETS: Registry[GeneratorPreset] = Registry(
    "generator preset",
    {
        # Table 1 of the paper (ema decay: our choice; the paper does not state it).
        "paper": GeneratorPreset(
            "paper",
            mlp_width=2048,
            mlp_depth=6,
            dit_hidden=416,
            dit_depth=8,
            dit_heads=8,
            steps=100_000,
            batch_size=1024,
            ema_decay=0.999,
            checkpoint_every=5000,
        ),
        # A few minutes on 1-2 CPU threads (~0.5-1.5M parameters).
        "small": GeneratorPreset(
            "small",
            mlp_width=512,
            mlp_depth=4,
            dit_hidden=128,
            dit_depth=4,
            dit_heads=4,
            steps=3000,
            batch_size=256,
            lr_dit=1e-3,
            **LEAN_DIT,
            ema_decay=0.995,
            warmup_steps=100,
            checkpoint_every=1000,
        ),
        # The laptop loop presets' generator (MLP 1024x4, ~21 steps/s on 2 CPU threads): the smallest size
        # whose synthetic data trains BC on the training tasks like real data does (measured in
        # benchmarks/results/generator_fidelity_mlp_quick.md; 512-wide MLPs and the cpu-sized sc-dit fall short).
        "laptop": GeneratorPreset(
            "laptop",
            mlp_width=1024,
            mlp_depth=4,
            dit_hidden=192,
            dit_depth=4,
            dit_heads=4,
            steps=5000,
            batch_size=256,
            lr_mlp=1e-3,
            lr_dit=1e-3,
            **LEAN_DIT,
            ema_decay=0.995,
            warmup_steps=100,
            checkpoint_every=1000,
        ),
        # Smaller still: a quick sanity run (~1 minute).
        "cpu": GeneratorPreset(
            "cpu",
            mlp_width=256,
            mlp_depth=3,
            dit_hidden=64,
            dit_depth=2,
            dit_heads=4,
            steps=1000,
            batch_size=256,
            lr_dit=5e-4,
            lr_mlp=5e-4,
            ema_decay=0.99,
            warmup_steps=50,
            checkpoint_every=500,
        ),
        # Seconds: unit tests.
        "tiny": GeneratorPreset(
            "tiny",
            mlp_width=32,
            mlp_depth=2,
            dit_hidden=32,
            dit_depth=1,
            dit_heads=2,
            steps=6,
            batch_size=32,
            lr_dit=1e-3,
            lr_mlp=1e-3,
            ema_decay=0.9,
            checkpoint_every=3,
        ),
    },
)


def get_preset(name: str | GeneratorPreset, **overrides: Any) -> GeneratorPreset:
    """The preset named ``name`` (or ``name`` itself if already a preset), with ``overrides``."""
    if isinstance(name, GeneratorPreset):
        return name.replace(**overrides) if overrides else name
    return GENERATOR_PRESETS.create(name, **overrides)
