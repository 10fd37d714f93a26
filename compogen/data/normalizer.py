"""Per-dimension standardisation: of the generator's flat transitions (``done`` left as is) and of the
observations policies see (validators, online RL, policy files)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from compogen.errors import DataError

__all__ = ["OBSERVATION_EPS", "Normalizer", "observation_normalizer"]

OBSERVATION_EPS = 1e-3
"""What the policies' observation statistics add to the std (d3rlpy's ``StandardObservationScaler``): the
validators, online RL and the multi-task BC baselines normalise observations by ``std + eps``."""


@dataclass
class Normalizer:
    """``(x - mean) / std`` per dim (numpy arrays or torch tensors of any leading shape)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray | Iterable[np.ndarray], skip: slice | list[int] | None = None, min_std: float = 1e-6, eps: float = 0.0) -> Normalizer:
        """Per-dim mean and standard deviation of ``x`` (float64, stored as float32), under one of two conventions:

        - ``min_std`` (the generator's, the default): a std below it becomes 1, so constant dims (an
          absent obstacle) pass through unchanged;
        - ``eps`` (the policies', ``eps=OBSERVATION_EPS, min_std=0``): ``std + eps``, as d3rlpy's
          ``StandardObservationScaler``.

        ``x`` is one array (NumPy's two-pass ``mean``/``std``) or an iterable of row chunks (shifted
        running sums, for data that need not be in memory at once). Dims in ``skip`` keep mean 0, std 1.
        """
        mean, std = _moments(x) if isinstance(x, np.ndarray) else _streamed_moments(x)
        std = std + eps
        std = np.where(std < min_std, 1.0, std)  # constant dims (e.g. absent obstacle) pass through
        if skip is not None:
            mean[skip] = 0.0
            std[skip] = 1.0
        return cls(mean.astype(np.float32), std.astype(np.float32))

    @classmethod
    def identity(cls, dim: int) -> Normalizer:
        """Mean 0 and std 1 in every dim: no normalisation."""
        return cls(np.zeros(dim, np.float32), np.ones(dim, np.float32))

    def normalize(self, x):
        return (x - self._like(self.mean, x)) / self._like(self.std, x)

    def denormalize(self, x):
        return x * self._like(self.std, x) + self._like(self.mean, x)

    @staticmethod
    def _like(v: np.ndarray, x):
        if isinstance(x, np.ndarray):
            return v
        import torch

        return torch.as_tensor(v, device=x.device, dtype=x.dtype)

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Normalizer:
        mean = np.asarray(d["mean"], dtype=np.float32)
        std = np.asarray(d["std"], dtype=np.float32)
        if mean.shape != std.shape or mean.ndim != 1 or not (np.isfinite(mean).all() and np.isfinite(std).all()) or (std <= 0).any():
            raise DataError("normalizer: mean/std must be finite 1-D arrays of equal size with std > 0")
        return cls(mean, std)

    def save(self, path) -> None:
        from compogen.io import atomic_write_text

        atomic_write_text(path, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path) -> Normalizer:
        try:
            return cls.from_dict(json.loads(open(path).read()))
        except (OSError, ValueError, KeyError) as e:
            raise DataError(f"{path}: not a normalizer file ({e})") from None


def observation_normalizer(observations: np.ndarray, eps: float = OBSERVATION_EPS, enabled: bool = True) -> Normalizer:
    """The policies' normalisation of ``observations``: mean and ``std + eps``
    (``Normalizer.fit(observations, eps=eps, min_std=0)``); the identity when not ``enabled``."""
    return Normalizer.fit(observations, eps=eps, min_std=0.0) if enabled else Normalizer.identity(observations.shape[1])


def _check(b: np.ndarray) -> None:
    if not np.isfinite(b).all():
        raise DataError("cannot fit a normalizer on data containing NaN or Inf")


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise DataError(f"cannot fit a normalizer on empty data or data that are not rows of vectors (shape {x.shape})")
    _check(x)
    return x.mean(0), x.std(0)


def _streamed_moments(batches: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    n, s1, s2 = 0, None, None
    for batch in batches:
        b = np.asarray(batch, dtype=np.float64)
        if b.ndim != 2 or b.shape[0] == 0:
            continue
        _check(b)
        if s1 is None:
            shift = b[0].copy()  # shifted sums keep precision for large offsets
            s1, s2 = np.zeros(b.shape[1]), np.zeros(b.shape[1])
        c = b - shift
        s1 += c.sum(0)
        s2 += (c * c).sum(0)
        n += b.shape[0]
    if n == 0:
        raise DataError("cannot fit a normalizer on empty data")
    mean_c = s1 / n
    var = np.maximum(s2 / n - mean_c**2, 0.0)
    return mean_c + shift, np.sqrt(var)
