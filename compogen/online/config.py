"""Settings of an online RL run (RLPD or SAC) and their named presets.

``rlpd-paper`` and ``sac-paper`` are the paper's Tables 6 and 7; the ``-cpu``
presets are sized for a 2-core laptop (measured: ``benchmarks/results/online_*.md``).
SAC here is the same agent with 2 critics, no offline data and one critic update
per environment step, exactly Table 7's online SAC (LayerNorm critics, its own
critic learning rate), which stable-baselines3's SAC cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass

from compogen.config import Config
from compogen.errors import CompogenError
from compogen.registry import Registry

__all__ = ["ALGOS", "ONLINE_PRESETS", "OnlineConfig", "online_preset"]

#: The online algorithms: ``rlpd`` (needs offline data) and ``sac`` (from scratch, or warm-started).
ALGOS = ("rlpd", "sac")


@dataclass(frozen=True)
class OnlineConfig(Config):
    """One online RL run on one task (defaults: the paper's RLPD, Table 6)."""

    algo: str = "rlpd"
    """``rlpd`` or ``sac`` (the algorithm's name in results; the settings below decide what runs)."""
    steps: int = 100_000
    """Environment interactions (training steps, all envs together)."""
    hidden: tuple[int, ...] = (256, 256)
    """Hidden sizes of actor and critics."""
    critics: int = 10
    """Critics in the ensemble (RLPD 10, SAC 2)."""
    critic_subsample: int = 2
    """Critics whose minimum forms the target (RLPD: a random 2 of 10)."""
    layer_norm: bool = True
    """LayerNorm in the critics."""
    actor_lr: float = 3e-4
    """Actor learning rate (Adam)."""
    critic_lr: float = 3e-4
    """Critic learning rate (Adam)."""
    temperature_lr: float = 3e-4
    """Learning rate of log α."""
    init_temperature: float = 0.2
    """Initial entropy coefficient α (autotuned)."""
    target_entropy: float | None = None
    """Target entropy; None: −|A|/2 (RLPD)."""
    backup_entropy: bool = True
    """Subtract α·log π(a'|s') in the critic target."""
    batch_size: int = 256
    """Minibatch size of every update."""
    utd: int = 20
    """Critic updates per environment step (update-to-data ratio)."""
    offline_ratio: float = 0.5
    """Share of each minibatch drawn from the offline data (symmetric sampling: 0.5)."""
    gamma: float = 0.99
    """Discount."""
    normalize_observations: bool = True
    """Standardise observations with the offline data's mean and std (TD3+BC's normalisation, as the
    validator does); without offline data observations stay as they are."""
    absorbing_success: bool = True
    """Value a success that ends the episode as an absorbing state (see :mod:`compogen.rl.targets`);
    without it, built-in tasks pay more for hovering near the goal than for succeeding."""
    tau: float = 0.005
    """Polyak rate of the target critics (after every critic update)."""
    random_steps: int = 0
    """Uniform-random actions for the first N environment steps (without offline data: exploration)."""
    learning_starts: int = 0
    """No updates before this many online transitions exist."""
    num_envs: int = 1
    """Environments stepped together (each step adds num_envs transitions and num_envs × utd updates)."""
    eval_every: int = 10_000
    """Evaluate (and checkpoint) every N environment steps."""
    eval_episodes: int = 10
    """Evaluation episodes (deterministic policy, fixed seeds)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))

    def check(self) -> OnlineConfig:
        if self.algo not in ALGOS:
            raise CompogenError(f"algo must be one of {', '.join(ALGOS)}, got {self.algo!r}")
        for name in ("steps", "critics", "critic_subsample", "batch_size", "utd", "num_envs", "eval_every", "eval_episodes"):
            if getattr(self, name) < 1:
                raise CompogenError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.critic_subsample > self.critics:
            raise CompogenError(f"critic_subsample ({self.critic_subsample}) cannot exceed critics ({self.critics})")
        if not 0.0 <= self.offline_ratio <= 1.0:
            raise CompogenError(f"offline_ratio must be in [0, 1], got {self.offline_ratio}")
        if not self.hidden or min(self.hidden) < 1:
            raise CompogenError(f"hidden sizes must be positive, got {self.hidden}")
        return self


#: What makes the agent Table 7's SAC rather than RLPD (the presets below differ only in budget and size).
_SAC = dict(algo="sac", critics=2, critic_subsample=2, critic_lr=1e-3, utd=1, offline_ratio=0.0)

ONLINE_PRESETS: Registry[OnlineConfig] = Registry(
    "online preset",
    {
        # Table 6 (RLPD with real expert data; Table 7 uses 500k steps and evaluates every 50k)
        "rlpd-paper": OnlineConfig(),
        # Table 7's online SAC from scratch
        "sac-paper": OnlineConfig(**_SAC, steps=5_000_000, random_steps=5_000, learning_starts=5_000, eval_every=50_000),
        # laptop sizes: the same algorithms with 64-wide networks, half-size batches and UTD 2 for RLPD
        # (a 10-critic update of 256-wide networks takes ~40 ms on one CPU core: 20 per step is out of reach)
        "rlpd-cpu": OnlineConfig(steps=20_000, hidden=(64, 64), batch_size=128, utd=2, eval_every=2_000),
        "sac-cpu": OnlineConfig(**_SAC, steps=20_000, hidden=(64, 64), batch_size=128, random_steps=2_000, learning_starts=2_000, eval_every=2_000),
        # a few seconds: tests and smoke runs
        "tiny": OnlineConfig(steps=200, hidden=(32, 32), critics=4, utd=2, batch_size=32, eval_every=100, eval_episodes=2),
    },
)


def online_preset(name: str, **overrides) -> OnlineConfig:
    """Preset ``name`` with ``overrides`` (checked)."""
    return ONLINE_PRESETS.create(name, **overrides).check()
