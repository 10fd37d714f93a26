"""Reference validator: d3rlpy 2.8.1 TD3+BC (or BC, IQL), one (task, seed) policy at a time.

The d3rlpy dataset comes from :func:`compogen.rl.adapters.to_d3rlpy` (never
``d3rlpy.datasets.get_minari``, which shifts observations): row ``i`` of the
buffer is exactly transition ``i`` with its stored next observation.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import numpy as np
import torch

from compogen.data import Transitions
from compogen.data.normalizer import Normalizer, observation_normalizer
from compogen.rl.adapters import to_d3rlpy
from compogen.rl.policy_io import policy_tensors
from compogen.rl.targets import absorbing_success_rewards
from compogen.seeding import isolated_global_rng
from compogen.suites.base import Suite
from compogen.tasks.space import Task
from compogen.validation.config import ValidationConfig
from compogen.validation.evaluate import train_and_keep_best
from compogen.validation.results import SeedResult

__all__ = ["make_algo", "run_d3rlpy", "actor_state_d3rlpy"]


def make_algo(config: ValidationConfig, observations: np.ndarray):
    """The d3rlpy algorithm of ``config`` with state normalization from ``observations``."""
    import d3rlpy
    from d3rlpy.models.encoders import VectorEncoderFactory
    from d3rlpy.preprocessing import StandardObservationScaler

    scaler = None
    if config.normalize_states:
        raw = Normalizer.fit(observations, min_std=0.0)  # d3rlpy adds eps itself
        scaler = StandardObservationScaler(mean=raw.mean, std=raw.std, eps=config.normalize_eps)
    common: dict[str, Any] = dict(
        observation_scaler=scaler,
        actor_learning_rate=config.actor_lr,
        critic_learning_rate=config.critic_lr,
        actor_encoder_factory=VectorEncoderFactory(hidden_units=list(config.actor_hidden)),
        critic_encoder_factory=VectorEncoderFactory(hidden_units=list(config.critic_hidden)),
        batch_size=config.batch_size,
        gamma=config.gamma,
        tau=config.tau,
    )
    if config.algo == "td3bc":
        cfg = d3rlpy.algos.TD3PlusBCConfig(
            target_smoothing_sigma=config.policy_noise,
            target_smoothing_clip=config.noise_clip,
            alpha=config.alpha,
            update_actor_interval=config.policy_delay,
            **common,
        )
    elif config.algo == "bc":
        cfg = d3rlpy.algos.BCConfig(
            observation_scaler=scaler,
            learning_rate=config.actor_lr,
            encoder_factory=VectorEncoderFactory(hidden_units=list(config.actor_hidden)),
            batch_size=config.batch_size,
            policy_type="deterministic",
        )
    else:
        cfg = d3rlpy.algos.IQLConfig(
            value_encoder_factory=VectorEncoderFactory(hidden_units=list(config.critic_hidden)),
            expectile=config.iql_expectile,
            weight_temp=config.iql_temperature,
            **common,
        )
    device = config.device if config.device.startswith("cuda") else False
    return cfg.create(device=device)


def actor_state_d3rlpy(algo, obs_norm: Normalizer) -> dict[str, torch.Tensor]:
    """The deterministic actor (encoder layers + mean head) in compogen's policy-file layout."""
    policy = algo.impl.policy if hasattr(algo.impl, "policy") else algo.impl._modules.imitator
    linears = [m for m in policy._encoder.modules() if isinstance(m, torch.nn.Linear)]
    head = policy._fc if hasattr(policy, "_fc") else policy._mu
    return policy_tensors([(m.weight, m.bias) for m in [*linears, head]], obs_norm)


def run_d3rlpy(
    suite: Suite,
    task: Task | str,
    data: Transitions,
    seed: int,
    config: ValidationConfig,
    progress: bool = True,
) -> tuple[SeedResult, dict[str, torch.Tensor]]:
    """Train one policy with d3rlpy on ``data`` (one task's checked transitions), evaluating as configured.

    Returns the best evaluation as a :class:`SeedResult` and the best actor's tensors.
    """
    t0 = time.perf_counter()
    with isolated_global_rng():  # d3rlpy.seed (and importing d3rlpy) changes the global generators
        import d3rlpy

        logging.getLogger("d3rlpy").setLevel(logging.WARNING)
        d3rlpy.seed(int(seed))
        if config.absorbing_success:  # d3rlpy's own TD target then values a success as absorbing
            data = dataclasses.replace(data, rewards=absorbing_success_rewards(data.rewards, data.terminals, config.gamma))
        buffer = to_d3rlpy(data)
        algo = make_algo(config, data.observations)
        algo.build_with_dataset(buffer)
        obs_norm = observation_normalizer(data.observations, config.normalize_eps, config.normalize_states)

        def train(n, tick):
            for _ in range(n):
                algo.update(buffer.sample_transition_batch(config.batch_size))
                tick(1)

        [(result, state)] = train_and_keep_best(
            suite,
            [task],
            [seed],
            config,
            train,
            lambda o: algo.predict(o[0])[None],
            lambda p: actor_state_d3rlpy(algo, obs_norm),
            progress=progress,
            desc=f"validate (d3rlpy {config.algo}) seed {seed}",
            started=t0,
        )
        return result, state
