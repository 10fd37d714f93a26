"""Acting in a suite's envs and feeding other RL libraries: rollouts, dataset collection, and adapters
(d3rlpy, D4RL-style arrays, stable-baselines3) shared by validation, publishing and online RL."""

from compogen.rl.adapters import fill_sb3_buffer, load_transitions, scale_actions, to_d3rlpy, to_d4rl, to_sb3_buffer
from compogen.rl.rollout import CollectConfig, collect, collect_task, expert_transitions, rollout_expert
from compogen.rl.targets import absorbing_success_rewards, td_target

__all__ = [
    "CollectConfig",
    "absorbing_success_rewards",
    "collect",
    "collect_task",
    "expert_transitions",
    "fill_sb3_buffer",
    "load_transitions",
    "rollout_expert",
    "scale_actions",
    "td_target",
    "to_d3rlpy",
    "to_d4rl",
    "to_sb3_buffer",
]
