"""Transitions into other libraries' data structures, each an exact round trip.

Every adapter takes a *source*: :class:`~compogen.data.Transitions`, a synthetic
file (``.h5``/``.npz``), a ``MinariDataset`` or a Minari dataset id (compogen's, in
any layout, or ordinary episodes with flat Box or goal-conditioned Dict observations, where
the next state is ``observations[t + 1]``: :func:`~compogen.data.minari_io.read_minari`).
Next observations are always the stored ones, never rebuilt as ``obs[i + 1]`` across
independent rows.

- :func:`to_d4rl`: a D4RL ``qlearning_dataset``-style dict (CORL, JAX/PyTorch scripts);
- :func:`to_d3rlpy`: a d3rlpy ``ReplayBuffer`` (use instead of ``d3rlpy.datasets.get_minari``,
  which in d3rlpy 2.8.1 starts every episode after the first late by one observation per earlier
  episode and drops the last step of truncated episodes);
- :func:`to_sb3_buffer` / :func:`fill_sb3_buffer`: a stable-baselines3 ``ReplayBuffer`` for SAC,
  filled with whole-array writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from compogen.data import Transitions, read_synthetic
from compogen.data.minari_io import read_minari
from compogen.errors import DataError

__all__ = ["StoredNextTransitionPicker", "fill_sb3_buffer", "load_transitions", "scale_actions", "to_d3rlpy", "to_d4rl", "to_sb3_buffer"]


def load_transitions(source: Any) -> Transitions:
    """``source`` as :class:`Transitions`: Transitions, a synthetic file, a MinariDataset or a Minari id."""
    if isinstance(source, Transitions):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix in (".h5", ".hdf5", ".npz") or path.is_file():
            return read_synthetic(path)
        return read_minari(str(source))
    if hasattr(source, "iterate_episodes") and hasattr(source, "storage"):
        return read_minari(source)
    raise DataError(f"cannot read transitions from a {type(source).__name__}: give Transitions, a synthetic file, a MinariDataset or a Minari id")


# -- D4RL / CORL ------------------------------------------------------------------
def to_d4rl(source: Any) -> dict[str, np.ndarray]:
    """``{observations, actions, rewards, next_observations, terminals, timeouts}`` as D4RL's
    ``qlearning_dataset`` returns them (float32 arrays, bool flags), row ``i`` being transition ``i``."""
    data = load_transitions(source)
    return {
        "observations": np.ascontiguousarray(data.observations, np.float32),
        "actions": np.ascontiguousarray(data.actions, np.float32),
        "rewards": np.ascontiguousarray(data.rewards, np.float32),
        "next_observations": np.ascontiguousarray(data.next_observations, np.float32),
        "terminals": np.asarray(data.terminals, bool),
        "timeouts": np.asarray(data.timeouts, bool),
    }


# -- d3rlpy -------------------------------------------------------------------------
class StoredNextTransitionPicker:
    """d3rlpy transition picker returning each row's stored next observation and terminal flag."""

    def __init__(self, next_observations: np.ndarray, terminals: np.ndarray):
        self.next_observations = next_observations
        self.terminals = terminals.astype(np.float32)
        self._zero_action: np.ndarray | None = None

    def __call__(self, episode, index: int):
        from d3rlpy.dataset import Transition

        if self._zero_action is None:
            self._zero_action = np.zeros_like(episode.actions[0])
        return Transition(
            observation=episode.observations[index],
            action=episode.actions[index],
            reward=episode.rewards[index],
            next_observation=self.next_observations[index],
            next_action=self._zero_action,
            terminal=float(self.terminals[index]),
            interval=1,
            rewards_to_go=episode.rewards[index : index + 1],
        )


def to_d3rlpy(source: Any):
    """A d3rlpy ``ReplayBuffer`` whose i-th transition is exactly row i of the source.

    All rows form one d3rlpy "episode" (d3rlpy samples transitions uniformly over
    rows); the picker returns the stored ``next_observations[i]`` and ``terminals[i]``.
    d3rlpy's own ``dump``/``ReplayBuffer.load`` would drop those next states (a reloaded buffer
    uses ``observations[t + 1]``), so the buffer refuses ``dump`` with :class:`DataError`;
    ``pickle`` round-trips it exactly, or call ``to_d3rlpy`` on the source again.
    """
    from d3rlpy.constants import ActionSpace
    from d3rlpy.dataset import Episode, InfiniteBuffer

    from compogen.rl.d3rlpy_buffer import StoredNextReplayBuffer

    data = load_transitions(source)
    episode = Episode(
        observations=np.ascontiguousarray(data.observations, np.float32),
        actions=np.ascontiguousarray(data.actions, np.float32),
        rewards=np.ascontiguousarray(data.rewards, np.float32).reshape(-1, 1),
        terminated=True,  # every row is a transition; terminal flags come from the picker
    )
    picker = StoredNextTransitionPicker(np.ascontiguousarray(data.next_observations, np.float32), np.asarray(data.terminals))
    return StoredNextReplayBuffer(
        InfiniteBuffer(),
        transition_picker=picker,
        episodes=[episode],
        action_space=ActionSpace.CONTINUOUS,
        action_size=data.action_dim,
    )


