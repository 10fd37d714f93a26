"""Transitions in Minari's episode format, both ways.

compogen's generators make independent transitions ``(s, a, r, s', d)``, not
trajectories. In a Minari dataset they are stored in chunks of ``per_episode``
transitions, one chunk per Minari episode of ``K`` steps::

    observations[t]                    s_t (t < K); observations[K] = s'_{K-1}
    actions[t], rewards[t]             a_t, r_t
    terminations[t]                    d_t
    truncations[t]                     not d_t (each transition ends its own one-step piece)
    infos["next_observations"][t + 1]  s'_t (Minari keeps step t's info at t + 1; row 0 repeats s_0)

Inside a chunk ``observations[t + 1]`` is therefore **not** the next state of step
``t``: read ``infos["next_observations"]`` (or use :func:`read_minari`). With
``per_episode=1`` every transition is a one-step episode ``[s, s']`` that every
Minari consumer reads exactly, at about 15 KB, 4 ms to publish and 3 ms to load per
transition; chunks of 1,000 cost about the raw array size (``benchmarks/results/publish.md``).

:func:`read_minari` also reads any ordinary Minari dataset with Box observations
(next state = ``observations[t + 1]`` within an episode).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from compogen.data.transitions import Transitions
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = ["INDEPENDENT", "PER_EPISODE", "episode_buffers", "read_minari", "write_minari_storage"]

#: ``metadata["compogen"]["layout"]`` of datasets holding independent transitions.
INDEPENDENT = "independent-transitions"
#: Transitions per Minari episode by default (a 100k-transition dataset publishes and loads in well under a second).
PER_EPISODE = 1000
_NEXT = "next_observations"


def episode_buffers(data: Transitions, per_episode: int = PER_EPISODE) -> list:
    """``data`` as Minari ``EpisodeBuffer`` chunks of ``per_episode`` independent transitions (layout above)."""
    from minari.data_collector import EpisodeBuffer

    if per_episode < 1:
        raise DataError(f"per_episode must be >= 1, got {per_episode}")
    obs = np.ascontiguousarray(data.observations, np.float32)
    nxt = np.ascontiguousarray(data.next_observations, np.float32)
    act = np.ascontiguousarray(data.actions, np.float32)
    rew = np.asarray(data.rewards, np.float32)
    term = np.asarray(data.terminals, bool)
    out = []
    for i in range(0, len(data), per_episode):
        j = min(len(data), i + per_episode)
        infos = {_NEXT: np.concatenate([obs[i : i + 1], nxt[i:j]])} if per_episode > 1 else {}
        out.append(
            EpisodeBuffer(
                observations=np.concatenate([obs[i:j], nxt[j - 1 : j]]),
                actions=act[i:j],
                rewards=rew[i:j],
                terminations=term[i:j],
                truncations=~term[i:j],
                infos=infos,
            )
        )
    return out


def write_minari_storage(
    data_path: str | os.PathLike,
    data: Transitions,
    observation_space: Any,
    action_space: Any,
    metadata: dict[str, Any],
    env_spec: Any = None,
    per_episode: int = PER_EPISODE,
) -> None:
    """Write ``data`` as a Minari HDF5 storage into the new directory ``data_path`` (its ``data/`` folder)."""
    from minari.dataset.minari_storage import MinariStorage

    storage = MinariStorage.new(data_path, observation_space=observation_space, action_space=action_space, env_spec=env_spec, data_format="hdf5")
    storage.update_metadata(metadata)
    storage.update_episodes(episode_buffers(data, per_episode))


def read_minari(dataset: Any, task: Task | None = None) -> Transitions:
    """A Minari dataset (object or id) as exact :class:`Transitions`.

    compogen's datasets keep each step's next state in ``infos["next_observations"]``;
    ordinary datasets take ``observations[t + 1]`` within each episode, and their
    truncations become ``timeouts``.
    """
    import minari

    if isinstance(dataset, str):
        try:
            dataset = minari.load_dataset(dataset)
        except (FileNotFoundError, ValueError) as e:
            raise DataError(f"cannot load Minari dataset {dataset!r}: {e}") from None
    name = getattr(dataset, "id", None) or "Minari dataset"
    recorded = dataset.storage.metadata.get("compogen") or {}
    independent = recorded.get("layout") == INDEPENDENT
    if task is None and recorded.get("task"):
        from compogen.suites.registry import suite_for_task

        task = suite_for_task(recorded["task"]).parse(recorded["task"])
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")}
    for ep in dataset.iterate_episodes():
        obs = ep.observations
        if not isinstance(obs, np.ndarray) or obs.ndim != 2:
            raise DataError(f"{name}: only flat Box observations are supported, got {type(obs).__name__}")
        n = len(ep.rewards)
        infos = ep.infos or {}
        nxt = infos.get(_NEXT)
        cols["observations"].append(obs[:n])
        cols["next_observations"].append(nxt[1 : n + 1] if nxt is not None else obs[1 : n + 1])
        cols["actions"].append(np.asarray(ep.actions).reshape(n, -1))
        cols["rewards"].append(ep.rewards)
        cols["terminals"].append(ep.terminations)
        cols["timeouts"].append(np.zeros(n, bool) if independent else ep.truncations)
    if not cols["observations"]:
        raise DataError(f"{name}: the dataset has no episodes")
    return Transitions(
        observations=np.concatenate(cols["observations"]).astype(np.float32),
        actions=np.concatenate(cols["actions"]).astype(np.float32),
        rewards=np.concatenate(cols["rewards"]).astype(np.float32),
        next_observations=np.concatenate(cols["next_observations"]).astype(np.float32),
        terminals=np.concatenate(cols["terminals"]).astype(bool),
        timeouts=np.concatenate(cols["timeouts"]).astype(bool),
        tasks=[task] if task is not None else [],
    )
