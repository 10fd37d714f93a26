"""Settings of the offline-RL validator (the paper's Table 3) and named presets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compogen.config import Config
from compogen.errors import CompogenError
from compogen.registry import Registry

__all__ = ["ValidationConfig", "VALIDATION_PRESETS", "preset"]

#: ``td3bc`` (the paper's), ``bc`` (TD3+BC's actor loss without the Q term: behaviour cloning,
#: no critics trained), ``iql`` (alternative; d3rlpy only).
ALGOS = ("td3bc", "bc", "iql")
#: The algorithms the batched validator trains (the others run through d3rlpy).
BATCHED_ALGOS = ("td3bc", "bc")


@dataclass(frozen=True)
class ValidationConfig(Config):
    """How one (task, seed) policy is trained on synthetic data and evaluated in the simulator.

    Defaults are the paper's Table 3 (TD3+BC); CPU presets scale ``steps`` and ``batch_size`` down.
    """

    #: Offline RL algorithm: ``td3bc`` (the paper's), ``bc`` or ``iql`` (see :data:`ALGOS`).
    algo: str = "td3bc"
    #: Gradient steps per policy (paper: 50,000).
    steps: int = 50_000
    #: Mini-batch size (paper: 1024).
    batch_size: int = 1024
    #: Adam learning rate of the actor (paper: 3e-4).
    actor_lr: float = 3e-4
    #: Adam learning rate of the critics (paper: 3e-4).
    critic_lr: float = 3e-4
    #: Hidden layer widths of the actor MLP (paper: 256x256).
    actor_hidden: tuple[int, ...] = (256, 256)
    #: Hidden layer widths of each critic MLP (paper: 256x256).
    critic_hidden: tuple[int, ...] = (256, 256)
    #: Discount factor gamma (paper: 0.99).
    gamma: float = 0.99
    #: Value a success that ends the episode as an absorbing state (:mod:`compogen.rl.targets`);
    #: without it, built-in tasks pay the critic more for hovering near the goal than for succeeding.
    #: Off by default: it did not help TD3+BC at CPU budgets (4 held-out tasks, quick sizes, 6k steps,
    #: alpha 2.5: mean success 0.10 without, 0.025 with; benchmarks/results/validator_absorbing.md),
    #: and the BC presets train no critic.
    absorbing_success: bool = False
    #: Polyak rate of the target networks (paper: 0.005).
    tau: float = 0.005
    #: TD3+BC's alpha weighting the Q term against behaviour cloning (paper: 2.5).
    alpha: float = 2.5
    #: Std of the target-policy smoothing noise (paper: 0.2).
    policy_noise: float = 0.2
    #: Clip of the target-policy smoothing noise (paper: 0.5).
    noise_clip: float = 0.5
    #: Actor and target updates happen every ``policy_delay`` critic steps (paper: 2).
    policy_delay: int = 2
    #: IQL expectile (only for ``algo="iql"``).
    iql_expectile: float = 0.7
    #: IQL advantage temperature (only for ``algo="iql"``).
    iql_temperature: float = 3.0
    #: Evaluate in the simulator every this many gradient steps (paper: 5,000); the last step is always evaluated.
    eval_every: int = 5_000
    #: Episodes per evaluation (paper: 10).
    eval_episodes: int = 10
    #: Most envs stepped together per policy during evaluation (0: one env per episode).
    eval_envs: int = 0
    #: Normalize states with the mean/std of the task's synthetic observations (paper: yes).
    normalize_states: bool = True
    #: Epsilon added to the std when normalizing (d3rlpy's StandardObservationScaler uses 1e-3).
    normalize_eps: float = 1e-3
    #: RL seeds per task when the caller gives none (paper: 0-4).
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    #: Torch device of the batched validator (``cpu``, ``cuda``).
    device: str = "cpu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "actor_hidden", tuple(int(x) for x in self.actor_hidden))
        object.__setattr__(self, "critic_hidden", tuple(int(x) for x in self.critic_hidden))
        object.__setattr__(self, "seeds", tuple(int(x) for x in self.seeds))
        if self.algo not in ALGOS:
            raise CompogenError(f"validation config: algo must be one of {', '.join(ALGOS)}, got {self.algo!r}")
        for name in ("steps", "batch_size", "eval_every", "eval_episodes", "policy_delay"):
            if int(getattr(self, name)) < 1:
                raise CompogenError(f"validation config: {name} must be >= 1, got {getattr(self, name)}")
        if self.eval_envs < 0:
            raise CompogenError(f"validation config: eval_envs must be >= 0, got {self.eval_envs}")
        if not (0 < self.gamma <= 1 and 0 < self.tau <= 1):
            raise CompogenError("validation config: need 0 < gamma <= 1 and 0 < tau <= 1")

    def eval_steps(self) -> list[int]:
        """Gradient steps (1-based counts) after which the policy is evaluated."""
        pts = list(range(self.eval_every, self.steps + 1, self.eval_every))
        if not pts or pts[-1] != self.steps:
            pts.append(self.steps)
        return pts


#: Named presets. ``paper`` is Table 3 (TD3+BC, alpha 2.5). ``cpu`` and ``quick`` validate with
#: ``bc``: on the built-in suite's real expert data (8,000 transitions per held-out task, CPU
#: budgets of <= 10,000 steps) TD3+BC's Q term hurt at every weight measured (alpha 2.5 / 0.5 / 0.2 /
#: 0.1 / 0: mean success over 4 held-out tasks 0.25 / 0.78 / 0.75 / 0.88 / 1.00; see
#: benchmarks/results/validator_calibration.md), and BC trains no critics (about 3x cheaper per
#: step). ``quick`` fits the 15-minute bootstrap; ``tiny`` is for tests.
VALIDATION_PRESETS: Registry[ValidationConfig] = Registry(
    "validation preset",
    {
        "paper": ValidationConfig(),
        "cpu": ValidationConfig(algo="bc", steps=10_000, batch_size=256, eval_every=2_000, eval_episodes=10, seeds=(0, 1, 2)),
        "quick": ValidationConfig(
            algo="bc",
            steps=4_000,
            batch_size=256,
            actor_hidden=(128, 128),
            critic_hidden=(128, 128),
            eval_every=1_000,
            eval_episodes=10,
            seeds=(0,),
        ),
        "tiny": ValidationConfig(
            steps=200,
            batch_size=64,
            actor_hidden=(32, 32),
            critic_hidden=(32, 32),
            eval_every=100,
            eval_episodes=4,
            seeds=(0,),
        ),
    },
)


def preset(name: str, **overrides: Any) -> ValidationConfig:
    """The preset ``name`` with ``overrides`` applied."""
    return VALIDATION_PRESETS.create(name, **overrides)