# -- stable-baselines3 --------------------------------------------------------------
def scale_actions(actions: np.ndarray, action_space: Any) -> np.ndarray:
    """Env actions into SAC's buffer space [-1, 1] (SB3's ``policy.scale_action``), clipped to it."""
    low, high = np.asarray(action_space.low, np.float64), np.asarray(action_space.high, np.float64)
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        raise DataError("the action space must be bounded to scale actions for SAC")
    return np.clip(2.0 * (actions - low) / (high - low) - 1.0, -1.0, 1.0).astype(np.float32)


def fill_sb3_buffer(buffer: Any, source: Any, action_space: Any | None = None) -> Any:
    """Append the source's transitions to an SB3 ``ReplayBuffer`` with whole-array writes.

    Rows land at ``buffer.pos`` onward (row ``i`` at slot ``pos + i // n_envs``, env
    ``i % n_envs``); actions are scaled into [-1, 1] from ``action_space`` (default
    ``buffer.action_space``); ``dones`` = terminals (timeouts never cut a TD target).
    The buffer must keep ``s'`` apart (``optimize_memory_usage=False``) and have room.
    """
    data = load_transitions(source)
    if getattr(buffer, "optimize_memory_usage", False):
        raise DataError("the SB3 buffer has optimize_memory_usage=True: it rebuilds s' from the next row; make it with optimize_memory_usage=False")
    n_envs, n = int(buffer.n_envs), len(data)
    if n % n_envs:
        raise DataError(f"{n} transitions do not fill whole slots of a buffer with n_envs={n_envs}")
    slots = n // n_envs
    if buffer.pos + slots > buffer.buffer_size:
        raise DataError(f"the SB3 buffer has room for {buffer.buffer_size - buffer.pos} more slots, the data needs {slots}; make it larger")
    obs_shape = buffer.observations.shape[2:]
    if tuple(obs_shape) != (data.obs_dim,) or buffer.actions.shape[2] != data.action_dim:
        raise DataError(
            f"the SB3 buffer holds obs {list(obs_shape)} / actions {buffer.actions.shape[2]}, the data {data.obs_dim} / {data.action_dim}"
        )
    sl = slice(buffer.pos, buffer.pos + slots)
    space = action_space if action_space is not None else buffer.action_space
    buffer.observations[sl] = data.observations.reshape(slots, n_envs, -1)
    buffer.next_observations[sl] = data.next_observations.reshape(slots, n_envs, -1)
    buffer.actions[sl] = scale_actions(data.actions, space).reshape(slots, n_envs, -1)
    buffer.rewards[sl] = data.rewards.reshape(slots, n_envs)
    buffer.dones[sl] = data.terminals.reshape(slots, n_envs)
    if hasattr(buffer, "timeouts"):
        buffer.timeouts[sl] = 0.0
    buffer.pos += slots
    if buffer.pos == buffer.buffer_size:
        buffer.full, buffer.pos = True, 0
    return buffer


def to_sb3_buffer(source: Any, observation_space: Any = None, action_space: Any = None, buffer_size: int | None = None, device: str = "cpu"):
    """A new SB3 ``ReplayBuffer`` (``optimize_memory_usage=False``) holding the source's transitions;
    ``buffer_size`` defaults to the data size (give more to keep adding online transitions)."""
    import gymnasium as gym
    from stable_baselines3.common.buffers import ReplayBuffer

    data = load_transitions(source)
    observation_space = observation_space or gym.spaces.Box(-np.inf, np.inf, (data.obs_dim,), np.float32)
    action_space = action_space or gym.spaces.Box(-1.0, 1.0, (data.action_dim,), np.float32)
    buffer = ReplayBuffer(int(buffer_size or len(data)), observation_space, action_space, device=device, optimize_memory_usage=False)
    return fill_sb3_buffer(buffer, data, action_space)
