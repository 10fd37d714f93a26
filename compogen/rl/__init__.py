"""Acting in a suite's envs: expert rollouts and dataset collection (shared by the CLI, the loop and benchmarks)."""

from compogen.rl.rollout import CollectConfig, collect, collect_task, expert_transitions, rollout_expert

__all__ = ["CollectConfig", "collect", "collect_task", "expert_transitions", "rollout_expert"]
