"""Training minibatches of the generator: rows of a pool, packed and normalised, on the training device.

On the CPU each minibatch is gathered, packed and normalised when it is drawn. On an accelerator the
whole pool is packed and normalised once and kept there (when it fits in :data:`MAX_RESIDENT_BYTES`):
gathering 1,024 rows on the CPU and copying them cost 17-30 ms per step on an H200 against a 7-51 ms
step (``benchmarks/results/gpu_paper.md``). Both paths give the same values (the same elementwise
float32 arithmetic, done before or after the gather).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from compogen.data.normalizer import Normalizer
from compogen.data.transitions import Transitions
from compogen.layouts.transition import TransitionLayout

__all__ = ["MAX_RESIDENT_BYTES", "Minibatches", "iter_packed"]

#: The largest packed pool kept on an accelerator (bytes); a larger one is gathered on the CPU per step.
MAX_RESIDENT_BYTES = 4 << 30

_CHUNK = 65_536  # rows packed at a time (normaliser fit, resident pool)


def iter_packed(pool: Transitions, layout: TransitionLayout, chunk: int = _CHUNK) -> Iterator[np.ndarray]:
    """The pool as flat ``[s, a, r, s', d]`` chunks of ``chunk`` rows."""
    for i in range(0, len(pool), chunk):
        sl = slice(i, i + chunk)
        yield layout.pack(pool.observations[sl], pool.actions[sl], pool.rewards[sl], pool.next_observations[sl], pool.terminals[sl])


class Minibatches:
    """``batch(idx) -> (x0, cond)``: normalised flat rows ``idx`` of ``pool`` and their task indicators.

    ``resident``: keep the packed pool on ``device`` (default: on an accelerator, when it fits).
    """

    def __init__(
        self, pool: Transitions, layout: TransitionLayout, normalizer: Normalizer, device: str | torch.device = "cpu", resident: bool | None = None
    ):
        self.pool, self.layout, self.device = pool, layout, torch.device(device)
        self.mean, self.std = torch.as_tensor(normalizer.mean), torch.as_tensor(normalizer.std)
        self.cond_table = torch.as_tensor(layout.space.indicators(pool.tasks))
        if resident is None:
            resident = self.device.type != "cpu" and len(pool) * layout.dim * 4 <= MAX_RESIDENT_BYTES
        self.resident = bool(resident)
        if self.resident:
            self.rows = torch.cat([self._normalize(flat).to(self.device) for flat in iter_packed(pool, layout)])
            self.task_index = torch.from_numpy(pool.task_index.astype(np.int64)).to(self.device)
            self.cond_table = self.cond_table.to(self.device)

    def _normalize(self, flat: np.ndarray) -> torch.Tensor:
        return (torch.from_numpy(flat) - self.mean) / self.std

    def batch(self, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows ``idx`` (a numpy index array) as ``(x0 [B, dim], cond [B, n_indicator])`` on the device."""
        if self.resident:
            i = torch.from_numpy(np.asarray(idx, dtype=np.int64)).to(self.device)
            return self.rows[i], self.cond_table[self.task_index[i]]
        p = self.pool
        flat = self.layout.pack(p.observations[idx], p.actions[idx], p.rewards[idx], p.next_observations[idx], p.terminals[idx])
        x0 = self._normalize(flat).to(self.device)
        cond = self.cond_table[torch.from_numpy(self.pool.task_index[idx].astype(np.int64))].to(self.device)
        return x0, cond
