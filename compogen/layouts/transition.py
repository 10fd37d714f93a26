"""Transition layout: one flat vector ``[s, a, r, s', d]`` per transition.

The task-id dims are removed from ``s`` and ``s'`` (the task becomes the
generator's 16-dim condition) and put back on unpacking. Tokens are the semantic
pieces the transformer denoisers see: each state factor of ``s`` and of ``s'``,
then action, reward and done.

>>> from compogen.suites.composuite import CompoSuiteSuite
>>> lay = CompoSuiteSuite().transition_layout()
>>> lay.dim, len(lay.tokens), [t.name for t in lay.tokens][:5]
(164, 11, ['s.object', 's.obstacle', 's.goal', 's.proprio', 'a'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from compogen.errors import DataError
from compogen.layouts.observation import ObservationLayout
from compogen.tasks.space import Task, TaskSpace

__all__ = ["Token", "TransitionLayout"]


@dataclass(frozen=True)
class Token:
    """One semantic piece ``[start, stop)`` of the flat transition vector."""

    name: str  # "s.object", "s'.object", "a", "r", "d"
    start: int
    stop: int
    kind: str  # "state" | "next_state" | "action" | "reward" | "done"
    #: Shared by a factor's s and s' tokens ("object"), or "action"/"reward"/"done".
    factor: str
    #: Axis whose element selects this token's encoder in the compositional model.
    axis: str | None

    @property
    def size(self) -> int:
        return self.stop - self.start


class TransitionLayout:
    """Pack/unpack flat transitions and derive their token slices."""

    def __init__(self, space: TaskSpace, observation_layout: ObservationLayout, action_dim: int):
        self.space = space
        self.observation_layout = observation_layout
        self.action_dim = int(action_dim)
        self.obs_dim = observation_layout.dim
        self.state_dim = observation_layout.state_dim
        self.cond_dim = space.indicator_dim
        s, a = self.state_dim, self.action_dim
        self.s = slice(0, s)
        self.a = slice(s, s + a)
        self.r = slice(s + a, s + a + 1)
        self.s_next = slice(s + a + 1, 2 * s + a + 1)
        self.d = slice(2 * s + a + 1, 2 * s + a + 2)
        self.dim = 2 * s + a + 2
        self._state_index = observation_layout.state_index()
        self._perm = observation_layout.task_id_permutation(space)
        self.tokens = self._make_tokens()

    def _make_tokens(self) -> tuple[Token, ...]:
        factors = self.observation_layout.state_factors()
        toks = [Token(f"s.{f.name}", f.start, f.stop, "state", f.name, f.axis) for f in factors]
        toks.append(Token("a", self.a.start, self.a.stop, "action", "action", None))
        toks.append(Token("r", self.r.start, self.r.stop, "reward", "reward", None))
        off = self.s_next.start
        toks += [Token(f"s'.{f.name}", off + f.start, off + f.stop, "next_state", f.name, f.axis) for f in factors]
        toks.append(Token("d", self.d.start, self.d.stop, "done", "done", None))
        return tuple(sorted(toks, key=lambda t: t.start))

    # ------------------------------------------------------------------------------
    def strip(self, obs: np.ndarray) -> np.ndarray:
        """Observation(s) without task-id dims."""
        return np.asarray(obs)[..., self._state_index]

    def pack(self, observations, actions, rewards, next_observations, terminals) -> np.ndarray:
        """Flat float32 ``[N, dim]`` from full observations (task ids dropped)."""
        obs = np.asarray(observations)
        n = obs.shape[0]
        self._check("observations", obs, (n, self.obs_dim))
        self._check("next_observations", np.asarray(next_observations), (n, self.obs_dim))
        self._check("actions", np.asarray(actions), (n, self.action_dim))
        out = np.empty((n, self.dim), dtype=np.float32)
        out[:, self.s] = self.strip(obs)
        out[:, self.a] = actions
        out[:, self.r] = np.asarray(rewards, dtype=np.float32).reshape(n, 1)
        out[:, self.s_next] = self.strip(next_observations)
        out[:, self.d] = np.asarray(terminals, dtype=np.float32).reshape(n, 1)
        return out

    def unpack(self, x: np.ndarray, condition: np.ndarray | Task | str) -> dict[str, np.ndarray]:
        """Inverse of :meth:`pack`; task ids are re-inserted from ``condition``.

        ``condition`` is a task, or paper-order indicator(s) ``[16]`` / ``[N, 16]``.
        ``terminals`` is thresholded at 0.5.
        """
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise DataError(f"flat transitions must be [N, {self.dim}], got {list(x.shape)}")
        n = x.shape[0]
        if isinstance(condition, (str, tuple)):
            condition = self.space.indicator(condition)
        cond = np.broadcast_to(np.asarray(condition, dtype=np.float32), (n, self.cond_dim))
        block = cond[:, self._perm]
        obs = np.empty((n, self.obs_dim), dtype=np.float32)
        nxt = np.empty((n, self.obs_dim), dtype=np.float32)
        lay = self.observation_layout
        for dst, src in ((obs, x[:, self.s]), (nxt, x[:, self.s_next])):
            dst[:, self._state_index] = src
            dst[:, lay.task_id_start : lay.task_id_stop] = block
        return {
            "observations": obs,
            "actions": x[:, self.a].copy(),
            "rewards": x[:, self.r.start].copy(),
            "next_observations": nxt,
            "terminals": (x[:, self.d.start] > 0.5),
        }

    def _check(self, name: str, arr: np.ndarray, shape: tuple[int, int]) -> None:
        if arr.shape != shape:
            raise DataError(f"{name} must have shape {list(shape)}, got {list(arr.shape)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "elements": [list(e) for e in self.space.elements],
            "observation_layout": self.observation_layout.to_dict(),
            "action_dim": self.action_dim,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TransitionLayout:
        return cls(
            TaskSpace(tuple(tuple(e) for e in d["elements"])),
            ObservationLayout.from_dict(d["observation_layout"]),
            d["action_dim"],
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TransitionLayout) and self.to_dict() == other.to_dict()

    __hash__ = None  # compared by value and not immutable: unhashable (what defining __eq__ alone implies)

    def __repr__(self) -> str:
        return f"TransitionLayout(dim={self.dim}, state={self.state_dim}, action={self.action_dim}, tokens={len(self.tokens)})"
