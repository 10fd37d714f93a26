"""Compositional diffusion generators (EDM) over flat transitions ``[s, a, r, s', d]``.

* :mod:`~compogen.generator.edm` — preconditioning, loss, noise schedule;
* :mod:`~compogen.generator.samplers` — paper stochastic Heun, fast Heun, DPM-Solver++(2M);
* :mod:`~compogen.generator.architectures` — ``mlp``, ``dit``, ``semantic-dit``, ``sc-dit``;
* :mod:`~compogen.generator.presets` — ``paper``, ``small``, ``laptop``, ``cpu``, ``tiny``;
* :mod:`~compogen.generator.train` — :func:`train_generator`;
* :mod:`~compogen.generator.checkpoint` — run directories;
* :mod:`~compogen.generator.generate` — :class:`Generator`, :func:`generate`;
* :mod:`~compogen.generator.conditional` — conditional sampling (inpainting, reconstruction guidance);
* :mod:`~compogen.generator.episodes` — whole synthetic episodes, :func:`generate_episodes`;
* :mod:`~compogen.generator.model_env` — :class:`ModelEnv`, a Gymnasium env whose ``step()`` the generator serves.
"""

from compogen.generator.architectures import ARCHITECTURES, build_backbone, build_denoiser, count_parameters
from compogen.generator.checkpoint import read_checkpoint
from compogen.generator.edm import EDMConfig, EDMDenoiser
from compogen.generator.episodes import generate_episodes, synthesize_episodes
from compogen.generator.generate import Generator, generate
from compogen.generator.model_env import ModelEnv
from compogen.generator.presets import GENERATOR_PRESETS, GeneratorPreset, get_preset
from compogen.generator.samplers import SAMPLERS, SamplerConfig, get_sampler, run_sampler
from compogen.generator.train import TrainConfig, train_generator

__all__ = [
    "ARCHITECTURES",
    "EDMConfig",
    "EDMDenoiser",
    "Generator",
    "ModelEnv",
    "GeneratorPreset",
    "GENERATOR_PRESETS",
    "SAMPLERS",
    "SamplerConfig",
    "build_backbone",
    "build_denoiser",
    "count_parameters",
    "generate",
    "generate_episodes",
    "get_preset",
    "get_sampler",
    "read_checkpoint",
    "run_sampler",
    "synthesize_episodes",
    "TrainConfig",
    "train_generator",
]
