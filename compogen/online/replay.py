"""The online replay buffer and RLPD's symmetric sampling from offline and online data."""

from __future__ import annotations

import numpy as np
import torch

from compogen.data import Transitions

__all__ = ["ReplayBuffer", "SymmetricSampler"]

_KEYS = ("observations", "actions", "rewards", "next_observations", "terminals")


class ReplayBuffer:
    """A fixed-capacity store of transitions (float32 arrays, terminals as 0/1)."""

    def __init__(self, capacity: int, obs_dim: int, action_dim: int):
        self.capacity = int(capacity)
        self.arrays = {
            "observations": np.zeros((self.capacity, obs_dim), np.float32),
            "actions": np.zeros((self.capacity, action_dim), np.float32),
            "rewards": np.zeros(self.capacity, np.float32),
            "next_observations": np.zeros((self.capacity, obs_dim), np.float32),
            "terminals": np.zeros(self.capacity, np.float32),
        }
        self.size = 0
        self.pos = 0

    @classmethod
    def from_transitions(cls, data: Transitions) -> ReplayBuffer:
        buf = cls(len(data), data.obs_dim, data.action_dim)
        buf.add(data.observations, data.actions, data.rewards, data.next_observations, data.terminals)
        return buf

    def __len__(self) -> int:
        return self.size

    def add(self, observations, actions, rewards, next_observations, terminals) -> None:
        """Append a batch of rows (wrapping around when full)."""
        n = len(observations)
        idx = (self.pos + np.arange(n)) % self.capacity
        for key, value in zip(_KEYS, (observations, actions, rewards, next_observations, terminals), strict=True):
            self.arrays[key][idx] = np.asarray(value, np.float32)
        self.pos = int((self.pos + n) % self.capacity)
        self.size = int(min(self.capacity, self.size + n))

    def rows(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v[idx] for k, v in self.arrays.items()}

    def state(self) -> dict[str, np.ndarray]:
        """The filled rows and the write position (for checkpoints)."""
        return {**{k: v[: self.size] for k, v in self.arrays.items()}, "pos": np.array(self.pos)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        n = len(state["observations"])
        for k in _KEYS:
            self.arrays[k][:n] = state[k]
        # a buffer restored into more room (a run extended to more steps) goes on writing after its rows
        self.size, self.pos = n, (int(state["pos"]) if n >= self.capacity else n)


class SymmetricSampler:
    """Minibatches of which ``round(offline_ratio * B)`` rows come uniformly from the offline data and
    the rest uniformly from the online buffer (RLPD's symmetric sampling at ``offline_ratio=0.5``).

    Before the online buffer holds anything, or without offline data, the whole batch comes from the
    one source that has rows.
    """

    def __init__(self, offline: ReplayBuffer | None, online: ReplayBuffer, batch_size: int, offline_ratio: float, rng: np.random.Generator):
        self.offline, self.online = offline, online
        self.batch_size = int(batch_size)
        self.n_offline = int(round(offline_ratio * batch_size)) if offline is not None and len(offline) else 0
        self.rng = rng

    def split(self) -> tuple[int, int]:
        """(offline rows, online rows) of the next minibatch."""
        if len(self.online) == 0:
            return self.batch_size, 0
        if self.offline is None or len(self.offline) == 0:
            return 0, self.batch_size
        return self.n_offline, self.batch_size - self.n_offline

    def sample(self, device: torch.device | str = "cpu") -> dict[str, torch.Tensor]:
        n_off, n_on = self.split()
        parts = []
        if n_off:
            parts.append(self.offline.rows(self.rng.integers(0, len(self.offline), n_off)))
        if n_on:
            parts.append(self.online.rows(self.rng.integers(0, len(self.online), n_on)))
        return {k: torch.as_tensor(np.concatenate([p[k] for p in parts]), device=device) for k in _KEYS}
