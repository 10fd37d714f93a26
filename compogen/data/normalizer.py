"""Per-dimension standardisation of flat transitions (``done`` left as is)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from compogen.errors import DataError

__all__ = ["Normalizer"]


@dataclass
class Normalizer:
    """``(x - mean) / std`` per dim; dims listed in ``skip`` keep mean 0, std 1."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, batches: np.ndarray | Iterable[np.ndarray], skip: slice | list[int] | None = None, min_std: float = 1e-6) -> "Normalizer":
        """Streaming mean/std (float64 accumulators) over one array or an iterable of chunks."""
        if isinstance(batches, np.ndarray):
            batches = [batches]
        n, s1, s2 = 0, None, None
        for b in batches:
            b = np.asarray(b, dtype=np.float64)
            if b.ndim != 2 or b.shape[0] == 0:
                continue
            if not np.isfinite(b).all():
                raise DataError("cannot fit a normalizer on data containing NaN or Inf")
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
        mean = mean_c + shift
        std = np.sqrt(var)
        std = np.where(std < min_std, 1.0, std)  # constant dims (e.g. absent obstacle) pass through
        if skip is not None:
            mean[skip] = 0.0
            std[skip] = 1.0
        return cls(mean.astype(np.float32), std.astype(np.float32))

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
    def from_dict(cls, d: dict[str, Any]) -> "Normalizer":
        mean = np.asarray(d["mean"], dtype=np.float32)
        std = np.asarray(d["std"], dtype=np.float32)
        if mean.shape != std.shape or mean.ndim != 1 or not (np.isfinite(mean).all() and np.isfinite(std).all()) or (std <= 0).any():
            raise DataError("normalizer: mean/std must be finite 1-D arrays of equal size with std > 0")
        return cls(mean, std)

    def save(self, path) -> None:
        from compogen.io import atomic_write_text

        atomic_write_text(path, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path) -> "Normalizer":
        try:
            return cls.from_dict(json.loads(open(path).read()))
        except (OSError, ValueError, KeyError) as e:
            raise DataError(f"{path}: not a normalizer file ({e})") from None
