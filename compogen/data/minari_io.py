"""Transitions in Minari's episode format, both ways.

A Minari episode of ``T`` steps holds ``observations`` ``[T + 1]`` (the first and the final
observation included), ``actions``, ``rewards``, ``terminations``, ``truncations`` ``[T]``; step
``t`` goes from ``observations[t]`` to ``observations[t + 1]``, and the episode ends at its first
True flag. compogen writes two layouts, named in ``metadata["compogen"]["layout"]``; in both,
``observations[t + 1]`` is the next state of step ``t``, and an episode's last step carries exactly
one flag, ``terminations[-1] = d`` or else ``truncations[-1] = True`` (ended without reaching a
terminal state: a time limit, or the data end there), earlier steps none. So every Minari
consumer (``obs[:-1]`` as s, ``obs[1:]`` as s') reads exact transitions, and d3rlpy, which refuses
a step that is both terminal and timed out, takes every episode:

- :data:`EPISODES` (``"episodes"``): data whose rows are episodes (:func:`episode_bounds`), one
  Minari episode per episode.
- :data:`TRANSITIONS` (``"transitions"``): independent transitions, each its own one-step episode
  ``observations = [s, s']``; exact for everyone, at about 15 KB and a few ms per transition.

The data's own ``timeouts`` (which a truncation does not tell apart from the data's end) are kept
as the ids of the episodes whose last step had one, ``metadata["compogen"]["timeout_episodes"]``,
so :func:`read_minari` gives the published :class:`Transitions` back exactly.

:func:`read_minari` also reads compogen's older datasets (``"independent-transitions"``: chunks of
unrelated transitions with s' in ``infos["next_observations"]``) and any ordinary Minari dataset
with flat Box observations, or goal-conditioned Dict observations (``observation`` and
``desired_goal``, concatenated as d3rlpy's ``get_minari`` does): next state = ``observations[t + 1]``
within an episode, truncations become ``timeouts``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from compogen.data.transitions import Transitions
from compogen.errors import DataError
from compogen.tasks.space import Task

__all__ = [
    "EPISODES",
    "INDEPENDENT",
    "LAYOUTS",
    "TRANSITIONS",
    "episode_bounds",
    "episode_buffers",
    "layout_record",
    "read_minari",
    "write_minari_storage",
]

#: ``metadata["compogen"]["layout"]`` of datasets whose Minari episodes are the data's episodes.
EPISODES = "episodes"
#: ``metadata["compogen"]["layout"]`` of datasets of independent transitions, one per Minari episode.
TRANSITIONS = "transitions"
#: The layouts :func:`write_minari_storage` writes.
LAYOUTS = (EPISODES, TRANSITIONS)
#: Layout of compogen's older datasets (chunks of unrelated transitions, s' in infos); read, never written.
INDEPENDENT = "independent-transitions"
_NEXT = "next_observations"


def episode_bounds(data: Transitions) -> list[slice] | None:
    """The episodes of ``data`` as row slices, or None when its rows are not episodes.

    Rows are episodes when, in row order, an episode ends at its first row with ``terminals |
    timeouts`` (the data's last row ends the last one) and inside every episode
    ``next_observations[t] == observations[t + 1]`` exactly.

    >>> import numpy as np
    >>> obs = np.arange(5, dtype=np.float32).reshape(5, 1)
    >>> nxt = np.array([[1], [2], [9], [4], [7]], np.float32)
    >>> done = np.array([False, False, True, False, False])
    >>> data = Transitions(obs, np.zeros((5, 1), np.float32), np.zeros(5, np.float32), nxt, done)
    >>> episode_bounds(data)
    [slice(0, 3, None), slice(3, 5, None)]
    >>> data.next_observations[0] = 5.0
    >>> episode_bounds(data) is None
    True
    """
    n = len(data)
    ends = np.asarray(data.terminals, bool) | np.asarray(data.timeouts, bool)
    if n == 0:
        return []
    inside = ~ends[:-1]
    if not np.array_equal(data.next_observations[:-1][inside], data.observations[1:][inside]):
        return None
    last = np.flatnonzero(ends[:-1])
    starts = np.concatenate([[0], last + 1])
    stops = np.concatenate([last + 1, [n]])
    return [slice(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def episode_buffers(data: Transitions, layout: str = EPISODES, bounds: list[slice] | None = None):
    """``data`` as Minari ``EpisodeBuffer`` s in ``layout`` (a generator); :class:`DataError` when
    ``layout`` is :data:`EPISODES` and the rows are not episodes."""
    from minari.data_collector import EpisodeBuffer

    if layout not in LAYOUTS:
        raise DataError(f"unknown Minari layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    obs = np.ascontiguousarray(data.observations, np.float32)
    nxt = np.ascontiguousarray(data.next_observations, np.float32)
    act = np.ascontiguousarray(data.actions, np.float32)
    rew = np.asarray(data.rewards, np.float32)
    term = np.asarray(data.terminals, bool)
    if layout == TRANSITIONS:
        for i in range(len(data)):
            yield EpisodeBuffer(
                observations=np.stack([obs[i], nxt[i]]),
                actions=act[i : i + 1],
                rewards=rew[i : i + 1],
                terminations=term[i : i + 1],
                truncations=~term[i : i + 1],
            )
        return
    bounds = _bounds(data, bounds)
    for sl in bounds:
        k = sl.stop - sl.start
        terminations = np.zeros(k, bool)
        truncations = np.zeros(k, bool)
        terminations[-1] = term[sl.stop - 1]
        truncations[-1] = not term[sl.stop - 1]
        yield EpisodeBuffer(
            observations=np.concatenate([obs[sl], nxt[sl.stop - 1 : sl.stop]]),
            actions=act[sl],
            rewards=rew[sl],
            terminations=terminations,
            truncations=truncations,
        )


def _bounds(data: Transitions, bounds: list[slice] | None) -> list[slice]:
    bounds = episode_bounds(data) if bounds is None else bounds
    if bounds is None:
        raise DataError("the rows are not episodes (next_observations[t] != observations[t + 1] inside an episode)")
    return bounds


def layout_record(data: Transitions, layout: str, bounds: list[slice] | None = None) -> dict[str, Any]:
    """What :func:`read_minari` needs to give ``data`` back exactly from its Minari episodes (it goes
    into ``metadata["compogen"]``): the layout, and the ids of the episodes whose last step had a timeout."""
    timeouts = np.asarray(data.timeouts, bool)
    if layout == TRANSITIONS:
        return {"layout": TRANSITIONS, "timeout_episodes": [int(i) for i in np.flatnonzero(timeouts)]}
    last = np.array([sl.stop - 1 for sl in _bounds(data, bounds)], dtype=np.int64)
    return {"layout": EPISODES, "timeout_episodes": [int(i) for i in np.flatnonzero(timeouts[last])] if len(last) else []}


def write_minari_storage(
    data_path: str | os.PathLike,
    data: Transitions,
    observation_space: Any,
    action_space: Any,
    metadata: dict[str, Any],
    env_spec: Any = None,
    layout: str = EPISODES,
) -> None:
    """Write ``data`` in ``layout`` as a Minari HDF5 storage into the new directory ``data_path`` (a
    dataset's ``data/`` folder); ``metadata["compogen"]`` gets :func:`layout_record`."""
    from minari.dataset.minari_storage import MinariStorage

    if layout not in LAYOUTS:
        raise DataError(f"unknown Minari layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    bounds = episode_bounds(data) if layout == EPISODES else None
    meta = dict(metadata)
    meta["compogen"] = {**(meta.get("compogen") or {}), **layout_record(data, layout, bounds)}
    storage = MinariStorage.new(data_path, observation_space=observation_space, action_space=action_space, env_spec=env_spec, data_format="hdf5")
    storage.update_metadata(meta)
    storage.update_episodes(episode_buffers(data, layout, bounds))


def _flat_observations(obs: Any, name: str) -> np.ndarray:
    if isinstance(obs, dict) and "observation" in obs and "desired_goal" in obs:  # goal-conditioned, as d3rlpy's get_minari joins it
        goal = obs["desired_goal"]
        if isinstance(goal, dict):
            goal = np.concatenate([goal[k] for k in sorted(goal)], axis=-1)
        obs = np.concatenate([obs["observation"], goal], axis=-1)
    if not isinstance(obs, np.ndarray) or obs.ndim != 2:
        raise DataError(f"{name}: only flat Box observations (or goal-conditioned Dict ones) are supported, got {type(obs).__name__}")
    return obs


def read_minari(dataset: Any, task: Task | None = None) -> Transitions:
    """A Minari dataset (object or id) as exact :class:`Transitions`, in episode order.

    compogen's datasets come back exactly as published (both layouts, and the older chunks);
    ordinary datasets take ``observations[t + 1]`` within each episode, and their truncations
    become ``timeouts``.
    """
    import minari

    if isinstance(dataset, str):
        try:
            dataset = minari.load_dataset(dataset)
        except (FileNotFoundError, ValueError) as e:
            raise DataError(f"cannot load Minari dataset {dataset!r}: {e}") from None
    name = getattr(dataset, "id", None) or "Minari dataset"
    recorded = dataset.storage.metadata.get("compogen") or {}
    layout = recorded.get("layout")
    timeout_episodes = set(recorded.get("timeout_episodes") or ())
    if task is None and recorded.get("task"):
        from compogen.suites.registry import suite_for_task

        task = suite_for_task(recorded["task"]).parse(recorded["task"])
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")}
    for ep in dataset.iterate_episodes():
        obs = _flat_observations(ep.observations, name)
        n = len(ep.rewards)
        nxt = (ep.infos or {}).get(_NEXT) if layout == INDEPENDENT else None
        cols["observations"].append(obs[:n])
        cols["next_observations"].append(nxt[1 : n + 1] if nxt is not None else obs[1 : n + 1])
        cols["actions"].append(np.asarray(ep.actions).reshape(n, -1))
        cols["rewards"].append(ep.rewards)
        cols["terminals"].append(ep.terminations)
        if layout in LAYOUTS:
            timeouts = np.zeros(n, bool)
            timeouts[-1] = int(ep.id) in timeout_episodes
        elif layout == INDEPENDENT:
            timeouts = np.zeros(n, bool)
        else:
            timeouts = np.asarray(ep.truncations, bool)
        cols["timeouts"].append(timeouts)
    if not cols["observations"]:
        raise DataError(f"{name}: the dataset has no episodes")
    return Transitions(
        observations=np.concatenate(cols["observations"]).astype(np.float32),
        actions=np.concatenate(cols["actions"]).astype(np.float32),
        rewards=np.concatenate(cols["rewards"]).astype(np.float32).reshape(-1),
        next_observations=np.concatenate(cols["next_observations"]).astype(np.float32),
        terminals=np.concatenate(cols["terminals"]).astype(bool),
        timeouts=np.concatenate(cols["timeouts"]).astype(bool),
        tasks=[task] if task is not None else [],
    )
