"""The suite abstraction: everything downstream of a suite is suite-agnostic.

A suite names its task space (axes and elements), makes Gymnasium envs for its
tasks, and declares its observation layout. Envs follow Gymnasium 1.x: float32
observations, ``terminated``/``truncated`` kept apart, ``info["success"]`` set on
every step, and a reward that equals 1 exactly on success.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from compogen.errors import CompogenError
from compogen.layouts.observation import ObservationLayout
from compogen.tasks.space import Task, TaskSpace
from compogen.tasks.splits import resolve_tasks

__all__ = ["ENV_ID", "SUCCESS_REWARD", "Suite", "env_id", "register_task_envs", "success_steps"]


#: The suites' contract: an episode succeeds exactly when a step's reward reaches this value (the
#: paper's definition; ``info["success"]`` is set on that step). Evaluation (validators, online RL,
#: the multi-task BC baselines) and data summaries decide success by the reward
#: (:func:`success_steps`), so that data without infos is judged alike.
SUCCESS_REWARD = 1.0


def success_steps(rewards: Sequence[float] | np.ndarray, threshold: float = SUCCESS_REWARD) -> np.ndarray:
    """Which steps succeed: the reward reaches ``threshold`` (:data:`SUCCESS_REWARD`), element-wise.

    >>> success_steps([0.0, 1.0, 0.99]).tolist()
    [False, True, False]
    """
    return np.asarray(rewards, dtype=np.float64) >= threshold


#: Gymnasium id of a task's env, registered on ``import compogen`` (task ids are unique across suites).
ENV_ID = "compogen/{task_id}-v0"


def env_id(task_id: str) -> str:
    """``compogen/<task-id>-v0``: the Gymnasium id of the task's simulator."""
    return ENV_ID.format(task_id=task_id)


def register_task_envs(space: TaskSpace, entry_point: str, max_episode_steps: int) -> list[str]:
    """Register ``compogen/<task-id>-v0`` for every task of ``space`` (idempotent; returns the ids).

    ``entry_point`` is a ``"module:function"`` string taking ``task_id=``, so registering imports
    no simulator; ``max_episode_steps`` is the env's own horizon (libraries read it from the spec).
    """
    ids = []
    for task in space:
        tid = space.task_id(task)
        eid = env_id(tid)
        ids.append(eid)
        if eid not in gym.registry:
            gym.register(id=eid, entry_point=entry_point, kwargs={"task_id": tid}, max_episode_steps=max_episode_steps, disable_env_checker=True)
    return ids


class Suite(ABC):
    """A compositional benchmark: a task space, envs, and an observation layout."""

    #: Registry name (``builtin``, ``composuite``).
    name: str
    #: Element names per axis.
    space: TaskSpace
    #: Factor slices of the observation.
    observation_layout: ObservationLayout
    #: Size of the action vector (same for every task of the suite).
    action_dim: int
    #: Episode length limit.
    horizon: int
    #: Largest reward of a step that is not a success; a suite whose dense reward stops short of
    #: :data:`SUCCESS_REWARD` says so, and generated rewards above the gap's midpoint count as success.
    dense_reward_max: float = SUCCESS_REWARD
    #: Whether :meth:`expert` gives a scripted expert (then ``compogen collect`` and ``bootstrap`` can make real data).
    has_expert: bool = False

    @abstractmethod
    def make_env(self, task: Task | str, **kwargs: Any) -> gym.Env:
        """A Gymnasium env for one task."""

    def make_vector_env(self, task: Task | str, num_envs: int, **kwargs: Any) -> gym.vector.VectorEnv:
        """Several copies of one task's env, stepped together (override for speed)."""
        task = self.parse(task)
        return gym.vector.SyncVectorEnv([lambda: self.make_env(task, **kwargs) for _ in range(num_envs)])

    def observation_space(self) -> gym.spaces.Box:
        """Every task's observation space: float32 vectors of the layout's size."""
        return gym.spaces.Box(-np.inf, np.inf, shape=(self.observation_layout.dim,), dtype=np.float32)

    def action_space(self) -> gym.spaces.Box:
        """Every task's action space: the suites' contract is actions in [-1, 1]."""
        return gym.spaces.Box(-1.0, 1.0, shape=(self.action_dim,), dtype=np.float32)

    def env_id(self, task: Task | str) -> str:
        """The registered Gymnasium id of ``task``'s env (``gymnasium.make(suite.env_id(task))``)."""
        return env_id(self.task_id(task))

    def reference_scores(self, task: Task | str) -> tuple[float, float] | None:
        """Mean episode return of a random policy and of an expert on ``task`` (D4RL/Minari score
        normalisation), or None where the suite has no measured values."""
        return None

    def reference_episodes(self, task: Task | str) -> int | None:
        """How many episodes each of :meth:`reference_scores`' means averages (Minari's
        ``num_episodes_average_score``), or None where there are no reference scores."""
        return None

    def expert(self, task: Task | str, config: Any = None):
        """A scripted expert for ``task``: an object with ``reset()`` and ``act(obs) -> action``."""
        raise CompogenError(f"suite {self.name!r} has no scripted expert; collect and bootstrap need one to make real data")

    # -- tasks ---------------------------------------------------------------------
    def parse(self, task: Task | str | Sequence[str]) -> Task:
        return self.space.parse(task)

    def task_id(self, task: Task | str) -> str:
        return self.space.task_id(task)

    def tasks(self, spec: str | list[str] = "all") -> list[Task]:
        """Resolve a split spec (``iiwa:train14``, ``default:0:test``, ids, ...) on this suite."""
        return resolve_tasks(spec, self.space)

    def transition_layout(self):
        """The generator's flat ``[s, a, r, s', d]`` layout for this suite."""
        from compogen.layouts.transition import TransitionLayout

        return TransitionLayout(self.space, self.observation_layout, self.action_dim)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.space)} tasks, obs {self.observation_layout.dim}, act {self.action_dim}>"
